"""``load`` a multi-style network once, then ``stylize`` photos with it.

``load("magenta-26")`` is TensorFlow's Android demo network with its 26 pretrained styles
(:mod:`stlib.cin.magenta26`); ``load("path/to/model.keras")`` is a network trained with
``stlib cin-train`` or :func:`stlib.cin.training.train`. A loaded network is kept: the app and the
notebooks call ``load`` for every slider move and get the same object back.

``stylize(content, style, config=None, **changes)`` returns a ``stlib.Result``, as every method
does. It takes a style as an index, an ``{index: weight}`` mix or a full weight vector; the
weights are made convex first (:func:`stlib.cin.mixing.style_weights` says why). With
``masks=[...]``, one per style of the mix, each region of the photo is painted in its own style,
still in one pass (spatial mixing: a weight vector per pixel, :mod:`stlib.cin.layers`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from stlib import color
from stlib import masks as masking
from stlib.cin.config import PRESERVE_COLOR_MODES, CinConfig
from stlib.cin.mixing import Selection, check_region_weights, spatial_weights, style_weights
from stlib.cin.network_file import network_file_problem
from stlib.cin.pretrained import PRETRAINED
from stlib.cin.transformer import MultiStyleTransformer
from stlib.inputs import load_content
from stlib.results import Callback, Result, one_pass
from stlib.validation import SettingError, config_with, did_you_mean, integer

__all__ = [
    "PRESERVE_COLOR_MODES",
    "PRETRAINED",
    "SEAM_FEATHER",
    "CinConfig",
    "ModelFileError",
    "clear_cache",
    "load",
    "stylize",
]

# How soft the seam between masked regions is: before they become per-pixel style weights, the
# masks are blurred by a Gaussian whose sigma is this share of the photo's longest side (about
# 8 px at 512). Unblurred, gamma and beta jump at the seam and the pastiche shows a hard line
# there; at 1.5 % the change spreads over a band of about 6 % of the side (+-2 sigma), narrow
# enough that each region keeps its own style up to near the seam (3 % blurs a wide strip).
SEAM_FEATHER = 0.015

_loaded: dict[str, MultiStyleTransformer] = {}
# (network id, per-pixel weights?) -> its compiled forward pass
_painters: dict[tuple[int, bool], tf.types.experimental.PolymorphicFunction] = {}
_lock = threading.Lock()


class ModelFileError(ValueError):
    """A model file that is missing, not a ``.keras`` file, or not a stlib multi-style network."""


def _load_file(path: Path) -> MultiStyleTransformer:
    if path.suffix != ".keras":
        raise ModelFileError(
            f"model {str(path)!r}: expected a .keras file (saved by stlib cin-train) or one of "
            f"{', '.join(PRETRAINED)}"
        )
    problem = network_file_problem(path)
    if problem is not None:  # before Keras, which calls a text file "not found"
        raise ModelFileError(f"model {str(path)!r}: {problem}")
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # Keras raises many kinds for a file it cannot read
        raise ModelFileError(
            f"model {str(path)!r} could not be read as a Keras model "
            f"({type(error).__name__}: {error})"
        ) from None
    if not isinstance(model, MultiStyleTransformer):
        raise ModelFileError(
            f"model {str(path)!r} is a {type(model).__name__}, not a stlib multi-style network "
            "(MultiStyleTransformer, as saved by stlib cin-train)"
        )
    return model


def load(model: str | os.PathLike | MultiStyleTransformer = "magenta-26") -> MultiStyleTransformer:
    """The network ``model`` names, loaded once and then reused.

    Args:
        model: "magenta-26" (the 26 pretrained styles), the path of a ``.keras`` file saved by
            ``stlib cin-train``, or a network already in memory (returned as it is).

    Raises:
        ModelFileError: a path that is not a readable stlib multi-style ``.keras`` file.
        ModelNotFoundError: "magenta-26" offline without the frozen graph (names
            ``STLIB_MODELS_DIR`` and the URL).
    """
    if isinstance(model, MultiStyleTransformer):
        return model
    if isinstance(model, str) and model in PRETRAINED:
        key = model
    elif isinstance(model, (str, os.PathLike)):
        key = str(Path(model).expanduser().resolve())
    else:
        raise SettingError(
            {"model": model}, f"give {' or '.join(PRETRAINED)} or the path of a .keras file"
        )
    with _lock:
        if key not in _loaded:
            if key == "magenta-26":
                from stlib.cin.magenta26 import load_magenta26

                _loaded[key] = load_magenta26()
            else:
                _loaded[key] = _load_file(Path(key))
        return _loaded[key]


def clear_cache() -> None:
    """Forget the loaded networks (the next ``load`` reads them again)."""
    with _lock:
        _loaded.clear()
        _painters.clear()


def _painter(network: MultiStyleTransformer, spatial: bool = False):
    """The network's forward pass compiled once for any image size (no retracing per size).

    ``spatial=False``: images [B, H, W, 3] and weights [B, N]; ``spatial=True``: weights
    [B, H', W', N], a vector per pixel (a second compiled function).
    """
    key = (id(network), bool(spatial))
    with _lock:
        if key not in _painters:
            weights = [None, None, None] if spatial else [None]
            signature = [
                tf.TensorSpec([None, None, None, 3], tf.float32),
                tf.TensorSpec([*weights, network.num_styles], tf.float32),
            ]
            _painters[key] = tf.function(
                lambda images, weights: network([images, weights]), input_signature=signature
            )
        return _painters[key]


def _index_of(name: str, network: MultiStyleTransformer) -> int:
    names = list(network.style_names)
    if name not in names:
        raise SettingError(
            {"style": name},
            f"is not one of the network's {len(names)} style names{did_you_mean(name, names)}; "
            "give an index from 0 to "
            f"{len(names) - 1} or a name (`stlib cin --list` shows them)",
        )
    return names.index(name)


def _region_styles(style: Any, network: MultiStyleTransformer) -> list[int]:
    """The styles of a masked mix, in its order (region r is painted in the r-th).

    An index or a name (one region), an ``{index: weight}`` mix (its keys in their order; every
    weight > 0), or a list of indices and names (a style may come twice).
    """
    if isinstance(style, Mapping):
        style_weights(style, network.num_styles)  # indices and weights, checked as for a mix
        check_region_weights(style)
        return [int(k) for k in style]
    if isinstance(style, (str, int, np.integer)) and not isinstance(style, bool):
        chosen = [style]
    elif isinstance(style, (Sequence, np.ndarray)):
        chosen = list(np.asarray(style, dtype=object).ravel())
    else:
        chosen = [style]
    shown = {"style": style}
    return [
        _index_of(k, network)
        if isinstance(k, str)
        else integer(k, "style", low=0, high=network.num_styles - 1, shown=shown)
        for k in chosen
    ]


def stylize(
    content: Any,
    style: Selection = 0,
    config: CinConfig | None = None,
    *,
    masks: Any = None,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
    **changes: Any,
) -> Result:
    """Paint ``content`` in one style or a mix in one pass: the shape every method shares.

        from stlib import cin
        image = cin.stylize("tuebingen", 7, size=256).image            # [1, H, W, 3] in [0, 1]
        mixed = cin.stylize("tuebingen", {3: 1, 19: 1}, model="my_styles.keras")
        halves = cin.stylize("tuebingen", {7: 1, 19: 1}, masks=["left", "right"])

    Args:
        content: a path, an http(s) URL, a sample name, an array, a PIL image or a tensor.
        style: a style index (0 to N-1), its name (``network.style_names``), an
            ``{index: weight}`` mix or N weights of the model's styles; weights are divided by
            their sum. With ``masks``: the styles of the regions, in the masks' order: an
            ``{index: weight}`` mix (its keys in their order; the weights are not used, each
            region is painted in its style alone) or a list of indices and names.
        config: the settings (``CinConfig()`` if None: the 26 pretrained styles, the photo's
            size), or a dict of its fields.
        masks: None (the whole photo in ``style``), or one mask per style of the mix, in the
            mix's order, read by :func:`stlib.masks.resolve` at the photo's size as loaded
            (files, arrays [H, W], ``"left"``/``"right"``/``"top"``/``"bottom"``, ``"rest"``,
            or ``"auto"``). They are feathered (a Gaussian of sigma :data:`SEAM_FEATHER` times
            the longest side) and become a weight vector per pixel, [1, H, W, N]
            (:func:`stlib.cin.mixing.spatial_weights`): still one pass, with a soft seam.
        progress: accepted for the common shape; one pass shows no bar.
        callbacks: called once, with the single ``Step`` (its ``image`` is the pastiche).
        **changes: fields of the config to change: ``model``, ``size``, ``preserve_color``
            (:class:`~stlib.cin.config.CinConfig` says what each does).

    Returns:
        ``Result(image, None, config)``, the pastiche float32 [1, H, W, 3] in [0, 1].

    Raises:
        SettingError: a bad setting or a style outside the model's, named.
        MaskError: masks that do not match the styles in number, do not cover the photo, overlap,
            are empty or cannot be read (``stlib.masks`` names which).
        ModelFileError / ModelNotFoundError: a model that cannot be read or found.
        stlib.Interrupted: Ctrl-C (``.result`` is None: one pass has no partial work).
    """
    config = config_with(CinConfig, config, changes)
    network = load(config.model)
    if masks is not None:
        styles = _region_styles(style, network)
        return _stylize_regions(content, styles, masks, config, network, callbacks)
    if isinstance(style, str):  # a style's name, as `stlib cin --list` shows them
        style = _index_of(style, network)
    weights = style_weights(style, network.num_styles)

    def paint() -> tf.Tensor:
        photo = load_content(content, config.size)
        pastiche = _painter(network)(photo, tf.constant(weights[None, :]))
        return color.finish(config.preserve_color, pastiche, photo)

    return one_pass(paint, config, callbacks)


def _stylize_regions(
    content: Any,
    styles: list[int],
    masks: Any,
    config: CinConfig,
    network: MultiStyleTransformer,
    callbacks: Sequence[Callback],
) -> Result:
    """``stylize`` with masks: region r of the photo in style ``styles[r]``, in one pass."""

    def paint() -> tf.Tensor:
        photo = load_content(content, config.size)
        height, width = int(photo.shape[1]), int(photo.shape[2])
        regions = masking.resolve(masks, len(styles), height, width, photo=photo)  # [R, H, W]
        soft = masking.feather(regions, SEAM_FEATHER * max(height, width))
        weights = spatial_weights(soft, styles, network.num_styles)  # [1, H, W, N]
        pastiche = _painter(network, spatial=True)(photo, tf.constant(weights))
        return color.finish(config.preserve_color, pastiche, photo)

    return one_pass(paint, config, callbacks)
