r"""What the decoder is asked to paint: the AdaIN target of one painting, of a mix, of regions,
and the content-style trade-off (Huang and Belongie 2017, section 7.1).

All maps are relu4_1 features, float32 [B, h, w, C].

**Strength** (content-style trade-off): :math:`t' = \alpha\, t + (1 - \alpha) f(c)`, so 0 gives the
decoder the photo's own features and 1 the full target.

**Mixing** (style interpolation): the paper mixes the AdaIN outputs,
:math:`t = \sum_k w_k \operatorname{AdaIN}(f(c), f(s_k))` with :math:`\sum_k w_k = 1`. Each
output is :math:`\sigma_k n + \mu_k` for the same normalised content n, so this is also AdaIN
with the mixed statistics :math:`\sum_k w_k \sigma_k` and :math:`\sum_k w_k \mu_k`: one
normalisation, a linear mix of the paintings' means and stds (the tests check that both readings
agree).

**Regions** (spatial control, Fig. 9): the paper performs AdaIN "separately on different regions
of the content and style feature maps": region r of the content, with its *own* mean and std, gets
painting r's statistics. With the masks m_r brought to relu4_1's grid by area (soft at a seam),

.. math::
    t = \sum_r m_r \big(\sigma(s_r) (f(c) - \mu_r(f(c))) / \sigma_r(f(c)) + \mu(s_r)\big)

where :math:`\mu_r, \sigma_r` are the statistics of f(c) weighted by m_r
(:func:`stlib.adain.layer.channel_statistics` with ``weights``). Each region of t then has its
painting's statistics exactly where its mask is one; a single mask of ones is plain AdaIN. One
decoder pass paints all regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from stlib.adain.layer import EPSILON, apply_statistics, channel_statistics

__all__ = ["masks_on_grid", "mixed_target", "regional_target", "with_strength"]


def mixed_target(
    content_features: Any,
    style_features: Sequence[Any],
    weights: Sequence[float],
    epsilon: float = EPSILON,
) -> tf.Tensor:
    """``sum_k w_k AdaIN(f(c), f(s_k))``, computed as AdaIN with the mixed statistics.

    content_features [B, h, w, C]; style_features K maps [1, h_k, w_k, C]; K weights (used as
    given: the callers make them sum to one). Returns [B, h, w, C].
    """
    if len(style_features) != len(weights) or not style_features:
        raise ValueError(
            f"{len(weights)} weights for {len(style_features)} paintings; give one per painting"
        )
    mean = std = 0.0
    for features, weight in zip(style_features, weights):
        style_mean, style_std = channel_statistics(features, epsilon)
        mean += float(weight) * style_mean
        std += float(weight) * style_std
    return apply_statistics(content_features, mean, std, epsilon)


def regional_target(
    content_features: Any, style_features: Sequence[Any], masks: Any, epsilon: float = EPSILON
) -> tf.Tensor:
    """Region r of the content in painting r's statistics (see the module).

    content_features [1, h, w, C]; style_features R maps [1, h_r, w_r, C]; masks [R, h, w] on
    the content features' grid (:func:`masks_on_grid`), summing to one at each position.
    Returns [1, h, w, C].
    """
    masks = tf.convert_to_tensor(masks, tf.float32)
    if masks.shape[0] != len(style_features):
        raise ValueError(f"{masks.shape[0]} masks for {len(style_features)} paintings")
    target = 0.0
    for r, features in enumerate(style_features):
        region = masks[r][None, :, :, None]  # [1, h, w, 1]
        mean, std = channel_statistics(features, epsilon)
        target += region * apply_statistics(content_features, mean, std, epsilon, weights=region)
    return target


def with_strength(target: Any, content_features: Any, strength: float) -> tf.Tensor:
    """``strength * target + (1 - strength) * content_features`` (alpha of the paper)."""
    alpha = float(strength)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"strength {strength!r}: must be in [0, 1]")
    target = tf.convert_to_tensor(target, tf.float32)
    if alpha == 1.0:
        return target
    return alpha * target + (1.0 - alpha) * tf.convert_to_tensor(content_features, tf.float32)


def masks_on_grid(masks: Any, height: int, width: int) -> tf.Tensor:
    """[R, H, W] masks -> [R, height, width] on relu4_1's grid, by area (``stlib.masks``)."""
    from stlib.masks import at_resolution

    return at_resolution(masks, int(height), int(width))
