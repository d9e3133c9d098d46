"""The objective of one scale (stlib/gatys/objective.py): its gradient against a finite
difference, bfloat16 against float32, style blending as the mean of Gram matrices, and
Objective.from_images as the objective built by hand."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from gatys_test_images import directional_derivatives, load_sample, smooth_image

from stlib import images, vgg
from stlib.gatys import GatysConfig, Objective, feature_extractor, preset, transfer
from stlib.gatys.objective import blended_grams


@pytest.mark.weights
def test_objective_gradient_matches_a_directional_finite_difference(vgg_weights):
    config = preset("stlib", tv_weight=1.0)
    objective = Objective(
        config, feature_extractor(config), smooth_image(0), [smooth_image(2)], [1.0]
    )
    analytic, numeric = directional_derivatives(objective, smooth_image(5), seed=3)
    assert analytic == pytest.approx(numeric, rel=2e-2)


@pytest.mark.weights
def test_bfloat16_objective_agrees_with_float32_on_loss_and_gradient(
    vgg_weights, samples_available
):
    config = preset("tf-tutorial", size=96)
    content, style = load_sample("tuebingen", 96), load_sample("starry_night", 96)
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


def test_style_blending_mixes_gram_matrices(content, style, second_style):
    features = vgg.VGGFeatures(["relu1_1", "relu2_1"], weights=None)
    other = second_style  # [1, 32, 48, 3]
    only_first = blended_grams(features, [style, other], [1.0, 0.0], ["relu1_1", "relu2_1"])
    single = blended_grams(features, [style], [1.0], ["relu1_1", "relu2_1"])
    half = blended_grams(features, [style, other], [3.0, 3.0], ["relu1_1", "relu2_1"])
    second = blended_grams(features, [other], [1.0], ["relu1_1", "relu2_1"])
    for name in ("relu1_1", "relu2_1"):
        np.testing.assert_allclose(only_first[name].numpy(), single[name].numpy(), rtol=1e-6)
        np.testing.assert_allclose(
            half[name].numpy(), (single[name] + second[name]).numpy() / 2, rtol=1e-5
        )
    with pytest.raises(ValueError, match="2 weights for 1 style images"):
        transfer(
            content,
            style,
            GatysConfig(size=64, steps=1, mix=(1, 1)),
            progress=False,
            weights=None,
        )


def test_from_images_equals_the_objective_built_by_hand(content, style):
    config = GatysConfig(tv_weight=1.0)
    by_hand = Objective(config, feature_extractor(config, weights=None), content, [style], [1.0])
    made = Objective.from_images(config, content, style, weights=None)
    image = smooth_image(5, 48, 64)
    expected, terms = by_hand.terms(image), made.terms(image)
    assert set(terms) == set(expected) == {"content", "style", "tv", "total"}
    for name in expected:
        assert float(expected[name]) > 0.0
        assert float(terms[name]) == pytest.approx(float(expected[name]), rel=1e-6), name


def test_style_layer_terms_add_up_to_the_style_term(content, style):
    config = GatysConfig(size=64, style_layers={"relu1_1": 0.3, "relu2_1": 0.7}, style_weight=2.0)
    objective = Objective.from_images(config, content, style, weights=None)
    image = tf.clip_by_value(content + 0.1, 0.0, 1.0)
    per_layer = objective.style_layer_terms(image)
    assert set(per_layer) == {"relu1_1", "relu2_1"} and all(v > 0 for v in per_layer.values())
    assert sum(per_layer.values()) == pytest.approx(
        float(objective.terms(image)["style"]), rel=1e-5
    )


def test_objectives_of_equal_settings_share_one_trace_and_use_their_own_targets_and_weights():
    """The compiled program takes the targets and weights as arguments: a second objective of
    the same settings reuses the trace, and its numbers are its own (none baked in)."""
    light = GatysConfig(size=32, content_weight=1.0, style_weight=1.0, tv_weight=1.0)
    heavy = light.replace(content_weight=1000.0, tv_weight=5.0)
    features = feature_extractor(light, weights=None)
    assert feature_extractor(heavy, weights=None) is features  # kept per settings
    a = Objective(light, features, smooth_image(0, 32), [smooth_image(2, 32)], [1.0])
    b = Objective(heavy, features, smooth_image(0, 32), [smooth_image(2, 32)], [1.0])
    other_style = Objective(light, features, smooth_image(0, 32), [smooth_image(4, 32)], [1.0])
    assert a.program is b.program is other_style.program
    x = smooth_image(5, 32)
    terms_a, gradient_a = a.value_and_gradient(x)
    traces = a.program.experimental_get_tracing_count()
    terms_b, _ = b.value_and_gradient(x)
    terms_c, _ = other_style.value_and_gradient(x)
    assert a.program.experimental_get_tracing_count() == traces  # no new trace
    assert float(terms_b["content"]) == pytest.approx(1000 * float(terms_a["content"]), rel=1e-5)
    assert float(terms_b["tv"]) == pytest.approx(5 * float(terms_a["tv"]), rel=1e-5)
    assert float(terms_c["style"]) != pytest.approx(float(terms_a["style"]), rel=1e-3)
    for objective, compiled in [(a, terms_a), (b, terms_b), (other_style, terms_c)]:
        eager = objective.terms(x)
        for name in ("content", "style", "tv", "total"):
            assert float(compiled[name]) == pytest.approx(float(eager[name]), rel=1e-5), name
    _, eager_gradient = a.terms_and_gradient(x)
    scale = float(np.abs(eager_gradient.numpy()).max())  # graph and eager kernels round apart
    np.testing.assert_allclose(gradient_a.numpy(), eager_gradient.numpy(), atol=1e-5 * scale)


def test_a_second_lbfgs_tf_run_of_equal_settings_reuses_the_compiled_loop(content, style):
    from stlib.gatys import lbfgs_tf

    config = GatysConfig(size=48, steps=4, optimizer="lbfgs-tf", init="noise", seed=1)
    first = transfer(content, style, config, progress=False, weights=None)
    kept = dict(lbfgs_tf._COMPILED)
    changed = config.replace(style_weight=config.style_weight * 10)
    second = transfer(content, style, changed, progress=False, weights=None)
    assert lbfgs_tf._COMPILED.keys() == kept.keys()  # the same loop, no new one
    assert all(lbfgs_tf._COMPILED[key] is loop for key, loop in kept.items())
    # Its losses are the changed objective's: ten times the style weight shows in the numbers
    # (from the same seeded start; after one step the images differ a little).
    assert second.history.terms["style"][0] > 3 * first.history.terms["style"][0]
