"""``load`` a stylizer once, then ``embed``, ``transform`` and ``stylize`` with it.

``stylize(content, style, config=None, **changes)`` returns a ``stlib.Result``, as every method
does; a loaded stylizer's own ``stylize`` and ``run`` return the bare pastiche tensor.

``load(backend, transformer)`` finds the model files, builds the stylizer and keeps it: a second
call with the same arguments (the app and the notebooks call it for every slider move) returns the
same object. The module-level ``embed``, ``transform`` and ``stylize`` go through it.

Which backend "auto" picks: the TF Hub model (the paper's Inception-v3 network) when
``tensorflow-hub`` is installed and the model is in ``$TFHUB_CACHE_DIR`` or its address answers
within 3 s; otherwise, or when Hub fails to load, the TFLite pair (which works offline from
``$STLIB_MODELS_DIR``). A TFLite transformer other than "dynamic" asks for the TFLite backend.
Code that needs embeddings (``embed``, ``transform``) uses the TFLite backend.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from stlib.arbitrary import hub, models
from stlib.arbitrary.config import DEFAULT_STYLE_SIZE, ArbitraryConfig
from stlib.arbitrary.stylizer import Stylizer
from stlib.arbitrary.tflite import TFLiteStylizer
from stlib.results import Callback, Result, one_pass
from stlib.validation import config_with

__all__ = ["clear_cache", "embed", "load", "resolve_backend", "stylize", "transform"]

# Loaded stylizers, keyed by what they were built from (backend, files or handle and cache).
_loaded: dict[tuple, Stylizer] = {}
_lock = threading.Lock()


def resolve_backend(backend: str = "auto", transformer: str = "dynamic") -> str:
    """The backend ``load`` would use: "tflite" or "hub" ("auto" decided as the module says)."""
    ArbitraryConfig(backend=backend, transformer=transformer)  # checked
    if backend != "auto":
        return backend
    if transformer != "dynamic":
        return "tflite"
    return "hub" if hub.available() else "tflite"


def _load_tflite(transformer: str) -> Stylizer:
    predictor = models.model_path(models.PREDICTOR)
    transformer_file = models.model_path(models.TRANSFORMER_FILES[transformer])
    key = ("tflite", transformer, str(predictor), str(transformer_file))
    with _lock:
        if key not in _loaded:
            _loaded[key] = TFLiteStylizer(predictor, transformer_file, transformer)
        return _loaded[key]


def _load_hub() -> Stylizer:
    key = ("hub", hub.HANDLE, str(hub.cache_dir()))
    with _lock:
        if key not in _loaded:
            _loaded[key] = hub.HubStylizer(hub.HANDLE)
        return _loaded[key]


def load(backend: str = "auto", transformer: str = "dynamic") -> Stylizer:
    """The stylizer of ``backend`` ("auto", "tflite" or "hub"), loaded once and then reused.

    Args:
        backend: "tflite" (official TFLite files: ``$STLIB_MODELS_DIR``, stlib's cache, or a
            download checked by sha256), "hub" (``hub.load`` of the paper's model; needs
            tensorflow-hub) or "auto" (see the module's docstring).
        transformer: the TFLite transformer: "dynamic" (any size in one pass), "int8" or
            "float16" (384x384, painted in overlapping tiles).

    Returns:
        A :class:`~stlib.arbitrary.stylizer.Stylizer` with ``embed``, ``transform``, ``stylize``.

    Raises:
        SettingError: an unknown backend or transformer (with a suggestion).
        ModelNotFoundError: offline without the TFLite files (names STLIB_MODELS_DIR and the URL).
        HubUnavailableError: backend "hub" without tensorflow-hub installed.
    """
    chosen = resolve_backend(backend, transformer)
    if chosen == "tflite":
        return _load_tflite(transformer)
    if backend == "hub":
        return _load_hub()
    try:  # "auto" chose Hub: fall back to TFLite if it cannot be loaded after all
        return _load_hub()
    except Exception as error:
        warnings.warn(
            f"the TF Hub model could not be loaded ({type(error).__name__}: {error}); "
            "using the TFLite backend",
            RuntimeWarning,
            stacklevel=2,
        )
        return _load_tflite(transformer)


def clear_cache() -> None:
    """Forget the loaded stylizers (the next ``load`` builds them again)."""
    with _lock:
        _loaded.clear()


def embed(style: Any, *, style_size: int = DEFAULT_STYLE_SIZE) -> np.ndarray:
    """The 100-number style embedding of a style image, float32 [100] (TFLite predictor).

    A float32 array of shape [256, 256, 3] in [0, 1] goes to the predictor exactly as given; any
    other image (path, sample name, PIL, array) is centre-cropped to a square and resized to
    ``style_size`` (default 256), as the model was trained.
    """
    return load("tflite").embed(style, style_size=style_size)


def transform(content: Any, embedding: Any, *, transformer: str = "dynamic") -> tf.Tensor:
    """Paint ``content`` with a style ``embedding`` (100 numbers, e.g. from ``embed``).

    Returns float32 [1, H, W, 3] in [0, 1] at exactly the content's size.
    """
    return load("tflite", transformer).transform(content, embedding)


def stylize(
    content: Any,
    style: Any,
    config: ArbitraryConfig | None = None,
    *,
    masks: Any = None,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
    **changes: Any,
) -> Result:
    """Paint ``content`` in the style(s) in one pass: the shape every method shares.

        from stlib import arbitrary
        image = arbitrary.stylize("tuebingen", ["starry_night", "the_scream"], mix=(2, 1)).image
        placed = arbitrary.stylize("tuebingen", ["starry_night", "the_scream"],
                                   masks=["left", "right"]).image  # one painting per half

    A list of styles without ``masks`` is *blended* everywhere (embeddings mixed by ``mix``; the
    Hub backend blends pixels). With ``masks``, one per style, each style is *placed* in its
    region: one pass of the transformer per style (R passes for R styles: R times the time of
    one), the R pastiches blended by the masks feathered over ``spatial.FEATHER`` (2 %) of the
    photo's longest side. The published graphs take one style embedding per image, so a
    per-pixel embedding inside the transformer is not possible; the blend is what they allow.

    Args:
        content: the photo: a path, an http(s) URL, a sample name, an array, a PIL image or a
            [1, H, W, 3] tensor.
        style: one style image (same forms) or a list of them, or a ``Styles`` from
            ``load(...).prepare``. A file's image and embedding are kept by path and modification
            time, so painting many photos (or moving a slider) with one painting embeds it once.
        masks: None (the current behaviour: styles blended), or one mask per style, in the
            styles' order, read only by ``stlib.masks.resolve`` at the output's size H x W:
            image files (white: the style's region), arrays [H, W] (bool, uint8, float in
            [0, 1]) or an [R, H, W] stack, "left"/"right"/"top"/"bottom", "rest" (the pixels no
            other mask covers), or "auto" (the photo's own colour regions, one per style). The
            masks must be a partition of the photo. ``strength``, ``preserve_color``,
            ``compute_size``, the tiled transformers and the Hub backend work with masks;
            ``mix`` is refused (it blends, masks place).
        config: the settings (``ArbitraryConfig()`` if None), or a dict of its fields.
        progress: accepted for the common shape; one pass shows no bar.
        callbacks: called once, with the single ``Step`` (its ``image`` is the pastiche).
        **changes: fields of the config to change: ``mix`` (one weight per style),
            ``strength`` (0: the photo redrawn, 1: the full style), ``size``, ``style_size``,
            ``preserve_color``, ``compute_size``, ``backend``, ``transformer``
            (:class:`~stlib.arbitrary.config.ArbitraryConfig` says what each does).

    Returns:
        ``Result(image, None, config)``: the pastiche float32 [1, H, W, 3] in [0, 1] at the
        content's size (or longest side ``size``).

    Raises:
        SettingError / SettingTypeError: a bad setting, named (a near miss gets a suggestion);
            ``mix`` together with ``masks``.
        ImageError: an image that cannot be read, named by its role ("style 2 of 3 ('x.jpg')").
        MaskError: masks that cannot place the styles: not one per style, a mistyped split
            name, not covering the photo, overlapping, empty, another aspect ratio (named).
        ModelNotFoundError: offline without the TFLite files.
        stlib.Interrupted: Ctrl-C (``.result`` is None: one pass has no partial work).
    """
    config = config_with(ArbitraryConfig, config, changes)
    stylizer = load(config.backend, config.transformer)
    placing = {} if masks is None else {"masks": masks}  # masks=None: the call as before
    return one_pass(lambda: stylizer.run(config, content, style, **placing), config, callbacks)
