"""Checks for notebook 08, evaluating a pastiche: the relative Gram distance of one layer, the
peak signal-to-noise ratio, and the colour distance as 1-D Wasserstein distances of quantiles.

    from stlib.exercises import nb08
    nb08.check_gram_distance(gram_distance)    # Exercise 1: fn(F_pastiche, F_painting) -> float
    nb08.check_psnr(psnr)                      # Exercise 2: fn(image, reference) -> dB
    nb08.check_color_distance(color_distance)  # Exercise 3: fn(image, reference, levels) -> float

The expected values come from stlib: ``gram_distance`` is the per-layer term of
``stlib.metrics.style_distance`` (``stlib.losses.gram_matrix`` and the Frobenius norm, as the
tests show on a real network), and the other two are ``stlib.metrics.psnr`` and
``stlib.metrics.color_distance`` themselves. The students' functions take numpy arrays. Each check
returns a ``Verdict`` and never raises or prints.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from stlib import losses, metrics
from stlib.exercises import Verdict, check_function

__all__ = [
    "check_color_distance",
    "check_gram_distance",
    "check_psnr",
]


def _with_hint(verdict: Verdict, hint: Callable[[], str]) -> Verdict:
    """The failed verdict of ``check_function`` with ``hint()`` added (passes, placeholders and
    the student's exceptions are returned as they are)."""
    if verdict or not verdict.attempted or verdict.delegated or "raised" in verdict.message:
        return verdict
    return Verdict(verdict.exercise, False, f"{verdict.message} {hint()}", verdict.tolerance)


def _output(fn: Callable, *args) -> float | None:
    """The student's answer on one probe case as a float, or None where it fails."""
    try:
        return float(np.asarray(fn(*args), np.float64))
    except Exception:  # the check already reported the student's errors: only the hint is lost
        return None


def _matches(got: float | None, value: float) -> bool:
    return got is not None and bool(np.isclose(got, value, rtol=1e-4, atol=1e-9))


# --- Exercise 1: the relative Gram distance of one layer ------------------------------------------


def _gram_distance(features, style_features) -> float:
    """``||G(x) - G(s)||_F / ||G(s)||_F`` for the feature maps [1, h, w, N] of the pastiche and
    of the painting (any two sizes), with ``G = F^T F / (h w)``: the term of one layer in
    ``stlib.metrics.style_distance``."""
    gram = losses.gram_matrix(tf.constant(features, tf.float32))[0]
    target = losses.gram_matrix(tf.constant(style_features, tf.float32))[0]
    return float(tf.norm(gram - target) / tf.norm(target))


def _relu_features(rng: np.random.Generator, height: int, width: int, channels: int, shift: float):
    """Random non-negative feature maps [1, h, w, N], like a ReLU layer's."""
    values = rng.normal(shift, 1.0, (1, height, width, channels)) * rng.uniform(0.5, 2.0, channels)
    return np.maximum(values, 0.0).astype(np.float32)


def _gram_cases() -> list[tuple]:
    rng = np.random.default_rng(80)
    return [
        (_relu_features(rng, 6, 5, 8, 0.2), _relu_features(rng, 9, 8, 8, 0.6)),  # sizes differ
        (_relu_features(rng, 4, 4, 16, 0.0), _relu_features(rng, 4, 4, 16, 0.3)),
        (_relu_features(rng, 10, 3, 4, 1.0), _relu_features(rng, 5, 7, 4, -0.2)),
        (_relu_features(rng, 7, 7, 32, 0.5), _relu_features(rng, 12, 10, 32, 0.5)),
    ]


def check_gram_distance(fn: Callable) -> Verdict:
    """Exercise 1: ``fn(features, style_features)`` -> the relative Gram distance of one layer,
    on four pairs of feature maps (numpy, float32 [1, h, w, N]; the two sizes may differ)."""
    exercise = "the relative Gram distance of one layer"
    verdict = check_function(
        exercise,
        fn,
        _gram_distance,
        _gram_cases(),
        rtol=1e-4,
        atol=1e-6,
        library=(losses.gram_matrix, metrics.style_distance),
    )
    return _with_hint(verdict, lambda: _gram_hint(fn))


def _numpy_gram(features: np.ndarray, normalized: bool = True) -> np.ndarray:
    flat = np.asarray(features, np.float64).reshape(-1, features.shape[-1])
    return flat.T @ flat / (flat.shape[0] if normalized else 1.0)


def _gram_hint(fn: Callable) -> str:
    """Which of the usual slips the student's function makes, from the first case (the two
    feature maps have different sizes there)."""
    x, s = _gram_cases()[0]
    got = _output(fn, x, s)
    g, a = _numpy_gram(x), _numpy_gram(s)
    right = np.linalg.norm(g - a) / np.linalg.norm(a)
    g_raw, a_raw = _numpy_gram(x, False), _numpy_gram(s, False)
    if _matches(got, right**2):
        return (
            "That is the square of the answer: the Frobenius norm is the square root of the sum "
            "of squares, ||A||_F = sqrt(sum_ij A_ij^2) (np.linalg.norm does it for you)."
        )
    if _matches(got, np.linalg.norm(g - a) / np.linalg.norm(g)):
        return (
            "Divide by the norm of the painting's Gram, ||G(s)||_F, not the pastiche's: the "
            "painting is the fixed reference, so every pastiche is measured on the same scale."
        )
    if _matches(got, np.linalg.norm(g_raw - a_raw) / np.linalg.norm(a_raw)):
        return (
            "Divide each Gram matrix by its own number of positions h*w, G = F^T F / (h w): here "
            "the two feature maps have different sizes, and a sum over positions grows with the "
            "image."
        )
    if _matches(got, np.linalg.norm(g - a)):
        return "Make it relative: divide ||G(x) - G(s)||_F by ||G(s)||_F."
    return (
        "Reshape each map to F [h*w, N], G = F^T F / (h w) (N x N, whatever the size), then "
        "||G(x) - G(s)||_F / ||G(s)||_F with the Frobenius norm (np.linalg.norm)."
    )


# --- Exercise 2: the peak signal-to-noise ratio ---------------------------------------------------


def _smooth(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A smooth random image [1, H, W, 3] in [0, 1], like a photo."""
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    channels = [
        0.5 + 0.4 * np.sin(rng.uniform(2, 9) * x + rng.uniform(2, 9) * y + rng.uniform(0, 6))
        for _ in range(3)
    ]
    return np.stack(channels, -1)[None].astype(np.float32)


def _noisy(rng: np.random.Generator, image: np.ndarray, std: float) -> np.ndarray:
    return np.clip(image + rng.normal(0, std, image.shape), 0, 1).astype(np.float32)


def _psnr_cases() -> list[tuple]:
    rng = np.random.default_rng(81)
    a, b, c = _smooth(rng, 32, 40), _smooth(rng, 48, 32), _smooth(rng, 36, 36)
    return [
        (_noisy(rng, a, 0.05), a),  # about 26 dB: a faithful copy
        (_noisy(rng, b, 0.2), b),
        (c, _smooth(rng, 36, 36)),  # two unrelated pictures: a few dB
        (_noisy(rng, c, 0.01), c),  # about 40 dB: almost identical
    ]


def check_psnr(fn: Callable) -> Verdict:
    """Exercise 2: ``fn(image, reference)`` -> PSNR in dB of two images of one size (numpy,
    float32 [1, H, W, 3] in [0, 1]), against ``stlib.metrics.psnr`` on four pairs."""
    exercise = "the peak signal-to-noise ratio"
    verdict = check_function(
        exercise,
        fn,
        metrics.psnr,
        _psnr_cases(),
        rtol=1e-5,
        atol=1e-6,
        library=(tf.image.psnr, metrics.summary),
    )
    return _with_hint(verdict, lambda: _psnr_hint(fn))


def _psnr_hint(fn: Callable) -> str:
    image, reference = _psnr_cases()[0]
    got = _output(fn, image, reference)
    difference = np.asarray(image, np.float64) - np.asarray(reference, np.float64)
    mse = float(np.mean(difference**2))
    right = 10 * np.log10(1 / mse)
    if _matches(got, right + 20 * np.log10(255)):
        return (
            "The images are in [0, 1], so the peak value is 1: 255 is the peak of 8-bit "
            "images (0..255), and here it adds 20 log10(255) = 48.1 dB."
        )
    if _matches(got, right - 20 * np.log10(255)):
        return "The peak and the MSE must be on one scale: both in [0, 1] here (peak 1)."
    if _matches(got, 2 * right) or _matches(got, right / 2):
        return (
            "Mind the square root: PSNR = 10 log10(peak^2 / MSE) = 20 log10(peak / RMSE). "
            "With the MSE the factor is 10; with the root of the MSE it is 20."
        )
    if _matches(got, 10 * np.log(1 / mse)):
        return "Decibels use the base-10 logarithm: np.log10, not np.log."
    if _matches(got, 10 * np.log10(1 / np.sum(difference**2))) or _matches(
        got, 10 * np.log10(1 / (3 * mse))
    ):
        return "The MSE is the mean over every pixel and channel: H * W * 3 values."
    return "PSNR = 10 log10(1 / MSE) in dB, MSE the mean of the squared differences."


# --- Exercise 3: the colour distance, Wasserstein distances of quantiles --------------------------


def _palette(rng: np.random.Generator, height: int, width: int, skew: float) -> np.ndarray:
    """Random pixels [1, H, W, 3] in [0, 1] whose three channels have different distributions."""
    pixels = rng.beta([2.0, 0.7 + skew, 5.0], [5.0, 0.9, 1.0 + skew], (1, height, width, 3))
    return pixels.astype(np.float32)


def _color_cases() -> list[tuple]:
    rng = np.random.default_rng(82)
    return [
        (_palette(rng, 32, 40, 0.0), _palette(rng, 48, 36, 1.5), 7),  # sizes differ
        (_palette(rng, 32, 32, 0.5), _palette(rng, 32, 32, 0.0), 1024),
        (_palette(rng, 40, 32, 2.0), _palette(rng, 36, 44, 0.2), 64),
    ]


def _color_reference(image, reference, levels) -> float:
    return metrics.color_distance(image, reference, levels=levels)


def check_color_distance(fn: Callable) -> Verdict:
    """Exercise 3: ``fn(image, reference, levels)`` -> the mean over R, G, B of the Wasserstein-1
    distances of the two images' channel distributions (numpy, float32 [1, H, W, 3] in [0, 1];
    sizes may differ), against ``stlib.metrics.color_distance`` on three cases."""
    exercise = "the colour distance"
    verdict = check_function(
        exercise,
        fn,
        _color_reference,
        _color_cases(),
        rtol=1e-5,
        atol=1e-7,
        library=(metrics.color_distance, metrics.summary),
    )
    return _with_hint(verdict, lambda: _color_hint(fn))


def _quantiles(image: np.ndarray, levels: np.ndarray) -> np.ndarray:
    return np.quantile(np.asarray(image, np.float64).reshape(-1, 3), levels, axis=0)


def _color_hint(fn: Callable) -> str:
    image, reference, count = _color_cases()[0]
    got = _output(fn, image, reference, count)
    centres = (np.arange(count) + 0.5) / count
    a, b = _quantiles(image, centres), _quantiles(reference, centres)
    right = float(np.abs(a - b).mean())
    pooled = np.abs(
        np.quantile(np.asarray(image, np.float64).ravel(), centres)
        - np.quantile(np.asarray(reference, np.float64).ravel(), centres)
    ).mean()
    other_levels = (
        np.linspace(0.0, 1.0, count),
        np.arange(count) / count,
        np.arange(1, count + 1) / count,
    )
    if _matches(got, pooled):
        return (
            "Take each channel's quantiles separately (pixels reshaped to [-1, 3], quantiles "
            "along axis 0): pooling R, G and B into one distribution loses which colour is which."
        )
    if any(
        _matches(got, float(np.abs(_quantiles(image, q) - _quantiles(reference, q)).mean()))
        for q in other_levels
    ):
        return (
            "Sample the quantile function at the centres of K equal slices, q_k = (k + 1/2) / K: "
            "not at k / K, (k + 1) / K or np.linspace(0, 1, K), which lean to one end or give the "
            "extreme pixels (q = 0 and 1) too much weight."
        )
    if _matches(got, float(((a - b) ** 2).mean())) or _matches(
        got, float(np.sqrt(((a - b) ** 2).mean()))
    ):
        return (
            "W1 is the mean ABSOLUTE difference of the quantile functions; squares give the "
            "Wasserstein-2 distance instead."
        )
    if _matches(got, 3 * count * right) or _matches(got, count * right) or _matches(got, 3 * right):
        return "Average over the K levels and the three channels (a mean, not a sum)."
    means = [np.asarray(x, np.float64).reshape(-1, 3).mean(axis=0) for x in (image, reference)]
    if _matches(got, float(np.abs(means[0] - means[1]).mean())):
        return (
            "Compare the quantiles level by level and only then average |differences|: the "
            "difference of the means hides everything but the channels' mean values."
        )
    return (
        "Per channel: the quantiles of both images at q_k = (k + 1/2) / K (np.quantile), the "
        "mean absolute difference over the K levels, then the mean over R, G and B."
    )
