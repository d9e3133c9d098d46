"""Checked exercises for the course notebooks, in the spirit of the CS231n assignments.

A notebook asks the student to write a function (or compute a number); ``check_*`` compares it
with stlib's reference on fresh inputs and prints a verdict with a hint, without raising, so that
a notebook still runs top to bottom before the exercise is solved. Each notebook has its module
(``stlib.exercises.nb01`` ...) with the checks of its exercises.

    from stlib.exercises import nb02
    nb02.check_gram_matrix(my_gram_matrix)   # ✓ or ✗ with what differed
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check; ``bool(verdict)`` is True when it passed."""

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def _repr_markdown_(self) -> str:  # shown nicely when a notebook cell ends with a check
        return f"{'✅' if self.passed else '❌'} **{self.exercise}**: {self.message}"

    def __str__(self) -> str:
        return f"{'✓' if self.passed else '✗'} {self.exercise}: {self.message}"


def _report(verdict: Verdict) -> Verdict:
    print(verdict)
    return verdict


def not_attempted(value: Any) -> bool:
    """True for the placeholders a student has not replaced yet (None, ..., NotImplemented)."""
    return value is None or value is Ellipsis or value is NotImplemented


def check_value(exercise: str, answer: Any, expected: Any, *, rtol: float = 1e-4, atol: float = 0.0,
                hint: str = "") -> Verdict:
    """Compare a number or array the student computed with the expected one."""
    if not_attempted(answer):
        return _report(Verdict(exercise, False, "not attempted yet: replace the placeholder with your answer"))
    try:
        got = np.asarray(answer, dtype=np.float64)
        want = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return _report(Verdict(exercise, False, f"expected a number or array, got {type(answer).__name__}"))
    if got.shape != want.shape:
        return _report(Verdict(exercise, False, f"shape {got.shape}, expected {want.shape}. {hint}".strip()))
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got - want)))
        return _report(Verdict(exercise, False, f"off by up to {worst:.4g} (expected e.g. {want.flat[0]:.6g}, "
                                                f"got {got.flat[0]:.6g}). {hint}".strip()))
    return _report(Verdict(exercise, True, "correct"))


def check_function(exercise: str, candidate: Callable, reference: Callable, cases: Iterable[tuple], *,
                   rtol: float = 1e-4, atol: float = 1e-6, hint: str = "") -> Verdict:
    """Call ``candidate`` and ``reference`` on each case (a tuple of arguments) and compare results."""
    if not callable(candidate):
        return _report(Verdict(exercise, False, f"expected a function, got {type(candidate).__name__}"))
    for number, args in enumerate(cases, start=1):
        try:
            got = candidate(*args)
        except NotImplementedError:
            return _report(Verdict(exercise, False, "not attempted yet: the function still raises NotImplementedError"))
        except Exception as error:  # the student's code: report, do not crash the notebook
            return _report(Verdict(exercise, False, f"case {number} raised {type(error).__name__}: {error}"))
        if not_attempted(got):
            return _report(Verdict(exercise, False, "not attempted yet: the function returns None"))
        want = np.asarray(reference(*args), dtype=np.float64)
        got = np.asarray(got, dtype=np.float64)
        if got.shape != want.shape:
            return _report(Verdict(exercise, False, f"case {number}: shape {got.shape}, expected {want.shape}. {hint}".strip()))
        if not np.allclose(got, want, rtol=rtol, atol=atol):
            worst = float(np.max(np.abs(got - want)))
            return _report(Verdict(exercise, False, f"case {number}: values off by up to {worst:.4g}. {hint}".strip()))
    return _report(Verdict(exercise, True, "correct on every test case"))
