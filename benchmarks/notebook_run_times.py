"""How long notebooks 02-05 take in full mode on this machine, from measured step times.

Running the notebooks in full mode takes most of an hour each on a 2-core CPU, so this script
measures instead: for every kind of optimisation a notebook runs in full mode (its size, layers,
optimiser, precision, number of styles), a probe runs ``--probe-steps`` steps and gives the time
per step (steps 2 onwards, so tracing is left out) and the set-up time before the first step. The
estimate of a run is set-up + steps x time per step, and a notebook's estimate is the sum over its
runs. The runs below mirror the notebooks' full-mode settings (``settings.quick_or(full, ...)``
in each notebook's first code cell); the cells that do not optimise (plots, feature maps, FLOP
counts) add about what they take in quick mode, which the notebooks' Runtime lines state.
L-BFGS's steps get dearer while its history fills (20 pairs for the presets): at 256 px the
five-layer step is 0.37 s over the first 8 steps and 0.42 s averaged over 150
(``benchmarks/lbfgs_history.py``), so read the estimates as lower bounds, about 15 % low.

Prints JSON: per notebook the estimated minutes, and per probe the seconds per step.
Run: ``python benchmarks/notebook_run_times.py`` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass, field

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from stlib.startup import start_tensorflow  # noqa: E402

start_tensorflow()

from stlib import hardware  # noqa: E402
from stlib.gatys import GatysConfig, preset, transfer  # noqa: E402
from stlib.gatys.config import STYLE_LAYERS_GATYS  # noqa: E402


@dataclass(frozen=True)
class Run:
    """``count`` runs of ``steps`` steps each with ``config`` (its ``steps`` field is ignored)."""

    label: str
    config: GatysConfig
    steps: int
    count: int = 1
    content: str = "tuebingen"
    styles: tuple[str, ...] = ("starry_night",)


@dataclass
class Probe:
    seconds_per_step: float
    setup_seconds: float
    steps: int = field(default=0)


def _nb02_runs() -> list[Run]:
    size, steps = 256, 300
    runs = [
        Run(
            f"reconstruction {layer}",
            GatysConfig(content_layers={layer: 1.0}, style_layers={}, init="noise", size=size),
            steps,
            styles=(),
        )
        for layer in ("conv1_2", "conv2_2", "conv3_2", "conv4_2", "conv5_2")
    ]
    for depth in range(1, 6):
        layers = STYLE_LAYERS_GATYS[:depth]
        config = GatysConfig(
            content_layers={},
            style_layers={layer: 1.0 / depth for layer in layers},
            init="noise",
            size=size,
        )
        # The last texture, conv1_1 ... conv5_1, runs twice: on the painting and on the photo.
        runs.append(Run(f"texture, {depth} layers", config, steps, count=2 if depth == 5 else 1))
    return runs


def _nb03_runs() -> list[Run]:
    size, steps = 384, 200
    base = preset("stlib", size=size)
    runs = [
        Run("L-BFGS from the content", base, steps),
        Run("Adam from the content", base.replace(optimizer="adam"), steps),
        Run("L-BFGS on the device (lbfgs-tf)", base.replace(optimizer="lbfgs-tf"), steps),
        Run("L-BFGS from noise or the style (4 runs)", base.replace(init="noise"), steps, 4),
    ]
    if hardware.bfloat16_units():  # the notebook runs these only where the hardware has them
        runs += [
            Run("L-BFGS, bfloat16", base.replace(precision="bfloat16"), steps),
            Run("Adam, bfloat16", base.replace(optimizer="adam", precision="bfloat16"), steps),
        ]
    return runs


def _nb04_runs() -> list[Run]:
    size, steps = 256, 300
    runs = []
    for depth in range(1, 6):
        layers = STYLE_LAYERS_GATYS[:depth]
        config = preset(
            "gatys2016", size=size, style_layers={layer: 1.0 / depth for layer in layers}
        )
        runs.append(
            Run(
                f"Fig. 3 row {'ABCDE'[depth - 1]} (4 ratios)",
                config,
                steps,
                4,
                "tuebingen",
                ("composition_vii",),
            )
        )
    return runs


def _nb05_runs(high_res: int) -> list[Run]:
    size, steps = 384, 200
    base = preset("stlib", size=size)
    scream = ("the_scream",)
    runs = [
        Run("colour: original, luminance, histogram", base, steps, 3, styles=scream),
        Run("style_scale 0.5 and 2", base, steps, 2, styles=scream),
        Run(f"single scale at {high_res} px", base.replace(size=high_res), steps, styles=scream),
        Run(
            f"coarse to fine: {high_res // 2} px",
            base.replace(size=high_res // 2),
            steps,
            styles=scream,
        ),
        Run(
            f"coarse to fine: {high_res} px", base.replace(size=high_res), steps // 2, styles=scream
        ),
        Run(
            "five blends of two styles at 256 px",
            base.replace(size=256),
            steps,
            5,
            styles=("the_scream", "composition_vii"),
        ),
    ]
    return runs


def probe(run: Run, probe_steps: int) -> Probe:
    """Time ``probe_steps`` steps of ``run``'s config: seconds per step and set-up seconds."""
    config = run.config.replace(steps=probe_steps)
    start = time.perf_counter()
    result = transfer(run.content, list(run.styles), config, progress=False)
    wall = time.perf_counter() - start
    seconds = result.history.seconds
    per_step = (seconds[-1] - seconds[0]) / (len(seconds) - 1)
    return Probe(per_step, wall - per_step * (len(seconds) - 1), len(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe-steps", type=int, default=10)
    parser.add_argument("--only", nargs="*", help="notebooks to estimate, e.g. nb03 nb04")
    args = parser.parse_args()

    gpu = bool(hardware.gpu_names())
    notebooks = {
        "nb02": _nb02_runs(),
        "nb03": _nb03_runs(),
        "nb04": _nb04_runs(),
        "nb05": _nb05_runs(1024 if gpu else 512),  # notebook 05 picks its size by the device
    }
    report = {
        "machine": f"{hardware.cpu_name()}, {os.cpu_count()} cores",
        "gpu": hardware.gpu_names(),
        "probe_steps": args.probe_steps,
        "notebooks": {},
    }
    for name, runs in notebooks.items():
        if args.only and name not in args.only:
            continue
        total, details = 0.0, []
        for run in runs:
            measured = probe(run, args.probe_steps)
            seconds = run.count * (measured.setup_seconds + run.steps * measured.seconds_per_step)
            total += seconds
            details.append(
                {
                    "run": run.label,
                    "count": run.count,
                    "steps": run.steps,
                    "size": run.config.size,
                    "seconds_per_step": round(measured.seconds_per_step, 3),
                    "setup_seconds": round(measured.setup_seconds, 1),
                    "estimated_minutes": round(seconds / 60, 1),
                }
            )
            print(json.dumps({name: details[-1]}), flush=True)
        report["notebooks"][name] = {
            "estimated_minutes": round(total / 60, 1),
            "runs": details,
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
