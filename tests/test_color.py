"""Tests for stlib.color (Gatys et al. 2017, colour preservation).

Expected values come from an independent numpy copy of the NTSC matrix, from scipy's matrix
square root and from numpy's Cholesky, not from stlib.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf

from stlib import color
from stlib.images import ImageError

# NTSC YIQ, written out again so the tests do not trust the module's constant.
NTSC = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])


def _random_image(height: int, width: int, seed: int, low: float = 0.0, high: float = 1.0):
    values = np.random.default_rng(seed).uniform(low, high, (1, height, width, 3))
    return tf.constant(values, tf.float32)


def _correlated_image(
    height: int, width: int, seed: int, mix: np.ndarray, low: float, span: float
) -> tf.Tensor:
    """Pixels low + span * (mix @ uniform): convex rows keep values in [low, low + span]."""
    uniform = np.random.default_rng(seed).random((height * width, 3))
    pixels = low + span * uniform @ mix.T
    return tf.constant(pixels.reshape(1, height, width, 3), tf.float32)


def _stats(image: tf.Tensor) -> tuple[np.ndarray, np.ndarray]:
    pixels = image.numpy().reshape(-1, 3).astype(np.float64)
    return pixels.mean(axis=0), np.cov(pixels, rowvar=False, bias=True)


# ---------------------------------------------------------------------------------------------
# YIQ
# ---------------------------------------------------------------------------------------------


def test_yiq_round_trip_is_exact():
    image = _random_image(17, 23, seed=0)
    back = color.yiq_to_rgb(color.rgb_to_yiq(image))
    np.testing.assert_allclose(back.numpy(), image.numpy(), atol=2e-7)


def test_rgb_to_yiq_matches_the_ntsc_matrix():
    image = _random_image(5, 7, seed=1)
    expected = image.numpy().astype(np.float64) @ NTSC.T
    np.testing.assert_allclose(color.rgb_to_yiq(image).numpy(), expected, atol=1e-6)
    # TensorFlow writes the same matrix with more decimals (its Q row does not sum to 0).
    np.testing.assert_allclose(
        color.rgb_to_yiq(image).numpy(), tf.image.rgb_to_yiq(image).numpy(), atol=1e-3
    )


def test_yiq_inverse_is_the_exact_matrix_inverse():
    np.testing.assert_allclose(color.YIQ_TO_RGB @ NTSC, np.eye(3), atol=1e-12)


def test_luminance_of_white_red_and_grey():
    pixels = np.array([[[[1, 1, 1], [1, 0, 0], [0, 1, 0], [0.5, 0.5, 0.5]]]], np.float32)
    y = color.luminance(tf.constant(pixels))
    assert y.shape == (1, 1, 4, 1)
    np.testing.assert_allclose(y.numpy()[0, 0, :, 0], [1.0, 0.299, 0.587, 0.5], atol=1e-6)
    # grey has no chroma
    iq = color.rgb_to_yiq(tf.constant(pixels)).numpy()[0, 0, 3, 1:]
    np.testing.assert_allclose(iq, [0.0, 0.0], atol=1e-7)


def test_rgb_to_yiq_rejects_wrong_shape():
    with pytest.raises(ImageError, match=r"shape \[4, 4, 3\]; expected \[1, H, W, 3\]"):
        color.rgb_to_yiq(tf.zeros([4, 4, 3]))


# ---------------------------------------------------------------------------------------------
# Luminance-only transfer
# ---------------------------------------------------------------------------------------------


def test_match_luminance_gives_content_mean_and_std():
    rng = np.random.default_rng(2)
    style_y = tf.constant(rng.uniform(0.0, 0.4, (1, 20, 30, 1)), tf.float32)
    content_y = tf.constant(rng.normal(0.6, 0.1, (1, 40, 25, 1)), tf.float32)
    matched = color.match_luminance(style_y, content_y)
    assert matched.shape == (1, 20, 30, 1) and matched.dtype == tf.float32
    result = matched.numpy().astype(np.float64)
    content = content_y.numpy().astype(np.float64)
    np.testing.assert_allclose(result.mean(), content.mean(), rtol=1e-6)
    np.testing.assert_allclose(result.std(), content.std(), rtol=1e-5)
    # an increasing affine map of the style: same ordering, correlation 1
    correlation = np.corrcoef(result.ravel(), style_y.numpy().ravel())[0, 1]
    np.testing.assert_allclose(correlation, 1.0, atol=1e-6)


def test_match_luminance_of_flat_style_is_shifted_to_content_mean():
    style_y = tf.fill([1, 8, 8, 1], 0.9)
    content_y = tf.constant(np.linspace(0.1, 0.5, 64).reshape(1, 8, 8, 1), tf.float32)
    matched = color.match_luminance(style_y, content_y).numpy()
    assert np.all(np.isfinite(matched))
    np.testing.assert_allclose(matched, 0.3, atol=1e-6)


def test_luminance_transfer_inputs():
    content = _random_image(30, 40, seed=3, low=0.3, high=0.7)
    style = _random_image(20, 25, seed=4, low=0.0, high=0.5)
    content_gray, style_gray = color.luminance_transfer_inputs(content, style)
    assert content_gray.shape == (1, 30, 40, 3) and style_gray.shape == (1, 20, 25, 3)

    content_y = content.numpy().astype(np.float64) @ NTSC[0]
    style_y = style.numpy().astype(np.float64) @ NTSC[0]
    scale = content_y.std() / style_y.std()
    expected_style = (style_y - style_y.mean()) * scale + content_y.mean()
    expected_style = np.clip(expected_style, 0.0, 1.0)
    for channel in range(3):
        np.testing.assert_allclose(content_gray.numpy()[..., channel], content_y, atol=1e-6)
        np.testing.assert_allclose(style_gray.numpy()[..., channel], expected_style, atol=1e-5)


def test_luminance_transfer_inputs_are_clipped():
    # Content Y: 3/4 white, 1/4 black (mean 0.75, std 0.433); style Y alternates 0 and 1, so
    # the matched style Y is 0.75 +- 0.433 and overshoots 1 unless clipped.
    content = np.ones((1, 16, 16, 3), np.float32)
    content[:, :4] = 0.0
    style = np.zeros((1, 16, 16, 3), np.float32)
    style[:, ::2] = 1.0
    _, style_gray = color.luminance_transfer_inputs(tf.constant(content), tf.constant(style))
    assert float(tf.reduce_min(style_gray)) == pytest.approx(0.75 - np.sqrt(3) / 4, abs=1e-5)
    assert float(tf.reduce_max(style_gray)) == 1.0


def test_combine_luminance_keeps_stylised_y_and_content_iq():
    stylised = _random_image(24, 32, seed=6, low=0.2, high=0.8)
    content = _random_image(24, 32, seed=7, low=0.3, high=0.7)
    combined = color.combine_luminance(stylised, content)
    assert combined.shape == (1, 24, 32, 3)

    y = stylised.numpy().astype(np.float64) @ NTSC[0]
    iq = content.numpy().astype(np.float64) @ NTSC[1:].T
    yiq = np.concatenate([y[..., None], iq], axis=-1)
    expected = np.clip(yiq @ np.linalg.inv(NTSC).T, 0.0, 1.0)
    np.testing.assert_allclose(combined.numpy(), expected, atol=1e-5)


def test_combine_luminance_resizes_content_to_result():
    stylised = tf.fill([1, 32, 48, 3], 0.5)
    content = tf.constant(np.tile([0.6, 0.4, 0.3], (1, 64, 96, 1)), tf.float32)
    combined = color.combine_luminance(stylised, content)
    assert combined.shape == (1, 32, 48, 3)
    yiq = combined.numpy().reshape(-1, 3).astype(np.float64) @ NTSC.T
    np.testing.assert_allclose(yiq[:, 0], 0.5, atol=1e-5)  # stylised Y
    np.testing.assert_allclose(
        yiq[:, 1:], np.tile(NTSC[1:] @ [0.6, 0.4, 0.3], (48 * 32, 1)), atol=1e-5
    )  # content I, Q


# ---------------------------------------------------------------------------------------------
# Colour histogram matching
# ---------------------------------------------------------------------------------------------

STYLE_MIX = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]])
CONTENT_MIX = np.array([[0.5, 0.1, 0.4], [0.1, 0.8, 0.1], [0.45, 0.05, 0.5]])


@pytest.fixture
def histogram_pair():
    style = _correlated_image(40, 50, seed=8, mix=STYLE_MIX, low=0.3, span=0.4)
    content = _correlated_image(36, 30, seed=9, mix=CONTENT_MIX, low=0.35, span=0.3)
    return style, content


@pytest.mark.parametrize("method", ["symmetric", "cholesky"])
def test_match_histogram_gives_content_mean_and_covariance(histogram_pair, method):
    style, content = histogram_pair
    matched = color.match_histogram(style, content, method=method)
    assert matched.shape == style.shape and matched.dtype == tf.float32
    # nothing was clipped, so the statistics must match exactly
    assert 0.0 < float(tf.reduce_min(matched)) and float(tf.reduce_max(matched)) < 1.0

    mean, covariance = _stats(matched)
    content_mean, content_covariance = _stats(content)
    style_mean, style_covariance = _stats(style)
    assert not np.allclose(style_covariance, content_covariance, atol=1e-4)  # a real change
    np.testing.assert_allclose(mean, content_mean, atol=1e-6)
    np.testing.assert_allclose(covariance, content_covariance, rtol=1e-4, atol=1e-8)


def _affine_expected(style: tf.Tensor, content: tf.Tensor, transform: np.ndarray) -> np.ndarray:
    style_mean, _ = _stats(style)
    content_mean, _ = _stats(content)
    pixels = style.numpy().reshape(-1, 3).astype(np.float64)
    out = (pixels - style_mean) @ transform.T + content_mean
    return np.clip(out, 0, 1).reshape(style.shape)


def test_match_histogram_symmetric_uses_matrix_square_roots(histogram_pair):
    style, content = histogram_pair
    _, style_covariance = _stats(style)
    _, content_covariance = _stats(content)
    root_c = np.real(scipy.linalg.sqrtm(content_covariance))
    root_s = np.real(scipy.linalg.sqrtm(style_covariance))
    expected = _affine_expected(style, content, root_c @ np.linalg.inv(root_s))
    result = color.match_histogram(style, content, method="symmetric")
    np.testing.assert_allclose(result.numpy(), expected, atol=1e-5)


def test_match_histogram_cholesky_uses_cholesky_factors(histogram_pair):
    style, content = histogram_pair
    _, style_covariance = _stats(style)
    _, content_covariance = _stats(content)
    transform = np.linalg.cholesky(content_covariance) @ np.linalg.inv(
        np.linalg.cholesky(style_covariance)
    )
    expected = _affine_expected(style, content, transform)
    result = color.match_histogram(style, content, method="cholesky")
    np.testing.assert_allclose(result.numpy(), expected, atol=1e-5)
    # the two methods are genuinely different maps
    symmetric = color.match_histogram(style, content).numpy()
    assert np.abs(symmetric - result.numpy()).max() > 1e-3


@pytest.mark.parametrize("method", ["symmetric", "cholesky"])
def test_match_histogram_of_an_image_to_itself_is_identity(method):
    image = _random_image(20, 20, seed=10, low=0.2, high=0.8)
    np.testing.assert_allclose(
        color.match_histogram(image, image, method=method).numpy(), image.numpy(), atol=1e-5
    )


def test_match_histogram_survives_a_flat_style():
    style = tf.fill([1, 10, 10, 3], 0.4)  # zero covariance
    content = _random_image(12, 12, seed=11)
    matched = color.match_histogram(style, content).numpy()
    assert np.all(np.isfinite(matched))
    mean, _ = _stats(tf.constant(matched))
    np.testing.assert_allclose(mean, _stats(content)[0], atol=1e-5)


def test_match_histogram_unknown_method():
    image = tf.fill([1, 8, 8, 3], 0.5)
    with pytest.raises(ValueError, match=r"'lab'.*symmetric, cholesky"):
        color.match_histogram(image, image, method="lab")
