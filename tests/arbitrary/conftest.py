"""Fixtures of the stlib.arbitrary tests: the stylizers loaded from the official TFLite files
(tests/conftest.py finds them, or skips). Plain helpers are in arbitrary_test_images.py."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def stylizer(tflite_models):
    """The TFLite stylizer with the dynamic transformer."""
    from stlib import arbitrary

    return arbitrary.load("tflite", "dynamic")


@pytest.fixture(scope="session")
def tiled_stylizer(tflite_models):
    """The TFLite stylizer with the int8 transformer (384x384 tiles)."""
    from stlib import arbitrary

    return arbitrary.load("tflite", "int8")


@pytest.fixture(autouse=True)
def _offline(no_network):
    """Every stlib.arbitrary test runs offline (tests/conftest.py)."""
