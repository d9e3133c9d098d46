"""Choosing L-BFGS's history length m by measurement: time to the same loss for m = 5 ... 100.

For each image size, the ``gatys2016`` preset (normalised VGG19, noise start, L-BFGS-B) runs
``--steps`` iterations with m = 100 (the preset's value, which the paper does not give); its final
loss is the target. Every m then runs until its loss is at or below the target (at most 1.5 times
the steps) and reports the seconds and steps it needed. scipy's L-BFGS-B does more bookkeeping per
step the longer its history (its compact matrices grow with m), while a longer history can mean
fewer steps: the measurement says which wins on this machine.

Prints JSON. Run: ``python benchmarks/lbfgs_history.py --sizes 128,256 --steps 150``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from stlib import data, gatys  # noqa: E402
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
    parser.add_argument("--sizes", default="128,256")
    parser.add_argument("--steps", type=int, default=150)
    args = parser.parse_args()
    report = {
        "machine": platform.processor() or platform.machine(),
        "steps": args.steps,
        "runs": [],
    }
    for size in (int(s) for s in args.sizes.split(",")):
        content, style = data.load("tuebingen", size), data.load("starry_night", size)
        base = gatys.preset("gatys2016", size=size, steps=args.steps)
        reference = gatys.transfer(content, style, base.replace(lbfgs_history=100), progress=False)
        target = reference.history.total[-1]
        for m in HISTORIES:
            stop = StopAtLoss(target)
            config = base.replace(lbfgs_history=m, steps=int(1.5 * args.steps))
            run = gatys.transfer(content, style, config, progress=False, callbacks=[stop])
            steps, seconds = stop.reached or (None, None)
            report["runs"].append(
                {
                    "size": size,
                    "m": m,
                    "target_loss": target,
                    "steps_to_target": steps,
                    "seconds_to_target": seconds,
                    "seconds_per_step": run.history.seconds_per_step(),
                    "final_loss": run.history.total[-1],
                }
            )
            print(json.dumps(report["runs"][-1]), flush=True)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
