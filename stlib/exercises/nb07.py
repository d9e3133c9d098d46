"""Checks for notebook 07, arbitrary style transfer: counting the conditional instance norm, the
bottleneck of identity interpolation and mixing, the blending ramp of overlapping tiles.

    from stlib.exercises import nb07
    nb07.check_cin_numbers(cin_numbers)      # Exercise 1: (numbers per style, weights of the maps)
    nb07.check_bottleneck(bottleneck)        # Exercise 2: fn(e_content, [e_i], [w_i], s) -> [100]
    nb07.check_overlap_ramp(overlap_ramp)    # Exercise 3: fn(width) -> [width]

The expected values come from stlib: the layers of the official TFLite transformer (``CIN_LAYERS``,
which the tests read back from the file), the embedding that ``stlib.arbitrary``'s
``EmbeddingStylizer`` hands its transformer, and ``stlib.arbitrary.tiling.ramp``. Each check
returns a ``Verdict`` and never raises or prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from stlib.arbitrary import tiling
from stlib.arbitrary.config import ArbitraryConfig
from stlib.arbitrary.stylizer import EmbeddingStylizer
from stlib.exercises import Verdict, check_function, check_value, tolerance_text
from stlib.inputs import load_content

__all__ = [
    "CIN_LAYERS",
    "CONTRACT_LAYERS",
    "EMBEDDING_SIZE",
    "check_bottleneck",
    "check_cin_numbers",
    "check_overlap_ramp",
]

EMBEDDING_SIZE = 100  # the style prediction network's bottleneck (Ghiasi et al. 2017, sec. 3.2)

# The official TFLite transformer (Magenta's, width multiplier 1/4): the layers whose instance
# normalisation takes its scale and shift from the embedding, and their channels. The tests read
# them back from the .tflite files (the tensors named "style_params/transformer/...").
CIN_LAYERS: dict[str, int] = {
    **{f"residual/residual{b}/conv{c}": 32 for b in range(1, 6) for c in (1, 2)},
    "expand/conv1": 16,
    "expand/conv2": 8,
    "expand/conv3": 3,
}
# The three downsampling convolutions are normalised too, but by batch normalisation (fixed
# statistics and parameters, the same for every style): nothing there depends on the embedding.
CONTRACT_LAYERS: dict[str, int] = {"contract/conv1": 8, "contract/conv2": 16, "contract/conv3": 32}


# --- Exercise 1: how many numbers the conditional instance norm needs -----------------------------


def _cin_numbers() -> tuple[int, int]:
    """(gamma and beta values per style, parameters of the maps from the embedding to them).

    Each normalised channel has a scale gamma and a shift beta. Each layer gets its gammas from
    the embedding through a 1x1 convolution with bias (a dense layer, 100 -> C), and its betas
    through another: 2 (100 + 1) C parameters per layer.
    """
    channels = sum(CIN_LAYERS.values())
    return 2 * channels, 2 * (EMBEDDING_SIZE + 1) * channels


def check_cin_numbers(answer) -> Verdict:
    """Exercise 1: a pair of integers (numbers per style, parameters of the embedding's maps)."""
    exercise = "the numbers of the conditional instance norm"
    verdict = check_value(exercise, answer, _cin_numbers(), rtol=0.0, atol=0.0)
    if verdict or not verdict.attempted:
        return verdict
    return Verdict(exercise, False, f"{verdict.message} {_cin_hint(answer)}", verdict.tolerance)


def _cin_hint(answer: Any) -> str:
    """What a wrong pair most likely got wrong."""
    channels = sum(CIN_LAYERS.values())
    contract = sum(CONTRACT_LAYERS.values())
    try:
        per_style, mapping = (int(round(float(x))) for x in np.asarray(answer).ravel())
    except (TypeError, ValueError):
        return "Give a pair of integers: (numbers per style, parameters of the maps)."
    hints = []
    if per_style == channels:
        hints.append("Each normalised channel needs two numbers per style: a scale and a shift.")
    elif per_style == 2 * (channels + contract):
        hints.append(
            "The contract convolutions use batch normalisation, the same for every style: "
            "count only the 13 layers with conditional instance norm."
        )
    if mapping == EMBEDDING_SIZE * 2 * channels:
        hints.append("Each 1x1 convolution also has a bias: one per output channel.")
    if not hints:
        hints.append(
            "Per style: a gamma and a beta for every channel of the 13 normalised layers. "
            "Maps: two 1x1 convolutions (dense layers with bias) from the 100 numbers per layer."
        )
    return " ".join(hints)


# --- Exercise 2: the bottleneck that strength and mixing feed the transformer ---------------------


class _Recorder(EmbeddingStylizer):
    """An ``EmbeddingStylizer`` whose images are flat colours standing for known embeddings, and
    whose transformer only records the embedding it is given: what stlib's own ``stylize`` does
    with strength and mixing, without any network."""

    backend = "tflite"

    def __init__(self, table: dict[float, np.ndarray]) -> None:
        self.table = table
        self.seen: np.ndarray | None = None

    def _embed_image(self, image: tf.Tensor) -> np.ndarray:
        value = round(float(np.asarray(image)[0, 0, 0, 0]), 2)
        return self.table[value]

    def transform(self, content: Any, embedding: Any) -> tf.Tensor:
        self.seen = np.asarray(embedding, np.float32).reshape(-1)
        return load_content(content)


def _flat(value: float) -> tf.Tensor:
    """A 32 x 32 image of one gray value, [1, 32, 32, 3]."""
    return tf.fill((1, 32, 32, 3), value)


def _bottleneck(
    content_embedding: Any,
    style_embeddings: Sequence[Any],
    weights: Sequence[float],
    strength: float,
) -> np.ndarray:
    """The embedding ``stlib.arbitrary``'s ``stylize`` paints with, float32 [100]: the styles mixed
    by ``weights`` (normalised to sum to one), then moved towards the photo's own embedding by
    ``1 - strength`` (identity interpolation)."""
    grays = [0.2 + 0.2 * i for i in range(len(style_embeddings) + 1)]  # k/255: exact in 8 bits
    vectors = [content_embedding, *style_embeddings]
    table = {round(g, 2): np.asarray(v, np.float32).reshape(-1) for g, v in zip(grays, vectors)}
    recorder = _Recorder(table)
    recorder.stylize(
        _flat(grays[0]),
        [_flat(g) for g in grays[1:]],
        mix=list(weights),
        strength=strength,
        style_size=32,
    )
    return recorder.seen


def _bottleneck_cases() -> list[tuple]:
    rng = np.random.default_rng(70)

    def embedding() -> np.ndarray:
        return rng.normal(0.1, 0.8, EMBEDDING_SIZE).astype(np.float32)

    content = embedding()
    a, b, c = embedding(), embedding(), embedding()
    return [
        (content, [a], [1.0], 0.5),
        (content, [a], [1.0], 0.0),
        (content, [a, b], [2.0, 1.0], 1.0),
        (content, [a, b, c], [0.2, 0.0, 0.6], 0.3),
    ]


def check_bottleneck(fn: Callable) -> Verdict:
    """Exercise 2: ``fn(content_embedding, style_embeddings, weights, strength)`` -> [100],
    against the embedding stlib's ``stylize`` gives its transformer, on four cases."""
    exercise = "the bottleneck of strength and mixing"
    rtol, atol = 1e-5, 1e-6
    verdict = check_function(
        exercise,
        fn,
        _bottleneck,
        _bottleneck_cases(),
        rtol=rtol,
        atol=atol,
        library=(EmbeddingStylizer, ArbitraryConfig.mixing_weights),
    )
    if verdict or not verdict.attempted or verdict.delegated or "raised" in verdict.message:
        return verdict
    return Verdict(exercise, False, f"{verdict.message} {_bottleneck_hint(fn)}", verdict.tolerance)


def _bottleneck_hint(fn: Callable) -> str:
    """Which of the usual slips the student's function makes."""
    content, (a, b), strength = _bottleneck_cases()[2][0], _bottleneck_cases()[2][1], 0.25
    try:
        swapped = np.asarray(fn(content, [a], [1.0], strength), np.float64)
        unnormalized = np.asarray(fn(content, [a, b], [2.0, 1.0], 1.0), np.float64)
    except Exception:  # the check already ran it; a failure here only loses the hint
        swapped = unnormalized = None
    if swapped is not None and np.allclose(swapped, (1 - strength) * a + strength * content):
        return (
            "Strength 1 is the full style and 0 the photo's own embedding: "
            "(1 - s) e_content + s e_style, not the other way round."
        )
    if unnormalized is not None and np.allclose(unnormalized, 2.0 * a + 1.0 * b):
        return "Normalise the weights to sum to one before mixing: w_i / sum_j w_j."
    return (
        "Mix first, e_style = sum_i w_i e_i / sum_j w_j, then interpolate: "
        "(1 - s) e_content + s e_style."
    )


# --- Exercise 3: the ramp that blends two overlapping tiles ---------------------------------------

_RAMP_WIDTHS = (1, 2, 5, 64, 100)


def check_overlap_ramp(fn: Callable) -> Verdict:
    """Exercise 3: ``fn(width)`` -> the rising weight [width] of the right-hand tile over an
    overlap of ``width`` px, against ``stlib.arbitrary.tiling.ramp``."""
    exercise = "the overlap ramp"
    rtol, atol = 0.0, 1e-6
    verdict = check_function(
        exercise,
        fn,
        tiling.ramp,
        [(width,) for width in _RAMP_WIDTHS],
        rtol=rtol,
        atol=atol,
        library=(tiling.window, tiling.paint_tiled),
    )
    if verdict or not verdict.attempted or verdict.delegated or "raised" in verdict.message:
        return verdict
    hint = _ramp_hint(fn)
    return Verdict(exercise, False, f"{verdict.message} {hint}".strip(), tolerance_text(rtol, atol))


def _ramp_hint(fn: Callable) -> str:
    """Which property of a good ramp the student's one lacks."""
    width = 8
    try:
        got = np.asarray(fn(width), np.float64).reshape(-1)
    except Exception:
        return ""
    if got.shape != (width,):
        return f"Return one weight per pixel of the overlap: shape ({width},)."
    if np.any(np.diff(got) <= 0):
        return "The weight of the right-hand tile rises across the overlap, from near 0 to near 1."
    if not np.allclose(got + got[::-1], 1.0, atol=1e-6):
        return (
            "The two tiles' weights must sum to one at every pixel of the overlap: "
            "w[i] + w[width - 1 - i] = 1."
        )
    if np.isclose(got[0], 0.0) or np.isclose(got[-1], 1.0):
        return (
            "Sample at the pixel centres x = (i + 1/2) / width, not at i / (width - 1): every "
            "pixel of the overlap then has some weight in both tiles, none exactly 0 or 1."
        )
    if np.allclose(got, (np.arange(width) + 0.5) / width, atol=1e-6):
        return (
            "A straight line sums to one, but its slope jumps at both ends of the overlap (a "
            "kink where one tile takes over). Find a and b so that a + b cos(pi x) is 0 at x = 0 "
            "and 1 at x = 1."
        )
    return (
        "The raised cosine, 1/2 - 1/2 cos(pi x), sampled at the pixel centres "
        "x = (i + 1/2) / width."
    )
