"""The time-to-quality benchmark: its stopping rule, and one tiny end-to-end run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stlib.gatys import Step, StopTransfer

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from gatys_time_to_quality import StopAtTarget  # noqa: E402


def step(number: int, loss: float, seconds: float = 1.0, scale: int = 0) -> Step:
    return Step(number, 100, scale, {"total": loss}, seconds, lambda: "image")


def test_a_float32_route_stops_at_the_first_step_at_or_below_the_target():
    stop = StopAtTarget(100.0, last_scale=0, name="f32")
    stop(step(1, 150.0))
    with pytest.raises(StopTransfer):
        stop(step(2, 100.0, seconds=7.5))
    assert stop.seconds == 7.5


def test_a_coarse_scale_never_counts():
    stop = StopAtTarget(100.0, last_scale=1, name="multiscale")
    stop(step(1, 50.0, scale=0))  # a coarse loss is another objective: no stop
    assert stop.seconds is None


def test_a_bfloat16_route_is_judged_by_the_exact_score_only():
    scored = []

    def exact(image):
        scored.append(image)
        return 101.0 if len(scored) == 1 else 99.0

    stop = StopAtTarget(100.0, last_scale=0, name="bf16", exact=exact, rescore_every=5)
    stop(step(4, 90.0))  # below the target by its own estimate, but not a re-scoring step
    stop(step(5, 90.0))  # re-scored: 101 > 100, goes on
    stop(step(6, 90.0))
    assert stop.seconds is None and len(scored) == 1
    with pytest.raises(StopTransfer):
        stop(step(10, 99.5, seconds=3.0))
    assert stop.seconds == 3.0 and scored == ["image", "image"]


@pytest.mark.weights
@pytest.mark.slow
def test_a_tiny_benchmark_run_prints_consistent_json(vgg_weights, samples_available, tmp_path):
    out = tmp_path / "results" / "tiny.json"
    command = [
        sys.executable,
        str(BENCHMARKS / "gatys_time_to_quality.py"),
        "--size",
        "64",
        "--tutorial-steps",
        "20",
        "--max-steps",
        "60",
        "--routes",
        "lbfgs,adam-bf16",
        "--out",
        str(out),
    ]
    printed = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=True
    ).stdout
    report = json.loads(printed)
    assert json.loads(out.read_text()) == report
    target = report["tutorial"]["final_loss"]
    assert report["tutorial"]["steps"] == 20
    for name, route in report["stlib"].items():
        if route["seconds_to_reach_tutorial_loss"] is not None:
            # A route that says it reached the tutorial's loss really did, by the common float32
            # scorer.
            assert route["final_loss"] <= target, name
            assert route["speedup"] == pytest.approx(
                report["tutorial"]["seconds"] / route["seconds_to_reach_tutorial_loss"]
            )
    assert report["stlib"]["adam-bf16"]["precision"] == "bfloat16"
