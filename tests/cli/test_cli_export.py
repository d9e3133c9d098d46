"""`stlib export`: a network written as TFLite and checked; wrong input refused before any work,
the model file never overwritten, and a failed check leaves no file."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from stlib import cli
from stlib.cin.transformer import MultiStyleTransformer, TransformerSpec


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("export_cli") / "mine.keras"
    MultiStyleTransformer(3, TransformerSpec((4, 4, 4), 1, (4, 4))).save(path)
    return path


def test_a_trained_file_is_exported_and_the_figures_printed(
    model_file, samples_available, tmp_path, capsys
):
    out = tmp_path / "sub" / "mine.tflite"
    assert cli.main(["export", str(model_file), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out} (" in printed and " MB, float32)" in printed
    assert "mean |difference| from Keras" in printed and "on tuebingen (256x192 px)" in printed
    assert " ms (" in printed and out.stat().st_size > 0


@pytest.mark.parametrize(
    "name, message",
    [
        ("m.png", "extension '.png' is not an export format; use .tflite"),
        ("m.onnx", "ONNX export needs tf2onnx"),
        ("mine.keras", "'.keras' is not an export format"),  # the model itself: refused too
    ],
)
def test_a_bad_suffix_is_refused_naming_the_accepted_one(model_file, capsys, name, message):
    before = model_file.read_bytes()
    out = model_file.with_name(name)
    assert cli.main(["export", str(model_file), "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert model_file.read_bytes() == before
    assert not out.exists() or out == model_file


def test_the_model_file_is_never_the_output(model_file, capsys):
    before = model_file.read_bytes()
    link = model_file.with_name("link.tflite")  # another name for the model file
    link.symlink_to(model_file)
    try:
        assert cli.main(["export", str(model_file), "-o", str(link)]) == 2
    finally:
        link.unlink()
    assert "is the same file as the input" in capsys.readouterr().err
    assert model_file.read_bytes() == before


def test_a_missing_model_is_named(tmp_path, capsys):
    missing = tmp_path / "nosuch.keras"
    assert cli.main(["export", str(missing), "-o", str(tmp_path / "m.tflite")]) == 2
    err = capsys.readouterr().err
    assert f"MODEL {missing}: no such file; or give magenta-26" in err
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_fails_the_check_exits_1_and_is_removed(
    model_file, samples_available, tmp_path, capsys, monkeypatch
):
    from stlib import export

    original = export.ExportedModel.run
    monkeypatch.setattr(
        export.ExportedModel, "run", lambda self, *a, **k: original(self, *a, **k) + np.float32(1)
    )
    out = tmp_path / "wrong.tflite"
    assert cli.main(["export", str(model_file), "-o", str(out)]) == 1
    assert "differs from the Keras model by a mean |difference| of 1" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_settings_errors_and_help_do_not_start_tensorflow():
    probe = (
        "import sys; from stlib import cli\n"
        "for argv in (['export', '--help'], ['export', 'magenta-26', '-o', 'x.onnx'], "
        "['export', 'magenta-26', '-o', 'x.tflite', '--quantize', 'int4'], "
        "['export', 'no.keras', '-o', 'x.tflite'], ['export', 'magenta-26']):\n"
        "    cli.main(argv)\n"
        "print('TF-IMPORTED' if 'tensorflow' in sys.modules else 'TF-NOT-IMPORTED')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().endswith("TF-NOT-IMPORTED"), out.stdout[-500:]
