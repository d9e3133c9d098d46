"""A folder of photos in one run: output names that never collide, a reason for every entry not
written, and a summary that always prints.

    plan = plan_folder("photos", "painted", inputs=["starry.jpg"])   # before TensorFlow starts
    tally = FolderTally(plan)
    for job in plan.jobs:
        try:
            ... write job.target ...
        except Exception as error:
            tally.failed(job, error)          # named, counted; the run goes on
        else:
            tally.written(job)
    print(tally.summary())   # '9 entries of photos: 7 written to painted, 1 skipped (...), ...'

Standard library and Pillow only: the command line plans the run before importing TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stlib import outputs
from stlib.limits import MAX_PIXELS

__all__ = ["FolderJob", "FolderPlan", "FolderTally", "image_problem", "plan_folder"]


@dataclass(frozen=True)
class FolderJob:
    """One photo of the folder and the file its pastiche goes to."""

    source: Path
    target: Path


@dataclass
class FolderPlan:
    """What a folder run will do: the jobs, and a (name, reason) for each entry skipped.

    ``notes`` are lines to show before the run (two photos that would share an output name).
    """

    folder: Path
    out_dir: Path
    jobs: list[FolderJob]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _pillow_bomb_check_off() -> Iterator[None]:
    """Let Pillow read the header of a huge image, so the size can be named (nothing is decoded)."""
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def image_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a photo of this run (read from its header), or None if it can."""
    from PIL import Image

    if path.is_dir():
        return "a folder (sub-folders are not searched)"
    try:
        with _pillow_bomb_check_off(), Image.open(path) as image:
            width, height = image.size
    except Image.UnidentifiedImageError:
        return "not an image"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    except Exception as error:  # a header Pillow chokes on is as unreadable as a missing file
        return f"cannot be read ({type(error).__name__})"
    if width * height > MAX_PIXELS:
        return f"too large: {width}x{height} px (at most {MAX_PIXELS:,} pixels)"
    return None


def _output_names(sources: list[Path]) -> tuple[dict[Path, str], list[str]]:
    """An output name for every source that no other source shares, and a note per rename.

    A photo in a format stlib writes keeps its name; any other becomes ``<stem>.png``, or
    ``<name>.png`` (``e.gif.png``) when another photo has that name. Names are compared without
    case, so the outputs also stay apart on macOS and Windows disks.
    """
    writable = [s for s in sources if s.suffix.lower() in outputs.IMAGE_SUFFIXES]
    others = [s for s in sources if s not in writable]
    names: dict[Path, str] = {}
    taken: dict[str, Path] = {}
    notes = []
    for source in writable + others:  # photos that keep their own name choose first
        wanted = source.name if source in writable else f"{source.stem}.png"
        name, extra = wanted, 1
        while name.lower() in taken:
            name = f"{source.name}.png" if extra == 1 else f"{source.name}-{extra}.png"
            extra += 1
        if name != wanted:
            notes.append(
                f"note: {source.name} and {taken[wanted.lower()].name} would both be written as "
                f"{wanted}; {source.name} is written as {name}"
            )
        names[source] = name
        taken[name.lower()] = source
    return names, notes


def plan_folder(
    folder: str | os.PathLike, output: str | os.PathLike, *, inputs: Iterable[object] = ()
) -> FolderPlan:
    """Check a folder run before any work: the output folder, every entry, every output name.

    Args:
        folder: the photos (not searched below: a sub-folder is skipped and named).
        output: the folder for the pastiches; not the photos' folder, not a file.
        inputs: the other files the run reads (the paintings): no output may be one of them.

    Raises:
        OutputPathError: the output is unusable, or the folder holds no photo.
    """
    folder, out_dir = Path(folder).expanduser(), Path(output).expanduser()
    if out_dir.suffix.lower() in outputs.IMAGE_SUFFIXES or out_dir.is_file():
        raise outputs.OutputPathError(
            f"CONTENT '{folder}' is a folder, so --output must name a folder for the pastiches, "
            f"not the file '{out_dir}'"
        )
    if out_dir.resolve() == folder.resolve():
        raise outputs.OutputPathError(
            f"--output '{out_dir}' is the CONTENT folder: the pastiches would replace the photos; "
            "choose another folder"
        )
    try:
        entries = sorted(e for e in folder.iterdir() if not e.name.startswith("."))
    except OSError as error:
        raise outputs.OutputPathError(
            f"CONTENT '{folder}' cannot be read ({error.strerror})"
        ) from None
    # Hidden files (.DS_Store, editors' backups) are nobody's photos and are not mentioned.
    skipped, photos = [], []
    for entry in entries:
        problem = image_problem(entry)
        if problem is None:
            photos.append(entry)
        else:
            skipped.append((entry.name + ("/" if entry.is_dir() else ""), problem))
    if not photos:
        others = f" ({len(skipped)} other entr{'y' if len(skipped) == 1 else 'ies'} skipped)"
        raise outputs.OutputPathError(
            f"CONTENT '{folder}' holds no image to stylise" + (others if skipped else "")
        )
    names, notes = _output_names(photos)
    inputs = [*map(str, photos), *inputs]
    targets = [("output", out_dir / names[photo], outputs.IMAGE_SUFFIXES) for photo in photos]
    checked = outputs.check_run_paths(targets, inputs=inputs)
    jobs = [FolderJob(photo, target) for photo, target in zip(photos, checked)]
    return FolderPlan(folder, out_dir, jobs, skipped, notes)


def _short_reason(error: BaseException) -> str:
    """'No space left on device', 'unreadable image': what the summary says of a failure."""
    from stlib.images import ImageError  # only after the work began: TensorFlow is loaded

    if isinstance(error, outputs.WriteError):
        return error.strerror or "not written"
    if isinstance(error, ImageError):
        return "unreadable image"
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return type(error).__name__


def _listed(items: list[tuple[str, str]], most: int = 3) -> str:
    """[('a.png', 'too large: 9000x9000 px (...)'), ...] -> 'too large: 9000x9000 px: a.png'.

    Entries with the same reason are grouped; the parenthesised detail is left to the line
    printed for each entry."""
    groups: dict[str, list[str]] = {}
    for name, reason in items:
        groups.setdefault(reason.split(" (")[0], []).append(name)
    worded = []
    for reason, names in groups.items():
        more = f" and {len(names) - most} more" if len(names) > most else ""
        worded.append(f"{reason}: {', '.join(names[:most])}{more}")
    return "; ".join(worded)


class FolderTally:
    """Counts what a folder run did and words the summary (``stlib.folders`` module docstring)."""

    def __init__(self, plan: FolderPlan) -> None:
        self.plan = plan
        self.written_count = 0
        self.failures: list[tuple[str, str]] = []

    def written(self, job: FolderJob) -> None:
        self.written_count += 1

    def failed(self, job: FolderJob, error: BaseException) -> str:
        """Count a failure; returns the line to show now (the file and the whole reason)."""
        self.failures.append((job.source.name, _short_reason(error)))
        return f"failed {job.source.name}: {error}"

    @property
    def any_failed(self) -> bool:
        return bool(self.failures)

    def summary(self, *, seconds: float | None = None) -> str:
        """``9 entries of photos: 7 written to out, 1 skipped (big.png: too large ...), ...``"""
        plan = self.plan
        total = len(plan.jobs) + len(plan.skipped)
        parts = [f"{self.written_count} written to {plan.out_dir}"]
        if plan.skipped:
            parts.append(f"{len(plan.skipped)} skipped ({_listed(plan.skipped)})")
        if self.failures:
            parts.append(f"{len(self.failures)} failed ({_listed(self.failures)})")
        left = len(plan.jobs) - self.written_count - len(self.failures)
        if left:
            parts.append(f"{left} not reached")
        text = f"{total} entr{'y' if total == 1 else 'ies'} of {plan.folder}: {', '.join(parts)}"
        return text + (f" in {seconds:.1f} s" if seconds is not None else "")
