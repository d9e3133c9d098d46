"""Arbitrary style transfer with adaptive instance normalisation (Huang and Belongie, "Arbitrary
style transfer in real-time with adaptive instance normalization", ICCV 2017).

A frozen VGG19 encodes the photo and the painting; AdaIN gives the photo's relu4_1 features the
painting's channel means and standard deviations; a decoder trained once paints the result, for
any painting, in one pass. Strength, mixing several paintings, and one painting per region are
all done on the features before the decoder.

    from stlib import adain
    pastiche = adain.stylize("tuebingen", "starry_night", model="adain.keras").image  # [1, H, W, 3]
    network = adain.load("adain.keras")
    softer = adain.stylize("tuebingen", "the_scream", model=network, strength=0.6).image

Modules: ``layer`` (``adain``, ``channel_statistics``), ``spec`` (the decoder's widths, no
TensorFlow), ``targets`` (strength, mixing, regions at relu4_1), ``network`` (encoder, decoder,
``AdaINNetwork``: save and load), ``loss_config`` (the loss weights, no TensorFlow), ``loss``
(content and style terms, ``training_step``), ``config`` (``AdaINConfig``, no TensorFlow),
``model_file`` (is this file an AdaIN decoder, no TensorFlow), ``api`` (``load``, ``stylize``).

Names are imported on first use, so ``stlib.adain.config`` checks settings without TensorFlow.
"""

from importlib import import_module

# public name -> the module that defines it
_HOMES = {
    "adain": "layer",
    "channel_statistics": "layer",
    "DecoderSpec": "spec",
    "PAPER": "spec",
    "TINY": "spec",
    "AdaINDecoder": "network",
    "AdaINNetwork": "network",
    "LossConfig": "loss_config",
    "training_step": "loss",
    "AdaINConfig": "config",
    "PRESERVE_COLOR_MODES": "config",
    "ModelFileError": "model_file",
    "load": "api",
    "stylize": "api",
    "clear_cache": "api",
}

__all__ = sorted(_HOMES)

_MODULES = (
    "layer",
    "spec",
    "targets",
    "network",
    "loss_config",
    "loss",
    "config",
    "model_file",
    "api",
)


def __getattr__(name):
    if name in _HOMES:
        return getattr(import_module(f"stlib.adain.{_HOMES[name]}"), name)
    if name in _MODULES:
        return import_module(f"stlib.adain.{name}")
    raise AttributeError(f"module 'stlib.adain' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_HOMES, *_MODULES])
