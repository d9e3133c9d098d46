"""Gatys' optimisation in a background thread: a page polls its progress and may stop it.

A web page cannot sit inside ``transfer`` for a minute: it must redraw, answer the Stop button
and keep its other controls alive. ``BackgroundTransfer`` runs ``stlib.gatys.transfer`` in a
thread and keeps, behind a lock, what a page shows while it runs: the step, the losses so far (a
``History`` that ``stlib.plotting`` draws) and the latest pastiche every ``preview_every`` steps.
``stop()`` makes the next step raise ``StopTransfer``, so ``transfer`` returns the pastiche reached
so far with ``history.stopped_early`` set, as it does for any callback that stops it.

    run = BackgroundTransfer("tuebingen", "starry_night", preset("stlib", size=256)).start()
    while not run.done:
        view = run.progress()       # step, total, losses, latest image; draw them
        time.sleep(0.5)
    image = run.result.image        # or run.error: what went wrong, for the page to word
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stlib.gatys.config import GatysConfig
from stlib.gatys.engine import TransferResult, transfer
from stlib.gatys.history import History, Step, StopTransfer

__all__ = ["BackgroundTransfer", "Progress"]

_ids = itertools.count(1)


@dataclass(frozen=True)
class Progress:
    """What a page shows of a run, copied under the lock: safe to read while the run goes on.

    ``image`` is the latest preview, float32 [H, W, 3] in [0, 1] (None before the first);
    ``history`` holds the losses of every step so far. With ``preserve_color="luminance"`` the
    previews are the gray luminance being optimised; the final image has the content's colours.
    """

    step: int
    total: int
    seconds: float
    image: np.ndarray | None
    image_step: int
    history: History = field(repr=False)
    done: bool
    stopping: bool

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total) if self.total else 0.0


class BackgroundTransfer:
    """``transfer(content, style, config, init_image=...)`` in a daemon thread.

    Args:
        content, style, config, init_image, weights: as for ``stlib.gatys.transfer``.
        preview_every: keep the pastiche every k steps (and the last), for the page to show;
            building it costs a copy of the image, not a VGG pass.

    After ``done``: ``result`` is the ``TransferResult`` (also after ``stop()``), or ``error``
    is the exception the run raised (a ``SettingError``, an ``ImageError``, a ``TransferError``,
    anything else), for the page to word. ``seconds`` is the wall time of the whole run.
    """

    def __init__(
        self,
        content: Any,
        style: Any | Sequence[Any],
        config: GatysConfig,
        *,
        init_image: Any = None,
        weights: Any = "imagenet",
        preview_every: int = 5,
    ) -> None:
        if preview_every < 1:
            raise ValueError(f"preview_every must be at least 1, got {preview_every}")
        self.id = next(_ids)  # tells runs apart (a page keeps the id of the run it showed)
        self.config = config
        self.preview_every = preview_every
        self.result: TransferResult | None = None
        self.error: BaseException | None = None
        self.seconds = 0.0
        self._arguments = (content, style, config, init_image, weights)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._done = threading.Event()
        self._history = History()
        self._image: np.ndarray | None = None
        self._image_step = 0
        self._start = 0.0
        self._thread = threading.Thread(target=self._run, name=f"stlib-transfer-{self.id}")
        self._thread.daemon = True  # a server that quits does not wait for a run nobody watches

    def start(self) -> BackgroundTransfer:
        self._start = time.perf_counter()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the run to stop after the step in progress (it keeps the pastiche reached)."""
        self._stop.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def stopped(self) -> bool:
        """Whether the run ended early because ``stop()`` was called."""
        return self._stop.is_set() and self.result is not None and self.result.history.stopped_early

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends (or ``timeout`` seconds pass); True when it has ended."""
        return self._done.wait(timeout)

    def progress(self) -> Progress:
        with self._lock:
            history = History(
                steps=list(self._history.steps),
                scale=list(self._history.scale),
                seconds=list(self._history.seconds),
                evaluations=list(self._history.evaluations),
                terms={name: list(values) for name, values in self._history.terms.items()},
            )
            step = history.steps[-1] if history.steps else 0
            return Progress(
                step=step,
                total=self.config.total_steps,
                seconds=(self.seconds if self.done else time.perf_counter() - self._start),
                image=self._image,
                image_step=self._image_step,
                history=history,
                done=self.done,
                stopping=self._stop.is_set(),
            )

    def _watch(self, step: Step) -> None:
        """The callback ``transfer`` calls after every step."""
        preview = step.step % self.preview_every == 0 or step.is_last or step.step == 1
        image = step.image.numpy()[0] if preview else None  # outside the lock: a tensor copy
        with self._lock:
            self._history.record(step.step, step.scale, step.seconds, 0, step.losses)
            if image is not None:
                self._image, self._image_step = image, step.step
        if self._stop.is_set():
            raise StopTransfer

    def _run(self) -> None:
        content, style, config, init_image, weights = self._arguments
        try:
            self.result = transfer(
                content,
                style,
                config,
                callbacks=[self._watch],
                progress=False,
                init_image=init_image,
                weights=weights,
            )
            with self._lock:  # the final image (with the content's colours, if asked)
                self._image = self.result.image.numpy()[0]
                self._image_step = len(self.result.history) and self.result.history.steps[-1]
        except Exception as error:  # handed to the page, which words it as the CLI would
            self.error = error
        finally:
            self.seconds = time.perf_counter() - self._start
            self._done.set()
