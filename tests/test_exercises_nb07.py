"""Notebook 07's checks pass right answers, fail wrong ones with a hint, report stubs as not
attempted; the layer table behind Exercise 1 is read back from the official TFLite files, and the
reference of Exercise 2 is what the real stylizer paints with."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from stlib.exercises import nb07
from stlib.exercises.solutions import nb07 as solutions


def test_cin_numbers_check():
    assert nb07.check_cin_numbers(solutions.cin_numbers)
    assert solutions.cin_numbers == (694, 70094)  # 10 x 32 + 16 + 8 + 3 = 347 channels
    assert nb07.check_cin_numbers([694, 70094])  # a list will do
    only_gamma = nb07.check_cin_numbers((347, 70094))
    assert not only_gamma and "two numbers per style: a scale and a shift" in only_gamma.message
    with_contract = nb07.check_cin_numbers((2 * (347 + 56), 70094))
    assert not with_contract and "batch normalisation" in with_contract.message
    no_bias = nb07.check_cin_numbers((694, 69400))
    assert not no_bias and "also has a bias" in no_bias.message
    assert "Give a pair of integers" in nb07.check_cin_numbers(694).message
    assert not nb07.check_cin_numbers((694, 70094.5))  # exact
    assert "not attempted" in nb07.check_cin_numbers(None).message


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
    per_style, parameters = nb07._cin_numbers()
    weights = sum(np.prod(shape) for shape in maps.values())
    assert (per_style, parameters) == (
        2 * sum(nb07.CIN_LAYERS.values()),
        weights + sum(np.prod(s) for s in biases),
    )
