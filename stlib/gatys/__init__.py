"""Gatys et al. 2016 style transfer by optimising the pixels of the pastiche.

    from stlib import gatys
    image, history, config = gatys.stylize("tuebingen", "starry_night", gatys.preset("gatys2016"))
    quick = gatys.stylize("tuebingen", "starry_night", size=64, steps=3)  # Config fields changed

Modules: ``preset_fields`` (published settings as data), ``config`` (GatysConfig, checked
once), ``presets`` (the published settings as configs), ``inputs``
(images loaded, named, checked; the starting image), ``objective`` (the loss with fixed targets),
``optimizers`` (the pixel updates: L-BFGS and Adam), ``lbfgs_tf`` (L-BFGS on the device),
``progress`` (step numbers, bar, callbacks), ``history`` (losses per step, callbacks), ``engine``
(``stylize``, also called ``transfer``: the loop over scales). ``Result``, ``Interrupted``,
``Step`` and ``every`` are every method's (``stlib.results``).

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
    "Result": "stlib.results",
    "Interrupted": "stlib.results",
    "Objective": "objective",
    "feature_extractor": "objective",
    "style_layer_factors": "objective",
    "TransferError": "history",
    "initial_image": "inputs",
    "IMAGENET_MEAN_RGB": "inputs",
    "STYLE_LAYERS_GATYS": "config",
    "OPTIMIZERS": "config",
    "INITS": "config",
    "Progress": "progress",
    "COLOR_MODES": "config",
    "minimize_adam": "optimizers",
    "minimize_lbfgs": "optimizers",
    "minimize_lbfgs_tf": "lbfgs_tf",
    "stylize": "engine",
    "transfer": "engine",
}

__all__ = sorted(_HOMES)


_MODULES = (
    "preset_fields",
    "config",
    "presets",
    "history",
    "inputs",
    "objective",
    "optimizers",
    "lbfgs_tf",
    "progress",
    "engine",
)


def __getattr__(name):
    if name in _HOMES:
        home, _, attribute = _HOMES[name].partition(":")
        module = home if home.startswith("stlib.") else f"stlib.gatys.{home}"
        return getattr(import_module(module), attribute or name)
    if name in _MODULES:  # stlib.gatys.engine without an import statement, as before
        return import_module(f"stlib.gatys.{name}")
    raise AttributeError(f"module 'stlib.gatys' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_HOMES, *_MODULES])
