"""AdaIN and the channel statistics against numpy written from the paper's equations."""

from __future__ import annotations

import numpy as np
import pytest

from stlib.adain.layer import adain, apply_statistics, channel_statistics


def numpy_statistics(x, eps):
    mean = x.mean(axis=(1, 2), keepdims=True)
    return mean, np.sqrt(x.var(axis=(1, 2), keepdims=True) + eps)


def numpy_adain(x, y, eps):
    mu_x, sigma_x = numpy_statistics(x, eps)
    mu_y, sigma_y = numpy_statistics(y, eps)
    return sigma_y * (x - mu_x) / sigma_x + mu_y


@pytest.fixture
def maps():
    rng = np.random.default_rng(3)
    content = rng.gamma(2.0, 1.5, (2, 7, 9, 5)).astype(np.float32)
    style = (3.0 * rng.standard_normal((2, 5, 6, 5)) + 4.0).astype(np.float32)
    return content, style


def test_channel_statistics_match_numpy(maps):
    content, _ = maps
    mean, std = channel_statistics(content, epsilon=1e-5)
    expected_mean, expected_std = numpy_statistics(content.astype(np.float64), 1e-5)
    assert mean.shape == std.shape == (2, 1, 1, 5)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-5)
    np.testing.assert_allclose(std, expected_std, rtol=1e-5)


def test_the_epsilon_is_inside_the_square_root(maps):
    content, _ = maps
    _, std = channel_statistics(content, epsilon=0.5)
    variance = content.astype(np.float64).var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(std, np.sqrt(variance + 0.5), rtol=1e-5)
    assert not np.allclose(std, np.sqrt(variance) + 0.5, rtol=1e-3)


def test_weighted_statistics_are_those_of_the_region(maps):
    content, _ = maps
    weights = np.zeros((2, 7, 9), np.float32)
    weights[:, :, :4] = 1.0
    mean, std = channel_statistics(content, 1e-5, weights=weights)
    expected_mean, expected_std = numpy_statistics(content[:, :, :4].astype(np.float64), 1e-5)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-5)
    np.testing.assert_allclose(std, expected_std, rtol=1e-5)
    # soft weights: the weighted mean
    soft = np.random.default_rng(0).random((2, 7, 9, 1)).astype(np.float32)
    mean, _ = channel_statistics(content, 1e-5, weights=soft)
    expected = (soft * content).sum(axis=(1, 2), keepdims=True) / soft.sum(
        axis=(1, 2), keepdims=True
    )
    np.testing.assert_allclose(mean, expected, rtol=1e-5)


@pytest.mark.parametrize("eps", [1e-5, 0.3])
def test_adain_matches_numpy(maps, eps):
    content, style = maps
    result = adain(content, style, epsilon=eps)
    assert result.shape == content.shape
    np.testing.assert_allclose(result, numpy_adain(content, style, eps), rtol=1e-4, atol=1e-4)


def test_the_output_has_the_style_statistics(maps):
    content, style = maps
    out = adain(content, style).numpy().astype(np.float64)
    np.testing.assert_allclose(out.mean(axis=(1, 2)), style.mean(axis=(1, 2)), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(1, 2)), style.std(axis=(1, 2)), rtol=1e-4)
    # and the content's layout: AdaIN is an increasing affine map per channel
    assert np.all(
        np.argsort(out[0, :, :, 0], axis=None) == np.argsort(content[0, :, :, 0], axis=None)
    )


def test_one_style_for_a_batch_is_broadcast(maps):
    content, style = maps
    together = adain(content, style[:1]).numpy()
    np.testing.assert_allclose(together[1], adain(content[1:], style[:1]).numpy()[0], rtol=1e-6)


def test_apply_statistics_is_adain_with_given_statistics(maps):
    content, style = maps
    mean, std = channel_statistics(style)
    np.testing.assert_allclose(apply_statistics(content, mean, std), adain(content, style))


def test_wrong_shapes_are_refused_by_name(maps):
    content, style = maps
    with pytest.raises(ValueError, match=r"content_features of shape \(7, 9, 5\).*\[B, H, W, C\]"):
        adain(content[0], style)
    with pytest.raises(ValueError, match="5 channels and style features 4"):
        adain(content, style[..., :4])
