"""The checks of notebook 02 pass right answers and fail wrong ones (without raising)."""

from __future__ import annotations

import tensorflow as tf

from stlib.exercises import nb02


def _gram(features):
    batch, height, width, channels = features.shape
    flat = tf.reshape(features, [batch, height * width, channels])
    return tf.matmul(flat, flat, transpose_a=True) / (height * width)


def test_gram_shape_check():
    assert nb02.check_gram_shape((1, 512, 512), weights=None)
    assert nb02.check_gram_shape((1, 128, 128), layer="relu2_1", height=64, width=48, weights=None)
    wrong = nb02.check_gram_shape((512, 512), weights=None)
    assert not wrong and "shape (2,), expected (3,)" in wrong.message
    assert not nb02.check_gram_shape((1, 37 * 50, 37 * 50), weights=None)
    assert "not attempted" in nb02.check_gram_shape(None).message


def test_gram_matrix_check():
    def unnormalised(features):
        return _gram(features) * features.shape[1] * features.shape[2]

    def no_batch(features):
        return _gram(features)[0]

    assert nb02.check_gram_matrix(_gram)
    assert not nb02.check_gram_matrix(unnormalised)
    assert "shape" in nb02.check_gram_matrix(no_batch).message
    assert "not attempted" in nb02.check_gram_matrix(lambda features: None).message


def test_style_layer_loss_check():
    def right(features, style_features):
        return tf.reduce_mean(tf.square(_gram(features) - _gram(style_features)))

    def summed(features, style_features):
        return tf.reduce_sum(tf.square(_gram(features) - _gram(style_features)))

    def on_features(features, style_features):  # compares the maps, not their Grams (and fails on sizes)
        return tf.reduce_mean(tf.square(features - style_features))

    assert nb02.check_style_layer_loss(right)
    assert not nb02.check_style_layer_loss(summed)
    assert not nb02.check_style_layer_loss(on_features)
