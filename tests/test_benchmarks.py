"""The time-to-quality benchmark: its stopping rule, route names, time shares, and one tiny
end-to-end run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stlib.gatys import Step, StopTransfer

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from gatys_time_to_quality import (  # noqa: E402
    StopAtTarget,
    evaluations_by_precision,
    route_config,
    time_shares,
)


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


def test_route_names_select_optimizer_precision_and_xla():
    from stlib.gatys import preset

    base = preset("tf-tutorial", size=64, steps=20)
    config = route_config("lbfgs-tf-bf16-xla", base, max_steps=50, history=7)
    assert (config.optimizer, config.precision, config.jit_compile) == (
        "lbfgs-tf",
        "bfloat16",
        True,
    )
    assert (config.steps, config.lbfgs_history) == (50, 7)
    plain = route_config("lbfgs", base, max_steps=50, history=20)
    assert (plain.optimizer, plain.precision, plain.jit_compile) == ("lbfgs", "float32", False)
    assert route_config("adam-xla", base, 50, 20).optimizer == "adam"
    for wrong in ("lbfgs-tff", "sgd", "adam-fp16"):
        with pytest.raises(SystemExit, match=f"unknown route '{wrong}'"):
            route_config(wrong, base, 50, 20)


def test_time_shares_add_each_precision_s_evaluations_and_leave_the_rest_to_the_optimizer():
    profile = {
        "float32": {"vgg_forward": 0.2, "loss": 0.02, "backward": 0.18},
        "bfloat16": {"vgg_forward": 0.05, "loss": 0.0, "backward": 0.05},
    }
    # 10 bfloat16 evaluations (1 s of VGG) and 5 float32 ones (2 s) in 4 s: 1 s is the rest.
    shares = time_shares(4.0, {"bfloat16": 10, "float32": 5}, profile)
    assert shares == pytest.approx(
        {"vgg_forward": 1.5 / 4, "loss": 0.1 / 4, "backward": 1.4 / 4, "optimizer_and_rest": 1 / 4}
    )


def test_evaluations_are_split_where_bfloat16_switched_to_float32():
    class History:
        evaluations = [2, 3, 5, 6, 7]
        precision_switches = [3]  # steps 1-3 in bfloat16

    assert evaluations_by_precision(History, "bfloat16") == {"bfloat16": 5, "float32": 2}
    assert evaluations_by_precision(History, "float32") == {"float32": 7}
    History.precision_switches = []
    assert evaluations_by_precision(History, "bfloat16") == {"bfloat16": 7}


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
        "10",
        "--max-steps",
        "30",
        "--routes",
        "lbfgs,lbfgs-tf-bf16,adam-bf16",
        "--profile",
        "--repeats",
        "2",
        "--out",
        str(out),
    ]
    printed = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=True
    ).stdout
    report = json.loads(printed)
    assert json.loads(out.read_text()) == report
    target = report["tutorial"]["final_loss"]
    assert report["tutorial"]["steps"] == 10
    for name, route in report["stlib"].items():
        if route["seconds_to_reach_tutorial_loss"] is not None:
            # A route that says it reached the tutorial's loss really did, by the common float32
            # scorer.
            assert route["final_loss"] <= target, name
            assert route["speedup"] == pytest.approx(
                report["tutorial"]["seconds"] / route["seconds_to_reach_tutorial_loss"]
            )
    assert report["stlib"]["adam-bf16"]["precision"] == "bfloat16"
    assert report["stlib"]["lbfgs-tf-bf16"]["optimizer"] == "lbfgs-tf"
    for name, route in [("tutorial", report["tutorial"]), *report["stlib"].items()]:
        assert sum(route["time_shares"].values()) == pytest.approx(1.0), name
    for name, route in report["stlib"].items():
        assert sum(route["evaluations_by_precision"].values()) >= route["steps"], name


@pytest.mark.weights
def test_the_masked_step_benchmark_times_both_steps_side_by_side(vgg_weights, samples_available):
    from masked_step import main

    report = main(["--size", "64", "--regions", "2", "--steps", "1", "--repeats", "1"])
    seconds = report["seconds_per_step"]
    assert seconds["masked"] > 0 and seconds["unmasked"] > 0
    assert report["ratio_masked_to_unmasked"] == pytest.approx(
        seconds["masked"] / seconds["unmasked"], rel=0.01
    )
    assert report["size"] == "64x48"
