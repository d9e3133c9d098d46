"""The pixel optimizers (stlib/gatys/optimizers.py): L-BFGS and Adam keep the pixels in [0, 1] and
lower the loss; in bfloat16, L-BFGS finishes in float32 when its line search stalls, Adam runs on
without a switch."""

from __future__ import annotations

import json

import pytest

from stlib.gatys import GatysConfig, transfer


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam", "lbfgs-tf"])
def test_pixels_stay_in_the_unit_box(optimizer, content, style):
    config = GatysConfig(
        size=64, steps=5, optimizer=optimizer, learning_rate=0.5, init="noise", noise_std=2.0
    )
    result = transfer(content, style, config, progress=False, weights=None)
    values = result.image.numpy()
    assert values.min() >= 0.0 and values.max() <= 1.0
    assert len(result.history) == 5 and result.history.total[-1] < result.history.total[0]


def test_bfloat16_lbfgs_finishes_in_float32_when_its_line_search_stalls(
    monkeypatch, content, style
):
    """L-BFGS in bfloat16 ends early once rounding hides the decrease, then goes on in float32."""
    from stlib.gatys import optimizers

    calls = []
    real = optimizers._lbfgs_b

    def stalls_in_bfloat16(objective, image, steps, history_size, report):
        calls.append((objective.features.precision, steps))
        if objective.features.precision == "bfloat16":
            return real(
                objective, image, 3, history_size, report
            )  # as if the line search gave up at step 3
        return real(objective, image, steps, history_size, report)

    monkeypatch.setattr(optimizers, "_lbfgs_b", stalls_in_bfloat16)
    config = GatysConfig(size=64, steps=8, precision="bfloat16", optimizer="lbfgs")
    result = transfer(content, style, config, progress=False, weights=None)
    history = result.history
    assert calls == [("bfloat16", 8), ("float32", 5)]
    assert history.steps == list(range(1, 9)) and history.precision_switches == [3]
    assert (
        history.evaluations == sorted(history.evaluations)
        and history.evaluations[3] > history.evaluations[2]
    )
    assert json.loads(history.to_json())["precision_switches"] == [3]


def test_bfloat16_adam_runs_without_a_switch(content, style):
    config = GatysConfig(
        size=64, steps=4, optimizer="adam", learning_rate=0.05, precision="bfloat16"
    )
    result = transfer(content, style, config, progress=False, weights=None)
    assert len(result.history) == 4 and result.history.precision_switches == []
    assert result.history.total[-1] < result.history.total[0]


def test_lbfgs_b_runs_with_one_blas_thread_and_gives_the_threads_back(content, style):
    """scipy's BLAS is held to one thread while L-BFGS-B runs (its threads would contend with
    TensorFlow's), and the user's setting is restored afterwards."""
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    during = []
    config = GatysConfig(size=64, steps=3, init="noise", noise_std=2.0, optimizer="lbfgs")
    transfer(
        content,
        style,
        config,
        progress=False,
        weights=None,
        callbacks=[lambda step: during.append(blas_threads())],
    )
    assert before and during and all(threads == [1] * len(before) for threads in during)
    assert blas_threads() == before


class _FakeObjective:
    def __init__(self, precision):
        self.precision = precision

    def in_float32(self):
        return _FakeObjective("float32")


class _Progress:
    def __init__(self):
        self.switches = 0

    def switched_to_float32(self):
        self.switches += 1


@pytest.mark.parametrize(
    "precision, taken, stopped, runs",
    [
        ("bfloat16", 4, False, [("bfloat16", 10, None), ("float32", 6, "memory")]),  # stalled
        ("bfloat16", 10, False, [("bfloat16", 10, None)]),  # all steps taken
        ("bfloat16", 4, True, [("bfloat16", 10, None)]),  # a callback stopped it
        ("float32", 4, False, [("float32", 10, None)]),  # nothing to switch to
    ],
)
def test_finish_in_float32_runs_the_rest_in_float32_only_after_a_bfloat16_stall(
    precision, taken, stopped, runs
):
    from stlib.gatys.objective import finish_in_float32

    seen = []

    def run(objective, image, steps, carried):
        seen.append((objective.precision, steps, carried))
        return image + 1, stopped if len(seen) == 1 else False, taken, "memory"

    progress = _Progress()
    image, was_stopped = finish_in_float32(run, _FakeObjective(precision), 0, 10, progress)
    assert seen == runs
    assert progress.switches == len(runs) - 1
    assert image == len(runs) and was_stopped == stopped
