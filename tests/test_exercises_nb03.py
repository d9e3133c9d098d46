"""Notebook 03's checks pass right answers, fail wrong ones, and report stubs as not attempted."""

from __future__ import annotations

import tensorflow as tf

from stlib import losses, vgg
from stlib.exercises import nb03
from stlib.gatys import GatysConfig, Objective, feature_extractor


def _total_variation(images, kind):
    down = images[:, 1:] - images[:, :-1]
    across = images[:, :, 1:] - images[:, :, :-1]
    f = tf.abs if kind == "l1" else tf.square
    return tf.reduce_sum(f(down)) + tf.reduce_sum(f(across))


def test_total_variation_check():
    assert nb03.check_total_variation(_total_variation)
    # Forgetting the horizontal direction, or always using l1, fails.
    assert not nb03.check_total_variation(lambda im, kind: tf.reduce_sum(tf.abs(im[:, 1:] - im[:, :-1])))
    assert not nb03.check_total_variation(lambda im, kind: _total_variation(im, "l1"))
    assert "not attempted" in nb03.check_total_variation(lambda im, kind: None).message


def _conv_flops(layer, height, width):
    index = vgg.CONV_LAYERS.index(layer)
    c_in = 3 if index == 0 else vgg.CHANNELS[vgg.CONV_LAYERS[index - 1]]
    k = vgg.DOWNSAMPLING[layer]
    return 2 * 9 * c_in * vgg.CHANNELS[layer] * (height // 2**k) * (width // 2**k)


def test_conv_flops_check():
    assert nb03.check_conv_flops(_conv_flops)
    # Using the layer's own channel count as input (C_out^2) fails on block2_conv1 and the like.
    wrong = lambda layer, h, w: 2 * 9 * vgg.CHANNELS[layer] ** 2 * (h // 2 ** vgg.DOWNSAMPLING[layer]) * (  # noqa: E731
        w // 2 ** vgg.DOWNSAMPLING[layer])
    assert not nb03.check_conv_flops(wrong)
    assert not nb03.check_conv_flops(lambda layer, h, w: _conv_flops(layer, h, w) // 2)


def test_total_loss_check():
    config = GatysConfig(
        content_layers={"block2_conv1": 1.0},
        style_layers={"block1_conv1": 0.3, "block2_conv1": 0.7},
        content_weight=2.0,
        style_weight=0.5,
        tv_weight=0.1,
    )
    features = feature_extractor(config, weights=None)
    content = tf.random.stateless_uniform([1, 16, 16, 3], seed=[1, 2])
    style = tf.random.stateless_uniform([1, 16, 16, 3], seed=[3, 4])
    image = tf.random.stateless_uniform([1, 16, 16, 3], seed=[5, 6])
    objective = Objective(config, features, content, [style], [1.0])
    maps = features(image)
    content_raw = losses.content_loss(maps["block2_conv1"], objective.content_targets["block2_conv1"])
    style_raw = {
        name: losses.style_layer_loss(losses.gram_matrix(maps[name]), objective.style_targets[name])
        for name in config.style_layers
    }
    tv_raw = losses.total_variation(image, config.tv_kind)
    total = (2.0 * content_raw + 0.5 * (0.3 * style_raw["block1_conv1"] + 0.7 * style_raw["block2_conv1"])
             + 0.1 * tv_raw)
    assert nb03.check_total_loss(float(total), objective, image)
    assert not nb03.check_total_loss(float(total - 0.1 * tv_raw), objective, image)
    assert "not attempted" in nb03.check_total_loss(None, objective, image).message
