"""Spatial control in Gatys' method (Gatys et al. 2017, section 4): the guided style term against
numpy layer by layer, a mask of ones against the unmasked objective, its gradient against a
finite difference, halves of a pastiche moving toward their own painting, and refusals."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from gatys_test_images import directional_derivatives, load_sample, smooth_image

from stlib import masks, metrics
from stlib.gatys import GatysConfig, Objective, feature_extractor, stylize
from stlib.validation import SettingError

LAYERS = {"relu1_1": 0.4, "relu2_1": 0.6}


def _config(**changes) -> GatysConfig:
    return GatysConfig(size=64, style_layers=LAYERS, style_weight=3.0, tv_weight=0.5, **changes)


def _halves(height: int, width: int) -> np.ndarray:
    return np.stack([masks.split("left", height, width), masks.split("right", height, width)])


def test_a_mask_of_ones_gives_the_unmasked_terms_and_gradient(content, style):
    config = _config()
    features = feature_extractor(config, weights=None)
    plain = Objective(config, features, content, [style], [1.0])
    ones = np.ones((1, *content.shape[1:3]), np.float32)
    placed = Objective(config, features, content, [style], [1.0], masks=ones)
    image = smooth_image(3, 48, 64)
    (terms, gradient), (terms_m, gradient_m) = (
        plain.value_and_gradient(image),
        placed.value_and_gradient(image),
    )
    for name in ("content", "style", "tv", "total"):
        assert float(terms_m[name]) == pytest.approx(float(terms[name]), rel=1e-5), name
    largest = float(tf.reduce_max(tf.abs(gradient)))  # float32 sums in another order: 1e-4
    np.testing.assert_allclose(gradient_m.numpy(), gradient.numpy(), rtol=0, atol=1e-4 * largest)


def _block_mean(mask: np.ndarray, factor: int) -> np.ndarray:
    h, w = mask.shape
    return mask.reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


def test_the_guided_style_term_matches_numpy_layer_by_layer(content, style, second_style):
    """Each layer's term is sum_r share_r mean((G_r - A_r)^2) with G_r the m^2-weighted mean outer
    product of the pastiche's features in region r (mask averaged over each layer's cells) and
    A_r the Gram matrix of painting r: computed here in numpy from the same VGG features."""
    config = _config()
    features = feature_extractor(config, weights=None)
    height, width = content.shape[1:3]
    soft = masks.feather(_halves(height, width), 3.0)  # soft seams: m^2 differs from m there
    objective = Objective(config, features, content, [style, second_style], [1, 1], masks=soft)
    image = smooth_image(4, 48, 64)
    per_layer = objective.style_layer_terms(image)

    maps = {k: v.numpy().astype(np.float64) for k, v in features(image).items()}
    paintings = [
        {k: v.numpy().astype(np.float64) for k, v in features(s).items()}
        for s in (style, second_style)
    ]
    shares = soft.mean(axis=(1, 2)) / soft.mean(axis=(1, 2)).sum()
    for name, weight in LAYERS.items():
        f = maps[name][0].reshape(-1, maps[name].shape[-1])  # [M, N]
        factor = height // maps[name].shape[1]
        expected = 0.0
        for r in range(2):
            m2 = (_block_mean(soft[r], factor) ** 2).reshape(-1, 1)
            guided = (m2 * f).T @ f / m2.sum()
            p = paintings[r][name][0].reshape(-1, f.shape[1])
            target = p.T @ p / len(p)
            expected += shares[r] * np.mean((guided - target) ** 2)
        assert per_layer[name] == pytest.approx(config.style_weight * weight * expected, rel=1e-4)
    assert sum(per_layer.values()) == pytest.approx(
        float(objective.terms(image)["style"]), rel=1e-5
    )


def test_the_masked_gradient_matches_a_directional_finite_difference(content, style, second_style):
    config = _config(content_weight=0.0)
    features = feature_extractor(config, weights=None)
    soft = masks.feather(_halves(*content.shape[1:3]), 2.0)
    objective = Objective(config, features, content, [style, second_style], [1, 1], masks=soft)
    analytic, numeric = directional_derivatives(objective, smooth_image(6, 48, 64), seed=2)
    assert analytic == pytest.approx(numeric, rel=2e-2)


@pytest.mark.weights
def test_each_half_of_the_pastiche_moves_toward_its_own_painting(vgg_weights, samples_available):
    """Left: The Starry Night, right: The Scream, from the same photo. Each half of the pastiche
    (the seam's quarter left out) is nearer its own painting than the other painting by the Gram
    distance (measured: left 0.79 to Starry Night vs 1.19 to The Scream, right 1.24 vs 1.56), and
    the left half is much nearer Starry Night than the right half is (0.79 vs 1.56)."""
    starry, scream = load_sample("starry_night", 128), load_sample("the_scream", 128)
    result = stylize(
        "tuebingen", [starry, scream], size=96, steps=40, masks=["left", "right"], progress=False
    )
    width = result.image.shape[2]
    left, right = result.image[:, :, : 3 * width // 8], result.image[:, :, 5 * width // 8 :]
    network = metrics.measuring_network()
    distance = {
        (half, painting): metrics.style_distance(image, target, network=network)["mean"]
        for half, image in (("left", left), ("right", right))
        for painting, target in (("starry", starry), ("scream", scream))
    }
    assert distance["left", "starry"] < distance["left", "scream"]
    assert distance["right", "scream"] < distance["right", "starry"]
    assert distance["left", "starry"] < distance["right", "starry"]


def test_masks_that_cannot_place_the_styles_are_refused_before_any_step(content, style):
    two = [style, style]
    with pytest.raises(masks.MaskError, match="1 mask for 2 paintings"):
        stylize(content, two, size=48, steps=1, masks=["left"], progress=False, weights=None)
    with pytest.raises(masks.MaskError, match="do not cover the photo"):
        stylize(content, two, size=48, steps=1, masks=["left", "top"], progress=False, weights=None)
    with pytest.raises(SettingError, match="mix"):
        stylize(content, two, size=48, steps=1, mix=(1, 3), masks=["left", "right"], progress=False)
    with pytest.raises(ValueError, match="one \\[H, W\\] mask per style image"):
        config = _config()
        Objective(
            config,
            feature_extractor(config, weights=None),
            content,
            two,
            [1, 1],
            np.ones((2, 8, 8)),
        )


@pytest.mark.parametrize(
    ("optimizer", "precision"),
    [("lbfgs", "float32"), ("lbfgs-tf", "bfloat16"), ("adam", "bfloat16")],
)
def test_every_route_and_the_coarse_to_fine_schedule_place_the_styles(
    content, style, second_style, optimizer, precision
):
    """The masks reach every optimiser and precision, and each scale gets them at its size (a
    mask of the wrong size would fail in the loss): the full-size steps lower the loss."""
    config = _config(optimizer=optimizer, precision=precision, scales=(0.5, 1.0), steps=(2, 3))
    regions = ["top", "bottom"]
    result = stylize(
        content, [style, second_style], config, masks=regions, progress=False, weights=None
    )
    assert result.image.shape == (1, 48, 64, 3) and len(result.history) == 5
    assert result.history.sizes == [(24, 32), (48, 64)]
    final_scale = result.history.total[2:]  # the three steps at full size
    assert final_scale[-1] < final_scale[0], final_scale
