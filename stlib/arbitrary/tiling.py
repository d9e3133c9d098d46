"""Painting an image of any size with a network fixed at one size: overlapping, blended tiles.

The int8 and float16 TFLite transformers only take 384x384 images. A larger photo is cut into
384-px tiles that overlap their neighbours by at least ``overlap`` px; each tile is painted on its
own, and the painted tiles are added up with weights that fall smoothly to zero towards a tile's
edge where a neighbour takes over. In an overlap the two weights are a raised cosine and its mirror
image, which sum to one, so the result moves gradually from one tile's painting to the next and no
seam shows, even though each tile has its own instance-normalisation statistics (and so a slightly
different tone). The tiles' own borders, which the network paints worst (it pads them by
reflection), get the smallest weights. An image smaller than a tile is padded by reflection.

Pure numpy: images here are float32 arrays [H, W, 3].
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["OVERLAP", "TILE", "paint_tiled", "ramp", "tile_starts", "window"]

TILE = 384  # the fixed input size of the int8 and float16 transformers
# A sixth of a tile: wide enough for a gradual hand-over of tone between tiles, yet a 1024-px
# side needs 3 tiles (a quarter tile would need 4: 16 tiles instead of 9 for a 1024-px square).
OVERLAP = 64


def tile_starts(length: int, tile: int = TILE, overlap: int = OVERLAP) -> list[int]:
    """Where tiles of ``tile`` px start along a side of ``length`` px.

    The first starts at 0, the last ends at ``length``, and the starts are spread evenly, so that
    neighbours overlap by at least ``overlap`` px (more when that makes the spacing even).

    >>> tile_starts(384), tile_starts(1024)
    ([0], [0, 320, 640])
    """
    if not 0 <= overlap < tile:
        raise ValueError(f"overlap={overlap} must lie in [0, tile={tile})")
    if length <= tile:
        return [0]
    count = 1 + math.ceil((length - tile) / (tile - overlap))
    return [round(i * (length - tile) / (count - 1)) for i in range(count)]


def ramp(width: int) -> np.ndarray:
    """A raised cosine rising from near 0 to near 1 over ``width`` px, float32 [width].

    ``ramp(w) + ramp(w)[::-1] == 1`` at every pixel: two tiles that ramp over the same pixels hand
    over without changing the total weight. Never exactly 0, so every pixel has some weight.
    """
    x = (np.arange(width, dtype=np.float64) + 0.5) / width
    return (0.5 - 0.5 * np.cos(np.pi * x)).astype(np.float32)


def window(tile: int, before: int, after: int) -> np.ndarray:
    """The weights of one tile along one side, float32 [tile].

    ``before`` and ``after`` are the overlaps with the previous and next tile (0: none, the
    image's own edge). The weight is 1 inside, rises over the first ``before`` px and falls over
    the last ``after`` px (each at most half a tile, so the two ramps never meet).
    """
    weights = np.ones(tile, np.float32)
    before, after = min(before, tile // 2), min(after, tile // 2)
    if before:
        weights[:before] = ramp(before)
    if after:
        weights[tile - after :] = ramp(after)[::-1]
    return weights


def _windows(starts: list[int], tile: int) -> list[np.ndarray]:
    """One 1-D window per tile, ramping over the exact overlap with each neighbour."""
    overlaps = [a + tile - b for a, b in zip(starts, starts[1:])]  # between tile i and i+1
    return [
        window(tile, overlaps[i - 1] if i > 0 else 0, overlaps[i] if i < len(overlaps) else 0)
        for i in range(len(starts))
    ]


def paint_tiled(
    image: np.ndarray,
    paint: Callable[[np.ndarray], np.ndarray],
    *,
    tile: int = TILE,
    overlap: int = OVERLAP,
) -> np.ndarray:
    """Paint ``image`` tile by tile with ``paint`` and blend the tiles.

    Args:
        image: float32 [H, W, 3] in [0, 1], any size (padded by reflection to at least a tile).
        paint: maps a float32 [tile, tile, 3] tile to its painted [tile, tile, 3] version.
        tile: the side ``paint`` takes.
        overlap: the least overlap between neighbouring tiles, in px.

    Returns:
        float32 [H, W, 3]: the weighted mean of the painted tiles at every pixel.
    """
    height, width = image.shape[:2]
    # Centred padding keeps the photo away from the tile's border, which the network paints worst.
    pad_y, pad_x = max(tile - height, 0), max(tile - width, 0)
    top, left = pad_y // 2, pad_x // 2
    padded = np.pad(
        image, ((top, pad_y - top), (left, pad_x - left), (0, 0)), mode="reflect"
    ).astype(np.float32, copy=False)
    rows, cols = (
        tile_starts(padded.shape[0], tile, overlap),
        tile_starts(padded.shape[1], tile, overlap),
    )
    weights_y, weights_x = _windows(rows, tile), _windows(cols, tile)

    total = np.zeros(padded.shape, np.float32)
    weight_sum = np.zeros(padded.shape[:2] + (1,), np.float32)
    for y, weight_y in zip(rows, weights_y):
        for x, weight_x in zip(cols, weights_x):
            painted = paint(padded[y : y + tile, x : x + tile])
            weight = (weight_y[:, None] * weight_x[None, :])[..., None]
            total[y : y + tile, x : x + tile] += painted * weight
            weight_sum[y : y + tile, x : x + tile] += weight
    blended = total / weight_sum
    return blended[top : top + height, left : left + width]
