"""Checks for notebook 02 (content and style representations).

    from stlib.exercises import nb02
    nb02.check_content_loss(content_loss)            # two feature maps -> mean((F - P)^2)
    nb02.check_gram_shape(gram_shape)                # (layer, H, W) -> the shape of its Gram
    nb02.check_gram_matrix(gram_matrix)              # [B, H, W, N] -> [B, N, N], F^T F / (H W)
    nb02.check_style_layer_loss(style_layer_loss)    # debug: two feature maps -> mean((G - A)^2)

The references are ``stlib.losses`` and the feature maps ``stlib.vgg.VGGFeatures`` really
returns; each check returns a ``Verdict`` and never raises or prints.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from stlib import losses, vgg
from stlib.exercises import (
    NOT_ATTEMPTED,
    Verdict,
    check_function,
    tolerance_text,
    with_hint,
)

__all__ = [
    "buggy_style_layer_loss",
    "check_content_loss",
    "check_gram_matrix",
    "check_gram_shape",
    "check_style_layer_loss",
]


# --- Exercise 1: the content loss ----------------------------------------------------------------


def check_content_loss(candidate: Callable, seed: int = 0) -> Verdict:
    """``candidate(features, content_features)`` -> scalar mean((F - P)^2), against
    ``losses.content_loss`` on three pairs of random rectified feature maps of the same shape."""
    rng = np.random.default_rng(seed)
    cases = [
        (_random_features(rng, 1, 4, 5, 3), _random_features(rng, 1, 4, 5, 3)),
        (_random_features(rng, 1, 7, 3, 16), _random_features(rng, 1, 7, 3, 16)),
        (_random_features(rng, 1, 2, 9, 64), _random_features(rng, 1, 2, 9, 64)),
    ]
    return check_function(
        "content loss",
        candidate,
        losses.content_loss,
        cases,
        rtol=1e-4,
        atol=1e-7,
        hint="One number: the mean over every position and channel of the squared difference "
        "of the two feature maps (not a sum, not the square of the mean difference).",
        library=(losses.style_layer_loss,),  # the same mean of squares, on two Gram matrices
    )


# --- Exercise 2: the shape of a Gram matrix ------------------------------------------------------


# Layers by either spelling, odd and even sizes: the Gram's shape never depends on the size.
GRAM_SHAPE_CASES = (
    ("relu4_1", 300, 400),
    ("block1_conv2", 64, 48),
    ("relu5_1", 37, 53),
    ("block3_conv4", 100, 100),
)


def _reference_gram_shape(layer: str, height: int, width: int) -> tuple[int, int, int]:
    maps = vgg.VGGFeatures([layer], weights=None)(tf.zeros([1, height, width, 3]))
    return tuple(int(n) for n in losses.gram_matrix(maps[layer]).shape)


def _gram_shape_hint(candidate: Callable) -> str:
    """The usual slip: the positions (M x M) where the channels belong, or no batch axis."""
    layer, height, width = GRAM_SHAPE_CASES[0]
    try:
        got = tuple(int(n) for n in np.asarray(candidate(layer, height, width)).ravel())
    except Exception:  # the check already reported the student's errors
        return ""
    positions = (height // 8) * (width // 8)  # relu4_1 comes after three poolings
    if got in ((1, positions, positions), (positions, positions)):
        return (
            "These are M x M, one row per position: the Gram is N x N, N = the layer's channel "
            "count (vgg.CHANNELS), summed over the positions."
        )
    if len(got) == 2:
        return "Keep the batch axis: (batch, N, N), one Gram per image."
    return (
        "Give (batch, N, N): one image, and N = the layer's channel count (vgg.CHANNELS of "
        "vgg.canonical_layer(layer)). The Gram does not depend on the image size: H and W are "
        "summed over."
    )


def check_gram_shape(candidate: Callable) -> Verdict:
    """``candidate(layer, height, width)`` -> the shape (B, N, N) of ``losses.gram_matrix`` of
    ``layer``'s features of one ``height`` x ``width`` image, against what VGG19 (random weights:
    the shapes are the same) and ``losses.gram_matrix`` give, for ``GRAM_SHAPE_CASES``."""
    exercise = "the shape of a Gram matrix"
    verdict = check_function(
        exercise,
        candidate,
        _reference_gram_shape,
        list(GRAM_SHAPE_CASES),
        rtol=0,
        atol=0,
        library=(vgg.VGGFeatures, keras.applications.VGG19, losses.gram_matrix),
    )
    return with_hint(verdict, lambda: _gram_shape_hint(candidate))


# --- Exercise 3: the Gram matrix ------------------------------------------------------------------


def _random_features(rng: np.random.Generator, *shape: int) -> tf.Tensor:
    # Rectified like VGG features: non-negative, many zeros.
    return tf.constant(np.maximum(rng.standard_normal(shape), 0.0).astype(np.float32))


def check_gram_matrix(candidate: Callable, seed: int = 0) -> Verdict:
    """``candidate(features)``: [B, H, W, N] -> [B, N, N], against ``losses.gram_matrix`` on three
    random rectified feature maps (one a batch of two)."""
    rng = np.random.default_rng(seed)
    cases = [
        (_random_features(rng, 1, 4, 5, 3),),
        (_random_features(rng, 1, 7, 2, 16),),
        (_random_features(rng, 2, 3, 3, 8),),
    ]
    return check_function(
        "Gram matrix",
        candidate,
        losses.gram_matrix,
        cases,
        rtol=1e-4,
        atol=1e-6,
        hint="Reshape each image's features to F of shape [H W, N], then G = F^T F / (H W); keep "
        "the batch axis, so the result is [B, N, N] (tf.reshape, "
        "tf.matmul(..., transpose_a=True)).",
        library=(losses.style_loss,),
    )


# --- Exercise 4: debugging the style loss of one layer --------------------------------------------


def buggy_style_layer_loss(features: tf.Tensor, style_features: tf.Tensor) -> tf.Tensor:
    """The code notebook 02's debugging exercise starts from, with its two bugs (do not fix).

    The check compares the student's function with it: a function that still gives its values has
    not been attempted.
    """
    channels = features.shape[-1]
    f = tf.reshape(features, [-1, channels])  # [h w, N]: one row per position
    s = tf.reshape(style_features, [-1, channels])  # [h' w', N]
    positions = f.shape[0]
    gram = tf.matmul(f, f, transpose_a=True) / positions  # G = F^T F / M
    target = tf.matmul(s, s, transpose_a=True) / positions  # A, the same way
    return tf.square(tf.reduce_mean(gram - target))  # mean((G - A)^2)


def _reference_style_layer_loss(features: tf.Tensor, style_features: tf.Tensor) -> tf.Tensor:
    return losses.style_layer_loss(losses.gram_matrix(features), losses.gram_matrix(style_features))


def _style_loss_cases(seed: int) -> list[tuple[tf.Tensor, tf.Tensor]]:
    rng = np.random.default_rng(seed)
    return [
        (_random_features(rng, 1, 6, 5, 8), _random_features(rng, 1, 6, 5, 8)),
        (_random_features(rng, 1, 6, 5, 8), _random_features(rng, 1, 9, 4, 8)),  # another size
        (_random_features(rng, 1, 3, 3, 32), _random_features(rng, 1, 5, 7, 32)),
    ]


def _still_buggy(candidate: Callable, cases) -> bool:
    """True when ``candidate`` gives the buggy version's values on every case (untouched)."""
    try:
        return all(
            np.allclose(float(candidate(*args)), float(buggy_style_layer_loss(*args)), rtol=1e-6)
            for args in cases
        )
    except Exception:  # the student's edit raises: the check below reports it
        return False


def check_style_layer_loss(candidate: Callable, seed: int = 0) -> Verdict:
    """``candidate(features, style_features)`` -> scalar mean((G - A)^2), against
    ``losses.style_layer_loss`` of ``losses.gram_matrix``; the maps may differ in h and w.

    A debugging exercise: the notebook's cell starts from ``buggy_style_layer_loss``, and a
    function that still behaves like it is reported as not attempted.
    """
    cases = _style_loss_cases(seed)
    tolerance = tolerance_text(1e-4, 1e-7)
    if callable(candidate) and _still_buggy(candidate, cases):
        return Verdict(
            "style layer loss (debugging)",
            False,
            f"{NOT_ATTEMPTED}: this is still the code with two bugs; find them and fix them.",
            tolerance,
        )
    return check_function(
        "style layer loss (debugging)",
        candidate,
        _reference_style_layer_loss,
        cases,
        rtol=1e-4,
        atol=1e-7,
        hint="Cases 2 and 3 give the style image another size than the generated one. Read each "
        "line against the equations: what does each Gram divide by, and is the last line the "
        "mean of the squares?",
        library=(losses.gram_matrix, losses.style_layer_loss, losses.style_loss),
    )
