"""Checks for notebook 05 (controlling the result): luminance, luminance matching, blended Gram targets.

    from stlib.exercises import nb05
    nb05.check_luminance(my_luminance)            # fn(image [1, H, W, 3]) -> [1, H, W, 1]
    nb05.check_match_luminance(my_match)          # fn(style_y, content_y) -> [1, Hs, Ws, 1]
    nb05.check_blended_gram(my_blended_gram)      # fn(features_1, features_2, w_1, w_2) -> [1, N, N]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from stlib import colour
from stlib.exercises import Verdict, check_function
from stlib.gatys.objective import blended_grams

__all__ = ["check_luminance", "check_match_luminance", "check_blended_gram"]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def check_luminance(fn: Callable) -> Verdict:
    """``fn(image [1, H, W, 3])`` -> Y [1, H, W, 1], against ``stlib.colour.luminance``."""
    rng = _rng(5)
    cases = [(tf.constant(rng.random((1, h, w, 3), dtype=np.float32)),) for h, w in ((4, 6), (7, 3), (16, 16))]
    cases.append((tf.constant(np.ones((1, 2, 2, 3), dtype=np.float32)),))  # white has Y = 1
    return check_function(
        "luminance Y",
        fn,
        lambda image: colour.luminance(image).numpy(),
        cases,
        rtol=1e-4,
        atol=1e-5,
        hint="Y = 0.299 R + 0.587 G + 0.114 B for every pixel; keep the channel axis, [1, H, W, 1] "
        "(e.g. image[..., 0:1]).",
    )


def check_match_luminance(fn: Callable) -> Verdict:
    """``fn(style_y [1, Hs, Ws, 1], content_y [1, Hc, Wc, 1])`` -> [1, Hs, Ws, 1], vs ``colour.match_luminance``."""
    rng = _rng(7)
    cases = []
    for (hs, ws), (hc, wc), (a, b) in (((6, 5), (4, 8), (0.6, 0.3)), ((9, 9), (9, 9), (0.2, 0.1)),
                                       ((3, 12), (7, 2), (0.9, 0.05))):
        style = a + b * rng.standard_normal((1, hs, ws, 1))
        content = rng.random((1, hc, wc, 1))
        cases.append((tf.constant(style, dtype=tf.float32), tf.constant(content, dtype=tf.float32)))
    return check_function(
        "luminance matching",
        fn,
        lambda style_y, content_y: colour.match_luminance(style_y, content_y).numpy(),
        cases,
        rtol=1e-4,
        atol=1e-4,
        hint="mu and sigma are the mean and standard deviation over all pixels of each image (population std, "
        "np.std's default); L_s' = sigma_c / sigma_s * (L_s - mu_s) + mu_c, not clipped.",
    )


def _reference_blend(features_1, features_2, weight_1, weight_2) -> np.ndarray:
    # blended_grams runs a feature extractor on each style image; here the "images" are already
    # feature maps, so the extractor just hands them back under one layer name.
    identity = lambda maps: {"layer": maps}  # noqa: E731
    return blended_grams(identity, [features_1, features_2], [weight_1, weight_2], ["layer"])["layer"].numpy()


def check_blended_gram(fn: Callable) -> Verdict:
    """``fn(features_1, features_2, w_1, w_2)`` -> [1, N, N], against ``stlib.gatys.objective.blended_grams``.

    features_i: [1, H_i, W_i, N] (the sizes of the two may differ); the weights need not sum to 1.
    """
    rng = _rng(11)
    cases = []
    for (h1, w1), (h2, w2), n, weights in (((5, 6), (5, 6), 4, (0.5, 0.5)), ((8, 3), (4, 4), 6, (3.0, 1.0)),
                                           ((7, 7), (2, 9), 5, (0.0, 2.0)), ((4, 4), (6, 5), 3, (0.2, 0.3))):
        f1 = tf.constant(rng.random((1, h1, w1, n), dtype=np.float32))
        f2 = tf.constant(rng.random((1, h2, w2, n), dtype=np.float32) * 2.0)
        cases.append((f1, f2, *weights))
    return check_function(
        "blended Gram target",
        fn,
        _reference_blend,
        cases,
        rtol=1e-4,
        atol=1e-6,
        hint="Gram of each style with stlib's normalisation, G = F^T F / (H W) (its own H W for each image), then "
        "(w_1 G_1 + w_2 G_2) / (w_1 + w_2): the weights are normalised to sum to 1.",
    )
