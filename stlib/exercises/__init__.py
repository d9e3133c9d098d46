"""Checked exercises for the course notebooks, in the spirit of the CS231n assignments.

A notebook asks the student to write a function (or compute a value); ``check_*`` compares it
with stlib's reference on its own test cases and returns a ``Verdict`` (true when it passed, with
a hint when it did not). A check never raises and never prints: the student's cell ends with the
check, so the notebook shows the verdict once, and an untouched notebook still runs top to bottom,
reporting "not attempted" for each exercise. A function that hands the work to the library's own
version (or to the check's reference) does not pass: while the student's function runs, the check
watches for calls of the functions the exercise re-implements and answers "calls the library's
version (stlib.losses.gram_matrix)", however the name was reached. Each notebook has its module
(``stlib.exercises.nb01`` ...) with the checks of its exercises; ``stlib.exercises.solutions``
holds the reference answers for the tests and for teachers, and no notebook imports it.

    from stlib.exercises import nb02
    nb02.check_gram_matrix(gram_matrix)   # ✓ or ✗ with what differed, shown by the notebook
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "DELEGATED",
    "NOT_ATTEMPTED",
    "Verdict",
    "check_function",
    "check_value",
    "not_attempted",
    "tolerance_text",
    "with_hint",
]

# Every verdict on an untouched exercise says this, once.
NOT_ATTEMPTED = "not attempted yet"
# A verdict on a function that handed the work to the library's own version starts with this.
DELEGATED = "calls the library's version"


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

    @property
    def delegated(self) -> bool:
        """True when the student's function called the implementation it was asked to write."""
        return self.message.startswith(DELEGATED)

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


def _delegated(exercise: str, tolerance: str, called: str) -> Verdict:
    return _failure(
        exercise,
        tolerance,
        f"{DELEGATED} ({called}) instead of computing the answer itself: write it from the "
        "formula with TensorFlow or NumPy operations, as the exercise asks.",
    )


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


def _display_name(implementation: Any) -> str:
    """'stlib.losses.gram_matrix', 'keras.applications.vgg19.preprocess_input', ..."""
    module = getattr(implementation, "__module__", "") or ""
    name = getattr(implementation, "__qualname__", None) or type(implementation).__qualname__
    return f"{module.replace('keras.src.', 'keras.')}.{name}".lstrip(".")


def _code_objects(implementation: Any) -> set:
    """The Python code objects that run when ``implementation`` is called: a function's own (its
    ``functools.wraps`` and ``tf.function`` wrappings unwrapped), a partial's function's, a
    method's, a property's getter, or every method and property a class defines itself."""
    if isinstance(implementation, functools.partial):
        return _code_objects(implementation.func)
    if hasattr(implementation, "python_function"):  # a tf.function
        return _code_objects(implementation.python_function)
    if inspect.ismethod(implementation):
        return _code_objects(implementation.__func__)
    if isinstance(implementation, property):
        return _code_objects(implementation.fget)
    if inspect.isclass(implementation):
        members = vars(implementation).values()
        return set().union(
            *(
                _code_objects(member)
                for member in members
                if inspect.isfunction(member) or isinstance(member, property)
            )
        )
    implementation = inspect.unwrap(implementation)
    code = getattr(implementation, "__code__", None)
    return {code} if code is not None else set()


class _CallWatch:
    """Notes whether any of ``implementations`` starts running while the block runs.

    It watches code objects through ``sys.setprofile``, so it sees a call however the student
    reached the function (``from stlib.losses import gram_matrix``, an alias, a lambda, a method
    of a library class, inside a ``tf.function``); a profiler already installed keeps receiving
    its events.
    """

    def __init__(self, implementations: Iterable[Any]):
        self._names = {
            code: _display_name(implementation)
            for implementation in implementations
            for code in _code_objects(implementation)
        }
        self.called: str | None = None  # the first watched function that ran

    def _profile(self, frame, event, arg) -> None:
        if event == "call" and self.called is None:
            self.called = self._names.get(frame.f_code)
        if self._previous is not None:
            self._previous(frame, event, arg)

    def __enter__(self) -> _CallWatch:
        self._previous = sys.getprofile()
        self._eager = None
        if self._names:
            tensorflow = sys.modules.get("tensorflow")
            if tensorflow is not None:
                # A tf.function traced before the check would run its graph, not its Python
                # code, and AutoGraph calls converted copies of the functions it reaches: run
                # every tf.function as plain Python while watching.
                self._eager = tensorflow.config.functions_run_eagerly()
                tensorflow.config.run_functions_eagerly(True)
            sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc_info) -> None:
        sys.setprofile(self._previous)
        if self._eager is not None:
            sys.modules["tensorflow"].config.run_functions_eagerly(self._eager)


def with_hint(verdict: Verdict, hint: Callable[[], str]) -> Verdict:
    """``verdict`` with ``hint()`` added when the answer was simply wrong: a pass, a placeholder,
    a delegation and the student's own exception come back as they are (``hint`` is not called,
    so it may run the student's function again on its probe cases)."""
    if verdict or not verdict.attempted or verdict.delegated or " raised " in verdict.message:
        return verdict
    text = f"{verdict.message} {hint()}".strip()
    return Verdict(verdict.exercise, False, text, verdict.tolerance)


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
    library: Iterable[Any] = (),
) -> Verdict:
    """Call ``candidate`` and ``reference`` on each case (a tuple of arguments) and compare.

    The student's exceptions become a failed verdict (never raised); a function that returns
    None or raises ``NotImplementedError`` has not been attempted. ``library`` names the
    implementations the exercise re-implements (functions, methods, classes): a candidate that
    calls one of them, or ``reference``, fails with ``DELEGATED`` and the name of what it called.
    """
    watched = (reference, *library)
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
        watch = _CallWatch(watched)
        try:
            with watch:
                got = candidate(*args)
        except NotImplementedError:
            return _failure(
                exercise,
                tolerance,
                f"{NOT_ATTEMPTED}: the function still raises NotImplementedError.",
            )
        except Exception as error:  # the student's code: report it, do not stop the notebook
            if watch.called:
                return _delegated(exercise, tolerance, watch.called)
            return _failure(
                exercise, tolerance, f"case {number} raised {type(error).__name__}: {error}.", hint
            )
        if watch.called:
            return _delegated(exercise, tolerance, watch.called)
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
