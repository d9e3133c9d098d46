"""Notebook 05's checks pass right answers, fail wrong ones, and report stubs as not attempted."""

from __future__ import annotations

import tensorflow as tf

from stlib.exercises import nb05


def _luminance(image):
    return 0.299 * image[..., 0:1] + 0.587 * image[..., 1:2] + 0.114 * image[..., 2:3]


def test_luminance_check():
    assert nb05.check_luminance(_luminance)
    assert not nb05.check_luminance(lambda image: tf.reduce_mean(image, axis=-1, keepdims=True))
    dropped_axis = nb05.check_luminance(lambda image: _luminance(image)[..., 0])
    assert not dropped_axis and "shape" in dropped_axis.message
    assert "not attempted" in nb05.check_luminance(lambda image: None).message


def _match(style_y, content_y):
    mu_s, sigma_s = tf.reduce_mean(style_y), tf.math.reduce_std(style_y)
    mu_c, sigma_c = tf.reduce_mean(content_y), tf.math.reduce_std(content_y)
    return sigma_c / sigma_s * (style_y - mu_s) + mu_c


def test_match_luminance_check():
    assert nb05.check_match_luminance(_match)
    # Swapping the roles of the two standard deviations fails; so does clipping to [0, 1].
    def swapped(style_y, content_y):
        ratio = tf.math.reduce_std(style_y) / tf.math.reduce_std(content_y)
        return ratio * (style_y - tf.reduce_mean(style_y)) + tf.reduce_mean(content_y)

    assert not nb05.check_match_luminance(swapped)
    assert not nb05.check_match_luminance(lambda s, c: tf.clip_by_value(_match(s, c), 0.0, 1.0))


def _gram(features):
    h, w, n = features.shape[1:]
    flat = tf.reshape(features, [h * w, n])
    return tf.matmul(flat, flat, transpose_a=True)[None] / (h * w)


def test_blended_gram_check():
    assert nb05.check_blended_gram(lambda f1, f2, w1, w2: (w1 * _gram(f1) + w2 * _gram(f2)) / (w1 + w2))
    # Not normalising the weights, or blending the features instead of the Grams, fails.
    assert not nb05.check_blended_gram(lambda f1, f2, w1, w2: w1 * _gram(f1) + w2 * _gram(f2))
    assert not nb05.check_blended_gram(lambda f1, f2, w1, w2: _gram(f1) * 0 + _gram(f2))
    assert "not attempted" in nb05.check_blended_gram(lambda f1, f2, w1, w2: None).message
