"""Checks for notebook 03 (Gatys style transfer): the total loss, the style gradient, the
optimisation loop, total variation, FLOPs.

    from stlib.exercises import nb03
    nb03.check_total_loss(total_loss, objective, image)  # fn(config, raw terms) -> the total
    nb03.check_style_gradient(style_gradient)            # fn(F, A) -> dE/dF, derived by hand
    nb03.check_adam_loop(adam_loop)                      # fn(objective, start, steps, lr)
    nb03.check_total_variation(total_variation)          # fn(images, kind) -> scalar
    nb03.check_conv_flops(conv_flops)                    # fn(layer, height, width) -> int

The references are ``stlib.gatys.Objective.terms``, TensorFlow's automatic differentiation of
``stlib.losses.style_layer_loss``, Keras' Adam, ``stlib.losses.total_variation`` and
``stlib.vgg.forward_flops``; each check returns a ``Verdict`` and never raises or prints.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import tensorflow as tf

from stlib import losses, vgg
from stlib.exercises import Verdict, check_function

__all__ = [
    "check_adam_loop",
    "check_conv_flops",
    "check_style_gradient",
    "check_total_loss",
    "check_total_variation",
    "unweighted_terms",
]


# --- Exercise 1: the total loss from its unweighted terms ----------------------------------------


def unweighted_terms(objective, image: tf.Tensor) -> tuple[dict, dict, float]:
    """(raw_content, raw_style, raw_tv) of ``objective`` at ``image`` [1, H, W, 3], as notebook 03
    prints them: {content layer: loss}, {style layer: mean((G - A)^2)}, the TV sum (floats)."""
    config, maps = objective.config, objective.features(image)
    raw_content = {
        layer: float(
            losses.content_loss(
                maps[layer], objective.content_targets[layer], config.content_reduction
            )
        )
        for layer in config.content_layers
    }
    raw_style = {
        layer: float(
            losses.style_layer_loss(losses.gram_matrix(maps[layer]), objective.style_targets[layer])
        )
        for layer in config.style_layers
    }
    return raw_content, raw_style, float(losses.total_variation(image, config.tv_kind))


_SMALL_CONFIGS = (
    # Several content layers with u_l != 1, unequal w_l, TV on and off, both TV kinds.
    dict(
        content_layers={"block2_conv1": 1.0},
        style_layers={"block1_conv1": 0.3, "block2_conv1": 0.7},
        content_weight=2.0,
        style_weight=0.5,
        tv_weight=0.1,
    ),
    dict(
        content_layers={"block1_conv2": 0.25, "block2_conv1": 3.0},
        style_layers={"block1_conv1": 1.0},
        content_weight=0.5,
        style_weight=4.0,
        tv_weight=0.0,
        content_reduction="sum",
    ),
    dict(
        content_layers={"block2_conv2": 0.5},
        style_layers={"block1_conv1": 0.2, "block1_conv2": 0.5, "block2_conv1": 0.3},
        content_weight=3.0,
        style_weight=0.02,
        tv_weight=2e-3,
        tv_kind="l1",
    ),
)


@functools.lru_cache(maxsize=1)
def _small_objectives() -> tuple:
    """(objective, image) for each of ``_SMALL_CONFIGS``: 16 x 16 random images, random VGG
    weights (built once, and only when a candidate gets that far)."""
    from stlib.gatys import GatysConfig, Objective, feature_extractor

    pairs = []
    for seed, fields in enumerate(_SMALL_CONFIGS):
        config = GatysConfig(**fields)
        content, style, image = (
            tf.random.stateless_uniform([1, 16, 16, 3], seed=[seed, k]) for k in range(3)
        )
        features = feature_extractor(config, weights=None)
        pairs.append((Objective(config, features, content, [style], [1.0]), image))
    return tuple(pairs)


def _weighted_terms() -> Callable:
    """The library's weighted sum of the terms (imported when a check runs: stlib.gatys is big)."""
    from stlib.gatys.objective import weighted_terms

    return weighted_terms


def _library_optimizers() -> tuple[Callable, ...]:
    """stlib's own optimisation loops, which the loop exercise re-implements."""
    from stlib.gatys import engine, optimizers

    return optimizers.minimize_adam, optimizers.minimize_lbfgs, engine.stylize


def check_total_loss(
    candidate: Callable, objective=None, image: tf.Tensor | None = None
) -> Verdict:
    """``candidate(config, raw_content, raw_style, raw_tv)`` -> the total loss, a number.

    Compared with ``objective.terms(image)["total"]`` for the notebook's ``objective`` and ``image``
    (when given, as case 1) and for three small objectives of other configs (random VGG weights).
    """
    given = [(objective, image)] if objective is not None else []

    def pair(number: int):
        return given[number] if number < len(given) else _small_objectives()[number - len(given)]

    def call(number: int):
        pair_objective, pair_image = pair(number)
        return candidate(pair_objective.config, *unweighted_terms(pair_objective, pair_image))

    def reference(number: int) -> float:
        pair_objective, pair_image = pair(number)
        return float(pair_objective.terms(pair_image)["total"])

    return check_function(
        "total loss from the terms",
        call if callable(candidate) else candidate,
        reference,
        [(number,) for number in range(len(given) + len(_SMALL_CONFIGS))],
        rtol=1e-4,
        atol=0.0,
        hint="total = alpha * sum_l u_l * content_l + beta * sum_l w_l * style_l + gamma * TV, "
        "with alpha, beta, gamma = config.content_weight, style_weight, tv_weight and u_l, w_l = "
        "config.content_layers[l], config.style_layers[l].",
        library=(_weighted_terms(),),
    )


# --- Exercise 2: the gradient of one layer's style loss, by hand ---------------------------------


def _tape_style_gradient(features: tf.Tensor, target_gram: tf.Tensor) -> tf.Tensor:
    """dE/dF of E = mean((G(F) - A)^2) by automatic differentiation, [1, h, w, N]."""
    with tf.GradientTape() as tape:
        tape.watch(features)
        loss = losses.style_layer_loss(losses.gram_matrix(features), target_gram)
    return tape.gradient(loss, features)


def _style_gradient_cases(seed: int = 5) -> list[tuple[tf.Tensor, tf.Tensor]]:
    """(features [1, h, w, N], a target Gram [1, N, N] of other features) of several sizes."""
    rng = np.random.default_rng(seed)

    def rectified(*shape: int) -> tf.Tensor:
        return tf.constant(np.maximum(rng.standard_normal(shape), 0.0).astype(np.float32))

    cases = []
    for (h, w, n), (h_style, w_style) in (
        ((4, 5, 3), (4, 5)),
        ((6, 3, 8), (5, 7)),
        ((2, 2, 16), (9, 4)),
    ):
        cases.append((rectified(1, h, w, n), losses.gram_matrix(rectified(1, h_style, w_style, n))))
    return cases


def check_style_gradient(candidate: Callable) -> Verdict:
    """``candidate(features [1, h, w, N], target_gram [1, N, N])`` -> dE/dF [1, h, w, N] for
    E = mean((G - A)^2), G = F^T F / M, against TensorFlow's gradient tape on three cases."""
    return check_function(
        "style gradient, by hand",
        candidate,
        _tape_style_gradient,
        _style_gradient_cases(),
        rtol=1e-3,
        atol=1e-6,
        hint="With F reshaped to [M, N]: dE/dG = 2 (G - A) / N^2, and G = F^T F / M gives "
        "dE/dF = (2 / M) F dE/dG (G - A is symmetric), so 4 / (N^2 M) F (G - A); reshape back "
        "to [1, h, w, N].",
        library=(tf.GradientTape, losses.style_layer_loss),  # "by hand": no automatic gradient
    )


# --- Exercise 3: the optimisation loop ------------------------------------------------------------

_LOOP_STEPS = 4
_LOOP_LEARNING_RATE = 0.05


def _reference_adam_loop(objective, start: tf.Tensor, steps: int, learning_rate: float):
    """Keras' Adam on the pixels with clipping to [0, 1]; the losses before each update."""
    import keras

    pastiche = tf.Variable(start)
    adam = keras.optimizers.Adam(learning_rate=learning_rate)
    recorded = []
    for _ in range(steps):
        terms, gradient = objective.value_and_gradient(tf.convert_to_tensor(pastiche))
        adam.apply_gradients([(gradient, pastiche)])
        pastiche.assign(tf.clip_by_value(pastiche, 0.0, 1.0))
        recorded.append(float(terms["total"]))
    return tf.convert_to_tensor(pastiche), recorded


def _loop_outcome(result) -> np.ndarray | None:
    """(image [1, H, W, 3], losses) -> one vector: the losses, then the pixels (None stays None)."""
    if result is None:
        return None
    image, recorded = result
    return np.concatenate(
        [np.asarray(recorded, np.float64).ravel(), np.asarray(image, np.float64).ravel()]
    )


def check_adam_loop(candidate: Callable) -> Verdict:
    """``candidate(objective, start, steps, learning_rate)`` -> (image [1, H, W, 3], losses): the
    final pixels and the total loss before each of the ``steps`` updates, against Keras' Adam
    with clipping on three small objectives (random VGG weights, 16 x 16 images, 4 steps)."""

    def call(number: int):
        objective, start = _small_objectives()[number]
        return _loop_outcome(candidate(objective, start, _LOOP_STEPS, _LOOP_LEARNING_RATE))

    def reference(number: int):
        objective, start = _small_objectives()[number]
        return _loop_outcome(
            _reference_adam_loop(objective, start, _LOOP_STEPS, _LOOP_LEARNING_RATE)
        )

    return check_function(
        "the optimisation loop",
        call if callable(candidate) else candidate,
        reference,
        [(number,) for number in range(len(_SMALL_CONFIGS))],
        rtol=1e-4,
        atol=1e-5,
        hint="Per step: terms, gradient = objective.value_and_gradient(image); record "
        "float(terms['total']); adam.apply_gradients([(gradient, pixels)]) with pixels a "
        "tf.Variable and adam = keras.optimizers.Adam(learning_rate=learning_rate) made once; "
        "then pixels.assign(tf.clip_by_value(pixels, 0.0, 1.0)). Return (the pixels, the losses).",
        library=(_reference_adam_loop, *_library_optimizers()),
    )


# --- Exercise 4: total variation -----------------------------------------------------------------


def _tv_cases(seed: int = 3) -> list[tuple[tf.Tensor, str]]:
    """Random [B, H, W, 3] images in [0, 1] of several shapes (one batch of two), both kinds."""
    rng = np.random.default_rng(seed)
    shapes = [(1, 5, 7, 3), (1, 9, 4, 3), (2, 6, 6, 3)]
    images = [tf.constant(rng.random(shape, dtype=np.float32)) for shape in shapes]
    return [(image, kind) for image in images for kind in losses.TV_KINDS]


def check_total_variation(candidate: Callable) -> Verdict:
    """``candidate(images [B, H, W, 3], kind)`` -> scalar, against ``losses.total_variation`` for
    kinds "l1" and "squared" on three random images (one a batch of two)."""
    return check_function(
        "total variation",
        candidate,
        lambda images, kind: losses.total_variation(images, kind).numpy(),
        _tv_cases(),
        rtol=1e-4,
        atol=1e-4,
        hint="Vertical neighbours: images[:, 1:] - images[:, :-1]; horizontal: "
        "images[:, :, 1:] - images[:, :, :-1]. Sum |d| (kind 'l1') or d**2 (kind 'squared') over "
        "the batch, all positions and channels, in both directions.",
        library=(losses.total_variation, tf.image.total_variation),
    )


# --- Exercise 5: the FLOPs of one VGG convolution ------------------------------------------------

_FLOP_LAYERS = (
    "block1_conv1",
    "block1_conv2",
    "block2_conv1",
    "block3_conv3",
    "block4_conv1",
    "block5_conv1",
)
_FLOP_SIZES = ((64, 64), (288, 384), (37, 53))


def check_conv_flops(candidate: Callable) -> Verdict:
    """``candidate(layer, height, width)`` -> forward FLOPs of that VGG19 convolution, against
    ``vgg.forward_flops`` for six layers at three sizes (FLOP counts are integers: exact)."""
    cases = [(layer, h, w) for layer in _FLOP_LAYERS for (h, w) in _FLOP_SIZES]
    return check_function(
        "FLOPs of one VGG layer",
        candidate,
        lambda layer, h, w: vgg.forward_flops(h, w, layer)[layer],
        cases,
        rtol=0,
        atol=0,
        hint="2 * 3 * 3 * C_in * C_out * h * w, where C_in is the previous convolution's channel "
        "count (3 for block1_conv1) and the map is h = height // 2**k after k poolings "
        "(vgg.DOWNSAMPLING[layer]).",
        library=(vgg.forward_flops,),
    )
