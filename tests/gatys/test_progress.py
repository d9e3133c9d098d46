"""Steps and callbacks (stlib/gatys/progress.py, with Step, every and StopTransfer from history):
the callbacks see every step by number, every(k, fn) takes snapshots, StopTransfer ends the run
early."""

from __future__ import annotations

import pytest

from stlib.gatys import GatysConfig, StopTransfer, every, transfer


def test_callbacks_see_steps_snapshots_and_can_stop(content, style):
    seen, snapshots = [], []

    def watch(step):
        seen.append(step.step)
        if step.step == 6:
            raise StopTransfer

    config = GatysConfig(size=64, steps=20)
    result = transfer(
        content,
        style,
        config,
        progress=False,
        weights=None,
        callbacks=[watch, every(2, lambda s: snapshots.append((s.step, s.image.shape)))],
    )
    assert seen == [1, 2, 3, 4, 5, 6]
    assert snapshots == [
        (2, (1, 48, 64, 3)),
        (4, (1, 48, 64, 3)),
    ]  # step 6 raised before every() ran
    assert result.history.stopped_early and len(result.history) == 6
    with pytest.raises(ValueError, match="k >= 1"):
        every(0, print)
