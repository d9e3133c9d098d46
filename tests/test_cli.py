"""The stlib command: a real small run, the listing commands, and errors that come before any work."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from stlib import cli


@pytest.mark.weights
@pytest.mark.slow
def test_transfer_writes_the_image_snapshots_and_history(tmp_path, vgg_weights, samples_available, capsys):
    out = tmp_path / "out" / "pastiche.png"
    code = cli.main([
        "transfer", "tuebingen", "starry_night", "-o", str(out), "--size", "64", "--steps", "4",
        "--optimizer", "adam", "--learning-rate", "0.05", "--style-layers", "relu1_1,relu2_1:0.5",
        "--snapshot-every", "2", "--history", str(tmp_path / "h.json"), "--quiet",
    ])
    assert code == 0
    assert Image.open(out).size == (64, 48)
    assert sorted(p.name for p in out.parent.iterdir()) == ["pastiche-step0002.png", "pastiche-step0004.png", "pastiche.png"]
    record = json.loads((tmp_path / "h.json").read_text())
    assert record["config"]["style_layers"] == {"relu1_1": 1.0, "relu2_1": 0.5}
    assert record["config"]["optimizer"] == "adam" and len(record["history"]["steps"]) == 4
    assert f"wrote {out}" in capsys.readouterr().out
    # The snapshot at step 4 is the final image.
    np.testing.assert_array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(out.parent / "pastiche-step0004.png")))


def test_bad_output_extension_fails_before_any_work(tmp_path, capsys):
    code = cli.main(["transfer", "tuebingen", "starry_night", "-o", str(tmp_path / "out.gif")])
    assert code == 2
    error = capsys.readouterr().err
    assert "out.gif" in error and ".png" in error


def test_bad_option_values_are_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["transfer", "a.jpg", "b.jpg", "-o", "x.png", "--optimizer", "sgd"])
    assert exit_info.value.code == 2 and "invalid choice: 'sgd'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["transfer", "a.jpg", "b.jpg", "-o", "x.png", "--style-layers", "relu1_1:heavy"])
    assert "bad layer weight in 'relu1_1:heavy'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["transfer", "a.jpg", "b.jpg", "-o", "x.png", "--precision", "float16"])
    assert "invalid choice: 'float16'" in capsys.readouterr().err


def test_unknown_layer_and_missing_file_are_one_line_errors(tmp_path, capsys):
    out = str(tmp_path / "x.png")
    assert cli.main(["transfer", "tuebingen", "starry_night", "-o", out, "--content-layers", "relu9_9"]) == 2
    assert "unknown layer 'relu9_9'" in capsys.readouterr().err
    assert cli.main(["transfer", str(tmp_path / "nope.jpg"), "starry_night", "-o", out]) == 2
    assert "nope.jpg" in capsys.readouterr().err


def test_samples_lists_names_and_credits(capsys):
    assert cli.main(["samples", "--kind", "style"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("starry_night") and "Vincent van Gogh" in line for line in lines)
    assert not any(line.startswith("tuebingen") for line in lines)


def test_weights_says_where_they_come_from(vgg_weights, capsys):
    assert cli.main(["weights"]) == 0
    where = json.loads(capsys.readouterr().out)
    assert where["source"] in ("STLIB_MODELS_DIR", "keras cache") and where["path"].endswith(".h5")
