"""Which L-BFGS is the engine's default: scipy's L-BFGS-B or ``lbfgs-tf``, on stlib's own preset.

Both run the ``stlib`` preset (the engine's defaults: content start, stlib's weights, m = 20) on
the same images, in one process, alternately for ``--rounds`` rounds. scipy's run takes
``--steps`` steps; its final loss is the target, and ``lbfgs-tf`` runs (up to 1.5 times the
steps) until it reaches it. Prints JSON: per round and as medians, the seconds and steps each
needed (seconds include tracing the loss, as a user's run does).

Run: ``python benchmarks/lbfgs_default.py --size 256 --steps 200``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from lbfgs_history import StopAtLoss  # noqa: E402  (benchmarks/lbfgs_history.py)

from stlib import data, gatys, hardware  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    content, style = data.load("tuebingen", args.size), data.load("starry_night", args.size)
    config = gatys.preset("stlib", size=args.size, steps=args.steps, optimizer="lbfgs")
    report = {
        "benchmark": "lbfgs_default",
        "machine": {"cpu": hardware.cpu_name(), "cores": os.cpu_count()},
        "gpus": hardware.gpu_names(),
        "size": args.size,
        "rounds": [],
    }
    for _ in range(args.rounds):
        scipy_run = gatys.transfer(content, style, config, progress=False)
        target = scipy_run.history.total[-1]
        stop = StopAtLoss(target)
        on_device = config.replace(optimizer="lbfgs-tf", steps=int(1.5 * args.steps))
        gatys.transfer(content, style, on_device, progress=False, callbacks=[stop])
        steps, seconds = stop.reached or (None, None)
        report["rounds"].append(
            {
                "target_loss": target,
                "lbfgs": {"steps": args.steps, "seconds": scipy_run.history.seconds[-1]},
                "lbfgs-tf": {"steps": steps, "seconds": seconds},
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
        print(json.dumps(report["rounds"][-1]), flush=True)
    for name in ("lbfgs", "lbfgs-tf"):
        times = [r[name]["seconds"] for r in report["rounds"] if r[name]["seconds"] is not None]
        report[f"{name}_median_seconds"] = statistics.median(times) if times else None
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
