r"""The loss terms of neural style transfer, as plain functions of feature maps.

One normalisation of the Gram matrix is used throughout stlib: for a feature map F of one image
with M = H * W positions and N channels (shape [H, W, N], flattened to [M, N]),

.. math::  G = \frac{1}{M} F^\top F \qquad (N \times N)

the mean over positions of the outer products of feature vectors: it does not grow with the image
size, so a style weight has the same magnitude at 256 px and at 1024 px (not the same effect: what
the Gram matrices see changes with the size). The published losses are
recovered with constant factors, which the presets of ``stlib.gatys`` carry as weights:

* Gatys et al. 2016: :math:`E_l = \frac{1}{4 N_l^2 M_l^2}\sum (G^{raw} - A^{raw})^2
  = \tfrac14 \operatorname{mean}\big((G - A)^2\big)`, with :math:`G^{raw} = F^\top F = M G`.
* TensorFlow's tutorial: exactly :math:`\operatorname{mean}((G - A)^2)`.
* jcjohnson/neural-style: Gram divided by :math:`N M`, i.e.
  :math:`\operatorname{mean}((G - A)^2) / N^2`.

Every function takes a batch: features [B, H, W, N], images [B, H, W, 3]; the content and style
losses average over the batch, total variation sums over it (B is 1 in practice).
"""

from __future__ import annotations

from collections.abc import Mapping

import tensorflow as tf

from stlib.loss_names import CONTENT_REDUCTIONS, TV_KINDS

__all__ = [
    "CONTENT_REDUCTIONS",
    "TV_KINDS",
    "content_loss",
    "gram_matrix",
    "guided_gram_matrices",
    "guided_style_loss",
    "style_layer_loss",
    "style_loss",
    "total_variation",
]


def gram_matrix(features: tf.Tensor) -> tf.Tensor:
    """[B, H, W, N] feature maps -> [B, N, N] Gram matrices :math:`F^\\top F / (H W)`.

    Two positions, two channels: G[i, j] is the mean over positions of F_i * F_j.

    >>> features = tf.constant([[[[1.0, 2.0], [3.0, 0.0]]]])  # [1, H=1, W=2, N=2]
    >>> gram_matrix(features).numpy().tolist()
    [[[5.0, 1.0], [1.0, 2.0]]]

    Taught in notebook 02, section 2.
    """
    shape = tf.shape(features)
    positions = shape[1] * shape[2]
    flat = tf.reshape(features, [shape[0], positions, shape[3]])
    return tf.matmul(flat, flat, transpose_a=True) / tf.cast(positions, features.dtype)


def guided_gram_matrices(features: tf.Tensor, masks: tf.Tensor) -> tf.Tensor:
    r"""One Gram matrix per region: [1, H, W, N] features, [R, H, W] masks -> [R, N, N].

    Gatys et al. 2017, section 4: the features weighted by region r's mask,
    :math:`F_r = m_r \odot F`, give :math:`G_r = F_r^\top F_r / \sum m_r^2`, the mean outer
    product over the region's positions (soft positions count by :math:`m^2`, as they enter
    :math:`F_r^\top F_r`). A mask of ones gives ``gram_matrix``; an image whose texture is the
    same everywhere gives about the same matrix in every region, so each region can be matched
    to its own painting's whole-image Gram matrix.

    >>> features = tf.constant([[[[1.0, 2.0], [3.0, 0.0]]]])  # [1, H=1, W=2, N=2]
    >>> masks = tf.constant([[[1.0, 0.0]], [[0.0, 1.0]]])     # [R=2, H=1, W=2]
    >>> guided_gram_matrices(features, masks).numpy().tolist()
    [[[1.0, 2.0], [2.0, 4.0]], [[9.0, 0.0], [0.0, 0.0]]]
    """
    shape = tf.shape(features)
    flat = tf.reshape(features[0], [shape[1] * shape[2], shape[3]])  # [M, N]
    weights = tf.reshape(tf.square(tf.cast(masks, features.dtype)), [tf.shape(masks)[0], -1, 1])
    raw = tf.matmul(weights * flat[None], flat[None], transpose_a=True)  # [R, N, N]
    return raw / tf.maximum(tf.reduce_sum(weights, axis=1, keepdims=True), 1e-8)


def content_loss(features: tf.Tensor, target: tf.Tensor, reduction: str = "mean") -> tf.Tensor:
    r"""Squared distance between feature maps, [B, H, W, N] each -> scalar.

    ``"mean"``: :math:`\operatorname{mean}((F - P)^2)` (TensorFlow tutorial, neural-style);
    ``"sum"``: :math:`\sum (F - P)^2` (Gatys et al. 2016 write :math:`\tfrac12\sum`; the preset
    puts the 1/2 into the weight).

    Taught in notebook 02, section 1 (and 03, section 1).
    """
    squared = tf.square(features - target)
    if reduction == "mean":
        return tf.reduce_mean(squared)
    if reduction == "sum":
        return tf.reduce_sum(squared)
    raise ValueError(
        f"unknown content reduction {reduction!r}; choose from {', '.join(CONTENT_REDUCTIONS)}"
    )


def style_layer_loss(gram: tf.Tensor, target_gram: tf.Tensor) -> tf.Tensor:
    """Mean squared difference of Gram matrices, [B, N, N] each -> scalar.

    The scalar is :math:`\\operatorname{mean}((G - A)^2)`.

    Taught in notebook 02, section 2 (Exercise 3).
    """
    return tf.reduce_mean(tf.square(gram - target_gram))


def style_loss(
    features: Mapping[str, tf.Tensor],
    target_grams: Mapping[str, tf.Tensor],
    layer_weights: Mapping[str, float],
) -> tf.Tensor:
    r""":math:`\sum_l w_l \operatorname{mean}((G_l - A_l)^2)` over the layers of ``layer_weights``.

    features: {layer: [B, H, W, N]}; target_grams: {layer: [1, N, N] or [B, N, N]}.

    Taught in notebook 03, section 1.
    """
    missing = [name for name in layer_weights if name not in features or name not in target_grams]
    if missing:
        raise KeyError(f"style layers {missing} have no features or no target Gram matrix")
    terms = [
        weight * style_layer_loss(gram_matrix(features[name]), target_grams[name])
        for name, weight in layer_weights.items()
    ]
    return tf.add_n(terms)


def guided_style_loss(
    features: Mapping[str, tf.Tensor],
    target_grams: Mapping[str, tf.Tensor],
    layer_weights: Mapping[str, float],
    masks: Mapping[str, tf.Tensor],
    shares: tf.Tensor,
) -> tf.Tensor:
    r"""The style term of spatial control: each region matched to its own painting.

    :math:`\sum_l w_l \sum_r s_r \operatorname{mean}((G_{l,r} - A_{l,r})^2)`, with
    :math:`G_{l,r}` the guided Gram matrix of region r (``guided_gram_matrices``), :math:`A_{l,r}`
    painting r's Gram matrix and :math:`s_r` the region's share of the photo (the shares sum to
    one), so that a small region weighs as much per pixel as a large one, and one region covering
    the photo gives ``style_loss``.

    features: {layer: [1, H_l, W_l, N]}; target_grams: {layer: [R, N, N]};
    masks: {layer: [R, H_l, W_l]} (the regions at each layer's grid); shares: [R].

    Taught in notebook 05 (spatial control).
    """
    terms = []
    for name, weight in layer_weights.items():
        grams = guided_gram_matrices(features[name], masks[name])
        per_region = tf.reduce_mean(tf.square(grams - target_grams[name]), axis=[1, 2])  # [R]
        terms.append(weight * tf.reduce_sum(tf.cast(shares, per_region.dtype) * per_region))
    return tf.add_n(terms)


def total_variation(images: tf.Tensor, kind: str = "squared") -> tf.Tensor:
    r"""Total variation of [B, H, W, 3] images -> scalar, summed over pixels, channels and batch.

    ``"l1"``: :math:`\sum |x_{i+1,j} - x_{i,j}| + \sum |x_{i,j+1} - x_{i,j}|`, the same as
    ``tf.image.total_variation`` (used by TensorFlow's tutorial);
    ``"squared"``: :math:`\sum (x_{i+1,j} - x_{i,j})^2 + \sum (x_{i,j+1} - x_{i,j})^2`, smooth
    everywhere (the form of neural-style's TV term), the default, as in ``GatysConfig.tv_kind``.

    >>> ramp = tf.constant([[[[0.0] * 3], [[1.0] * 3]]])  # [1, H=2, W=1, 3]: one step of 1
    >>> float(total_variation(ramp, "l1")), float(total_variation(2 * ramp, "squared"))
    (3.0, 12.0)

    Taught in notebook 03, section 5.
    """
    down = images[:, 1:, :, :] - images[:, :-1, :, :]
    across = images[:, :, 1:, :] - images[:, :, :-1, :]
    if kind == "l1":
        return tf.reduce_sum(tf.abs(down)) + tf.reduce_sum(tf.abs(across))
    if kind == "squared":
        return tf.reduce_sum(tf.square(down)) + tf.reduce_sum(tf.square(across))
    raise ValueError(f"unknown total variation kind {kind!r}; choose from {', '.join(TV_KINDS)}")
