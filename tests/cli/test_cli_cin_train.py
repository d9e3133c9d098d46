"""`stlib cin-train`: wrong input refused before any work (exit 2, the option named), Ctrl-C keeps
a checkpoint and says how to go on (exit 130), --resume finishes the run."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from stlib import cli
from stlib.cin import training


@pytest.fixture
def main():
    """``stlib.cli.main``: the command line, in this process."""
    return cli.main


@pytest.fixture
def painting(tmp_path):
    path = tmp_path / "painting.png"
    y, x = np.mgrid[0:64, 0:64]
    pixels = np.stack([x * 4, y * 4, (x + y) * 2], axis=-1).astype(np.uint8)
    Image.fromarray(pixels).save(path)
    return path


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for k in range(2):
        Image.fromarray((rng.random((48, 60, 3)) * 255).astype(np.uint8)).save(folder / f"{k}.png")
    return folder


def _error(capsys) -> str:
    return capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--size", "10"], "--size 10: must be a whole number in [32, 2048]"),
        (["--steps", "0"], "--steps 0: must be a whole number in [1, 10000000]"),
        (["--learning-rate", "-1"], "--learning-rate -1: must be a finite number in (0, 1]"),
        (["--batch", "x"], "argument --batch: expected a whole number, got 'x'"),
        (["--mixed-precision", "fp16"], "--mixed-precision fp16: choose from"),
    ],
)
def test_bad_settings_exit_2_naming_the_option(main, capsys, tmp_path, painting, argv, message):
    out = tmp_path / "net.keras"
    assert main(["cin-train", str(painting), "-o", str(out), *argv]) == 2
    assert message in _error(capsys)
    assert not out.exists()


def test_a_missing_style_file_or_unknown_sample_exits_2(main, capsys, tmp_path):
    out = str(tmp_path / "net.keras")
    assert main(["cin-train", str(tmp_path / "nope.png"), "-o", out]) == 2
    assert "STYLE" in (err := _error(capsys)) and "nope.png" in err and "no such file" in err
    assert main(["cin-train", "starry_nihgt", "-o", out]) == 2
    assert "unknown sample 'starry_nihgt' (did you mean 'starry_night'?)" in _error(capsys)
    text = tmp_path / "notes.txt"
    text.write_text("not a painting")
    assert main(["cin-train", str(text), "-o", out]) == 2
    assert "is not an image file" in _error(capsys)


def test_the_output_must_be_a_keras_file(main, capsys, tmp_path, painting):
    assert main(["cin-train", str(painting), "-o", str(tmp_path / "net.h5")]) == 2
    assert "extension '.h5' is not supported; use one of .keras" in _error(capsys)
    assert main(["cin-train", str(painting), "-o", str(tmp_path)]) == 2
    assert "--output" in _error(capsys)


def test_resume_needs_a_checkpoint(main, capsys, tmp_path, painting):
    out = tmp_path / "net.keras"
    assert main(["cin-train", str(painting), "-o", str(out), "--resume"]) == 2
    err = _error(capsys)
    assert "--resume: there is no checkpoint to continue" in err and "net_checkpoint.npz" in err


def test_content_dir_must_hold_photos(main, capsys, tmp_path, painting):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = str(tmp_path / "net.keras")
    assert main(["cin-train", str(painting), "-o", out, "--content-dir", str(empty)]) == 2
    assert "--content-dir: content folder" in (err := _error(capsys)) and "holds no image" in err


def test_finetune_needs_a_multi_style_network(main, capsys, tmp_path, painting):
    out = str(tmp_path / "net.keras")
    assert main(["cin-train", str(painting), "-o", out, "--finetune", "base.keras"]) == 2
    assert "--finetune base.keras: no such file" in _error(capsys)
    fake = tmp_path / "fake.keras"
    fake.write_bytes(b"not a zip")
    assert main(["cin-train", str(painting), "-o", out, "--finetune", str(fake)]) == 2
    assert "is not a Keras .keras file" in _error(capsys)


def test_errors_come_before_tensorflow_starts(tmp_path, painting):
    code = (
        "import sys; from stlib import cli\n"
        f"code = cli.main(['cin-train', {str(painting)!r}, '-o', {str(tmp_path / 'n.keras')!r},"
        " '--size', '8'])\n"
        "print(code, 'tensorflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["2", "False"], result.stderr


def test_the_help_lists_the_options(main, capsys):
    assert main(["cin-train", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--steps", "--size", "--batch", "--content-dir", "--resume", "--finetune"):
        assert option in text
    assert "--quick" in text and "--checkpoint-every" in text and "--sample-every" in text


TINY_RUN = ["--size", "32", "--batch", "1", "--style-size", "64", "--sample-every", "0"]
TINY_RUN += ["--checkpoint-every", "0", "--quick"]


def test_ctrl_c_keeps_a_checkpoint_and_resume_finishes(
    main, capsys, tmp_path, painting, photos, monkeypatch, vgg_weights
):
    out = tmp_path / "net.keras"
    argv = ["cin-train", str(painting), "-o", str(out), "--steps", "4", *TINY_RUN]
    argv += ["--content-dir", str(photos), "--quiet"]
    train = training.train

    def interrupted_at_step_2(*args, **kwargs):
        def callback(info):
            if info.step == 2:
                raise KeyboardInterrupt

        return train(*args, **kwargs, callbacks=[callback])

    monkeypatch.setattr(training, "train", interrupted_at_step_2)
    assert main(argv) == 130
    err = _error(capsys)
    assert "interrupted at step 2 of 4" in err and "net_checkpoint.npz" in err
    assert "--resume" in err and "--content-dir" in err
    assert training.read_checkpoint_meta(training.checkpoint_path(out))["step"] == 2
    assert not out.exists()

    monkeypatch.setattr(training, "train", train)
    assert main([*argv, "--resume"]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out} (1 style: painting; 4 steps" in printed
    assert training.read_checkpoint_meta(training.checkpoint_path(out))["step"] == 4

    # The same checkpoint, other settings: refused before the work, naming the option.
    assert main([*argv, "--resume", "--steps", "6", "--seed", "3"]) == 2
    assert "--seed 3: the checkpoint was made with seed=0" in _error(capsys)
