"""The Gatys engine: presets against independent formulas, gradients, runs, callbacks, controls."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from stlib import color, images, vgg
from stlib.gatys import (
    GatysConfig,
    Objective,
    StopTransfer,
    every,
    feature_extractor,
    preset,
    transfer,
)
from stlib.gatys.objective import blended_grams

rng = np.random.default_rng(0)
CONTENT = tf.constant(rng.random((1, 48, 64, 3)), tf.float32)
STYLE = tf.constant(rng.random((1, 40, 40, 3)), tf.float32)
STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]


def smooth_image(seed: int, height: int = 64, width: int = 80) -> tf.Tensor:
    """A fixed, natural-ish image (smooth colour fields plus an edge), not noise."""
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    r = 0.5 + 0.4 * np.sin(6 * x + seed)
    g = 0.5 + 0.4 * np.cos(5 * y - seed)
    b = np.where(x + y > 0.8, 0.8, 0.2)
    return tf.constant(np.stack([r, g, b], -1)[None], tf.float32)


# --- presets against the published formulas, computed independently -------------------------


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


@pytest.mark.weights
def test_objective_gradient_matches_a_directional_finite_difference(vgg_weights):
    config = preset("stlib", tv_weight=1.0)
    objective = Objective(
        config, feature_extractor(config), smooth_image(0), [smooth_image(2)], [1.0]
    )
    image = smooth_image(5)
    _, gradient = objective.value_and_gradient(image)
    direction = tf.constant(np.random.default_rng(3).normal(size=image.shape), tf.float32)
    direction /= tf.norm(direction)
    h = 1e-2
    plus = float(objective.terms(image + h * direction)["total"])
    minus = float(objective.terms(image - h * direction)["total"])
    numeric = (plus - minus) / (2 * h)
    analytic = float(tf.reduce_sum(gradient * direction))
    assert analytic == pytest.approx(numeric, rel=2e-2)


@pytest.mark.weights
def test_bfloat16_objective_agrees_with_float32_on_loss_and_gradient(
    vgg_weights, samples_available
):
    config = preset("tf-tutorial", size=96)
    content, style = _load("tuebingen", 96), _load("starry_night", 96)
    exact = Objective(config, feature_extractor(config), content, [style], [1.0])
    fast = Objective(
        config, feature_extractor(config, precision="bfloat16"), content, [style], [1.0]
    )
    image = 0.7 * content + 0.3 * images.resize_to(
        style, *content.shape[1:3]
    )  # a half-way pastiche
    (terms, gradient), (terms16, gradient16) = (
        exact.value_and_gradient(image),
        fast.value_and_gradient(image),
    )
    assert float(terms16["total"]) == pytest.approx(float(terms["total"]), rel=0.03)
    assert float(terms16["total"]) != float(terms["total"])  # really computed in bfloat16
    g, g16 = (
        gradient.numpy().ravel().astype(np.float64),
        gradient16.numpy().ravel().astype(np.float64),
    )
    # The same descent direction on real images (0.997 measured). On smooth synthetic images it can
    # drop to 0.8: bfloat16 is a speed option to check on one's own images, not a free default.
    assert g @ g16 / (np.linalg.norm(g) * np.linalg.norm(g16)) > 0.99


# --- real runs ------------------------------------------------------------------------------


@pytest.mark.weights
@pytest.mark.slow
def test_short_run_lowers_style_loss_and_keeps_the_content(vgg_weights, samples_available):
    config = preset("stlib", size=128, steps=40)
    result = transfer("tuebingen", "starry_night", config, progress=False)
    history = result.history
    assert result.image.shape == (1, 96, 128, 3)
    assert history.terms["style"][-1] < 0.1 * history.terms["style"][0]  # style loss down by > 90 %
    assert history.total[-1] < history.total[0]
    content = images.load(images.to_numpy(images.load(_sample("tuebingen"), 128)))
    style = images.resize_to(images.load(_sample("starry_night")), 96, 128)
    similarity_to_content = float(tf.image.ssim(result.image, content, 1.0)[0])
    style_as_pastiche = float(tf.image.ssim(style, content, 1.0)[0])
    assert similarity_to_content > 0.2 and similarity_to_content > 3 * style_as_pastiche
    assert float(tf.reduce_mean(tf.abs(result.image - content))) > 0.03  # and it really changed
    # The pastiche's Gram matrices moved toward the style's: its style loss against the style is far
    # lower than the content image's own.
    objective = Objective(
        config,
        feature_extractor(config),
        content,
        [images.load(_sample("starry_night"), 128)],
        [1.0],
    )
    assert float(objective.terms(result.image)["style"]) < 0.2 * float(
        objective.terms(content)["style"]
    )


def _sample(name):
    from stlib import data

    return data.path(name)


def _load(name, size):
    return images.load(_sample(name), size)


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_pixels_stay_in_the_unit_box(optimizer):
    config = GatysConfig(
        size=64, steps=5, optimizer=optimizer, learning_rate=0.5, init="noise", noise_std=2.0
    )
    result = transfer(CONTENT, STYLE, config, progress=False, weights=None)
    values = result.image.numpy()
    assert values.min() >= 0.0 and values.max() <= 1.0
    assert len(result.history) == 5 and result.history.total[-1] < result.history.total[0]


def test_history_records_every_term_per_step_and_serialises():
    result = transfer(
        CONTENT, STYLE, GatysConfig(size=64, steps=4, tv_weight=1e-3), progress=False, weights=None
    )
    history = result.history
    assert history.steps == [1, 2, 3, 4]
    for i in range(4):
        parts = history.terms["content"][i] + history.terms["style"][i] + history.terms["tv"][i]
        assert history.terms["total"][i] == pytest.approx(parts, rel=1e-5)
    assert all(b >= a for a, b in zip(history.seconds, history.seconds[1:]))
    assert json.loads(history.to_json())["terms"]["total"] == history.total
    image, history_again, config = result  # unpacks as (image, history, config)
    assert config.steps == 4 and history_again is history


def test_callbacks_see_steps_snapshots_and_can_stop():
    seen, snapshots = [], []

    def watch(step):
        seen.append(step.step)
        if step.step == 6:
            raise StopTransfer

    config = GatysConfig(size=64, steps=20)
    result = transfer(
        CONTENT,
        STYLE,
        config,
        progress=False,
        weights=None,
        callbacks=[watch, every(2, lambda s: snapshots.append((s.step, s.image.shape)))],
    )
    assert seen == [1, 2, 3, 4, 5, 6]
    assert snapshots == [
        (2, (1, 48, 64, 3)),
        (4, (1, 48, 64, 3)),
    ]  # step 6 raised before every() ran
    assert result.history.stopped_early and len(result.history) == 6
    with pytest.raises(ValueError, match="k >= 1"):
        every(0, print)


def test_bfloat16_lbfgs_finishes_in_float32_when_its_line_search_stalls(monkeypatch):
    """L-BFGS in bfloat16 ends early once rounding hides the decrease, then goes on in float32."""
    from stlib.gatys import optimizers

    calls = []
    real = optimizers._lbfgs_b

    def stalls_in_bfloat16(objective, image, steps, history_size, report):
        calls.append((objective.features.precision, steps))
        if objective.features.precision == "bfloat16":
            return real(
                objective, image, 3, history_size, report
            )  # as if the line search gave up at step 3
        return real(objective, image, steps, history_size, report)

    monkeypatch.setattr(optimizers, "_lbfgs_b", stalls_in_bfloat16)
    config = GatysConfig(size=64, steps=8, precision="bfloat16")
    result = transfer(CONTENT, STYLE, config, progress=False, weights=None)
    history = result.history
    assert calls == [("bfloat16", 8), ("float32", 5)]
    assert history.steps == list(range(1, 9)) and history.precision_switches == [3]
    assert (
        history.evaluations == sorted(history.evaluations)
        and history.evaluations[3] > history.evaluations[2]
    )
    assert json.loads(history.to_json())["precision_switches"] == [3]


def test_bfloat16_adam_runs_without_a_switch():
    config = GatysConfig(
        size=64, steps=4, optimizer="adam", learning_rate=0.05, precision="bfloat16"
    )
    result = transfer(CONTENT, STYLE, config, progress=False, weights=None)
    assert len(result.history) == 4 and result.history.precision_switches == []
    assert result.history.total[-1] < result.history.total[0]


def test_multiscale_runs_coarse_to_fine():
    config = GatysConfig(size=64, scales=(0.5, 1.0), steps=(3, 2))
    result = transfer(CONTENT, STYLE, config, progress=False, weights=None)
    assert result.history.sizes == [(24, 32), (48, 64)]
    assert result.history.scale == [0, 0, 0, 1, 1]
    assert result.image.shape == (1, 48, 64, 3)


def test_noise_init_is_seeded():
    def run(seed):
        return transfer(
            CONTENT,
            STYLE,
            GatysConfig(size=64, steps=1, init="noise", seed=seed),
            progress=False,
            weights=None,
        ).image.numpy()

    np.testing.assert_array_equal(run(1), run(1))
    assert not np.allclose(run(1), run(2))


def test_init_from_an_image_and_from_the_style():
    target = tf.fill((1, 40, 40, 3), 0.25)
    seen = []
    callback = lambda s: seen.append(s.image)  # noqa: E731
    config = GatysConfig(size=64, steps=1, optimizer="adam", learning_rate=1e-9)
    transfer(
        CONTENT,
        STYLE,
        config,
        progress=False,
        weights=None,
        init_image=target,
        callbacks=[callback],
    )
    np.testing.assert_allclose(
        seen[-1].numpy(), 0.25, atol=1e-4
    )  # a tiny step from the given image
    transfer(
        CONTENT,
        STYLE,
        config.replace(init="style"),
        progress=False,
        weights=None,
        callbacks=[callback],
    )
    np.testing.assert_allclose(seen[-1].numpy(), images.resize_to(STYLE, 48, 64).numpy(), atol=1e-4)


def test_style_blending_mixes_gram_matrices():
    features = vgg.VGGFeatures(["relu1_1", "relu2_1"], weights=None)
    other = tf.constant(rng.random((1, 32, 48, 3)), tf.float32)
    only_first = blended_grams(features, [STYLE, other], [1.0, 0.0], ["relu1_1", "relu2_1"])
    single = blended_grams(features, [STYLE], [1.0], ["relu1_1", "relu2_1"])
    half = blended_grams(features, [STYLE, other], [3.0, 3.0], ["relu1_1", "relu2_1"])
    second = blended_grams(features, [other], [1.0], ["relu1_1", "relu2_1"])
    for name in ("relu1_1", "relu2_1"):
        np.testing.assert_allclose(only_first[name].numpy(), single[name].numpy(), rtol=1e-6)
        np.testing.assert_allclose(
            half[name].numpy(), (single[name] + second[name]).numpy() / 2, rtol=1e-5
        )
    with pytest.raises(ValueError, match="2 weights for 1 style images"):
        transfer(
            CONTENT,
            STYLE,
            GatysConfig(size=64, steps=1, style_blend_weights=(1, 1)),
            progress=False,
            weights=None,
        )


def test_luminance_preservation_keeps_the_content_colours():
    config = GatysConfig(size=64, steps=3, preserve_color="luminance")
    result = transfer(CONTENT, STYLE, config, progress=False, weights=None)
    content_iq = color.rgb_to_yiq(images.resize_to(CONTENT, 48, 64)).numpy()[..., 1:]
    result_iq = color.rgb_to_yiq(result.image).numpy()[..., 1:]
    # Only clipping to [0, 1] may move I and Q.
    assert np.mean(np.abs(result_iq - content_iq)) < 0.02


def test_histogram_preservation_recolours_the_style_toward_the_content(monkeypatch):
    seen_styles = []

    class Spy(Objective):
        def __init__(self, config, features, content, styles, blend):
            seen_styles.extend(styles)
            super().__init__(config, features, content, styles, blend)

    monkeypatch.setattr("stlib.gatys.engine.Objective", Spy)
    red_style = tf.concat(
        [tf.fill((1, 40, 40, 1), 0.9), tf.random.uniform((1, 40, 40, 2), 0, 0.2, seed=1)], -1
    )
    transfer(
        CONTENT,
        red_style,
        GatysConfig(size=64, steps=1, preserve_color="histogram"),
        progress=False,
        weights=None,
    )
    recoloured = seen_styles[0].numpy().reshape(-1, 3).mean(0)
    np.testing.assert_allclose(recoloured, CONTENT.numpy().reshape(-1, 3).mean(0), atol=0.03)


# Bad settings: tests/test_config.py checks every field's message.


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
