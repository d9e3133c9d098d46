"""Notebook 07's checks pass right answers, fail wrong ones with a hint, report stubs as not
attempted; Exercise 1's reference gives the features back through stlib's own CIN layer, the
layer table and ``network_normalization`` are read back from the official TFLite files, and the
reference of Exercise 2 is what the real stylizer paints with."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import tensorflow as tf

from stlib.exercises import nb07
from stlib.exercises.solutions import nb07 as solutions


def _moments(x, axes=(1, 2), ddof=0):
    x = np.asarray(x, np.float64)
    return x.mean(axis=axes), x.var(axis=axes, ddof=ddof)


def test_identity_parameters_check():
    assert nb07.check_identity_parameters(solutions.identity_parameters)

    def with_tf(x):
        mean, variance = tf.nn.moments(tf.constant(x), axes=[1, 2])
        return tf.sqrt(variance + 1e-5), mean

    assert nb07.check_identity_parameters(with_tf)  # TensorFlow tensors will do
    assert nb07.check_identity_parameters(lambda x: np.stack(with_tf(x)))  # one [2, N, C] array

    def slip(gamma, beta, axes=(1, 2), ddof=0):
        def fn(x):
            mean, variance = _moments(x, axes, ddof)
            return gamma(mean, variance), beta(mean, variance)

        return fn

    root = lambda m, v: np.sqrt(v + 1e-5)  # noqa: E731
    mean = lambda m, v: m  # noqa: E731
    wrong = {
        "leaves the normalised map": slip(lambda m, v: np.ones_like(m), lambda m, v: 0 * m),
        "they are swapped": slip(mean, root),
        "the normalisation's own scale and shift": slip(
            lambda m, v: 1 / root(m, v), lambda m, v: -m / root(m, v)
        ),
        "not its inverse": slip(lambda m, v: 1 / root(m, v), mean),
        "not a variance": slip(lambda m, v: v + 1e-5, mean),
        "not the standard deviation alone": slip(lambda m, v: np.sqrt(v), mean),
        "Epsilon is inside the square root": slip(lambda m, v: np.sqrt(v) + 1e-5, mean),
        "unbiased variance": slip(root, mean, ddof=1),
    }
    for hint, fn in wrong.items():
        verdict = nb07.check_identity_parameters(fn)
        assert not verdict and hint in verdict.message, (hint, verdict.message)

    def over(axes):
        def fn(x):
            m, v = (np.asarray(a) for a in _moments(x, axes))
            shape = (x.shape[0], x.shape[3])
            m = np.broadcast_to(m.reshape(-1, 1) if axes == (1, 2, 3) else m, shape)
            v = np.broadcast_to(v.reshape(-1, 1) if axes == (1, 2, 3) else v, shape)
            return np.sqrt(v + 1e-5), m

        return fn

    batch = nb07.check_identity_parameters(over((0, 1, 2)))
    assert not batch and "(batch normalisation)" in batch.message
    layer = nb07.check_identity_parameters(over((1, 2, 3)))
    assert not layer and "(layer normalisation)" in layer.message
    batch_shape = nb07.check_identity_parameters(lambda x: _moments(x, (0, 1, 2))[::-1])
    assert not batch_shape and "each image has its own statistics" in batch_shape.message

    def keepdims(x):
        mean, variance = tf.nn.moments(tf.constant(x), axes=[1, 2], keepdims=True)
        return tf.sqrt(variance + 1e-5), mean

    kept = nb07.check_identity_parameters(keepdims)
    assert not kept and "without the H and W axes" in kept.message
    gamma_only = nb07.check_identity_parameters(lambda x: np.sqrt(x.var(axis=(1, 2)) + 1e-5))
    assert not gamma_only and "Return both" in gamma_only.message
    assert "raised ZeroDivisionError" in nb07.check_identity_parameters(lambda x: 1 / 0).message
    assert "not attempted" in nb07.check_identity_parameters(lambda x: None).message
    assert nb07.check_identity_parameters(None).tolerance == "rtol=1e-4, atol=1e-6"


def test_the_identity_parameters_give_the_features_back_through_stlibs_cin_layer():
    """The reference of Exercise 1 is what it claims: with it, stlib's own conditional instance
    norm (one style, weight 1) returns its input; gamma = 1, beta = 0 does not."""
    from stlib.cin.layers import ConditionalInstanceNorm

    x = np.random.default_rng(7).normal(3.0, 2.0, (2, 6, 5, 4)).astype(np.float32)
    x[1, ..., 2] = 0.5 + 1e-3 * x[1, ..., 2]  # almost constant: epsilon matters
    for image in x:
        gamma, beta = (
            np.asarray(a, np.float32) for a in solutions.identity_parameters(image[None])
        )
        layer = ConditionalInstanceNorm(1, nb07.EPSILON)
        layer.build(((1, *image.shape), (1, 1)))
        layer.gamma.assign(gamma)
        layer.beta.assign(beta)
        out = np.asarray(layer([image[None], np.ones((1, 1), np.float32)]))
        np.testing.assert_allclose(out[0], image, rtol=1e-4, atol=1e-4)
        layer.gamma.assign(np.ones_like(gamma))
        layer.beta.assign(np.zeros_like(beta))
        assert not np.allclose(layer([image[None], np.ones((1, 1), np.float32)])[0], image)


def _mix(weights, embeddings):
    return sum(w * e for w, e in zip(weights, embeddings))


def test_bottleneck_check():
    assert nb07.check_bottleneck(solutions.bottleneck)

    def swapped(content, styles, weights, strength):
        w = np.asarray(weights) / np.sum(weights)
        return strength * content + (1 - strength) * _mix(w, styles)

    def unnormalized(content, styles, weights, strength):
        return (1 - strength) * content + strength * _mix(weights, styles)

    def first_style_only(content, styles, weights, strength):
        return (1 - strength) * content + strength * styles[0]

    wrong = nb07.check_bottleneck(swapped)
    assert not wrong and "(1 - s) e_content + s e_style, not the other way" in wrong.message
    wrong = nb07.check_bottleneck(unnormalized)
    assert not wrong and "Normalise the weights to sum to one" in wrong.message
    wrong = nb07.check_bottleneck(first_style_only)
    assert not wrong and re.search(r"case 3: .* Mix first", wrong.message)
    assert "raised ZeroDivisionError" in nb07.check_bottleneck(lambda *args: 1 / 0).message
    assert "not attempted" in nb07.check_bottleneck(lambda *args: None).message


def test_the_bottleneck_reference_is_what_stylize_gives_the_transformer():
    """nb07.bottleneck records the embedding stlib's EmbeddingStylizer paints with: the
    normalised mix, then (1 - s) e_content + s e_mix, computed here independently."""
    rng = np.random.default_rng(1)
    content, a, b = (rng.normal(size=100).astype(np.float32) for _ in range(3))
    got = nb07._bottleneck(content, [a, b], [3.0, 1.0], 0.25)
    np.testing.assert_allclose(got, 0.75 * content + 0.25 * (0.75 * a + 0.25 * b), rtol=1e-5)
    np.testing.assert_allclose(nb07._bottleneck(content, [a], [1.0], 0.0), content, rtol=1e-6)
    np.testing.assert_allclose(nb07._bottleneck(content, [a, b], [0, 2], 1.0), b, rtol=1e-6)


def test_overlap_ramp_check():
    assert nb07.check_overlap_ramp(solutions.overlap_ramp)
    linear = nb07.check_overlap_ramp(lambda w: (np.arange(w) + 0.5) / w)
    assert not linear and "slope jumps at both ends" in linear.message
    endpoints = nb07.check_overlap_ramp(
        lambda w: 0.5 - 0.5 * np.cos(np.pi * np.arange(w) / max(w - 1, 1))
    )
    assert not endpoints and "pixel centres x = (i + 1/2) / width" in endpoints.message
    quarter_sine = nb07.check_overlap_ramp(lambda w: np.sin(0.5 * np.pi * (np.arange(w) + 0.5) / w))
    assert not quarter_sine and "must sum to one" in quarter_sine.message
    falling = nb07.check_overlap_ramp(lambda w: solutions.overlap_ramp(w)[::-1])
    assert not falling and "rises across the overlap" in falling.message
    assert "not attempted" in nb07.check_overlap_ramp(lambda w: None).message
    assert nb07.check_overlap_ramp(None).tolerance == "rtol=0, atol=1e-6"


def test_the_solution_ramp_blends_two_tiles_without_changing_a_flat_image():
    """What the ramp is for: two tiles painted alike blend to the same picture (weights sum to
    one), and the hand-over has no kink (zero slope at both ends of the overlap)."""
    ramp = solutions.overlap_ramp(64)
    np.testing.assert_allclose(ramp + ramp[::-1], 1.0, atol=1e-12)
    slope = np.diff(ramp)
    assert slope[0] < 0.1 * slope.max() and slope[-1] < 0.1 * slope.max()


@pytest.fixture(scope="module")
def transformer_tensors():
    """{name: shape} of every tensor of the dynamic TFLite transformer, or skip."""
    from stlib.arbitrary import models
    from stlib.arbitrary.tflite import interpreter_class

    try:
        path = models.model_path(models.TRANSFORMER_FILES["dynamic"], download=False)
    except models.ModelNotFoundError as error:
        pytest.skip(f"the arbitrary-style TFLite files are not available offline: {error}")
    interpreter, _ = interpreter_class()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        details = interpreter(model_path=str(path)).get_tensor_details()
    return {d["name"]: tuple(int(n) for n in d["shape"]) for d in details}


def test_the_cin_layers_are_those_of_the_tflite_transformer(transformer_tensors):
    # Each normalised layer has two 1x1 convolutions from the 100 numbers: gamma and beta.
    maps = {
        name: shape
        for name, shape in transformer_tensors.items()
        if name.startswith("style_params/") and re.search(r"/StyleNorm/Conv(_1)?/weights", name)
    }
    layers: dict[str, list[tuple[int, ...]]] = {}
    for name, shape in maps.items():
        layer = re.match(r"style_params/transformer/(.+?)(/conv)?/StyleNorm", name).group(1)
        layers.setdefault(layer, []).append(shape)
    assert {layer: len(shapes) for layer, shapes in layers.items()} == dict.fromkeys(
        nb07.CIN_LAYERS, 2
    )
    for layer, shapes in layers.items():
        assert all(shape == (nb07.CIN_LAYERS[layer], 1, 1, 100) for shape in shapes), layer
    biases = [
        shape
        for name, shape in transformer_tensors.items()
        if name.startswith("style_params/") and name.endswith("Conv2D_bias")
    ]
    assert sum(np.prod(shape) for shape in biases) == 2 * sum(nb07.CIN_LAYERS.values())
    # The contract convolutions have no parameters from the embedding.
    for layer, channels in nb07.CONTRACT_LAYERS.items():
        weights = [
            shape
            for name, shape in transformer_tensors.items()
            if name.startswith(f"transformer/{layer}/weights")
        ]
        assert weights and weights[0][0] == channels
        assert not any(name.startswith(f"style_params/transformer/{layer}/") for name in maps)


def test_network_normalization_reads_the_transformers_own_parameters(transformer_tensors):
    """network_normalization's gamma and beta are the outputs of the two 1x1 convolutions from
    the embedding (read here from other tensors of the file), they are affine in the embedding,
    and its statistics are those of a real feature map: a variance per channel, all positive."""
    from stlib.arbitrary import models
    from stlib.arbitrary.tflite import interpreter_class

    rng = np.random.default_rng(3)
    photo = rng.random((1, 64, 48, 3), dtype=np.float32)
    e1, e2 = (rng.normal(0.0, 0.5, 100).astype(np.float32) for _ in range(2))
    got = nb07.network_normalization(photo, e1)
    assert list(got) == list(nb07.CIN_LAYERS)
    interpreter_type, _ = interpreter_class()
    path = models.model_path(models.TRANSFORMER_FILES["dynamic"], download=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter = interpreter_type(model_path=str(path), experimental_preserve_all_tensors=True)
    inputs = {d["shape"][-1]: d["index"] for d in interpreter.get_input_details()}
    interpreter.resize_tensor_input(inputs[3], photo.shape, strict=False)
    interpreter.allocate_tensors()
    interpreter.set_tensor(inputs[3], photo)
    interpreter.set_tensor(inputs[100], e1.reshape(1, 1, 1, 100))
    interpreter.invoke()
    index = {d["name"]: d["index"] for d in interpreter.get_tensor_details()}
    for layer, channels in nb07.CIN_LAYERS.items():
        maps = [
            interpreter.get_tensor(index[name]).reshape(-1)
            for c in ("Conv", "Conv_1")
            for name in index
            if re.fullmatch(
                rf"style_params/transformer/{layer}(/conv)?/StyleNorm/{c}/BiasAdd", name
            )
        ]
        assert len(maps) == 2, layer
        values = got[layer]
        assert all(values[k].shape == (channels,) for k in ("mean", "variance", "gamma", "beta"))
        assert (values["variance"] > 0).all()
        # Magenta's style_prediction: beta first (Conv), then gamma (Conv_1).
        np.testing.assert_allclose(values["beta"], maps[0], rtol=1e-3, atol=1e-3)
        np.testing.assert_allclose(values["gamma"], maps[1], rtol=1e-3, atol=1e-3)
    # Affine in the embedding: the mean of two embeddings gives the mean of their parameters, up
    # to the 8-bit rounding the dynamic-range model applies to the embedding on the fly (~0.01).
    second = nb07.network_normalization(photo, e2)
    middle = nb07.network_normalization(photo, 0.5 * e1 + 0.5 * e2)
    for layer in nb07.CIN_LAYERS:
        for key in ("gamma", "beta"):
            np.testing.assert_allclose(
                middle[layer][key],
                0.5 * got[layer][key] + 0.5 * second[layer][key],
                rtol=0,
                atol=0.03,
            )
