"""Losses against numpy written independently, and gradients against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from stlib import losses

rng = np.random.default_rng(42)


def numpy_gram(features: np.ndarray) -> np.ndarray:
    """[1, H, W, N] -> [N, N]: sum over positions of outer products, divided by H*W."""
    _, h, w, n = features.shape
    flat = features.reshape(h * w, n)
    gram = np.zeros((n, n))
    for position in range(h * w):
        gram += np.outer(flat[position], flat[position])
    return gram / (h * w)


def test_gram_matrix_matches_numpy_and_is_symmetric():
    features = rng.normal(size=(1, 5, 7, 4))
    gram = losses.gram_matrix(tf.constant(features)).numpy()
    assert gram.shape == (1, 4, 4)
    np.testing.assert_allclose(gram[0], numpy_gram(features), rtol=1e-12)
    np.testing.assert_allclose(gram[0], gram[0].T)


def test_gram_matrix_does_not_grow_with_image_size():
    # A texture tiled 2x2 has the same feature statistics, so the same normalised Gram matrix.
    features = rng.normal(size=(1, 6, 6, 3))
    tiled = np.tile(features, (1, 2, 2, 1))
    np.testing.assert_allclose(
        losses.gram_matrix(tf.constant(tiled)).numpy(),
        losses.gram_matrix(tf.constant(features)).numpy(),
        rtol=1e-12,
    )


def test_content_loss_mean_and_sum():
    f, p = rng.normal(size=(2, 1, 4, 5, 8))
    assert losses.content_loss(tf.constant(f), tf.constant(p)).numpy() == pytest.approx(
        ((f - p) ** 2).mean()
    )
    assert losses.content_loss(tf.constant(f), tf.constant(p), "sum").numpy() == pytest.approx(
        ((f - p) ** 2).sum()
    )
    with pytest.raises(ValueError, match="unknown content reduction 'median'.*mean, sum"):
        losses.content_loss(tf.constant(f), tf.constant(p), "median")


def test_style_loss_is_weighted_sum_of_gram_distances():
    features = {"a": rng.normal(size=(1, 6, 5, 3)), "b": rng.normal(size=(1, 3, 2, 7))}
    targets = {name: numpy_gram(rng.normal(size=f.shape))[None] for name, f in features.items()}
    weights = {"a": 0.3, "b": 2.0}
    expected = sum(
        w * ((numpy_gram(features[n]) - targets[n][0]) ** 2).mean() for n, w in weights.items()
    )
    got = losses.style_loss(
        {n: tf.constant(f) for n, f in features.items()},
        {n: tf.constant(t) for n, t in targets.items()},
        weights,
    )
    assert got.numpy() == pytest.approx(expected, rel=1e-12)
    with pytest.raises(KeyError, match="'c'"):
        losses.style_loss({n: tf.constant(f) for n, f in features.items()}, targets, {"c": 1.0})


def numpy_tv(image: np.ndarray, power: int) -> float:
    total = 0.0
    _, h, w, c = image.shape
    for i in range(h):
        for j in range(w):
            for k in range(c):
                if i + 1 < h:
                    total += abs(image[0, i + 1, j, k] - image[0, i, j, k]) ** power
                if j + 1 < w:
                    total += abs(image[0, i, j + 1, k] - image[0, i, j, k]) ** power
    return total


def test_total_variation_l1_squared_and_tf_image():
    image = rng.random((1, 6, 9, 3))
    l1 = losses.total_variation(tf.constant(image), "l1").numpy()
    assert l1 == pytest.approx(numpy_tv(image, 1), rel=1e-12)
    assert l1 == pytest.approx(
        float(tf.reduce_sum(tf.image.total_variation(tf.constant(image)))), rel=1e-12
    )
    assert losses.total_variation(tf.constant(image), "squared").numpy() == pytest.approx(
        numpy_tv(image, 2), rel=1e-12
    )
    assert losses.total_variation(tf.ones((1, 4, 4, 3))).numpy() == 0.0
    with pytest.raises(ValueError, match="unknown total variation kind 'l3'"):
        losses.total_variation(tf.constant(image), "l3")


def central_differences(function, x: np.ndarray, coordinates, h=1e-6) -> np.ndarray:
    out = []
    for index in coordinates:
        step = np.zeros_like(x)
        step[index] = h
        out.append(
            (function(tf.constant(x + step)).numpy() - function(tf.constant(x - step)).numpy())
            / (2 * h)
        )
    return np.array(out)


@pytest.mark.parametrize(
    "name, function",
    [
        ("style", lambda f: losses.style_layer_loss(losses.gram_matrix(f), TARGET_GRAM)),
        ("content_mean", lambda f: losses.content_loss(f, TARGET_FEATURES)),
        ("content_sum", lambda f: losses.content_loss(f, TARGET_FEATURES, "sum")),
        ("tv_squared", lambda f: losses.total_variation(f, "squared")),
        ("tv_l1", lambda f: losses.total_variation(f, "l1")),
    ],
)
def test_gradients_match_finite_differences(name, function):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(1, 4, 5, 3))
    with tf.GradientTape() as tape:
        variable = tf.constant(x)
        tape.watch(variable)
        value = function(variable)
    gradient = tape.gradient(value, variable).numpy()
    coordinates = [tuple(rng.integers(0, s) for s in x.shape) for _ in range(12)]
    numeric = central_differences(function, x, coordinates)
    analytic = np.array([gradient[c] for c in coordinates])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6)


TARGET_GRAM = tf.constant(numpy_gram(rng.normal(size=(1, 4, 5, 3)))[None])
TARGET_FEATURES = tf.constant(rng.normal(size=(1, 4, 5, 3)))


def test_guided_gram_matrices_match_numpy_and_a_mask_of_ones_is_the_gram_matrix():
    from stlib import masks

    rng = np.random.default_rng(3)
    features = rng.standard_normal((1, 6, 8, 5)).astype(np.float32)
    soft = masks.feather(np.stack([masks.split("left", 6, 8), masks.split("right", 6, 8)]), 1.5)
    guided = losses.guided_gram_matrices(tf.constant(features), tf.constant(soft)).numpy()
    flat = features[0].reshape(-1, 5)
    for r in range(2):
        weight = soft[r].reshape(-1, 1) ** 2
        expected = (weight * flat).T @ flat / weight.sum()
        np.testing.assert_allclose(guided[r], expected, rtol=1e-5, atol=1e-6)
    ones = losses.guided_gram_matrices(tf.constant(features), tf.ones((1, 6, 8)))
    np.testing.assert_allclose(ones, losses.gram_matrix(tf.constant(features)), rtol=1e-5)
