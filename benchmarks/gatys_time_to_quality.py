"""Time to quality: TensorFlow's tutorial recipe against stlib's fastest route, same objective.

Both optimise the ``tf-tutorial`` objective (content block5_conv2, style block1..5_conv1, weights
1e4 / 1e-2, TV 30) on the same images at the same size, in one process, one after the other:

* tutorial: Adam(0.02, beta_1=0.99, epsilon=0.1) with clipping, 1000 steps, from the content image
  (stlib's ``tf-tutorial`` preset, whose loss tests check against the tutorial's formula);
* stlib routes: L-BFGS-B in the box [0, 1] (optionally preceded by a coarse half-size scale, or
  XLA-compiled), or the tutorial's Adam with VGG19 in bfloat16; each stopped as soon as its
  full-size loss is at or below the tutorial's final loss.

Every final image is scored with one and the same objective. Prints JSON (and writes it with --out):
seconds per step of each, the tutorial's final loss, the seconds each route needs to reach it and
the ratio. Run: ``python benchmarks/gatys_time_to_quality.py --size 256``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

from stlib import gatys, hardware  # noqa: E402
from stlib.gatys import StopTransfer, preset  # noqa: E402


def machine() -> dict:
    cpu = hardware.cpu_name()
    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return {"cpu": cpu, "cores": os.cpu_count(), "gpus": gpus, "tensorflow": tf.__version__}


class StopAtTarget:
    """Callback: logs progress and stops a route once its full-size loss is at or below ``target``.

    Float32 routes report the exact loss of each step. A bfloat16 route reports its network's
    estimate (within about 1 %), so near the target every ``rescore_every``-th step is scored by the
    exact scorer, in the route's own time, and only that score counts (a route may so stop a few
    steps late, never early).
    """

    def __init__(
        self, target: float, last_scale: int, name: str, exact=None, rescore_every: int = 5
    ) -> None:
        self.target, self.last_scale, self.name, self.exact = target, last_scale, name, exact
        self.rescore_every = rescore_every
        self.seconds = None  # when the target was reached

    def __call__(self, step) -> None:
        if step.step % 50 == 0:  # progress on stderr: the JSON on stdout stays clean
            print(
                f"{self.name}: step {step.step} scale {step.scale} loss {step.losses['total']:.4g} "
                f"at {step.seconds:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        if step.scale != self.last_scale or self.target < 0:
            return
        loss = step.losses["total"]
        if self.exact is not None:
            near = loss <= 1.02 * self.target and step.step % self.rescore_every == 0
            loss = self.exact(step.image) if near else float("inf")
        if loss <= self.target:
            self.seconds = step.seconds
            raise StopTransfer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", type=int, default=256, help="longest side of content and style (px)"
    )
    parser.add_argument("--content", default="tuebingen")
    parser.add_argument("--style", default="starry_night")
    parser.add_argument("--tutorial-steps", type=int, default=1000)
    parser.add_argument(
        "--max-steps", type=int, default=1000, help="stlib's step budget at full size"
    )
    parser.add_argument("--routes", default="lbfgs,adam-bf16", help="comma list of stlib routes")
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args()

    base = preset("tf-tutorial", size=args.size, steps=args.tutorial_steps)
    content = gatys.as_image(args.content, args.size)
    style = gatys.as_image(args.style, args.size)
    report = {
        "benchmark": "gatys_time_to_quality",
        "machine": machine(),
        "size": args.size,
        "image_shape": list(content.shape),
        "content": args.content,
        "style": args.style,
    }

    # One scorer for every route: the full-size tf-tutorial loss in float32.
    exact = gatys.Objective(base, gatys.feature_extractor(base), content, [style], [1.0])
    exact_loss = tf.function(lambda image: exact.terms(image)["total"])

    started = time.perf_counter()
    tutorial = gatys.transfer(
        content, style, base, progress=False, callbacks=[StopAtTarget(-1.0, 0, "tutorial")]
    )
    target = float(exact_loss(tutorial.image))
    tutorial_seconds = tutorial.history.seconds[-1]
    report["tutorial"] = {
        "recipe": "Adam lr 0.02 beta1 0.99 eps 0.1, clip, from content",
        "steps": len(tutorial.history),
        "seconds": tutorial_seconds,
        "seconds_per_step": tutorial.history.seconds_per_step(),
        "final_loss": target,
    }

    routes = {
        "lbfgs": base.replace(optimizer="lbfgs", steps=args.max_steps, lbfgs_history=20),
        "lbfgs-multiscale": base.replace(
            optimizer="lbfgs", scales=(0.5, 1.0), steps=(100, args.max_steps), lbfgs_history=20
        ),
        "lbfgs-multiscale-long": base.replace(
            optimizer="lbfgs", scales=(0.5, 1.0), steps=(400, args.max_steps), lbfgs_history=20
        ),
        "lbfgs-xla": base.replace(
            optimizer="lbfgs", steps=args.max_steps, lbfgs_history=20, jit_compile=True
        ),
        "adam-xla": base.replace(jit_compile=True),
        "adam-bf16": base.replace(precision="bfloat16", steps=args.max_steps),
        "lbfgs-bf16": base.replace(
            optimizer="lbfgs", steps=args.max_steps, lbfgs_history=20, precision="bfloat16"
        ),
    }

    report["stlib"] = {}
    for name in [r.strip() for r in args.routes.split(",") if r.strip()]:
        config = routes[name]
        last = len(config.scales) - 1
        stop = StopAtTarget(
            target,
            last,
            name,
            None if config.precision == "float32" else lambda image: float(exact_loss(image)),
        )
        result = gatys.transfer(content, style, config, progress=False, callbacks=[stop])
        reached = stop.seconds
        report["stlib"][name] = {
            "scales": list(config.scales),
            "optimizer": config.optimizer,
            "precision": config.precision,
            "precision_switches": result.history.precision_switches,
            "steps": len(result.history),
            "evaluations": sum(
                result.history.evaluations[i]
                for i in range(len(result.history))
                if i + 1 == len(result.history)
                or result.history.scale[i + 1] != result.history.scale[i]
            ),
            "seconds_per_step": result.history.seconds_per_step(),
            "seconds_to_reach_tutorial_loss": reached,
            "final_loss": float(exact_loss(result.image)),
            "speedup": (tutorial_seconds / reached) if reached else None,
        }
    best = min(
        (r for r in report["stlib"].values() if r["seconds_to_reach_tutorial_loss"]),
        key=lambda r: r["seconds_to_reach_tutorial_loss"],
        default=None,
    )
    report["best_speedup"] = best["speedup"] if best else None
    report["step_time_ratio_stlib_over_tutorial"] = (
        best["seconds_per_step"] / report["tutorial"]["seconds_per_step"] if best else None
    )
    report["wall_seconds"] = time.perf_counter() - started
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as out:
            out.write(text + "\n")


if __name__ == "__main__":
    main()
