"""The presets (stlib/gatys/presets.py): each equals its published loss term by term, computed
independently in NumPy on Keras' own VGG19; the list is named and every preset overridable."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from gatys_test_images import smooth_image

from stlib import vgg
from stlib.gatys import GatysConfig, Objective, feature_extractor, preset
from stlib.validation import SettingError

STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]


# --- presets against the published formulas, computed independently -------------------------------


def numpy_features(weights_path, layers, image: tf.Tensor, pooling: str) -> dict[str, np.ndarray]:
    """Feature maps from Keras' own VGG19 (max pooling) or stlib's (avg, tested in test_vgg)."""
    if pooling == "max":
        reference = keras.applications.VGG19(include_top=False, weights=str(weights_path))
        probe = keras.Model(reference.input, [reference.get_layer(n).output for n in layers])
        outputs = probe(keras.applications.vgg19.preprocess_input(image.numpy() * 255.0))
        outputs = (
            outputs if isinstance(outputs, (list, tuple)) else [outputs]
        )  # one output: no list
        return {n: np.asarray(o, np.float64)[0] for n, o in zip(layers, outputs)}
    maps = vgg.VGGFeatures(layers, pooling="avg")(image)
    return {n: maps[n].numpy().astype(np.float64)[0] for n in layers}


def raw_gram(f: np.ndarray) -> np.ndarray:
    flat = f.reshape(-1, f.shape[-1])
    return flat.T @ flat


@pytest.mark.weights
def test_tf_tutorial_preset_equals_the_tutorials_formula(vgg_weights):
    config = preset("tf-tutorial")
    content, style, image = smooth_image(0), smooth_image(2, 56, 72), smooth_image(5)
    c = numpy_features(vgg_weights, ["block5_conv2"], content, "max")
    s = numpy_features(vgg_weights, STYLE_LAYERS, style, "max")
    x = numpy_features(vgg_weights, STYLE_LAYERS + ["block5_conv2"], image, "max")
    # The tutorial: gram = einsum('bijc,bijd->bcd') / (H*W); style_weight / num_style_layers * sum
    # of mean squared Gram differences; content_weight / num_content_layers * mean squared
    # difference; plus 30 * tf.image.total_variation(image).
    gram = lambda f: raw_gram(f) / (f.shape[0] * f.shape[1])  # noqa: E731
    style_loss = 1e-2 / 5 * sum(np.mean((gram(x[n]) - gram(s[n])) ** 2) for n in STYLE_LAYERS)
    content_loss = 1e4 / 1 * np.mean((x["block5_conv2"] - c["block5_conv2"]) ** 2)
    tv = 30 * float(tf.image.total_variation(image)[0])
    objective = Objective(config, feature_extractor(config), content, [style], [1.0])
    terms = {k: float(v) for k, v in objective.terms(image).items()}
    assert terms["style"] == pytest.approx(style_loss, rel=1e-4)
    assert terms["content"] == pytest.approx(content_loss, rel=1e-4)
    assert terms["tv"] == pytest.approx(tv, rel=1e-5)
    assert terms["total"] == pytest.approx(style_loss + content_loss + tv, rel=1e-4)


@pytest.mark.weights
def test_gatys2016_preset_equals_the_papers_formula(vgg_weights):
    config = preset("gatys2016")
    # The paper's E_l uses one M for both Gram matrices, so the style image has the pastiche's size.
    content, style, image = smooth_image(1), smooth_image(3), smooth_image(4)
    layers = STYLE_LAYERS + ["block4_conv2"]
    c, s, x = (numpy_features(vgg_weights, layers, im, "avg") for im in (content, style, image))
    # The paper's network is normalised: each filter divided by its mean activation (sec. 2).
    factors = vgg.normalization_factors()["avg"]
    c, s, x = ({n: f[n] / factors[n] for n in layers} for f in (c, s, x))
    # L = alpha * 1/2 sum (F - P)^2 + beta * sum_l w_l / (4 N_l^2 M_l^2) sum (G_l - A_l)^2,
    # alpha = 1, beta = 1e3 (alpha/beta = 1e-3), w_l = 1/5, G and A unnormalised Gram matrices.
    content_loss = 0.5 * np.sum((x["block4_conv2"] - c["block4_conv2"]) ** 2)
    style_loss = 1e3 * sum(
        0.2
        / (4 * x[n].shape[-1] ** 2 * (x[n].shape[0] * x[n].shape[1]) ** 2)
        * np.sum((raw_gram(x[n]) - raw_gram(s[n])) ** 2)
        for n in STYLE_LAYERS
    )
    objective = Objective(config, feature_extractor(config), content, [style], [1.0])
    terms = {k: float(v) for k, v in objective.terms(image).items()}
    assert terms["content"] == pytest.approx(content_loss, rel=1e-4)
    assert terms["style"] == pytest.approx(style_loss, rel=1e-3)
    assert terms["tv"] == 0.0


@pytest.mark.weights
def test_neural_style_preset_equals_its_formula(vgg_weights):
    config = preset("neural-style")
    content, style, image = smooth_image(1), smooth_image(6), smooth_image(4)
    layers = STYLE_LAYERS + ["block4_conv2"]
    c, s, x = (numpy_features(vgg_weights, layers, im, "max") for im in (content, style, image))
    # neural-style: Gram = F F^T / (C H W); StyleLoss = MSE(G, A) * 100 per layer;
    # ContentLoss = MSE * 5; TV = 1e-3 * 1/2 sum of squared neighbour differences on the 0..255
    # image.
    gram = lambda f: raw_gram(f) / f.size  # noqa: E731
    style_loss = sum(100 * np.mean((gram(x[n]) - gram(s[n])) ** 2) for n in STYLE_LAYERS)
    content_loss = 5 * np.mean((x["block4_conv2"] - c["block4_conv2"]) ** 2)
    pixels = image.numpy()[0].astype(np.float64) * 255
    tv = 1e-3 * 0.5 * (np.sum(np.diff(pixels, axis=0) ** 2) + np.sum(np.diff(pixels, axis=1) ** 2))
    objective = Objective(config, feature_extractor(config), content, [style], [1.0])
    terms = {k: float(v) for k, v in objective.terms(image).items()}
    assert terms["style"] == pytest.approx(style_loss, rel=1e-3)
    assert terms["content"] == pytest.approx(content_loss, rel=1e-4)
    assert terms["tv"] == pytest.approx(tv, rel=1e-4)


# Bad settings: tests/gatys/test_config.py checks every field's message.


def test_presets_are_listed_and_overridable():
    with pytest.raises(
        ValueError,
        match="preset='vangogh': choose from 'stlib', 'gatys2016', 'tf-tutorial', 'neural-style'",
    ):
        preset("vangogh")
    config = preset("tf-tutorial", size=256, steps=10)
    assert (
        config.size,
        config.steps,
        config.learning_rate,
        config.adam_beta1,
        config.adam_epsilon,
    ) == (256, 10, 0.02, 0.99, 0.1)
    assert preset("neural-style").style_layers["block1_conv1"] == pytest.approx(1 / 64**2)
    assert GatysConfig.from_dict(json.loads(config.to_json())) == config


def test_unknown_preset_gets_a_suggestion():
    with pytest.raises(SettingError, match=r"preset='gatys': .*did you mean 'gatys2016'\?"):
        preset("gatys")
