"""A student cannot pass an exercise by calling the answer: every one-line delegation to the
library's version (or to the check's private reference) fails with "calls the library's version".

``DELEGATIONS`` holds, per check, the shortcuts a student could write instead of the exercise:
the library function itself, an alias through a lambda, a method of the library's class. Every
function exercise of ``EXERCISES`` has an entry; ``NO_SHORTCUT`` names the ones where the library
has nothing to call (and says why), and the value exercises ask for a number the checks compute
privately (no public name holds it).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_exercises_solutions import EXERCISES

from stlib import arbitrary, cin, color, losses, metrics, vgg
from stlib.arbitrary import tiling
from stlib.cin import SLIM26, MultiStyleTransformer, mixing
from stlib.cin.layers import ConditionalInstanceNorm
from stlib.cin.training import training_step
from stlib.exercises import DELEGATED, nb06, nb07, nb08
from stlib.gatys import engine, optimizers, preset
from stlib.gatys.objective import blended_grams, style_layer_factors


def _features(layer, height, width):
    return vgg.VGGFeatures([layer], weights=None)(tf.zeros([1, height, width, 3]))[layer]


def _feature_map_shape(height, width, layer):
    return tuple(_features(layer, height, width).shape[1:])


def _built(styles):
    network = MultiStyleTransformer(styles, SLIM26)
    network.build(None)
    return network


def _explorer_ratio():
    from stlib.widgets import ratio_of  # needs ipywidgets, as the nb04 checks do

    return ratio_of


def _taped_style_gradient(features, target_gram):
    with tf.GradientTape() as tape:
        tape.watch(features)
        error = losses.style_layer_loss(losses.gram_matrix(features), target_gram)
    return tape.gradient(error, features)


def _library_layer(x, style_weights, gamma, beta):
    layer = ConditionalInstanceNorm(gamma.shape[0])
    layer.build((x.shape, style_weights.shape))
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return layer([x, style_weights])


DELEGATIONS = {
    "nb01.check_preprocess": [
        vgg.preprocess,
        lambda images: keras.applications.vgg19.preprocess_input(255.0 * images),
    ],
    "nb01.check_feature_map_shape": [_feature_map_shape],
    "nb01.check_receptive_field": [
        lambda layer: vgg.receptive_fields()[vgg.canonical_layer(layer)]
    ],
    "nb02.check_content_loss": [losses.content_loss, lambda f, p: losses.style_layer_loss(f, p)],
    "nb02.check_gram_shape": [
        lambda layer, h, w: tuple(losses.gram_matrix(_features(layer, h, w)).shape),
        lambda layer, h, w: (1, *_feature_map_shape(h, w, layer)[-1:] * 2),
    ],
    "nb02.check_gram_matrix": [losses.gram_matrix],
    "nb02.check_style_layer_loss": [
        lambda f, s: losses.style_layer_loss(losses.gram_matrix(f), losses.gram_matrix(s))
    ],
    "nb03.check_style_gradient": [_taped_style_gradient],
    "nb03.check_adam_loop": [
        lambda objective, start, steps, rate: optimizers.minimize_adam(
            objective, start, steps, objective.config, None
        ),
        lambda objective, start, steps, rate: engine.stylize(start, start, config=objective.config),
    ],
    "nb03.check_total_variation": [
        lambda images, kind: losses.total_variation(images, kind),
        lambda images, kind: tf.reduce_sum(tf.image.total_variation(images)),
    ],
    "nb03.check_conv_flops": [lambda layer, h, w: vgg.forward_flops(h, w, layer)[layer]],
    "nb04.check_slider_for_paper_ratio": [
        lambda ratio: _explorer_ratio()(preset("gatys2016")) * ratio / 1e-3,
    ],
    "nb04.check_effective_style_weights": [style_layer_factors],
    "nb05.check_luminance": [color.luminance, lambda image: color.rgb_to_yiq(image)[..., :1]],
    "nb05.check_match_luminance": [color.match_luminance],
    "nb05.check_blended_gram": [
        lambda f1, f2, w1, w2: blended_grams(lambda m: {"l": m}, [f1, f2], [w1, w2], ["l"])["l"]
    ],
    "nb05.check_guided_gram": [
        lambda features, mask: losses.guided_gram_matrices(features, mask[None])[0]
    ],
    "nb06.check_conditional_instance_norm": [nb06._conditional_instance_norm, _library_layer],
    "nb06.check_mix_parameters": [
        nb06._mix_parameters,
        lambda w, t: np.stack([mixing.style_weights(row, t.shape[0]) for row in w]) @ t,
    ],
    "nb07.check_identity_parameters": [
        nb07._identity_parameters,
        lambda x: (  # gamma = std(x) / std(x_hat), x_hat from stlib's layer with gamma 1, beta 0
            np.std(x, axis=(1, 2))
            / np.std(
                _library_layer(
                    x,
                    np.ones((len(x), 1), np.float32),
                    np.ones((1, x.shape[-1]), np.float32),
                    np.zeros((1, x.shape[-1]), np.float32),
                ),
                axis=(1, 2),
            ),
            np.mean(x, axis=(1, 2)),
        ),
    ],
    "nb06.check_slim_numbers": [
        lambda styles: (SLIM26.numbers_per_style, _built(styles).count_params()),
        lambda styles: (990, nb06._slim_numbers(styles)[1]),
    ],
    "nb06.check_training_step": [
        lambda network, optimizer, photos, styles, loss: training_step(
            network, optimizer, photos, styles, loss
        )["total"],
    ],
    "nb07.check_bottleneck": [nb07._bottleneck],
    "nb07.check_overlap_ramp": [tiling.ramp],
    "nb08.check_gram_distance": [
        nb08._gram_distance,
        lambda x, s: float(
            tf.norm(losses.gram_matrix(x) - losses.gram_matrix(s)) / tf.norm(losses.gram_matrix(s))
        ),
    ],
    "nb08.check_psnr": [
        metrics.psnr,
        lambda image, reference: float(tf.image.psnr(image, reference, 1.0)[0]),
    ],
    "nb08.check_color_distance": [
        lambda image, reference, levels: metrics.color_distance(image, reference, levels=levels)
    ],
    "nb08.check_impostor": [
        lambda photo, painting: arbitrary.stylize(photo, painting, backend="tflite").image,
        lambda photo, painting: cin.stylize(photo, 0).image,
        lambda photo, painting: min(
            (np.roll(photo, k, axis=2) for k in (0, 30)),
            key=lambda x: metrics.style_distance(x, painting)["mean"],
        ),
    ],
}

# Function exercises with nothing in the library to hand the work to.
NO_SHORTCUT = {
    "nb03.check_total_loss": "the student's function gets the raw terms as numbers; the library "
    "weighs feature maps inside Objective, which the function never sees (weighted_terms is "
    "watched all the same)",
}

FUNCTION_EXERCISES = [e for e in EXERCISES if e.kind in ("function", "debug")]


def test_every_function_exercise_has_its_delegations():
    names = {str(exercise) for exercise in FUNCTION_EXERCISES}
    assert names == set(DELEGATIONS) | set(NO_SHORTCUT)
    assert not set(DELEGATIONS) & set(NO_SHORTCUT)


@pytest.mark.parametrize(
    "exercise", [e for e in FUNCTION_EXERCISES if str(e) in DELEGATIONS], ids=str
)
def test_a_delegation_to_the_library_fails(exercise):
    for number, delegate in enumerate(DELEGATIONS[str(exercise)], start=1):
        verdict = exercise.run(delegate)
        assert not verdict, f"delegation {number} passed"
        assert verdict.delegated and verdict.message.startswith(DELEGATED), (number, str(verdict))
        assert (
            "(stlib." in verdict.message
            or "(keras." in verdict.message
            or "(tensorflow" in (verdict.message)
        ), verdict.message  # it names what was called
