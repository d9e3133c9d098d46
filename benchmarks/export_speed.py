"""Exported multi-style network: file sizes, agreement with Keras and speed, side by side.

What: for the network ``--model`` (default magenta-26, the 26 pretrained styles), each file that
``stlib.export.export`` writes (TFLite float32, float16, int8-dynamic; ONNX is not offered: no
TensorFlow-to-ONNX converter is installed) and the Keras model saved as ``.keras``:

* ``files``: size in MB, and the mean |difference| from Keras that the export's check measured
  (tuebingen at 256 px, a mix of the first and last style);
* ``sizes``: seconds per image (the median of ``--repeats`` runs after one warm call, and the
  minimum) at each longest side in ``--sizes`` (the content photo ``--content``, one style),
  for ``keras_tf_function`` (the model in a ``tf.function`` with an input signature: any size,
  one trace, as ``stlib.cin.stylize`` runs it) and each TFLite file in the project's interpreter
  (``stlib.export.ExportedModel``: ``ai_edge_litert`` where installed, else ``tf.lite``, every
  core). All run in turn, round after round in a shuffled order, so that ratios are measured
  side by side on a shared machine; the load average is recorded before each size.

Run (models and samples offline): ``STLIB_MODELS_DIR=../shared/models
STLIB_DATA_DIR=../shared/images python benchmarks/export_speed.py`` (``--sizes 256,512`` by
default). Prints JSON (also written to ``--out``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PAUSE = 0.05  # seconds between two timed calls: the previous runtime's threads go idle
VARIANTS = {
    "tflite_float32": None,
    "tflite_float16": "float16",
    "tflite_int8_dynamic": "int8-dynamic",
}


def machine() -> dict:
    import tensorflow as tf

    from stlib import hardware
    from stlib.arbitrary.tflite import interpreter_class, thread_count

    return {
        "cpu": hardware.cpu_name(),
        "cores": os.cpu_count(),
        "threads_used": thread_count(),
        "tensorflow": tf.__version__,
        "tflite_runtime": interpreter_class()[1],
    }


def timed(call) -> float:
    time.sleep(PAUSE)
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def measure(args, network, files, function, size: int) -> dict:
    import numpy as np
    import tensorflow as tf

    from stlib import data
    from stlib.export import ExportedModel

    photo = data.load(args.content, size).numpy()
    weights = np.eye(network.num_styles, dtype=np.float32)[[args.style % network.num_styles]]
    methods = {"keras_tf_function": lambda: function(tf.constant(photo), weights).numpy()}
    for name, path in files.items():
        model = ExportedModel(path)
        methods[name] = lambda model=model: model.run(photo, weights)
    expected = methods["keras_tf_function"]()
    agreement = {}
    for name, call in methods.items():  # warm: traces, allocations
        agreement[name] = float(np.abs(call() - expected).mean())
    loadavg = os.getloadavg()
    seconds = {name: [] for name in methods}
    order = random.Random(size)
    for _ in range(args.repeats):
        names = list(methods)
        order.shuffle(names)
        for name in names:
            seconds[name].append(timed(methods[name]))
    medians = {name: statistics.median(times) for name, times in seconds.items()}
    result = {
        "size": size,
        "shape": list(photo.shape[1:3]),
        "repeats": args.repeats,
        "load_average_before": [round(x, 2) for x in loadavg],
        "seconds": medians,
        "min_seconds": {name: min(times) for name, times in seconds.items()},
        "over_keras": {name: medians[name] / medians["keras_tf_function"] for name in medians},
        "mean_abs_difference_from_keras": agreement,
    }
    print(json.dumps({k: result[k] for k in ("size", "shape", "seconds")}), file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="magenta-26", help="magenta-26 or a .keras file")
    parser.add_argument("--sizes", default="256,512", help="longest sides, px (default 256,512)")
    parser.add_argument("--repeats", type=int, default=10, help="timed runs per size and method")
    parser.add_argument("--content", default="tuebingen", help="the content sample")
    parser.add_argument("--style", type=int, default=19, help="the style painted (mod N)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    import tensorflow as tf

    from stlib import export, outputs

    network = export.load_network(args.model)
    signature = [
        tf.TensorSpec([1, None, None, 3], tf.float32),
        tf.TensorSpec([1, network.num_styles], tf.float32),
    ]

    def pastiche(photo, weights):
        return network([photo, weights])

    function = tf.function(pastiche, input_signature=signature)
    report = {
        "benchmark": "export_speed",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "model": str(args.model),
        "num_styles": network.num_styles,
        "onnx": "not offered: no TensorFlow-to-ONNX converter (tf2onnx) is installed",
    }
    with tempfile.TemporaryDirectory() as folder:
        keras_file = Path(folder) / "model.keras"
        network.save(keras_file)
        report["files"] = {"keras": {"megabytes": keras_file.stat().st_size / 1e6}}
        paths = {}
        for name, quantize in VARIANTS.items():
            start = time.perf_counter()
            written = export.export(network, Path(folder) / f"{name}.tflite", quantize=quantize)
            report["files"][name] = {
                "megabytes": written.megabytes,
                "mean_abs_difference_at_check": written.mean_abs_difference,
                "check_shape": list(written.check_shape),
                "export_seconds": time.perf_counter() - start,
            }
            paths[name] = written.path
        report["sizes"] = [measure(args, network, paths, function, size) for size in sizes]
    text = json.dumps(report, indent=2)
    if args.out is not None:
        outputs.write_text(args.out, text + "\n")
    print(text)
    return report


if __name__ == "__main__":
    main()
