"""The checks of notebook 02 pass right answers and fail wrong ones with a hint (never raising)."""

from __future__ import annotations

import tensorflow as tf

from stlib.exercises import nb02
from stlib.exercises.solutions import nb02 as solutions


def test_gram_shape_check():
    assert nb02.check_gram_shape(solutions.gram_shape)
    assert solutions.gram_shape("relu4_1", 300, 400) == (1, 512, 512)
    no_batch = nb02.check_gram_shape(lambda layer, h, w: solutions.gram_shape(layer, h, w)[1:])
    assert not no_batch and "shape (2,), expected (3,)" in no_batch.message
    assert "Keep the batch axis" in no_batch.message

    def positions(layer, height, width):  # M x M, one row per position
        m = (height // 8) * (width // 8)
        return (1, m, m)

    verdict = nb02.check_gram_shape(positions)
    assert not verdict and "N x N, N = the layer's channel count" in verdict.message
    only_relu4_1 = nb02.check_gram_shape(lambda layer, h, w: (1, 512, 512))  # the old question
    assert not only_relu4_1 and "case 2" in only_relu4_1.message
    assert "not attempted" in nb02.check_gram_shape(None).message


def test_gram_matrix_check():
    def unnormalized(features):
        return solutions.gram_matrix(features) * features.shape[1] * features.shape[2]

    def no_batch(features):
        return solutions.gram_matrix(features)[0]

    assert nb02.check_gram_matrix(solutions.gram_matrix)
    wrong = nb02.check_gram_matrix(unnormalized)
    assert not wrong and "G = F^T F / (H W)" in wrong.message
    dropped = nb02.check_gram_matrix(no_batch)
    assert (
        "shape (3, 3), expected (1, 3, 3)" in dropped.message
        and "keep the batch" in dropped.message
    )
    assert "not attempted" in nb02.check_gram_matrix(lambda features: None).message


def test_style_layer_loss_check():
    def summed(features, style_features):
        gram, target = solutions.gram_matrix(features), solutions.gram_matrix(style_features)
        return tf.reduce_sum(tf.square(gram - target))

    def on_features(features, style_features):  # compares the maps, not their Grams
        return tf.reduce_mean(tf.square(features - style_features))

    assert nb02.check_style_layer_loss(solutions.style_layer_loss)
    wrong = nb02.check_style_layer_loss(summed)
    assert not wrong and "the mean of the squares" in wrong.message
    mismatched = nb02.check_style_layer_loss(on_features)  # fails on the maps of another size
    assert not mismatched and "another size" in mismatched.message


def test_the_debugging_exercise_reports_its_own_buggy_code_as_not_attempted():
    untouched = nb02.check_style_layer_loss(nb02.buggy_style_layer_loss)
    assert not untouched and not untouched.attempted

    def one_bug_fixed(
        features, style_features
    ):  # divides each Gram by its own M, still square of mean
        mean = tf.reduce_mean(
            solutions.gram_matrix(features) - solutions.gram_matrix(style_features)
        )
        return tf.square(mean)

    half = nb02.check_style_layer_loss(one_bug_fixed)
    assert not half and half.attempted and "mean of the squares" in half.message
