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
