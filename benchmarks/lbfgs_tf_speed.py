"""L-BFGS on the device (``lbfgs-tf``) against scipy's L-BFGS-B: time to the same loss, and why.

What, at each size in ``--sizes`` (stlib's default objective, Tübingen + The Starry Night, content
start, history m = 20, float32):

* routes, in one process, in turn, ``--steps`` iterations each: ``scipy`` (``optimizers.
  minimize_lbfgs``: L-BFGS-B in float64 on the host), ``lbfgs-tf`` (``lbfgs_tf.minimize_lbfgs_tf``:
  the whole loop in one compiled TensorFlow function, 10 steps per call), optionally ``lbfgs-tf-k1``
  (one step per call) and ``scipy-blas1`` (scipy with its OpenBLAS limited to one thread, through
  threadpoolctl);
* the target is the loss every route reaches (the largest of their final losses); for each route:
  the steps, evaluations and seconds to reach it (wall time since the route began, tracing
  included), its steady seconds per step (steps 11 to the end, so that the tracing and the first
  group of 10 steps are out) and the tracing overhead that leaves;
* where a steady step goes: ``vgg`` (loss + gradient, the VGG19 forward and backward pass: timed
  inside scipy's loop; for lbfgs-tf the stand-alone compiled evaluation, median of ``--repeats``,
  times the evaluations per step), ``copies`` (scipy only: float64 -> float32 tensor and gradient
  -> float64 array, timed stand-alone at this size), ``optimizer`` (the optimizer's own work: scipy
  L-BFGS-B, or lbfgs-tf's two-loop, line search and history, each run stand-alone on a cheap
  quadratic of the same size with the same box and m) and ``other`` (what the step time leaves).

The load average (1 min) is recorded before and after every route: this is meant for a shared
machine, so only compare numbers of one run.

Run (weights and samples offline): ``STLIB_MODELS_DIR=../shared/models
STLIB_DATA_DIR=../shared/images python benchmarks/lbfgs_tf_speed.py --sizes 128,256 --steps 60``.
Prints JSON (also written to ``--out``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402
import tensorflow as tf  # noqa: E402

from stlib import data, hardware  # noqa: E402
from stlib.gatys import GatysConfig, Objective, feature_extractor  # noqa: E402
from stlib.gatys.lbfgs_tf import lbfgs_tf, minimize_lbfgs_tf  # noqa: E402
from stlib.gatys.optimizers import minimize_lbfgs  # noqa: E402
from stlib.gatys.progress import Progress  # noqa: E402


def load() -> float:
    return round(os.getloadavg()[0], 2)


def machine() -> dict:
    return {
        "cpu": hardware.cpu_name(),
        "cores": os.cpu_count(),
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
        "tensorflow": tf.__version__,
        "scipy": scipy.__version__,
    }


class TimedObjective:
    """The objective, with the time spent in its compiled loss + gradient added up (scipy route)."""

    def __init__(self, objective: Objective) -> None:
        self.objective, self.seconds, self.calls = objective, 0.0, 0

    def value_and_gradient(self, image):
        start = time.perf_counter()
        terms, gradient = self.objective.value_and_gradient(image)
        gradient = tf.identity(gradient)
        _ = gradient.numpy()  # wait for the device (a no-op copy on a CPU)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        return terms, gradient

    def __getattr__(self, name):
        return getattr(self.objective, name)


def vgg_seconds(objective: Objective, image: tf.Tensor, repeats: int) -> float:
    """Median seconds of one compiled loss + gradient evaluation (after a warm call)."""
    objective.value_and_gradient(image)[1].numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        objective.value_and_gradient(image)[1].numpy()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def copies_seconds(shape, repeats: int) -> float:
    """Median seconds of scipy's conversions per evaluation: x (float64) -> float32 tensor, and
    the gradient tensor -> float64 array (``optimizers._lbfgs_b``)."""
    x = np.random.default_rng(0).random(int(np.prod(shape)))
    gradient = tf.constant(x.reshape(shape), tf.float32)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        tf.constant(x.reshape(shape), dtype=tf.float32)
        gradient.numpy().astype(np.float64).ravel()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _quadratic(n: int):
    """A cheap separable quadratic, curvatures spread over four decades (so that L-BFGS needs its
    history and many steps), its minimum partly outside [0, 1] (so that bounds get active)."""
    rng = np.random.default_rng(0)
    centre, curvature = rng.uniform(-0.2, 1.2, n), 10.0 ** rng.uniform(-2.0, 2.0, n)
    return centre, curvature


class StepClock:
    """Callback: the time after each step; ``per_step()`` is the mean over steps 11 to the end."""

    def __init__(self) -> None:
        self.times = []

    def __call__(self, *_) -> None:
        self.times.append(time.perf_counter())

    def per_step(self, first: int = 10) -> float | None:
        if len(self.times) <= first:
            return None
        return (self.times[-1] - self.times[first - 1]) / (len(self.times) - first)


def scipy_optimizer_seconds(n: int, steps: int, history: int) -> float | None:
    """scipy L-BFGS-B's own seconds per iteration at n variables (on a cheap quadratic: numpy,
    float64, no copies); the mean over iterations 11 to ``steps``."""
    centre, curvature = _quadratic(n)

    def fun(x):
        r = x - centre
        return 0.5 * float(np.dot(curvature * r, r)), curvature * r

    clock = StepClock()
    scipy.optimize.minimize(
        fun,
        np.full(n, 0.5),
        jac=True,
        method="L-BFGS-B",
        bounds=scipy.optimize.Bounds(np.zeros(n), np.ones(n)),
        callback=clock,
        options={"maxiter": steps, "maxcor": history, "ftol": 0.0, "gtol": 0.0},
    )
    return clock.per_step()


def tf_optimizer_seconds(n: int, steps: int, history: int, steps_per_call: int) -> float | None:
    """lbfgs-tf's own seconds per iteration at n variables (the same quadratic in TensorFlow);
    the mean over iterations 11 to ``steps`` (the first group of calls holds the tracing)."""
    centre, curvature = (tf.constant(v, tf.float32) for v in _quadratic(n))

    def fn(x):
        r = x - centre
        return 0.5 * tf.reduce_sum(curvature * r * r), curvature * r

    clock = StepClock()
    lbfgs_tf(
        fn,
        tf.fill([n], 0.5),
        steps,
        history=history,
        steps_per_call=steps_per_call,
        on_step=clock,
    )
    return clock.per_step()


def _blas_limit(name: str):
    """scipy-blas1: OpenBLAS (scipy's BLAS) held to one thread while the route runs."""
    if name != "scipy-blas1":
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def _steps_per_call(name: str) -> int:
    return 1 if name == "lbfgs-tf-k1" else 10


def run_route(name: str, images, features, config: GatysConfig, steps: int) -> dict:
    """One run of a route, ``steps`` iterations; the history is kept for ``analyse``.

    A new ``Objective`` each time (as ``transfer`` makes one per scale), so that every route pays
    for tracing its loss; its targets are computed before the clock starts."""
    content, style = images
    objective = Objective(config, features, content, [style], [1.0])
    image = content
    progress = Progress(config, show=False)
    timed = TimedObjective(objective) if name.startswith("scipy") else None
    before = load()
    with _blas_limit(name):
        if timed is not None:
            minimize_lbfgs(timed, image, steps, config, progress)
        else:
            minimize_lbfgs_tf(
                objective, image, steps, config, progress, steps_per_call=_steps_per_call(name)
            )
    history = progress.history
    route = {
        "load_before": before,
        "load_after": load(),
        "steps": len(history),
        "evaluations": history.evaluations[-1],
        "final_loss": history.total[-1],
        "seconds": history.seconds[-1],
        "_history": history,
    }
    if timed is not None:
        route["vgg_seconds_in_loop_per_evaluation"] = timed.seconds / max(timed.calls, 1)
    return route


def analyse(route: dict, target: float, vgg: float, copies: float, optimizer: float) -> None:
    """Adds time to ``target``, the steady step time and its split to ``route``."""
    history = route.pop("_history")
    reached = next((i for i, loss in enumerate(history.total) if loss <= target), None)
    route["steps_to_target"] = None if reached is None else reached + 1
    route["evaluations_to_target"] = None if reached is None else history.evaluations[reached]
    route["seconds_to_target"] = None if reached is None else history.seconds[reached]
    first = 10  # steady state: after the tracing and the first group of 10 steps
    steady_steps = len(history) - first
    per_step = (history.seconds[-1] - history.seconds[first - 1]) / steady_steps
    evaluations_per_step = (history.evaluations[-1] - history.evaluations[first - 1]) / steady_steps
    route["steady_seconds_per_step"] = per_step
    route["steady_evaluations_per_step"] = evaluations_per_step
    route["tracing_and_start_seconds"] = history.seconds[-1] - per_step * len(history)
    in_loop = route.get("vgg_seconds_in_loop_per_evaluation", vgg)
    split = {
        "vgg": in_loop * evaluations_per_step,
        "optimizer": optimizer,
        "copies": copies * evaluations_per_step,
    }
    split["other"] = per_step - sum(split.values())
    route["per_step_split_seconds"] = split


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def measure_size(size: int, routes: list[str], args) -> dict:
    content, style = data.load(args.content, size), data.load(args.style, size)
    config = GatysConfig(size=size, steps=args.steps, lbfgs_history=20)
    features = feature_extractor(config)
    objective = Objective(config, features, content, [style], [1.0])
    n = int(np.prod(content.shape))
    entry = {"image_shape": list(content.shape), "load_before": load()}
    vgg = [vgg_seconds(objective, content, args.repeats)]
    entry["copies_seconds_per_evaluation"] = copies_seconds(content.shape, args.repeats)
    optimizer = {}
    for name in routes:
        with _blas_limit(name):
            if name.startswith("scipy"):
                optimizer[name] = scipy_optimizer_seconds(n, args.steps, config.lbfgs_history)
            else:
                optimizer[name] = tf_optimizer_seconds(
                    n, args.steps, config.lbfgs_history, _steps_per_call(name)
                )
    entry["optimizer_seconds_per_step"] = optimizer
    runs = {name: [] for name in routes}
    for round_ in range(args.rounds):  # alternate the order, so that drift in load evens out
        for name in routes if round_ % 2 == 0 else routes[::-1]:
            runs[name].append(run_route(name, (content, style), features, config, args.steps))
            vgg.append(vgg_seconds(objective, content, args.repeats))
            print(f"{size} px {name}: {runs[name][-1]['seconds']:.1f} s", file=sys.stderr)
    entry["vgg_seconds_per_evaluation"] = _median(vgg)
    entry["vgg_seconds_per_evaluation_all"] = vgg
    target = max(run["final_loss"] for name in routes for run in runs[name])
    entry["target_loss"] = target
    summary = {}
    for name in routes:
        copies = entry["copies_seconds_per_evaluation"] if name.startswith("scipy") else 0.0
        for run in runs[name]:
            analyse(run, target, entry["vgg_seconds_per_evaluation"], copies, optimizer[name])
        summary[name] = {
            key: _median([run[key] for run in runs[name]])
            for key in (
                "seconds_to_target",
                "steps_to_target",
                "evaluations_to_target",
                "steady_seconds_per_step",
                "tracing_and_start_seconds",
            )
        }
    entry["median_over_rounds"] = summary
    if "scipy" in summary and "lbfgs-tf" in summary:
        a, b = summary["scipy"], summary["lbfgs-tf"]
        if a["seconds_to_target"] and b["seconds_to_target"]:
            entry["speedup_to_target_lbfgs_tf_over_scipy"] = (
                a["seconds_to_target"] / b["seconds_to_target"]
            )
        entry["steady_step_ratio_scipy_over_lbfgs_tf"] = (
            a["steady_seconds_per_step"] / b["steady_seconds_per_step"]
        )
    entry["runs"] = runs
    entry["load_after"] = load()
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="128,256")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument(
        "--routes",
        default="scipy,lbfgs-tf",
        help="comma list of scipy, scipy-blas1, lbfgs-tf, lbfgs-tf-k1",
    )
    parser.add_argument("--rounds", type=int, default=2, help="runs of each route, in turn")
    parser.add_argument("--repeats", type=int, default=5, help="stand-alone timings (median)")
    parser.add_argument("--content", default="tuebingen")
    parser.add_argument("--style", default="starry_night")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.steps <= 10:
        parser.error("--steps must be above 10 (steps 1-10 hold the tracing)")
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    report = {
        "benchmark": "lbfgs_tf_speed",
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "steps": args.steps,
        "rounds": args.rounds,
        "routes": routes,
        "sizes": {},
    }
    started = time.perf_counter()
    for size in (int(s) for s in args.sizes.split(",")):
        report["sizes"][str(size)] = measure_size(size, routes, args)
    report["wall_seconds"] = time.perf_counter() - started
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as out:
            out.write(text + "\n")


if __name__ == "__main__":
    main()
