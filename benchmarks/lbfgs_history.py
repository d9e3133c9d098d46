"""Choosing L-BFGS's history length m by measurement: time to the same loss for m = 5 ... 100.

For each image size, the ``gatys2016`` preset (normalised VGG19, noise start, scipy's L-BFGS-B)
runs ``--steps`` iterations with m = 100 (the preset's value, which the paper does not give); its
final loss is the target. Every optimizer in ``--optimizers`` (``lbfgs``: scipy's L-BFGS-B on the
host; ``lbfgs-tf``: projected L-BFGS in one compiled TensorFlow function) and every m then runs
until its loss is at or below the target (at most 1.5 times the steps) and reports the seconds
and steps it needed. A longer history can mean fewer steps, but each step costs more: scipy's
L-BFGS-B builds compact matrices whose size grows with m, the two-loop recursion reads 2 m
vectors of the image's size. The measurement says which wins on this machine.

Prints JSON lines as it goes, then the whole report. Run: ``python benchmarks/lbfgs_history.py
--sizes 256,512 --steps 150,60 --optimizers lbfgs,lbfgs-tf``.
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from stlib import data, gatys, hardware  # noqa: E402
from stlib.gatys import StopTransfer  # noqa: E402

HISTORIES = (5, 10, 20, 50, 100)


class StopAtLoss:
    """A callback that ends the run once the total loss reaches ``target``."""

    def __init__(self, target: float) -> None:
        self.target = target
        self.reached: tuple[int, float] | None = None

    def __call__(self, step) -> None:
        if self.reached is None and step.losses["total"] <= self.target:
            self.reached = (step.step, step.seconds)
            raise StopTransfer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="128,256", help="comma list of longest sides (px)")
    parser.add_argument(
        "--steps", default="150", help="reference steps: one number, or one per size"
    )
    parser.add_argument("--optimizers", default="lbfgs,lbfgs-tf", help="lbfgs and/or lbfgs-tf")
    parser.add_argument("--histories", default=",".join(map(str, HISTORIES)))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    steps = [int(s) for s in args.steps.split(",")]
    steps = steps * len(sizes) if len(steps) == 1 else steps
    optimizers = [o.strip() for o in args.optimizers.split(",") if o.strip()]
    histories = [int(m) for m in args.histories.split(",")]
    if len(steps) != len(sizes) or not set(optimizers) <= {"lbfgs", "lbfgs-tf"}:
        raise SystemExit("--steps: one number or one per size; --optimizers: lbfgs, lbfgs-tf")
    report = {
        "benchmark": "lbfgs_history",
        "machine": {"cpu": hardware.cpu_name(), "cores": os.cpu_count()},
        "gpus": hardware.gpu_names(),
        "runs": [],
    }
    for size, reference_steps in zip(sizes, steps):
        content, style = data.load("tuebingen", size), data.load("starry_night", size)
        base = gatys.preset("gatys2016", size=size, steps=reference_steps)
        reference = gatys.transfer(content, style, base.replace(lbfgs_history=100), progress=False)
        target = reference.history.total[-1]
        for optimizer in optimizers:
            for m in histories:
                if optimizer == "lbfgs" and m == 100:
                    run, reached = reference, (reference_steps, reference.history.seconds[-1])
                else:
                    stop = StopAtLoss(target)
                    config = base.replace(
                        optimizer=optimizer, lbfgs_history=m, steps=int(1.5 * reference_steps)
                    )
                    run = gatys.transfer(content, style, config, progress=False, callbacks=[stop])
                    reached = stop.reached
                steps_to_target, seconds = reached or (None, None)
                report["runs"].append(
                    {
                        "size": size,
                        "optimizer": optimizer,
                        "m": m,
                        "target_loss": target,
                        "steps_to_target": steps_to_target,
                        "seconds_to_target": seconds,
                        "seconds_per_step": run.history.seconds_per_step(),
                        "final_loss": run.history.total[-1],
                        "load_average_1min": round(os.getloadavg()[0], 2),
                    }
                )
                print(json.dumps(report["runs"][-1]), flush=True)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
