"""One network, many styles (Dumoulin, Shlens, Kudlur, "A learned representation for artistic
style", ICLR 2017).

A feed-forward transformer paints a photo in one pass; conditional instance normalisation gives
every style its own scale and shift after each convolution, so N styles share one network and cost
about 3,200 numbers each. Mixing those numbers mixes the styles; a new style is learned by training
only them.

    from stlib import cin
    pastiche = cin.stylize("tuebingen", 19).image       # [1, H, W, 3]: the pretrained 26 styles
    blend = cin.stylize("tuebingen", {3: 0.5, 19: 0.5}, size=512)
    model = cin.load("my_styles.keras")                               # a network you trained

Modules: ``config`` (``CinConfig``: model, size, colour; no TensorFlow), ``layers``
(conditional instance norm, reflect-padded conv, nearest upsampling), ``spec`` (the widths, no
TensorFlow), ``transformer`` (the network), ``mixing`` (style weight vectors, no TensorFlow),
``pretrained`` (the networks stlib knows by name),
``magenta26`` (TensorFlow's Android demo network: its 26 styles imported into the Keras model),
``content`` (the training photos: a folder or the built-in set, random crops),
``train_config`` (``TrainConfig`` and its presets, no TensorFlow), ``training`` (the
perceptual-loss training loop, checkpoints, fine-tuning), ``api`` (``load``,
``stylize``).

Names are imported on first use, so ``stlib.cin.mixing`` checks settings without TensorFlow.
"""

from importlib import import_module

# public name -> the module that defines it
_HOMES = {
    "ConditionalInstanceNorm": "layers",
    "ReflectConv": "layers",
    "NearestUpsample": "layers",
    "MultiStyleTransformer": "transformer",
    "TransformerSpec": "spec",
    "MAGENTA": "spec",
    "SLIM26": "spec",
    "style_weights": "mixing",
    "parse_mix": "mixing",
    "PRETRAINED": "api",
    "ModelFileError": "api",
    "load": "api",
    "stylize": "api",
    "clear_cache": "api",
    "PRESERVE_COLOR_MODES": "config",
    "CinConfig": "config",
    "TrainConfig": "train_config",
    "TrainHistory": "training",
    "train": "training",
    "training_step": "training",
    "TrainingLoss": "training",
    "CropStream": "content",
    "builtin_photos": "content",
}

__all__ = sorted(_HOMES)

_MODULES = (
    "config",
    "layers",
    "spec",
    "transformer",
    "mixing",
    "pretrained",
    "magenta26",
    "content",
    "train_config",
    "training",
    "api",
)


def __getattr__(name):
    if name in _HOMES:
        return getattr(import_module(f"stlib.cin.{_HOMES[name]}"), name)
    if name in _MODULES:
        return import_module(f"stlib.cin.{name}")
    raise AttributeError(f"module 'stlib.cin' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_HOMES, *_MODULES])
