"""Every file stlib writes goes through here.

Two steps keep a long run from ending in a lost or half-written file:

1. ``check_output_path`` runs before any long work and refuses, with a message that names the
   path, anything that would fail or do harm later: a wrong extension, a folder, a parent that
   cannot be created or written, a read-only file, an input of the same run, a path used twice.
2. ``atomic_write`` writes to a hidden temporary file in the target's folder and renames it over
   the target only once it is complete, so a crash, a full disk or Ctrl-C leaves the old file as
   it was and no debris beside it. A write that fails (disk full, permission denied, a read-only
   folder) raises ``WriteError``, whose message names the file, the reason and what was kept.

``check_run_paths`` applies step 1 to every output of a run at once: each output against every
input and every other output, folders (a samples folder) included.

Standard library only: the CLI checks paths before importing TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from PIL import features as _pil_features

__all__ = [
    "IMAGE_FORMATS",
    "IMAGE_SUFFIXES",
    "OutputPathError",
    "WriteError",
    "atomic_write",
    "check_output_folder",
    "check_output_path",
    "check_run_paths",
    "write_bytes",
    "write_text",
]

# The image formats stlib writes, by extension (Pillow's format names). WebP only where Pillow
# was built with libwebp; the check imports PIL (fast), not TensorFlow.
IMAGE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
}
if _pil_features.check("webp"):
    IMAGE_FORMATS[".webp"] = "WEBP"
IMAGE_SUFFIXES = tuple(IMAGE_FORMATS)

_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
# Room for the '.' prefix and '.xxxxxxxx.tmp' suffix within the usual 255-byte name limit.
_MAX_STEM = 200


class OutputPathError(ValueError):
    """An output path that cannot be written; the message names the path and what would work."""


class WriteError(OSError):
    """A file that could not be written (disk full, permission denied, a read-only folder).

    ``str(error)`` names the file, the reason and what was kept, in one line:
    ``cannot write 'out.png' (No space left on device); the file already there is unchanged``.
    ``during("at step 40 of 300")`` gives the same error with what the run had reached.
    """

    def __init__(self, path: str | os.PathLike, error: OSError, *, what: str = "", context=""):
        super().__init__(error.errno, error.strerror or str(error), str(path))
        self.path, self.error, self.what, self.context = Path(path), error, what, context
        # atomic_write leaves the target alone: either the old file is there, or nothing.
        self.kept = (
            "the file already there is unchanged" if self.path.exists() else "nothing was written"
        )

    def during(self, context: str, *, what: str = "") -> WriteError:
        """The same error, saying what it was (``what``) and what the run had reached."""
        again = WriteError(self.path, self.error, what=what or self.what, context=context)
        again.kept = self.kept
        return again

    def __str__(self) -> str:
        what = f"{self.what} " if self.what else ""
        context = f" {self.context}" if self.context else ""
        return f"cannot write {what}'{self.path}'{context} ({self.strerror}); {self.kept}"


def _as_path(path: object, what: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise OutputPathError(f"{what} path must be a str or Path, got a {type(path).__name__}")
    return Path(path).expanduser()


def _stat(path: Path, what: str, shown: Path) -> os.stat_result | None:
    """``os.stat(path)``, or None if nothing is there; other failures name the path."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise OutputPathError(
            f"{what} '{shown}' cannot be checked ({error.strerror}); choose another path"
        ) from None


def _same_file(a: Path, b: Path) -> bool:
    """True if ``a`` and ``b`` name one file: samefile when both exist, else resolved paths."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return a.resolve() == b.resolve()


def _local_files(entries: Iterable[object]) -> Iterator[tuple[object, Path]]:
    """(entry, path) for the entries that are existing local files; URLs, arrays etc. skipped."""
    for entry in entries:
        if not isinstance(entry, (str, os.PathLike)):
            continue
        try:
            path = Path(entry).expanduser()
            if path.is_file():
                yield entry, path
        except (OSError, ValueError):  # unreadable folder, NUL in the name...
            continue


def _check_existing_target(path: Path, what: str) -> os.stat_result | None:
    """Refuse an existing target that must not be replaced; return its stat (None if absent)."""
    info = _stat(path, what, path)
    if info is None:
        return None
    if stat.S_ISDIR(info.st_mode):
        raise OutputPathError(f"{what} '{path}' is a folder; add a file name to the path")
    if not stat.S_ISREG(info.st_mode):
        # Renaming over a device or pipe would replace it, not write into it.
        raise OutputPathError(
            f"{what} '{path}' exists and is not a regular file; choose another path"
        )
    # Root passes os.access on any file, so the permission bits are checked as well.
    if not info.st_mode & _WRITE_BITS or not os.access(path, os.W_OK):
        raise OutputPathError(
            f"{what} '{path}' exists and is read-only; make it writable or choose another path"
        )
    return info


def check_output_path(
    path: str | os.PathLike,
    *,
    what: str = "output",
    suffixes: Iterable[str] | None = None,
    inputs: Iterable[object] = (),
    others: Iterable[object] = (),
) -> Path:
    """Check, before any long work, that a file can be written at ``path``. Nothing is left behind.

    Args:
        path: where the file will be written.
        what: how messages name the path ("output", "image", "history", "snapshot"...).
        suffixes: accepted lower-case extensions (".png"...); None accepts any.
        inputs: files the run reads (paths or strings); the output must not be one of them.
            Entries that are not existing local files (URLs, sample names, arrays) are ignored.
        others: the other output paths of the same run; the output must differ from each.

    Returns:
        the path as a ``Path`` with ``~`` expanded (not resolved).

    Raises:
        OutputPathError: naming the path and what would work.
    """
    path = _as_path(path, what)
    # A lone path is a common slip for a one-element list; do not iterate its characters.
    if isinstance(inputs, (str, os.PathLike)):
        inputs = (inputs,)
    if isinstance(others, (str, os.PathLike)):
        others = (others,)

    if suffixes is not None:
        if isinstance(suffixes, str):
            suffixes = (suffixes,)
        accepted = sorted({suffix.lower() for suffix in suffixes})
        suffix = path.suffix.lower()
        if suffix not in accepted:
            raise OutputPathError(
                f"{what} '{path}': extension {suffix or '(none)'!r} is not supported; "
                f"use one of {', '.join(accepted)}"
            )

    # Same-file questions first: "it is your input" explains more than "it is read-only".
    for entry, input_path in _local_files(inputs):
        if _same_file(path, input_path):
            raise OutputPathError(
                f"{what} '{path}' is the same file as the input '{entry}'; choose another path"
            )
    for other in others:
        if isinstance(other, (str, os.PathLike)) and _same_file(path, Path(other).expanduser()):
            raise OutputPathError(
                f"{what} '{path}' is the same file as another output of this run, '{other}'; "
                "give each output its own path"
            )

    _check_existing_target(path, what)

    # The nearest folder that exists is where the missing ones would be created.
    existing = path.parent.absolute()
    while _stat(existing, what, path) is None and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputPathError(
            f"{what} '{path}' cannot be created: '{existing}' is a file, not a folder; "
            "choose another folder"
        )
    # Really writing is the only reliable test (root, ACLs, read-only mounts, /proc).
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise OutputPathError(
            f"{what} '{path}' cannot be created: folder '{existing}' is not writable "
            f"({error.strerror}); choose another folder"
        ) from None
    return path


def _new_file_mode() -> int:
    """0o666 minus the umask, read without changing it where /proc tells it (threads)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _create_temporary(target: Path) -> Path:
    """Create an empty hidden file beside ``target`` with a name nobody else uses."""
    while True:
        temporary = target.with_name(f".{target.name[:_MAX_STEM]}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return temporary


def _fsync(path: Path, *, folder: bool = False) -> None:
    # Windows needs write access to flush a file and cannot open folders at all.
    if folder and os.name == "nt":
        return
    flags = os.O_RDWR if os.name == "nt" and not folder else os.O_RDONLY
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, *, mode: int | None = None) -> Iterator[Path]:
    """Write a whole file, then put it in place in one step.

    ``with atomic_write(target) as temporary:`` yields an empty file in the target's folder with a
    hidden name such as ``.out.png.1f2e3d4c.tmp``. Write the whole file there; the name does not
    end in the target's extension, so tell format-guessing writers the format (``format="PNG"``),
    and give writers that append an extension (``numpy.save``) an open file object instead.

    On normal exit the file is flushed to disk and renamed over the target (``os.replace``). On any
    exception, KeyboardInterrupt included, the temporary file is removed, the target is untouched
    and the exception propagates; an ``OSError`` (disk full...) becomes a ``WriteError`` naming
    the target. Missing parent folders are created; a symlink target is written
    through (the file it points to is replaced).

    Args:
        path: the target file.
        mode: permission bits for the new file; default: those of the file it replaces, else
            0o666 minus the umask (as ``open`` would give).

    Raises:
        OutputPathError: the target is a folder, a special file or a read-only file.
        WriteError: the file could not be written; the target is as it was.
    """
    target = _as_path(path, "output")
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    old = _check_existing_target(target, "output")
    if mode is None:
        mode = stat.S_IMODE(old.st_mode) if old is not None else _new_file_mode()

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = _create_temporary(target)
    except OSError as error:
        raise WriteError(target, error) from None
    try:
        yield temporary
        _fsync(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except WriteError:
        temporary.unlink(missing_ok=True)
        raise
    except OSError as error:  # disk full, quota, permissions changed mid-run: name the file
        temporary.unlink(missing_ok=True)
        raise WriteError(target, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    # The rename itself survives a power cut only once the folder is flushed too.
    with contextlib.suppress(OSError):
        _fsync(target.parent, folder=True)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see ``atomic_write``); return the path."""
    target = _as_path(path, "output")
    with atomic_write(target) as temporary:
        temporary.write_bytes(data)
    return target


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see ``atomic_write``); return the path."""
    target = _as_path(path, "output")
    with atomic_write(target) as temporary:
        temporary.write_text(text, encoding=encoding)
    return target


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies somewhere below it (resolved, links followed)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def check_output_folder(
    path: str | os.PathLike, *, what: str = "folder", inputs: Iterable[object] = ()
) -> Path:
    """Check, before any long work, a folder a run will write files into (a samples folder).

    Refused: a path that exists and is not a folder, a folder that cannot be created or written,
    and a folder that is, or holds, one of ``inputs`` (files or folders the run reads): its files
    would be replaced, or the run would read what it wrote. Nothing is created.

    Raises:
        OutputPathError: naming the folder and what would work.
    """
    path = _as_path(path, what)
    if isinstance(inputs, (str, os.PathLike)):
        inputs = (inputs,)
    info = _stat(path, what, path)
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise OutputPathError(f"{what} '{path}' exists and is not a folder; choose another path")
    for entry in inputs:
        if isinstance(entry, (str, os.PathLike)) and os.path.exists(entry):
            if _inside(Path(entry).expanduser(), path):
                raise OutputPathError(
                    f"{what} '{path}' holds the input '{entry}', which the run would overwrite "
                    "or read back; choose another path"
                )
    # The folder, or the nearest one above it that exists, must take new files.
    existing = path.absolute()
    while _stat(existing, what, path) is None and existing != existing.parent:
        existing = existing.parent
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise OutputPathError(
            f"{what} '{path}' cannot be written: '{existing}' is not a writable folder "
            f"({error.strerror}); choose another path"
        ) from None
    return path


def check_run_paths(
    files: Iterable[tuple[str, str | os.PathLike, Iterable[str] | None]],
    *,
    inputs: Iterable[object] = (),
    folders: Iterable[tuple[str, str | os.PathLike]] = (),
) -> list[Path]:
    """The one rule for a run: every output differs from every input and from every other output.

    Args:
        files: (what, path, accepted suffixes or None) for each file the run writes.
        inputs: every file or folder the run reads (photos, paintings, configs, models,
            checkpoints); URLs, sample names and arrays are ignored.
        folders: (what, path) for each folder the run writes files into.

    Returns:
        the file paths, in order, as ``check_output_path`` returns them.

    Raises:
        OutputPathError: naming the first output that would fail or destroy an input.
    """
    files, inputs = list(files), list(inputs)
    # Each file on its own first (a wrong extension explains more than a clash), then in pairs.
    checked = [
        check_output_path(path, what=what, suffixes=suffixes, inputs=inputs)
        for what, path, suffixes in files
    ]
    for index, (what, path, _) in enumerate(files):
        for (later, later_path, _), other in zip(files[index + 1 :], checked[index + 1 :]):
            if _same_file(checked[index], other):
                raise OutputPathError(
                    f"{later} '{later_path}' is the same file as the {what} '{path}' of this "
                    "run; give each output its own path"
                )
    for what, folder in folders:
        check_output_folder(folder, what=what, inputs=inputs)
    return checked
