"""stlib: neural style transfer for teaching.

Images inside stlib are float32 tensors of shape [1, H, W, 3], RGB, values in [0, 1].
See docs/architecture.md for the map of the modules; they are imported lazily
so that ``import stlib`` stays cheap and does not start TensorFlow.
"""

import pkgutil
from importlib import import_module

__version__ = "0.2.0"


def _submodules() -> frozenset[str]:
    """Every module and package of stlib, read from its folder (so none is forgotten)."""
    return frozenset(module.name for module in pkgutil.iter_modules(__path__))


# Every method's result and interruption (stlib.results), at the top: ``except stlib.Interrupted``.
_SHARED = ("Interrupted", "Result")


def __getattr__(name):
    if name in _SHARED:
        return getattr(import_module("stlib.results"), name)
    if not name.startswith("_") and name in _submodules():
        return import_module(f"stlib.{name}")
    raise AttributeError(f"module 'stlib' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_SHARED, *_submodules()])
