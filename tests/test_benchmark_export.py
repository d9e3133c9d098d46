"""benchmarks/export_speed.py: one tiny run prints consistent JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def tiny_model(tmp_path):
    from stlib.cin.transformer import MultiStyleTransformer, TransformerSpec

    path = tmp_path / "tiny.keras"
    MultiStyleTransformer(2, TransformerSpec((4, 4, 4), 1, (4, 4))).save(path)
    return path


def test_a_tiny_run_prints_consistent_json(tiny_model, samples_available, tmp_path):
    out = tmp_path / "results" / "export.json"
    command = [
        sys.executable,
        str(BENCHMARKS / "export_speed.py"),
        "--model",
        str(tiny_model),
        "--sizes",
        "48,64",
        "--repeats",
        "2",
        "--out",
        str(out),
    ]
    printed = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=True
    ).stdout
    report = json.loads(printed)
    assert json.loads(out.read_text()) == report
    assert report["machine"]["cpu"] and report["num_styles"] == 2
    variants = ["tflite_float32", "tflite_float16", "tflite_int8_dynamic"]
    assert list(report["files"]) == ["keras", *variants]
    assert all(entry["megabytes"] > 0 for entry in report["files"].values())
    assert report["files"]["tflite_float32"]["mean_abs_difference_at_check"] < 1e-3
    assert [entry["size"] for entry in report["sizes"]] == [48, 64]
    for entry in report["sizes"]:
        methods = ["keras_tf_function", *variants]
        assert max(entry["shape"]) == entry["size"]
        for key in ("seconds", "min_seconds", "over_keras", "mean_abs_difference_from_keras"):
            assert sorted(entry[key]) == sorted(methods), key
        for name in methods:
            assert 0 < entry["min_seconds"][name] <= entry["seconds"][name]
            assert entry["over_keras"][name] == pytest.approx(
                entry["seconds"][name] / entry["seconds"]["keras_tf_function"]
            )
        assert entry["mean_abs_difference_from_keras"]["keras_tf_function"] == 0
        assert entry["mean_abs_difference_from_keras"]["tflite_float32"] < 1e-3
