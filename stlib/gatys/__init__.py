"""Gatys et al. 2016 style transfer by optimising the pixels of the pastiche.

    from stlib.gatys import transfer, preset
    image, history, config = transfer("tuebingen", "starry_night", preset("gatys2016", size=256))

Modules: ``config`` (GatysConfig), ``presets`` (published settings), ``objective`` (the loss with
fixed targets), ``optimizers`` (L-BFGS and Adam), ``history`` (losses per step, callbacks),
``engine`` (``transfer``: images in, pastiche out; multi-scale, colour preservation, style blending).

The names below are imported on first use: the settings (``GatysConfig``, ``preset``) do not start
TensorFlow, so the command line checks them in milliseconds.
"""

from importlib import import_module

# public name -> the module that defines it
_HOMES = {
    "GatysConfig": "config",
    "PRESETS": "presets",
    "preset": "presets",
    "History": "history",
    "Step": "history",
    "StopTransfer": "history",
    "every": "history",
    "Objective": "objective",
    "feature_extractor": "objective",
    "TransferError": "engine",
    "TransferInterrupted": "engine",
    "TransferResult": "engine",
    "as_image": "engine",
    "transfer": "engine",
}

__all__ = sorted(_HOMES)


_MODULES = ("config", "presets", "history", "objective", "optimizers", "engine")


def __getattr__(name):
    if name in _HOMES:
        return getattr(import_module(f"stlib.gatys.{_HOMES[name]}"), name)
    if name in _MODULES:  # stlib.gatys.engine without an import statement, as before
        return import_module(f"stlib.gatys.{name}")
    raise AttributeError(f"module 'stlib.gatys' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_HOMES, *_MODULES])
