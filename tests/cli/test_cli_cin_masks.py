"""`stlib cin --masks`: a style per region in one pass; wrong masks are refused before any work
(exit 2), and a mask file is never overwritten."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from stlib import cli

OLD_BYTES = b"the user's earlier picture"
PALE, RED = 8, 20  # two of the 26 styles whose pastiches differ most


@pytest.fixture
def mask_files(tmp_path):
    """left.png and right.png, 400 x 300 (the photo's shape at another size)."""
    left = np.zeros((300, 400), np.uint8)
    left[:, :200] = 255
    Image.fromarray(left).save(tmp_path / "left.png")
    Image.fromarray(255 - left).save(tmp_path / "right.png")
    return tmp_path / "left.png", tmp_path / "right.png"


@pytest.fixture
def existing_output(tmp_path):
    out = tmp_path / "out.png"
    out.write_bytes(OLD_BYTES)
    return out


def _read(path):
    return np.asarray(Image.open(path), np.float32) / 255


def test_each_region_is_painted_in_its_style(
    tmp_path, mask_files, magenta26_available, samples_available, capsys
):
    left, right = mask_files
    masked = tmp_path / "masked.png"
    argv = ["cin", "tuebingen", "-o", str(masked), "--size", "96"]
    assert cli.main([*argv, "--mix", f"{PALE}:1,{RED}:1", "--masks", f"{left},{right}"]) == 0
    assert f"styles {PALE} in left.png, {RED} in right.png of magenta-26" in capsys.readouterr().out
    singles = {}
    for k in (PALE, RED):
        singles[k] = tmp_path / f"{k}.png"
        assert (
            cli.main(["cin", "tuebingen", "-o", str(singles[k]), "--style", str(k), "--size", "96"])
            == 0
        )
    image, pale, red = _read(masked), _read(singles[PALE]), _read(singles[RED])
    assert image.shape == (72, 96, 3)
    a, b = slice(0, 36), slice(60, 96)  # away from the seam at 48

    def near(x, y, cols):
        return np.abs(x[:, cols] - y[:, cols]).mean()

    assert near(image, pale, a) < 0.5 * near(image, red, a)
    assert near(image, red, b) < 0.5 * near(image, pale, b)
    # The masks' order is the mix's order: swapping the mix swaps the halves.
    swapped = tmp_path / "swapped.png"
    argv = ["cin", "tuebingen", "-o", str(swapped), "--size", "96", "--masks", "left,right"]
    assert cli.main([*argv, "--mix", f"{RED}:1,{PALE}:1"]) == 0
    assert near(_read(swapped), red, a) < 0.5 * near(_read(swapped), pale, a)


@pytest.mark.parametrize(
    "options, message",
    [
        (["--masks", "left,right"], "--masks needs --mix K:W,K:W"),
        (["--style", "8", "--masks", "left,right"], "--masks needs --mix K:W,K:W"),
        (
            ["--mix", "8:1,20:1", "--masks", "left"],
            "--masks gives 1 mask for the 2 styles of --mix",
        ),
        (
            ["--mix", "8:1", "--masks", "left,right"],
            "--masks gives 2 masks for the 1 style of --mix",
        ),
        (["--mix", "8:1,20:0", "--masks", "left,right"], "--mix 8:1,20:0: style 20 has weight 0"),
        (["--mix", "8:1,20:1", "--masks", "left,,right"], "an empty name between commas"),
    ],
)
def test_settings_are_refused_before_tensorflow(existing_output, capsys, options, message):
    assert cli.main(["cin", "tuebingen", "-o", str(existing_output), *options]) == 2
    assert message in capsys.readouterr().err
    assert existing_output.read_bytes() == OLD_BYTES


def test_masks_that_cannot_place_the_styles_are_refused(
    existing_output, magenta26_available, samples_available, capsys
):
    argv = ["cin", "tuebingen", "-o", str(existing_output), "--size", "64", "--mix", "8:1,20:1"]
    assert cli.main([*argv, "--masks", "lft,right"]) == 2
    assert "mask 1 of 2 ('lft'): no such file, and not a mask name" in capsys.readouterr().err
    assert cli.main([*argv, "--masks", "left,left"]) == 2
    assert "the masks do not cover the photo" in capsys.readouterr().err
    assert existing_output.read_bytes() == OLD_BYTES


def test_an_output_that_is_a_mask_file_is_refused_and_the_mask_kept(mask_files, capsys):
    left, right = mask_files
    before = left.read_bytes()
    argv = ["cin", "tuebingen", "-o", str(left), "--mix", "8:1,20:1", "--masks", f"{left},{right}"]
    assert cli.main(argv) == 2
    assert "is the same file as the input" in capsys.readouterr().err
    assert left.read_bytes() == before


def test_mask_settings_errors_do_not_start_tensorflow():
    probe = (
        "import sys; from stlib import cli\n"
        "for argv in (['cin', 'tuebingen', '-o', 'x.png', '--masks', 'left,right'], "
        "['cin', 'tuebingen', '-o', 'x.png', '--mix', '1:1,2:1', '--masks', 'left']):\n"
        "    cli.main(argv)\n"
        "print('TF-IMPORTED' if 'tensorflow' in sys.modules else 'TF-NOT-IMPORTED')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("TF-NOT-IMPORTED"), out.stdout[-500:]
