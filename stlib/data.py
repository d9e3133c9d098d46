"""Sample images by name: a registry of pinned URLs and hashes, each file downloaded once.

The registry (``data/registry.csv`` in the repository, ``stlib/registry.csv`` inside a wheel) lists
every sample image once: a short name (``tuebingen``, ``starry_night``), whether it is a content
photograph or a style painting, its path inside a folder laid out like the course's
``shared/images`` (``content/*.jpg``, ``style/*.jpg``), its credit and licence, a raw GitHub URL
pinned to a commit, and the sha256 of the bytes that URL serves.

Where the bytes come from:

- ``STLIB_DATA_DIR`` set: that folder, nothing is downloaded; each file's sha256 is checked.
- otherwise: the user cache (``pooch.os_cache("stlib")``), where a missing file is downloaded
  once and checked by sha256 (:func:`stlib.published.find` does both).

>>> from stlib import data
>>> data.sample_names("style")[:2]
['composition_vii', 'great_wave']
>>> image = data.load("tuebingen", max_side=512)   # float32 tensor [1, H, W, 3] in [0, 1]
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stlib import published
from stlib.validation import did_you_mean

__all__ = [
    "KINDS",
    "REGISTRY_COLUMNS",
    "Sample",
    "SampleDownloadError",
    "SampleHashError",
    "UnknownSampleError",
    "credits_markdown",
    "info",
    "load",
    "path",
    "registry_path",
    "resolve",
    "sample_names",
    "samples",
]

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import tensorflow as tf

KINDS = ("content", "style")
REGISTRY_COLUMNS = (
    "name",
    "kind",
    "file",
    "title",
    "author",
    "year",
    "licence",
    "url",
    "sha256",
    "origin",
)


class UnknownSampleError(ValueError):
    """A name that is not in the sample registry; the message lists the registered names."""


class SampleHashError(published.HashError):
    """A local sample file whose sha256 differs from the registry's."""


class SampleDownloadError(published.NotFoundError):
    """A sample that no place served: not in ``STLIB_DATA_DIR`` when set, else not in the cache
    and not downloadable (no network, URL gone, ...). An ``OSError`` (``FileNotFoundError``)."""


@dataclass(frozen=True)
class Sample:
    """One row of the sample registry.

    ``file`` is relative to a folder laid out like ``shared/images`` (``content/x.jpg``);
    ``url`` is a raw GitHub URL pinned to a commit; ``sha256`` is the hash of its bytes.
    """

    name: str
    kind: str
    file: str
    title: str
    author: str
    year: str
    licence: str
    url: str
    sha256: str
    origin: str

    @property
    def credit(self) -> str:
        """One line of credit: ``"Title, Author (year), licence"`` (no year when unknown)."""
        year = f" ({self.year})" if self.year else ""
        return f"{self.title}, {self.author}{year}, {self.licence}"

    @property
    def published_file(self) -> published.PublishedFile:
        """This sample as :func:`stlib.published.find` looks for it, under ``STLIB_DATA_DIR``."""
        return published.PublishedFile(
            path=self.file,
            url=self.url,
            sha256=self.sha256,
            folder=published.IMAGES,
            what=f"sample {self.name!r}",
        )


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


def registry_path() -> Path:
    """The registry CSV: in the installed package (wheel), else the repo's ``data/registry.csv``."""
    packaged = importlib.resources.files("stlib") / "registry.csv"
    if packaged.is_file():
        # A wheel installs the package as plain files, so this is a real path.
        return Path(str(packaged))
    repo_copy = Path(__file__).resolve().parents[1] / "data" / "registry.csv"
    if repo_copy.is_file():
        return repo_copy
    raise FileNotFoundError(
        f"the sample registry is missing: looked for {packaged} (installed wheel) and {repo_copy} "
        "(source checkout); reinstall stlib"
    )


@functools.lru_cache(maxsize=None)
def _registry() -> dict[str, Sample]:
    """All samples by name, in registry order (read once per process)."""
    source = registry_path()
    with open(source, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REGISTRY_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"{source} lacks the column(s) {', '.join(missing)}; "
                f"expected: {', '.join(REGISTRY_COLUMNS)}"
            )
        rows = [
            Sample(**{f.name: (row[f.name] or "").strip() for f in fields(Sample)})
            for row in reader
        ]
    by_name: dict[str, Sample] = {}
    for sample in rows:
        if sample.name in by_name:
            raise ValueError(f"{source} lists the sample name {sample.name!r} twice")
        if sample.kind not in KINDS:
            raise ValueError(
                f"{source}: sample {sample.name!r} has kind {sample.kind!r}; "
                f"choose from: {', '.join(KINDS)}"
            )
        by_name[sample.name] = sample
    return by_name


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose from: None (all), {', '.join(KINDS)}")


def samples(kind: str | None = None) -> list[Sample]:
    """The registered samples, in registry order.

    Args:
        kind: ``None`` for all, ``"content"`` for photographs, ``"style"`` for paintings.
    """
    _check_kind(kind)
    return [s for s in _registry().values() if kind is None or s.kind == kind]


def sample_names(kind: str | None = None) -> list[str]:
    """The registered short names (``tuebingen``, ``starry_night``, ...) of ``kind`` (None: all)."""
    return [s.name for s in samples(kind)]


def info(name: str) -> Sample:
    """The registry entry of sample ``name``.

    An unknown name raises :class:`UnknownSampleError`, which lists the names.
    """
    registry = _registry()
    try:
        return registry[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name
        raise UnknownSampleError(
            f"unknown sample {name!r}; choose from: {', '.join(registry)}"
        ) from None


# --------------------------------------------------------------------------------------------
# Getting the bytes
# --------------------------------------------------------------------------------------------


def path(name: str) -> Path:
    """The local path of sample ``name``, downloading it on first use.

    With ``STLIB_DATA_DIR`` set, returns ``$STLIB_DATA_DIR/<file>`` after checking that it exists
    and that its sha256 matches the registry. Otherwise the pinned URL is downloaded once into
    the user cache and checked.

    Raises:
        UnknownSampleError: ``name`` is not registered.
        SampleDownloadError: ``STLIB_DATA_DIR`` is set but lacks the file, or the download
            failed (no network, ...); a ``FileNotFoundError`` naming the folder variable, the
            cache and the URL.
        SampleHashError: the local file's sha256 differs from the registry's.
    """
    return published.find(
        info(name).published_file,
        not_found=SampleDownloadError,
        wrong_hash=SampleHashError,
    )


def load(name: str, max_side: int | None = None) -> tf.Tensor:
    """Sample ``name`` as a float32 tensor of shape [1, H, W, 3], RGB in [0, 1].

    Args:
        name: a registered sample name (see :func:`sample_names`).
        max_side: if given, resize so that the longest side is this many pixels.
    """
    from stlib import images  # imported here: images pulls in TensorFlow

    return images.load(path(name), max_side)


def resolve(source: Any) -> Any:
    """Map a registered sample name to its local path; pass anything else through unchanged.

    Used by the command line and the app so that ``stlib transfer tuebingen starry_night`` works
    alongside file paths and URLs. A registered name wins over a file of the same name in the
    current folder. A bare word that is neither a registered name nor an existing file (no
    folder, no extension, no URL scheme) is taken as a mistyped name and raises
    :class:`UnknownSampleError` listing the names, rather than a vaguer "file not found" later.
    """
    if not isinstance(source, str):
        return source  # Path, array, tensor, PIL image: for images.load to handle
    if source in _registry():
        return path(source)
    is_bare_word = (
        "://" not in source
        and os.sep not in source
        and "/" not in source
        and not Path(source).suffix
        and not Path(source).exists()
    )
    if is_bare_word:
        raise UnknownSampleError(
            f"unknown sample {source!r}{did_you_mean(source, _registry())} (and no such file); "
            f"choose from: {', '.join(_registry())}"
        )
    return source


def _cell(text: str) -> str:
    # A pipe would split the Markdown cell.
    return text.replace("|", "\\|")


def credits_markdown() -> str:
    """A Markdown table of every sample: its credit, licence and origin (for README and report)."""
    lines = [
        "| name | kind | title | author | year | licence | origin |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in samples():
        origin = (
            f"<{s.origin}>" if s.origin.startswith("http") and " " not in s.origin else s.origin
        )
        cells = [f"`{s.name}`", s.kind, s.title, s.author, s.year, s.licence, origin]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
