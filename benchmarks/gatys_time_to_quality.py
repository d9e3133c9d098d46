"""Time to quality: TensorFlow's tutorial recipe against stlib's fastest route, same objective.

Both optimise the ``tf-tutorial`` objective (content block5_conv2, style block1..5_conv1, weights
1e4 / 1e-2, TV 30) on the same images at the same size, in one process, one after the other:

* tutorial: Adam(0.02, beta_1=0.99, epsilon=0.1) with clipping, 1000 steps, from the content image
  (stlib's ``tf-tutorial`` preset, whose loss tests check against the tutorial's formula);
* stlib routes, named ``OPTIMIZER[-bf16][-xla]``: ``adam`` (the tutorial's recipe), ``lbfgs``
  (scipy's L-BFGS-B on the host, box [0, 1]) or ``lbfgs-tf`` (projected L-BFGS inside one compiled
  TensorFlow function, ``stlib.gatys.lbfgs_tf``); ``-bf16`` runs VGG19 in bfloat16 (float32
  losses), ``-xla`` compiles with XLA. Also ``lbfgs-multiscale`` and ``lbfgs-multiscale-long``
  (a coarse half-size scale first). Each is stopped as soon as its full-size loss is at or below
  the tutorial's final loss.

Every final image is scored with one and the same objective. With ``--profile``, one evaluation is
split into VGG forward, loss and backward (compiled, median of repeats, float32 and bfloat16) and
each route's time into those parts and the rest (the optimizer's own work, copies, tracing). Prints
JSON (and writes it with --out): seconds per step of each, the tutorial's final loss, the seconds
each route needs to reach it and the ratio. Run: ``python benchmarks/gatys_time_to_quality.py
--size 256 --routes adam-bf16,lbfgs,lbfgs-tf,lbfgs-tf-bf16 --profile``. On a GPU:
``benchmarks/gpu_time_to_quality.sh``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

from stlib import gatys, hardware, inputs  # noqa: E402
from stlib.gatys import StopTransfer, preset  # noqa: E402

OPTIMIZERS = ("lbfgs-tf", "lbfgs", "adam")  # longest first: 'lbfgs-tf-bf16' is lbfgs-tf


def machine() -> dict:
    return {
        "cpu": hardware.cpu_name(),
        "cores": os.cpu_count(),
        "gpus": hardware.gpu_names(),
        "tensorflow": tf.__version__,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def route_config(name: str, base, max_steps: int, history: int):
    """The config of a route called ``OPTIMIZER[-bf16][-xla]`` (or a multi-scale one)."""
    if name.startswith("lbfgs-multiscale"):
        coarse = 400 if name.endswith("-long") else 100
        return base.replace(
            optimizer="lbfgs", scales=(0.5, 1.0), steps=(coarse, max_steps), lbfgs_history=history
        )
    optimizer = next((o for o in OPTIMIZERS if name.startswith(o)), None)
    flags = set(name[len(optimizer) :].split("-")) - {""} if optimizer else {"?"}
    if not flags <= {"bf16", "xla"}:
        raise SystemExit(
            f"unknown route {name!r}: OPTIMIZER[-bf16][-xla] with OPTIMIZER one of "
            f"{', '.join(OPTIMIZERS)}, or lbfgs-multiscale[-long]"
        )
    return base.replace(
        optimizer=optimizer,
        steps=max_steps,
        lbfgs_history=history,
        precision="bfloat16" if "bf16" in flags else "float32",
        jit_compile="xla" in flags,
    )


def median_seconds(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` (which returns tensors) over ``repeats`` calls, after one."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        _ = [tf.identity(t).numpy() for t in tf.nest.flatten(result)][:1]  # wait for the device
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def evaluation_profile(objective, image, repeats: int) -> dict:
    """Seconds of one evaluation split into VGG forward, loss and backward (compiled each)."""
    forward = tf.function(lambda x: objective.features(x))
    value = tf.function(lambda x: objective.terms(x)["total"])
    seconds = {
        "forward": median_seconds(lambda: forward(image), repeats),
        "forward_and_loss": median_seconds(lambda: value(image), repeats),
        "evaluation": median_seconds(lambda: objective.value_and_gradient(image), repeats),
    }
    return {
        "vgg_forward": seconds["forward"],
        "loss": max(seconds["forward_and_loss"] - seconds["forward"], 0.0),
        "backward": max(seconds["evaluation"] - seconds["forward_and_loss"], 0.0),
        "evaluation": seconds["evaluation"],
    }


def time_shares(seconds: float, evaluations: dict[str, int], profile: dict) -> dict:
    """Where a run's ``seconds`` went: its evaluations in each precision times that precision's
    VGG forward, loss and backward, and the rest (the optimizer's own work, copies, host visits,
    tracing, switching precision)."""
    spent = {
        part: sum(profile[precision][part] * count for precision, count in evaluations.items())
        for part in ("vgg_forward", "loss", "backward")
    }
    spent["optimizer_and_rest"] = max(seconds - sum(spent.values()), 0.0)
    total = sum(spent.values())
    return {part: value / total for part, value in spent.items()}


def evaluations_by_precision(history, precision: str) -> dict[str, int]:
    """{precision: loss evaluations} of a run: a bfloat16 L-BFGS run that switched to float32
    at step k made its first ``history.evaluations[k - 1]`` in bfloat16."""
    total = history.evaluations[-1]
    if precision == "float32":
        return {"float32": total}
    if not history.precision_switches:
        return {"bfloat16": total}
    before = history.evaluations[history.precision_switches[0] - 1]
    return {"bfloat16": before, "float32": total - before}


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
    parser.add_argument(
        "--routes",
        default="adam-bf16,lbfgs,lbfgs-tf,lbfgs-tf-bf16",
        help="comma list of stlib routes: OPTIMIZER[-bf16][-xla] (adam, lbfgs, lbfgs-tf)",
    )
    parser.add_argument("--history", type=int, default=20, help="L-BFGS history length m")
    parser.add_argument(
        "--tutorial-xla", action="store_true", help="also time the tutorial recipe XLA-compiled"
    )
    parser.add_argument(
        "--profile", action="store_true", help="split evaluations and steps into their parts"
    )
    parser.add_argument("--repeats", type=int, default=7, help="timings per profiled part")
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args()

    base = preset("tf-tutorial", size=args.size, steps=args.tutorial_steps)
    names = [r.strip() for r in args.routes.split(",") if r.strip()]
    routes = {name: route_config(name, base, args.max_steps, args.history) for name in names}
    content = inputs.load(args.content, args.size)
    style = inputs.load(args.style, args.size)
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

    def exact_bf16():
        config = base.replace(precision="bfloat16")
        return gatys.Objective(config, gatys.feature_extractor(config), content, [style], [1.0])

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

    if args.tutorial_xla:  # the tutorial recipe itself, XLA-compiled: not a route to the target
        xla = gatys.transfer(content, style, base.replace(jit_compile=True), progress=False)
        report["tutorial"]["xla_seconds"] = xla.history.seconds[-1]
        report["tutorial"]["xla_seconds_per_step"] = xla.history.seconds_per_step()

    report["stlib"] = {}
    for name, config in routes.items():
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
            "jit_compile": config.jit_compile,
            "load_average_1min": round(os.getloadavg()[0], 2),
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
            "evaluations_by_precision": evaluations_by_precision(result.history, config.precision),
            "seconds": result.history.seconds[-1],
            "seconds_per_step": result.history.seconds_per_step(),
            "seconds_to_reach_tutorial_loss": reached,
            "final_loss": float(exact_loss(result.image)),
            "speedup": (tutorial_seconds / reached) if reached else None,
        }
    if args.profile:
        profile = {
            precision: evaluation_profile(
                exact if precision == "float32" else exact_bf16(), content, args.repeats
            )
            for precision in ("float32", "bfloat16")
        }
        report["evaluation_profile_seconds"] = profile
        report["tutorial"]["time_shares"] = time_shares(
            tutorial_seconds, {"float32": report["tutorial"]["steps"]}, profile
        )
        for route in report["stlib"].values():
            route["time_shares"] = time_shares(
                route["seconds"], route["evaluations_by_precision"], profile
            )
    reached = {n: r for n, r in report["stlib"].items() if r["seconds_to_reach_tutorial_loss"]}
    best_name = min(
        reached, key=lambda n: reached[n]["seconds_to_reach_tutorial_loss"], default=None
    )
    best = reached.get(best_name)
    report["best_route"] = best_name
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
