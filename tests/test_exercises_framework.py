"""The exercise checker passes right answers, fails wrong ones with the reason, never raises and
never prints: the notebook shows the returned verdict once."""

from __future__ import annotations

import numpy as np

from stlib import settings
from stlib.exercises import (
    NOT_ATTEMPTED,
    Verdict,
    check_function,
    check_value,
    not_attempted,
    tolerance_text,
)


def test_check_value_verdicts(capsys):
    right = check_value("pi", 3.14159, np.pi, rtol=1e-5)
    assert right and str(right) == "✓ pi: correct (rtol=1e-5, atol=0)."
    wrong = check_value("pi", 3.0, np.pi, hint="Remember the decimals.")
    assert not wrong and "off by up to 0.1416" in wrong.message and "Remember" in wrong.message
    assert "rtol=1e-4, atol=0" in wrong.message  # a failure says how close it had to be
    placeholder = check_value("pi", None, np.pi)
    assert not placeholder and not placeholder.attempted
    assert placeholder.message.startswith(NOT_ATTEMPTED)
    assert "shape (2,), expected ()" in check_value("pi", [1, 2], np.pi).message
    assert "expected a number" in check_value("pi", {"a": 1}, np.pi).message
    assert capsys.readouterr().out == ""  # verdicts are returned, never printed


def test_check_function_verdicts(capsys):
    cases = [(np.arange(4.0),), (np.ones(3),)]

    def double(x):
        return 2 * x

    right = check_function("double", lambda x: x + x, double, cases)
    assert right and right.message == "correct on all 2 test cases (rtol=1e-4, atol=1e-6)."
    assert right.attempted
    off = check_function("double", lambda x: x, double, cases, hint="Twice.").message
    assert off.startswith("case 1: off by up to 3") and off.endswith("Twice.")
    returns_none = check_function("double", lambda x: None, double, cases)
    assert not returns_none.attempted and "returns None" in returns_none.message

    def unfinished(x):
        raise NotImplementedError

    raises = check_function("double", unfinished, double, cases)
    assert not raises.attempted and "NotImplementedError" in raises.message
    assert not check_function("double", None, double, cases).attempted
    crash = check_function("double", lambda x: 1 / 0, double, cases, hint="Twice.")
    assert "case 1 raised ZeroDivisionError" in crash.message and "Twice." in crash.message
    assert "expected a function" in check_function("double", 3, double, cases).message
    half_done = check_function("double", lambda x: None if len(x) == 3 else 2 * x, double, cases)
    assert half_done.attempted and "case 2 returned None" in half_done.message
    assert not_attempted(...) and not not_attempted(0)
    assert capsys.readouterr().out == ""


def test_verdict_is_shown_once_in_the_same_words():
    verdict = Verdict("Gram matrix", False, f"{NOT_ATTEMPTED}: the function returns None.", "exact")
    # The text/plain form a notebook stores (repr) is the same one-liner as str.
    assert (
        repr(verdict)
        == str(verdict)
        == ("✗ Gram matrix: not attempted yet: the function returns None.")
    )
    assert verdict._repr_markdown_() == (
        "❌ **Gram matrix**: not attempted yet: the function returns None."
    )
    assert not verdict and bool(Verdict("x", True, "correct.")) is True
    assert str(Verdict("x", True, "correct.")).startswith("✓")


def test_tolerance_text():
    assert tolerance_text(0, 0) == "exact"
    assert tolerance_text(1e-4, 1e-6) == "rtol=1e-4, atol=1e-6"
    assert tolerance_text(1e-5, 1e-3) == "rtol=1e-5, atol=0.001"
    assert tolerance_text(1e-6, 0.0) == "rtol=1e-6, atol=0"


def test_quick_or_follows_the_switch(monkeypatch):
    monkeypatch.setenv("STLIB_QUICK", "1")
    assert settings.quick_or(512, 64) == 64
    monkeypatch.setenv("STLIB_QUICK", "0")
    assert settings.quick_or(512, 64) == 512


# --- a function that hands the work to the library's version does not pass ----------------------


def _double(x):
    """Stands for a library function the exercise re-implements."""
    return 2.0 * x


class _Doubler:
    def apply(self, x):
        return 2.0 * x


def test_delegation_is_caught_however_the_library_is_reached():
    import functools
    import sys

    import tensorflow as tf

    cases = [(1.0,), (3.5,)]
    alias = _double
    delegates = {
        "the function itself": _double,
        "an alias": lambda x: alias(x),
        "a partial": functools.partial(_double),
        "inside tf.function": tf.function(lambda x: _double(tf.constant(x))),
        "a method of a library class": lambda x: _Doubler().apply(x),
        "a call that then raises": lambda x: [_double(x), 1 / 0],
    }
    for how, delegate in delegates.items():
        for library in [(), (_Doubler,)]:
            watched = check_function("double", delegate, _double, cases, library=library)
            if how == "a method of a library class" and not library:
                assert watched, how  # nothing of the class is watched: it passes on its values
                continue
            assert not watched and watched.delegated, how
            assert watched.message.startswith("calls the library's version (")
            assert "._double)" in watched.message or "._Doubler)" in watched.message, how
    own = check_function("double", lambda x: x + x, _double, cases, library=(_Doubler,))
    assert own and not own.delegated  # the reference runs after the candidate: not counted
    assert sys.getprofile() is None  # the watch leaves no profiler behind


def test_delegation_watch_keeps_an_installed_profiler():
    import sys

    seen = []

    def profiler(frame, event, arg):
        if event == "call":
            seen.append(frame.f_code.co_name)

    sys.setprofile(profiler)
    try:
        verdict = check_function("double", lambda x: _double(x), _double, [(1.0,)])
        assert sys.getprofile() is profiler  # put back
    finally:
        sys.setprofile(None)
    assert verdict.delegated
    assert "_double" in seen  # the profiler went on receiving the calls during the check
