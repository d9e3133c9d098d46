"""The normalised VGG19 (Gatys et al. 2016): the same features up to a per-channel factor, a mean
activation of one per filter on the photos the factors were measured on, and the stored file."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf

from stlib import vgg, vgg_normalization
from stlib.vgg_layers import CONV_LAYERS

LAYERS = ["block1_conv1", "block2_conv1", "block3_conv2", "block4_conv1", "block5_conv1"]


def _photos(seed: int, count: int = 2) -> list[tf.Tensor]:
    rng = np.random.default_rng(seed)
    return [tf.constant(rng.random((1, 40, 56, 3)), tf.float32) for _ in range(count)]


# The real weights throughout: deterministic. (Random weights differ from run to run and make
# filters that barely fire, whose few positive values are rounding-limited in float32.)


@pytest.mark.weights
@pytest.mark.parametrize("pooling", ["max", "avg"])
def test_normalized_features_are_the_originals_divided_per_channel(vgg_weights, pooling):
    photos = _photos(0)
    means = vgg_normalization.mean_activations(photos, pooling)
    factors = vgg_normalization.factors_from(means)
    plain = vgg.VGGFeatures(LAYERS, pooling=pooling)
    rescaled = vgg.VGGFeatures(LAYERS, pooling=pooling, normalized=factors)
    probe = _photos(1, 1)[0]  # not one of the photos the factors came from
    original, normalized = plain(probe), rescaled(probe)
    for layer in LAYERS:
        expected = original[layer].numpy() / factors[layer]
        scale = np.abs(expected).max()
        np.testing.assert_allclose(normalized[layer].numpy(), expected, atol=1e-4 * scale)


@pytest.mark.weights
def test_every_live_filter_has_mean_activation_one_on_its_photos(vgg_weights):
    photos = _photos(2)
    means = vgg_normalization.mean_activations(photos, "avg")
    factors = vgg_normalization.factors_from(means)
    rescaled = vgg.VGGFeatures(CONV_LAYERS, pooling="avg", normalized=factors)
    maps = [rescaled(photo) for photo in photos]
    coverage = []  # the fraction of each layer's filters the check covers
    for layer in CONV_LAYERS:
        values = np.concatenate([m[layer].numpy().reshape(-1, vgg.CHANNELS[layer]) for m in maps])
        normalized_means = values.mean(axis=0)
        # A filter that barely fires on two noise photos is rounding-limited in float32:
        # its few positive pre-activations are differences of much larger numbers. Check the rest.
        firing = means[layer] > 1e-2 * np.median(means[layer][means[layer] > 0])
        np.testing.assert_allclose(normalized_means[firing], 1.0, rtol=5e-3)  # float32 sums
        assert np.all(np.isfinite(normalized_means)) and np.all(normalized_means >= 0)
        assert np.all(normalized_means[means[layer] == 0] == 0)  # dead filters stay 0 (factor 1)
        coverage.append(firing.mean())
    print("share of filters checked per layer:", [round(float(c), 2) for c in coverage])
    assert np.mean(coverage) > 0.7


def test_the_stored_factors_cover_every_filter_for_both_poolings():
    stored = vgg.normalization_factors()
    assert set(stored) == {"max", "avg"}
    for pooling in ("max", "avg"):
        assert set(stored[pooling]) == set(CONV_LAYERS)
        for layer, factors in stored[pooling].items():
            assert factors.shape == (vgg.CHANNELS[layer],) and np.all(factors > 0)
    provenance = json.loads(vgg.NORMALIZATION_FILE.read_text())["provenance"]
    assert provenance["made_by"] == "python -m stlib.vgg_normalization"
    assert len(provenance["photos"]) >= 20 and provenance["photo_side_px"] == 512
    # The means differ several-fold between layers (and the style loss goes with their 4th power):
    # that is what the normalisation undoes.
    means = {layer: stored["avg"][layer].mean() for layer in LAYERS}
    assert means["block4_conv1"] > 5 * means["block1_conv1"] > 5 * means["block5_conv1"]


@pytest.mark.weights
def test_real_normalized_network_has_mean_one_on_a_course_photo(vgg_weights, samples_available):
    from stlib import data

    photo = data.load("tuebingen", 512)  # one of the photos the stored factors were measured on
    maps = vgg.VGGFeatures(["block1_conv1", "block4_conv1"], pooling="avg", normalized=True)(photo)
    for layer in ("block1_conv1", "block4_conv1"):
        per_channel = maps[layer].numpy().mean(axis=(0, 1, 2))
        # One photo of 27: channel means scatter around 1, their average stays near it.
        assert 0.3 < per_channel.mean() < 3.0


def test_bad_factors_are_refused():
    with pytest.raises(ValueError, match="must be 64 positive numbers"):
        vgg.VGGFeatures(["relu1_1"], weights=None, normalized={"relu1_1": np.zeros(64)})
    with pytest.raises(TypeError, match="normalized must be"):
        vgg.VGGFeatures(["relu1_1"], weights=None, normalized="yes")
