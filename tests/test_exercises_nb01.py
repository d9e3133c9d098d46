"""The checks of notebook 01 pass right answers and fail wrong ones (without raising)."""

from __future__ import annotations

import tensorflow as tf

from stlib import vgg
from stlib.exercises import nb01


def test_preprocess_check():
    def right(images):
        return tf.reverse(images, axis=[-1]) * 255.0 - tf.constant(vgg.IMAGENET_MEAN_BGR)

    def no_flip(images):  # forgets RGB -> BGR
        return images * 255.0 - tf.constant(vgg.IMAGENET_MEAN_BGR)

    def no_scale(images):  # subtracts the mean on the [0, 1] scale
        return tf.reverse(images, axis=[-1]) - tf.constant(vgg.IMAGENET_MEAN_BGR)

    assert nb01.check_preprocess(right)
    assert not nb01.check_preprocess(no_flip)
    assert not nb01.check_preprocess(no_scale)
    assert "not attempted" in nb01.check_preprocess(lambda images: None).message


def test_receptive_field_check():
    def right(layer):
        field, jump = 1, 1
        for name in vgg.LAYERS[: vgg.LAYERS.index(layer) + 1]:
            kernel, stride = (2, 2) if name.endswith("pool") else (3, 1)
            field += (kernel - 1) * jump
            jump *= stride
        return field, jump

    def no_jump(layer):  # forgets that pooling spreads the later layers' neighbours apart
        field = 1
        for name in vgg.LAYERS[: vgg.LAYERS.index(layer) + 1]:
            field += 1 if name.endswith("pool") else 2
        return field, 1

    assert nb01.check_receptive_field(right)
    wrong = nb01.check_receptive_field(no_jump)
    assert not wrong and "r += 2 * j" in wrong.message
    assert "shape" in nb01.check_receptive_field(lambda layer: right(layer)[0]).message


def test_feature_map_shape_check():
    def right(height, width, layer):
        name = vgg.canonical_layer(layer)
        for _ in range(vgg.DOWNSAMPLING[name]):
            height, width = height // 2, width // 2
        return height, width, vgg.CHANNELS[name]

    def rounds_up(height, width, layer):
        name = vgg.canonical_layer(layer)
        factor = 2 ** vgg.DOWNSAMPLING[name]
        return -(-height // factor), -(-width // factor), vgg.CHANNELS[name]

    assert nb01.check_feature_map_shape(right, weights=None)
    assert not nb01.check_feature_map_shape(rounds_up, weights=None)
    assert "not attempted" in nb01.check_feature_map_shape(lambda h, w, layer: None, weights=None).message
