"""The checks of notebook 01 pass right answers and fail wrong ones with a hint (never raising)."""

from __future__ import annotations

import tensorflow as tf

from stlib import vgg
from stlib.exercises import nb01
from stlib.exercises.solutions import nb01 as solutions


def test_preprocess_check():
    def no_flip(images):  # forgets RGB -> BGR
        return images * 255.0 - tf.constant(vgg.IMAGENET_MEAN_BGR)

    def no_scale(images):  # subtracts the mean on the [0, 1] scale
        return tf.reverse(images, axis=[-1]) - tf.constant(vgg.IMAGENET_MEAN_BGR)

    assert nb01.check_preprocess(solutions.caffe_preprocess)
    wrong = nb01.check_preprocess(no_flip)
    assert not wrong and wrong.message.startswith("case 1: off by up to")  # the pure red image
    assert "Reverse the channel axis (RGB -> BGR)" in wrong.message
    assert not nb01.check_preprocess(no_scale)
    assert "not attempted" in nb01.check_preprocess(lambda images: None).message


def test_receptive_field_check():
    def no_jump(layer):  # forgets that pooling spreads the later layers' neighbours apart
        field = 1
        for name in vgg.LAYERS[: vgg.LAYERS.index(layer) + 1]:
            field += 1 if name.endswith("pool") else 2
        return field, 1

    assert nb01.check_receptive_field(solutions.receptive_field)
    wrong = nb01.check_receptive_field(no_jump)
    assert not wrong and "r += 2 * j" in wrong.message
    only_field = nb01.check_receptive_field(lambda layer: solutions.receptive_field(layer)[0])
    assert "shape ()" in only_field.message and "expected (2,)" in only_field.message


def test_feature_map_shape_check():
    def rounds_up(height, width, layer):
        name = vgg.canonical_layer(layer)
        factor = 2 ** vgg.DOWNSAMPLING[name]
        return -(-height // factor), -(-width // factor), vgg.CHANNELS[name]

    def alias_unknown(
        height, width, layer
    ):  # indexes CHANNELS with relu1_2 instead of the Keras name
        return solutions.feature_map_shape(height, width, layer)[:2] + (vgg.CHANNELS[layer],)

    assert nb01.check_feature_map_shape(solutions.feature_map_shape, weights=None)
    wrong = nb01.check_feature_map_shape(rounds_up, weights=None)
    assert not wrong and "rounding down (75 -> 37)" in wrong.message
    crash = nb01.check_feature_map_shape(alias_unknown, weights=None)
    assert "raised KeyError" in crash.message and "vgg.canonical_layer" in crash.message
    placeholder = nb01.check_feature_map_shape(lambda h, w, layer: None, weights=None)
    assert "not attempted" in placeholder.message
