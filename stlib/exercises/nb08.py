"""Checks for notebook 08, evaluating a pastiche: the relative Gram distance of one layer, the
peak signal-to-noise ratio, the colour distance as 1-D Wasserstein distances of quantiles, and an
impostor: a picture that is no pastiche yet scores a pastiche's style distance.

    from stlib.exercises import nb08
    nb08.check_gram_distance(gram_distance)    # Exercise 1: fn(F_pastiche, F_painting) -> float
    nb08.check_psnr(psnr)                      # Exercise 2: fn(image, reference) -> dB
    nb08.check_color_distance(color_distance)  # Exercise 3: fn(image, reference, levels) -> float
    nb08.check_impostor(impostor)              # Exercise 4: fn(photo, painting) -> image

The expected values come from stlib: ``gram_distance`` is the per-layer term of
``stlib.metrics.style_distance`` (``stlib.losses.gram_matrix`` and the Frobenius norm, as the
tests show on a real network), and the other two are ``stlib.metrics.psnr`` and
``stlib.metrics.color_distance`` themselves. Exercise 4 has no single answer: the check measures
the student's image with stlib's style and content distances (``metrics.measuring_network``)
on three pairs at 128 px, against the arbitrary network's pastiche (TFLite) of each pair. The
students' functions take numpy arrays. Each check returns a ``Verdict`` and never raises or prints.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from stlib import losses, metrics, vgg
from stlib.exercises import Verdict, check_function, with_hint

__all__ = [
    "check_color_distance",
    "check_gram_distance",
    "check_impostor",
    "check_psnr",
]


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
    return with_hint(verdict, lambda: _gram_hint(fn))


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
    return with_hint(verdict, lambda: _psnr_hint(fn))


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
    return with_hint(verdict, lambda: _color_hint(fn))


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


# --- Exercise 4: an impostor the style distance cannot tell from a pastiche -----------------------

_IMPOSTOR_SIZE = 128  # longest side of the check's photos and paintings, whatever the mode
_IMPOSTOR_PAIRS = (
    ("tuebingen", "starry_night"),
    ("rainier", "great_wave"),
    ("labrador", "the_scream"),
)
_LAYOUT_GONE = 0.8  # content distance to the painting (and its mirror images) an impostor needs
_IMPOSTOR_TOLERANCE = (
    "style distance at most the pastiche's; content distance to the painting at least 0.8"
)
_impostor_cases: list[dict] = []  # the three pairs and what the check measures on them, made once


def _impostor_features(image) -> dict[str, np.ndarray]:
    """VGG19's maps of ``image`` [1, H, W, 3] at the style layers and the content layer, from
    ``metrics.measuring_network()``: the network ``metrics.style_distance`` and
    ``metrics.content_distance`` use."""
    maps = metrics.measuring_network()(tf.constant(np.asarray(image, np.float32)))
    return {layer: value.numpy() for layer, value in maps.items()}


def _style_layers(features, painting_grams) -> dict[str, float]:
    """``metrics.style_distance`` from feature maps: {layer: relative Gram distance, "mean"}."""
    result = {}
    for layer in metrics.STYLE_LAYERS:
        gram = losses.gram_matrix(tf.constant(features[layer]))[0].numpy()
        result[layer] = float(
            np.linalg.norm(gram - painting_grams[layer]) / np.linalg.norm(painting_grams[layer])
        )
    result["mean"] = float(np.mean([result[layer] for layer in metrics.STYLE_LAYERS]))
    return result


def _content(features, reference) -> float:
    """``metrics.content_distance`` from feature maps of one size."""
    a, b = features[metrics.CONTENT_LAYER], reference[metrics.CONTENT_LAYER]
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def _mirrors(image: np.ndarray) -> list[np.ndarray]:
    """The image [1, H, W, 3] as it is, flipped left-right, upside down, and both."""
    return [
        np.ascontiguousarray(m)
        for m in (image, image[:, :, ::-1], image[:, ::-1], image[:, ::-1, ::-1])
    ]


def _load_impostor_cases() -> list[dict]:
    """Per pair: the photo and the painting at 128 px (numpy), the painting resized to the photo's
    size and mirrored, and the arbitrary network's pastiche measured as the bar to beat."""
    if not _impostor_cases:
        from stlib import arbitrary, data, images  # the pastiches: only this exercise needs them

        for photo_name, painting_name in _IMPOSTOR_PAIRS:
            photo = data.load(photo_name, _IMPOSTOR_SIZE)
            painting = data.load(painting_name, _IMPOSTOR_SIZE)
            height, width = int(photo.shape[1]), int(photo.shape[2])
            in_place = images.resize_to(painting, height, width).numpy()
            painting_maps = _impostor_features(painting)
            grams = {
                layer: losses.gram_matrix(tf.constant(painting_maps[layer]))[0].numpy()
                for layer in metrics.STYLE_LAYERS
            }
            pastiche = arbitrary.stylize(photo, painting_name, backend="tflite", progress=False)
            pastiche = images.resize_to(pastiche.image, height, width)
            _impostor_cases.append(
                {
                    "pair": f"{photo_name} + {painting_name}",
                    "photo": photo.numpy(),
                    "painting": painting.numpy(),
                    "in_place": in_place,
                    "grams": grams,
                    "mirrors": [_impostor_features(m) for m in _mirrors(in_place)],
                    "photo_maps": _impostor_features(photo),
                    "pastiche": _style_layers(_impostor_features(pastiche), grams),
                }
            )
    return _impostor_cases


def _impostor_verdict(exercise: str, passed: bool, message: str) -> Verdict:
    return Verdict(exercise, passed, message, _IMPOSTOR_TOLERANCE)


def check_impostor(fn: Callable) -> Verdict:
    """Exercise 4: ``fn(photo, painting)`` -> an image the photo's size ([1, H, W, 3] in [0, 1],
    numpy or a tensor) that is no pastiche, yet whose style distance to the painting is at most
    the arbitrary network's pastiche's, on three photo/painting pairs at 128 px; and that is not
    the painting: its content distance to the painting resized to the photo's size (and to that
    painting's mirror images) is at least 0.8 (the painting itself: 0; a pastiche: about 1). The
    student's function may not call a stylizer, VGG19 or the metrics (no network, no
    optimisation): that "calls the library's version"."""
    from stlib import arbitrary, cin, gatys
    from stlib.vgg import VGGFeatures

    exercise = "an impostor the style distance cannot tell from a pastiche"
    outputs: list = []

    def recorded(photo, painting):  # the student's image, kept to measure after the call
        image = fn(photo, painting)
        outputs.append(image)
        return None if image is None else 0.0

    library = (
        arbitrary.stylize,
        arbitrary.transform,
        arbitrary.embed,
        arbitrary.Stylizer,
        arbitrary.TFLiteStylizer,
        arbitrary.HubStylizer,
        arbitrary.PixelStylizer,
        arbitrary.EmbeddingStylizer,
        cin.stylize,
        cin.MultiStyleTransformer,
        gatys.transfer,
        gatys.stylize,
        gatys.Objective,
        VGGFeatures,
        metrics.style_distance,
        metrics.content_distance,
        metrics.summary,
        losses.gram_matrix,
        keras.applications.VGG19,
    )
    cases = []
    if callable(fn):
        try:
            cases = _load_impostor_cases()
        except Exception as error:  # missing files offline: say so, never raise
            return _impostor_verdict(
                exercise,
                False,
                f"the check could not load its images, VGG19 or the arbitrary network: "
                f"{type(error).__name__}: {error}",
            )
    verdict = check_function(
        exercise,
        fn if not callable(fn) else recorded,
        lambda photo, painting: 0.0,
        [(case["photo"], case["painting"]) for case in cases],
        library=library,
    )
    if verdict.delegated:
        return _impostor_verdict(
            exercise,
            False,
            f"{verdict.message} Here that means no stylizer, no VGG19 and no metric inside "
            "impostor: an impostor is made from the painting's and the photo's pixels alone.",
        )
    if not verdict:
        return _impostor_verdict(exercise, False, verdict.message)
    measured = []
    for case, image in zip(cases, outputs):
        problem, style = _impostor_problem(case, image)
        if problem:
            return _impostor_verdict(exercise, False, f"{case['pair']}: {problem}")
        measured.append(f"{case['pair']} {style:.3f} (pastiche {case['pastiche']['mean']:.3f})")
    return _impostor_verdict(
        exercise,
        True,
        f"correct on all {len(cases)} pairs ({_IMPOSTOR_TOLERANCE}): style distance "
        + ", ".join(measured)
        + ".",
    )


def _impostor_problem(case: dict, image) -> tuple[str | None, float | None]:
    """What is wrong with the student's image for one pair, naming the slip (None when it is an
    impostor), and its style distance."""
    try:
        image = np.asarray(image, np.float32)
    except (TypeError, ValueError):
        return f"returned {type(image).__name__}, expected an image [1, H, W, 3].", None
    photo, painting = case["photo"], case["painting"]
    if image.shape != photo.shape:
        if image.shape == painting.shape:
            return (
                f"the image has the painting's size {image.shape}; make it the photo's, "
                f"{photo.shape} (stlib.images.resize_to, or cut and tile the painting)."
            ), None
        return f"shape {image.shape}, expected the photo's {photo.shape}.", None
    if not np.isfinite(image).all():
        return "the image has NaN or infinite values.", None
    if image.max() > 1.5:
        return (f"values up to {image.max():.0f}: images in stlib are in [0, 1], not 0..255."), None
    if image.min() < -1e-3 or image.max() > 1 + 1e-3:
        return (
            f"values from {image.min():.3f} to {image.max():.3f}: keep them in [0, 1] (np.clip)."
        ), None
    features = _impostor_features(image)
    style = _style_layers(features, case["grams"])
    layout = min(_content(features, mirror) for mirror in case["mirrors"])
    if layout < _LAYOUT_GONE:
        return _painting_hint(case, image, layout), style["mean"]
    bar = case["pastiche"]
    if style["mean"] > bar["mean"] + 1e-6:
        return (
            f"style distance {style['mean']:.3f}, the pastiche's {bar['mean']:.3f}: "
            + _style_hint(case, image, style)
        ), style["mean"]
    return None, style["mean"]


def _painting_hint(case: dict, image: np.ndarray, layout: float) -> str:
    if layout < 0.05:
        return (
            f"that is the painting (resized to the photo's size, or mirrored): content distance "
            f"{layout:.3f} to it. The exercise asks for an image that is NOT the painting: keep "
            "its pieces, not their places."
        )
    photo, painting = case["photo"].ravel(), case["in_place"].ravel()
    difference = photo - painting
    share = float(np.dot(image.ravel() - painting, difference) / np.dot(difference, difference))
    residual = image.ravel() - painting - share * difference
    if 0.02 < share < 0.98 and float(np.sqrt(np.mean(residual**2))) < 0.02:
        return (
            f"a blend of the pixels ({share:.2f} photo, {1 - share:.2f} painting) keeps the "
            f"painting's layout under the photo (content distance {layout:.2f} to the painting, "
            "below 0.8), and a mean of pixels is not a mean of Gram matrices. Put the painting's "
            "own pixels at other places instead."
        )
    cell, field = 8, vgg.receptive_fields()[metrics.CONTENT_LAYER][0]
    return (
        f"content distance {layout:.2f} to the painting (or its mirror image), below 0.8: most of "
        f"the painting is still where it was. A shift of a few pixels, a crop or a scaled copy is "
        f"still the painting to {metrics.CONTENT_LAYER} ({cell}-px cells, each seeing {field} px): "
        "move its pieces well away from their places."
    )


def _style_hint(case: dict, image: np.ndarray, style: dict[str, float]) -> str:
    bar = case["pastiche"]
    if np.allclose(image, case["photo"], atol=2e-3):
        return (
            "that is the photo, with nothing of the painting in it. The style distance compares "
            "statistics of the painting's features: an impostor needs the painting's features."
        )
    fields = vgg.receptive_fields()
    shallow, deep = metrics.STYLE_LAYERS[:2], metrics.STYLE_LAYERS[3:]

    def layers(names):
        return ", ".join(f"{n} {style[n]:.2f} against {bar[n]:.2f}" for n in names)

    colour = metrics.color_distance(image, case["painting"])
    if any(style[n] > bar[n] for n in shallow):
        if colour < 0.01:
            return (
                f"the palette is the painting's (colour distance {colour:.3f}), but the first "
                f"layers are not ({layers(shallow)}): they see {fields[shallow[0]][0]} and "
                f"{fields[shallow[1]][0]} px neighbourhoods, and pixels or tiny pieces moved one "
                "by one are noise in the painting's colours. Move pieces large enough to hold its "
                "strokes."
            )
        return (
            f"the first layers, colours and the finest grain, are further from the painting than "
            f"the pastiche's ({layers(shallow)}; colour distance {colour:.3f}): use the "
            "painting's own pixels, and its palette and small strokes come with them."
        )
    return (
        f"the first layers are as close as the pastiche's, the deep ones are not ({layers(deep)}): "
        f"their receptive fields ({', '.join(f'{fields[n][0]} px' for n in deep)}) straddle the "
        "seams between your pieces, edges the painting never had. A Gram matrix is a mean over "
        "positions: fewer, larger pieces leave fewer positions near a seam."
    )
