"""The command line's part of the app: `stlib app` starts it, `stlib transfer --config` reads the
settings it downloads (errors name the file and the field)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_test_helpers import APP
from PIL import Image

from stlib import cli
from stlib.gatys import preset

# --- stlib app ------------------------------------------------------------------------------------


def test_the_app_is_part_of_the_package():
    import stlib.app

    assert stlib.app.SCRIPT == APP and APP.is_file()
    assert APP.parent == Path(stlib.__file__).resolve().parent / "app"


def test_app_becomes_streamlit_from_any_folder_and_prints_the_url(monkeypatch, tmp_path, capsys):
    import os
    import sys

    started = {}

    def execv(program, command):  # stands in for the Streamlit process
        started.update(program=program, command=command, cwd=os.getcwd())

    monkeypatch.setattr(os, "execv", execv)
    monkeypatch.chdir(tmp_path)  # not a checkout: the settings come on the command line
    cli.main(["app", "--port", "8765"])
    assert started["program"] == sys.executable
    assert started["command"][1:5] == ["-m", "streamlit", "run", str(APP)]
    options = started["command"][5:]
    assert options[:4] == ["--server.port", "8765", "--server.address", "localhost"]
    assert dict(zip(options[4::2], options[5::2]))["--server.maxUploadSize"] == "20"
    assert started["cwd"] == str(tmp_path)
    assert "http://localhost:8765" in capsys.readouterr().out


def test_the_wheel_carries_the_app(tmp_path):
    """`pip install stlib[app]` then `stlib app`: the page and its panels are in the wheel."""
    import subprocess
    import sys
    import zipfile

    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path), str(APP.parents[2])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0 and "No module named" in built.stderr:
        pytest.skip(f"no build backend offline: {built.stderr[-300:]}")
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("stlib-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("streamlit_app", "common", "image_pickers", "gatys_panel", "cin_panel"):
        assert f"stlib/app/{module}.py" in names, module


def test_app_without_streamlit_says_how_to_install_it(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "streamlit" else real(name)
    )
    assert cli.main(["app"]) == 1
    assert "the app needs Streamlit: pip install 'stlib[app]'" in capsys.readouterr().err


def test_app_refuses_a_port_out_of_range(capsys):
    assert cli.main(["app", "--port", "70000"]) == 2
    assert "expected a TCP port in [1, 65535], got 70000" in capsys.readouterr().err


# --- stlib transfer --config ---------------------------------------------------------------------


def _config_of(*argv: str):
    command = ["transfer", "tuebingen", "starry_night", "-o", "x.png", *argv]
    args = cli.build_parser().parse_args(command)
    return cli.transfer.config_from(args)


@pytest.fixture
def settings_file(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(preset("gatys2016", size=96, steps=(4, 2), scales=(0.5, 1.0)).to_json())
    return path


def test_config_gives_the_base_and_options_change_it(settings_file):
    assert _config_of("--config", str(settings_file)) == preset(
        "gatys2016", size=96, steps=(4, 2), scales=(0.5, 1.0)
    )
    changed = _config_of("--config", str(settings_file), "--size", "128", "--init", "content")
    assert (changed.size, changed.init, changed.steps) == (128, "content", (4, 2))
    assert changed.normalized_vgg  # the file's, not the stlib preset's


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "--config {path}: cannot read it (No such file or directory)"),
        ("{", "--config {path}: is not JSON: Expecting property name"),
        ("[]", "--config {path}: holds a JSON array, not an object of GatysConfig fields"),
        ('{"style_weight": -1}', "--config {path}: style_weight=-1: must be a finite number >= 0"),
        ('{"stlye_weight": 1}', "--config {path}: GatysConfig has no field 'stlye_weight' (did"),
    ],
    ids=["missing", "not-json", "not-an-object", "bad-value", "unknown-field"],
)
def test_a_bad_config_file_is_a_usage_error_naming_the_file_and_field(
    tmp_path, capsys, text, message
):
    path = tmp_path / "settings.json"
    if text is not None:
        path.write_text(text)
    out = tmp_path / "out.png"
    code = cli.main(["transfer", "tuebingen", "the_scream", "-o", str(out), "--config", str(path)])
    assert code == 2 and not out.exists()
    error = capsys.readouterr().err
    assert error.startswith("stlib transfer: error: " + message.format(path=path)), error


def test_an_option_clashing_with_the_file_names_both_in_their_terms(settings_file, capsys):
    options = ["--config", str(settings_file), "--steps", "5,5,5"]
    code = cli.main(["transfer", "tuebingen", "starry_night", "-o", "x.png", *options])
    assert code == 2
    assert capsys.readouterr().err.startswith(
        f"stlib transfer: error: --steps 5,5,5, scales (in {settings_file}) 0.5,1: give one step "
        "count for all scales or one per scale (2 here)"
    )


def test_config_and_preset_together_are_refused(settings_file, capsys):
    code = cli.main(
        [
            "transfer",
            "a",
            "b",
            "-o",
            "x.png",
            "--config",
            str(settings_file),
            "--preset",
            "gatys2016",
        ]
    )
    assert code == 2
    assert "argument --preset: not allowed with argument --config" in capsys.readouterr().err


@pytest.mark.weights
@pytest.mark.slow
def test_transfer_runs_from_a_config_file(tmp_path, vgg_weights, samples_available, capsys):
    settings = tmp_path / "stlib-config.json"
    settings.write_text(preset("stlib", size=64, steps=2).to_json())
    out = tmp_path / "pastiche.png"
    history = tmp_path / "history.json"
    argv = ["transfer", "tuebingen", "starry_night", "-o", str(out), "--config", str(settings)]
    assert cli.main([*argv, "--history", str(history), "--quiet"]) == 0
    assert Image.open(out).size == (64, 48)
    assert json.loads(history.read_text())["config"] == json.loads(settings.read_text())
