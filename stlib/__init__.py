"""stlib: neural style transfer for teaching.

Images inside stlib are float32 tensors of shape [1, H, W, 3], RGB, values in [0, 1].
See docs/architecture.md for the map of the modules; they are imported lazily
so that ``import stlib`` stays cheap and does not start TensorFlow.
"""

from importlib import import_module

__version__ = "0.2.0"

_SUBMODULES = (
    "settings",
    "validation",
    "outputs",
    "hardware",
    "images",
    "colour",
    "data",
    "weights",
    "vgg_layers",
    "vgg",
    "losses",
    "gatys",
    "arbitrary",
    "plotting",
    "cli",
)


def __getattr__(name):
    if name in _SUBMODULES:
        return import_module(f"stlib.{name}")
    raise AttributeError(f"module 'stlib' has no attribute {name!r}")
