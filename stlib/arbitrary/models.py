"""The official TFLite files of the arbitrary style network, and where each one is found.

Google published the Magenta arbitrary stylization model (Ghiasi et al. 2017) for mobile as a pair:
a style predictor (a MobileNetV2 distilled from the paper's Inception-v3, 256x256 style image ->
100-number embedding) and a transformer (content image + embedding -> pastiche). Three transformers
exist: dynamic-range quantised (any input size), int8 and float16 (both fixed at 384x384).

:func:`model_path` looks, in order:

1. ``$STLIB_MODELS_DIR/tflite/magenta-arbitrary-style-transfer/<file>`` (laid out like the course's
   shared/models);
2. stlib's download cache, ``<user cache>/stlib/models/tflite/magenta-arbitrary-style-transfer/``
   (:func:`cache_dir`);
3. a download from the official URL into that cache (pooch, checked by sha256).

Every local file is checked against its sha256 once per process. When nothing serves, one
:class:`ModelNotFoundError` names the file, the URL, the cache and ``STLIB_MODELS_DIR``
(the lookup itself is :func:`stlib.published.find`). No TensorFlow here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from stlib import published, settings

__all__ = [
    "BASE_URL",
    "FILES",
    "FOLDER",
    "PREDICTOR",
    "TRANSFORMER_FILES",
    "ModelFile",
    "ModelHashError",
    "ModelNotFoundError",
    "cache_dir",
    "describe",
    "model_path",
]

FOLDER = "tflite/magenta-arbitrary-style-transfer"
BASE_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/models/tflite/arbitrary_style_transfer/"
)


@dataclass(frozen=True)
class ModelFile:
    """One published file: its name, what it does, its sha256 and size (shared/models/MODELS.md)."""

    name: str
    role: str
    sha256: str
    bytes: int

    @property
    def url(self) -> str:
        return BASE_URL + self.name  # read at call time, so that tests can serve it locally

    @property
    def published_file(self) -> published.PublishedFile:
        """This file as :func:`stlib.published.find` looks for it, under ``<models>/FOLDER/``."""
        return published.PublishedFile(
            path=f"{FOLDER}/{self.name}",
            url=self.url,
            sha256=self.sha256,
            folder=published.MODELS,
            what=f"arbitrary style model file {self.name}",
            bytes=self.bytes,
        )


PREDICTOR = ModelFile(
    "style_predict_quantized_256.tflite",
    "style predictor, int8: style [1, 256, 256, 3] -> embedding [1, 1, 1, 100]",
    "203dbd6a09da1091ab7e48e8b101aef8c2d81438ad047a5cb150747a977134c1",
    2827952,
)
# The transformer's choice name (stlib.arbitrary.config.TRANSFORMERS) -> its file.
TRANSFORMER_FILES = {
    "dynamic": ModelFile(
        "style_transfer_quantized_dynamic.tflite",
        "transformer, dynamic-range quantised: any content size (sides rounded up to 4)",
        "69b191c1f1f3f6520634293803a528469015a00269f982ebd38b7850f68d9341",
        244072,
    ),
    "int8": ModelFile(
        "style_transfer_quantized_384.tflite",
        "transformer, int8: content [1, 384, 384, 3] only",
        "1972f7d438b6e9ff326c466db1a8005a8a0efa0274886bbd52f91dc8be2f4f04",
        283416,
    ),
    "float16": ModelFile(
        "style_transfer_f16_384.tflite",
        "transformer, float16 weights: content [1, 384, 384, 3] only",
        "c60cff7395544eda1f0915d6dddaedd8ed868cefe8ec6c5ed220ba801f120303",
        421104,
    ),
}
FILES = {f.name: f for f in (PREDICTOR, *TRANSFORMER_FILES.values())}


class ModelNotFoundError(published.NotFoundError):
    """No source served a model file; the message names the file, its URL and STLIB_MODELS_DIR."""


class ModelHashError(published.HashError):
    """A local model file whose sha256 is not the published file's (truncated or another file)."""


def cache_dir() -> Path:
    """Where downloaded model files are kept: ``<user cache>/stlib/models/<FOLDER>``.

    The user cache is pooch's (``~/.cache`` on Linux, or ``$XDG_CACHE_HOME``), the one stlib's
    sample images are downloaded into too.
    """
    return published.MODELS.cache_dir() / FOLDER


def _model_file(model: ModelFile | str) -> ModelFile:
    if isinstance(model, str):
        if model not in FILES:
            raise ValueError(f"unknown model file {model!r}; choose from {', '.join(FILES)}")
        return FILES[model]
    return model


def model_path(model: ModelFile | str, *, download: bool = True) -> Path:
    """The local path of a model file (a :class:`ModelFile` or its file name), sha256-checked.

    Looks in ``$STLIB_MODELS_DIR/tflite/magenta-arbitrary-style-transfer/``, then the cache
    (:func:`cache_dir`), then downloads the official file into the cache (``download=True``).

    Raises:
        ModelNotFoundError: nothing served (offline and not in either folder); the message lists
            what was tried and names STLIB_MODELS_DIR, the file, the cache and its URL.
        ModelHashError: a local file has the wrong sha256.
    """
    return published.find(
        _model_file(model).published_file,
        download=download,
        not_found=ModelNotFoundError,
        wrong_hash=ModelHashError,
    )


def describe() -> dict[str, dict]:
    """Where each model file would come from now, without downloading or hashing.

    ``{file name: {"source": "STLIB_MODELS_DIR" | "cache" | "missing", "path": str, "url": str}}``
    """
    sources = {"folder": settings.MODELS_DIR_VARIABLE, "cache": "cache", "missing": "missing"}
    answer = {}
    for model in FILES.values():
        where = published.locate(model.published_file)
        answer[model.name] = {
            "source": sources[where.source],
            "path": os.fspath(where.path),
            "url": model.url,
        }
    return answer
