"""The public API: load once and reuse, the module-level functions, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from arbitrary_test_images import smooth_photo

from stlib import arbitrary
from stlib.validation import SettingError


def test_load_returns_the_same_stylizer_for_the_same_arguments(tflite_models):
    first = arbitrary.load("tflite")
    assert arbitrary.load("tflite", "dynamic") is first
    assert arbitrary.load("tflite", "float16") is not first
    assert arbitrary.load("tflite", "float16").transformer == "float16"
    arbitrary.clear_cache()
    assert arbitrary.load("tflite") is not first


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"backend": "tflit"},
            "backend='tflit': choose from 'auto', 'tflite', 'hub' (did you mean",
        ),
        ({"transformer": "float32"}, "(did you mean 'float16'?)"),
        ({"backend": 1}, "backend=1: is an int; choose from"),
    ],
)
def test_load_checks_its_arguments(arguments, message):
    with pytest.raises(SettingError) as caught:
        arbitrary.load(**arguments)
    assert message in str(caught.value)


def test_the_module_functions_use_the_tflite_stylizer(tflite_models):
    stylizer = arbitrary.load("tflite")
    style = np.random.default_rng(0).random((256, 256, 3), dtype=np.float32)
    photo = smooth_photo(50, 70)
    embedding = arbitrary.embed(style)
    np.testing.assert_array_equal(embedding, stylizer.embed(style))
    painted = arbitrary.transform(photo, embedding)
    np.testing.assert_array_equal(painted.numpy(), stylizer.transform(photo, embedding).numpy())
    pastiche = arbitrary.stylize(photo, style, strength=0.8, backend="tflite").image
    np.testing.assert_array_equal(
        pastiche.numpy(), stylizer.stylize(photo, style, strength=0.8).numpy()
    )
    assert arbitrary.transform(photo, embedding, transformer="int8").shape == (1, 50, 70, 3)


def test_every_module_declares_its_public_names():
    import importlib

    for name in ("config", "models", "inputs", "stylizer", "tiling", "tflite", "hub", "api"):
        module = importlib.import_module(f"stlib.arbitrary.{name}")
        assert module.__all__ and all(hasattr(module, n) for n in module.__all__), name
    assert all(hasattr(arbitrary, n) for n in arbitrary.__all__)


def test_importing_the_package_does_not_start_tensorflow():
    probe = (
        "import sys\n"
        "from stlib import arbitrary\n"
        "arbitrary.ArbitraryConfig\n"
        "print('TF' if 'tensorflow' in sys.modules else 'NO-TF')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "NO-TF", out.stderr[-2000:]
