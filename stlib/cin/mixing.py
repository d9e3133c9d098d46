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

With masks (spatial mixing), each region has its own style: :func:`spatial_weights` turns R masks
and R style indices into a map of weight vectors, one per pixel, each summing to one.

>>> left, right = [[1.0, 0.0]], [[0.0, 1.0]]                   # two 1 x 2 masks
>>> spatial_weights([left, right], [2, 0], 3)[0].tolist()
[[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from stlib.validation import SettingError, integer, number

__all__ = ["check_region_weights", "parse_mix", "spatial_weights", "style_weights"]

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


def spatial_weights(masks: object, styles: Sequence[int], num_styles: int) -> np.ndarray:
    """A style weight per pixel: masks [R, H, W] and R style indices -> float32 [1, H, W, N].

    Pixel p gets ``sum_r masks[r, p] * onehot(styles[r])``, divided by its sum (masks that sum to
    one, as ``stlib.masks.resolve`` and ``feather`` give them, are left as they are): region r in
    style ``styles[r]`` alone, a soft seam a convex mix of its regions' styles. A style may paint
    several regions. The map is what the network takes instead of a [1, N] vector.
    """
    values = np.asarray(masks, np.float32)
    styles = [integer(k, "style", low=0, high=num_styles - 1) for k in styles]
    if values.ndim != 3 or values.shape[0] != len(styles):
        raise ValueError(
            f"masks of shape {values.shape} for {len(styles)} styles: give [R, H, W], one mask "
            "per style"
        )
    onehot = np.eye(num_styles, dtype=np.float32)[styles]  # [R, N]
    weights = np.einsum("rhw,rn->hwn", values, onehot)
    weights /= np.maximum(weights.sum(axis=-1, keepdims=True), 1e-6)
    return weights[None].astype(np.float32)


def check_region_weights(mix: Mapping[int, float], name: str = "style") -> None:
    """Refuse a weight of 0 in a mix given with masks (SettingError naming the style).

    With masks every style of the mix paints its own region and the weights are not used: a
    style weighted 0 would still paint its region, which is not what a 0 says.
    """
    zero = [k for k, w in mix.items() if isinstance(w, (int, float)) and w == 0]
    if zero:
        raise SettingError(
            {name: dict(mix)},
            f"style {zero[0]} has weight 0: with masks every style of the mix paints its own "
            "region (the weights are not used); leave that style and its mask out",
        )
