"""Notebook 08's checks pass right answers, fail the usual wrong ones with a hint that names the
slip, and report stubs as not attempted; the reference of Exercise 1 is the per-layer term of
``stlib.metrics.style_distance`` on a real (randomly initialised) VGG19, and Exercise 3's is the
Wasserstein-1 distance scipy computes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from stlib import images, metrics
from stlib.exercises import nb08
from stlib.exercises.solutions import nb08 as solutions
from stlib.vgg import VGGFeatures


def _gram(maps, normalized=True):
    flat = np.asarray(maps, np.float64).reshape(-1, maps.shape[-1])
    return flat.T @ flat / (flat.shape[0] if normalized else 1.0)


def test_gram_distance_check():
    assert nb08.check_gram_distance(solutions.gram_distance)

    def squared(x, s):
        return (np.linalg.norm(_gram(x) - _gram(s)) / np.linalg.norm(_gram(s))) ** 2

    def pastiche_below(x, s):
        return np.linalg.norm(_gram(x) - _gram(s)) / np.linalg.norm(_gram(x))

    def sums_over_positions(x, s):
        g, a = _gram(x, normalized=False), _gram(s, normalized=False)
        return np.linalg.norm(g - a) / np.linalg.norm(a)

    def absolute(x, s):
        return np.linalg.norm(_gram(x) - _gram(s))

    def mean_of_features(x, s):
        return np.abs(x.mean() - s.mean()) / s.mean()

    wrong = nb08.check_gram_distance(squared)
    assert not wrong and "square root of the sum of squares" in wrong.message
    wrong = nb08.check_gram_distance(pastiche_below)
    assert not wrong and "the painting's Gram, ||G(s)||_F, not the pastiche's" in wrong.message
    wrong = nb08.check_gram_distance(sums_over_positions)
    assert not wrong and "its own number of positions h*w" in wrong.message
    wrong = nb08.check_gram_distance(absolute)
    assert not wrong and "Make it relative" in wrong.message
    wrong = nb08.check_gram_distance(mean_of_features)
    assert (
        not wrong
        and wrong.message.startswith("case 1: ")
        and "G = F^T F / (h w)" in (wrong.message)
    )
    # A Gram over positions (F F^T) cannot compare two sizes: the error is reported, not raised.
    outer = nb08.check_gram_distance(lambda x, s: np.linalg.norm(x[0] @ x[0].T - s[0] @ s[0].T))
    assert not outer and "raised ValueError" in outer.message
    assert "not attempted" in nb08.check_gram_distance(lambda x, s: None).message
    assert nb08.check_gram_distance(None).tolerance == "rtol=1e-4, atol=1e-6"


def _smooth(height, width, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    channels = [
        0.5 + 0.4 * np.sin(rng.uniform(2, 9) * x + rng.uniform(2, 9) * y + rng.uniform(0, 6))
        for _ in range(3)
    ]
    return np.stack(channels, -1).astype("float32")


@pytest.mark.parametrize("layer", metrics.STYLE_LAYERS[:3])
def test_the_gram_reference_is_the_layer_term_of_style_distance(layer):
    """What the exercise asks is what stlib.metrics.style_distance computes per layer, on feature
    maps of a pastiche and a painting of different sizes."""
    network = VGGFeatures(metrics.STYLE_LAYERS[:3], weights=None)
    pastiche, painting = _smooth(48, 40, 0), _smooth(64, 72, 1)
    measured = metrics.style_distance(pastiche, painting, layers=(layer,), network=network)[layer]
    maps = [network(images.load(x))[layer].numpy() for x in (pastiche, painting)]
    assert nb08._gram_distance(*maps) == pytest.approx(measured, rel=1e-5)
    assert solutions.gram_distance(*maps) == pytest.approx(measured, rel=1e-4)


def test_psnr_check():
    assert nb08.check_psnr(solutions.psnr)

    def mse(a, b):
        return np.mean((np.asarray(a, np.float64) - b) ** 2)

    cases = {
        "peak value is 1": lambda a, b: 10 * np.log10(255**2 / mse(a, b)),
        "Mind the square root": lambda a, b: 20 * np.log10(1 / mse(a, b)),
        "base-10 logarithm": lambda a, b: 10 * np.log(1 / mse(a, b)),
        "on one scale": lambda a, b: 10 * np.log10(1 / mse(255 * a, 255 * b)),
        "H * W * 3 values": lambda a, b: 10 * np.log10(1 / np.sum((a - b) ** 2)),
    }
    for hint, fn in cases.items():
        wrong = nb08.check_psnr(fn)
        assert not wrong and hint in wrong.message, (hint, wrong.message)
    rmse = nb08.check_psnr(lambda a, b: 10 * np.log10(1 / np.sqrt(mse(a, b))))
    assert not rmse and "Mind the square root" in rmse.message
    # float32 arithmetic is close enough; the identical case (inf) is left out of the cases.
    assert nb08.check_psnr(lambda a, b: 10 * np.log10(1 / np.mean((a - b) ** 2)))
    assert "not attempted" in nb08.check_psnr(None).message
    assert nb08.check_psnr(None).tolerance == "rtol=1e-5, atol=1e-6"


def _color(image, reference, count, levels=None, reduce=lambda d: np.abs(d).mean()):
    levels = (np.arange(count) + 0.5) / count if levels is None else levels
    a = np.quantile(image.reshape(-1, 3), levels, axis=0)
    return reduce(a - np.quantile(reference.reshape(-1, 3), levels, axis=0))


def test_color_distance_check():
    assert nb08.check_color_distance(solutions.color_distance)

    def pooled(a, b, count):
        levels = (np.arange(count) + 0.5) / count
        return np.abs(np.quantile(a.ravel(), levels) - np.quantile(b.ravel(), levels)).mean()

    cases = {
        "each channel's quantiles separately": pooled,
        "centres of K equal slices": lambda a, b, k: _color(a, b, k, np.linspace(0, 1, k)),
        "Wasserstein-2": lambda a, b, k: _color(a, b, k, reduce=lambda d: (d**2).mean()),
        "a mean, not a sum": lambda a, b, k: _color(a, b, k, reduce=lambda d: np.abs(d).sum()),
        "difference of the means": lambda a, b, k: np.abs(
            a.reshape(-1, 3).mean(0) - b.reshape(-1, 3).mean(0)
        ).mean(),
    }
    for hint, fn in cases.items():
        wrong = nb08.check_color_distance(fn)
        assert not wrong and hint in wrong.message, (hint, wrong.message)
    left = nb08.check_color_distance(lambda a, b, k: _color(a, b, k, np.arange(k) / k))
    assert not left and "centres of K equal slices" in left.message
    assert "not attempted" in nb08.check_color_distance(lambda a, b, k: None).message
    assert nb08.check_color_distance(None).tolerance == "rtol=1e-5, atol=1e-7"


def test_the_color_reference_is_the_wasserstein_distance_per_channel():
    """With many levels the quantile sum is the exact W1 of the two pixel distributions."""
    rng = np.random.default_rng(3)
    image = rng.beta(2, 5, (1, 40, 36, 3)).astype(np.float32)
    reference = rng.beta(5, 2, (1, 32, 48, 3)).astype(np.float32)
    exact = np.mean(
        [wasserstein_distance(image[..., c].ravel(), reference[..., c].ravel()) for c in range(3)]
    )
    assert solutions.color_distance(image, reference, 4096) == pytest.approx(exact, rel=2e-3)
    assert metrics.color_distance(image, reference) == pytest.approx(exact, rel=2e-3)


def test_the_checks_run_quietly_and_never_raise(capsys):
    def broken(*args):
        raise RuntimeError("oops")

    for check in (nb08.check_gram_distance, nb08.check_psnr, nb08.check_color_distance):
        verdict = check(broken)
        assert not verdict and "raised RuntimeError: oops" in verdict.message
        assert not check("not a function") and "expected a function" in check("x").message
    assert capsys.readouterr().out == ""
