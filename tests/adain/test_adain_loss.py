"""The paper's loss (content against the AdaIN target, style by means and stds) and one step."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from adain_test_helpers import image, tiny_network

from stlib.adain.layer import adain
from stlib.adain.loss import content_loss, loss_terms, style_loss, training_step
from stlib.adain.loss_config import LossConfig
from stlib.adain.network import STYLE_LAYERS


def numpy_style_loss(decoded, style, eps=1e-5):
    total = 0.0
    for layer in STYLE_LAYERS:
        g, s = decoded[layer].astype(np.float64), style[layer].astype(np.float64)
        mean_g, mean_s = g.mean(axis=(1, 2)), s.mean(axis=(1, 2))
        std_g = np.sqrt(g.var(axis=(1, 2)) + eps)
        std_s = np.sqrt(s.var(axis=(1, 2)) + eps)
        total += np.mean((mean_g - mean_s) ** 2) + np.mean((std_g - std_s) ** 2)
    return total


def random_maps(seed, batch=2):
    rng = np.random.default_rng(seed)
    channels = {"relu1_1": 4, "relu2_1": 6, "relu3_1": 8, "relu4_1": 10}
    return {
        name: rng.gamma(1.5, 1.0 + k, (batch, 8 >> k, 8 >> k, c)).astype(np.float32)
        for k, (name, c) in enumerate(channels.items())
    }


def test_content_loss_is_the_mean_squared_error():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 2, 3, 4, 5)).astype(np.float32)
    assert float(content_loss(a, b)) == pytest.approx(np.mean((a - b) ** 2), rel=1e-5)


def test_style_loss_matches_numpy_and_is_zero_for_the_same_statistics():
    decoded, style = random_maps(0), random_maps(1)
    assert float(style_loss(decoded, style)) == pytest.approx(
        numpy_style_loss(decoded, style), rel=1e-4
    )
    shuffled = {k: v[:, ::-1, ::-1] for k, v in style.items()}  # other layout, same statistics
    assert float(style_loss(shuffled, style)) == pytest.approx(0.0, abs=1e-8)
    one = {k: v[:1] for k, v in style.items()}  # one painting for the whole batch
    assert float(style_loss(decoded, one)) == pytest.approx(
        numpy_style_loss(decoded, {k: np.repeat(v, 2, 0) for k, v in one.items()}), rel=1e-4
    )


def test_the_content_term_compares_with_the_target_not_the_photo(random_network):
    photos, paintings = image(32, 32, 0), image(32, 32, 1)
    config = LossConfig(content_weight=2.0, style_weight=3.0)
    terms = loss_terms(random_network, photos, paintings, config)
    f = random_network.encode
    target = adain(f(photos)["relu4_1"], f(paintings)["relu4_1"])
    decoded = f(random_network.decode(target))
    expected = 2.0 * np.mean((decoded["relu4_1"].numpy() - target.numpy()) ** 2)
    assert float(terms["content"]) == pytest.approx(expected, rel=1e-4)
    against_photo = 2.0 * np.mean((decoded["relu4_1"].numpy() - f(photos)["relu4_1"].numpy()) ** 2)
    assert float(terms["content"]) != pytest.approx(against_photo, rel=1e-3)
    style = {k: v.numpy() for k, v in f(paintings).items()}
    expected_style = 3.0 * numpy_style_loss({k: v.numpy() for k, v in decoded.items()}, style)
    assert float(terms["style"]) == pytest.approx(expected_style, rel=1e-3)
    assert float(terms["total"]) == pytest.approx(float(terms["content"] + terms["style"]))


def test_training_lowers_the_loss_and_leaves_the_encoder(vgg_weights):
    network = tiny_network("imagenet", seed=2)
    photos = np.concatenate([image(48, 48, 10), image(48, 48, 11)])
    paintings = np.concatenate([image(48, 48, 12) ** 3, image(48, 48, 13) ** 0.3])
    encoder_before = [w.numpy().copy() for w in network.encoder.model.weights]
    decoder_before = [w.numpy().copy() for w in network.decoder.weights]
    optimizer = keras.optimizers.Adam(1e-3)
    totals = []
    for _ in range(30):
        terms = training_step(network, optimizer, photos, paintings, LossConfig())
        assert set(terms) == {"content", "style", "total"}
        totals.append(float(terms["total"]))
    assert np.all(np.isfinite(totals))
    assert np.mean(totals[-5:]) < 0.5 * totals[0], totals
    after = network.encoder.model.weights
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(encoder_before, after))
    assert not all(
        np.array_equal(a, b.numpy()) for a, b in zip(decoder_before, network.decoder.weights)
    )
    # the step is compiled once and reused for the same optimizer and weights
    assert len(network._training_steps) == 1


def test_a_training_config_with_the_two_weights_is_accepted(random_network):
    class Training:  # what a training command's config may be: any object with the two fields
        content_weight = 1.0
        style_weight = 0.0

    terms = loss_terms(random_network, image(32, 32, 0), image(32, 32, 1), Training())
    assert float(terms["style"]) == 0.0
    assert float(terms["total"]) == pytest.approx(float(terms["content"]))
    assert isinstance(terms["total"], tf.Tensor)
