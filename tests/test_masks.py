"""stlib.masks: the partitions that place each painting, and the errors for masks that cannot."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from stlib import masks


def test_splits_are_complementary_halves_for_odd_sizes():
    for first, second in (("left", "right"), ("top", "bottom")):
        pair = np.stack([masks.split(first, 5, 7), masks.split(second, 5, 7)])
        assert np.array_equal(pair.sum(0), np.ones((5, 7)))
    assert masks.split("left", 5, 7)[:, :4].all() and not masks.split("left", 5, 7)[:, 4:].any()
    assert masks.split("top", 5, 7)[:3].all() and not masks.split("top", 5, 7)[3:].any()


def test_resolve_reads_files_arrays_splits_and_rest(tmp_path):
    sky = np.zeros((40, 60), np.uint8)
    sky[:10] = 255  # the top quarter, as an 8-bit file at another size than the photo
    Image.fromarray(sky).save(tmp_path / "sky.png")
    result = masks.resolve([tmp_path / "sky.png", "rest"], 2, 20, 30)
    assert result.shape == (2, 20, 30) and result.dtype == np.float32
    assert np.allclose(result[0, :5], 1) and np.allclose(result[0, 5:], 0)
    assert np.allclose(result.sum(0), 1)
    boolean = np.zeros((20, 30), bool)
    boolean[:, :15] = True
    assert np.array_equal(
        masks.resolve([boolean, "right"], 2, 20, 30)[0], masks.split("left", 20, 30)
    )


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (["left"], "1 mask for 2 paintings"),
        ([np.ones((20, 30)), "left"], "overlap: 50 % of the pixels"),
        (["left", "top"], "do not cover the photo: 25 %"),
        (["rest", "rest"], "'rest' given 2 times"),
        ([np.zeros((20, 30)), "rest"], "mask 1 of 2 (a numpy array) is empty"),
        ([np.full((20, 30), 1.5), "rest"], "values from 1.5 to 1.5; a float mask is in [0, 1]"),
        ([np.ones((20, 20)), "rest"], "20x20 pixels has another shape than the photo (30x20)"),
        ([np.ones((2, 20, 30)), "rest"], "shape (2, 20, 30)"),
        (["no_such_mask.png", "rest"], "mask 1 of 2 ('no_such_mask.png')"),
        (["lefft", "rest"], "mask 1 of 2 ('lefft')"),
    ],
)
def test_masks_that_cannot_place_the_paintings_are_refused_by_name(sources, message):
    with pytest.raises(masks.MaskError, match=re.escape(message)):
        masks.resolve(sources, 2, 20, 30)


def test_at_resolution_keeps_each_region_share_and_feather_keeps_a_partition():
    hard = np.stack([masks.split("left", 64, 96), masks.split("right", 64, 96)])
    coarse = masks.at_resolution(hard, 8, 12).numpy()
    assert coarse.shape == (2, 8, 12)
    assert np.allclose(coarse.mean(axis=(1, 2)), hard.mean(axis=(1, 2)), atol=1e-6)
    soft = masks.feather(hard, 4.0)
    assert np.allclose(soft.sum(0), 1, atol=1e-5)
    assert 0.2 < soft[0, 10, 47] < 0.8 and soft[0, 10, 0] > 0.99  # soft only near the seam


def test_automatic_masks_follow_the_photo_brightest_region_first():
    photo = np.zeros((1, 48, 64, 3), np.float32)
    photo[:, :16] = [0.7, 0.8, 1.0]  # a bright sky over a dark field
    photo[:, 16:] = [0.1, 0.3, 0.1]
    photo = photo + np.random.default_rng(0).uniform(-0.05, 0.05, photo.shape).astype(np.float32)
    found = masks.resolve("auto", 2, 48, 64, photo=np.clip(photo, 0, 1))
    assert np.array_equal(found[0], (np.arange(48) < 16)[:, None] * np.ones((1, 64)))
    assert np.allclose(found.sum(0), 1)


def test_overlay_tints_each_region_with_its_colour():
    photo = np.full((1, 4, 6, 3), 0.5, np.float32)
    hard = np.stack([masks.split("left", 4, 6), masks.split("right", 4, 6)])
    tinted = masks.overlay(photo, hard, opacity=1.0).numpy()[0]
    assert np.allclose(tinted[:, :3], masks.COLORS[0]) and np.allclose(
        tinted[:, 3:], masks.COLORS[1]
    )


def test_parse_reads_the_command_line_value():
    assert masks.parse("sky.png, rest") == ["sky.png", "rest"]
    with pytest.raises(masks.MaskError, match="empty name between commas"):
        masks.parse("sky.png,,rest")
