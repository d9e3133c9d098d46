"""VGG19's layers by name, without TensorFlow: names, aliases, widths and how small an input may be.

``stlib.vgg`` builds the network; this module only knows its shape, so that settings can be
checked (and ``stlib --help`` can answer) before TensorFlow starts. ``stlib.vgg`` re-exports
every name here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

__all__ = [
    "CHANNELS",
    "CONV_LAYERS",
    "DOWNSAMPLING",
    "LAYERS",
    "POOLINGS",
    "PRECISIONS",
    "canonical_layer",
    "min_input_side",
]

# The VGG19 "notop" layers in forward order: the convolutions of each block, then its pooling.
_BLOCK_CONVOLUTIONS = (2, 2, 4, 4, 4)
LAYERS: tuple[str, ...] = tuple(
    name
    for block, count in enumerate(_BLOCK_CONVOLUTIONS, start=1)
    for name in [f"block{block}_conv{i}" for i in range(1, count + 1)] + [f"block{block}_pool"]
)
CONV_LAYERS: tuple[str, ...] = tuple(name for name in LAYERS if "_conv" in name)
CHANNELS: dict[str, int] = {name: (64, 128, 256, 512, 512)[int(name[5]) - 1] for name in LAYERS}
# How many 2x2 poolings lie before each layer: its feature map is H / 2**k by W / 2**k.
DOWNSAMPLING: dict[str, int] = {
    name: int(name[5]) - 1 + (1 if name.endswith("pool") else 0) for name in LAYERS
}

# Arithmetic of the convolutions: "float32", or "bfloat16" (about half the time on hardware with
# bfloat16 units, at 8 bits of mantissa).
PRECISIONS = ("float32", "bfloat16")
# VGG19 as trained ("max"), or with average pooling as Gatys et al. 2016 (sec. 2).
POOLINGS = ("max", "avg")

_ALIAS = re.compile(r"^(?:relu|conv)(\d)_(\d)$|^pool(\d)$")
_ALIASES = tuple(
    f"pool{name[5]}" if name.endswith("pool") else f"relu{name[5]}_{name[-1]}" for name in LAYERS
)


def canonical_layer(name: str) -> str:
    """The Keras name of a VGG19 layer.

    The layer may be given as ``block3_conv1``, ``relu3_1``, ``conv3_1`` or ``pool3``.

    >>> canonical_layer("relu4_2"), canonical_layer("pool5")
    ('block4_conv2', 'block5_pool')

    Taught in notebook 01, section 3.
    """
    if not isinstance(name, str):
        raise TypeError(f"a layer name is a str such as 'relu1_1', not a {type(name).__name__}")
    if name in LAYERS:
        return name
    match = _ALIAS.match(name)
    if match:
        block, index, pool_block = match.groups()
        candidate = f"block{pool_block}_pool" if pool_block else f"block{block}_conv{index}"
        if candidate in LAYERS:
            return candidate
    close = difflib.get_close_matches(name, LAYERS + _ALIASES, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(
        f"unknown layer {name!r}{hint}; choose from {', '.join(LAYERS)} "
        "(or the aliases reluX_Y / convX_Y / poolX)"
    )


def min_input_side(layers: Iterable[str]) -> int:
    """The smallest image side (px) at which every layer still gets a feature map of at least 1 px.

    A layer behind k poolings sees ``side // 2**k`` positions, so the side must be >= 2**k.

    >>> min_input_side(["relu1_1"]), min_input_side(["relu4_2"]), min_input_side(["relu5_1"])
    (1, 8, 16)

    Taught in notebook 01, section 2.
    """
    depths = [DOWNSAMPLING[canonical_layer(name)] for name in layers]
    return 2 ** max(depths, default=0)
