"""ConditionalInstanceNorm, ReflectConv and NearestUpsample against numpy written here."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from stlib.cin.layers import ConditionalInstanceNorm, NearestUpsample, ReflectConv


def numpy_cin(x, weights, gamma, beta, eps=1e-5):
    """x [B, H, W, C], weights [B, N], gamma/beta [N, C], computed plainly in float64."""
    x = x.astype(np.float64)
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)  # biased, as instance norm uses
    g = (weights @ gamma)[:, None, None, :]
    b = (weights @ beta)[:, None, None, :]
    return g * (x - mean) / np.sqrt(var + eps) + b


@pytest.fixture
def cin_case():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(3, 7, 5, 4)) * [1, 10, 0.1, 3] + [0, 5, -2, 1]).astype("float32")
    weights = np.array([[1, 0, 0], [0, 0, 1], [0.25, 0.5, 0.25]], "float32")  # one-hot and a mix
    layer = ConditionalInstanceNorm(3)
    layer.build([x.shape, weights.shape])
    gamma = rng.normal(1, 0.5, size=(3, 4)).astype("float32")
    beta = rng.normal(0, 0.5, size=(3, 4)).astype("float32")
    layer.set_weights([gamma, beta])
    return layer, x, weights, gamma, beta


def test_cin_matches_numpy_for_one_hot_and_mixed_weights(cin_case):
    layer, x, weights, gamma, beta = cin_case
    got = np.asarray(layer([x, weights]))
    np.testing.assert_allclose(got, numpy_cin(x, weights, gamma, beta), rtol=1e-4, atol=1e-4)


def test_cin_removes_the_input_contrast_and_brightness(cin_case):
    """Instance norm's point for style transfer: x and 3x + 2 give the same output (up to the
    epsilon, negligible against unit variances)."""
    layer, _, weights, *_ = cin_case
    x = np.random.default_rng(3).normal(size=(3, 7, 5, 4)).astype("float32")
    np.testing.assert_allclose(layer([3 * x + 2, weights]), layer([x, weights]), atol=1e-3)


def test_cin_is_linear_in_the_style_weights(cin_case):
    """Mixing weights mix gamma and beta: the output of a mix is the mix of the outputs."""
    layer, x, _, *_ = cin_case
    a = np.array([[1, 0, 0]] * 3, "float32")
    b = np.array([[0, 1, 0]] * 3, "float32")
    mixed = layer([x, 0.3 * a + 0.7 * b])
    np.testing.assert_allclose(mixed, 0.3 * layer([x, a]) + 0.7 * layer([x, b]), atol=1e-5)


def test_cin_starts_as_plain_instance_norm():
    x = np.random.default_rng(1).normal(2, 3, size=(1, 6, 6, 2)).astype("float32")
    out = np.asarray(ConditionalInstanceNorm(2)([x, np.array([[0.0, 1.0]], "float32")]))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2)), 1, atol=1e-3)


def test_reflect_conv_matches_numpy():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 6, 5, 2)).astype("float32")
    layer = ReflectConv(3, 3, strides=2)
    y = np.asarray(layer(x))
    kernel = np.asarray(layer.kernel, np.float64)
    padded = np.pad(x[0], ((1, 1), (1, 1), (0, 0)), mode="reflect")
    expected = np.zeros((3, 3, 3))
    for i in range(3):
        for j in range(3):
            patch = padded[2 * i : 2 * i + 3, 2 * j : 2 * j + 3, :]
            expected[i, j] = np.einsum("hwc,hwco->o", patch, kernel)
    assert y.shape == (1, 3, 3, 3)
    np.testing.assert_allclose(y[0], expected, rtol=1e-4, atol=1e-5)
    assert not layer.conv.use_bias  # the normalisation after it would remove a bias


def test_nearest_upsample_repeats_each_pixel():
    x = np.arange(6, dtype="float32").reshape(1, 2, 3, 1)
    y = np.asarray(NearestUpsample(2)(x))[0, :, :, 0]
    np.testing.assert_array_equal(y, np.kron(x[0, :, :, 0], np.ones((2, 2))))


def test_layers_round_trip_through_their_config():
    for layer in (
        ConditionalInstanceNorm(4, epsilon=1e-3),
        ReflectConv(8, 9, 2),
        NearestUpsample(3),
    ):
        config = keras.saving.serialize_keras_object(layer)
        again = keras.saving.deserialize_keras_object(config)
        assert type(again) is type(layer) and again.get_config() == layer.get_config()
