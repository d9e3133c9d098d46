"""Spatial control for the arbitrary network: each painting paints its own region of the photo.

With ``masks`` (one per painting, ``stlib.masks``), a list of paintings changes meaning: without
masks the paintings are *blended* everywhere (their embeddings mixed by ``mix``, or their pastiches
blended by the Hub backend); with masks each painting is *placed* in its region. For R regions:

    pastiche = sum_r feather(m)_r * m(content, e_r)         # [1, H, W, 3]

one transfer pass per region's style embedding ``e_r`` (R passes of the transformer, each over the
whole photo, so a region's strokes near a seam are painted with the photo on both sides in view),
blended with the masks feathered by :data:`FEATHER` of the photo's longest side. The Hub model,
which takes whole style images, paints the photo once per painting and blends the same way.

Why not one pass with a per-pixel embedding (the style vector chosen by the mask at each pixel,
inside the transformer's conditional instance normalisation)? Both published graphs take a single
embedding per image: the Hub SavedModel computes it inside ``m(content, style)`` from one style
image, and the TFLite transformer's embedding input is [1, 1, 1, 100], broadcast over every pixel
of every layer. A per-pixel embedding would need the transformer rebuilt with its weights; the
blend of R pastiches is what these fixed graphs allow, and costs R passes.

How the other settings go with masks:

- ``strength``: applied in every region (each region's embedding interpolated with the photo's
  own, or its pastiche cross-faded with the photo on the Hub backend).
- ``mix``: refused (``SettingError`` naming ``mix`` and ``masks``): ``mix`` blends the paintings
  everywhere, masks place each one in its region; a pixel cannot be both.
- ``preserve_color``, ``compute_size``, the int8/float16 transformers (tiles): work as without
  masks; each region's pastiche is painted as a one-painting pastiche would be (tiled, at
  ``compute_size`` and upsampled), and the masks blend them at the output's size. The colours are
  put back once, after the blend.

The masks are read only by ``stlib.masks.resolve``, at the output's size (the photo after
``size``), ``"auto"`` from the photo itself. No TensorFlow at import: the command line checks
``--masks`` against the settings before it starts TensorFlow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stlib import masks as masks_module

__all__ = ["FEATHER", "blend", "check", "feather_radius", "region_weights"]

# The feather's Gaussian sigma, as a share of the photo's longest side (about 5 px at 256 px,
# 20 px at 1024 px). The transformer's strokes scale with the photo (it halves it twice and its
# receptive field spans a few percent of the side), so a seam fades over about a stroke's width on
# each side: two pastiches, which differ in tone and texture, meet without a cut, and each region
# keeps its painting's style up to a few strokes from its edge. The same share as the smoothing of
# stlib.masks.automatic, so "auto" regions are not softened beyond their own scale.
FEATHER = 0.02


def check(config: Any, sources: Any, count: int) -> None:
    """``stlib.masks.check_placement`` for an ``ArbitraryConfig``: ``mix`` refused with masks,
    one mask per painting; before any image is read."""
    masks_module.check_placement(config.mix, sources, count)


def feather_radius(height: int, width: int) -> float:
    """The feather's sigma in pixels for an H x W photo: ``FEATHER`` of its longest side."""
    return FEATHER * max(height, width)


def region_weights(sources: Any, count: int, photo: Any) -> np.ndarray:
    """The blending weights of ``count`` regions for ``photo`` [1, H, W, 3]: float32 [R, H, W].

    ``stlib.masks.resolve`` at the photo's size (``"auto"`` from the photo), then
    ``stlib.masks.feather`` with :func:`feather_radius`: soft seams, summing to one at each pixel.
    """
    height, width = int(photo.shape[1]), int(photo.shape[2])
    hard = masks_module.resolve(masks_module.as_list(sources), count, height, width, photo=photo)
    return masks_module.feather(hard, feather_radius(height, width))


def blend(pastiches: Any, weights: np.ndarray) -> Any:
    """``sum_r weights[r] * pastiches[r]``: R images [1, H, W, 3] and [R, H, W] weights ->
    [1, H, W, 3] float32 tensor in [0, 1]."""
    import tensorflow as tf

    stacked = tf.concat([tf.convert_to_tensor(p, tf.float32) for p in pastiches], axis=0)
    mixed = tf.reduce_sum(stacked * tf.constant(weights[..., None], tf.float32), axis=0)
    return tf.clip_by_value(mixed[None], 0.0, 1.0)
