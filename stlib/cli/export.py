"""``stlib export``: write a feed-forward network as a TFLite file, checked against Keras.

    stlib export magenta-26 -o styles.tflite                 # the 26 pretrained styles
    stlib export my_styles.keras -o mine.tflite --quantize float16
    stlib export magenta-26 -o styles_int8.tflite --quantize int8-dynamic

The file takes ``photo`` [1, H, W, 3] in [0, 1] (any H, W) and ``style_weights`` [1, N] and returns
the pastiche [1, H, W, 3] (``stlib.export`` says more). Settings and paths are checked before
TensorFlow starts; the output may not be the model file.
"""

from __future__ import annotations

from stlib.cli.cin import model_source
from stlib.cli.common import EXIT_OK, local_files

OPTIONS = {"model": "MODEL", "quantize": "--quantize", "output": "-o"}


def option_label(name: str) -> str:
    return OPTIONS.get(name, name)


def add_parser(commands) -> None:
    p = commands.add_parser(
        "export",
        help="write a multi-style network as a TFLite file (checked against Keras)",
        description="Convert a multi-style network to a TFLite file that runs without stlib, "
        "then run the file on a sample photo (tuebingen, 256 px) and compare it with the Keras "
        "model: a float32 file must agree to a mean |difference| under 1e-3, or nothing is "
        "written. The file takes the photo [1, H, W, 3] in [0, 1] (any H, W) and the style "
        "weights [1, N] and returns the pastiche [1, H, W, 3].",
    )
    add = p.add_argument
    add(
        "model",
        help="magenta-26 (the 26 pretrained styles) or a .keras file saved by `stlib cin-train`",
    )
    add("-o", "--output", required=True, help="file to write (.tflite)")
    add(
        "--quantize",
        choices=["float16", "int8-dynamic"],
        help="store the weights in float16 or 8 bits (smaller; the difference from Keras is "
        "reported, not required under 1e-3) (default: float32)",
    )
    p.set_defaults(run=run, option_label=option_label)


def run(args) -> int:
    from stlib import outputs
    from stlib.export import SUFFIXES, format_problem
    from stlib.startup import start_tensorflow

    model = model_source(args.model)  # the names and files stlib cin takes
    problem = format_problem(args.output)
    if problem is not None:
        raise outputs.OutputPathError(f"output '{args.output}': {problem}")
    (output,) = outputs.check_run_paths(
        [("output", args.output, SUFFIXES)], inputs=local_files([model])
    )

    start_tensorflow()
    from stlib import export

    report = export.export(model, output, quantize=args.quantize)
    height, width = report.check_shape
    print(
        f"wrote {report.path} ({report.megabytes:.2f} MB, {report.quantize or 'float32'}); "
        f"mean |difference| from Keras {report.mean_abs_difference:.2g} on tuebingen "
        f"({width}x{height} px); one run {report.seconds * 1000:.0f} ms ({report.runtime})"
    )
    return EXIT_OK
