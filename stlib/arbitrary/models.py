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
:class:`ModelNotFoundError` names the file, the URL and ``STLIB_MODELS_DIR``. No TensorFlow here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from stlib import settings
from stlib._hashing import file_digest

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
        return BASE_URL + self.name


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


class ModelNotFoundError(FileNotFoundError):
    """No source served a model file; the message names the file, its URL and STLIB_MODELS_DIR."""


class ModelHashError(ValueError):
    """A local model file whose sha256 is not the published file's (truncated or another file)."""


def cache_dir() -> Path:
    """Where downloaded model files are kept: ``<user cache>/stlib/models/<FOLDER>``.

    The user cache is pooch's (``~/.cache`` on Linux, or ``$XDG_CACHE_HOME``), the one stlib's
    sample images are downloaded into too.
    """
    import pooch  # a light import, but only needed here

    return Path(pooch.os_cache("stlib")) / "models" / FOLDER


# Files already checked in this process, keyed so that a replaced file is checked again.
_verified: set[tuple[str, int, int, str]] = set()


def _key(file: Path, sha256: str) -> tuple[str, int, int, str]:
    stat = file.stat()
    return (str(file.resolve()), stat.st_size, stat.st_mtime_ns, sha256)


def _verify(file: Path, model: ModelFile, where: str) -> Path:
    key = _key(file, model.sha256)
    if key in _verified:
        return file
    found = file_digest(file, "sha256")
    if found != model.sha256:
        raise ModelHashError(
            f"{file} ({where}) has sha256 {found}, but {model.name} has sha256 {model.sha256} "
            f"({model.bytes} bytes); the file is truncated or another file: replace it with the "
            f"bytes served by {model.url}"
        )
    _verified.add(key)
    return file


def _models_dir_file(model: ModelFile) -> tuple[Path | None, str]:
    folder = settings.models_dir()
    variable = settings.MODELS_DIR_VARIABLE
    if folder is None:
        return None, f"{variable} is not set"
    candidate = folder / FOLDER / model.name
    if candidate.is_file():
        return candidate, f"{variable}: {candidate}"
    return None, f"{variable}={folder}: no {FOLDER}/{model.name} there"


def _not_found(model: ModelFile, tried: list[str]) -> ModelNotFoundError:
    lines = "\n".join(f"  - {line}" for line in tried)
    return ModelNotFoundError(
        f"arbitrary style model file {model.name} not found. Tried:\n{lines}\n"
        f"Fix: set {settings.MODELS_DIR_VARIABLE} to a folder that holds "
        f"{FOLDER}/{model.name} (like the course's shared/models), or connect to the internet "
        f"so that stlib can download {model.url}"
    )


def _download(model: ModelFile, folder: Path) -> Path:
    """Download ``model`` into ``folder`` with pooch (a temporary file, checked, then renamed)."""
    import pooch

    # pooch announces every download on stderr; a failed one would print that line above the
    # error, which already says everything.
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        fetched = pooch.retrieve(
            model.url,
            known_hash=f"sha256:{model.sha256}",
            fname=model.name,
            path=folder,
            progressbar=False,
        )
    finally:
        logger.setLevel(level)
    return Path(fetched)


def model_path(model: ModelFile | str, *, download: bool = True) -> Path:
    """The local path of a model file (a :class:`ModelFile` or its file name), sha256-checked.

    Looks in ``$STLIB_MODELS_DIR/tflite/magenta-arbitrary-style-transfer/``, then the cache
    (:func:`cache_dir`), then downloads the official file into the cache (``download=True``).

    Raises:
        ModelNotFoundError: nothing served (offline and not in either folder); the message lists
            what was tried and names STLIB_MODELS_DIR, the file and its URL.
        ModelHashError: a local file has the wrong sha256.
    """
    if isinstance(model, str):
        if model not in FILES:
            raise ValueError(f"unknown model file {model!r}; choose from {', '.join(FILES)}")
        model = FILES[model]
    tried: list[str] = []
    found, line = _models_dir_file(model)
    if found is not None:
        return _verify(found, model, settings.MODELS_DIR_VARIABLE)
    tried.append(line)

    cached = cache_dir() / model.name
    if cached.is_file():
        return _verify(cached, model, "stlib's download cache")
    tried.append(f"download cache: {cached} does not exist")

    if not download:
        tried.append(f"download from {model.url}: not tried (download=False)")
        raise _not_found(model, tried)
    try:
        fetched = _download(model, cached.parent)
    except Exception as error:  # no network, proxy, HTTP 404, disk full, wrong hash: one answer
        reason = str(error).splitlines()[0] if str(error) else ""
        if len(reason) > 160:  # requests' connection errors run to several hundred characters
            reason = reason[:157] + "..."
        tried.append(f"download from {model.url} failed: {type(error).__name__}: {reason}")
        raise _not_found(model, tried) from None
    _verified.add(_key(fetched, model.sha256))  # pooch checked the sha256
    return fetched


def describe() -> dict[str, dict]:
    """Where each model file would come from now, without downloading or hashing.

    ``{file name: {"source": "STLIB_MODELS_DIR" | "cache" | "missing", "path": str, "url": str}}``
    """
    answer = {}
    for model in FILES.values():
        found, _ = _models_dir_file(model)
        cached = cache_dir() / model.name
        if found is not None:
            source, path = settings.MODELS_DIR_VARIABLE, found
        elif cached.is_file():
            source, path = "cache", cached
        else:
            source, path = "missing", cached
        answer[model.name] = {"source": source, "path": os.fspath(path), "url": model.url}
    return answer
