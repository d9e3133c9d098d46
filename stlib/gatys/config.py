"""The settings of one Gatys style transfer, as a frozen dataclass with defaults that work."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from stlib import losses, vgg

OPTIMIZERS = ("lbfgs", "adam")
INITS = ("content", "noise", "style")
COLOUR_MODES = (None, "luminance", "histogram")
STYLE_LAYERS_GATYS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")


def _equal_weights(layers) -> dict[str, float]:
    return {name: 1.0 / len(layers) for name in layers}


@dataclass(frozen=True)
class GatysConfig:
    r"""Everything that decides the result of ``stlib.gatys.transfer``.

    The objective, for a pastiche x, content image c and style image(s) s:

    .. math::
        L(x) = \alpha \sum_{l \in C} u_l\, \mathrm{content}(F_l(x), F_l(c))
             + \beta \sum_{l \in S} w_l \operatorname{mean}\big((G_l(x) - A_l)^2\big)
             + \gamma\, \mathrm{TV}(x)

    with :math:`\alpha` = ``content_weight``, :math:`u_l` = ``content_layers[l]``, :math:`\beta` =
    ``style_weight``, :math:`w_l` = ``style_layers[l]``, :math:`\gamma` = ``tv_weight``, Gram
    matrices normalised by the number of positions (``stlib.losses``) and :math:`A_l` the blend
    of the style images' Gram matrices with ``style_blend_weights``.

    Sizes: ``size`` is the longest side of the output (None keeps the content image's size); the
    style image is resized to ``style_scale * size``. ``scales`` gives a coarse-to-fine schedule as
    fractions of ``size`` ending at 1.0, e.g. ``(0.25, 0.5, 1.0)``; ``steps`` is the number of
    optimiser iterations at each scale (an int for all of them, or one per scale).

    Speed: ``precision="bfloat16"`` runs VGG19 in bfloat16 (about half the time per step where the
    hardware has bfloat16 units; losses stay float32). Its rounding makes L-BFGS's line search stop
    early in the slow final phase; the engine then finishes the scale in float32.
    """

    content_layers: Mapping[str, float] = field(default_factory=lambda: {"block4_conv2": 1.0})
    style_layers: Mapping[str, float] = field(default_factory=lambda: _equal_weights(STYLE_LAYERS_GATYS))
    content_weight: float = 1.0
    style_weight: float = 1e-2
    tv_weight: float = 0.0
    tv_kind: str = "squared"
    content_reduction: str = "mean"
    pooling: str = "avg"

    optimizer: str = "lbfgs"
    steps: int | tuple[int, ...] = 300
    learning_rate: float = 0.02
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-7
    lbfgs_history: int = 20

    init: str = "content"
    noise_std: float = 0.25
    seed: int = 0

    size: int | None = 512
    style_scale: float = 1.0
    scales: tuple[float, ...] = (1.0,)
    style_blend_weights: tuple[float, ...] | None = None
    preserve_colour: str | None = None
    jit_compile: bool = False
    precision: str = "float32"
    preset: str | None = None

    def __post_init__(self) -> None:
        # Normalise containers so that configs compare and serialise predictably.
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        set_("content_layers", {str(k): float(v) for k, v in dict(self.content_layers).items()})
        set_("style_layers", {str(k): float(v) for k, v in dict(self.style_layers).items()})
        set_("scales", tuple(float(s) for s in self.scales))
        if not isinstance(self.steps, int):
            set_("steps", tuple(int(s) for s in self.steps))
        if self.style_blend_weights is not None:
            set_("style_blend_weights", tuple(float(w) for w in self.style_blend_weights))
        self._validate()

    def _validate(self) -> None:
        def choose(name, value, accepted):
            if value not in accepted:
                raise ValueError(f"unknown {name} {value!r}; choose from {', '.join(map(repr, accepted))}")

        if not self.content_layers and not self.style_layers:
            raise ValueError("content_layers and style_layers are both empty; nothing to optimise")
        for layer in (*self.content_layers, *self.style_layers):
            vgg.canonical_layer(layer)  # raises with the list of valid names
        choose("optimizer", self.optimizer, OPTIMIZERS)
        choose("pooling", self.pooling, ("max", "avg"))
        choose("precision", self.precision, vgg.PRECISIONS)
        choose("tv_kind", self.tv_kind, losses.TV_KINDS)
        choose("content_reduction", self.content_reduction, losses.CONTENT_REDUCTIONS)
        choose("preserve_colour", self.preserve_colour, COLOUR_MODES)
        if self.init not in INITS and not isinstance(self.init, str):
            raise ValueError(f"init must be one of {INITS} or an image path/sample name, not {self.init!r}")
        for name in ("content_weight", "style_weight", "tv_weight", "noise_std"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        for name in ("learning_rate", "style_scale"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.size is not None and not 32 <= self.size <= 8192:
            raise ValueError(f"size must be between 32 and 8192 pixels (or None), got {self.size}")
        if not self.scales or self.scales[-1] != 1.0 or any(
            not 0 < a < b for a, b in zip(self.scales, self.scales[1:])
        ) or self.scales[0] <= 0:
            raise ValueError(f"scales must increase and end at 1.0, e.g. (0.5, 1.0); got {self.scales}")
        steps = self.steps_per_scale
        if len(steps) != len(self.scales):
            raise ValueError(f"steps {self.steps} gives {len(steps)} counts for {len(self.scales)} scales")
        if any(s < 0 for s in steps) or sum(steps) == 0:
            raise ValueError(f"steps must be >= 0 with at least one step in all, got {self.steps}")
        if self.lbfgs_history < 1:
            raise ValueError(f"lbfgs_history must be >= 1, got {self.lbfgs_history}")
        if self.style_blend_weights is not None and (
            any(w < 0 for w in self.style_blend_weights) or sum(self.style_blend_weights) <= 0
        ):
            raise ValueError(f"style_blend_weights must be >= 0 and not all 0, got {self.style_blend_weights}")

    @property
    def steps_per_scale(self) -> tuple[int, ...]:
        """The iteration count at each scale, one per entry of ``scales``."""
        return (self.steps,) * len(self.scales) if isinstance(self.steps, int) else self.steps

    @property
    def total_steps(self) -> int:
        return sum(self.steps_per_scale)

    def replace(self, **changes) -> GatysConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping) -> GatysConfig:
        """The inverse of ``to_dict`` (also accepts the lists that JSON makes of tuples)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown GatysConfig fields {unknown}; known: {', '.join(sorted(known))}")
        values = dict(values)
        for name in ("scales", "style_blend_weights"):
            if isinstance(values.get(name), list):
                values[name] = tuple(values[name])
        if isinstance(values.get("steps"), list):
            values["steps"] = tuple(values["steps"])
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)
