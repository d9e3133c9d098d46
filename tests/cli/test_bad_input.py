"""Bad input and faults never cost the user their work: the probe of issue 21, case by case.

Each case runs a command as a user would, with 64-px images, and checks the rules every command
keeps: exit 2 for bad input, 1 for a failure during the run, 130 for Ctrl-C; at most three lines
on stderr that name the value, no traceback; every file the user had byte-identical afterwards.
"""

from __future__ import annotations

import errno
import hashlib
import json
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest
from bad_files import picture, png_header
from PIL import Image

from stlib import cli, outputs
from stlib.cin import training

OLD_BYTES = b"the user's earlier picture"


pytestmark = pytest.mark.usefixtures("no_network")  # tests/conftest.py


def _fake_network(path: Path, class_name: str = "MultiStyleTransformer") -> Path:
    """A .keras zip whose config.json names ``class_name`` (enough for the checks before TF)."""
    registered = f"stlib.fast>{class_name}" if class_name == "MultiStyleTransformer" else class_name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "config.json", json.dumps({"class_name": class_name, "registered_name": registered})
        )
    return path


def _fingerprints(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class Run:
    """One command line: its exit code and stderr, checked against the rules."""

    def __init__(self, capsys, argv: list[str]) -> None:
        self.code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        self.out, self.err = captured.out, captured.err

    def refused(self, code: int, *phrases: str) -> Run:
        assert self.code == code, self.err
        assert "Traceback" not in self.err and "internal error" not in self.err, self.err
        assert len(self.err.strip().splitlines()) <= 3, self.err
        for phrase in phrases:
            assert phrase in self.err, f"{phrase!r} not in {self.err!r}"
        return self


@pytest.fixture
def user(tmp_path):
    """The user's files: a photo, a painting, an earlier picture; checked unchanged at the end."""
    files = {
        "photo": picture(tmp_path / "photo.png", 64, 64, seed=1),
        "painting": picture(tmp_path / "painting.png", 64, 64, seed=2),
        "earlier": tmp_path / "out.png",
    }
    files["earlier"].write_bytes(OLD_BYTES)
    yield files


@pytest.fixture
def untouched(tmp_path):
    """Assert at the end that every file present before the command is byte-identical."""
    holder: dict[str, dict[str, str]] = {}

    def snapshot():
        holder["before"] = _fingerprints(tmp_path)

    yield snapshot
    if "before" in holder:
        after = _fingerprints(tmp_path)
        changed = [name for name, digest in holder["before"].items() if after.get(name) != digest]
        assert not changed, f"the command changed or removed the user's files: {changed}"


def _disk_full_for(monkeypatch, names: set[str]) -> None:
    """Make every atomic write of a file named in ``names`` fail as a full disk would."""
    real = outputs._fsync

    def fsync(path, *, folder=False):
        target = Path(path).name
        if not folder and any(target.startswith(f".{name}") or target == name for name in names):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, folder=folder)

    monkeypatch.setattr(outputs, "_fsync", fsync)


# 1. --finetune X.keras -o X.keras replaced the base network in place.
def test_finetune_network_is_never_the_output(capsys, tmp_path, user, untouched):
    from stlib.cin.transformer import MultiStyleTransformer, TransformerSpec

    base = tmp_path / "base.keras"  # a real network: one that fine-tuning would load and replace
    MultiStyleTransformer(2, TransformerSpec((4, 4, 4), 1, (4, 4))).save(base)
    untouched()
    argv = [
        "cin-train",
        user["painting"],
        "-o",
        base,
        "--finetune",
        base,
        "--quick",
        "--steps",
        "4",
    ]
    Run(capsys, argv).refused(2, "base.keras")


# 2. --history equal to --config overwrote the user's config.
def test_history_is_never_the_config(capsys, tmp_path, user, untouched):
    from stlib.gatys import preset

    config = tmp_path / "good.json"
    config.write_text(preset("stlib", size=64, steps=2).to_json())
    untouched()
    argv = ["transfer", user["photo"], user["painting"], "-o", tmp_path / "g.png"]
    Run(capsys, [*argv, "--config", config, "--history", config, "--quiet"]).refused(2, "good.json")
    assert not (tmp_path / "g.png").exists()


def test_snapshots_never_take_an_input_name(capsys, tmp_path, user, untouched):
    # out-step0002.png is the name the snapshot of step 2 would get.
    photo = picture(tmp_path / "g-step0002.png", seed=3)
    untouched()
    argv = ["transfer", photo, user["painting"], "-o", tmp_path / "g.png", "--snapshot-every", "1"]
    Run(capsys, [*argv, "--steps", "2", "--size", "64", "--quiet"]).refused(2, "g-step0002.png")


# 12. An option taking a negative-looking list got argparse's "expected one argument".
@pytest.mark.parametrize(
    "argv, phrase",
    [
        (
            [
                "arbitrary",
                "{photo}",
                "{painting}",
                "{painting}",
                "-o",
                "{new}",
                "--mix",
                "-1,2",
            ],
            "-1",
        ),
        (
            ["transfer", "{photo}", "{painting}", "{painting}", "-o", "{new}", "--mix", "-1,2"],
            "-1",
        ),
        (["cin", "{photo}", "-o", "{new}", "--mix", "-3:1"], "-3"),
    ],
)
def test_negative_looking_values_are_named(capsys, tmp_path, user, untouched, argv, phrase):
    names = {"photo": user["photo"], "painting": user["painting"], "new": tmp_path / "new.png"}
    untouched()
    run = Run(capsys, [a.format(**names) for a in argv]).refused(2, phrase)
    assert "expected one argument" not in run.err


# 10. A duplicate --mix index was accepted silently.
def test_a_style_given_twice_in_a_mix_is_refused(capsys, tmp_path, user, untouched):
    untouched()
    argv = ["cin", user["photo"], "-o", tmp_path / "new.png", "--mix", "3:1,3:1"]
    Run(capsys, argv).refused(2, "style 3 is given twice")


# 7. cin --model with a file that is no stlib network exited 1 ("File not found" for a text file).
@pytest.mark.parametrize("kind", ["text", "other network", "wrong suffix"])
def test_a_model_that_is_no_stlib_network_is_bad_input(capsys, tmp_path, user, untouched, kind):
    if kind == "text":
        model = tmp_path / "notes.keras"
        model.write_text("my notes\n")
        phrase = "is not a Keras .keras file"
    elif kind == "other network":
        model = _fake_network(tmp_path / "classifier.keras", class_name="Sequential")
        phrase = "holds a Sequential, not a stlib multi-style network"
    else:
        model = _fake_network(tmp_path / "styles.h5")
        phrase = "expected a .keras file"
    untouched()
    argv = ["cin", user["photo"], "-o", user["earlier"], "--model", model]
    run = Run(capsys, argv).refused(2, model.name, phrase)
    assert "File not found" not in run.err


# 8. cin --size N loaded TensorFlow (and its start-up noise) before any check.
def test_cin_checks_come_before_tensorflow_starts(tmp_path, user):
    code = (
        "import sys; from stlib import cli\n"
        f"code = cli.main(['cin', {str(user['photo'])!r}, '-o', {str(tmp_path / 'x.bmpx')!r},"
        " '--style', '3', '--size', '64'])\n"
        "print(code, 'tensorflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["2", "False"], result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr


# 11. A 1x1 training style failed without naming the style, after a "will be replaced" note.
def test_a_tiny_training_style_is_named(capsys, tmp_path, user, untouched):
    tiny = picture(tmp_path / "dot.png", 1, 1)
    out = tmp_path / "net.keras"
    training.checkpoint_path(out).write_bytes(b"an earlier checkpoint")
    untouched()
    run = Run(capsys, ["cin-train", user["painting"], tiny, "-o", out, "--quick"])
    run.refused(2, "dot.png", "1x1", "32")
    assert "replaced" not in run.err + run.out


# 5. A truncated checkpoint was an "internal error: BadZipFile ... a bug in stlib".
def test_a_truncated_checkpoint_is_bad_input(capsys, tmp_path, user, untouched):
    out = tmp_path / "net.keras"
    checkpoint = training.checkpoint_path(out)
    np.savez(checkpoint, meta=np.array(json.dumps({"format": "x"})), weights=np.zeros(10_000))
    checkpoint.write_bytes(checkpoint.read_bytes()[:5000])
    untouched()
    argv = ["cin-train", user["painting"], "-o", out, "--quick", "--resume"]
    Run(capsys, argv).refused(2, checkpoint.name, "truncated", "without resuming")


def test_a_samples_folder_holding_a_style_is_refused(capsys, tmp_path, untouched):
    out = tmp_path / "net.keras"
    samples = training.samples_folder(out)
    samples.mkdir()
    style = picture(samples / "style.png")
    untouched()
    Run(capsys, ["cin-train", style, "-o", out, "--quick"]).refused(2, "samples")


# 3. Folder runs: a GIF and a PNG sharing a stem, a huge PNG, a sub-folder.
@pytest.fixture
def photo_folder(tmp_path):
    folder = tmp_path / "fx"
    folder.mkdir()
    picture(folder / "e.png", seed=1)
    Image.open(picture(folder / "tmp.png", seed=2)).save(folder / "e.gif")
    (folder / "tmp.png").unlink()
    picture(folder / "a.jpg", seed=3)
    png_header(folder / "big.png", 30000, 30000)
    (folder / "sub").mkdir()
    (folder / "notes.txt").write_text("not a picture")
    return folder


def test_a_folder_run_names_every_output_and_skip(
    capsys, tmp_path, user, untouched, photo_folder, tflite_models
):
    out = tmp_path / "styled"
    untouched()
    run = Run(capsys, ["arbitrary", photo_folder, user["painting"], "-o", out, "--size", "64"])
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == ["a.jpg", "e.gif.png", "e.png"]
    # each output is the pastiche of its own photo: e.png from e.png, not from the GIF
    text = run.out + run.err
    assert "e.gif" in text and "e.gif.png" in text  # the renaming is said
    assert "too large: 30000x30000 px" in text and "big.png" in text
    assert "a folder: sub/" in text and "not an image: notes.txt" in text
    assert f"6 entries of {photo_folder}: 3 written to {out}, 3 skipped" in text


# 4. A folder run stopped at the first full disk with no summary.
def test_a_full_disk_in_a_folder_run_names_each_file_and_goes_on(
    capsys, monkeypatch, tmp_path, user, untouched, photo_folder, tflite_models
):
    out = tmp_path / "styled"
    _disk_full_for(monkeypatch, {"e.png", "a.jpg"})
    untouched()
    run = Run(capsys, ["arbitrary", photo_folder, user["painting"], "-o", out, "--size", "64"])
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    assert sorted(p.name for p in out.iterdir()) == ["e.gif.png"]  # no debris of the failed two
    failed = [line for line in run.err.splitlines() if line.startswith("failed ")]
    assert [line.split(":")[0] for line in failed] == ["failed a.jpg", "failed e.png"]
    assert all("No space left on device" in line and str(out) in line for line in failed)
    summary = run.out.strip().splitlines()[-1]
    assert "1 written" in summary and "2 failed (No space left on device: a.jpg, e.png)" in summary


# 6. Full-disk errors named neither the file nor what was kept.
def test_a_full_disk_names_the_file_and_keeps_the_earlier_one(
    capsys, monkeypatch, user, untouched, tflite_models
):
    _disk_full_for(monkeypatch, {"out.png"})
    untouched()
    argv = ["arbitrary", user["photo"], user["painting"], "-o", user["earlier"], "--size", "64"]
    Run(capsys, argv).refused(1, str(user["earlier"]), "No space left on device", "unchanged")


def test_a_full_disk_in_cin_names_the_file(
    capsys, monkeypatch, user, untouched, magenta26_available
):
    _disk_full_for(monkeypatch, {"out.png"})
    untouched()
    argv = ["cin", user["photo"], "-o", user["earlier"], "--style", "3", "--size", "64"]
    Run(capsys, argv).refused(1, str(user["earlier"]), "No space left on device", "unchanged")


@pytest.mark.slow
@pytest.mark.weights
def test_a_full_disk_at_a_training_checkpoint_names_the_step(
    capsys, monkeypatch, tmp_path, user, untouched, vgg_weights
):
    out = tmp_path / "net.keras"
    photos = tmp_path / "photos"
    photos.mkdir()
    for k in range(2):
        picture(photos / f"{k}.png", 48, 60, seed=10 + k)
    _disk_full_for(monkeypatch, {training.checkpoint_path(out).name})
    untouched()
    argv = ["cin-train", user["painting"], "-o", out, "--content-dir", photos, "--steps", "2"]
    argv += ["--size", "32", "--batch", "1", "--style-size", "64", "--sample-every", "0"]
    argv += ["--checkpoint-every", "1", "--quick", "--quiet"]
    run = Run(capsys, argv).refused(1, training.checkpoint_path(out).name, "No space left")
    assert "step 1 of 2" in run.err
    assert not out.exists()


# 9. --backend hub offline printed only "<urlopen error ...>".
def test_hub_offline_points_to_the_tflite_backend(capsys, monkeypatch, tmp_path, user, untouched):
    from stlib.arbitrary import hub

    class OfflineHub:
        @staticmethod
        def load(handle):
            raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(hub, "installed", lambda: True)
    monkeypatch.setattr(hub, "_import_hub", lambda: OfflineHub)
    untouched()
    argv = [
        "arbitrary",
        user["photo"],
        user["painting"],
        "-o",
        tmp_path / "h.png",
        "--backend",
        "hub",
    ]
    Run(capsys, argv).refused(1, "Name or service not known", "--backend tflite")
    assert not (tmp_path / "h.png").exists()
