"""``load`` an AdaIN network once, then ``stylize`` photos with any painting.

``load("path/to/adain.keras")`` reads a decoder trained with ``stlib adain-train`` (or saved by
:meth:`~stlib.adain.network.AdaINNetwork.save`) and rebuilds the VGG19 encoder; a loaded network is
kept (the app and the notebooks call ``load`` for every slider move and get the same object).

``stylize(content, style, config=None, **changes)`` returns a ``stlib.Result``, as every method
does: one painting, a list mixed by ``mix``, or a list placed one per region by ``masks``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tensorflow as tf

from stlib import color
from stlib import masks as masking
from stlib.adain.config import PRESERVE_COLOR_MODES, AdaINConfig, check_masks
from stlib.adain.model_file import HOW_TO_TRAIN, ModelFileError
from stlib.adain.network import AdaINNetwork
from stlib.inputs import load as load_image
from stlib.inputs import load_content, style_list, style_roles
from stlib.results import Callback, Result, one_pass
from stlib.validation import config_with

__all__ = [
    "PRESERVE_COLOR_MODES",
    "AdaINConfig",
    "ModelFileError",
    "clear_cache",
    "load",
    "stylize",
]

# (resolved path, modification time) -> the network: a file trained again is read again.
_loaded: dict[tuple[str, int], AdaINNetwork] = {}
_lock = threading.Lock()


def load(model: str | os.PathLike | AdaINNetwork | None) -> AdaINNetwork:
    """The network whose decoder ``model`` names, loaded once and then reused.

    Args:
        model: the path of a ``.keras`` decoder, or a network already in memory (returned as it
            is).

    Raises:
        ModelFileError: None (there is no pretrained AdaIN network), or a path that is missing or
            not a stlib AdaIN decoder; the message names the path and says how to train one.
    """
    if isinstance(model, AdaINNetwork):
        return model
    if model is None:
        raise ModelFileError(
            None, f"no AdaIN network given (stlib has no pretrained one); {HOW_TO_TRAIN}"
        )
    if not isinstance(model, (str, os.PathLike)):
        raise ModelFileError(
            None, f"is {type(model).__name__}; give the path of a .keras file or an AdaINNetwork"
        )
    path = Path(model).expanduser().resolve()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1  # missing: AdaINNetwork.load names it
    key = (str(path), stamp)
    with _lock:
        if key not in _loaded:
            _loaded[key] = AdaINNetwork.load(path)
        return _loaded[key]


def clear_cache() -> None:
    """Forget the loaded networks (the next ``load`` reads them again)."""
    with _lock:
        _loaded.clear()


def stylize(
    content: Any,
    style: Any,
    config: AdaINConfig | None = None,
    *,
    masks: Any = None,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
    **changes: Any,
) -> Result:
    """Paint ``content`` with any painting(s) in one pass: the shape every method shares.

        from stlib import adain
        image = adain.stylize("tuebingen", "starry_night", model="adain.keras").image
        softer = adain.stylize("tuebingen", "starry_night", model=net, strength=0.6).image
        mixed = adain.stylize("tuebingen", ["starry_night", "the_scream"], model=net, mix=(2, 1))
        placed = adain.stylize("tuebingen", ["starry_night", "the_scream"], model=net,
                               masks=["left", "right"]).image

    Args:
        content: the photo: a path, an http(s) URL, a sample name, an array, a PIL image or a
            [1, H, W, 3] tensor.
        style: one painting (same forms) or a list of them. Without ``masks`` a list is mixed by
            ``mix`` (the paper's style interpolation: the AdaIN targets mixed by the weights,
            which is AdaIN with the mixed means and stds, :mod:`stlib.adain.targets`).
        config: the settings (``AdaINConfig()`` if None), or a dict of its fields.
        masks: None, or one mask per painting, in the paintings' order, read only by
            :func:`stlib.masks.resolve` at the photo's size as loaded (files, arrays [H, W],
            "left"/"right"/"top"/"bottom", "rest", or "auto"): region r of the photo is painted
            with painting r, each region of the relu4_1 features normalised with its own
            statistics (the paper's spatial control), in one decoder pass. Not with ``mix``.
        progress: accepted for the common shape; one pass shows no bar.
        callbacks: called once, with the single ``Step`` (its ``image`` is the pastiche).
        **changes: fields of the config to change: ``model``, ``size``, ``strength``, ``mix``,
            ``style_size``, ``preserve_color`` (:class:`~stlib.adain.config.AdaINConfig`).

    Returns:
        ``Result(image, None, config)``: the pastiche float32 [1, H, W, 3] in [0, 1] at the
        photo's size (or longest side ``size``).

    Raises:
        SettingError: a bad setting, named; ``mix`` together with ``masks``; not one ``mix``
            weight per painting.
        ModelFileError: no model, or a model file that is missing or no AdaIN decoder (named).
        ImageError: an image that cannot be read, named by its role.
        MaskError: masks that cannot place the paintings (not one per painting, not a
            partition, empty, another aspect ratio), named.
        stlib.Interrupted: Ctrl-C (``.result`` is None: one pass has no partial work).
    """
    config = config_with(AdaINConfig, config, changes)
    sources = style_list(style)
    if masks is not None:
        check_masks(config, masks, len(sources))
        weights = None
    else:
        weights = config.mixing_weights(len(sources))
    network = load(config.model)

    def paint() -> tf.Tensor:
        photo = load_content(content, config.size)
        roles = style_roles(sources)
        paintings = [
            load_image(source, config.style_size, role) for source, role in zip(sources, roles)
        ]
        painted_photo, paintings = color.prepare(config.preserve_color, photo, paintings)
        regions = None
        if masks is not None:
            height, width = int(photo.shape[1]), int(photo.shape[2])
            regions = masking.resolve(masks, len(sources), height, width, photo=photo)
        pastiche = network.stylize(
            painted_photo, paintings, config.strength, mix=weights, masks=regions
        )
        return color.finish(config.preserve_color, pastiche, photo)

    return one_pass(paint, config, callbacks)
