"""Spatial control (issue 24): one painting per region, the pastiches blended by feathered masks.

The expected images are made here independently: each painting's one-painting pastiche from the
unmasked path, the masks from numpy (halves, a diagonal), feathered with scipy's Gaussian filter
and renormalised, then blended in numpy.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import tensorflow as tf
from arbitrary_test_images import smooth_photo
from scipy import ndimage

from stlib import arbitrary, masks
from stlib.arbitrary import hub, spatial
from stlib.validation import SettingError

HEIGHT, WIDTH = 96, 128


def dark_painting(side: int = 256, seed: int = 1) -> np.ndarray:
    """[side, side, 3] float32: dark blue-black strokes (a night painting)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side].astype(np.float32)
    waves = 0.5 + 0.5 * np.sin((x + 0.5 * y) / 6.0)
    image = np.stack([0.05 * waves, 0.08 * waves, 0.25 + 0.2 * waves], axis=-1)
    return np.clip(image + 0.03 * rng.standard_normal(image.shape), 0, 1).astype(np.float32)


def bright_painting(side: int = 256) -> np.ndarray:
    """[side, side, 3] float32: broad yellow, red and white vertical stripes (bright, colourful)."""
    x = np.arange(side)
    colours = np.array([[1.0, 0.85, 0.1], [0.95, 0.2, 0.1], [1.0, 1.0, 0.9]], np.float32)
    row = colours[(x // 12) % 3]
    return np.broadcast_to(row[None], (side, side, 3)).copy()


def feathered(hard: np.ndarray) -> np.ndarray:
    """[R, H, W] hard masks softened as the module promises: Gaussian sigma 2 % of the longest
    side, renormalised to sum to one (scipy, not stlib.masks.feather)."""
    sigma = 0.02 * max(hard.shape[1:])
    soft = np.stack([ndimage.gaussian_filter(m, sigma, mode="nearest") for m in hard])
    return soft / soft.sum(axis=0, keepdims=True)


def halves(height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """[2, H, W]: the left half, then the right half."""
    left = np.zeros((height, width), np.float32)
    left[:, : (width + 1) // 2] = 1.0
    return np.stack([left, 1.0 - left])


def numpy_blend(pastiches, weights: np.ndarray) -> np.ndarray:
    """sum_r weights[r] * pastiches[r]: [1, H, W, 3]."""
    stacked = np.concatenate([np.asarray(p) for p in pastiches], axis=0)
    return np.clip((weights[..., None] * stacked).sum(axis=0, keepdims=True), 0, 1)


@pytest.fixture(scope="module")
def photo():
    return smooth_photo(HEIGHT, WIDTH, seed=5)


@pytest.fixture(scope="module")
def paintings():
    return [dark_painting(), bright_painting()]


def test_a_mask_of_ones_with_one_painting_is_the_unmasked_pastiche(stylizer, photo, paintings):
    plain = arbitrary.stylize(photo, paintings[0], backend="tflite").image.numpy()
    for ones in (np.ones((HEIGHT, WIDTH)), "rest", [np.ones((HEIGHT, WIDTH), bool)]):
        masked = arbitrary.stylize(photo, [paintings[0]], masks=ones, backend="tflite").image
        np.testing.assert_allclose(masked.numpy(), plain, atol=1e-6)
    # With the other settings too: each region is painted as the painting alone would be.
    options = {"strength": 0.6, "compute_size": 64, "preserve_color": "luminance"}
    plain = arbitrary.stylize(photo, paintings[1], backend="tflite", **options).image.numpy()
    masked = arbitrary.stylize(photo, paintings[1], masks="rest", backend="tflite", **options)
    np.testing.assert_allclose(masked.image.numpy(), plain, atol=1e-6)


def test_each_half_is_painted_in_its_own_painting(stylizer, photo, paintings):
    dark, bright = (arbitrary.stylize(photo, p, backend="tflite").image.numpy() for p in paintings)
    placed = arbitrary.stylize(photo, paintings, masks=["left", "right"], backend="tflite")
    placed = placed.image.numpy()
    assert placed.shape == (1, HEIGHT, WIDTH, 3)
    # Away from the seam (x = 64; 4 sigma = 10 px), each side is its own painting's pastiche.
    left, right = np.s_[:, :, :50], np.s_[:, :, 78:]

    def distance(a, b, where):
        return float(np.abs(a[where] - b[where]).mean())

    assert distance(placed, dark, left) < 0.01 < 0.1 < distance(placed, bright, left)
    assert distance(placed, bright, right) < 0.01 < 0.1 < distance(placed, dark, right)
    # The two pastiches are far apart: the left is dark, the right bright.
    assert placed[left].mean() + 0.2 < placed[right].mean()
    # The seam is soft: the middle columns lie between the two pastiches, not a cut.
    middle = placed[0, :, 62:66].mean()
    assert dark[0, :, 62:66].mean() + 0.05 < middle < bright[0, :, 62:66].mean() - 0.05


def test_each_half_is_nearer_its_paintings_style_by_gram_distance(
    stylizer, vgg_weights, photo, paintings
):
    from stlib.losses import gram_matrix
    from stlib.vgg import VGGFeatures

    features = VGGFeatures(["block1_conv1", "block2_conv1", "block3_conv1"])
    placed = arbitrary.stylize(photo, paintings, masks=["left", "right"], backend="tflite").image

    def grams(image):
        return [gram_matrix(f) for f in features(tf.constant(image)).values()]

    def gram_distance(image, painting):
        return sum(
            float(tf.reduce_mean(tf.abs(a - b))) / float(tf.reduce_mean(tf.abs(b)))
            for a, b in zip(grams(image), grams(painting[None]))
        )

    left, right = placed[:, :, :50], placed[:, :, 78:]
    dark, bright = paintings
    assert gram_distance(left, dark) < gram_distance(left, bright)
    assert gram_distance(right, bright) < gram_distance(right, dark)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"strength": 0.5},
        {"compute_size": 64},
        {"preserve_color": "histogram"},
        {"transformer": "int8"},
        {"size": 80, "style_size": 128},
    ],
    ids=["plain", "strength", "compute_size", "histogram", "int8-tiles", "size"],
)
def test_the_blend_is_the_feathered_masks_times_the_one_painting_pastiches(
    stylizer, photo, paintings, options
):
    one = [arbitrary.stylize(photo, p, backend="tflite", **options).image for p in paintings]
    height, width = one[0].shape[1:3]
    expected = numpy_blend(one, feathered(halves(height, width)))
    placed = arbitrary.stylize(
        photo, paintings, masks=["left", "right"], backend="tflite", **options
    ).image
    np.testing.assert_allclose(placed.numpy(), expected, atol=2e-5)


def test_array_file_and_rest_masks_blend_alike(stylizer, photo, paintings, tmp_path):
    from PIL import Image

    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    diagonal = (x > y * WIDTH / HEIGHT).astype(np.float32)  # the upper right triangle
    hard = np.stack([diagonal, 1.0 - diagonal])
    one = [arbitrary.stylize(photo, p, backend="tflite").image for p in paintings]
    expected = numpy_blend(one, feathered(hard))
    file = tmp_path / "triangle.png"
    Image.fromarray((diagonal * 255).astype(np.uint8)).save(file)
    for given in ([diagonal, "rest"], [str(file), "rest"], ["rest", 1.0 - diagonal], hard):
        placed = arbitrary.stylize(photo, paintings, masks=given, backend="tflite").image
        np.testing.assert_allclose(placed.numpy(), expected, atol=2e-5)


def test_auto_masks_are_the_photos_own_regions(stylizer, photo, paintings):
    one = [arbitrary.stylize(photo, p, backend="tflite").image for p in paintings]
    regions = masks.automatic(photo, 2)
    assert 0.05 < regions[0].mean() < 0.95  # two real regions, not one
    placed = arbitrary.stylize(photo, paintings, masks="auto", backend="tflite").image
    np.testing.assert_allclose(placed.numpy(), numpy_blend(one, feathered(regions)), atol=2e-5)


def test_a_prepared_style_set_and_the_stylizer_method_take_masks(stylizer, photo, paintings):
    expected = arbitrary.stylize(photo, paintings, masks=["top", "bottom"], backend="tflite")
    styles = stylizer.prepare(paintings)
    from_set = stylizer.stylize(photo, styles, masks=["top", "bottom"])
    np.testing.assert_array_equal(from_set.numpy(), expected.image.numpy())


def test_without_masks_the_paintings_are_mixed_as_before(stylizer, photo, paintings, monkeypatch):
    mixed = arbitrary.stylize(photo, paintings, backend="tflite").image.numpy()
    calls = []
    monkeypatch.setattr(spatial, "blend", lambda *a: calls.append(a))
    again = arbitrary.stylize(photo, paintings, masks=None, backend="tflite").image.numpy()
    np.testing.assert_array_equal(again, mixed)
    assert calls == []  # the masked path was not taken
    monkeypatch.undo()
    # Mixing embeddings is not placing: the mixed pastiche is neither half of the placed one.
    placed = arbitrary.stylize(photo, paintings, masks=["left", "right"], backend="tflite").image
    assert np.abs(placed.numpy() - mixed).mean() > 0.05


def test_strength_zero_with_masks_is_the_photo_redrawn(stylizer, photo, paintings):
    redrawn = arbitrary.stylize(photo, paintings[0], strength=0, backend="tflite").image.numpy()
    placed = arbitrary.stylize(
        photo, paintings, masks=["left", "right"], strength=0, backend="tflite"
    ).image
    np.testing.assert_allclose(placed.numpy(), redrawn, atol=1e-5)  # the same embedding twice


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["left"], "1 mask for 2 paintings; give one mask per painting"),
        (["left", "right", "rest"], "3 masks for 2 paintings"),
        (np.zeros((3, 8, 8)), "3 masks for 2 paintings"),
        (7, "masks of type int; give one mask per painting"),
    ],
)
def test_the_wrong_number_of_masks_is_refused_before_any_image_is_read(given, message):
    # The paintings do not exist: the count is checked first, so the error is about the masks.
    with pytest.raises(masks.MaskError, match=message):
        arbitrary.stylize(smooth_photo(40, 40), ["nowhere_a.jpg", "nowhere_b.jpg"], masks=given)


def test_a_mistyped_split_is_named_with_a_suggestion(stylizer, photo, paintings):
    with pytest.raises(masks.MaskError, match=r"mask 1 of 2 \('lft'\).*did you mean 'left'"):
        arbitrary.stylize(photo, paintings, masks=["lft", "right"], backend="tflite")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["left", "left"], "do not cover the photo"),
        (["rest", "rest"], "'rest' given 2 times"),
        ([np.ones((48, 48)), "rest"], "another shape than the photo"),
    ],
)
def test_masks_that_cannot_place_the_paintings_are_refused(
    stylizer, photo, paintings, given, message
):
    with pytest.raises(masks.MaskError, match=message):
        arbitrary.stylize(photo, paintings, masks=given, backend="tflite")


def test_mix_with_masks_is_refused_naming_both(stylizer, photo, paintings):
    with pytest.raises(SettingError) as caught:
        arbitrary.stylize(photo, paintings, masks=["left", "right"], mix=(1, 2), backend="tflite")
    text = str(caught.value)
    assert text.startswith("mix=(1.0, 2.0), masks=['left', 'right']: cannot go together")
    assert "leave out mix" in text
    with pytest.raises(SettingError, match=r"masks=\['<ndarray 96x128>', 'rest'\]"):
        stylizer.stylize(photo, paintings, mix=(1, 1), masks=[np.ones((HEIGHT, WIDTH)), "rest"])


def test_the_feather_is_two_percent_of_the_longest_side():
    assert spatial.FEATHER == 0.02
    assert spatial.feather_radius(300, 1000) == pytest.approx(20.0)
    weights = spatial.region_weights(["left", "right"], 2, tf.zeros((1, 50, 200, 3)))
    np.testing.assert_allclose(weights, feathered(halves(50, 200)), atol=1e-6)
    np.testing.assert_allclose(weights.sum(axis=0), 1.0, atol=1e-6)


# --- the TF Hub backend: whole style images only, one call per painting -------------------------


class FakeStylization(tf.Module):
    """m(content, style) -> [0.5 content + 0.5 mean colour of style]: the real model's call."""

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, None, 3], tf.float32),
            tf.TensorSpec([None, None, None, 3], tf.float32),
        ]
    )
    def __call__(self, content, style):
        return [0.5 * content + 0.5 * tf.reduce_mean(style, axis=[1, 2], keepdims=True)]


@pytest.fixture
def fake_hub(tmp_path, monkeypatch):
    pytest.importorskip("tensorflow_hub")
    cache = tmp_path / "tfhub"
    tf.saved_model.save(
        FakeStylization(), str(cache / hashlib.sha1(hub.HANDLE.encode()).hexdigest())
    )
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    monkeypatch.delenv("TFHUB_MODEL_LOAD_FORMAT", raising=False)
    arbitrary.clear_cache()
    yield arbitrary.load("hub")
    arbitrary.clear_cache()


def test_the_hub_backend_paints_once_per_painting_and_blends(fake_hub, photo, paintings):
    content = photo.numpy()
    squares = [arbitrary.inputs.square(tf.constant(p[None]), 256).numpy() for p in paintings]
    one = [0.5 * content + 0.5 * s.mean(axis=(1, 2), keepdims=True) for s in squares]
    strength = 0.7
    one = [(1 - strength) * content + strength * p for p in one]
    placed = arbitrary.stylize(
        photo, paintings, masks=["left", "right"], backend="hub", strength=strength
    ).image
    np.testing.assert_allclose(placed.numpy(), numpy_blend(one, feathered(halves())), atol=1e-5)
