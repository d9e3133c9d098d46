"""`stlib arbitrary`: one photo, a folder of photos, and wrong input refused before any work."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stlib import cli

OLD_BYTES = b"the user's earlier picture"


pytestmark = pytest.mark.usefixtures("no_network")  # tests/conftest.py


@pytest.fixture
def existing_output(tmp_path) -> Path:
    out = tmp_path / "out.png"
    out.write_bytes(OLD_BYTES)
    return out


def _photo(path: Path, height: int, width: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random((height, width, 3)) * 255).astype(np.uint8)).save(path)
    return path


def test_one_photo(tmp_path, tflite_models, samples_available, capsys):
    out = tmp_path / "deep" / "pastiche.jpg"
    argv = ["arbitrary", "tuebingen", "starry_night", "the_scream", "-o", str(out)]
    argv += ["--size", "211", "--mix", "2,1", "--strength", "0.8", "--transformer", "int8"]
    assert cli.main([*argv, "--style-size", "200", "--preserve-color", "luminance"]) == 0
    assert Image.open(out).size == (211, 158)
    printed = capsys.readouterr().out
    assert f"wrote {out} (211x158 px" in printed and "tflite int8" in printed


def test_a_folder_of_photos(tmp_path, tflite_models, samples_available, monkeypatch, capsys):
    from stlib import arbitrary
    from stlib.arbitrary.tflite import TFLiteStylizer

    # A stylizer kept by an earlier test in this process may hold the painting's embedding already.
    arbitrary.clear_cache()
    photos = tmp_path / "photos"
    photos.mkdir()
    _photo(photos / "a.png", 64, 96, 1)
    _photo(photos / "b.jpg", 101, 77, 2)
    _photo(photos / "c.gif", 48, 48, 3)
    (photos / "notes.txt").write_text("not an image")
    (photos / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (photos / "sub").mkdir()
    (photos / ".hidden.png").write_bytes(b"")
    embedded = []
    original = TFLiteStylizer._embed_image
    monkeypatch.setattr(
        TFLiteStylizer, "_embed_image", lambda self, im: embedded.append(1) or original(self, im)
    )
    out = tmp_path / "painted"
    argv = ["arbitrary", str(photos), "starry_night", "-o", str(out), "--backend", "tflite"]
    assert cli.main([*argv, "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.jpg", "c.png"]
    assert Image.open(out / "a.png").size == (96, 64) and Image.open(out / "b.jpg").size == (
        77,
        101,
    )
    assert len(embedded) == 1  # the style's embedding, once for the whole folder
    printed = capsys.readouterr().out.splitlines()
    assert "skipped broken.png: cannot be read (Truncated File Read)" in printed
    assert (
        "skipped notes.txt: not an image" in printed
        and "skipped sub/: a folder (sub-folders are not searched)" in printed
    )
    assert not any("hidden" in line for line in printed)
    assert printed[-1].startswith(
        f"6 entries of {photos}: 3 written to {out}, 3 skipped (cannot be read: broken.png; "
        "not an image: notes.txt; a folder: sub/) in "
    )
    assert printed[-1].endswith(" s (tflite dynamic)")


def test_a_folder_with_a_file_as_output_is_refused(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    _photo(photos / "a.png", 40, 40)
    assert cli.main(["arbitrary", str(photos), "starry_night", "-o", str(tmp_path / "x.png")]) == 2
    assert "is a folder, so --output must name a folder" in capsys.readouterr().err


def test_a_folder_without_images_is_refused(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "notes.txt").write_text("hello")
    assert cli.main(["arbitrary", str(photos), "starry_night", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "holds no image to stylise (1 other entry skipped)" in err
    assert not (tmp_path / "out").exists()


def test_writing_over_the_photos_is_refused(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    photo = _photo(photos / "a.png", 40, 40)
    before = photo.read_bytes()
    assert cli.main(["arbitrary", str(photos), "starry_night", "-o", str(photos)]) == 2
    assert (
        "is the CONTENT folder: the pastiches would replace the photos" in capsys.readouterr().err
    )
    # A path that leads back into the folder is the folder too.
    again = str(photos / ".." / "photos")
    assert cli.main(["arbitrary", str(photos), "starry_night", "-o", again]) == 2
    assert photo.read_bytes() == before and sorted(photos.iterdir()) == [photo]


# (extra arguments, what the one-line error must say): refused before TensorFlow starts, the
# output untouched.
BAD = [
    (["--strength", "nan"], "--strength nan: must be a finite number in [0, 1]"),
    (["--strength", "1.5"], "--strength 1.5: must be a finite number in [0, 1]"),
    (["--mix", "1"], "--mix 1: gives 1 weight for 2 style images; give one per style"),
    (["--mix", "1,-1"], "--mix 1,-1: must be a finite number >= 0"),
    (["--mix", "0,0"], "--mix 0,0: must not all be 0"),
    (["--mix", "1,inf"], "--mix 1,inf: must be a finite number >= 0"),
    (["--mix", "a,b"], "argument --mix: expected numbers separated by commas"),
    (["--style-size", "8"], "--style-size 8: must be a whole number in [32, 2048]"),
    (["--style-size", "2.5"], "argument --style-size: expected a whole number"),
    (["--size", "10"], "--size 10: must be a whole number in [32, 8192]"),
    (
        ["--backend", "hbu"],
        "--backend hbu: choose from 'auto', 'tflite', 'hub' (did you mean 'hub'?)",
    ),
    (["--transformer", "int16"], "--transformer int16: choose from 'dynamic', 'int8', 'float16'"),
    (["--backend", "hub", "--transformer", "int8"], "--backend hub, --transformer int8: the tr"),
    (["--preserve-color", "colour"], "argument --preserve-color: invalid choice: 'colour'"),
]


@pytest.mark.parametrize(("extra", "message"), BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_settings_name_the_option_and_keep_the_output(existing_output, capsys, extra, message):
    argv = ["arbitrary", "tuebingen", "starry_night", "the_scream", "-o", str(existing_output)]
    assert cli.main([*argv, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err
    assert existing_output.read_bytes() == OLD_BYTES


def test_wrong_images_are_named(
    existing_output, tmp_path, tflite_models, samples_available, capsys
):
    missing = tmp_path / "nope.jpg"
    assert cli.main(["arbitrary", str(missing), "starry_night", "-o", str(existing_output)]) == 2
    assert "nope.jpg" in capsys.readouterr().err
    notes = tmp_path / "notes.jpg"
    notes.write_text("not an image")
    argv = ["arbitrary", "tuebingen", "starry_night", str(notes), "-o", str(existing_output)]
    assert cli.main([*argv, "--backend", "tflite"]) == 2
    err = capsys.readouterr().err
    assert f"style 2 of 2 ('{notes}') is not an image Pillow can read" in err
    assert cli.main(["arbitrary", "tuebinge", "starry_night", "-o", str(existing_output)]) == 2
    assert "unknown sample 'tuebinge' (did you mean 'tuebingen'?)" in capsys.readouterr().err
    assert cli.main(["arbitrary", "tuebingen", "starry_night", "-o", str(tmp_path / "o.gif")]) == 2
    assert ".png" in capsys.readouterr().err
    assert existing_output.read_bytes() == OLD_BYTES


def test_missing_model_files_offline_are_one_clear_error(
    existing_output, tmp_path, monkeypatch, samples_available, capsys
):
    from stlib.arbitrary import models

    empty = tmp_path / "models"
    empty.mkdir()
    monkeypatch.setenv("STLIB_MODELS_DIR", str(empty))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(models, "BASE_URL", "http://127.0.0.1:9/")
    argv = ["arbitrary", "tuebingen", "starry_night", "-o", str(existing_output)]
    assert cli.main([*argv, "--backend", "tflite"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("stlib arbitrary: error: arbitrary style model file ")
    assert (
        "STLIB_MODELS_DIR" in err and "http://127.0.0.1:9/style_predict_quantized_256.tflite" in err
    )
    assert "Traceback" not in err and existing_output.read_bytes() == OLD_BYTES


def test_hub_without_tensorflow_hub_is_a_clear_error(existing_output, monkeypatch, capsys):
    from stlib.arbitrary import hub

    monkeypatch.setattr(hub, "installed", lambda: False)
    argv = ["arbitrary", "tuebingen", "starry_night", "-o", str(existing_output)]
    assert cli.main([*argv, "--backend", "hub"]) == 1
    err = capsys.readouterr().err
    assert "needs the tensorflow-hub package" in err and "internal error" not in err


def test_settings_errors_and_help_do_not_start_tensorflow():
    probe = (
        "import sys; from stlib import cli\n"
        "for argv in (['arbitrary', '--help'], "
        "['arbitrary', 'tuebingen', 'starry_night', '-o', 'x.png', '--strength', '2'], "
        "['arbitrary', 'tuebingen', 'starry_night', '-o', 'x.png', '--backend', 'hbu']):\n"
        "    cli.main(argv)\n"
        "print('TF-IMPORTED' if 'tensorflow' in sys.modules else 'TF-NOT-IMPORTED')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("TF-NOT-IMPORTED"), out.stdout[-500:]


def test_every_option_has_help_and_shows_its_default():
    parser = cli.build_parser()
    command = parser._subparsers._group_actions[0].choices["arbitrary"]
    for action in command._actions:
        if action.dest == "help" or action.help == argparse.SUPPRESS:  # hidden old spellings
            continue
        assert action.help, f"{action.dest} has no help text"
        if action.option_strings and action.dest not in ("output", "quiet"):
            assert "default" in action.help, f"--{action.dest} does not show its default"
    assert isinstance(command, argparse.ArgumentParser)


def test_a_mistyped_option_gets_a_suggestion(capsys):
    assert cli.main(["arbitrary", "a.jpg", "b.jpg", "-o", "x.png", "--strenght", "1"]) == 2
    assert "(did you mean '--strength'?)" in capsys.readouterr().err


def test_a_truncated_photo_fails_alone_and_the_run_says_so(
    tmp_path, tflite_models, samples_available, capsys
):
    photos = tmp_path / "photos"
    photos.mkdir()
    _photo(photos / "good.png", 50, 60, 1)
    whole = _photo(tmp_path / "whole.jpg", 300, 300, 2).read_bytes()
    (photos / "cut.jpg").write_bytes(whole[: len(whole) // 3])  # the header reads, the pixels not
    out = tmp_path / "out"
    argv = ["arbitrary", str(photos), "starry_night", "-o", str(out), "--quiet"]
    assert cli.main([*argv, "--backend", "tflite"]) == 1
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["good.png"]
    assert f"failed cut.jpg: content '{photos / 'cut.jpg'}' is truncated" in captured.err
    assert f"2 entries of {photos}: 1 written to {out}, 1 failed (unreadable image: cut.jpg)" in (
        captured.out
    )


def test_ctrl_c_in_a_folder_keeps_what_was_written(
    tmp_path, tflite_models, samples_available, monkeypatch, capsys
):
    from stlib import arbitrary
    from stlib.arbitrary.tflite import TFLiteStylizer

    # A stylizer kept by an earlier test in this process may hold the painting's embedding already.
    arbitrary.clear_cache()
    photos = tmp_path / "photos"
    photos.mkdir()
    for index in range(3):
        _photo(photos / f"{index}.png", 40, 50, index)
    calls = []
    original = TFLiteStylizer.run

    def interrupted_on_the_second(self, *args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(TFLiteStylizer, "run", interrupted_on_the_second)
    out = tmp_path / "out"
    argv = ["arbitrary", str(photos), "starry_night", "-o", str(out), "--quiet"]
    assert cli.main([*argv, "--backend", "tflite"]) == 130
    assert [p.name for p in out.iterdir()] == ["0.png"]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"stlib arbitrary: interrupted: 3 entries of {photos}: 1 written to {out}, 2 not reached"
    )


# --- --compute-size: paint small, upsample to the output size -----------------------------------


def test_compute_size_paints_small_and_writes_the_full_size(
    tmp_path, tflite_models, samples_available, capsys
):
    out = tmp_path / "fast.png"
    argv = ["arbitrary", "tuebingen", "starry_night", "-o", str(out), "--backend", "tflite"]
    assert cli.main([*argv, "--size", "300", "--compute-size", "128"]) == 0
    assert Image.open(out).size == (300, 225)
    printed = capsys.readouterr().out
    assert f"wrote {out} (300x225 px, painted at 128x96 px and upsampled, " in printed
    # At or above the output's size, or 'none': painted at full resolution, and said so by silence.
    for value in ("300", "none"):
        assert cli.main([*argv, "--size", "300", "--compute-size", value]) == 0
        printed = capsys.readouterr().out
        assert f"wrote {out} (300x225 px, " in printed and "painted at" not in printed


def test_compute_size_matches_the_api(tmp_path, tflite_models, samples_available):
    from stlib import arbitrary, images

    out = tmp_path / "fast.png"
    argv = ["arbitrary", "tuebingen", "starry_night", "-o", str(out), "--backend", "tflite"]
    assert cli.main([*argv, "--size", "200", "--compute-size", "96", "--quiet"]) == 0
    expected = arbitrary.stylize(
        "tuebingen", "starry_night", size=200, compute_size=96, backend="tflite"
    ).image
    written = images.load(out).numpy()
    assert written.shape == expected.shape
    assert np.abs(written - expected.numpy()).max() <= 1 / 255 + 1e-6  # 8-bit rounding only


COMPUTE_SIZE_BAD = [
    (["--compute-size", "10"], "--compute-size 10: must be a whole number in [64, 8192]"),
    (["--compute-size", "9000"], "--compute-size 9000: must be a whole number in [64, 8192]"),
    (
        ["--compute-size", "384px"],
        "argument --compute-size: expected a whole number of pixels, or 'none' to paint at full",
    ),
    (["--compute-size", "2.5"], "argument --compute-size: expected a whole number of pixels"),
]


@pytest.mark.parametrize(
    ("extra", "message"), COMPUTE_SIZE_BAD, ids=[" ".join(b[0]) for b in COMPUTE_SIZE_BAD]
)
def test_bad_compute_sizes_are_refused_before_any_work(existing_output, capsys, extra, message):
    argv = ["arbitrary", "tuebingen", "starry_night", "-o", str(existing_output)]
    assert cli.main([*argv, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err
    assert existing_output.read_bytes() == OLD_BYTES


def test_compute_size_help_shows_its_default():
    command = cli.build_parser()._subparsers._group_actions[0].choices["arbitrary"]
    (action,) = [a for a in command._actions if a.dest == "compute_size"]
    assert action.option_strings == ["--compute-size"] and action.default is None
    assert "default: none" in action.help and "upsample" in action.help
