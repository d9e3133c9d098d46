"""`stlib transfer --masks`: a placed run writes its pastiche; masks that cannot place the
paintings, and an output that would replace a mask, are refused with exit code 2 and lose
nothing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from stlib import cli


def _mask_file(path, width=96, height=72):
    mask = np.zeros((height, width), np.uint8)
    mask[:, : width // 2] = 255
    Image.fromarray(mask).save(path)
    return path


def _transfer(*arguments):
    return cli.main(
        ["transfer", "tuebingen", "starry_night", "the_scream", "--size", "64", "--quiet"]
        + [*arguments]
    )


@pytest.mark.weights
def test_a_mask_file_and_rest_place_two_paintings(tmp_path, vgg_weights, samples_available):
    mask = _mask_file(tmp_path / "sky.png")
    out = tmp_path / "placed.png"
    code = _transfer(
        "--masks", f"{mask},rest", "--steps", "2", "--optimizer", "adam", "-o", str(out)
    )
    assert code == 0 and Image.open(out).size == (64, 48)


@pytest.mark.parametrize(
    ("masks", "message"),
    [
        ("left", "1 mask for 2 paintings"),
        ("lft,right", "did you mean 'left'"),
        ("left,,right", "an empty name between commas"),
        ("left,top", "do not cover the photo"),
        ("rest,rest", "'rest' given 2 times"),
        ("missing.png,rest", "no such file"),
    ],
)
def test_masks_that_cannot_place_the_paintings_exit_2_naming_the_mask(
    tmp_path, samples_available, capsys, masks, message
):
    out = tmp_path / "out.png"
    assert _transfer("--masks", masks, "-o", str(out)) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_masks_and_mix_together_are_refused(tmp_path, samples_available, capsys):
    assert _transfer("--masks", "left,right", "--mix", "1,2", "-o", str(tmp_path / "o.png")) == 2
    assert "--mix 1,2, --masks left,right: cannot go together" in capsys.readouterr().err


def test_an_output_onto_a_mask_file_is_refused_and_the_mask_kept(tmp_path, capsys):
    mask = _mask_file(tmp_path / "sky.png")
    before = mask.read_bytes()
    assert _transfer("--masks", f"{mask},rest", "-o", str(mask)) == 2
    assert "is the same file as the input" in capsys.readouterr().err
    assert mask.read_bytes() == before
