"""Checks for notebook 05 (controlling the result): luminance, luminance matching, blended Grams.

    from stlib.exercises import nb05
    nb05.check_luminance(luminance)               # fn(image [1, H, W, 3]) -> [1, H, W, 1]
    nb05.check_match_luminance(match_luminance)   # fn(style_y, content_y) -> [1, Hs, Ws, 1]
    nb05.check_blended_gram(blended_gram)         # fn(features_1, features_2, w_1, w_2) -> [1,N,N]
    nb05.check_guided_gram(guided_gram)           # fn(features [1, H, W, N], mask [H, W]) -> [N, N]

The references are ``stlib.color``, ``stlib.gatys.objective.blended_grams`` and
``stlib.losses.guided_gram_matrices``; each check returns a ``Verdict`` and never raises or
prints.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from stlib import color, losses
from stlib.exercises import Verdict, check_function
from stlib.gatys.objective import blended_grams

__all__ = ["check_blended_gram", "check_guided_gram", "check_luminance", "check_match_luminance"]


def check_luminance(candidate: Callable) -> Verdict:
    """``candidate(image [1, H, W, 3])`` -> Y [1, H, W, 1], against ``color.luminance`` on three
    random images and a white one."""
    rng = np.random.default_rng(5)
    cases = [
        (tf.constant(rng.random((1, h, w, 3), dtype=np.float32)),)
        for h, w in ((4, 6), (7, 3), (16, 16))
    ]
    cases.append((tf.constant(np.ones((1, 2, 2, 3), dtype=np.float32)),))  # white has Y = 1
    return check_function(
        "luminance Y",
        candidate,
        lambda image: color.luminance(image).numpy(),
        cases,
        rtol=1e-4,
        atol=1e-5,
        hint="Y = 0.299 R + 0.587 G + 0.114 B for every pixel; keep the channel axis, "
        "[1, H, W, 1] (e.g. image[..., 0:1]).",
        library=(color.luminance, color.rgb_to_yiq, tf.image.rgb_to_yiq, tf.image.rgb_to_grayscale),
    )


def check_match_luminance(candidate: Callable) -> Verdict:
    """``candidate(style_y [1, Hs, Ws, 1], content_y [1, Hc, Wc, 1])`` -> [1, Hs, Ws, 1], against
    ``color.match_luminance`` on three pairs of random luminance images of different sizes."""
    rng = np.random.default_rng(7)
    cases = []
    for (hs, ws), (hc, wc), (a, b) in (
        ((6, 5), (4, 8), (0.6, 0.3)),
        ((9, 9), (9, 9), (0.2, 0.1)),
        ((3, 12), (7, 2), (0.9, 0.05)),
    ):
        style = a + b * rng.standard_normal((1, hs, ws, 1))
        content = rng.random((1, hc, wc, 1))
        cases.append((tf.constant(style, tf.float32), tf.constant(content, tf.float32)))
    return check_function(
        "luminance matching",
        candidate,
        lambda style_y, content_y: color.match_luminance(style_y, content_y).numpy(),
        cases,
        rtol=1e-4,
        atol=1e-4,
        hint="For L' = a L_s + b: mean(L') = a mu_s + b and std(L') = |a| sigma_s, with mu and "
        "sigma over all pixels (population std, np.std's default). Solve mean(L') = mu_c and "
        "std(L') = sigma_c for a > 0 and b; do not clip.",
        library=(color.match_luminance, color.match_histogram, color.luminance_transfer_inputs),
    )


def _reference_blend(features_1, features_2, weight_1, weight_2) -> np.ndarray:
    # blended_grams runs a feature extractor on each style image; here the "images" are already
    # feature maps, so the extractor just hands them back under one layer name.
    def identity(maps):
        return {"layer": maps}

    blended = blended_grams(identity, [features_1, features_2], [weight_1, weight_2], ["layer"])
    return blended["layer"].numpy()


def check_blended_gram(candidate: Callable) -> Verdict:
    """``candidate(features_1, features_2, w_1, w_2)`` -> [1, N, N], against
    ``stlib.gatys.objective.blended_grams`` on four pairs of random feature maps.

    features_i: [1, H_i, W_i, N] (the sizes of the two may differ); the weights need not sum to 1.
    """
    rng = np.random.default_rng(11)
    cases = []
    for (h1, w1), (h2, w2), n, weights in (
        ((5, 6), (5, 6), 4, (0.5, 0.5)),
        ((8, 3), (4, 4), 6, (3.0, 1.0)),
        ((7, 7), (2, 9), 5, (0.0, 2.0)),
        ((4, 4), (6, 5), 3, (0.2, 0.3)),
    ):
        f1 = tf.constant(rng.random((1, h1, w1, n), dtype=np.float32))
        f2 = tf.constant(rng.random((1, h2, w2, n), dtype=np.float32) * 2.0)
        cases.append((f1, f2, *weights))
    return check_function(
        "blended Gram target",
        candidate,
        _reference_blend,
        cases,
        rtol=1e-4,
        atol=1e-6,
        hint="Gram of each style with stlib's normalisation, G = F^T F / (H W) (its own H W for "
        "each image), then (w_1 G_1 + w_2 G_2) / (w_1 + w_2): the weights are normalised to sum "
        "to 1.",
        library=(blended_grams,),
    )


def _reference_guided(features, mask) -> np.ndarray:
    return losses.guided_gram_matrices(features, mask[None])[0].numpy()


def check_guided_gram(candidate: Callable) -> Verdict:
    """``candidate(features [1, H, W, N], mask [H, W])`` -> [N, N], against
    ``stlib.losses.guided_gram_matrices`` on a hard mask, a soft one, a mask of ones and a
    mask covering a single position.

    A Gram matrix of the masked features divided by all H W positions (``gram_matrix(m F)``)
    agrees only on the mask of ones: the cases are chosen so that it fails.
    """
    rng = np.random.default_rng(13)
    cases = []
    for (h, w), n, kind in (
        ((6, 8), 4, "left half"),
        ((5, 7), 3, "soft"),
        ((4, 4), 5, "ones"),
        ((3, 5), 2, "one position"),
    ):
        features = tf.constant(rng.standard_normal((1, h, w, n)).astype(np.float32))
        if kind == "left half":
            mask = np.zeros((h, w), np.float32)
            mask[:, : w // 2] = 1.0
        elif kind == "soft":
            mask = rng.random((h, w)).astype(np.float32)
        elif kind == "ones":
            mask = np.ones((h, w), np.float32)
        else:
            mask = np.zeros((h, w), np.float32)
            mask[1, 2] = 1.0
        cases.append((features, tf.constant(mask)))
    return check_function(
        "guided Gram matrix",
        candidate,
        _reference_guided,
        cases,
        rtol=1e-4,
        atol=1e-5,
        hint="Weight each position's outer product f_i f_i^T by m_i^2 (the mask enters both "
        "factors of (m F)^T (m F)) and divide by the sum of the weights, sum_i m_i^2, not by "
        "H W: the mean over the region's positions. Return [N, N].",
        library=(losses.guided_gram_matrices, losses.guided_style_loss),
    )
