"""The settings of a multi-style training run: ``TrainConfig``, checked once, and its presets.

No TensorFlow here: ``stlib cin-train`` checks every option before TensorFlow starts. The loop
that uses these settings is :mod:`stlib.cin.training`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stlib import validation as check
from stlib import vgg_layers
from stlib.cin import spec as spec_module
from stlib.limits import MIN_SIDE
from stlib.validation import SettingError, SettingTypeError
from stlib.vgg_layers import POOLINGS

__all__ = [
    "FIELDS",
    "MIXED_PRECISIONS",
    "NEW_STYLE_INITS",
    "POOLINGS",
    "PRESETS",
    "SPECS",
    "STYLE_LAYERS",
    "TrainConfig",
    "default_config",
    "preset",
]

MIXED_PRECISIONS = (None, "mixed_float16", "mixed_bfloat16")
NEW_STYLE_INITS = ("mean", "identity")
MIN_SIZE, MAX_SIZE = MIN_SIDE, 2048  # the sides of a training crop

# The published widths by name, as dicts (stlib.cin.spec: no TensorFlow).
SPECS = {name: dataclasses.asdict(spec) for name, spec in spec_module.SPECS.items()}

# The style layers: the first convolution of blocks 1-4, Gatys et al.'s relu1_1 ... relu4_1 less
# relu5_1. See TrainConfig's docstring for the weights.
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1")


def _equal(layers, total: float = 1.0) -> dict[str, float]:
    return {name: total / len(layers) for name in layers}


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Everything that decides what ``train`` learns (the defaults are the "full" preset).

    Loss network: stlib's VGG19 with average pooling (Magenta used VGG-16 with average pooling)
    and ``normalized_vgg`` (Gatys et al.'s rescaling: every filter's mean activation one), so the
    four style layers speak with comparable voices and equal layer weights mean equal shares.

    Layers: content on ``block3_conv3`` (relu3_3), the layer Magenta uses in VGG-16
    (``vgg_16/conv3``, the end of block 3): deep enough to leave the network free to repaint
    textures and colours, shallow enough to keep the photo's edges at 256 px. Style on relu1_1 ...
    relu4_1 (``block1_conv1`` ... ``block4_conv1``, Magenta's conv1..conv4 moved to the block's
    first layer as in Gatys et al.); relu5_1 is left out: at 256 px crops its 16x16 maps carry
    little texture and it would add the most expensive layers to every step.

    Weights: equal layer weights (1/4 each) work because the normalised network makes the four
    layers' Gram errors alike: a sample photo against a sample painting gives 3-7 at every layer
    (128-px crops, paintings at 256 px). ``style_weight`` 3 and ``content_weight`` 1 make the two
    terms comparable: an untrained network's output has content 3-4 and weighted style 35-45, the
    photo itself style 11-16 (3 x 3.7-5.2) and content 0, and after the quick preset the two meet
    at about 2 each (content 3.0 -> 2.1, weighted style 9.4 -> 2.2 over 300 steps), visibly painted
    in each style's palette and strokes. No TV term (Magenta has none; the upsampling-then-
    convolution decoder does not make checkerboards).

    Sizes: ``size`` is the crop side (Magenta: 256), ``style_size`` the longest side of each style
    image when its Gram matrices are computed (Magenta: the painting's own size); ``sample_size``
    the longest side of the sample photo.

    ``new_style_init`` (fine-tuning): the new style's CIN rows start as the mean of the trained
    styles' rows (``"mean"``: an average of styles the convolutions were trained with, a painting
    from the first step) or at gamma 1, beta 0 (``"identity"``: plain instance normalisation, which
    the trained convolutions never saw). Measured (quick preset, adding great_wave to a
    starry_night + the_scream network, weighted style loss in a 25-step running mean): "mean"
    starts at 4.7, "identity" at 7.0; both pass 3.1, the level training a one-style network from
    scratch reaches after 200 steps, after 57 and 63 steps (about 3.5x fewer), and end at 2.3 and
    2.2 after 200 steps. "mean" is the default for the faster start; the ends are within noise.

    ``mixed_precision``: None (float32), ``"mixed_float16"`` (GPUs with float16 units: the
    transformer computes in float16, VGG in float32, the loss is scaled against underflow) or
    ``"mixed_bfloat16"`` (recent CPUs and GPUs: transformer and VGG in bfloat16, no loss scale).
    Weights and losses stay float32 either way.
    """

    steps: int = 6000
    size: int = 256  # Magenta's
    batch: int = 8  # Magenta: 16
    learning_rate: float = 1e-3  # Magenta's
    content_layer: str = "block3_conv3"
    content_weight: float = 1.0
    style_layers: Mapping[str, float] = field(default_factory=lambda: _equal(STYLE_LAYERS))
    style_weight: float = 3.0
    tv_weight: float = 0.0  # Magenta: none
    style_size: int = 512
    pooling: str = "avg"
    normalized_vgg: bool = True
    spec: Mapping[str, Any] | str = "magenta"
    new_style_init: str = "mean"
    sample_every: int = 500
    sample_size: int = 256
    checkpoint_every: int = 500
    seed: int = 0
    mixed_precision: str | None = None
    jit_compile: bool = False
    preset: str | None = None

    def __post_init__(self) -> None:
        for name, value in _validated(self).items():
            object.__setattr__(self, name, value)

    def replace(self, **changes) -> TrainConfig:
        """A copy with some fields changed (validated again)."""
        _known(changes)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["spec"] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.spec.items()}
        values["style_layers"] = dict(self.style_layers)
        return values

    def transformer_spec(self):
        """The network's widths as a :class:`stlib.cin.spec.TransformerSpec`."""
        return spec_module.TransformerSpec(**self.spec)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        _known(values)
        return cls(**values)

    @property
    def active_terms(self) -> tuple[str, ...]:
        weights = {"content": self.content_weight, "style": self.style_weight}
        weights["tv"] = self.tv_weight
        return tuple(name for name, weight in weights.items() if weight > 0)


FIELDS = tuple(f.name for f in dataclasses.fields(TrainConfig))


def _known(values: Mapping[str, Any]) -> None:
    check.field_names(TrainConfig, values)  # an unknown name gets a suggestion


def _spec(value) -> dict[str, Any]:
    """The widths as {"contract": (3 ints), "residual_blocks": int, "expand": (2 ints)}, from a
    name ("magenta", "slim26"), a TransformerSpec or a dict of its fields."""
    if isinstance(value, str):
        return dict(SPECS[check.choice(value, "spec", tuple(SPECS))])
    if isinstance(value, spec_module.TransformerSpec):
        value = dataclasses.asdict(value)
    if not isinstance(value, Mapping):
        raise SettingTypeError(
            {"spec": value},
            f"{check.type_text(value)}; expected a TransformerSpec, "
            f"{' or '.join(map(repr, SPECS))}, or a dict of its fields",
        )
    shown = {"spec": dict(value)}
    unknown = set(value) - {"contract", "residual_blocks", "expand"}
    if unknown or not {"contract", "expand"} <= set(value):
        raise SettingError(
            shown, "expected the fields contract (3 widths), expand (2 widths) and residual_blocks"
        )

    def widths(key: str, count: int) -> tuple[int, ...]:
        items = value[key]
        if isinstance(items, (str, bytes)) or not hasattr(items, "__len__") or len(items) != count:
            raise SettingError(shown, f"{key} needs {count} widths")
        return tuple(check.integer(w, "spec", low=1, high=4096, shown=shown) for w in items)

    return {
        "contract": widths("contract", 3),
        "residual_blocks": check.integer(
            value.get("residual_blocks", 5), "spec", low=0, high=64, shown=shown
        ),
        "expand": widths("expand", 2),
    }


def _layer(value, name: str) -> str:
    if not isinstance(value, str):
        raise SettingTypeError({name: value}, f"{check.type_text(value)}; expected a layer name")
    try:
        vgg_layers.canonical_layer(value)
    except (ValueError, TypeError) as error:
        raise SettingError({name: value}, str(error)) from None
    return value


def _style_layers(value) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise SettingTypeError(
            {"style_layers": value},
            f"{check.type_text(value)}; expected a mapping {{layer: weight}}, "
            "e.g. {'block1_conv1': 0.25, 'block2_conv1': 0.25}",
        )
    shown = {"style_layers": dict(value)}
    layers = {}
    for layer, weight in value.items():
        try:
            vgg_layers.canonical_layer(layer)
        except (ValueError, TypeError) as error:
            raise SettingError(shown, str(error)) from None
        layers[layer] = check.number(weight, "style_layers", low=0.0, shown=shown)
    if not any(weight > 0 for weight in layers.values()):
        raise SettingError(shown, "needs at least one layer with a weight > 0")
    return layers


def _validated(config: TrainConfig) -> dict[str, Any]:
    values: dict[str, Any] = {
        "steps": check.integer(config.steps, "steps", low=1, high=10**7),
        "size": check.integer(config.size, "size", low=MIN_SIZE, high=MAX_SIZE),
        "batch": check.integer(config.batch, "batch", low=1, high=1024),
        "learning_rate": check.number(
            config.learning_rate, "learning_rate", low=0.0, high=1.0, low_open=True
        ),
        "content_layer": _layer(config.content_layer, "content_layer"),
        "style_layers": _style_layers(config.style_layers),
        "style_size": check.integer(config.style_size, "style_size", low=MIN_SIZE, high=4096),
        "sample_every": check.integer(config.sample_every, "sample_every", low=0),
        "sample_size": check.integer(config.sample_size, "sample_size", low=MIN_SIZE, high=2048),
        "checkpoint_every": check.integer(config.checkpoint_every, "checkpoint_every", low=0),
        "seed": check.integer(config.seed, "seed", low=0, high=2**63 - 1),
        "spec": _spec(config.spec),
    }
    for name in ("content_weight", "style_weight", "tv_weight"):
        values[name] = check.number(getattr(config, name), name, low=0.0)
    if values["style_weight"] == 0:
        raise SettingError(
            {"style_weight": config.style_weight},
            "must be > 0: without a style term the network only learns to copy the photo",
        )
    check.choice(config.pooling, "pooling", POOLINGS)
    check.choice(config.new_style_init, "new_style_init", NEW_STYLE_INITS)
    if config.mixed_precision not in MIXED_PRECISIONS:
        listed = ", ".join(map(repr, MIXED_PRECISIONS))
        raise SettingError(
            {"mixed_precision": config.mixed_precision},
            f"choose from {listed}{check.did_you_mean(config.mixed_precision, MIXED_PRECISIONS)}",
        )
    for name in ("normalized_vgg", "jit_compile"):
        if not isinstance(getattr(config, name), bool):
            raise SettingTypeError({name: getattr(config, name)}, "expected True or False")
    if config.preset is not None and not isinstance(config.preset, str):
        raise SettingTypeError({"preset": config.preset}, "expected a preset name or None")
    return values


# "full": 256-px crops, batch 8, 6,000 steps at Magenta's learning rate. About 180 GFLOP per crop
# and step (VGG19 to relu4_1 forward and backward on the pastiche, to relu3_3 on the photo, the
# transformer forward and backward), 1.4 TFLOP a step: at the 3-4 TFLOPS a Colab T4 sustains in
# float32 convolutions, 0.36-0.48 s a step, 36-48 minutes (an estimate from the operation count,
# not a measurement on a T4). "quick": 128-px crops, batch 2, 300 steps at 1e-2 (ten times
# Magenta's rate: 300 steps are too few for 1e-3 to leave the blur; measured: both terms lower at
# the end with 1e-2 than with 5e-3 or 1e-3), 0.4 s a step on an idle 2-core CPU, about 2 minutes.
PRESETS: dict[str, TrainConfig] = {
    "full": TrainConfig(preset="full"),
    "quick": TrainConfig(
        steps=300,
        size=128,
        batch=2,
        learning_rate=1e-2,
        style_size=256,
        sample_every=100,
        sample_size=192,
        checkpoint_every=100,
        preset="quick",
    ),
}


def preset(name: str, **changes) -> TrainConfig:
    """The named preset ("quick": a couple of minutes on a laptop CPU; "full": Colab GPU), with
    ``changes`` applied (validated)."""
    check.choice(name, "preset", tuple(PRESETS))
    return PRESETS[name].replace(**changes) if changes else PRESETS[name]


def default_config() -> TrainConfig:
    """The quick preset in quick mode (``STLIB_QUICK=1``), else the full one."""
    from stlib import settings

    return PRESETS["quick" if settings.quick_mode() else "full"]
