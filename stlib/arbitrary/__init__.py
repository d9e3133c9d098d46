"""Arbitrary style transfer in one pass (Ghiasi, Lee, Kudlur, Dumoulin, Shlens, BMVC 2017).

A style prediction network maps any painting to a 100-number style embedding; a transformer
network, whose conditional instance normalisation takes its scales and shifts from that embedding,
paints the photo in one pass: well under a second on a CPU, where Gatys et al.'s optimisation takes
minutes.

    from stlib import arbitrary
    pastiche = arbitrary.stylize("tuebingen", "starry_night").image      # [1, H, W, 3] in [0, 1]
    mix = arbitrary.stylize("tuebingen", ["starry_night", "the_scream"], mix=(0.7, 0.3))
    gentle = arbitrary.stylize("tuebingen", "starry_night", strength=0.5, size=1024)
    fast = arbitrary.stylize("tuebingen", "starry_night", compute_size=384)  # 384 px, upsampled
    halves = arbitrary.stylize("tuebingen", ["starry_night", "the_scream"], masks=["left", "right"])

    stylizer = arbitrary.load("tflite")         # loaded once, reused by every later call
    e = stylizer.embed("great_wave")            # float32 [100]
    image = stylizer.transform("tuebingen", e)  # paint with any embedding

Modules: ``config`` (``ArbitraryConfig``: the settings, checked once, no TensorFlow), ``models``
(the official TFLite files: where they are found, sha256, URLs; no TensorFlow), ``inputs`` (images
loaded and named by role), ``stylizer`` (the common interface: ``embed``/``transform``/``stylize``,
embedding-space or pixel-space mixing), ``spatial`` (masks: one painting per region, the
pastiches blended with feathered masks), ``tiling`` (overlapping 384-px tiles, blended), ``tflite``
(the TFLite backend), ``hub`` (the TF Hub backend), ``api`` (``load``, cached, and the functions).

The names below are imported on first use: the settings and the model registry do not start
TensorFlow, so the command line checks them in milliseconds.
"""

from importlib import import_module

# public name -> the module that defines it
_HOMES = {
    "ArbitraryConfig": "config",
    "BACKENDS": "config",
    "TRANSFORMERS": "config",
    "COLOR_MODES": "config",
    "DEFAULT_STYLE_SIZE": "config",
    "ModelNotFoundError": "models",
    "ModelHashError": "models",
    "model_path": "models",
    "Stylizer": "stylizer",
    "EmbeddingStylizer": "stylizer",
    "PixelStylizer": "stylizer",
    "Styles": "stylizer",
    "EmbeddingsUnavailableError": "stylizer",
    "TFLiteStylizer": "tflite",
    "HubStylizer": "hub",
    "HubUnavailableError": "hub",
    "load": "api",
    "clear_cache": "api",
    "resolve_backend": "api",
    "embed": "api",
    "transform": "api",
    "stylize": "api",
}

__all__ = sorted(_HOMES)

_MODULES = ("config", "models", "inputs", "spatial", "stylizer", "tiling", "tflite", "hub", "api")


def __getattr__(name):
    if name in _HOMES:
        return getattr(import_module(f"stlib.arbitrary.{_HOMES[name]}"), name)
    if name in _MODULES:
        return import_module(f"stlib.arbitrary.{name}")
    raise AttributeError(f"module 'stlib.arbitrary' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_HOMES, *_MODULES])
