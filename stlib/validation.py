"""Checks of settings, with errors that name the setting, the value and what is accepted.

Every setting is checked once, where it is made (a config dataclass), by the small functions
below. They raise ``SettingError`` (a ``ValueError``) or ``SettingTypeError`` (also a
``TypeError``), which remember *which* settings were wrong and *why*, so that each front end can
word the same error in its own terms:

    >>> error = SettingError({"style_scale": 1000.0}, "must be at most 16")
    >>> str(error)                                   # the API's terms
    'style_scale=1000.0: must be at most 16'
    >>> error.worded(lambda name: "--" + name.replace("_", "-"), lambda name, value: f"{value:g}")
    '--style-scale 1000: must be at most 16'

No TensorFlow here: the command line checks its options before it starts TensorFlow.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import numbers
import operator
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = [
    "FLOAT32_MAX",
    "SettingError",
    "SettingTypeError",
    "choice",
    "did_you_mean",
    "integer",
    "number",
    "type_text",
]

# A setting suggested inside a problem: {name=value}.
_SUGGESTED = re.compile(r"\{(\w+)(?:=([^{}]*))?\}")

# The largest float32: a weight above it is infinite inside TensorFlow's float32 arithmetic.
FLOAT32_MAX = 3.4028234663852886e38


class SettingError(ValueError):
    """A setting (or a combination of settings) that cannot work.

    ``settings`` maps each setting involved to its value, in the order to mention them;
    ``problem`` says what is wrong and what is accepted, without naming the setting again. A
    setting the problem suggests is written ``{init=noise}`` (or ``{style_weight}`` for the name
    alone): each front end words it its own way (``init='noise'`` in the API, ``--init noise`` on
    the command line).
    """

    def __init__(self, settings: Mapping[str, Any], problem: str) -> None:
        self.settings = dict(settings)
        self.problem = problem
        super().__init__(self.worded())

    def worded(
        self,
        label: Callable[[str], str] = str,
        show: Callable[[str, Any], str] | None = None,
        separator: str | None = None,
    ) -> str:
        """The message, each setting named by ``label(name)`` and shown by ``show(name, value)``.

        By default (the API's terms) settings read ``name=repr(value)``; a front end passes its own
        ``label`` and ``show`` (the CLI: ``--style-scale 1000``).
        """
        if show is None:  # the API's terms: name=repr(value); a suggested number needs no quotes
            separator = "="
            show = lambda name, value: repr(value)  # noqa: E731
            suggested = lambda name, text: text if _is_number(text) else repr(text)  # noqa: E731
        else:
            suggested = show
        separator = " " if separator is None else separator
        named = ", ".join(
            f"{label(name)}{separator}{show(name, value)}" for name, value in self.settings.items()
        )
        problem = _SUGGESTED.sub(
            lambda match: (
                label(match[1])
                if match[2] is None
                else f"{label(match[1])}{separator}{suggested(match[1], match[2])}"
            ),
            self.problem,
        )
        return f"{named}: {problem}" if named else problem

    def __str__(self) -> str:
        return self.worded()

    def __reduce__(self):  # so that the error survives pickling (multiprocessing, pytest-xdist)
        return (type(self), (self.settings, self.problem))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class SettingTypeError(SettingError, TypeError):
    """A setting of the wrong type (``size="64"``, ``steps=2.5``).

    The message says what is accepted.
    """


def did_you_mean(value: object, accepted: Iterable[object]) -> str:
    """' (did you mean 'noise'?)' when ``value`` is a near miss of one accepted string, else ''."""
    if not isinstance(value, str):
        return ""
    words = [word for word in accepted if isinstance(word, str)]
    close = difflib.get_close_matches(value, words, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def choice(value: object, name: str, accepted: Iterable[object]) -> object:
    """``value`` if one of ``accepted``, else a SettingError listing them (with a suggestion)."""
    accepted = tuple(accepted)
    listed = ", ".join(repr(item) for item in accepted)
    if value is not None and not isinstance(value, str):
        raise SettingTypeError({name: value}, f"{type_text(value)}; choose from {listed}")
    if value not in accepted:
        raise SettingError({name: value}, f"choose from {listed}{did_you_mean(value, accepted)}")
    return value


def _range_text(low, high, low_open: bool, whole: bool) -> str:
    kind = "a whole number" if whole else "a finite number"
    show = (lambda x: str(int(x))) if whole else (lambda x: f"{x:g}")
    if high == FLOAT32_MAX:  # the implicit bound of every float setting: said only when it is hit
        high = None
    if low is not None and high is not None:
        return f"{kind} in {'(' if low_open else '['}{show(low)}, {show(high)}]"
    if low is not None:
        return f"{kind} {'>' if low_open else '>='} {show(low)}"
    if high is not None:
        return f"{kind} <= {show(high)}"
    return kind


def number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = FLOAT32_MAX,
    low_open: bool = False,
    shown: Mapping[str, Any] | None = None,
) -> float:
    """``value`` as a float if it is a real number, finite, within [low, high] (or (low, high]).

    ``shown`` is what the error reports as the setting's value, when ``value`` is one part of it
    (a layer weight inside ``style_layers``).
    """
    settings = shown if shown is not None else {name: value}
    accepted = _range_text(low, high, low_open, whole=False)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SettingTypeError(settings, f"{type_text(value)}; expected {accepted}")
    number_ = float(value)
    below = low is not None and (number_ <= low if low_open else number_ < low)
    if not math.isfinite(number_) or below or (high is not None and number_ > high):
        if high == FLOAT32_MAX and math.isfinite(number_) and not below:
            raise SettingError(
                settings, "must be at most 3.4e38, the largest float32 (it would be infinite)"
            )
        raise SettingError(settings, f"must be {accepted}")
    return number_


def integer(
    value: object,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    shown: Mapping[str, Any] | None = None,
) -> int:
    """``value`` as an int if it is a whole number (int or numpy integer) within [low, high]."""
    settings = shown if shown is not None else {name: value}
    accepted = _range_text(low, high, False, whole=True)
    if isinstance(value, bool):
        raise SettingTypeError(settings, f"{type_text(value)}; expected {accepted}")
    try:
        whole = operator.index(value)
    except TypeError:
        raise SettingTypeError(settings, f"{type_text(value)}; expected {accepted}") from None
    if (low is not None and whole < low) or (high is not None and whole > high):
        raise SettingError(settings, f"must be {accepted}")
    return whole


def type_text(value: object) -> str:
    """'is a str', 'is not a whole number': how a wrong type is described."""
    if isinstance(value, float):
        return "is a float, not a whole number" if value.is_integer() else "is not a whole number"
    name = type(value).__name__
    return f"is {'an' if name[0] in 'aeiou' else 'a'} {name}"


def field_names(
    config_class: type, values: Mapping, renamed: Mapping[str, str] | None = None
) -> dict:
    """``values`` as a dict of ``config_class``'s fields: old names (``renamed``) mapped with a
    one-line notice, an unknown name refused with a suggestion (TypeError, as Python's own)."""
    fields = tuple(f.name for f in dataclasses.fields(config_class))
    values = dict(values)
    for old, new in (renamed or {}).items():
        if old in values:
            warnings.warn(
                f"{config_class.__name__}: {old!r} is now {new!r}", FutureWarning, stacklevel=4
            )
            values[new] = values.pop(old)
    for key in values:
        if key not in fields:
            raise TypeError(
                f"{config_class.__name__} has no field {key!r}{did_you_mean(key, fields)}; "
                f"fields: {', '.join(fields)}"
            )
    return values


def named_fields(renamed: Mapping[str, str] | None = None) -> Callable[[type], type]:
    """A class decorator for a keyword-only config dataclass: ``Config(**values)`` goes through
    :func:`field_names`, so an old name works with a notice and a typo gets a suggestion."""

    def decorate(config_class: type) -> type:
        generated = config_class.__init__

        @functools.wraps(generated)
        def __init__(self, **values):
            generated(self, **field_names(config_class, values, renamed))

        config_class.__init__ = __init__
        return config_class

    return decorate


def config_with(config_class: type, config: Any, changes: Mapping[str, Any]) -> Any:
    """The config a ``stylize`` call runs with: ``config`` (an instance, a dict of its fields, or
    None for the defaults) with ``changes`` applied, every field checked again."""
    if config is None:
        config = config_class()
    elif isinstance(config, Mapping):
        config = config_class(**field_names(config_class, config))
    elif not isinstance(config, config_class):
        name = config_class.__name__
        raise TypeError(
            f"config is {'an' if type(config).__name__[0] in 'aeiou' else 'a'} "
            f"{type(config).__name__}; pass {'an' if name[0] in 'AEIOU' else 'a'} {name} or a "
            "dict of its fields (settings are keywords: stylize(content, style, size=256))"
        )
    return dataclasses.replace(config, **field_names(config_class, changes)) if changes else config
