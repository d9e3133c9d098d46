"""The settings of one pass of a multi-style network, as a frozen dataclass checked once.

No TensorFlow here, so the command line checks what the user typed before TensorFlow starts. The
style (an index, an ``{index: weight}`` mix or N weights) is not a setting: it is what
``stylize`` paints, checked against the network's style count by ``stlib.cin.mixing``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from stlib import validation as check
from stlib.cin.pretrained import PRETRAINED
from stlib.limits import MAX_SIDE, MIN_SIDE
from stlib.validation import SettingTypeError

__all__ = ["PRESERVE_COLOR_MODES", "CinConfig"]

# The colour modes of this method (no "histogram": it recolours a painting, and there is none).
PRESERVE_COLOR_MODES = (None, "luminance")


@check.named_fields()
@dataclass(frozen=True, kw_only=True)
class CinConfig:
    """Everything besides the style that decides the result of ``stlib.cin.stylize``.

    - ``model``: ``"magenta-26"`` (the 26 pretrained styles), the path of a ``.keras`` file
      saved by ``stlib cin-train``, or a network already in memory (``stlib.cin.load``).
    - ``size``: the longest side of the result in px (the photo is resized first); None, or the
      photo's own longest side, leaves the photo unchanged.
    - ``preserve_color``: None, or ``"luminance"``: the pastiche's luminance with the photo's
      colours (``stlib.color.combine_luminance``). ``"histogram"``, offered by the other
      methods, recolours the painting before it is used: this network has no painting.
    """

    model: Any = "magenta-26"
    size: int | None = None
    preserve_color: str | None = None

    def __post_init__(self) -> None:
        check.choice(self.preserve_color, "preserve_color", PRESERVE_COLOR_MODES)
        if self.size is not None:  # the shorter side is checked by stlib.images (>= MIN_SIDE)
            size = check.integer(self.size, "size", low=MIN_SIDE, high=MAX_SIDE)
            object.__setattr__(self, "size", size)
        object.__setattr__(self, "model", _model(self.model))

    def replace(self, **changes: Any) -> CinConfig:
        """A copy with some fields changed (checked again; an unknown name gets a suggestion)."""
        return dataclasses.replace(self, **check.field_names(CinConfig, changes))


def _model(value: Any) -> Any:
    """A name or path as a str; a network in memory (it has ``num_styles``) as it is."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, str) or hasattr(value, "num_styles"):
        return value
    kind = type(value).__name__
    raise SettingTypeError(
        {"model": value},
        f"is {'an' if kind[0] in 'aeiou' else 'a'} {kind}; give {' or '.join(PRETRAINED)}, "
        "the path of a .keras file or a network from stlib.cin.load",
    )
