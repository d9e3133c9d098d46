"""How stlib shows long work: one progress bar for steps, images and training alike.

A bar in notebooks (a widget), a line that redraws itself in terminals (``tqdm.auto``); the
losses, when there are any, after the count with four significant digits; lines said while it
runs (a photo that failed) printed above it, not through it. ``show=False`` draws nothing and
costs nothing, for tests and ``--quiet``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import TextIO

__all__ = ["ProgressBar", "each"]


class ProgressBar:
    """``total`` units of work (``unit``: "step", "image", "B"), named ``what``; ``initial``
    already done (a resumed training).

    ``total=None``: a count without an end (a download whose size the server does not say).
    ``unit="B"`` counts bytes as kB, MB. ``keep=False`` clears the bar when it closes (a download
    is a preamble to the work, not a result).
    """

    def __init__(
        self,
        total: int | None,
        what: str,
        unit: str,
        *,
        show: bool = True,
        initial: int = 0,
        keep: bool = True,
    ) -> None:
        from tqdm.auto import tqdm  # tqdm.auto picks the notebook widget where there is one

        self._bar = tqdm(
            total=total,
            initial=initial,
            desc=what,
            unit=unit,
            unit_scale=unit == "B",
            leave=keep,
            disable=not show,
        )

    @property
    def total(self) -> int | None:
        return self._bar.total

    @property
    def done(self) -> int:
        """The units counted so far (``initial`` included)."""
        return self._bar.n

    def label(self, text: str) -> None:
        """Name the piece of work under way after the count (``"figures 3/14, speed"``)."""
        self._bar.set_postfix_str(text)

    def advance(self, count: int = 1, losses: Mapping[str, float] | None = None) -> None:
        """``count`` more units done; ``losses`` (name -> value) shown after the count."""
        self._bar.update(count)
        if losses:
            self._bar.set_postfix({k: f"{v:.4g}" for k, v in losses.items()}, refresh=False)

    def say(self, line: str, file: TextIO | None = None) -> None:
        """Print ``line`` above the bar (stderr by default), which is drawn again below it."""
        self._bar.write(line, file=file or sys.stderr)

    def restart(self) -> None:
        """Back to 0 of the same total (a download that starts again)."""
        self._bar.reset()

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def each(
    items: Iterable, what: str, unit: str, *, show: bool = True, keep: bool = True
) -> Iterator:
    """Each of ``items`` in turn while a ``ProgressBar`` counts them (closed at the end, or when
    the loop stops early): ``for size in each(SIZES, "speed: networks", "size"): ...``."""
    items = list(items)
    with ProgressBar(len(items), what, unit, show=show, keep=keep) as bar:
        for item in items:
            yield item
            bar.advance()
