"""What the decoder is given: strength, mixing and regions, checked on the decoder's input."""

from __future__ import annotations

import numpy as np
import pytest
from adain_test_helpers import image

from stlib.adain.layer import adain, channel_statistics
from stlib.adain.network import pad_to_grid
from stlib.adain.targets import mixed_target, regional_target
from stlib.masks import split


def features_of(network, photo):
    return network.encode(pad_to_grid(photo))["relu4_1"].numpy()


@pytest.fixture(scope="module")
def inputs():
    return image(64, 64, 0), image(48, 40, 1), image(40, 56, 2)


def test_strength_zero_is_the_photo_and_one_is_the_target(random_network, inputs):
    photo, a, _ = inputs
    content = features_of(random_network, photo)
    target = adain(content, random_network.encode(a)["relu4_1"]).numpy()
    zero = random_network.decoder_input(photo, a, strength=0.0).numpy()
    one = random_network.decoder_input(photo, a, strength=1.0).numpy()
    np.testing.assert_allclose(zero, content, rtol=1e-6)
    np.testing.assert_allclose(one, target, rtol=1e-5, atol=1e-7)
    for alpha in (0.3, 0.75):
        between = random_network.decoder_input(photo, a, strength=alpha).numpy()
        expected = alpha * target + (1 - alpha) * content
        np.testing.assert_allclose(between, expected, rtol=1e-5, atol=1e-7)


def test_strength_zero_decodes_the_photo_features(random_network, inputs):
    photo, a, _ = inputs
    pastiche = random_network.stylize(photo, a, strength=0.0)
    decoded = random_network.decode(features_of(random_network, photo))
    np.testing.assert_allclose(pastiche, np.clip(decoded, 0, 1), atol=1e-7)


def test_mixing_one_painting_is_that_painting(random_network, inputs):
    photo, a, _ = inputs
    np.testing.assert_allclose(
        random_network.decoder_input(photo, [a], mix=[1.0]),
        random_network.decoder_input(photo, a),
        rtol=1e-6,
    )


def test_the_mix_is_the_paper_interpolation_of_adain_outputs(random_network, inputs):
    photo, a, b = inputs
    content = features_of(random_network, photo)
    fa, fb = (random_network.encode(s)["relu4_1"].numpy() for s in (a, b))
    paper = 0.7 * adain(content, fa).numpy() + 0.3 * adain(content, fb).numpy()
    np.testing.assert_allclose(mixed_target(content, [fa, fb], [0.7, 0.3]), paper, atol=1e-6)
    mixed = random_network.decoder_input(photo, [a, b], mix=[0.7, 0.3]).numpy()
    np.testing.assert_allclose(mixed, paper, atol=1e-6)
    assert not np.allclose(mixed, adain(content, fa).numpy(), atol=1e-5)


def test_a_mask_of_ones_is_the_unmasked_target(random_network, inputs):
    photo, a, _ = inputs
    ones = np.ones((1, 64, 64), np.float32)
    np.testing.assert_allclose(
        random_network.decoder_input(photo, [a], masks=ones),
        random_network.decoder_input(photo, a),
        rtol=1e-5,
        atol=1e-7,
    )


def test_left_and_right_masks_place_each_painting_in_its_half(random_network, inputs):
    photo, a, b = inputs
    masks = np.stack([split("left", 64, 64), split("right", 64, 64)])
    target = random_network.decoder_input(photo, [a, b], masks=masks).numpy()  # [1, 8, 8, 512]
    content = features_of(random_network, photo)
    fa, fb = (random_network.encode(s)["relu4_1"].numpy() for s in (a, b))
    # each half is AdaIN of that half of the photo's features (its own statistics) with its painting
    np.testing.assert_allclose(target[:, :, :4], adain(content[:, :, :4], fa), atol=1e-6)
    np.testing.assert_allclose(target[:, :, 4:], adain(content[:, :, 4:], fb), atol=1e-6)
    # so each half has its painting's channel statistics, and not the other's
    for half, style, other in ((slice(0, 4), fa, fb), (slice(4, 8), fb, fa)):
        mean, _ = channel_statistics(target[:, :, half])
        np.testing.assert_allclose(mean, channel_statistics(style)[0], rtol=1e-4, atol=1e-6)
        assert not np.allclose(mean, channel_statistics(other)[0], rtol=1e-2)


def test_regions_on_an_odd_photo_are_padded_with_it(random_network, inputs):
    _, a, b = inputs
    photo = image(45, 37, 3)
    masks = np.stack([split("top", 45, 37), split("bottom", 45, 37)])
    target = random_network.decoder_input(photo, [a, b], masks=masks)
    assert target.shape == (1, 6, 5, 512)
    assert random_network.stylize(photo, [a, b], masks=masks).shape == (1, 45, 37, 3)


def test_regional_target_of_soft_masks_weights_each_region(random_network, inputs):
    photo, a, b = inputs
    content = features_of(random_network, photo)
    fa, fb = (random_network.encode(s)["relu4_1"].numpy() for s in (a, b))
    soft = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    target = regional_target(content, [fa, fb], np.stack([soft, 1 - soft])).numpy()
    expected = 0.0
    for style, weights in ((fa, soft), (fb, 1 - soft)):
        w = weights[None, :, :, None]
        mean, std = (v.numpy() for v in channel_statistics(style))
        w64, x = w.astype(np.float64), content.astype(np.float64)
        mu = (w64 * x).sum(axis=(1, 2), keepdims=True) / w64.sum()
        sigma = np.sqrt((w64 * (x - mu) ** 2).sum(axis=(1, 2), keepdims=True) / w64.sum() + 1e-5)
        expected = expected + w * (std * (x - mu) / sigma + mean)
    np.testing.assert_allclose(target, expected, rtol=1e-4, atol=1e-6)


def test_the_decoder_input_refuses_what_does_not_fit(random_network, inputs):
    photo, a, b = inputs
    with pytest.raises(ValueError, match=r"masks of shape \(1, 64, 64\); give \[2, 64, 64\]"):
        random_network.decoder_input(photo, [a, b], masks=np.ones((1, 64, 64)))
    with pytest.raises(ValueError, match="mix or masks, not both"):
        random_network.decoder_input(photo, [a, b], mix=[1, 1], masks=np.ones((2, 64, 64)) / 2)
    with pytest.raises(ValueError, match="strength 1.5"):
        random_network.decoder_input(photo, a, strength=1.5)
