"""Checks for notebook 03 (Gatys style transfer): total variation, the FLOPs of a VGG layer, the total loss.

    from stlib.exercises import nb03
    nb03.check_total_variation(my_total_variation)        # fn(images, kind) -> scalar
    nb03.check_conv_flops(my_conv_flops)                  # fn(layer, height, width) -> int
    nb03.check_total_loss(my_total, objective, image)     # a number, against Objective.terms
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from stlib import losses, vgg
from stlib.exercises import Verdict, check_function, check_value

__all__ = ["check_total_variation", "check_conv_flops", "check_total_loss"]


def _tv_cases(seed: int = 3) -> list[tuple[tf.Tensor, str]]:
    """Random [B, H, W, 3] images in [0, 1] of several shapes (one batch of two), each with both kinds."""
    rng = np.random.default_rng(seed)
    shapes = [(1, 5, 7, 3), (1, 9, 4, 3), (2, 6, 6, 3)]
    images = [tf.constant(rng.random(shape, dtype=np.float32)) for shape in shapes]
    return [(image, kind) for image in images for kind in losses.TV_KINDS]


def check_total_variation(fn: Callable) -> Verdict:
    """``fn(images [B, H, W, 3], kind)`` -> scalar, against ``stlib.losses.total_variation`` for l1 and squared."""
    return check_function(
        "total variation",
        fn,
        lambda images, kind: losses.total_variation(images, kind).numpy(),
        _tv_cases(),
        rtol=1e-4,
        atol=1e-4,
        hint="Vertical neighbours: images[:, 1:] - images[:, :-1]; horizontal: images[:, :, 1:] - images[:, :, :-1]. "
        "Sum |d| (kind 'l1') or d**2 (kind 'squared') over the batch, all positions and channels, both directions.",
    )


_FLOP_LAYERS = ("block1_conv1", "block1_conv2", "block2_conv1", "block3_conv3", "block4_conv1", "block5_conv1")
_FLOP_SIZES = ((64, 64), (288, 384), (37, 53))


def check_conv_flops(fn: Callable) -> Verdict:
    """``fn(layer, height, width)`` -> FLOPs of that VGG19 convolution, against ``stlib.vgg.forward_flops``."""
    cases = [(layer, h, w) for layer in _FLOP_LAYERS for (h, w) in _FLOP_SIZES]
    return check_function(
        "FLOPs of one VGG layer",
        fn,
        lambda layer, h, w: vgg.forward_flops(h, w, layer)[layer],
        cases,
        rtol=1e-9,
        atol=0.5,
        hint="2 * 3 * 3 * C_in * C_out * h * w, where C_in is the previous convolution's channel count (3 for "
        "block1_conv1) and the map is h = height // 2**k after k poolings (vgg.DOWNSAMPLING[layer]).",
    )


def check_total_loss(answer, objective, image: tf.Tensor) -> Verdict:
    """A total loss computed by hand from the unweighted terms, against ``objective.terms(image)['total']``."""
    expected = float(objective.terms(image)["total"])
    return check_value(
        "total loss from the terms",
        answer,
        expected,
        rtol=1e-4,
        hint="total = alpha * sum_l u_l * content_l + beta * sum_l w_l * style_l + gamma * TV, with alpha, beta, "
        "gamma = content_weight, style_weight, tv_weight and u_l, w_l the layer weights of the config.",
    )
