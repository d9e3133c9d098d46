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


# --- Exercise 4: the impostor ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def impostor_files(vgg_weights, samples_available, tflite_models):
    """Exercise 4's check measures with the real VGG19 on sample images against the arbitrary
    network's pastiches: it needs all three offline."""


def _in_place(photo, painting):
    return images.resize_to(painting, *photo.shape[1:3]).numpy()


def _tiles(photo, painting, pieces):
    """The painting at the photo's size cut into pieces x pieces tiles, shuffled (seed 0)."""
    resized = _in_place(photo, painting)
    height, width = resized.shape[1] // pieces, resized.shape[2] // pieces
    cells = [(i, j) for i in range(pieces) for j in range(pieces)]
    order = np.random.default_rng(0).permutation(len(cells))
    out = np.array(resized)
    for (i, j), k in zip(cells, order):
        a, b = cells[k]
        out[:, i * height : (i + 1) * height, j * width : (j + 1) * width] = resized[
            :, a * height : (a + 1) * height, b * width : (b + 1) * width
        ]
    return out


def test_impostor_check(impostor_files):
    verdict = nb08.check_impostor(solutions.impostor)
    assert verdict and verdict.message.startswith("correct on all 3 pairs"), str(verdict)
    # Big shuffled tiles are impostors too: the check asks for properties, not one image.
    assert nb08.check_impostor(lambda a, b: _tiles(a, b, 2))

    def pixels_shuffled(photo, painting):
        flat = _in_place(photo, painting).reshape(-1, 3)
        return np.random.default_rng(0).permutation(flat).reshape(photo.shape)

    cases = {
        "that is the painting": _in_place,
        "or mirrored": lambda a, b: _in_place(a, b)[:, :, ::-1],
        "the painting's size": lambda a, b: b,
        "that is the photo": lambda a, b: a,
        "most of the painting is still where it was": lambda a, b: np.roll(
            _in_place(a, b), 5, axis=2
        ),
        "a blend of the pixels (0.30 photo, 0.70 painting)": lambda a, b: (
            0.3 * a + 0.7 * _in_place(a, b)
        ),
        "not 0..255": lambda a, b: 255 * solutions.impostor(a, b),
        "keep them in [0, 1]": lambda a, b: 1.2 * solutions.impostor(a, b) - 0.1,
        "NaN or infinite": lambda a, b: np.full(a.shape, np.nan, np.float32),
        "pixels or tiny pieces moved one by one": pixels_shuffled,
        "straddle the seams between your pieces": lambda a, b: _tiles(a, b, 4),
        "use the painting's own pixels": lambda a, b: np.full(a.shape, 0.5, np.float32),
        "expected the photo's": lambda a, b: solutions.impostor(a, b)[:, 1:],
    }
    for hint, fn in cases.items():
        wrong = nb08.check_impostor(fn)
        assert not wrong and hint in wrong.message, (hint, wrong.message)
        assert wrong.tolerance == nb08.check_impostor(None).tolerance
    for placeholder in (None, lambda a, b: None):
        assert not nb08.check_impostor(placeholder).attempted


def test_an_impostor_made_by_a_stylizer_or_the_metric_calls_the_library(impostor_files):
    from stlib import arbitrary

    def best_shift(photo, painting):  # optimising against the metric itself
        shifts = (np.roll(_in_place(photo, painting), k, axis=2) for k in (20, 40))
        return min(shifts, key=lambda x: metrics.style_distance(x, painting)["mean"])

    for fn, called in (
        (lambda a, b: arbitrary.stylize(a, b, backend="tflite").image, "stlib.arbitrary"),
        (best_shift, "stlib.metrics.style_distance"),
        (lambda a, b: VGGFeatures(["block1_conv1"])(a) and _in_place(a, b), "stlib.vgg"),
    ):
        verdict = nb08.check_impostor(fn)
        assert not verdict and verdict.delegated and called in verdict.message, str(verdict)
        assert "no stylizer, no VGG19 and no metric" in verdict.message


def test_the_impostor_check_measures_with_stlib_metrics(impostor_files):
    """The check's distances, computed from cached features, are stlib.metrics' own."""
    (case, *_) = nb08._load_impostor_cases()
    image = solutions.impostor(case["photo"], case["painting"])
    features = nb08._impostor_features(image)
    style = nb08._style_layers(features, case["grams"])
    measured = metrics.style_distance(image, case["painting"])
    for layer in (*metrics.STYLE_LAYERS, "mean"):
        assert style[layer] == pytest.approx(measured[layer], rel=1e-4)
    assert nb08._content(features, case["mirrors"][0]) == pytest.approx(
        metrics.content_distance(image, case["in_place"]), rel=1e-4
    )
    assert nb08._content(features, case["photo_maps"]) == pytest.approx(
        metrics.content_distance(image, case["photo"]), rel=1e-4
    )


def test_the_impostor_check_runs_quietly_and_never_raises(impostor_files, capsys):
    def broken(photo, painting):
        raise RuntimeError("oops")

    verdict = nb08.check_impostor(broken)
    assert not verdict and "raised RuntimeError: oops" in verdict.message
    assert "expected a function" in nb08.check_impostor("x").message
    text = nb08.check_impostor(lambda a, b: "an image")
    assert not text and "returned str, expected an image" in text.message
    assert capsys.readouterr().out == ""
