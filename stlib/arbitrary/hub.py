"""The TF Hub backend: the paper's own model, ``arbitrary-image-stylization-v1-256/2``.

This is Ghiasi et al.'s network as published by Magenta: an Inception-v3 style prediction network
and the transformer, exported with a single function ``stylized = m(content, style)`` (both float32
[1, H, W, 3] in [0, 1], any sizes; the style best at 256x256, as it was trained). It is loaded with
``hub.load`` (plain SavedModel loading, which works under Keras 3; ``hub.KerasLayer`` does not).

What that single function means for the controls:

- **no embedding**: the style vector is computed inside ``m`` and never returned nor accepted, so
  ``embed`` and ``transform`` raise :class:`~stlib.arbitrary.stylizer.EmbeddingsUnavailableError`;
- **strength** blends pixels: ``(1 - strength) * content + strength * m(content, style)``, a
  cross-fade of two images, not a weaker style (the TFLite backend interpolates embeddings, so its
  half strength paints smaller, paler strokes instead of a ghosted double image);
- **mixing** blends pixels too: ``sum_i w_i m(content, style_i)``, one network call per style.

``tensorflow-hub`` is an optional dependency (``pip install "stlib[hub]"``), imported only here and
only when the backend is used. The model (about 90 MB) is downloaded by ``hub.load`` into
``$TFHUB_CACHE_DIR`` (default: ``<temp>/tfhub_modules``), under the sha1 of the handle; a folder
already there is used without any network access.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import threading
import urllib.request
import warnings
from pathlib import Path

import tensorflow as tf

from stlib import images
from stlib.arbitrary.stylizer import PixelStylizer
from stlib.startup import stderr_hidden

__all__ = [
    "CACHE_VARIABLE",
    "HANDLE",
    "HubUnavailableError",
    "HubStylizer",
    "available",
    "cache_dir",
    "cached_path",
    "installed",
    "is_cached",
    "is_reachable",
]

HANDLE = "https://tfhub.dev/google/magenta/arbitrary-image-stylization-v1-256/2"
CACHE_VARIABLE = "TFHUB_CACHE_DIR"
REACH_TIMEOUT_S = 3.0


class HubUnavailableError(ImportError, RuntimeError):
    """The hub backend cannot serve: tensorflow-hub is not installed, or the model is neither
    cached nor downloadable (offline); the message says what to do, the tflite backend included.

    Also a RuntimeError: the command line reports it as a failure of the run (exit code 1).
    """


def installed() -> bool:
    """Whether ``tensorflow_hub`` can be imported (without importing it)."""
    return importlib.util.find_spec("tensorflow_hub") is not None


def cache_dir() -> Path:
    """Where ``hub.load`` keeps models: ``$TFHUB_CACHE_DIR``, else ``<temp>/tfhub_modules``."""
    value = os.environ.get(CACHE_VARIABLE, "").strip()
    return Path(value).expanduser() if value else Path(tempfile.gettempdir()) / "tfhub_modules"


def cached_path(handle: str = HANDLE) -> Path:
    """The folder ``hub.load(handle)`` reads from: the cache, then the sha1 hex of the handle."""
    return cache_dir() / hashlib.sha1(handle.encode("utf-8")).hexdigest()


def is_cached(handle: str = HANDLE) -> bool:
    """Whether a SavedModel for ``handle`` is in the cache (then no network is needed)."""
    folder = cached_path(handle)
    return (folder / "saved_model.pb").is_file() or (folder / "saved_model.pbtxt").is_file()


def is_reachable(handle: str = HANDLE, timeout: float = REACH_TIMEOUT_S) -> bool:
    """Whether ``handle`` answers an HTTP HEAD request within ``timeout`` seconds.

    Run in a thread, so that a name lookup that hangs (socket timeouts do not cover it) cannot hold
    the caller longer than ``timeout``.
    """
    answer: list[bool] = []

    def ask() -> None:
        request = urllib.request.Request(
            handle, method="HEAD", headers={"User-Agent": "stlib (neural style course)"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer.append(response.status < 400)
        except Exception:  # no network, DNS, HTTP error: not reachable, whatever the reason
            answer.append(False)

    probe = threading.Thread(target=ask, daemon=True)
    probe.start()
    probe.join(timeout)
    return bool(answer and answer[0])


def available(handle: str = HANDLE) -> bool:
    """Whether the Hub backend can serve now: tensorflow-hub installed, and the model cached or
    its address reachable. ``stlib.arbitrary.load("auto")`` asks this."""
    return installed() and (is_cached(handle) or is_reachable(handle))


def _import_hub():
    if not installed():
        raise HubUnavailableError(
            "the hub backend needs the tensorflow-hub package, which is not installed: "
            "pip install 'stlib[hub]' (or pip install tensorflow-hub); "
            "the tflite backend works without it"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its own deprecation notes (pkg_resources, tf_keras)
        import tensorflow_hub

    return tensorflow_hub


class HubStylizer(PixelStylizer):
    """The TF Hub model behind the common interface; strength and mixing blend pixels.

    Args:
        handle: the model's address (or a local SavedModel folder); the default is the paper's
            model, :data:`HANDLE`.
    """

    backend = "hub"

    def __init__(self, handle: str = HANDLE) -> None:
        hub = _import_hub()
        self.handle = handle
        try:
            with warnings.catch_warnings(), stderr_hidden():
                warnings.simplefilter("ignore")
                self.model = hub.load(handle)
        except OSError as error:  # urllib's URLError (offline, DNS) is an OSError
            reason = getattr(error, "reason", None) or error.strerror or error
            raise HubUnavailableError(
                f"the hub backend cannot download {handle} ({reason}) and it is not in the "
                f"cache {cache_dir()}; offline, use the tflite backend (--backend tflite, "
                "backend='tflite'): the official TFLite files, read from STLIB_MODELS_DIR"
            ) from None

    def _paint_one(self, content: tf.Tensor, style: tf.Tensor) -> tf.Tensor:
        outputs = self.model(tf.constant(content), tf.constant(style))
        # The exported function returns a list of one image; a dict or a tensor is accepted too.
        if isinstance(outputs, dict):
            outputs = next(iter(outputs.values()))
        elif isinstance(outputs, (list, tuple)):
            outputs = outputs[0]
        painted = tf.clip_by_value(tf.cast(outputs, tf.float32), 0.0, 1.0)
        height, width = int(content.shape[1]), int(content.shape[2])
        if painted.shape[1] >= height and painted.shape[2] >= width:
            return painted[:, :height, :width, :]  # a side rounded up by the network: crop
        return images.resize_to(painted, height, width)

    def __repr__(self) -> str:
        return f"<HubStylizer {self.handle!r}>"
