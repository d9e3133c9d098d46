"""stlib.metrics against independent computations: numpy Grams and norms, scipy's Wasserstein
distance, SSIM written from its definition, and the values the definitions give on constructed
images."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from stlib import images, metrics
from stlib.vgg import VGGFeatures


@pytest.fixture(scope="module")
def random_vgg():
    """VGG19 with random weights: the metric's arithmetic does not depend on the weights."""
    return VGGFeatures([*metrics.STYLE_LAYERS[:3], "block2_conv2"], weights=None)


def _smooth(height, width, seed):
    """A smooth random image [H, W, 3] in [0, 1] (low-frequency, like a photo)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    channels = [
        0.5 + 0.4 * np.sin(rng.uniform(2, 9) * x + rng.uniform(2, 9) * y + rng.uniform(0, 6))
        for _ in range(3)
    ]
    return np.stack(channels, -1).astype("float32")


def _numpy_gram(features):
    flat = np.asarray(features, np.float64)[0].reshape(-1, features.shape[-1])
    return flat.T @ flat / flat.shape[0]


def test_style_distance_is_the_relative_gram_distance_per_layer(random_vgg):
    pastiche, painting = _smooth(48, 40, 0), _smooth(64, 64, 1)  # different sizes compare
    layers = metrics.STYLE_LAYERS[:3]
    got = metrics.style_distance(pastiche, painting, layers=layers, network=random_vgg)
    a, b = random_vgg(images.load(pastiche)), random_vgg(images.load(painting))
    for layer in layers:
        ga, gb = _numpy_gram(a[layer]), _numpy_gram(b[layer])
        expected = np.linalg.norm(ga - gb) / np.linalg.norm(gb)
        assert got[layer] == pytest.approx(expected, rel=1e-4)
    assert got["mean"] == pytest.approx(np.mean([got[layer] for layer in layers]))
    same = metrics.style_distance(painting, painting, layers=layers, network=random_vgg)
    assert same["mean"] < 1e-6


def test_mixed_styles_mix_their_grams(random_vgg):
    pastiche, one, two = _smooth(40, 40, 2), _smooth(40, 40, 3), _smooth(40, 40, 4)
    layer = metrics.STYLE_LAYERS[1]
    got = metrics.style_distance(
        pastiche, [one, two], mix=(3, 1), layers=(layer,), network=random_vgg
    )[layer]
    grams = [_numpy_gram(random_vgg(images.load(x))[layer]) for x in (pastiche, one, two)]
    target = 0.75 * grams[1] + 0.25 * grams[2]
    assert got == pytest.approx(np.linalg.norm(grams[0] - target) / np.linalg.norm(target), 1e-4)
    with pytest.raises(ValueError, match=r"mix \(1,\): give 2 weights"):
        metrics.style_distance(pastiche, [one, two], mix=(1,), network=random_vgg)


def test_content_distance_is_the_relative_feature_distance_after_resizing(random_vgg):
    photo, pastiche = _smooth(48, 64, 5), _smooth(96, 128, 6)  # the pastiche is resized first
    got = metrics.content_distance(pastiche, photo, layer="block2_conv2", network=random_vgg)
    resized = images.resize_to(images.load(pastiche), 48, 64)
    a = np.asarray(random_vgg(resized)["block2_conv2"], np.float64)
    b = np.asarray(random_vgg(images.load(photo))["block2_conv2"], np.float64)
    assert got == pytest.approx(np.linalg.norm(a - b) / np.linalg.norm(b), rel=1e-4)
    assert metrics.content_distance(photo, photo, layer="block2_conv2", network=random_vgg) == 0


def _numpy_ssim(x, y):
    """SSIM of Wang et al. 2004 written plainly: 11x11 Gaussian window (sigma 1.5), valid
    positions only, K1 0.01, K2 0.03, range 1; the mean over positions and channels."""
    from scipy.signal import convolve2d

    g = np.exp(-((np.arange(11) - 5.0) ** 2) / (2 * 1.5**2))
    window = np.outer(g, g) / np.outer(g, g).sum()
    c1, c2 = 0.01**2, 0.03**2
    values = []
    for channel in range(3):
        a, b = (np.asarray(v, np.float64)[..., channel] for v in (x, y))

        def blur(z):
            return convolve2d(z, window, mode="valid")

        mu_a, mu_b = blur(a), blur(b)
        var_a, var_b = blur(a * a) - mu_a**2, blur(b * b) - mu_b**2
        cov = blur(a * b) - mu_a * mu_b
        ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
            (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
        )
        values.append(ssim_map.mean())
    return float(np.mean(values))


def test_ssim_agrees_with_the_definition():
    reference = _smooth(64, 80, 7)
    noisy = np.clip(reference + np.random.default_rng(8).normal(0, 0.08, reference.shape), 0, 1)
    noisy = noisy.astype("float32")
    assert metrics.ssim(noisy, reference) == pytest.approx(_numpy_ssim(noisy, reference), abs=2e-3)
    assert metrics.ssim(reference, reference) == pytest.approx(1.0, abs=1e-6)
    assert metrics.ssim(noisy, reference) < 0.9


def test_psnr_is_ten_log10_of_one_over_the_mean_squared_error():
    reference = _smooth(40, 40, 9)
    shifted = np.clip(reference + 0.05, 0, 1)
    mse = np.mean((shifted.astype(np.float64) - reference) ** 2)
    assert metrics.psnr(shifted, reference) == pytest.approx(10 * np.log10(1 / mse), rel=1e-5)
    assert metrics.psnr(reference, reference) == float("inf")


def test_color_distance_is_scipy_wasserstein_per_channel():
    a, b = _smooth(40, 50, 10), _smooth(60, 36, 11)  # sizes may differ
    expected = np.mean(
        [wasserstein_distance(a[..., c].ravel(), b[..., c].ravel()) for c in range(3)]
    )
    assert metrics.color_distance(a, b) == pytest.approx(expected, abs=2e-3)
    darker = np.clip(a - 0.1, 0, 1)
    assert metrics.color_distance(darker, a) == pytest.approx(
        np.mean(np.abs(np.clip(a - 0.1, 0, 1) - a)), abs=2e-3
    )
    assert metrics.color_distance(a, a) == 0


def test_bad_images_are_named_by_their_role(tmp_path):
    with pytest.raises(images.ImageError, match="reference"):
        metrics.psnr(_smooth(40, 40, 0), tmp_path / "missing.png")


def test_baselines_are_flat_grey_and_seeded_uniform_noise_of_the_references_size():
    reference = _smooth(40, 56, 3)
    made = metrics.baselines(reference, seed=7)
    assert sorted(made) == ["grey", "noise"]
    assert tuple(made["grey"].shape) == tuple(made["noise"].shape) == (1, 40, 56, 3)
    np.testing.assert_array_equal(made["grey"].numpy(), np.full((1, 40, 56, 3), 0.5, np.float32))
    noise = made["noise"].numpy()
    np.testing.assert_array_equal(noise, metrics.baselines(reference, seed=7)["noise"].numpy())
    assert not np.array_equal(noise, metrics.baselines(reference, seed=8)["noise"].numpy())
    assert 0 <= noise.min() and noise.max() < 1 and abs(noise.mean() - 0.5) < 0.02
