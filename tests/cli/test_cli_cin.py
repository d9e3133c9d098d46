"""`stlib cin`: the 26 pretrained styles or a trained file, one style or a mix; wrong input is
refused before any work and never overwrites the user's file."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from stlib import cli

OLD_BYTES = b"the user's earlier picture"


@pytest.fixture
def existing_output(tmp_path):
    out = tmp_path / "out.png"
    out.write_bytes(OLD_BYTES)
    return out


def test_one_style_and_a_mix(tmp_path, magenta26_available, samples_available, capsys):
    one, mix = tmp_path / "one.png", tmp_path / "sub" / "mix.jpg"
    assert cli.main(["cin", "tuebingen", "-o", str(one), "--style", "19", "--size", "96"]) == 0
    assert "style 19 of magenta-26" in capsys.readouterr().out
    argv = ["cin", "tuebingen", "-o", str(mix), "--mix", "3:1,19:1", "--size", "96"]
    assert cli.main(argv) == 0
    assert "mix 3:0.5,19:0.5" in capsys.readouterr().out
    a, b = (np.asarray(Image.open(p), np.float32) / 255 for p in (one, mix))
    assert a.shape == b.shape == (72, 96, 3)
    assert np.abs(a - b).mean() > 0.03  # the mix is another picture
    kept = tmp_path / "kept.png"
    argv = ["cin", "tuebingen", "-o", str(kept), "--style", "19", "--size", "96"]
    assert cli.main([*argv, "--preserve-color", "luminance"]) == 0
    c = np.asarray(Image.open(kept), np.float32) / 255
    assert 0.005 < np.abs(c - a).mean()  # the photo's colours, the style's strokes


def test_list_names_the_styles(magenta26_available, capsys):
    assert cli.main(["cin", "--list"]) == 0
    out = capsys.readouterr().out
    assert "magenta-26: 26 styles" in out and "25  magenta-26 #25" in out


def test_a_trained_file_is_used_and_its_style_count_checked(tmp_path, capsys):
    from stlib.cin.transformer import MultiStyleTransformer, TransformerSpec

    model = tmp_path / "mine.keras"
    MultiStyleTransformer(2, TransformerSpec((4, 4, 4), 1, (4, 4)), ["wave", "dots"]).save(model)
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((40, 48, 3), 128, np.uint8)).save(photo)
    out = tmp_path / "out.png"
    assert cli.main(["cin", str(photo), "-o", str(out), "--style", "1", "--model", str(model)]) == 0
    assert Image.open(out).size == (48, 40)
    assert cli.main(["cin", "--list", "--model", str(model)]) == 0
    assert "1  dots" in capsys.readouterr().out
    argv = ["cin", str(photo), "-o", str(tmp_path / "x.png"), "--style", "2", "--model", str(model)]
    assert cli.main(argv) == 2
    assert "--style 2: must be a whole number in [0, 1]" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    "options, message",
    [
        ([], "choose a style with --style K or a mix with --mix"),
        (["--style", "26"], "--style 26: must be a whole number in [0, 25]"),
        (["--style", "one"], "expected a style number"),
        (["--mix", "3:0.5,7"], "'7' has no ':WEIGHT'"),
        (["--mix", "3:-1,4:1"], "must be a finite number >= 0"),
        (["--mix", "3:0"], "the weights sum to 0"),
        (["--style", "1", "--mix", "1:1"], "not allowed with argument --style"),
        (["--style", "1", "--size", "16"], "--size 16: must be a whole number in [32, 8192]"),
        (["--style", "1", "--model", "styles.h5"], "--model styles.h5: expected a .keras file"),
        (["--style", "1", "--model", "nothere.keras"], "--model nothere.keras: no such file"),
        (["--style", "1", "--preserve-color", "histogram"], "invalid choice: 'histogram'"),
    ],
)
def test_bad_input_is_refused_and_the_old_file_kept(existing_output, capsys, options, message):
    assert cli.main(["cin", "tuebingen", "-o", str(existing_output), *options]) == 2
    assert message in capsys.readouterr().err
    assert existing_output.read_bytes() == OLD_BYTES


def test_an_existing_output_is_not_replaced_and_a_missing_one_named(existing_output, capsys):
    assert cli.main(["cin", "tuebingen", "--style", "1"]) == 2
    assert "give -o OUTPUT" in capsys.readouterr().err


def test_settings_errors_and_help_do_not_start_tensorflow():
    probe = (
        "import sys; from stlib import cli\n"
        "for argv in (['cin', '--help'], ['cin', 'tuebingen', '-o', 'x.png', '--style', '30'], "
        "['cin', 'tuebingen', '-o', 'x.png', '--mix', '1:a'], "
        "['cin', 'tuebingen', '-o', 'x.png', '--style', '1', '--model', 'no.keras']):\n"
        "    cli.main(argv)\n"
        "print('TF-IMPORTED' if 'tensorflow' in sys.modules else 'TF-NOT-IMPORTED')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("TF-NOT-IMPORTED"), out.stdout[-500:]
