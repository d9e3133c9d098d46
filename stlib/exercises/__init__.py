"""Checked exercises for the course notebooks, in the spirit of the CS231n assignments.

A notebook asks the student to write a function (or compute a value); ``check_*`` compares it
with stlib's reference on its own test cases and returns a ``Verdict`` (true when it passed, with
a hint when it did not). A check never raises and never prints: the student's cell ends with the
check, so the notebook shows the verdict once, and an untouched notebook still runs top to bottom,
reporting "not attempted" for each exercise. Each notebook has its module (``stlib.exercises.nb01``
...) with the checks of its exercises; ``stlib.exercises.solutions`` holds the reference answers
for the tests and for teachers, and no notebook imports it.

    from stlib.exercises import nb02
    nb02.check_gram_matrix(gram_matrix)   # ✓ or ✗ with what differed, shown by the notebook
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "NOT_ATTEMPTED",
    "Verdict",
    "check_function",
    "check_value",
    "not_attempted",
    "tolerance_text",
]

# Every verdict on an untouched exercise says this, once.
NOT_ATTEMPTED = "not attempted yet"


@dataclass(frozen=True, repr=False)
class Verdict:
    """The outcome of one check; ``bool(verdict)`` is True when it passed.

    ``tolerance`` says how close an answer must be ("rtol=1e-4, atol=1e-6" as in
    ``np.allclose``, or "exact"); each exercise's text in the notebook states the same words.
    """

    exercise: str
    passed: bool
    message: str
    tolerance: str = ""

    def __bool__(self) -> bool:
        return self.passed

    @property
    def attempted(self) -> bool:
        """False while the student's answer is still the placeholder."""
        return not self.message.startswith(NOT_ATTEMPTED)

    def __str__(self) -> str:
        return f"{'✓' if self.passed else '✗'} {self.exercise}: {self.message}"

    def __repr__(self) -> str:  # the text/plain form a notebook stores next to the Markdown one
        return str(self)

    def _repr_markdown_(self) -> str:  # how Jupyter shows a cell that ends with a check
        return f"{'✅' if self.passed else '❌'} **{self.exercise}**: {self.message}"


def _number(x: float) -> str:
    """1e-4 -> '1e-4', 0.5 -> '0.5', 0.001 -> '0.001' (short and unambiguous)."""
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:g}"
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def tolerance_text(rtol: float, atol: float) -> str:
    """How an answer is compared: "exact", or "rtol=1e-4, atol=1e-6" (as in ``np.allclose``)."""
    if rtol == 0 and atol == 0:
        return "exact"
    return f"rtol={_number(rtol)}, atol={_number(atol)}"


def not_attempted(value: Any) -> bool:
    """True for the placeholders a student has not replaced yet (None, ..., NotImplemented)."""
    return value is None or value is Ellipsis or value is NotImplemented


def _failure(exercise: str, tolerance: str, text: str, hint: str = "") -> Verdict:
    return Verdict(exercise, False, f"{text} {hint}".strip(), tolerance)


def _compare(got: Any, want: Any, rtol: float, atol: float) -> str | None:
    """None when ``got`` matches ``want``; otherwise what differs (shape or values)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected a number or an array, got {type(got).__name__}."
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return f"shape {got.shape}, expected {want.shape}."
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        worst = int(np.argmax(np.abs(got - want) - rtol * np.abs(want)))
        return (
            f"off by up to {float(np.max(np.abs(got - want))):.4g}: e.g. {got.flat[worst]:.6g} "
            f"where {want.flat[worst]:.6g} is expected ({tolerance_text(rtol, atol)})."
        )
    return None


def check_value(
    exercise: str,
    answer: Any,
    expected: Any,
    *,
    rtol: float = 1e-4,
    atol: float = 0.0,
    hint: str = "",
) -> Verdict:
    """Compare a number, tuple or array the student computed with the expected one."""
    tolerance = tolerance_text(rtol, atol)
    if not_attempted(answer):
        return _failure(
            exercise, tolerance, f"{NOT_ATTEMPTED}: replace the placeholder None with your answer."
        )
    difference = _compare(answer, expected, rtol, atol)
    if difference is not None:
        return _failure(exercise, tolerance, difference, hint)
    return Verdict(exercise, True, f"correct ({tolerance}).", tolerance)


def check_function(
    exercise: str,
    candidate: Callable,
    reference: Callable,
    cases: Iterable[tuple],
    *,
    rtol: float = 1e-4,
    atol: float = 1e-6,
    hint: str = "",
) -> Verdict:
    """Call ``candidate`` and ``reference`` on each case (a tuple of arguments) and compare.

    The student's exceptions become a failed verdict (never raised); a function that returns
    None or raises ``NotImplementedError`` has not been attempted.
    """
    tolerance = tolerance_text(rtol, atol)
    if not_attempted(candidate):
        return _failure(
            exercise, tolerance, f"{NOT_ATTEMPTED}: replace the placeholder None with a function."
        )
    if not callable(candidate):
        return _failure(
            exercise, tolerance, f"expected a function, got {type(candidate).__name__}."
        )
    cases = list(cases)
    for number, args in enumerate(cases, start=1):
        try:
            got = candidate(*args)
        except NotImplementedError:
            return _failure(
                exercise,
                tolerance,
                f"{NOT_ATTEMPTED}: the function still raises NotImplementedError.",
            )
        except Exception as error:  # the student's code: report it, do not stop the notebook
            return _failure(
                exercise, tolerance, f"case {number} raised {type(error).__name__}: {error}.", hint
            )
        if not_attempted(got):
            if number == 1:
                return _failure(exercise, tolerance, f"{NOT_ATTEMPTED}: the function returns None.")
            return _failure(exercise, tolerance, f"case {number} returned None.", hint)
        difference = _compare(got, reference(*args), rtol, atol)
        if difference is not None:
            return _failure(exercise, tolerance, f"case {number}: {difference}", hint)
    return Verdict(
        exercise, True, f"correct on all {len(cases)} test cases ({tolerance}).", tolerance
    )
