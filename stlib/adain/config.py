"""The settings of one AdaIN transfer, as a frozen dataclass checked once (no TensorFlow).

``AdaINConfig(...)`` checks every field with ``stlib.validation`` where it is made; what can only
be checked against the paintings given (one ``mix`` weight per painting, one mask per painting,
``mix`` and masks together) is checked by :meth:`AdaINConfig.mixing_weights` and
:func:`check_masks`, still before TensorFlow starts, so the command line reports it at once.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from stlib import masks as masking
from stlib import validation as check
from stlib.limits import MAX_SIDE, MIN_SIDE
from stlib.validation import SettingError, SettingTypeError

__all__ = [
    "DEFAULT_STYLE_SIZE",
    "MAX_STYLE_SIZE",
    "PRESERVE_COLOR_MODES",
    "AdaINConfig",
    "check_masks",
]

PRESERVE_COLOR_MODES = (None, "luminance", "histogram")
# The authors' test script resizes each painting to 512 px (its shorter side); stlib sizes every
# image by its longest side, and 512 keeps the strokes of a 512-px pastiche about the paper's.
DEFAULT_STYLE_SIZE = 512
MAX_STYLE_SIZE = 2048


@check.named_fields()
@dataclass(frozen=True, kw_only=True)
class AdaINConfig:
    """Everything besides the photo and the paintings that decides ``stlib.adain.stylize``.

    - ``model``: the path of a ``.keras`` decoder saved by ``stlib adain-train`` (or
      :meth:`stlib.adain.network.AdaINNetwork.save`), or a network already in memory
      (:class:`~stlib.adain.network.AdaINNetwork`). There is no pretrained one: None (the
      default) is refused when the transfer starts, saying how to train one.
    - ``size``: the longest side of the result in px (None: the photo's own size).
    - ``strength``: alpha of the paper (section 7.1), in [0, 1]: the decoder paints
      ``alpha * t + (1 - alpha) * f(c)``; 0 is the photo redrawn by the decoder, 1 the full style.
    - ``mix``: one weight per painting, >= 0 with a positive sum (None: equal); divided by their
      sum. The paintings' AdaIN targets are mixed by these weights (paper, section 7.1).
    - ``style_size``: the longest side each painting is resized to (up or down) before it is
      encoded; smaller gives larger strokes.
    - ``preserve_color``: None, ``"luminance"`` or ``"histogram"`` (``stlib.color``; the paper's
      colour control, Fig. 8, is the histogram one).
    """

    model: Any = None
    size: int | None = None
    strength: float = 1.0
    mix: tuple[float, ...] | None = None
    style_size: int = DEFAULT_STYLE_SIZE
    preserve_color: str | None = None

    def __post_init__(self) -> None:
        check.choice(self.preserve_color, "preserve_color", PRESERVE_COLOR_MODES)
        values: dict[str, Any] = {
            "model": _model(self.model),
            "strength": check.number(self.strength, "strength", low=0.0, high=1.0),
            "style_size": check.integer(
                self.style_size, "style_size", low=MIN_SIDE, high=MAX_STYLE_SIZE
            ),
        }
        if self.size is not None:  # the shorter side is checked by stlib.images (>= MIN_SIDE)
            values["size"] = check.integer(self.size, "size", low=MIN_SIDE, high=MAX_SIDE)
        if self.mix is not None:
            values["mix"] = _mix(self.mix)
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def mixing_weights(self, count: int) -> tuple[float, ...]:
        """The weights of ``count`` paintings, summing to one.

        Raises:
            SettingError: ``mix`` does not give one weight per painting.
        """
        if self.mix is None:
            return (1.0 / count,) * count
        if len(self.mix) != count:
            raise SettingError(
                {"mix": self.mix},
                f"gives {len(self.mix)} weight{'s' * (len(self.mix) != 1)} for {count} "
                f"painting{'s' * (count != 1)}; give one weight per painting",
            )
        total = sum(self.mix)
        return tuple(weight / total for weight in self.mix)

    def replace(self, **changes: Any) -> AdaINConfig:
        """A copy with some fields changed (checked again; an unknown name gets a suggestion)."""
        return dataclasses.replace(self, **check.field_names(AdaINConfig, changes))


def _model(value: Any) -> Any:
    """None, a path as a str, or a network in memory (it has ``decoder_input``) as it is."""
    if value is None or hasattr(value, "decoder_input"):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, str):
        return value
    raise SettingTypeError(
        {"model": value},
        f"{check.type_text(value)}; give the path of a .keras file saved by AdaINNetwork.save "
        "or a network from stlib.adain.load",
    )


def _mix(value: Any) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise SettingTypeError(
            {"mix": value},
            f"{check.type_text(value)}; expected one number per painting, e.g. (0.7, 0.3)",
        )
    shown = {"mix": value}
    weights = tuple(check.number(w, "mix", low=0.0, shown=shown) for w in value)
    if not weights:
        raise SettingError(shown, "needs one weight per painting")
    if sum(weights) <= 0:
        raise SettingError(shown, "must not all be 0: the paintings are mixed in these proportions")
    return weights


def check_masks(config: AdaINConfig, sources: Any, count: int) -> None:
    """``stlib.masks.check_placement`` for an ``AdaINConfig``: ``mix`` refused with masks, one
    mask per painting; before any image is read."""
    masking.check_placement(config.mix, sources, count)
