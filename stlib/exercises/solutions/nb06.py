"""Notebook 06's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["conditional_instance_norm", "mix_parameters", "slim_numbers", "training_step"]


def conditional_instance_norm(x, style_weights, gamma, beta):
    """CIN of x [B, H, W, C] with style weights [B, N] and tables gamma, beta [N, C]."""
    x = tf.convert_to_tensor(x, tf.float32)
    style_weights = tf.convert_to_tensor(style_weights, tf.float32)
    # Each image's own moments, per channel, over its height and width (biased variance).
    mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)  # [B, 1, 1, C]
    x_hat = (x - mean) / tf.sqrt(variance + 1e-5)
    # One row of gammas and betas per image: the weights as given, [B, N] @ [N, C] -> [B, C].
    g = tf.matmul(style_weights, tf.convert_to_tensor(gamma, tf.float32))
    b = tf.matmul(style_weights, tf.convert_to_tensor(beta, tf.float32))
    return g[:, None, None, :] * x_hat + b[:, None, None, :]


def mix_parameters(weights, table):
    """Each row of weights [B, N] divided by its sum, then weighs the table's rows: [B, C]."""
    weights = tf.convert_to_tensor(weights, tf.float64)
    convex = weights / tf.reduce_sum(weights, axis=1, keepdims=True)
    return tf.matmul(convex, tf.convert_to_tensor(table, tf.float64))


# Exercise 3. The Android demo's network normalises all 18 of its convolutions: contract 32, 32,
# 32; six residual blocks of two 32-channel convolutions; expand 8 and 4; the last one 3 channels:
# 96 + 384 + 15 = 495 channels, a gamma and a beta each, 990 numbers per style. Its convolutions
# have no bias: 9*9*3*32 + 2 * 3*3*32*32 + 12 * 3*3*32*32 + 3*3*32*8 + 3*3*8*4 + 9*9*4*3
# = 7,776 + 18,432 + 110,592 + 2,304 + 288 + 972 = 140,364 weights, shared by all the styles,
# plus one row of 990 per style (26 rows: 25,740). With 26 styles 166,104 parameters, 15 % of them
# style-specific.
def slim_numbers(styles):
    """(numbers per style, parameters of the demo's network with `styles` styles)."""
    per_style = 2 * (32 + 32 + 32 + 12 * 32 + 8 + 4 + 3)
    kernels = 9 * 9 * 3 * 32 + 2 * 3 * 3 * 32 * 32 + 12 * 3 * 3 * 32 * 32
    kernels += 3 * 3 * 32 * 8 + 3 * 3 * 8 * 4 + 9 * 9 * 4 * 3
    return per_style, kernels + styles * per_style


def training_step(network, optimizer, photos, styles, loss):
    """Paint each crop in its style, take the batch's mean total loss inside a GradientTape,
    update every trainable weight once; return the loss before the update."""
    variables = network.trainable_variables
    with tf.GradientTape() as tape:
        pastiches = network([photos, tf.one_hot(styles, network.num_styles)], training=True)
        total = tf.reduce_mean(loss(photos, pastiches, styles)["total"])
    gradients = tape.gradient(total, variables)
    optimizer.apply_gradients(zip(gradients, variables))
    return total
