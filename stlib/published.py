"""A published file: where it is looked for, checked by sha256, downloaded once.

Every pretrained file and sample image stlib uses is published somewhere (a URL) with a known
sha256. :func:`find` gives its local path, looking in order:

1. the offline folder named by an environment variable (:data:`MODELS`: ``STLIB_MODELS_DIR``,
   laid out like the course's shared/models; :data:`IMAGES`: ``STLIB_DATA_DIR``, laid out like
   shared/images), at the file's :attr:`PublishedFile.path`;
2. the download cache, ``<user cache>/stlib/...`` laid out like that folder (or the places a
   caller names, such as the Keras cache);
3. a download of the URL into the cache: streamed with a progress bar into a temporary file
   beside the target, checked by sha256, then renamed into place, so that no reader ever sees
   half a file. A URL that serves a zip archive gives the file as one member of it.

Every local file is hashed once per process (again when its size or time changes). When nothing
serves, one :class:`NotFoundError` lists what was tried and names the folder variable, the cache
and the URL; a file with the wrong bytes raises :class:`HashError`. No TensorFlow here.

    from stlib import published
    graph = published.PublishedFile(
        path="tf_frozen/tensorflow-android-stylize/stylize_quantized.pb",
        url="https://storage.googleapis.com/download.tensorflow.org/models/stylize_v1.zip",
        sha256="6753e2bf...", folder=published.MODELS, what="26-style network file",
        member="stylize_quantized.pb")
    published.find(graph)          # Path, sha256-checked
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from stlib import settings
from stlib.progress import ProgressBar

__all__ = [
    "IMAGES",
    "MODELS",
    "Folder",
    "HashError",
    "Location",
    "NotFoundError",
    "PublishedFile",
    "find",
    "install",
    "locate",
    "sha256_of",
    "user_cache",
]

CACHE_NAME = "stlib's download cache"


class NotFoundError(FileNotFoundError):
    """No place served a published file; the message lists what was tried and how to fix it.

    ``tried``: one line per place looked at (the folder, each cache, the download).
    """

    def __init__(self, message: str, tried: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.tried = list(tried)


class HashError(ValueError):
    """A file whose sha256 is not the published one (truncated, altered or another file)."""


@dataclass(frozen=True)
class Folder:
    """An offline folder set by an environment variable, and the cache laid out like it."""

    variable: str  # the environment variable, e.g. "STLIB_MODELS_DIR"
    layout: str  # how the folder is laid out, for messages
    cache: str  # its counterpart inside stlib's user cache ("" = the cache itself)
    only: bool  # when set, the only place looked: an offline override, never a download

    def location(self) -> Path | None:
        """The folder the variable names now, or None when it is unset (read at call time)."""
        if self.variable == settings.MODELS_DIR_VARIABLE:
            return settings.models_dir()
        return settings.data_dir()

    def cache_dir(self) -> Path:
        """The download cache laid out like this folder: ``<user cache>/stlib/<cache>``."""
        return user_cache() / self.cache


MODELS = Folder(settings.MODELS_DIR_VARIABLE, "like the course's shared/models", "models", False)
# Images sit at the top of the cache, where pooch's registry put them before.
IMAGES = Folder(
    settings.DATA_DIR_VARIABLE,
    "laid out like shared/images: content/*.jpg, style/*.jpg",
    "",
    True,
)


@dataclass(frozen=True)
class PublishedFile:
    """One published file.

    ``path`` is where it lies under the folder (``tflite/.../x.tflite``, ``content/x.jpg``) and
    under the cache; ``url`` serves its bytes, or, with ``member`` set, a zip archive that holds
    it under that name (in any sub-folder); ``sha256`` is the hash of the file itself (not of the
    archive); ``what`` names it in messages (``"sample 'tuebingen'"``); ``bytes`` is its size
    when known; ``hint`` is one more way to fix a missing file, added to the error.
    """

    path: str
    url: str
    sha256: str
    folder: Folder
    what: str
    bytes: int | None = None
    member: str | None = None
    hint: str = ""

    @property
    def name(self) -> str:
        """The file's name, the last part of :attr:`path`."""
        return Path(self.path).name

    @property
    def source(self) -> str:
        """What to fetch by hand: the URL, or the member inside the archive at the URL."""
        return (
            f"{self.member} from {self.url}" if self.member else f"the bytes served by {self.url}"
        )


@dataclass
class Location:
    """Where a file would come from now (nothing hashed or downloaded).

    ``source``: ``"folder"``, ``"cache"`` or ``"missing"``; ``path``: the file found, or where a
    download would go; ``tried``: one line per place looked at without finding the file.
    """

    source: str
    path: Path
    tried: list[str] = field(default_factory=list)


def user_cache() -> Path:
    """stlib's user cache: pooch's (``~/.cache/stlib`` on Linux, or ``$XDG_CACHE_HOME/stlib``)."""
    import pooch  # a light import, but only needed here

    return Path(pooch.os_cache("stlib"))


def sha256_of(file: str | os.PathLike[str]) -> str:
    """Hex sha256 of ``file``, read in 1 MiB blocks, so that an 80 MB file never sits in memory."""
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Files already checked in this process, keyed by (path, size, time, hash) so that a replaced
# file is checked again; hashing on every call would cost more than reading the file.
_verified: set[tuple[str, int, int, str]] = set()


def _key(file: Path, sha256: str) -> tuple[str, int, int, str]:
    stat = file.stat()
    return (str(file.resolve()), stat.st_size, stat.st_mtime_ns, sha256.lower())


def _verify(file: Path, published: PublishedFile, where: str, error: type[HashError]) -> Path:
    key = _key(file, published.sha256)
    if key in _verified:
        return file
    found = sha256_of(file)
    if found != published.sha256.lower():
        size = f" ({published.bytes} bytes)" if published.bytes else ""
        raise error(
            f"{file} ({where}) has sha256 {found}, but {published.what} has sha256 "
            f"{published.sha256}{size}; the file is truncated or another file: replace it with "
            f"{published.source}"
        )
    _verified.add(key)
    return file


def install(
    source: BinaryIO,
    target: str | os.PathLike[str],
    sha256: str,
    *,
    what: str = "the file",
    wrong_hash: type[HashError] = HashError,
) -> Path:
    """Copy the stream ``source`` to ``target`` if its sha256 is ``sha256``; atomic.

    The bytes go to a temporary file beside ``target`` (hashed on the way), which is renamed over
    ``target`` only when the hash matches: a reader sees the old file or the whole new one, and a
    wrong or interrupted copy leaves nothing behind. ``what`` names the bytes in the error.

    Raises:
        HashError (``wrong_hash``): the bytes have another sha256 (``target`` is untouched).
    """
    from stlib import outputs  # the one atomic write; standard library only

    target = Path(target)
    digest = hashlib.sha256()
    with outputs.atomic_write(target) as temporary, open(temporary, "wb") as handle:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            handle.write(block)
        found = digest.hexdigest()
        if found != sha256.lower():
            raise wrong_hash(f"{what} has sha256 {found}, expected {sha256}; not installed")
    _verified.add(_key(target, sha256))  # just hashed: no need to read it again
    return target


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    # pooch announces every download on stderr; a failed one would print that line above the
    # error, which already says everything.
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        yield
    finally:
        logger.setLevel(level)


class _Progress:
    """The download's ``ProgressBar`` in the shape pooch drives (``total``, ``update``, ``reset``),
    drawn only once the server answers (pooch sets ``total`` then), so that a refused connection
    prints nothing above the error."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: ProgressBar | None = None

    def __bool__(self) -> bool:  # pooch asks whether there is a bar before it sets the total
        return True

    @property
    def total(self) -> int | None:
        return None if self.bar is None else self.bar.total

    @total.setter
    def total(self, size: int) -> None:
        # A size of 0 means the server did not say: a bar that counts bytes without an end.
        self.bar = ProgressBar(size or None, self.label, "B", keep=False)

    def update(self, count: int) -> None:
        if self.bar is not None:
            self.bar.advance(count)

    def reset(self) -> None:
        if self.bar is not None:
            self.bar.restart()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _download(published: PublishedFile, target: Path) -> Path:
    """Fetch ``published.url`` into a temporary folder beside ``target`` (with a progress bar),
    take the member out if it is an archive, and install it, sha256-checked, at ``target``."""
    import pooch

    target.parent.mkdir(parents=True, exist_ok=True)
    bar = _Progress(published.name)
    try:
        with (
            _quiet_pooch(),
            tempfile.TemporaryDirectory(prefix=".download-", dir=target.parent) as folder,
        ):
            # No known hash for pooch: an archive has none, and the file's is checked below.
            fetched = pooch.retrieve(
                published.url, known_hash=None, fname="download", path=folder, progressbar=bar
            )
            with contextlib.ExitStack() as stack:
                if published.member is None:
                    stream = stack.enter_context(open(fetched, "rb"))
                else:
                    archive = stack.enter_context(zipfile.ZipFile(fetched))
                    members = [m for m in archive.namelist() if Path(m).name == published.member]
                    if not members:
                        raise ValueError(f"{published.url} holds no {published.member}")
                    stream = stack.enter_context(archive.open(members[0]))
                return install(
                    stream, target, published.sha256, what=f"{published.name} from {published.url}"
                )
    finally:
        bar.close()


def _folder_line(published: PublishedFile) -> tuple[Path | None, str]:
    """The file in the offline folder (None when absent) and a line saying what was looked at."""
    variable = published.folder.variable
    folder = published.folder.location()
    if folder is None:
        return None, f"{variable} is not set"
    candidate = folder / published.path
    if candidate.is_file():
        return candidate, f"{variable}: {candidate}"
    return None, f"{variable}={folder}: no {published.path} there"


def locate(
    published: PublishedFile,
    *,
    caches: Sequence[Path] | None = None,
    cache_name: str = CACHE_NAME,
) -> Location:
    """Where ``published`` would come from now, without hashing or downloading.

    ``caches``: the files to try after the folder, the first being where a download goes;
    default: ``published.path`` in the folder's cache (:meth:`Folder.cache_dir`).
    ``cache_name`` names them in the ``tried`` lines.
    """
    if caches is None:
        caches = [published.folder.cache_dir() / published.path]
    found, line = _folder_line(published)
    if found is not None:
        return Location("folder", found)
    tried = [line]
    if published.folder.only and published.folder.location() is not None:
        return Location("missing", caches[0], tried)  # the folder overrides: look nowhere else
    for candidate in caches:
        if candidate.is_file():
            return Location("cache", candidate, tried)
        tried.append(f"{cache_name}: {candidate} does not exist")
    return Location("missing", caches[0], tried)


def _not_found_message(published: PublishedFile, tried: list[str], target: Path) -> str:
    lines = "\n".join(f"  - {line}" for line in tried)
    variable = published.folder.variable
    holds = f" (which holds {published.member})" if published.member else ""
    folder = published.folder.location()
    if published.folder.only and folder is not None:
        fix = (
            f"Fix: put {published.path} under {variable}={folder} ({published.folder.layout}), "
            f"or unset {variable} so that stlib can download {published.url}{holds} into {target}"
        )
    else:
        fix = (
            f"Fix: set {variable} to a folder that holds {published.path} "
            f"({published.folder.layout}), or connect to the internet so that stlib can download "
            f"{published.url}{holds} into {target}"
        )
    hint = f"\n{published.hint}" if published.hint else ""
    return f"{published.what} not found. Tried:\n{lines}\n{fix}{hint}"


def _reason(error: Exception) -> str:
    """One line for a failed download: requests' connection errors run to hundreds of characters."""
    text = str(error).splitlines()[0] if str(error) else ""
    if len(text) > 160 and not isinstance(error, HashError):  # keep both hashes of a mismatch
        text = text[:157] + "..."
    return f"{type(error).__name__}: {text}"


def find(
    published: PublishedFile,
    *,
    download: bool = True,
    caches: Sequence[Path] | None = None,
    cache_name: str = CACHE_NAME,
    not_found: type[NotFoundError] = NotFoundError,
    wrong_hash: type[HashError] = HashError,
) -> Path:
    """The local path of ``published``, sha256-checked: the folder, the cache, else a download.

    Args:
        published: the file.
        download: whether to download it into the cache when neither folder nor cache has it.
        caches, cache_name: as for :func:`locate` (the Keras cache for the VGG19 weights).
        not_found, wrong_hash: the error classes to raise (a module's own subclasses).

    Raises:
        NotFoundError (``not_found``): nothing served; the message lists what was tried and names
            the folder variable, the cache and the URL. A failed download (no network, HTTP
            error, wrong bytes) is one line of it, not a chain of exceptions.
        HashError (``wrong_hash``): a file in the folder or the cache has the wrong sha256.
    """
    where = locate(published, caches=caches, cache_name=cache_name)
    if where.source == "folder":
        return _verify(where.path, published, published.folder.variable, wrong_hash)
    if where.source == "cache":
        return _verify(where.path, published, cache_name, wrong_hash)
    tried = where.tried
    offline_override = published.folder.only and published.folder.location() is not None
    if offline_override or not download:
        if not offline_override:
            tried.append(f"download from {published.url}: not tried (download=False)")
        raise not_found(_not_found_message(published, tried, where.path), tried)
    try:
        return _download(published, where.path)
    except Exception as error:  # no network, proxy, HTTP 404, disk full, wrong hash: one answer
        tried.append(f"download from {published.url} failed: {_reason(error)}")
        raise not_found(_not_found_message(published, tried, where.path), tried) from None
