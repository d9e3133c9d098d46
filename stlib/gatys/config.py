"""The settings of one Gatys style transfer, as a frozen dataclass with defaults that work.

Every field is checked where the config is made (``GatysConfig(...)``, ``replace``, ``from_dict``,
``preset``), once: its type, that numbers are finite and in range, the choices, and the
combinations that cannot work. Errors are ``stlib.validation.SettingError`` (a ``ValueError``) or
``SettingTypeError`` (a ``TypeError``); they name the field, the value and what is accepted, and the
command line re-words them with its option names. No TensorFlow here.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stlib import validation as check
from stlib import vgg_layers
from stlib.gatys.preset_fields import PRESET_FIELDS, STYLE_LAYERS_GATYS
from stlib.limits import MAX_SIDE, MIN_SIDE
from stlib.loss_names import CONTENT_REDUCTIONS, TV_KINDS
from stlib.validation import SettingError, SettingTypeError
from stlib.vgg_layers import POOLINGS

# "lbfgs": scipy's L-BFGS-B on the host (the reference); "lbfgs-tf": projected L-BFGS inside one
# compiled TensorFlow function (stlib.gatys.lbfgs_tf), the default; "adam": Adam with clipping.
OPTIMIZERS = ("lbfgs", "adam", "lbfgs-tf")
INITS = ("content", "noise", "style")
COLOR_MODES = (None, "luminance", "histogram")
MIN_SIZE, MAX_SIZE = MIN_SIDE, MAX_SIDE  # the output sizes stlib.images accepts


def _equal_weights(layers) -> dict[str, float]:
    return {name: 1.0 / len(layers) for name in layers}


@dataclass(frozen=True, kw_only=True)
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
    of the style images' Gram matrices with ``mix``.

    Sizes: ``size`` is the longest side of the output (None keeps the content image's size); the
    style image is resized to ``style_scale * size``. ``scales`` gives a coarse-to-fine schedule as
    fractions of ``size`` ending at 1.0, e.g. ``(0.25, 0.5, 1.0)``; ``steps`` is the number of
    optimiser iterations at each scale (an int for all of them, or one per scale).

    Speed: ``precision="bfloat16"`` runs VGG19 in bfloat16 (about half the time per step where the
    hardware has bfloat16 units; losses stay float32). Its rounding makes L-BFGS's line search stop
    early in the slow final phase; the engine then finishes the scale in float32.

    Taught in notebook 03, sections 1 and 2.
    """

    # The defaults are the "stlib" preset. Where a number is not the paper's, it says why.
    # Paper (Gatys et al. 2016), sec. 2.3: content on conv4_2, style on conv1_1 ... conv5_1,
    # w_l = 1/5.
    content_layers: Mapping[str, float] = field(default_factory=lambda: {"block4_conv2": 1.0})
    style_layers: Mapping[str, float] = field(
        default_factory=lambda: _equal_weights(STYLE_LAYERS_GATYS)
    )
    content_weight: float = 1.0  # stlib choice: with style_weight, a balance that reads well
    style_weight: float = 1e-2  # at 256-1024 px with mean-normalised losses (notebook 04)
    tv_weight: float = 0.0  # the paper has no TV term
    tv_kind: str = "squared"  # smooth everywhere, as neural-style's TV
    content_reduction: str = "mean"  # stlib choice: does not grow with the image size
    normalized_vgg: bool = False  # Keras' weights as they are (gatys2016: the paper's rescaling)
    pooling: str = "avg"  # paper, sec. 2: average pooling gives better results

    # paper, sec. 2.3: L-BFGS. On the device by default: it reached the same loss sooner than
    # scipy's L-BFGS-B on the stlib preset (118 against 138 s at 256 px, lbfgs_default.py), on
    # the tutorial's objective (262 against 317 s) and at 512 px (90 against 103 s), 2-core Xeon.
    optimizer: str = "lbfgs-tf"
    steps: int | tuple[int, ...] = 300  # stlib choice: L-BFGS is visually settled by then at 512 px
    learning_rate: float = 0.02  # Adam: TensorFlow tutorial's value
    adam_beta1: float = 0.9  # Adam: Kingma & Ba's defaults (also Keras')
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-7  # Keras' default
    # Measured (benchmarks/lbfgs_history.py, 2-core Xeon): lbfgs-tf is fastest to a given loss at
    # m = 20 or within 2 % of it at 256 and 512 px; scipy's route is 8-10 % sooner with m = 5-10.
    lbfgs_history: int = 20
    init: str = "content"  # stlib choice: far fewer steps than the paper's noise start
    noise_std: float = 0.25  # stlib choice: noise start spread around the ImageNet mean colour
    seed: int = 0

    size: int | None = 512  # paper, sec. 4: images of 512 px
    style_scale: float = 1.0  # neural-style's option: style image at the output's size
    scales: tuple[float, ...] = (1.0,)  # one scale; coarse-to-fine is neural-style's multires
    mix: tuple[float, ...] | None = None  # equal weights (neural-style's default)
    preserve_color: str | None = None  # Gatys et al. 2017's colour preservation: off
    jit_compile: bool = False  # XLA measured no faster on a CPU (README, Speed)
    precision: str = "float32"
    preset: str | None = None

    def __post_init__(self) -> None:
        # Check every field, then store the normalised values (tuples, floats, plain dicts), so
        # that configs compare and serialise predictably.
        for name, value in _validated(self).items():
            object.__setattr__(self, name, value)
        _check_combinations(self)

    @property
    def steps_per_scale(self) -> tuple[int, ...]:
        """The iteration count at each scale, one per entry of ``scales``."""
        return (self.steps,) * len(self.scales) if isinstance(self.steps, int) else self.steps

    @property
    def total_steps(self) -> int:
        return sum(self.steps_per_scale)

    @property
    def active_terms(self) -> tuple[str, ...]:
        """The loss terms that take part: a subset of ('content', 'style', 'tv')."""
        content = self.content_weight > 0 and any(w > 0 for w in self.content_layers.values())
        style = self.style_weight > 0 and any(w > 0 for w in self.style_layers.values())
        flags = {"content": content, "style": style, "tv": self.tv_weight > 0}
        return tuple(name for name, on in flags.items() if on)

    def replace(self, **changes) -> GatysConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **_field_names(changes))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping) -> GatysConfig:
        """The inverse of ``to_dict`` (JSON's lists are accepted where tuples are stored)."""
        if not isinstance(values, Mapping):
            raise TypeError(
                f"GatysConfig.from_dict takes a mapping of fields, not a {type(values).__name__}"
            )
        return cls(**_field_names(values))

    def to_json(self) -> str:
        """Every field as JSON (tuples become lists): the file ``stlib transfer --config`` reads.

        >>> GatysConfig.from_json(GatysConfig(size=256).to_json()) == GatysConfig(size=256)
        True
        """
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> GatysConfig:
        """The config written by ``to_json``, every field checked as in ``GatysConfig(...)``.

        A field left out takes the value of the preset the text names (``"preset": "gatys2016"``;
        the stlib preset when none is named), so a hand-written ``{"preset": "gatys2016",
        "size": 256}`` is that preset at 256 px. The file ``stlib transfer --history`` writes is
        read too (its ``"config"`` part).

        Raises:
            SettingError: text that is not JSON (with the line and column), or a bad value
                (named by its field, as ``GatysConfig(...)`` names it).
            SettingTypeError: JSON that is not an object of fields.
            TypeError: an unknown field name (with a suggestion).
        """
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise SettingError(
                {}, f"is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
            ) from None
        except UnicodeDecodeError as error:
            raise SettingError({}, f"is not UTF-8 text: {error.reason}") from None
        if isinstance(values, dict) and set(values) == {"config", "history"}:
            values = values["config"]  # a --history file: the settings of that run
        if not isinstance(values, dict):
            kind = _JSON_KINDS.get(type(values), type(values).__name__)
            raise SettingTypeError(
                {},
                f"holds a JSON {kind}, not an object of GatysConfig fields "
                '(e.g. {"size": 256, "steps": 100})',
            )
        named = values.get("preset")
        if named is None:
            return cls.from_dict(values)
        check.choice(named, "preset", tuple(PRESET_FIELDS))
        return cls.from_dict({**PRESET_FIELDS[named], **values})


FIELDS = tuple(f.name for f in dataclasses.fields(GatysConfig))
# How JSON names what json.loads returns, for the error of a file that is not an object.
_JSON_KINDS = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


# Fields renamed in 0.3 (one word per idea across the methods): still read, with a notice.
RENAMED = {"style_blend_weights": "mix"}


def _field_names(values: Mapping) -> dict:
    """``values`` as a dict, old names renamed (with a notice), unknown ones refused."""
    return check.field_names(GatysConfig, values, RENAMED)


GatysConfig = check.named_fields(RENAMED)(GatysConfig)


# --- checks of single fields -------------------------------------------------------------------


def _layers(config: GatysConfig, name: str) -> dict[str, float]:
    layers = getattr(config, name)
    if not isinstance(layers, Mapping):
        raise SettingTypeError(
            {name: layers},
            f"{check.type_text(layers)}; expected a mapping {{layer: weight}}, "
            "e.g. {'relu1_1': 1.0, 'relu2_1': 0.5}",
        )
    checked = {}
    for layer, weight in layers.items():
        try:
            vgg_layers.canonical_layer(layer)
        except (ValueError, TypeError) as error:
            raise SettingError({name: dict(layers)}, str(error)) from None
        checked[layer] = check.number(weight, name, low=0.0, shown={name: dict(layers)})
    return checked


def _steps(value) -> int | tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        if not value:
            raise SettingError({"steps": value}, "needs at least one count")
        counts = tuple(check.integer(v, "steps", low=0, shown={"steps": value}) for v in value)
        return counts[0] if len(counts) == 1 else counts
    return check.integer(value, "steps", low=0, high=10**7)


def _floats(
    value, name: str, *, low: float, high: float | None, low_open: bool
) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise SettingTypeError(
            {name: value}, f"{check.type_text(value)}; expected a list of numbers"
        )
    numbers = tuple(
        check.number(v, name, low=low, high=high, low_open=low_open, shown={name: value})
        for v in value
    )
    if not numbers:
        raise SettingError({name: value}, "needs at least one number")
    return numbers


def _init(value):
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise SettingTypeError(
            {"init": value},
            f"{check.type_text(value)}; expected one of {', '.join(map(repr, INITS))}, "
            "a sample name, an image path or an http(s) URL (or pass init_image= to transfer)",
        )
    if value in INITS or value.lower().startswith(("http://", "https://")) or os.path.isfile(value):
        return value
    from stlib import data  # the sample registry (no TensorFlow)

    names = data.sample_names()
    if value in names:
        return value
    raise SettingError(
        {"init": value},
        f"choose {', '.join(map(repr, INITS))}, a sample name (see `stlib samples`), "
        "an existing image file or an http(s) URL"
        f"{check.did_you_mean(value, INITS + tuple(names))}",
    )


def _validated(config: GatysConfig) -> dict[str, Any]:
    """Every field checked on its own; returns the normalised values."""
    values = {
        "content_layers": _layers(config, "content_layers"),
        "style_layers": _layers(config, "style_layers"),
        "steps": _steps(config.steps),
        "init": _init(config.init),
        "scales": _floats(config.scales, "scales", low=0.0, high=1.0, low_open=True),
    }
    for name in ("content_weight", "style_weight", "tv_weight", "noise_std"):
        values[name] = check.number(getattr(config, name), name, low=0.0)
    for name in ("learning_rate", "adam_epsilon"):
        values[name] = check.number(getattr(config, name), name, low=0.0, low_open=True)
    for name in ("adam_beta1", "adam_beta2"):
        values[name] = check.number(getattr(config, name), name, low=0.0, high=0.999999)
    values["style_scale"] = check.number(
        config.style_scale, "style_scale", low=0.0, high=64.0, low_open=True
    )
    values["lbfgs_history"] = check.integer(config.lbfgs_history, "lbfgs_history", low=1, high=1000)
    values["seed"] = check.integer(config.seed, "seed", low=0)
    if config.size is not None:
        values["size"] = check.integer(config.size, "size", low=MIN_SIZE, high=MAX_SIZE)
    if config.mix is not None:
        values["mix"] = _floats(
            config.mix,
            "mix",
            low=0.0,
            high=check.FLOAT32_MAX,
            low_open=False,
        )
    for name, accepted in (
        ("optimizer", OPTIMIZERS),
        ("pooling", POOLINGS),
        ("precision", vgg_layers.PRECISIONS),
        ("tv_kind", TV_KINDS),
        ("content_reduction", CONTENT_REDUCTIONS),
        ("preserve_color", COLOR_MODES),
    ):
        check.choice(getattr(config, name), name, accepted)
    for name in ("jit_compile", "normalized_vgg"):
        if not isinstance(getattr(config, name), bool):
            raise SettingTypeError({name: getattr(config, name)}, "expected True or False")
    if config.preset is not None and not isinstance(config.preset, str):
        raise SettingTypeError({"preset": config.preset}, "expected a preset name or None")
    return values


# --- combinations that cannot work --------------------------------------------------------------


def _check_combinations(config: GatysConfig) -> None:
    active = config.active_terms
    if not active:
        raise SettingError(
            {
                "content_weight": config.content_weight,
                "style_weight": config.style_weight,
                "tv_weight": config.tv_weight,
            },
            "every loss term is off (zero weights or no layers): there is nothing to optimize; "
            "give the style term a positive weight and at least one layer",
        )
    if config.init == "content" and "style" not in active and "tv" not in active:
        off = (
            {"style_weight": 0.0}
            if config.style_weight == 0
            else {"style_layers": config.style_layers}
        )
        raise SettingError(
            {**off, "init": "content"},
            "without a style term the pastiche starts as the content image, which already "
            "minimizes the content loss: there is nothing to optimize; give the style term a "
            "positive weight and at least one layer, or start from noise: {init=noise}",
        )
    steps = config.steps_per_scale
    if len(steps) != len(config.scales):
        raise SettingError(
            {"steps": config.steps, "scales": config.scales},
            f"give one step count for all scales or one per scale ({len(config.scales)} here)",
        )
    if sum(steps) == 0:
        raise SettingError({"steps": config.steps}, "at least one step is needed in all")
    scales = config.scales
    if scales[-1] != 1.0 or any(a >= b for a, b in zip(scales, scales[1:])):
        raise SettingError({"scales": scales}, "must increase and end at 1.0, e.g. (0.5, 1.0)")
    if config.mix is not None and sum(config.mix) <= 0:
        raise SettingError({"mix": config.mix}, "must not all be 0")
    if config.size is not None and config.style_scale * config.size > MAX_SIZE:
        raise SettingError(
            {"style_scale": config.style_scale, "size": config.size},
            f"the style image would be {config.style_scale * config.size:.0f} px "
            "on its longest side; "
            f"at most {MAX_SIZE} px are possible",
        )
