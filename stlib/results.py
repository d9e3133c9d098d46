"""What every method returns and how a run is watched: ``Result``, ``Interrupted``, ``Step``.

The three methods share one shape (training returns ``Trained(model, history, config)``)::

    result = method.stylize(content, style, config=None, *, progress=True, callbacks=(), **changes)
    image, history, config = result     # [1, H, W, 3] in [0, 1], History or None, the Config

``callbacks`` are called with a ``Step`` after every step: Gatys's optimisation has one per
optimizer step, a feed-forward network one in all (its single pass). A callback raises
``StopTransfer`` to end an optimisation early. Ctrl-C raises ``Interrupted``, a
``KeyboardInterrupt`` whose ``.result`` is the work done so far (None when there is none), so that
code which does not know it still stops as on any Ctrl-C.

No TensorFlow here: the command line imports this before it starts TensorFlow.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Callback",
    "Interrupted",
    "Result",
    "Step",
    "StopTransfer",
    "Trained",
    "every",
    "one_pass",
]


@dataclass(frozen=True)
class Result:
    """A finished (or interrupted) run of any method.

    ``image``: float32 [1, H, W, 3] in [0, 1]; ``history``: the per-step record of an optimisation
    (``stlib.gatys.History``), None for a one-pass network; ``config``: the settings that made it.
    Unpacks as ``image, history, config = result``.
    """

    image: Any
    history: Any
    config: Any

    def __iter__(self) -> Iterator[Any]:
        return iter((self.image, self.history, self.config))


@dataclass(frozen=True)
class Trained:
    """A finished (or interrupted) training of a network: the same shape with a model for an image.

    ``model``: the network; ``history``: its per-step record; ``config``: the training settings.
    Unpacks as ``model, history, config = trained``.
    """

    model: Any
    history: Any
    config: Any

    def __iter__(self) -> Iterator[Any]:
        return iter((self.model, self.history, self.config))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during ``stylize`` or training: ``.result`` is the ``Result`` (or ``Trained``)
    reached so far, or None."""

    def __init__(self, result: Result | Trained | None) -> None:
        super().__init__("interrupted")
        self.result = result

    @property
    def step(self) -> int:
        """The last step completed (0 when none was)."""
        history = self.result.history if self.result is not None else None
        return history.steps[-1] if history else 0


class StopTransfer(Exception):
    """Raise from a callback to end an optimisation early; ``stylize`` returns what it has."""


@dataclass(frozen=True)
class Step:
    """What a callback sees after each step; ``image`` ([1, H, W, 3] in [0, 1]) is built on demand.

    ``losses`` are an optimisation's weighted loss terms (empty for a one-pass network).
    """

    step: int  # 1-based, counted over all scales
    total_steps: int
    scale: int  # index into the config's scales (0 for a one-pass network)
    losses: dict[str, float]
    seconds: float  # since the run began
    _image: Callable[[], Any] = field(repr=False)

    @property
    def image(self) -> Any:
        return self._image()

    @property
    def is_last(self) -> bool:
        return self.step == self.total_steps


Callback = Callable[[Step], None]


def every(k: int, callback: Callback) -> Callback:
    """A callback passing every k-th step (and the last) to ``callback``: snapshots, live plots."""
    if k < 1:
        raise ValueError(f"every(k) needs k >= 1, got {k}")

    def maybe(step: Step) -> None:
        if step.step % k == 0 or step.is_last:
            callback(step)

    return maybe


def one_pass(paint: Callable[[], Any], config: Any, callbacks: Sequence[Callback] = ()) -> Result:
    """Run a feed-forward network's single pass as a one-step run: the shape every method shares.

    ``paint()`` returns the pastiche [1, H, W, 3]; each callback sees it as step 1 of 1. Ctrl-C
    raises ``Interrupted``: with no result during the pass (it has no partial work to keep), with
    the pastiche during the callbacks. A ``StopTransfer`` from a callback changes nothing, the one
    step being already done.
    """
    start = time.perf_counter()
    image = None
    try:
        image = paint()
        done = Step(1, 1, 0, {}, time.perf_counter() - start, lambda: image)
        for callback in callbacks:
            try:
                callback(done)
            except StopTransfer:
                pass
    except KeyboardInterrupt:
        raise Interrupted(None if image is None else Result(image, None, config)) from None
    return Result(image, None, config)
