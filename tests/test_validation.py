"""stlib.validation: the number and integer checks follow Python's semantics (bools, strings, NaN
and infinities refused), and a SettingError names its settings so that a front end re-words them.
(Each GatysConfig field's message: tests/gatys/test_config.py.)"""

from __future__ import annotations

import math

import pytest

from stlib import validation
from stlib.validation import SettingError, SettingTypeError

NAN, INF = float("nan"), float("inf")


def test_settings_error_is_reworded_by_a_front_end():
    error = SettingError({"style_scale": 1000.0}, "must be at most 64")
    assert str(error) == "style_scale=1000.0: must be at most 64"
    cli = error.worded(lambda name: "--" + name.replace("_", "-"), lambda name, value: f"{value:g}")
    assert cli == "--style-scale 1000: must be at most 64"


def test_number_and_integer_checks_against_python_semantics():
    assert validation.number(3, "x", low=0) == 3.0
    assert validation.integer(True if False else 4, "x", low=0) == 4
    for bad in (True, "1", None, [1]):
        with pytest.raises(SettingTypeError):
            validation.number(bad, "x")
    for bad in (NAN, INF, -INF):
        with pytest.raises(SettingError):
            validation.number(bad, "x")
    with pytest.raises(SettingError):
        validation.number(0.0, "x", low=0.0, low_open=True)
    assert validation.number(0.0, "x", low=0.0) == 0.0
    assert math.isclose(validation.number(validation.FLOAT32_MAX, "x"), validation.FLOAT32_MAX)
