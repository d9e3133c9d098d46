"""Notebook 05's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

import tensorflow as tf

from stlib import losses

__all__ = ["blended_gram", "guided_gram", "luminance", "match_luminance"]


def luminance(image):
    """Y = 0.299 R + 0.587 G + 0.114 B of an RGB image [1, H, W, 3] -> [1, H, W, 1]."""
    return 0.299 * image[..., 0:1] + 0.587 * image[..., 1:2] + 0.114 * image[..., 2:3]


def match_luminance(style_y, content_y):
    """The style luminance [1, Hs, Ws, 1] given the content's mean and (population) std."""
    mu_s, sigma_s = tf.reduce_mean(style_y), tf.math.reduce_std(style_y)
    mu_c, sigma_c = tf.reduce_mean(content_y), tf.math.reduce_std(content_y)
    return sigma_c / sigma_s * (style_y - mu_s) + mu_c


def blended_gram(features_1, features_2, w_1, w_2):
    """(w_1 G_1 + w_2 G_2) / (w_1 + w_2) of two feature maps [1, H_i, W_i, N] -> [1, N, N]."""
    return (w_1 * losses.gram_matrix(features_1) + w_2 * losses.gram_matrix(features_2)) / (
        w_1 + w_2
    )


def guided_gram(features, mask):
    """sum_i m_i^2 f_i f_i^T / sum_i m_i^2 of features [1, H, W, N] under mask [H, W] -> [N, N]."""
    flat = tf.reshape(features[0], [-1, features.shape[-1]])  # [M, N]
    weights = tf.reshape(tf.square(mask), [-1, 1])  # [M, 1]
    return tf.matmul(weights * flat, flat, transpose_a=True) / tf.reduce_sum(weights)
