"""stlib.background: Gatys' optimisation in a thread, watched and stopped as a page does it."""

from __future__ import annotations

import time

import numpy as np
import pytest

from stlib.background import BackgroundTransfer
from stlib.gatys import preset
from stlib.images import ImageError

pytestmark = pytest.mark.weights


def _wait_for_step(run: BackgroundTransfer, step: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while run.progress().step < step and not run.done:
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)


def test_a_run_reports_every_step_and_ends_with_the_result(vgg_weights, samples_available):
    run = BackgroundTransfer("tuebingen", "starry_night", preset("stlib", size=64, steps=3))
    before = run.progress()
    assert (before.step, before.total, before.fraction, before.image) == (0, 3, 0.0, None)
    assert run.start() is run and run.wait(120)
    assert run.error is None and run.done and not run.stopped
    after = run.progress()
    assert after.done and after.step == 3 and after.fraction == 1.0
    assert after.history.steps == [1, 2, 3] == run.result.history.steps
    assert after.history.terms["total"] == run.result.history.terms["total"]
    np.testing.assert_array_equal(after.image, run.result.image.numpy()[0])  # the final image
    assert after.image.shape == (48, 64, 3) and run.seconds > 0


def test_stop_ends_after_the_step_in_progress_and_keeps_the_pastiche(
    vgg_weights, samples_available
):
    run = BackgroundTransfer(
        "tuebingen", "starry_night", preset("stlib", size=64, steps=500), preview_every=2
    ).start()
    _wait_for_step(run, 2)
    run.stop()
    assert run.progress().stopping
    assert run.wait(60)
    history = run.result.history
    assert run.error is None and run.stopped and history.stopped_early
    assert 2 <= len(history) < 500
    assert run.result.image.shape == (1, 48, 64, 3)


def test_a_failure_is_kept_for_the_page_to_word(vgg_weights):
    too_small = np.zeros((20, 20, 3), np.uint8)
    run = BackgroundTransfer(too_small, too_small, preset("stlib", size=64, steps=2)).start()
    assert run.wait(60)
    assert isinstance(run.error, ImageError) and run.result is None
    assert "shorter side must be at least 32 pixels" in str(run.error)
    assert run.progress().done and run.progress().step == 0


def test_previews_need_a_positive_interval():
    with pytest.raises(ValueError, match="preview_every must be at least 1, got 0"):
        BackgroundTransfer("a", "b", preset("stlib"), preview_every=0)


# --- told rather than polling (the notebooks' explorer): on_step, on_done, run() here ----------
# Random VGG weights (weights=None) and tiny images: these check the plumbing, not the pastiche.

_rng = np.random.default_rng(0)
_CONTENT = _rng.random((48, 64, 3)).astype(np.float32)
_STYLE = _rng.random((40, 40, 3)).astype(np.float32)


def _told(steps: int, content=_CONTENT, stop_at: int = 0) -> tuple[BackgroundTransfer, list, list]:
    """A run on random weights that records what its callbacks see: (run, steps, ends); its
    ``on_step`` calls ``stop()`` at step ``stop_at``."""
    seen, ended, runs = [], [], []

    def on_step(step) -> None:
        seen.append(step.step)
        if step.step == stop_at:
            runs[0].stop()

    run = BackgroundTransfer(
        content,
        content if content is not _CONTENT else _STYLE,
        preset("stlib", size=48, steps=steps, optimizer="adam"),
        weights=None,
        on_step=on_step,
        on_done=lambda run: ended.append((run.done, run.result, run.error)),
    )
    runs.append(run)
    return run, seen, ended


def test_on_step_and_on_done_are_called_and_run_works_in_the_calling_thread():
    run, seen, ended = _told(3)
    assert run.run() is run and run.done and run.error is None
    assert seen == [1, 2, 3] == run.result.history.steps
    assert ended == [(False, run.result, None)]  # before done turns True: waiters see its effects
    assert not run.thread.is_alive()  # the work was done here, no thread started
    with pytest.raises(RuntimeError, match="already been started"):
        run.start()


def test_a_stop_from_on_step_ends_the_run_at_the_next_step_without_calling_on_step():
    run, seen, ended = _told(20, stop_at=1)
    run.start()
    assert run.wait(60) and run.stopped and len(ended) == 1
    assert seen == [1] and run.result.history.steps == [1, 2]  # step 2 recorded, then stopped


def test_an_error_in_the_run_reaches_on_done_and_error():
    run, seen, ended = _told(2, content=np.zeros((20, 20, 3), np.float32))
    run.start().thread.join(60)
    assert run.done and isinstance(run.error, ImageError) and seen == []
    assert ended == [(False, None, run.error)]
