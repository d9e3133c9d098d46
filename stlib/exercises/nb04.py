"""Checks for notebook 04, exploring the parameters: from the paper's alpha/beta to stlib's weights.

    from stlib.exercises import nb04
    nb04.check_slider_for_paper_ratio(slider_value)               # Exercise 1 (a function)
    nb04.check_effective_style_weights(effective_style_weights)   # Exercise 2
    nb04.check_style_representation_sizes(representation_sizes)   # Exercise 3

Every expected value comes from stlib itself: the ``gatys2016`` preset, the explorer's
``ratio_of``, ``gatys.style_layer_factors`` and the Gram matrices that ``gatys.Objective``
builds. Each check returns a ``Verdict`` and never raises or prints; the expected answers stay
private to the checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import tensorflow as tf

from stlib.exercises import Verdict, check_function, check_value, not_attempted, with_hint
from stlib.gatys import GatysConfig, Objective, feature_extractor, preset, style_layer_factors
from stlib.gatys.config import STYLE_LAYERS_GATYS

__all__ = [
    "check_effective_style_weights",
    "check_slider_for_paper_ratio",
    "check_style_representation_sizes",
]

# The paper's alpha/beta that the gatys2016 preset stands for (Fig. 2 of Gatys et al. 2016).
GATYS2016_PAPER_RATIO = 1e-3
FIG3_PAPER_RATIO = 1e-2  # the right-hand column of Fig. 3, asked in Exercise 1


def _tiny_objective(config: GatysConfig) -> Objective:
    """The objective of ``config`` on 32 x 32 random images with random VGG weights."""
    rng = np.random.default_rng(0)
    content = tf.constant(rng.random((1, 32, 32, 3)), tf.float32)
    style = tf.constant(rng.random((1, 32, 32, 3)), tf.float32)
    return Objective(config, feature_extractor(config, weights=None), content, [style], [1.0])


# --- Exercise 1: the slider value for a paper ratio -----------------------------------------------


def _slider_for_paper_ratio(paper_ratio: float) -> float:
    """The explorer's alpha/beta slider value (content_weight / style_weight) with the gatys2016
    preset that stands for the paper's alpha/beta = ``paper_ratio``.

    The preset is the paper at 1e-3; a paper ratio r scales its beta by 1e-3 / r.
    """
    from stlib.widgets import ratio_of  # stlib.widgets needs ipywidgets, imported only when asked

    return ratio_of(preset("gatys2016")) * paper_ratio / GATYS2016_PAPER_RATIO


# Fig. 3's right-hand column first, then other ratios: the answer is a rule, not one number.
SLIDER_CASES = (FIG3_PAPER_RATIO, GATYS2016_PAPER_RATIO, 1e-4, 0.5)


def _explorer_ratio() -> Callable:
    from stlib.widgets import ratio_of  # stlib.widgets needs ipywidgets, imported only when asked

    return ratio_of


def _slider_hint(candidate: Callable) -> str:
    try:
        got = float(candidate(FIG3_PAPER_RATIO))
    except Exception:  # the check already reported the student's errors
        return ""
    if np.isclose(got, FIG3_PAPER_RATIO):
        return (
            "That is the paper's ratio itself: the preset writes content_weight = alpha/2 and "
            "style_weight = beta/4 (the 1/2 of the content loss and the 1/4 of E_l), and the "
            "slider shows content_weight / style_weight."
        )
    if np.isclose(got, FIG3_PAPER_RATIO / 2):
        return "(alpha/2) / (beta/4) = 2 alpha/beta: the quotient of the halves is not a half."
    return (
        "The preset writes content_weight = alpha/2 and style_weight = beta/4 (the 1/2 of the "
        "content loss and the 1/4 of E_l); the slider shows content_weight / style_weight."
    )


def check_slider_for_paper_ratio(candidate: Callable) -> Verdict:
    """Exercise 1: ``candidate(paper_ratio)`` -> the slider value that reproduces the paper's
    alpha/beta = ``paper_ratio``, for Fig. 3's 1e-2 and three other ratios."""
    exercise = "slider value for the paper's alpha/beta"
    verdict = check_function(
        exercise,
        candidate,
        _slider_for_paper_ratio,
        [(ratio,) for ratio in SLIDER_CASES],
        rtol=1e-6,
        atol=0.0,
        library=(_explorer_ratio(),) if callable(candidate) else (),
    )
    return with_hint(verdict, lambda: _slider_hint(candidate))


# --- Exercise 2: the factor in front of each style layer's error ---------------------------------


def _objective_factors(config: GatysConfig) -> dict[str, float]:
    """{layer: beta * w_l} as a built ``gatys.Objective`` multiplies the style errors."""
    return dict(_tiny_objective(config).style_layer_weights)


def _objective_vector(config: GatysConfig) -> list[float]:
    """The factors of ``_objective_factors`` in the order of ``config.style_layers``."""
    factors = _objective_factors(config)
    return [factors[layer] for layer in config.style_layers]


def _exercise2_cases() -> list[tuple[GatysConfig]]:
    custom = GatysConfig(style_layers={"block2_conv1": 0.7, "block4_conv1": 0.3}, style_weight=3.0)
    return [(preset(name),) for name in ("gatys2016", "neural-style", "tf-tutorial")] + [(custom,)]


def _as_vector(weights_fn: Callable[[GatysConfig], Mapping[str, float]]):
    """Wrap ``config -> {layer: weight}`` as ``config -> [weight per style layer of config]``."""

    def vector(config: GatysConfig):
        weights = weights_fn(config)
        if not_attempted(weights):
            return weights
        if not isinstance(weights, Mapping):
            raise TypeError(f"expected a dict {{layer: weight}}, got {type(weights).__name__}")
        missing = [layer for layer in config.style_layers if layer not in weights]
        if missing:
            raise KeyError(
                f"no weight for the style layers {missing}; use the keys of config.style_layers"
            )
        return [float(weights[layer]) for layer in config.style_layers]

    return vector


def check_effective_style_weights(fn: Callable[[GatysConfig], Mapping[str, float]]) -> Verdict:
    """Exercise 2: ``fn(config) -> {layer: beta * w_l}`` on three presets and a custom config."""
    return check_function(
        "effective style weights",
        _as_vector(fn) if callable(fn) else fn,
        _objective_vector,
        _exercise2_cases(),
        rtol=1e-6,
        atol=0.0,
        hint="beta is config.style_weight and w_l is config.style_layers[layer].",
        library=(style_layer_factors, Objective),
    )


# --- Exercise 3: how many entries the style representation holds --------------------------------


def _fig3_rows() -> list[tuple[str, ...]]:
    """The style layers of the rows of Fig. 3: conv1_1, conv1_1..conv2_1, ..., conv1_1..conv5_1."""
    return [STYLE_LAYERS_GATYS[:n] for n in range(1, len(STYLE_LAYERS_GATYS) + 1)]


def _style_representation_sizes() -> list[int]:
    """Per Fig. 3 row: the entries of its target Gram matrices, as counted in ``Objective``."""
    objective = _tiny_objective(
        GatysConfig(style_layers={layer: 1.0 for layer in STYLE_LAYERS_GATYS})
    )
    sizes = {
        layer: int(np.prod(objective.style_targets[layer].shape)) for layer in STYLE_LAYERS_GATYS
    }
    return [sum(sizes[layer] for layer in row) for row in _fig3_rows()]


def check_style_representation_sizes(answer) -> Verdict:
    """Exercise 3: five integers, the Gram-matrix entries matched in rows A..E of Fig. 3."""
    return check_value(
        "size of the style representation per row of Fig. 3",
        answer,
        _style_representation_sizes() if not not_attempted(answer) else [0] * 5,
        rtol=0.0,
        atol=0.0,
        hint="A Gram matrix of a layer with N_l channels is N_l x N_l whatever the image size; "
        "stlib.vgg.CHANNELS gives N_l. Sum over the layers of each row.",
    )
