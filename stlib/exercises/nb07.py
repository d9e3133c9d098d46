"""Checks for notebook 07, arbitrary style transfer: the normalisation parameters that give a
layer's features back, the bottleneck of identity interpolation and mixing, the blending ramp of
overlapping tiles.

    from stlib.exercises import nb07
    nb07.check_identity_parameters(identity_parameters)  # Exercise 1: fn(x) -> (gamma, beta)
    nb07.check_bottleneck(bottleneck)        # Exercise 2: fn(e_content, [e_i], [w_i], s) -> [100]
    nb07.check_overlap_ramp(overlap_ramp)    # Exercise 3: fn(width) -> [width]

Exercise 1's expected values are computed here from the instance-norm formula (epsilon 1e-5, the
value in the TFLite transformer); Exercise 2's are the embedding that ``stlib.arbitrary``'s
``EmbeddingStylizer`` hands its transformer; Exercise 3's are ``stlib.arbitrary.tiling.ramp``.
Each check returns a ``Verdict`` and never raises or prints. ``network_normalization`` reads, for
the notebook's measurement after Exercise 1, what the real transformer's normalised layers
compute for one photo and one embedding.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from stlib.arbitrary import tiling
from stlib.arbitrary.config import ArbitraryConfig
from stlib.arbitrary.stylizer import EmbeddingStylizer
from stlib.cin.layers import ConditionalInstanceNorm
from stlib.exercises import Verdict, check_function, with_hint
from stlib.inputs import load_content

__all__ = [
    "CIN_LAYERS",
    "CONTRACT_LAYERS",
    "EMBEDDING_SIZE",
    "EPSILON",
    "check_bottleneck",
    "check_identity_parameters",
    "check_overlap_ramp",
    "network_normalization",
]

EMBEDDING_SIZE = 100  # the style prediction network's bottleneck (Ghiasi et al. 2017, sec. 3.2)
EPSILON = 1e-5  # the instance norm's epsilon in the TFLite transformer (".../batchnorm/add/y")

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


# --- Exercise 1: the gamma and beta that give a layer's features back -----------------------------


def _moments(x: Any, axes: tuple[int, ...] = (1, 2), ddof: int = 0) -> tuple[np.ndarray, ...]:
    """Mean and variance of x [N, H, W, C] over ``axes``, one per image and channel: [N, C] each,
    float64 (statistics over the batch or the channels are repeated along those axes)."""
    x = np.asarray(x, np.float64)
    mean = x.mean(axis=axes, keepdims=True)
    count = int(np.prod([x.shape[a] for a in axes]))
    variance = ((x - mean) ** 2).sum(axis=axes, keepdims=True) / (count - ddof)
    shape = (x.shape[0], 1, 1, x.shape[3])
    return tuple(np.broadcast_to(m, shape).reshape(shape[0], shape[3]) for m in (mean, variance))


def _identity_parameters(x: Any) -> np.ndarray:
    """The (gamma, beta) for which instance norm returns x [N, H, W, C] unchanged: [2, N, C].

    IN(x) = gamma (x - mu) / sqrt(var + eps) + beta equals x at every position exactly when
    gamma = sqrt(var + eps) and beta = mu, each image and channel its own."""
    mean, variance = _moments(x)
    return np.stack([np.sqrt(variance + EPSILON), mean])


def _identity_variant(x: Any, slip: str) -> np.ndarray:
    """(gamma, beta) [2, N, C] as one of the usual slips computes them."""
    mean, variance = _moments(x)
    std = np.sqrt(variance + EPSILON)
    if slip == "one-zero":
        return np.stack([np.ones_like(mean), np.zeros_like(mean)])
    if slip == "swapped":
        return np.stack([mean, std])
    if slip == "normalization":  # the normalisation's own scale and shift, x_hat = a x + b
        return np.stack([1.0 / std, -mean / std])
    if slip == "inverse":
        return np.stack([1.0 / std, mean])
    if slip == "variance":
        return np.stack([variance + EPSILON, mean])
    if slip == "variance-no-eps":
        return np.stack([variance, mean])
    if slip == "no-eps":
        return np.stack([np.sqrt(variance), mean])
    if slip == "std+eps":
        return np.stack([np.sqrt(variance) + EPSILON, mean])
    if slip == "unbiased":
        mean, variance = _moments(x, ddof=1)
        return np.stack([np.sqrt(variance + EPSILON), mean])
    axes = {"batch": (0, 1, 2), "layer": (1, 2, 3), "all": (0, 1, 2, 3)}[slip]
    mean, variance = _moments(x, axes)
    return np.stack([np.sqrt(variance + EPSILON), mean])


# (the slip, the hint), tried in order; a slip explains an answer that matches it on every case.
_IDENTITY_SLIPS: list[tuple[str, str]] = [
    (
        "one-zero",
        "gamma = 1, beta = 0 leaves the normalised map, each channel with mean 0 and standard "
        "deviation 1, not x: the normalisation has already removed x's own statistics, and "
        "gamma and beta must put them back.",
    ),
    ("swapped", "gamma scales and beta shifts: they are swapped."),
    (
        "normalization",
        "Those are the normalisation's own scale and shift, x_hat = (x - mu) / sqrt(var + eps): "
        "gamma and beta come after it, and must undo it.",
    ),
    (
        "inverse",
        "gamma multiplies x_hat = (x - mu) / sqrt(var + eps): to undo that division it is "
        "sqrt(var + eps) itself, not its inverse.",
    ),
    (
        "variance",
        "gamma undoes a division by sqrt(var + eps): it is a standard deviation, not a variance.",
    ),
    (
        "variance-no-eps",
        "gamma undoes a division by sqrt(var + eps): it is a standard deviation, not a variance.",
    ),
    (
        "no-eps",
        "Case 3 has an almost constant channel: the normalisation divides by sqrt(var + eps), "
        "eps = 1e-5, so gamma = sqrt(var + eps), not the standard deviation alone.",
    ),
    (
        "std+eps",
        "Epsilon is inside the square root: gamma = sqrt(var + 1e-5), not std + 1e-5 (they differ "
        "where a channel is almost constant, as in case 3).",
    ),
    (
        "unbiased",
        "That is the unbiased variance (divided by H W - 1): instance norm divides by H W, as "
        "np.var and tf.nn.moments do by default.",
    ),
    (
        "batch",
        "The statistics are taken over the batch too (batch normalisation): each image has its "
        "own mean and variance, over its height and width only (axes 1 and 2).",
    ),
    (
        "layer",
        "The statistics are taken over the channels too (layer normalisation): each channel has "
        "its own mean and variance, over axes 1 and 2 only.",
    ),
    (
        "all",
        "The statistics are taken over everything: each channel of each image has its own mean "
        "and variance, over axes 1 and 2 only.",
    ),
]


def _feature_map(rng: np.random.Generator, batch: int, height: int, width: int, channels: int):
    """Features as a convolution gives them: each image and channel its own mean and scale."""
    mean = rng.normal(0.0, 2.0, (batch, 1, 1, channels))
    scale = rng.uniform(0.2, 3.0, (batch, 1, 1, channels))
    return (mean + scale * rng.standard_normal((batch, height, width, channels))).astype(np.float32)


def _identity_cases() -> list[tuple]:
    rng = np.random.default_rng(71)
    cases = [(_feature_map(rng, 1, 4, 5, 3),), (_feature_map(rng, 2, 6, 3, 4),)]
    # 3. One channel almost constant (std 1e-3): epsilon matters there.
    x = _feature_map(rng, 2, 4, 4, 3)
    x[..., 1] = 0.3 + 1e-3 * rng.standard_normal((2, 4, 4))
    cases.append((x,))
    # 4. Three images of another size, means far from zero.
    cases.append((_feature_map(rng, 3, 5, 2, 2) + 4.0,))
    return cases


def _as_pair(got: Any) -> np.ndarray | None:
    try:
        return np.asarray(got, np.float64)
    except (TypeError, ValueError):
        return None


def _identity_hint(fn: Callable) -> str:
    """The usual slip the student's function makes, or what shape it should return."""
    outputs = []
    for (x,) in _identity_cases():
        try:
            outputs.append(_as_pair(fn(x)))
        except Exception:  # the check already reported the first error
            outputs.append(None)
    first, (x,) = outputs[3], _identity_cases()[3]  # three images, two channels
    n, c = x.shape[0], x.shape[3]
    pair = "a pair (gamma, beta), each [N, C] for x [N, H, W, C]"
    if first is None:
        return f"Return {pair}."
    if first.shape != (2, n, c):
        if first.shape == (n, c):
            return f"Return both: {pair}."
        if first.size == 2 * n * c:
            return (
                f"Return {pair}: one number per image and channel, without the H and W axes "
                "(keepdims=False)."
            )
        if first.shape == (2, c):
            return (
                "One gamma and one beta per image and channel, [N, C]: each image has its own "
                "statistics (statistics over the batch would be batch normalisation)."
            )
        return f"Return {pair}."
    for slip, hint in _IDENTITY_SLIPS:
        if all(
            got is not None
            and got.shape == (2, args[0].shape[0], args[0].shape[3])
            and np.allclose(got, _identity_variant(args[0], slip), rtol=1e-4, atol=1e-6)
            for got, args in zip(outputs, _identity_cases())
        ):
            return hint
    return (
        "Write IN(x) = gamma (x - mu) / sqrt(var + eps) + beta = x and solve for gamma and beta, "
        "per image and channel (moments over axes 1 and 2, eps = 1e-5)."
    )


def check_identity_parameters(fn: Callable) -> Verdict:
    """Exercise 1: ``fn(x)`` for x [N, H, W, C] -> ``(gamma, beta)``, each [N, C], such that
    instance normalisation with them returns x unchanged; four cases (one image; two; an almost
    constant channel; three images with means far from zero)."""
    exercise = "the parameters that give the features back"
    rtol, atol = 1e-4, 1e-6
    verdict = check_function(
        exercise,
        fn,
        _identity_parameters,
        _identity_cases(),
        rtol=rtol,
        atol=atol,
        library=(ConditionalInstanceNorm, network_normalization),
    )
    return with_hint(verdict, lambda: _identity_hint(fn))


def network_normalization(photo: Any, embedding: Any) -> dict[str, dict[str, np.ndarray]]:
    """What each of the 13 normalised layers of the dynamic TFLite transformer computes when it
    paints ``photo`` with ``embedding``: ``{layer: {"mean", "variance", "gamma", "beta"}}``, each
    float32 [C]. ``mean`` and ``variance`` are the statistics of the layer's input (the
    convolution's output, over its positions), ``gamma`` and ``beta`` the scale and shift the
    embedding sets there (read back from the interpreter's tensors).

    ``photo``: any image stlib loads, painted at its own size (sides rounded down to a multiple
    of 4); ``embedding``: float32 [100]."""
    from stlib.arbitrary import models
    from stlib.arbitrary.tflite import interpreter_class
    from stlib.startup import stderr_hidden

    image = load_content(photo).numpy()
    height, width = (image.shape[1] // 4) * 4, (image.shape[2] // 4) * 4
    image = np.ascontiguousarray(image[:, :height, :width])
    vector = np.asarray(embedding, np.float32).reshape(1, 1, 1, EMBEDDING_SIZE)
    interpreter_type, _ = interpreter_class()
    path = models.model_path(models.TRANSFORMER_FILES["dynamic"])
    with warnings.catch_warnings(), stderr_hidden():
        warnings.simplefilter("ignore")
        interpreter = interpreter_type(model_path=str(path), experimental_preserve_all_tensors=True)
        inputs = interpreter.get_input_details()
        content = next(d["index"] for d in inputs if d["shape"][-1] == 3)
        style = next(d["index"] for d in inputs if d["shape"][-1] == EMBEDDING_SIZE)
        interpreter.resize_tensor_input(content, image.shape, strict=False)
        interpreter.allocate_tensors()
        interpreter.set_tensor(content, image)
        interpreter.set_tensor(style, vector)
        interpreter.invoke()
    tensors = {d["name"]: d["index"] for d in interpreter.get_tensor_details()}
    result = {}
    for layer in CIN_LAYERS:
        (prefix,) = [
            name[: -len("/StyleNorm/batchnorm/Rsqrt")]
            for name in tensors
            if re.fullmatch(rf"transformer/{layer}(/conv)?/StyleNorm/batchnorm/Rsqrt", name)
        ]

        def read(name: str, prefix: str = prefix) -> np.ndarray:
            return interpreter.get_tensor(tensors[f"{prefix}/StyleNorm/{name}"]).reshape(-1)

        # tf.nn.batch_normalization: mul = gamma rsqrt(var + eps), sub = beta - mean mul.
        mean, rsqrt = read("moments/mean"), read("batchnorm/Rsqrt")
        scale, shift = read("batchnorm/mul"), read("batchnorm/sub")
        result[layer] = {
            "mean": mean,
            "variance": read("moments/variance"),
            "gamma": (scale / rsqrt).astype(np.float32),
            "beta": (shift + mean * scale).astype(np.float32),
        }
    return result


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
    return with_hint(verdict, lambda: _bottleneck_hint(fn))


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
    return with_hint(verdict, lambda: _ramp_hint(fn))


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
