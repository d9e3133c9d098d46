"""`stlib arbitrary --masks`: a painting per region from the command line, and wrong masks refused
(exit 2) with the output and every mask file left as they were."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stlib import cli

OLD_BYTES = b"the user's earlier picture"

pytestmark = pytest.mark.usefixtures("no_network")  # tests/conftest.py


def _save(path: Path, array: np.ndarray) -> Path:
    Image.fromarray(np.asarray(array)).save(path)
    return path


@pytest.fixture
def images(tmp_path):
    """A 96x128 photo, a dark and a bright painting, and a mask file of the photo's top."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:96, 0:128]
    photo = np.stack([x * 2, y * 2, (x + y)], axis=-1) % 256
    dark = (rng.random((160, 160, 3)) * [20, 30, 90]).astype(np.uint8)
    stripes = np.array([[255, 220, 30], [240, 50, 30]], np.uint8)[(np.arange(160) // 10) % 2]
    top = ((y < 40) * 255).astype(np.uint8)
    return {
        "photo": _save(tmp_path / "photo.png", photo.astype(np.uint8)),
        "dark": _save(tmp_path / "dark.png", dark),
        "bright": _save(tmp_path / "bright.png", np.broadcast_to(stripes, (160, 160, 3)).copy()),
        "top": _save(tmp_path / "top.png", top),
    }


@pytest.fixture
def existing_output(tmp_path) -> Path:
    out = tmp_path / "out.png"
    out.write_bytes(OLD_BYTES)
    return out


def _argv(images, output, *extra):
    paths = [str(images[k]) for k in ("photo", "dark", "bright")]
    return ["arbitrary", *paths, "-o", str(output), "--backend", "tflite", *extra]


def test_left_right_writes_the_apis_placed_pastiche(images, tmp_path, tflite_models, capsys):
    from stlib import arbitrary

    out = tmp_path / "halves.png"
    assert cli.main(_argv(images, out, "--masks", "left,right")) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out} (128x96 px, 2 regions (left,right)" in printed
    written = np.asarray(Image.open(out), np.float32) / 255
    expected = arbitrary.stylize(
        str(images["photo"]),
        [str(images["dark"]), str(images["bright"])],
        masks=["left", "right"],
        backend="tflite",
    ).image.numpy()[0]
    np.testing.assert_allclose(written, expected, atol=1.01 / 255)  # 8-bit rounding
    assert written[:, :50].mean() + 0.2 < written[:, 78:].mean()  # dark left, bright right


def test_a_mask_file_and_rest(images, tmp_path, tflite_models):
    out = tmp_path / "sky.png"
    assert cli.main(_argv(images, out, "--masks", f"{images['top']},rest", "--size", "64")) == 0
    written = np.asarray(Image.open(out), np.float32) / 255
    assert written.shape == (48, 64, 3)
    assert written[:12].mean() + 0.2 < written[30:].mean()  # the dark painting on top


def test_auto_with_the_tiled_transformer_and_other_options(images, tmp_path, tflite_models):
    out = tmp_path / "auto.jpg"
    extra = ["--masks", "auto", "--transformer", "int8", "--strength", "0.7"]
    assert cli.main(_argv(images, out, *extra, "--preserve-color", "histogram")) == 0
    assert Image.open(out).size == (128, 96)


def test_a_folder_of_photos_with_masks(images, tmp_path, tflite_models, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    _save(photos / "a.png", np.full((48, 64, 3), 128, np.uint8))
    _save(photos / "b.png", np.full((60, 80, 3), 90, np.uint8))
    _save(
        photos / "c.png", np.full((64, 64, 3), 90, np.uint8)
    )  # square: the mask file does not fit
    out = tmp_path / "painted"
    argv = ["arbitrary", str(photos), str(images["dark"]), str(images["bright"]), "-o", str(out)]
    code = cli.main([*argv, "--masks", f"{images['top']},rest", "--backend", "tflite", "--quiet"])
    assert code == 1  # c.png failed, the others were written
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png"]
    assert "failed c.png: mask 1 of 2" in capsys.readouterr().err


@pytest.mark.parametrize("which", ["top", "dark"])
def test_output_over_a_mask_file_or_a_painting_is_refused(images, capsys, which):
    target = images[which]
    before = target.read_bytes()
    argv = _argv(images, target, "--masks", f"{images['top']},rest")
    assert cli.main(argv) == 2
    assert "is the same file as the input" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_a_mask_file_inside_the_output_folder_is_never_overwritten(images, tmp_path, capsys):
    photos, out = tmp_path / "photos", tmp_path / "painted"
    photos.mkdir()
    out.mkdir()
    _save(photos / "m.png", np.full((96, 128, 3), 128, np.uint8))
    mask = _save(
        out / "m.png", np.asarray(Image.open(images["top"]))
    )  # where m.png's pastiche goes
    before = mask.read_bytes()
    argv = ["arbitrary", str(photos), str(images["dark"]), str(images["bright"]), "-o", str(out)]
    assert cli.main([*argv, "--masks", f"{mask},rest"]) == 2
    assert "is the same file as the input" in capsys.readouterr().err
    assert mask.read_bytes() == before


BAD = [
    (["--masks", "left"], "1 mask for 2 paintings; give one mask per painting"),
    (["--masks", "left,right,rest"], "3 masks for 2 paintings"),
    (["--masks", "left,,right"], "--masks 'left,,right': an empty name between commas"),
    (
        ["--masks", "left,right", "--mix", "1,2"],
        "--mix 1,2, --masks left,right: cannot go together: --mix blends the paintings",
    ),
    (["--masks", "rest,rest"], "'rest' given 2 times"),
]


@pytest.mark.parametrize(("extra", "message"), BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_masks_are_refused_before_tensorflow_starts(
    images, existing_output, capsys, extra, message
):
    assert cli.main(_argv(images, existing_output, *extra)) == 2
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err
    assert existing_output.read_bytes() == OLD_BYTES


@pytest.mark.parametrize(
    ("masks", "message"),
    [
        ("lft,right", "mask 1 of 2 ('lft'): no such file, and not a mask name"),
        ("left,left", "the masks do not cover the photo"),
        ("nowhere.png,rest", "mask 1 of 2 ('nowhere.png'): no such file"),
    ],
)
def test_masks_that_cannot_place_the_paintings_exit_2(
    images, existing_output, tflite_models, capsys, masks, message
):
    assert cli.main(_argv(images, existing_output, "--masks", masks)) == 2
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err
    if masks.startswith("lft"):
        assert "(did you mean 'left'?)" in err
    assert existing_output.read_bytes() == OLD_BYTES


def test_a_mask_of_another_shape_is_named(images, existing_output, tflite_models, capsys, tmp_path):
    square = _save(tmp_path / "square.png", np.zeros((50, 50), np.uint8))
    assert cli.main(_argv(images, existing_output, "--masks", f"rest,{square}")) == 2
    assert "has another shape than the photo (128x96)" in capsys.readouterr().err
    assert existing_output.read_bytes() == OLD_BYTES


def test_mask_settings_errors_do_not_start_tensorflow():
    probe = (
        "import sys; from stlib import cli\n"
        "base = ['arbitrary', 'tuebingen', 'a.jpg', 'b.jpg', '-o', 'x.png']\n"
        "codes = [cli.main(base + extra) for extra in (['--masks', 'left'], "
        "['--masks', 'left,right', '--mix', '1,1'], ['--masks', 'a,,b'])]\n"
        "print(codes, 'TF-IMPORTED' if 'tensorflow' in sys.modules else 'TF-NOT-IMPORTED')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("[2, 2, 2] TF-NOT-IMPORTED"), out.stdout[-500:]


def test_the_masks_option_has_help_with_its_default():
    parser = cli.build_parser()
    command = parser._subparsers._group_actions[0].choices["arbitrary"]
    (action,) = [a for a in command._actions if a.dest == "masks"]
    assert "default: none" in action.help and "not with --mix" in action.help
