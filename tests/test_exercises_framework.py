"""The exercise checker passes right answers, fails wrong ones with the reason, and never raises."""

from __future__ import annotations

import numpy as np

from stlib import settings
from stlib.exercises import check_function, check_value, not_attempted


def test_check_value_verdicts(capsys):
    assert check_value("pi", 3.14159, np.pi, rtol=1e-5)
    wrong = check_value("pi", 3.0, np.pi, hint="Remember the decimals.")
    assert not wrong and "off by up to 0.1416" in wrong.message and "Remember" in wrong.message
    assert "not attempted" in check_value("pi", None, np.pi).message
    assert "shape (2,), expected ()" in check_value("pi", [1, 2], np.pi).message
    assert "✓ pi: correct" in capsys.readouterr().out


def test_check_function_verdicts():
    cases = [(np.arange(4.0),), (np.ones(3),)]
    assert check_function("double", lambda x: 2 * x, lambda x: 2 * x, cases)
    assert "case 1: values off" in check_function("double", lambda x: x, lambda x: 2 * x, cases).message
    assert "returns None" in check_function("double", lambda x: None, lambda x: 2 * x, cases).message

    def unfinished(x):
        raise NotImplementedError

    assert "NotImplementedError" in check_function("double", unfinished, lambda x: 2 * x, cases).message
    assert "raised ZeroDivisionError" in check_function("double", lambda x: 1 / 0, lambda x: 2 * x, cases).message
    assert "expected a function" in check_function("double", 3, lambda x: 2 * x, cases).message
    assert not_attempted(...) and not not_attempted(0)


def test_quick_or_follows_the_switch(monkeypatch):
    monkeypatch.setenv("STLIB_QUICK", "1")
    assert settings.quick_or(512, 64) == 64
    monkeypatch.setenv("STLIB_QUICK", "0")
    assert settings.quick_or(512, 64) == 512
