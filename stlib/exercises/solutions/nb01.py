"""Notebook 01's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

import tensorflow as tf

from stlib import vgg

__all__ = ["caffe_preprocess", "feature_map_shape", "receptive_field"]


def caffe_preprocess(images):
    """[B, H, W, 3] RGB in [0, 1] -> [B, H, W, 3] BGR, 0..255 scale, minus the ImageNet mean."""
    bgr = tf.reverse(tf.cast(images, tf.float32), axis=[-1])
    return 255.0 * bgr - tf.constant(vgg.IMAGENET_MEAN_BGR, dtype=tf.float32)


def feature_map_shape(height, width, layer):
    """(h, w, C) of the feature map of ``layer`` (any spelling) for a height x width input."""
    name = vgg.canonical_layer(layer)
    block = int(name[5])
    poolings = block - 1 + (1 if name.endswith("pool") else 0)
    for _ in range(poolings):
        height, width = height // 2, width // 2  # each 2x2 pooling rounds down
    return height, width, vgg.CHANNELS[name]


def receptive_field(layer):
    """(receptive field, jump) in input pixels of the VGG19 layer ``layer`` (a Keras name)."""
    field, jump = 1, 1
    for name in vgg.LAYERS[: vgg.LAYERS.index(layer) + 1]:
        kernel, stride = (2, 2) if name.endswith("pool") else (3, 1)
        field += (kernel - 1) * jump
        jump *= stride
    return field, jump
