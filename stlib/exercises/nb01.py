"""Checks for notebook 01 (images and CNN features).

    from stlib.exercises import nb01
    nb01.check_preprocess(caffe_preprocess)          # [B, H, W, 3] RGB in [0, 1] -> Caffe BGR input
    nb01.check_feature_map_shape(feature_map_shape)  # (H, W, layer) -> (h, w, C) of its feature map
    nb01.check_receptive_field(receptive_field)      # layer -> (receptive field, jump) in pixels

Each check builds its own test cases and compares with stlib (``vgg.preprocess``, the shapes that
``vgg.VGGFeatures`` really returns, ``vgg.receptive_fields``); it returns a ``Verdict`` and never
raises or prints.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from stlib import vgg
from stlib.exercises import Verdict, check_function

__all__ = ["check_feature_map_shape", "check_preprocess", "check_receptive_field"]

# (height, width, layer): odd sizes on purpose, where the floor of each 2x2 pooling matters.
FEATURE_SHAPE_CASES = (
    (64, 64, "relu1_2"),
    (75, 50, "relu3_1"),
    (300, 200, "relu4_1"),
    (97, 131, "pool5"),
    (45, 250, "block5_conv4"),
)


def _preprocess_cases(seed: int) -> list[tuple[tf.Tensor]]:
    rng = np.random.default_rng(seed)
    pure_red = np.zeros((1, 2, 3, 3), dtype=np.float32)
    pure_red[..., 0] = 1.0  # catches a forgotten RGB -> BGR flip
    return [
        (tf.constant(pure_red),),
        (tf.constant(rng.random((1, 5, 7, 3), dtype=np.float32)),),
        (tf.constant(rng.random((2, 4, 4, 3), dtype=np.float32)),),
    ]


def check_preprocess(candidate: Callable, seed: int = 0) -> Verdict:
    """``candidate(images)``: [B, H, W, 3] RGB in [0, 1] -> [B, H, W, 3] BGR on 0..255 minus the
    ImageNet mean, against ``vgg.preprocess`` on a pure red image and two random batches."""
    return check_function(
        "Caffe preprocessing",
        candidate,
        vgg.preprocess,
        _preprocess_cases(seed),
        rtol=1e-5,
        atol=1e-3,
        hint="Reverse the channel axis (RGB -> BGR), multiply by 255, then subtract "
        "vgg.IMAGENET_MEAN_BGR (already in BGR order).",
        library=(keras.applications.vgg19.preprocess_input,),
    )


def _reference_feature_map_shape(weights) -> Callable[[int, int, str], tuple[int, int, int]]:
    def run(height: int, width: int, layer: str) -> tuple[int, int, int]:
        maps = vgg.VGGFeatures([layer], weights=weights)(tf.zeros([1, height, width, 3]))
        return tuple(int(n) for n in maps[layer].shape[1:])

    return run


def check_feature_map_shape(candidate: Callable, weights="imagenet") -> Verdict:
    """``candidate(height, width, layer)`` -> (h, w, C), compared with what VGG19 really returns.

    The reference runs ``vgg.VGGFeatures`` on a zero image of each size (``weights=None`` gives
    the same shapes without the pretrained file, for tests).
    """
    return check_function(
        "feature map shape",
        candidate,
        _reference_feature_map_shape(weights),
        list(FEATURE_SHAPE_CASES),
        rtol=0,
        atol=0,
        hint="The 3x3 convolutions pad ('same') and keep h and w; each 2x2 pooling before the "
        "layer halves them, rounding down (75 -> 37). C is vgg.CHANNELS of the layer's Keras name "
        "(vgg.canonical_layer turns relu3_1 into block3_conv1).",
        library=(vgg.VGGFeatures, keras.applications.VGG19, vgg.forward_flops),
    )


def _reference_receptive_field(layer: str) -> tuple[int, int]:
    return vgg.receptive_fields()[vgg.canonical_layer(layer)]


def check_receptive_field(candidate: Callable) -> Verdict:
    """``candidate(layer)`` for every Keras layer name of ``vgg.LAYERS`` -> (field, jump) in input
    pixels, against ``vgg.receptive_fields()``."""
    return check_function(
        "receptive field",
        candidate,
        _reference_receptive_field,
        [(name,) for name in vgg.LAYERS],
        rtol=0,
        atol=0,
        hint="Start from r = 1, j = 1 and walk vgg.LAYERS up to the layer: a 3x3 convolution "
        "(stride 1) does r += 2 * j; a 2x2 pooling of stride 2 does r += j, then j *= 2.",
        library=(vgg.receptive_fields,),
    )
