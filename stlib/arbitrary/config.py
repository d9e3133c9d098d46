"""The settings of one arbitrary style transfer, as a frozen dataclass checked once.

``ArbitraryConfig(...)`` checks every field with ``stlib.validation`` where it is made: the backend
and transformer choices (with a suggestion for a near miss), that ``strength`` and the style
``mix`` are finite numbers in range, that sizes are whole numbers in range, and the combinations
that cannot work. The number of style weights can only be checked against the styles given:
:meth:`ArbitraryConfig.mixing_weights` does that. No TensorFlow here, so the command line checks
what the user typed before TensorFlow starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from stlib import validation as check
from stlib.limits import MAX_SIDE, MIN_SIDE
from stlib.validation import SettingError, SettingTypeError

__all__ = [
    "BACKENDS",
    "COLOR_MODES",
    "DEFAULT_STYLE_SIZE",
    "MAX_SIZE",
    "MAX_STYLE_SIZE",
    "MIN_COMPUTE_SIZE",
    "MIN_SIZE",
    "MIN_STYLE_SIZE",
    "TRANSFORMERS",
    "ArbitraryConfig",
]

BACKENDS = ("auto", "tflite", "hub")
# The TFLite transformers by the name the user picks; stlib.arbitrary.models maps them to files.
TRANSFORMERS = ("dynamic", "int8", "float16")
COLOR_MODES = (None, "luminance", "histogram")
MIN_SIZE, MAX_SIZE = MIN_SIDE, MAX_SIDE  # the output sizes stlib.images accepts
# The style network was trained on style images of 128-300 px (Ghiasi et al., sec. 4; Magenta's
# random style size); 256 is the size of the published predictor's input.
DEFAULT_STYLE_SIZE = 256
MIN_STYLE_SIZE, MAX_STYLE_SIZE = MIN_SIDE, 2048
# The transformer halves the image twice and pads by reflection at every layer: below 64 px its
# quarter-resolution maps are a few pixels wide and the strokes are as large as the image.
MIN_COMPUTE_SIZE = 64


# Fields renamed in 0.3 (one word per idea across the methods): still read, with a notice.
RENAMED = {"weights": "mix"}


@check.named_fields(RENAMED)
@dataclass(frozen=True, kw_only=True)
class ArbitraryConfig:
    """Everything that decides the result of ``stlib.arbitrary.stylize``.

    - ``backend``: ``"tflite"`` (the official Magenta TFLite pair: a MobileNetV2 style predictor
      distilled from the paper's Inception-v3 one, and the transformer), ``"hub"`` (the paper's
      Inception-v3 model from TF Hub, which mixes and weakens styles only by blending pixels) or
      ``"auto"`` (Hub when it is cached or reachable, else TFLite; see ``stlib.arbitrary.load``).
    - ``transformer``: which TFLite transformer paints: ``"dynamic"`` (any size, one pass),
      ``"int8"`` or ``"float16"`` (fixed at 384x384: the image is painted in overlapping tiles).
    - ``mix``: one weight per style image, finite, >= 0, positive sum (None: equal); normalised to
      sum to one, so ``(2, 1)`` means two thirds of the first style.
    - ``strength``: 0 is the photo redrawn by the network (its own embedding), 1 the full style;
      in between, the embeddings are interpolated (Ghiasi et al.'s identity interpolation).
    - ``size``: the longest side of the output in px (None: the content's own size).
    - ``style_size``: the side of the square each style image is centre-cropped and resized to
      before the style network sees it (smaller: larger brush strokes).
    - ``preserve_color``: None, ``"luminance"`` or ``"histogram"`` (``stlib.color``).
    - ``compute_size``: None (default) paints at the output's full resolution. A number paints
      the content resized so that its longest side is ``compute_size`` px and upsamples the
      pastiche back to the output size (Lanczos-3, ``stlib.images.resize_to``): faster on large
      photos (384: the work of the peer tools that always paint at 384 px), softer strokes. A
      ``compute_size`` at or above the output's longest side changes nothing.
    """

    backend: str = "auto"
    transformer: str = "dynamic"
    mix: tuple[float, ...] | None = None
    strength: float = 1.0
    size: int | None = None
    style_size: int = DEFAULT_STYLE_SIZE
    preserve_color: str | None = None
    compute_size: int | None = None

    def __post_init__(self) -> None:
        for name, value in _validated(self).items():
            object.__setattr__(self, name, value)
        if self.backend == "hub" and self.transformer != "dynamic":
            raise SettingError(
                {"backend": "hub", "transformer": self.transformer},
                "the transformer is a choice of the TFLite backend (the Hub model has its own); "
                "use {backend=tflite} or leave the transformer out",
            )

    def mixing_weights(self, count: int) -> tuple[float, ...]:
        """The style weights for ``count`` style images, normalised to sum to one.

        Raises SettingError when ``mix`` does not give one weight per style image.
        """
        if self.mix is None:
            return (1.0 / count,) * count
        if len(self.mix) != count:
            raise SettingError(
                {"mix": self.mix},
                f"gives {len(self.mix)} weight{'s' * (len(self.mix) != 1)} for "
                f"{count} style image{'s' * (count != 1)}; give one per style image",
            )
        total = sum(self.mix)
        return tuple(weight / total for weight in self.mix)

    def replace(self, **changes: Any) -> ArbitraryConfig:
        """A copy with some fields changed (checked again; an unknown name gets a suggestion)."""
        return dataclasses.replace(self, **check.field_names(ArbitraryConfig, changes, RENAMED))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _mix(value: Any) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        kind = type(value).__name__
        raise SettingTypeError(
            {"mix": value},
            f"is {'an' if kind[0] in 'aeiou' else 'a'} {kind}; expected one number per style "
            "image, e.g. (0.7, 0.3)",
        )
    shown = {"mix": value}
    weights = tuple(check.number(w, "mix", low=0.0, shown=shown) for w in value)
    if not weights:
        raise SettingError(shown, "needs one weight per style image")
    if sum(weights) <= 0:
        raise SettingError(shown, "must not all be 0: the styles are mixed in these proportions")
    return weights


def _validated(config: ArbitraryConfig) -> dict[str, Any]:
    """Every field checked on its own; returns the normalised values."""
    check.choice(config.backend, "backend", BACKENDS)
    check.choice(config.transformer, "transformer", TRANSFORMERS)
    check.choice(config.preserve_color, "preserve_color", COLOR_MODES)
    values: dict[str, Any] = {
        "strength": check.number(config.strength, "strength", low=0.0, high=1.0),
        "style_size": check.integer(
            config.style_size, "style_size", low=MIN_STYLE_SIZE, high=MAX_STYLE_SIZE
        ),
    }
    if config.size is not None:
        values["size"] = check.integer(config.size, "size", low=MIN_SIZE, high=MAX_SIZE)
    if config.compute_size is not None:
        values["compute_size"] = check.integer(
            config.compute_size, "compute_size", low=MIN_COMPUTE_SIZE, high=MAX_SIZE
        )
    if config.mix is not None:
        values["mix"] = _mix(config.mix)
    return values
