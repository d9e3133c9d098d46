"""Gatys' optimisation in a background thread: a page polls its progress and may stop it.

A web page cannot sit inside ``stylize`` for a minute: it must redraw, answer the Stop button
and keep its other controls alive. ``BackgroundTransfer`` runs ``stlib.gatys.stylize`` in a
thread and keeps, behind a lock, what a page shows while it runs: the step, the losses so far (a
``History`` that ``stlib.plotting`` draws) and the latest pastiche every ``preview_every`` steps.
``stop()`` makes the next step raise ``StopTransfer``, so ``stylize`` returns the pastiche reached
so far with ``history.stopped_early`` set, as it does for any callback that stops it.

    run = BackgroundTransfer("tuebingen", "starry_night", preset("stlib", size=256)).start()
    while not run.done:
        view = run.progress()       # step, total, losses, latest image; draw them
        time.sleep(0.5)
    image = run.result.image        # or run.error: what went wrong, for the page to word

A front end that is told rather than polling (an ipywidgets explorer) passes ``on_step`` and
``on_done``: ``on_step(step)`` after every step, ``on_done(run)`` once at the end, both in the
run's thread. ``run()`` does the same work in the calling thread, as ``threading.Thread.run``
does: a script or a test gets the same callbacks, stop and result without a thread.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stlib.gatys.config import GatysConfig
from stlib.gatys.engine import stylize
from stlib.gatys.history import History, Step, StopTransfer
from stlib.results import Result

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
    """``stylize(content, style, config, init_image=...)`` in a daemon thread.

    Args:
        content, style, config, init_image, weights, masks: as for ``stlib.gatys.stylize``.
        preview_every: keep the pastiche every k steps (and the last), for the page to show;
            building it costs a copy of the image, not a VGG pass.
        on_step: called with each ``Step`` (losses, image [1, H, W, 3]) once it is recorded, in
            the run's thread; not called for the step at which a ``stop()`` ends the run. An
            exception it raises ends the run and becomes ``error``.
        on_done: called with this run once it has ended (``result`` or ``error`` set), in the
            run's thread, before ``done`` turns True: whoever waits for the run sees its effects.

    After ``done``: ``result`` is the ``Result`` (also after ``stop()``), or ``error``
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
        masks: Any = None,
        preview_every: int = 5,
        on_step: Callable[[Step], None] | None = None,
        on_done: Callable[[BackgroundTransfer], None] | None = None,
    ) -> None:
        if preview_every < 1:
            raise ValueError(f"preview_every must be at least 1, got {preview_every}")
        self.id = next(_ids)  # tells runs apart (a page keeps the id of the run it showed)
        self.config = config
        self.preview_every = preview_every
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.seconds = 0.0
        self._arguments = (content, style, config, init_image, weights, masks)
        self._on_step, self._on_done = on_step, on_done
        self._started = False
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
        """Start the run in its thread; returns this run at once."""
        self._begin()
        self._thread.start()
        return self

    def run(self) -> BackgroundTransfer:
        """Do the run here, in the calling thread; returns this run once it has ended.

        ``stop()`` (from ``on_step`` or another thread) ends it as it ends a started run; a
        failure is kept in ``error`` (not raised), as for a run in its thread.
        """
        self._begin()
        self._run()
        return self

    @property
    def thread(self) -> threading.Thread:
        """The thread ``start()`` runs in (to ``join`` it); never started after ``run()``."""
        return self._thread

    def _begin(self) -> None:
        if self._started:
            raise RuntimeError(f"run {self.id} has already been started; make a new one")
        self._started = True
        self._start = time.perf_counter()

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
        if self._on_step is not None:
            self._on_step(step)

    def _run(self) -> None:
        content, style, config, init_image, weights, masks = self._arguments
        try:
            self.result = stylize(
                content,
                style,
                config,
                callbacks=[self._watch],
                progress=False,
                init_image=init_image,
                weights=weights,
                masks=masks,
            )
            with self._lock:  # the final image (with the content's colours, if asked)
                self._image = self.result.image.numpy()[0]
                self._image_step = len(self.result.history) and self.result.history.steps[-1]
        except Exception as error:  # handed to the page, which words it as the CLI would
            self.error = error
        finally:
            self.seconds = time.perf_counter() - self._start
            try:
                if self._on_done is not None:
                    self._on_done(self)
            finally:
                self._done.set()
