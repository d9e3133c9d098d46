r"""Adaptive instance normalisation (Huang and Belongie, ICCV 2017, eq. 8) and its statistics.

AdaIN gives the content features x, channel by channel, the mean and standard deviation of the
style features y, both taken over the height and width of each image:

.. math::
    \operatorname{AdaIN}(x, y) = \sigma(y) \frac{x - \mu(x)}{\sigma(x)} + \mu(y), \qquad
    \sigma(z) = \sqrt{\operatorname{var}(z) + \epsilon}

with the population variance (divided by H W) and ``epsilon`` inside the square root, as the
authors' code writes it (the paper's eq. 5-6 leave epsilon to the code). Unlike the conditional
instance normalisation of stlib.cin it has no weights to learn: the style's statistics are the scale
and shift. :func:`channel_statistics` is shared by the layer and the style loss
(:mod:`stlib.adain.loss`), so both see the same sigma.

``weights`` (optional, [B, H, W] or [B, H, W, 1] in [0, 1]) make the statistics those of a region
of the map: each position counts in proportion to its weight. The spatial control of the paper
(section 7.1, Fig. 9) normalises each masked region of the content with its own statistics
(:mod:`stlib.adain.targets`).

Tensors or arrays in, float32 tensors out.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

__all__ = ["EPSILON", "adain", "apply_statistics", "channel_statistics"]

EPSILON = 1e-5

# A region's weights are floored to this sum before dividing (an empty region has no statistics;
# stlib.masks refuses regions smaller than 0.1 % of the photo, far above it).
_MIN_WEIGHT = 1e-6


def _features(value: Any, name: str) -> tf.Tensor:
    features = tf.convert_to_tensor(value, tf.float32)
    if features.shape.rank != 4:
        raise ValueError(f"{name} of shape {tuple(features.shape)}: feature maps are [B, H, W, C]")
    return features


def _weights(weights: Any, features: tf.Tensor) -> tf.Tensor:
    values = tf.convert_to_tensor(weights, tf.float32)
    if values.shape.rank == 3:
        values = values[..., None]
    if values.shape.rank != 4 or values.shape[-1] != 1:
        raise ValueError(
            f"region weights of shape {tuple(values.shape)}: give [B, H, W] or [B, H, W, 1] on "
            f"the features' grid {tuple(features.shape[1:3])}"
        )
    return values


def channel_statistics(
    features: Any, epsilon: float = EPSILON, weights: Any = None
) -> tuple[tf.Tensor, tf.Tensor]:
    """Per image and channel, the mean and ``sqrt(var + epsilon)`` over H and W.

    Args:
        features: [B, H, W, C].
        epsilon: added to the variance inside the square root.
        weights: None (every position counts once), or [B, H, W] / [B, H, W, 1] weights >= 0:
            the weighted mean and variance of a (soft) region.

    Returns:
        (mean, std), each float32 [B, 1, 1, C].
    """
    x = _features(features, "features")
    if weights is None:
        mean = tf.reduce_mean(x, axis=(1, 2), keepdims=True)
        variance = tf.reduce_mean(tf.square(x - mean), axis=(1, 2), keepdims=True)
    else:
        w = _weights(weights, x)
        total = tf.maximum(tf.reduce_sum(w, axis=(1, 2), keepdims=True), _MIN_WEIGHT)
        mean = tf.reduce_sum(w * x, axis=(1, 2), keepdims=True) / total
        variance = tf.reduce_sum(w * tf.square(x - mean), axis=(1, 2), keepdims=True) / total
    return mean, tf.sqrt(variance + epsilon)


def apply_statistics(
    content_features: Any,
    mean: Any,
    std: Any,
    epsilon: float = EPSILON,
    weights: Any = None,
) -> tf.Tensor:
    """``std * (x - mu(x)) / sigma(x) + mean``: the content given the statistics (mean, std).

    content_features [B, H, W, C]; mean and std [B or 1, 1, 1, C]; ``weights`` as in
    :func:`channel_statistics`: mu(x) and sigma(x) are then the region's. Returns [B, H, W, C].
    """
    x = _features(content_features, "content_features")
    content_mean, content_std = channel_statistics(x, epsilon, weights)
    mean = tf.convert_to_tensor(mean, tf.float32)
    std = tf.convert_to_tensor(std, tf.float32)
    return std * (x - content_mean) / content_std + mean


def adain(content_features: Any, style_features: Any, epsilon: float = EPSILON) -> tf.Tensor:
    """AdaIN(x, y): the content features with the style's channel means and stds.

    content_features [B, H, W, C]; style_features [B or 1, H', W', C] (any size: only its
    statistics count). Returns float32 [B, H, W, C], whose channel means are the style's and whose
    channel stds are the style's up to epsilon (exactly: sqrt(var_out + eps) ~ sigma(y) when
    var(x) >> eps).

    Taught with the paper's eq. 8.
    """
    y = _features(style_features, "style_features")
    x = _features(content_features, "content_features")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"content features have {x.shape[-1]} channels and style features {y.shape[-1]}; "
            "AdaIN needs the same layer for both"
        )
    mean, std = channel_statistics(y, epsilon)
    return apply_statistics(x, mean, std, epsilon)
