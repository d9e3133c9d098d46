"""Notebook 03's checks pass right answers, fail wrong ones with a hint, report stubs as not
attempted."""

from __future__ import annotations

import tensorflow as tf

from stlib import vgg
from stlib.exercises import nb03
from stlib.exercises.solutions import nb03 as solutions
from stlib.gatys import GatysConfig, Objective, feature_extractor


def test_total_variation_check():
    def vertical_only(images, kind):
        return tf.reduce_sum(tf.abs(images[:, 1:] - images[:, :-1]))

    assert nb03.check_total_variation(solutions.total_variation)
    wrong = nb03.check_total_variation(vertical_only)
    assert not wrong and "in both directions" in wrong.message
    always_l1 = nb03.check_total_variation(lambda im, kind: solutions.total_variation(im, "l1"))
    assert not always_l1 and "case 2" in always_l1.message  # case 1 is l1, case 2 squared
    assert "not attempted" in nb03.check_total_variation(lambda im, kind: None).message


def test_conv_flops_check():
    def c_out_squared(layer, h, w):  # the layer's own channel count as input: C_out^2
        k = vgg.DOWNSAMPLING[layer]
        return 2 * 9 * vgg.CHANNELS[layer] ** 2 * (h // 2**k) * (w // 2**k)

    assert nb03.check_conv_flops(solutions.conv_flops)
    wrong = nb03.check_conv_flops(c_out_squared)
    assert not wrong and "C_in is the previous convolution's channel count" in wrong.message
    assert not nb03.check_conv_flops(lambda layer, h, w: solutions.conv_flops(layer, h, w) // 2)


def _notebook_like_objective():
    config = GatysConfig(
        content_layers={"block2_conv1": 1.0},
        style_layers={"block1_conv1": 0.3, "block2_conv1": 0.7},
        style_weight=0.5,
        tv_weight=0.1,
    )
    content, style, image = (
        tf.random.stateless_uniform([1, 16, 16, 3], seed=[7, k]) for k in range(3)
    )
    features = feature_extractor(config, weights=None)
    return Objective(config, features, content, [style], [1.0]), image


def test_total_loss_check():
    objective, image = _notebook_like_objective()
    assert nb03.check_total_loss(solutions.total_loss)  # the check's own three objectives
    assert nb03.check_total_loss(solutions.total_loss, objective, image)  # and the notebook's

    def no_tv(config, raw_content, raw_style, raw_tv):
        return solutions.total_loss(config, raw_content, raw_style, 0.0)

    wrong = nb03.check_total_loss(no_tv, objective, image)
    assert not wrong and "gamma * TV" in wrong.message

    def no_content_layer_weights(config, raw_content, raw_style, raw_tv):  # forgets u_l
        unit = config.replace(content_layers={layer: 1.0 for layer in config.content_layers})
        return solutions.total_loss(unit, raw_content, raw_style, raw_tv)

    # Right on the notebook-like objective (u_l = 1) and on the check's first, wrong on the second.
    forgot_u = nb03.check_total_loss(no_content_layer_weights, objective, image)
    assert not forgot_u and forgot_u.message.startswith("case 3")
    assert "u_l, w_l = config.content_layers[l]" in forgot_u.message
    assert "not attempted" in nb03.check_total_loss(lambda *terms: None, objective, image).message


def test_unweighted_terms_add_up_to_the_objective():
    objective, image = _notebook_like_objective()
    raw_content, raw_style, raw_tv = nb03.unweighted_terms(objective, image)
    assert set(raw_content) == {"block2_conv1"} and set(raw_style) == {
        "block1_conv1",
        "block2_conv1",
    }
    total = solutions.total_loss(objective.config, raw_content, raw_style, raw_tv)
    assert abs(total / float(objective.terms(image)["total"]) - 1) < 1e-5


def test_style_gradient_check_catches_a_wrong_constant_and_the_transpose():
    assert nb03.check_style_gradient(solutions.style_gradient)
    doubled = nb03.check_style_gradient(lambda f, a: 2.0 * solutions.style_gradient(f, a))
    assert not doubled and doubled.attempted and "4 / (N^2 M)" in doubled.message


def test_adam_loop_check_catches_another_learning_rate_and_a_missing_clip():
    assert nb03.check_adam_loop(solutions.adam_loop)
    faster = nb03.check_adam_loop(lambda o, s, n, lr: solutions.adam_loop(o, s, n, 2 * lr))
    assert not faster and faster.attempted

    def unclipped(objective, start, steps, learning_rate):
        import keras

        pixels, recorded = tf.Variable(start), []
        adam = keras.optimizers.Adam(learning_rate=learning_rate)
        for _ in range(steps):
            terms, gradient = objective.value_and_gradient(tf.convert_to_tensor(pixels))
            recorded.append(float(terms["total"]))
            adam.apply_gradients([(gradient, pixels)])
        return tf.convert_to_tensor(pixels), recorded

    assert not nb03.check_adam_loop(unclipped)
