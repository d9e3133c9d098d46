"""Style weights: which of a network's N styles to paint, and in what proportions (no TensorFlow).

A multi-style network takes a weight vector w [N] per image; its CIN layers use ``w @ gamma`` and
``w @ beta``. Magenta applies the user's weights as given ("the weights are not normalized"), so
weights of 2 and 2 double every gamma and beta, and the network extrapolates beyond anything it was
trained on: harsher contrast and saturated colours. stlib makes every mix convex instead: the
weights are divided by their sum, so mixing stays *between* the styles and a mix of one style with
itself is that style. Negative weights are refused for the same reason. Raw weights still reach the
layers unchanged when a vector is given to the model directly.

>>> style_weights(3, 5).tolist()
[0.0, 0.0, 0.0, 1.0, 0.0]
>>> style_weights({0: 1, 2: 3}, 4).tolist()
[0.25, 0.0, 0.75, 0.0]
>>> style_weights(parse_mix("1:2,3:2"), 4).tolist()
[0.0, 0.5, 0.0, 0.5]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from stlib.validation import SettingError, integer, number

__all__ = ["parse_mix", "style_weights"]

Selection = int | Mapping[int, float] | Sequence[float] | np.ndarray


def _weight(value: object, name: str, shown: Mapping[str, object]) -> float:
    """A mixing weight: a finite number >= 0 (a negative one would extrapolate)."""
    return number(value, name, low=0.0, shown=shown)


def style_weights(selection: Selection, num_styles: int, name: str = "style") -> np.ndarray:
    """A convex weight vector float32 [num_styles] from a style index, a {index: weight} mix or
    a full vector of N weights; the weights are divided by their sum (see the module's text)."""
    num_styles = integer(num_styles, "num_styles", low=1)
    if isinstance(selection, (int, np.integer)) and not isinstance(selection, bool):
        index = integer(selection, name, low=0, high=num_styles - 1)
        selection = {index: 1.0}
    if isinstance(selection, Mapping):
        if not selection:
            raise SettingError({name: selection}, "the mix names no style")
        vector = np.zeros(num_styles, np.float64)
        for index, weight in selection.items():
            shown = {name: dict(selection)}
            integer(index, f"{name} index", low=0, high=num_styles - 1, shown=shown)
            vector[int(index)] += _weight(weight, name, shown)
    elif isinstance(selection, (Sequence, np.ndarray)) and not isinstance(selection, str):
        values = list(np.asarray(selection, dtype=object).ravel())
        if len(values) != num_styles:
            raise SettingError(
                {name: selection},
                f"a weight vector needs {num_styles} weights (one per style), got {len(values)}",
            )
        shown = {name: selection}
        vector = np.array([_weight(v, name, shown) for v in values])
    else:
        raise SettingError(
            {name: selection},
            f"give a style index (0-{num_styles - 1}), an {{index: weight}} mix or "
            f"{num_styles} weights",
        )
    total = vector.sum()
    if total <= 0:
        raise SettingError({name: selection}, "the weights sum to 0; give at least one > 0")
    return (vector / total).astype(np.float32)


def parse_mix(text: str, name: str = "--mix") -> dict[int, float]:
    """``"3:0.5,7:0.5"`` -> {3: 0.5, 7: 0.5}; a SettingError names the bad part."""
    mix: dict[int, float] = {}
    for part in str(text).split(","):
        index, sep, weight = part.strip().partition(":")
        if not sep:
            raise SettingError({name: text}, f"{part.strip()!r} has no ':WEIGHT'")
        try:
            key, value = int(index), float(weight)
        except ValueError:
            raise SettingError(
                {name: text},
                f"{part.strip()!r} is not STYLE:WEIGHT; write e.g. '3:0.5,7:0.5'",
            ) from None
        if key in mix:  # '3:1,3:1' is a slip, not a way to write '3:2'
            raise SettingError(
                {name: text}, f"style {key} is given twice; give each style once: '3:0.5,7:0.5'"
            )
        mix[key] = value
    return mix
