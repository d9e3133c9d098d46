"""Overlapping tiles blended with smooth weights: the layout, the weights, and no seam, first with
tiles that disagree on purpose, then with the real int8 transformer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d

from stlib.arbitrary import tiling


@pytest.mark.parametrize("length", [1, 200, 384, 385, 700, 1024, 1500, 4000])
@pytest.mark.parametrize("overlap", [0, 64, 150])
def test_tiles_cover_the_side_with_at_least_the_overlap(length, overlap):
    starts = tiling.tile_starts(length, 384, overlap)
    assert starts[0] == 0
    if length <= 384:
        assert starts == [0]
        return
    assert starts[-1] + 384 == length
    gaps = np.diff(starts)
    assert np.all(384 - gaps >= overlap)  # neighbours overlap enough
    assert gaps.max() - gaps.min() <= 1  # evenly spread
    # As few tiles as that overlap allows: one fewer would leave an overlap below it.
    fewer = len(starts) - 1
    assert fewer == 1 or (length - 384) / (fewer - 1) > 384 - overlap


def test_two_ramps_over_the_same_pixels_sum_to_one():
    for width in (1, 7, 64, 192):
        up = tiling.ramp(width)
        np.testing.assert_allclose(up + up[::-1], 1.0, atol=1e-6)
        assert np.all(up > 0) and np.all(np.diff(up) > 0) if width > 1 else up[0] == 0.5


def test_the_window_ramps_only_where_a_neighbour_overlaps():
    window = tiling.window(384, 0, 64)
    assert np.all(window[:320] == 1) and np.all(np.diff(window[320:]) < 0) and window[-1] < 0.01
    both = tiling.window(384, 300, 300)  # overlaps above half a tile: ramps capped, never meet
    assert both[191] == pytest.approx(1.0, abs=1e-4) and both[0] < 0.01 and both[-1] < 0.01


def test_painting_with_the_identity_gives_the_image_back():
    rng = np.random.default_rng(0)
    for shape in ((1000, 700, 3), (157, 211, 3), (384, 900, 3)):
        image = rng.random(shape, dtype=np.float32)
        np.testing.assert_allclose(tiling.paint_tiled(image, lambda tile: tile), image, atol=1e-6)


def _offset_painter(image_shape):
    """A painter whose tiles disagree: each tile adds its own tone (0, 0.1, 0.2, ...)."""
    seen = []

    def paint(tile):
        seen.append(tile.shape)
        return tile + 0.1 * (len(seen) % 3)

    return paint, seen


def _hard_cut(image, tile, overlap, offsets):
    """The same tiles pasted with a cut in the middle of each overlap (no blending)."""
    rows = tiling.tile_starts(image.shape[0], tile, overlap)
    cols = tiling.tile_starts(image.shape[1], tile, overlap)
    out = np.empty_like(image)
    cuts_y = [0] + [(a + tile + b) // 2 for a, b in zip(rows, rows[1:])] + [image.shape[0]]
    cuts_x = [0] + [(a + tile + b) // 2 for a, b in zip(cols, cols[1:])] + [image.shape[1]]
    index = 0
    for i in range(len(rows)):
        for j in range(len(cols)):
            index += 1
            block = (slice(cuts_y[i], cuts_y[i + 1]), slice(cuts_x[j], cuts_x[j + 1]))
            out[block] = image[block] + offsets(index)
    return out, cuts_x[1:-1]


def seam_ratio(image: np.ndarray, columns) -> float:
    """How much more the image changes across ``columns`` than across a typical column.

    Each column's energy is the mean |difference| to its left neighbour after smoothing along
    the column (33 px), which averages texture away and keeps steps that run along a tile border.
    """
    smooth = uniform_filter1d(image, 33, axis=0)
    energy = np.abs(np.diff(smooth, axis=1)).mean(axis=(0, 2))
    return float(max(energy[c - 1] for c in columns) / np.median(energy))


def test_tiles_that_disagree_blend_without_a_seam():
    rng = np.random.default_rng(1)
    image = (0.4 + 0.2 * rng.random((600, 1000, 3))).astype(np.float32)
    paint, seen = _offset_painter(image.shape)
    blended = tiling.paint_tiled(image, paint, tile=384, overlap=64)
    assert seen == [(384, 384, 3)] * 6  # 2 rows x 3 columns, each tile 384x384
    cols = tiling.tile_starts(1000, 384, 64)
    borders = sorted({*cols[1:], *(c + 384 for c in cols[:-1])})
    hard, cuts = _hard_cut(image, 384, 64, lambda index: 0.1 * (index % 3))
    # The detector sees the hard cut's seam (a 0.1 step) ...
    assert seam_ratio(hard, cuts) > 10
    # ... and nothing at any border of the blended tiles: steps there are at most 0.1 x the
    # ramp's slope, within the image's own pixel-to-pixel noise.
    assert seam_ratio(blended, borders) < 1.5
    step = np.abs(np.diff(blended.mean(axis=(0, 2))))
    assert step.max() < 0.1 * np.pi / (2 * 64) + 0.01


@pytest.mark.slow
def test_the_int8_transformer_paints_1024_px_without_a_seam(tiled_stylizer, samples_available):
    from stlib.arbitrary import tflite
    from stlib.inputs import load_content

    photo = load_content("tuebingen", 1024)  # 1024 x 768: 3 x 3 tiles
    embedding = tiled_stylizer.embed("starry_night")
    painted = tiled_stylizer.transform(photo, embedding).numpy()[0]
    assert painted.shape == (768, 1024, 3)
    cols, rows = tiling.tile_starts(1024), tiling.tile_starts(768)
    assert (cols, rows) == ([0, 320, 640], [0, 192, 384])
    borders_x = sorted({*cols[1:], *(c + tiling.TILE for c in cols[:-1])})
    borders_y = sorted({*rows[1:], *(r + tiling.TILE for r in rows[:-1])})
    across_x = seam_ratio(painted, borders_x)
    across_y = seam_ratio(painted.transpose(1, 0, 2), borders_y)

    # The control: tiles side by side without overlap show their seams to the same detector.
    pixels = np.asarray(photo)[0]
    vector = tflite.as_embedding(embedding)

    def paint(y, x):
        return tiled_stylizer.transformer_model.run(pixels[y : y + 384, x : x + 384][None], vector)

    # 2 x 2 tiles side by side, 768 x 768 px: seams at x = 384 and y = 384.
    naive = np.concatenate(
        [np.concatenate([paint(y, 0), paint(y, 384)], axis=2) for y in (0, 384)], axis=1
    )[0]
    naive_ratio = seam_ratio(naive, [384])
    # Measured: blended 1.47 (x) and 1.42 (y), side by side 4.8; the photo's own edges reach ~1.7.
    assert across_x < 2.0 and across_y < 2.0, (across_x, across_y)
    assert naive_ratio > 3.0, naive_ratio
