"""`stlib adain`: a trained decoder file, one painting, a mix or regions; wrong input is refused
before any work (usage, exit 2) and never overwrites the user's file."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image

from stlib import cli

OLD_BYTES = b"the user's earlier picture"


def _picture(path, height, width, seed):
    rng = np.random.default_rng(seed)
    y, x = np.meshgrid(np.linspace(0, 1, height), np.linspace(0, 1, width), indexing="ij")
    rgb = np.stack([x, y, 0.5 + 0.3 * rng.standard_normal((height, width))], -1)
    Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8)).save(path)
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """(photo 40x56, painting a, painting b, a tiny untrained decoder file)."""
    import keras

    from stlib.adain.network import AdaINNetwork
    from stlib.adain.spec import TINY

    folder = tmp_path_factory.mktemp("adain_cli")
    keras.utils.set_random_seed(0)
    network = AdaINNetwork(spec=TINY, vgg_weights=None)
    last = network.decoder.stages[-1].conv
    last.bias.assign(last.bias.numpy() + 0.5)
    model = network.save(folder / "adain.keras")
    return (
        _picture(folder / "photo.png", 40, 56, 0),
        _picture(folder / "a.png", 48, 48, 1),
        _picture(folder / "b.jpg", 40, 40, 2),
        str(model),
    )


def test_one_painting_a_mix_and_regions(files, tmp_path, vgg_weights, capsys):
    photo, a, b, model = files
    one = tmp_path / "one.png"
    argv = ["adain", photo, a, "-o", str(one), "--model", model, "--style-size", "64"]
    assert cli.main(argv) == 0
    assert Image.open(one).size == (56, 40)
    assert "wrote" in capsys.readouterr().out
    mix = tmp_path / "mix.png"
    argv = ["adain", photo, a, b, "-o", str(mix), "--model", model, "--mix", "0.7,0.3"]
    assert cli.main([*argv, "--strength", "0.6", "--size", "48"]) == 0
    assert Image.open(mix).size == (48, 34)
    assert "a.png 0.7, b.jpg 0.3" in capsys.readouterr().out
    placed = tmp_path / "placed.png"
    argv = ["adain", photo, a, b, "-o", str(placed), "--model", model, "--masks", "left,right"]
    assert cli.main([*argv, "--preserve-color", "luminance"]) == 0
    assert Image.open(placed).size == (56, 40)
    assert "2 regions (left,right)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "options, message",
    [
        (["--strength", "1.5"], r"--strength 1.5: must be a finite number in [0, 1]"),
        (["--mix", "0.7,0.3", "--masks", "left,right"], "--mix 0.7,0.3, --masks left,right: "),
        (["--mix", "1,2,3"], "--mix 1,2,3: gives 3 weights for 2 paintings"),
        (["--masks", "left,right,rest"], "3 masks for 2 paintings"),
        (["--size", "16"], "--size 16: must be a whole number in [32, 8192]"),
        (["--preserve-color", "colour"], "invalid choice: 'colour'"),
    ],
)
def test_bad_settings_are_usage_errors(files, tmp_path, options, message, capsys):
    photo, a, b, model = files
    out = tmp_path / "out.png"
    out.write_bytes(OLD_BYTES)
    argv = ["adain", photo, a, b, "-o", str(out), "--model", model, *options]
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err
    assert out.read_bytes() == OLD_BYTES


def test_bad_model_files_are_named_with_how_to_train_one(files, tmp_path, capsys):
    photo, a, _, _ = files
    out = str(tmp_path / "out.png")
    missing = str(tmp_path / "nothere.keras")
    assert cli.main(["adain", photo, a, "-o", out, "--model", missing]) == 2
    err = capsys.readouterr().err
    assert f"--model {missing}: no such file" in err and "adain-train" in err
    notes = tmp_path / "notes.keras"
    notes.write_text("no model")
    assert cli.main(["adain", photo, a, "-o", out, "--model", str(notes)]) == 2
    assert "not a Keras .keras file" in capsys.readouterr().err
    assert cli.main(["adain", photo, a, "-o", out]) == 2
    assert "--model" in capsys.readouterr().err


def test_an_output_that_is_an_input_is_refused(files, capsys):
    photo, a, b, model = files
    for target in (a, photo):
        before = open(target, "rb").read()
        assert cli.main(["adain", photo, a, "-o", target, "--model", model]) == 2
        assert open(target, "rb").read() == before
        assert target in capsys.readouterr().err


def test_settings_are_checked_before_tensorflow_starts(files, tmp_path):
    import subprocess

    photo, a, b, model = files
    probe = (
        "import sys\n"
        "from stlib import cli\n"
        f"code = cli.main(['adain', {photo!r}, {a!r}, '-o', {str(tmp_path / 'x.png')!r}, "
        f"'--model', {model!r}, '--strength', '2'])\n"
        "assert code == 2, code\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow started'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
