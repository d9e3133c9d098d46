"""Notebook 02's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

import tensorflow as tf

from stlib import vgg

__all__ = ["content_loss", "gram_matrix", "gram_shape", "style_layer_loss"]


def content_loss(features, content_features):
    """mean((F - P)^2) over every position and channel of two [1, h, w, N] maps -> a scalar."""
    return tf.reduce_mean(tf.square(features - content_features))


def gram_shape(layer, height, width):
    """One image, and G is N x N with N the layer's channels, whatever the image size."""
    channels = vgg.CHANNELS[vgg.canonical_layer(layer)]
    return (1, channels, channels)


def gram_matrix(features):
    """[B, H, W, N] feature maps -> [B, N, N] Gram matrices F^T F / (H W)."""
    batch, height, width, channels = features.shape
    flat = tf.reshape(features, [batch, height * width, channels])  # one row per position
    return tf.matmul(flat, flat, transpose_a=True) / float(height * width)


def style_layer_loss(features, style_features):
    """mean((G - A)^2) for the Grams G of ``features`` and A of ``style_features`` -> a scalar.

    The debugging exercise's two bugs, fixed: each Gram divides by its own number of positions
    (the style image may have another size), and the loss is the mean of the squares, not the
    square of the mean difference.
    """
    difference = gram_matrix(features) - gram_matrix(style_features)
    return tf.reduce_mean(tf.square(difference))
