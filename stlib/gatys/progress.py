"""A run's bookkeeping, kept out of the algorithm: step numbers, history, progress bar, callbacks.

The optimizers call ``progress.step(image_fn, terms, evaluations)`` after each of their steps and
know nothing else; ``transfer`` tells the ``Progress`` when a scale starts and ends.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import tensorflow as tf

from stlib.gatys.config import GatysConfig
from stlib.gatys.history import Callback, History, Step, TransferError
from stlib.progress import ProgressBar

__all__ = ["Progress", "not_finite_message", "terms_text"]


class Progress:
    """Numbers the steps over all scales, records them, moves the bar and calls the callbacks.

    ``latest_image()`` is the pastiche after the last recorded step (what Ctrl-C keeps); a loss
    that is NaN or infinite raises ``TransferError`` naming the weights.
    """

    def __init__(self, config: GatysConfig, callbacks: Sequence[Callback] = (), show: bool = True):
        self.config = config
        self.callbacks = list(callbacks)
        self.history = History()
        self.done = 0  # steps recorded, over all scales
        self.scale = 0
        self._scheduled_end = 0  # the step number at which the current scale ends
        self._evaluations_before = 0  # loss evaluations of this scale before a precision switch
        self._latest: Callable[[], tf.Tensor] | None = None
        self._bar = ProgressBar(config.total_steps, "style transfer", "step", show=show)
        self._start = time.perf_counter()

    def start_scale(self, index: int, height: int, width: int) -> None:
        self.scale = index
        self._scheduled_end += self.config.steps_per_scale[index]
        self._evaluations_before = 0
        self.history.sizes.append((int(height), int(width)))

    def step(
        self,
        image_fn: Callable[[], tf.Tensor],
        terms: dict[str, float],
        evaluations: int,
        finished_at: float | None = None,
    ):
        """Record one optimizer step: ``image_fn()`` gives the pastiche, ``terms`` its losses.

        ``finished_at``: the ``time.perf_counter()`` at which the step was done, for optimizers
        that report several steps at once (``lbfgs-tf``); now when None.
        """
        if not math.isfinite(terms["total"]):
            raise TransferError(not_finite_message(terms, self.done + 1, self.config))
        self.done += 1
        self._latest = image_fn
        seconds = (time.perf_counter() if finished_at is None else finished_at) - self._start
        evaluations += self._evaluations_before
        self.history.record(self.done, self.scale, seconds, evaluations, terms)
        self._bar.advance(losses={"loss": terms["total"]})
        step = Step(self.done, self.config.total_steps, self.scale, terms, seconds, image_fn)
        for callback in self.callbacks:
            callback(step)

    def switched_to_float32(self) -> None:
        """L-BFGS goes on in float32 after bfloat16: evaluations count on, the switch is noted."""
        self.history.precision_switches.append(self.done)
        in_this_scale = bool(self.history) and self.history.scale[-1] == self.scale
        self._evaluations_before = self.history.evaluations[-1] if in_this_scale else 0

    @property
    def steps_left_in_scale(self) -> int:
        return self._scheduled_end - self.done

    def end_scale(self) -> None:
        """L-BFGS may end a scale early: later steps keep the numbers the schedule gives them."""
        self._bar.advance(self._scheduled_end - self.done)
        self.done = self._scheduled_end

    def latest_image(self) -> tf.Tensor | None:
        return self._latest() if self._latest is not None else None

    def close(self) -> None:
        self._bar.close()


def terms_text(terms: dict[str, float]) -> str:
    """'content 0, style 2.2e-08, tv 0': the weighted terms of a loss, for messages."""
    return ", ".join(
        f"{name} {float(value):.4g}" for name, value in terms.items() if name != "total"
    )


def not_finite_message(terms: dict[str, float], step: int, config: GatysConfig) -> str:
    """Why the loss is NaN or infinite, in terms of the settings that scale it."""
    message = (
        f"the loss became {float(terms['total'])} at step {step} ({terms_text(terms)}): the "
        f"weights ({{content_weight={config.content_weight:g}}}, {{style_weight="
        f"{config.style_weight:g}}}, {{tv_weight={config.tv_weight:g}}}) make it overflow "
        "float32; lower them"
    )
    if config.optimizer == "adam":
        message += f", or lower {{learning_rate={config.learning_rate:g}}}"
    return message
