"""``stlib cin-train``: train a multi-style network (Dumoulin et al. 2017) from the command line.

    stlib cin-train starry_night the_scream -o two.keras --quick        # minutes on a laptop CPU
    stlib cin-train starry_night the_scream -o two.keras --steps 8000   # the full preset (GPU)
    stlib cin-train starry_night the_scream -o two.keras --resume       # after Ctrl-C
    stlib cin-train great_wave -o three.keras --finetune two.keras      # one more style, cheaply

Everything is checked before TensorFlow starts: the settings (``TrainConfig``), the output
(``.keras``, writable), the styles (sample names or image files), the content folder (holds
images), ``--resume`` (a checkpoint made with the same settings) and ``--finetune`` (a stlib
multi-style network). Errors name the option as typed; exit codes as every stlib command: 2 usage,
1 failure during the run, 130 Ctrl-C (the checkpoint is written and the message says how to go on).

"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stlib.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    number,
    option_text,
    say,
    whole_number,
)
from stlib.limits import MIN_SIDE
from stlib.startup import start_tensorflow
from stlib.validation import SettingError

__all__ = ["OPTIONS", "add_parser", "option_label", "run"]

# TrainConfig field (or train() argument) -> how the command names it.
OPTIONS = {
    "styles": "STYLE",
    "output": "--output",
    "steps": "--steps",
    "size": "--size",
    "batch": "--batch",
    "learning_rate": "--learning-rate",
    "sample_every": "--sample-every",
    "checkpoint_every": "--checkpoint-every",
    "seed": "--seed",
    "style_size": "--style-size",
    "content_weight": "--content-weight",
    "style_weight": "--style-weight",
    "mixed_precision": "--mixed-precision",
    "content_dir": "--content-dir",
    "resume": "--resume",
    "finetune": "--finetune",
    "preset": "--quick",
}


def option_label(name: str) -> str:
    """How ``stlib cin-train`` names a setting: 'learning_rate' -> '--learning-rate'."""
    return OPTIONS.get(name, f"{name} (a field of the preset)")


def add_parser(commands) -> None:
    """Add the ``cin-train`` sub-command to ``commands`` (argparse sub-parsers)."""
    from stlib.cin.training import MIXED_PRECISIONS, PRESETS

    full, quick = PRESETS["full"], PRESETS["quick"]

    def default(name: str) -> str:
        full_value, quick_value = getattr(full, name), getattr(quick, name)
        return f"default: {option_text(full_value)}, --quick {option_text(quick_value)}"

    p = commands.add_parser(
        "cin-train",
        help="train one network for several styles (Dumoulin et al. 2017)",
        description="Train a multi-style transformer network on STYLE paintings: random crops "
        "of photos, each painted in a random style, VGG19 perceptual losses, Adam. Writes "
        "MODEL.keras at the end; beside it MODEL_checkpoint.npz (every --checkpoint-every steps "
        "and on Ctrl-C; --resume continues it), MODEL_samples/ (a photo in every style) and "
        "MODEL_history.json. STYLE: image files or sample names (see `stlib samples`).",
    )
    add = p.add_argument
    add("style", nargs="+", metavar="STYLE", help="the paintings (files or sample names)")
    add("-o", "--output", required=True, metavar="MODEL.keras", help="the network to write")
    add("--quick", action="store_true", help="the quick preset: a couple of minutes on a CPU")
    add("--steps", type=whole_number, help=f"training steps ({default('steps')})")
    add("--size", type=whole_number, help=f"side of the photo crops in px ({default('size')})")
    add("--batch", type=whole_number, help=f"crops per step ({default('batch')})")
    add("--learning-rate", type=number, help=f"Adam's ({default('learning_rate')})")
    add(
        "--style-size",
        type=whole_number,
        help=f"longest side of each STYLE for its Gram matrices ({default('style_size')})",
    )
    add("--content-weight", type=number, help=f"({default('content_weight')})")
    add("--style-weight", type=number, help=f"({default('style_weight')})")
    add(
        "--sample-every",
        type=whole_number,
        metavar="N",
        help=f"write a sample strip every N steps, 0 never ({default('sample_every')})",
    )
    add(
        "--checkpoint-every",
        type=whole_number,
        metavar="N",
        help=f"write a checkpoint every N steps, 0 only at the end and on Ctrl-C "
        f"({default('checkpoint_every')})",
    )
    add(
        "--seed",
        type=whole_number,
        help="seed of the crops, the styles drawn and the first weights",
    )
    add(
        "--mixed-precision",
        metavar="{" + ",".join(m for m in MIXED_PRECISIONS if m) + "}",
        help="mixed_float16 on GPUs with float16 units, mixed_bfloat16 on recent CPUs/GPUs "
        "(default: float32)",
    )
    add(
        "--content-dir",
        metavar="DIR",
        help="train on every image in DIR (and its sub-folders) "
        "(default: the built-in photos: the course's samples, scikit-image's, scikit-learn's)",
    )
    add("--resume", action="store_true", help="continue MODEL_checkpoint.npz, same settings")
    add(
        "--finetune",
        metavar="BASE.keras",
        help="add STYLE to a trained network: only the new style's normalisation rows learn",
    )
    add("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run, option_label=option_label)


# --- checks before TensorFlow starts ------------------------------------------------------------

CHANGES = (
    "steps",
    "size",
    "batch",
    "learning_rate",
    "style_size",
    "content_weight",
    "style_weight",
    "sample_every",
    "checkpoint_every",
    "seed",
    "mixed_precision",
)


def _config(args):
    from stlib.cin.training import default_config, preset

    changes = {name: getattr(args, name) for name in CHANGES if getattr(args, name) is not None}
    if args.quick:
        return preset("quick", **changes)
    return default_config().replace(**changes)


def _check_styles(styles: list[str]) -> None:
    from PIL import Image

    from stlib import data

    for style in styles:
        source = data.resolve(style)  # an unknown bare word: UnknownSampleError listing names
        if isinstance(source, str) and "://" in source:
            continue  # a URL: loaded (and checked) once TensorFlow runs
        path = Path(source).expanduser()
        if not path.is_file():
            raise SettingError({"styles": style}, "no such file or sample name")
        try:
            with Image.open(path) as image:
                width, height = image.size
        except Exception:
            raise SettingError(
                {"styles": style}, "is not an image file Pillow can read (PNG, JPEG, ...)"
            ) from None
        if min(width, height) < MIN_SIDE:  # found now, not after a minute of start-up
            raise SettingError(
                {"styles": style},
                f"is {width}x{height} px; a painting's shorter side must be at least {MIN_SIDE} px",
            )


def _check_finetune(path: str) -> None:
    """``--finetune``: an existing stlib multi-style network (read without TensorFlow)."""
    from stlib.cin.network_file import network_file_problem

    problem = network_file_problem(path)
    if problem is not None:
        raise SettingError({"finetune": path}, problem)


def _check_resume(config, output: Path, styles: list[str], finetune) -> None:
    from stlib.cin import training

    checkpoint = training.checkpoint_path(output)
    if not checkpoint.is_file():
        raise SettingError(
            {},
            f"--resume: there is no checkpoint to continue ('{checkpoint}' does not exist); "
            "leave --resume out to start afresh",
        )
    meta = training.read_checkpoint_meta(checkpoint)
    first = meta["finetune"]["first"] if meta.get("finetune") else 0
    names = meta["style_names"][:first] + training.style_names_of(styles, first)
    training.check_resumable(meta, config, names)
    if bool(meta.get("finetune")) != (finetune is not None):
        raise SettingError(
            {},
            "--resume: the checkpoint was "
            + ("" if meta.get("finetune") else "not ")
            + "made with --finetune; resume it the same way",
        )


def _preflight(args):
    from stlib.cin import content, training

    config = _config(args)
    _check_styles(args.style)
    if args.content_dir is not None:
        try:
            content.photo_files(args.content_dir)
        except content.ContentError as error:
            raise SettingError({}, f"--content-dir: {error}") from None
    if args.finetune is not None:
        _check_finetune(args.finetune)
    output, _ = training.check_training_paths(
        args.output,
        [style for style in args.style if os.path.isfile(style)],
        finetune=args.finetune,
        content_dir=args.content_dir,
        samples=config.sample_every > 0,
        output_label="--output",
    )
    if args.resume:
        _check_resume(config, output, args.style, args.finetune)
    return config, output


def run(args) -> int:
    """``stlib cin-train``: check everything, train, write the network; the exit code."""
    import time

    from stlib.cin import training

    config, output = _preflight(args)  # a SettingError is worded with option_label by main

    checkpoint = training.checkpoint_path(output)
    before = _modified(checkpoint)
    if not args.resume and before is not None:
        print(
            f"note: {checkpoint} will be replaced at the first checkpoint; "
            "stop now and add --resume to continue it instead",
            file=sys.stderr,
        )
    start_tensorflow()
    begin = time.perf_counter()
    try:
        model, history, _ = training.train(
            args.style,
            output,
            config,
            content_dir=args.content_dir,
            resume=args.resume,
            finetune=args.finetune,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        return _interrupted(args, checkpoint, config.steps, before)
    losses = history.final_losses
    seconds = time.perf_counter() - begin
    print(
        f"wrote {output} ({model.num_styles} style{'' if model.num_styles == 1 else 's'}: "
        f"{', '.join(model.style_names)}; "
        f"{config.steps} steps, {seconds:.0f} s, last loss {losses.get('total', float('nan')):.4g})"
    )
    where = [str(training.history_path(output)), str(checkpoint)]
    if config.sample_every:
        where.insert(0, f"{training.samples_folder(output)}{os.sep}")
    print(f"beside it: {', '.join(where)}")
    return EXIT_OK


def _modified(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _interrupted(args, checkpoint: Path, total: int, before: int | None) -> int:
    """Ctrl-C: say where the checkpoint is and the command that goes on from it; exit 130."""
    from stlib.cin import training

    written = _modified(checkpoint) not in (None, before)
    if not written and not (args.resume and before is not None):
        say("interrupted before the training began; nothing was written")
        return EXIT_INTERRUPTED
    step = training.read_checkpoint_meta(checkpoint)["step"]
    say(
        f"interrupted at step {step} of {total}; the checkpoint is {checkpoint}. "
        f"To go on from there: {resume_command(args)}"
    )
    return EXIT_INTERRUPTED


def resume_command(args) -> str:
    """The command line that continues this run: the same styles and options, plus --resume."""
    import shlex

    words = ["stlib", "cin-train", *args.style, "-o", args.output]
    if args.quick:
        words.append("--quick")
    for name in (*CHANGES, "content_dir", "finetune"):
        value = getattr(args, name)
        if value is not None:
            words += [OPTIONS[name], option_text(value)]
    words.append("--resume")
    return " ".join(shlex.quote(str(word)) for word in words)
