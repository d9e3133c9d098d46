"""Notebook 05's checks pass right answers, fail wrong ones with a hint, report stubs as not
attempted."""

from __future__ import annotations

import tensorflow as tf

from stlib.exercises import nb05
from stlib.exercises.solutions import nb05 as solutions


def test_luminance_check():
    assert nb05.check_luminance(solutions.luminance)
    channel_mean = nb05.check_luminance(lambda image: tf.reduce_mean(image, axis=-1, keepdims=True))
    assert not channel_mean and "0.299 R + 0.587 G + 0.114 B" in channel_mean.message
    dropped_axis = nb05.check_luminance(lambda image: solutions.luminance(image)[..., 0])
    assert not dropped_axis and "shape (1, 4, 6), expected (1, 4, 6, 1)" in dropped_axis.message
    assert "keep the channel axis" in dropped_axis.message
    assert "not attempted" in nb05.check_luminance(lambda image: None).message


def test_match_luminance_check():
    def swapped(style_y, content_y):  # the two standard deviations the wrong way round
        ratio = tf.math.reduce_std(style_y) / tf.math.reduce_std(content_y)
        return ratio * (style_y - tf.reduce_mean(style_y)) + tf.reduce_mean(content_y)

    def clipped(style_y, content_y):
        return tf.clip_by_value(solutions.match_luminance(style_y, content_y), 0.0, 1.0)

    assert nb05.check_match_luminance(solutions.match_luminance)
    wrong = nb05.check_match_luminance(swapped)
    assert not wrong and "std(L') = sigma_c" in wrong.message
    clip = nb05.check_match_luminance(clipped)
    assert not clip and "do not clip" in clip.message


def test_blended_gram_check():
    def not_normalized(f1, f2, w1, w2):
        return (w1 + w2) * solutions.blended_gram(f1, f2, w1, w2)

    def second_only(f1, f2, w1, w2):
        return solutions.blended_gram(f1, f2, 0.0, 1.0)

    assert nb05.check_blended_gram(solutions.blended_gram)
    wrong = nb05.check_blended_gram(not_normalized)
    assert not wrong and "the weights are normalised to sum to 1" in wrong.message
    assert not nb05.check_blended_gram(second_only)
    assert "not attempted" in nb05.check_blended_gram(lambda f1, f2, w1, w2: None).message


def test_guided_gram_check():
    def over_all_positions(features, mask):  # gram_matrix of the masked features: / (H W)
        masked = features * mask[None, :, :, None]
        flat = tf.reshape(masked[0], [-1, features.shape[-1]])
        return tf.matmul(flat, flat, transpose_a=True) / flat.shape[0]

    def mask_not_squared(features, mask):
        flat = tf.reshape(features[0], [-1, features.shape[-1]])
        weights = tf.reshape(mask, [-1, 1])
        return tf.matmul(weights * flat, flat, transpose_a=True) / tf.reduce_sum(weights)

    assert nb05.check_guided_gram(solutions.guided_gram)
    wrong = nb05.check_guided_gram(over_all_positions)
    assert not wrong and "not by H W" in wrong.message
    assert not nb05.check_guided_gram(mask_not_squared)  # the soft mask tells m from m^2
    assert "not attempted" in nb05.check_guided_gram(lambda features, mask: None).message
