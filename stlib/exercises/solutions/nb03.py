"""Notebook 03's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from stlib import vgg

__all__ = ["adam_loop", "conv_flops", "style_gradient", "total_loss", "total_variation"]


def total_loss(config, raw_content, raw_style, raw_tv):
    """alpha sum_l u_l content_l + beta sum_l w_l style_l + gamma TV, from the unweighted terms.

    config: a GatysConfig; raw_content, raw_style: {layer: unweighted loss}; raw_tv: the TV sum.
    """
    content = sum(config.content_layers[layer] * value for layer, value in raw_content.items())
    style = sum(config.style_layers[layer] * value for layer, value in raw_style.items())
    return config.content_weight * content + config.style_weight * style + config.tv_weight * raw_tv


def style_gradient(features, target_gram):
    """dE/dF = 4 / (N^2 M) F (G - A) for E = mean((G - A)^2), G = F^T F / M, [1, h, w, N].

    Derivation: E = sum_ij (G_ij - A_ij)^2 / N^2, so dE/dG = 2 (G - A) / N^2; G = F^T F / M with
    F of shape [M, N], so a change dF changes G by (dF^T F + F^T dF) / M and E by
    trace(dE/dG^T dG) = (2 / M) trace((F dE/dG)^T dF) as dE/dG is symmetric.
    """
    _, height, width, channels = features.shape
    positions = height * width
    flat = tf.reshape(features, [positions, channels])  # F: [M, N]
    gram = tf.matmul(flat, flat, transpose_a=True) / positions  # G: [N, N]
    difference = gram - target_gram[0]
    gradient = 4.0 / (channels**2 * positions) * tf.matmul(flat, difference)  # [M, N]
    return tf.reshape(gradient, [1, height, width, channels])


def adam_loop(objective, start, steps, learning_rate):
    """``steps`` Adam updates of the pixels from ``start`` [1, H, W, 3], clipped to [0, 1].

    Returns (the final image [1, H, W, 3], the total loss before each update).
    """
    pixels = tf.Variable(start)  # the only thing the optimiser changes
    adam = keras.optimizers.Adam(learning_rate=learning_rate)
    recorded = []
    for _ in range(steps):
        terms, gradient = objective.value_and_gradient(tf.convert_to_tensor(pixels))
        recorded.append(float(terms["total"]))
        adam.apply_gradients([(gradient, pixels)])
        pixels.assign(tf.clip_by_value(pixels, 0.0, 1.0))
    return tf.convert_to_tensor(pixels), recorded


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
