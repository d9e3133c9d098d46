"""Notebook 03's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

import tensorflow as tf

from stlib import vgg

__all__ = ["conv_flops", "total_loss", "total_variation"]


def total_loss(config, raw_content, raw_style, raw_tv):
    """alpha sum_l u_l content_l + beta sum_l w_l style_l + gamma TV, from the unweighted terms.

    config: a GatysConfig; raw_content, raw_style: {layer: unweighted loss}; raw_tv: the TV sum.
    """
    content = sum(config.content_layers[layer] * value for layer, value in raw_content.items())
    style = sum(config.style_layers[layer] * value for layer, value in raw_style.items())
    return config.content_weight * content + config.style_weight * style + config.tv_weight * raw_tv


def total_variation(images, kind):
    """The sum of squared ("squared") or absolute ("l1") neighbour differences, [B, H, W, 3]."""
    down = images[:, 1:, :, :] - images[:, :-1, :, :]
    across = images[:, :, 1:, :] - images[:, :, :-1, :]
    penalty = tf.abs if kind == "l1" else tf.square
    return tf.reduce_sum(penalty(down)) + tf.reduce_sum(penalty(across))


def conv_flops(layer, height, width):
    """Forward FLOPs of the VGG19 convolution ``layer`` (a Keras name) on a height x width image."""
    index = vgg.CONV_LAYERS.index(layer)
    c_in = 3 if index == 0 else vgg.CHANNELS[vgg.CONV_LAYERS[index - 1]]
    k = vgg.DOWNSAMPLING[layer]
    return 2 * 3 * 3 * c_in * vgg.CHANNELS[layer] * (height // 2**k) * (width // 2**k)
