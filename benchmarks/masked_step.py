"""What spatial control costs in Gatys' method: one compiled loss-and-gradient step with masks
against the same step without.

Issue 24's target: the masked step at most 1.3x the unmasked one at 256 px. The masked step is
one VGG19 pass like the unmasked one; the masks are applied to the features (one guided Gram
matrix per region and layer, R matmuls instead of one), not one pass per region.

Both objectives are built on the same photo and paintings and timed side by side in one run:
``repeats`` rounds of ``steps`` calls each, alternating, the median round per step kept.
Prints JSON. Run: ``python benchmarks/masked_step.py --size 256 --regions 2``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from stlib import data, masks  # noqa: E402
from stlib.gatys import Objective, feature_extractor, preset  # noqa: E402
from stlib.hardware import cpu_name, gpu_names  # noqa: E402

PAINTINGS = ("starry_night", "the_scream", "composition_vii", "great_wave")


def seconds_per_step(objective: Objective, image, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        terms, gradient = objective.value_and_gradient(image)
    float(terms["total"]), gradient.numpy()  # wait for the device
    return (time.perf_counter() - start) / steps


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--regions", type=int, default=2, choices=range(1, len(PAINTINGS) + 1))
    parser.add_argument("--steps", type=int, default=10, help="calls per timed round")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (the median is kept)")
    args = parser.parse_args(argv)

    config = preset("stlib", size=args.size)
    features = feature_extractor(config)
    photo = data.load("tuebingen", args.size)
    paintings = [data.load(name, args.size) for name in PAINTINGS[: args.regions]]
    height, width = (int(n) for n in photo.shape[1:3])
    regions = masks.automatic(photo, args.regions) if args.regions > 1 else None
    plain = Objective(config, features, photo, paintings[:1], [1.0])
    placed = Objective(
        config,
        features,
        photo,
        paintings,
        [1.0] * args.regions,
        masks=regions if regions is not None else masks.resolve(["rest"], 1, height, width),
    )
    for objective in (plain, placed):  # trace and compile outside the timing
        seconds_per_step(objective, photo, 1)
    rounds = {"unmasked": [], "masked": []}
    for _ in range(args.repeats):
        rounds["unmasked"].append(seconds_per_step(plain, photo, args.steps))
        rounds["masked"].append(seconds_per_step(placed, photo, args.steps))
    median = {name: statistics.median(values) for name, values in rounds.items()}
    report = {
        "size": f"{width}x{height}",
        "regions": args.regions,
        "machine": {"cpu": cpu_name(), "gpus": gpu_names(), "platform": platform.machine()},
        "seconds_per_step": {name: round(value, 5) for name, value in median.items()},
        "ratio_masked_to_unmasked": round(median["masked"] / median["unmasked"], 3),
        "target_ratio": 1.3,
    }
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
