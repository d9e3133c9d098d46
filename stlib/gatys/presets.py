"""Presets: the published settings of the paper and of the best-known implementations.

Each preset is a ``GatysConfig``; where each value comes from is written beside it in
``stlib.gatys.preset_fields``. Use ``preset(name, **changes)``.
"""

from __future__ import annotations

from stlib.gatys.config import GatysConfig
from stlib.gatys.preset_fields import PRESET_FIELDS
from stlib.validation import choice

PRESETS: dict[str, GatysConfig] = {
    name: GatysConfig(**fields, preset=name) for name, fields in PRESET_FIELDS.items()
}


def preset(name: str, **changes) -> GatysConfig:
    """The named preset, with any fields changed: ``preset("tf-tutorial", size=256, steps=100)``.

    The changes are validated like any config (``stlib.validation`` errors name the field).

    >>> config = preset("tf-tutorial", size=256)
    >>> config.optimizer, config.size, config.style_weight
    ('adam', 256, 0.01)
    >>> preset("stlib", init="nosie")
    Traceback (most recent call last):
    ...
    stlib.validation.SettingError: init='nosie': choose 'content', 'noise', 'style', ...

    Taught in notebook 03, section 2.
    """
    choice(name, "preset", tuple(PRESETS))
    return PRESETS[name].replace(**changes) if changes else PRESETS[name]
