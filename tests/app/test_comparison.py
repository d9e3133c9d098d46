"""stlib.comparison: content and style distances, checked against VGG19 features computed here."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from stlib import comparison, images, losses
from stlib.vgg import VGGFeatures

pytestmark = pytest.mark.weights


@pytest.fixture(scope="module")
def network(vgg_weights):
    return comparison.measuring_network()


def _image(seed: int, height: int = 48, width: int = 64) -> tf.Tensor:
    rng = np.random.default_rng(seed)
    return tf.constant(rng.uniform(0, 1, (1, height, width, 3)).astype(np.float32))


def test_distances_are_the_paper_s_yardsticks(network, vgg_weights):
    content, style, pastiche = _image(0), _image(1, 64, 64), _image(2)
    measured = comparison.distances(
        content, style, {"photo": content, "pastiche": pastiche}, features=network
    )
    assert measured["photo"]["content"] == 0.0
    # The same numbers from VGG19 features and stlib.losses, without the Objective.
    layers = [*comparison.MEASURE.content_layers, *comparison.MEASURE.style_layers]
    vgg = VGGFeatures(layers, pooling="avg")  # the paper's pooling, as MEASURE
    style_at_size = images.resize_to(style, 64, 64)  # style_scale 1: the photo's longest side
    p, c, s = vgg(pastiche), vgg(content), vgg(style_at_size)
    content_distance = float(tf.reduce_mean((p["block4_conv2"] - c["block4_conv2"]) ** 2))
    style_distance = sum(
        0.2
        * float(tf.reduce_mean((losses.gram_matrix(p[layer]) - losses.gram_matrix(s[layer])) ** 2))
        for layer in comparison.MEASURE.style_layers
    )
    assert measured["pastiche"]["content"] == pytest.approx(content_distance, rel=1e-4)
    assert measured["pastiche"]["style"] == pytest.approx(style_distance, rel=1e-4)


def test_pastiches_are_measured_at_the_photo_s_size_and_blends_weigh_the_styles(network):
    content, wave, scream, pastiche = _image(0), _image(1), _image(3), _image(2)
    larger = images.resize_to(pastiche, 96, 128)
    measured = comparison.distances(
        content,
        [wave, scream],
        {"small": pastiche, "large": larger},
        blend=(1.0, 0.0),
        features=network,
    )
    alone = comparison.distances(content, wave, {"small": pastiche}, features=network)
    assert measured["small"]["style"] == pytest.approx(alone["small"]["style"], rel=1e-5)
    # A 2x larger copy is resized back to 48x64: close, but not the same pixels.
    assert measured["large"]["content"] == pytest.approx(measured["small"]["content"], rel=0.2)
