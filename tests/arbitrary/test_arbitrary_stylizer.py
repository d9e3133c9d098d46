"""stylize: sizes and ranges, strength as identity interpolation, mixing as averaged embeddings,
colour preservation, styles prepared once, and the style (Gram) distance it removes."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from arbitrary_test_images import smooth_photo
from PIL import Image

from stlib import color, images
from stlib.arbitrary import inputs
from stlib.inputs import load_content
from stlib.validation import SettingError


@pytest.fixture(scope="module")
def photo() -> tf.Tensor:
    return smooth_photo(120, 160, seed=11)


@pytest.fixture(scope="module")
def paintings() -> list[np.ndarray]:
    """Two 'paintings': high-contrast stripes and blobs of different colours, uint8 [H, W, 3]."""
    y, x = np.mgrid[0:200, 0:300]
    stripes = np.stack([(x // 7 % 2) * 230, (y // 11 % 2) * 200, 40 + 0 * x], -1)
    rng = np.random.default_rng(2)
    blobs = (rng.random((25, 25, 3)) * 255).repeat(8, 0).repeat(8, 1)
    return [stripes.astype(np.uint8), blobs.astype(np.uint8)]


def test_the_pastiche_has_the_content_size_or_size(stylizer, photo, paintings):
    painted = stylizer.stylize(photo, paintings[0])
    assert painted.shape == (1, 120, 160, 3) and painted.dtype == tf.float32
    assert 0.0 <= float(tf.reduce_min(painted)) and float(tf.reduce_max(painted)) <= 1.0
    assert stylizer.stylize(photo, paintings[0], size=211).shape == (1, 158, 211, 3)


def test_mixing_is_the_weighted_mean_of_embeddings(stylizer, photo, paintings):
    first, second = (stylizer.embed(p) for p in paintings)
    mixed = stylizer.stylize(photo, paintings, mix=(3, 1))
    expected = stylizer.transform(photo, 0.75 * first + 0.25 * second)
    np.testing.assert_allclose(mixed.numpy(), expected.numpy(), atol=1e-6)
    # Weight 0 leaves a style out; equal weights by default.
    only_first = stylizer.stylize(photo, paintings, mix=(1, 0))
    np.testing.assert_allclose(only_first.numpy(), stylizer.stylize(photo, paintings[0]).numpy())
    halves = stylizer.stylize(photo, paintings)
    np.testing.assert_allclose(
        halves.numpy(), stylizer.transform(photo, (first + second) / 2).numpy(), atol=1e-6
    )
    # A mix is neither style.
    assert np.abs(mixed.numpy() - only_first.numpy()).mean() > 0.005


def test_strength_interpolates_from_the_photos_own_embedding(stylizer, photo, paintings):
    style = stylizer.embed(paintings[0])
    own = stylizer.embed(inputs.square(photo, 256))
    partial = stylizer.stylize(photo, paintings[0], strength=0.3)
    expected = stylizer.transform(photo, 0.7 * own + 0.3 * style)
    np.testing.assert_allclose(partial.numpy(), expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(
        stylizer.stylize(photo, paintings[0], strength=0.0).numpy(),
        stylizer.transform(photo, own).numpy(),
    )


def test_strength_zero_is_closer_to_the_photo_than_strength_one(stylizer, samples_available):
    photo = load_content("tuebingen", 256)
    similarity = {
        strength: float(
            tf.image.ssim(stylizer.stylize(photo, "starry_night", strength=strength), photo, 1.0)[0]
        )
        for strength in (0.0, 0.5, 1.0)
    }
    # Measured on this photo: SSIM 0.65, 0.57, 0.43.
    assert similarity[0.0] > similarity[0.5] > similarity[1.0]
    assert similarity[0.0] - similarity[1.0] > 0.1
    labrador = load_content("labrador", 256)
    distance = {
        strength: float(
            tf.reduce_mean(
                tf.abs(stylizer.stylize(labrador, "the_scream", strength=strength) - labrador)
            )
        )
        for strength in (0.0, 1.0)
    }
    assert distance[1.0] > 2 * distance[0.0]  # measured 0.25 against 0.08


@pytest.mark.slow
@pytest.mark.weights
def test_the_full_style_lowers_the_gram_distance_to_the_painting(
    stylizer, vgg_weights, samples_available
):
    from stlib import losses, vgg

    # The layers of the network's own training loss (VGG-16 conv1_2 ... conv4_3 in Magenta's
    # code), their VGG19 counterparts, equally weighted; average pooling as in stlib's default.
    layers = {"block1_conv2": 1.0, "block2_conv2": 1.0, "block3_conv3": 1.0, "block4_conv3": 1.0}
    features = vgg.VGGFeatures(layers, pooling="avg")
    photo = load_content("tuebingen", 384)
    painting = load_content("starry_night", 384)
    target = {name: losses.gram_matrix(f) for name, f in features(painting).items()}

    def gram_distance(image):
        return float(losses.style_loss(features(image), target, layers))

    before = gram_distance(photo)
    after = {
        s: gram_distance(stylizer.stylize(photo, "starry_night", strength=s)) for s in (0.5, 1.0)
    }
    # Measured: 5.3x lower at strength 1 (Tübingen / The Starry Night, 384 px, 2026-11-29).
    assert before / after[1.0] > 4.0, before / after[1.0]
    assert before > after[0.5] > after[1.0]


def test_luminance_preservation_keeps_the_photos_colours(stylizer, photo, paintings):
    painted = stylizer.stylize(photo, paintings[0], preserve_color="luminance")
    plain = stylizer.stylize(photo, paintings[0])
    chroma = lambda image: color.rgb_to_yiq(image).numpy()[..., 1:]  # noqa: E731
    kept = np.abs(chroma(painted) - chroma(photo)).mean()
    assert kept < 0.02 < np.abs(chroma(plain) - chroma(photo)).mean()
    # The luminance is the painted one, not the photo's.
    assert np.abs(color.luminance(painted).numpy() - color.luminance(photo).numpy()).mean() > 0.03


def test_histogram_preservation_moves_the_colours_towards_the_photos(stylizer, photo, paintings):
    def colour_gap(image):
        pixels, reference = image.numpy().reshape(-1, 3), photo.numpy().reshape(-1, 3)
        return np.abs(pixels.mean(0) - reference.mean(0)).sum()

    matched = stylizer.stylize(photo, paintings[0], preserve_color="histogram")
    plain = stylizer.stylize(photo, paintings[0])
    assert colour_gap(matched) < 0.5 * colour_gap(plain)


def test_styles_prepared_once_give_the_same_pastiche(stylizer, photo, paintings, monkeypatch):
    calls = []
    original = type(stylizer)._embed_image
    monkeypatch.setattr(
        type(stylizer), "_embed_image", lambda self, image: calls.append(1) or original(self, image)
    )
    prepared = stylizer.prepare(paintings)
    assert len(prepared) == 2 and len(calls) == 2 and prepared.style_size == 256
    results = [stylizer.stylize(photo, prepared, mix=(1, 2)) for _ in range(3)]
    assert len(calls) == 2  # no embedding computed again
    direct = stylizer.stylize(photo, paintings, mix=(1, 2))
    for result in results:
        np.testing.assert_array_equal(result.numpy(), direct.numpy())


def test_every_image_form_is_accepted(stylizer, tmp_path, paintings, samples_available):
    path = tmp_path / "stripes.png"
    Image.fromarray(paintings[0]).save(path)
    from_path = stylizer.embed(str(path))
    np.testing.assert_array_equal(stylizer.embed(Image.fromarray(paintings[0])), from_path)
    np.testing.assert_array_equal(stylizer.embed(paintings[0]), from_path)
    by_name = stylizer.stylize("tuebingen", "starry_night", size=64)
    assert by_name.shape == (1, 48, 64, 3)


def test_errors_name_the_image_and_the_setting(stylizer, photo, paintings, tmp_path):
    with pytest.raises(SettingError, match=r"mix=\(1.0,\): gives 1 weight for 2 style"):
        stylizer.stylize(photo, paintings, mix=[1.0])
    with pytest.raises(SettingError, match="strength=nan"):
        stylizer.stylize(photo, paintings[0], strength=float("nan"))
    with pytest.raises(SettingError, match="no style image given"):
        stylizer.stylize(photo, [])
    missing = tmp_path / "nope.jpg"
    with pytest.raises(images.ImageError, match=rf"style 2 of 2 \('{missing}'\).*no such file"):
        stylizer.stylize(photo, [paintings[0], str(missing)])
    with pytest.raises(images.ImageError, match=r"^content \(a numpy array\): the array has shape"):
        stylizer.stylize(np.zeros((5, 5, 5, 5), np.float32), paintings[0])
