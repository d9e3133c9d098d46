"""``stlib transfer``: optimise a pastiche (Gatys et al. 2016).

    stlib transfer tuebingen starry_night -o out.png --size 512 --preset gatys2016 --steps 300
    stlib transfer photo.jpg starry_night -o out.png --config settings.json   # the app's settings

Every option is a field of ``GatysConfig`` (``CONFIG_OPTIONS``); options left out keep the value
of ``--preset`` or of ``--config``. Ctrl-C keeps the pastiche reached beside the output.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from stlib.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    DeprecatedSpelling,
    layer_weights,
    local_files,
    number,
    numbers,
    option_text,
    pixels,
    say,
    step_counts,
    whole_number,
)
from stlib.startup import start_tensorflow
from stlib.validation import SettingError

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
    "mix": "mix",
    "preserve_color": "preserve_color",
    "learning_rate": "learning_rate",
    "lbfgs_history": "lbfgs_history",
    "jit": "jit_compile",
    "precision": "precision",
    "normalized_vgg": "normalized_vgg",
}
_FIELD_OPTIONS = {field: option for option, field in CONFIG_OPTIONS.items()}


def option_label(name: str) -> str:
    """How the command line names a setting: 'style_weight' -> '--style-weight'."""
    if name in ("content", "style"):
        return name.upper()  # the positional arguments
    option = _FIELD_OPTIONS.get(name, name)
    if option not in CONFIG_OPTIONS and name not in (
        "snapshot_every",
        "history",
        "output",
        "masks",
    ):
        return f"{name} (a field of the preset)"  # the command line has no option for it
    return "--" + option.replace("_", "-")


def _default(field: str) -> str:
    from stlib.gatys.presets import PRESETS

    return f"default: {option_text(getattr(PRESETS['stlib'], field))} in the stlib preset"


def add_parser(commands) -> None:
    """Add ``transfer`` to ``commands`` (argparse sub-parsers)."""
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
        type=pixels,
        help=(
            "longest side of the output in px, or 'none' for the content's own "
            f"({_default('size')})"
        ),
    )
    size.add_argument(
        "--style-scale",
        type=number,
        help=f"style image size relative to the output ({_default('style_scale')})",
    )
    size.add_argument(
        "--scales",
        type=numbers,
        help=(
            "coarse-to-fine fractions of --size ending at 1, e.g. 0.25,0.5,1 "
            f"({_default('scales')})"
        ),
    )

    loss = p.add_argument_group("the loss")
    loss.add_argument(
        "--content-weight",
        type=number,
        help=f"alpha, weight of the content term ({_default('content_weight')})",
    )
    loss.add_argument(
        "--style-weight",
        type=number,
        help=f"beta, weight of the style term ({_default('style_weight')})",
    )
    loss.add_argument(
        "--tv-weight",
        type=number,
        help=f"weight of the total-variation smoothness term ({_default('tv_weight')})",
    )
    loss.add_argument(
        "--tv-kind",
        choices=TV_KINDS,
        help=f"TV as absolute or squared differences ({_default('tv_kind')})",
    )
    loss.add_argument(
        "--content-layers",
        type=layer_weights,
        metavar="LAYERS",
        help=f"NAME[:WEIGHT],... e.g. relu4_2 ({_default('content_layers')})",
    )
    loss.add_argument(
        "--style-layers",
        type=layer_weights,
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
        "--mix",
        type=numbers,
        metavar="WEIGHTS",
        help="weights of several style images, one each, e.g. 0.7,0.3 (default: equal)",
    )
    loss.add_argument(
        "--masks",
        metavar="MASKS",
        help="place the style images instead of blending them: one mask per style image, "
        "files (white: its region) or left, right, top, bottom, rest; or auto (brightness and "
        "colour clusters of the photo), e.g. --masks sky.png,rest (default: none, the styles are "
        "mixed everywhere)",
    )
    loss.add_argument(  # the old spelling, for one release
        "--blend", dest="mix", type=numbers, action=DeprecatedSpelling, help=argparse.SUPPRESS
    )
    loss.add_argument(
        "--preserve-color",
        choices=[m for m in COLOR_MODES if m],
        help="keep the photo's colours (default: off)",
    )

    optimizer = p.add_argument_group("the optimisation")
    optimizer.add_argument(
        "--steps",
        type=step_counts,
        help=f"iterations, or one count per scale, e.g. 200,100 ({_default('steps')})",
    )
    optimizer.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        help="L-BFGS in the box [0, 1], few steps: lbfgs-tf runs on the device (CPU or GPU), "
        f"lbfgs is scipy's L-BFGS-B on the host; or Adam ({_default('optimizer')})",
    )
    optimizer.add_argument(
        "--learning-rate", type=number, help=f"Adam's step size ({_default('learning_rate')})"
    )
    optimizer.add_argument(
        "--lbfgs-history",
        type=whole_number,
        help=f"L-BFGS memory: gradient pairs kept ({_default('lbfgs_history')})",
    )
    optimizer.add_argument(
        "--init",
        help=(
            f"start from content, noise, style, or an image file / sample name ({_default('init')})"
        ),
    )
    optimizer.add_argument(
        "--noise-std", type=number, help=f"spread of the noise start ({_default('noise_std')})"
    )
    optimizer.add_argument(
        "--seed", type=whole_number, help=f"seed of the noise start ({_default('seed')})"
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
        type=whole_number,
        metavar="K",
        help="also save OUTPUT-stepNNNN.EXT every K steps (default: none)",
    )
    out.add_argument(
        "--history",
        metavar="FILE.json",
        help="also write the settings and the losses per step as JSON (default: none)",
    )
    out.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run, option_label=option_label)


def config_from(args):
    """The GatysConfig the options give: --preset or --config, changed by each option typed."""
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


def run(args) -> int:
    from stlib import outputs, validation

    config = config_from(args)  # every setting checked, before TensorFlow starts
    if args.snapshot_every is not None:
        validation.integer(args.snapshot_every, "snapshot_every", low=1)
    if args.masks is not None:  # before TensorFlow: not with --mix, one mask per STYLE
        from stlib import masks

        masks.check_placement(config.mix, masks.parse(args.masks), len(args.style))
    mask_sources = _mask_sources(args.masks)
    inputs = local_files([args.content, *args.style, config.init, args.config, *mask_sources])
    files = [("output", args.output, outputs.IMAGE_SUFFIXES)]
    files.append(("interrupted pastiche", _interrupted_path(Path(args.output).expanduser()), None))
    if args.history:
        files.append(("--history", args.history, (".json",)))
    output, _, *history = outputs.check_run_paths(files, inputs=inputs)
    history_path = history[0] if history else None
    if args.snapshot_every:
        _check_snapshot_names(output, inputs)

    start_tensorflow()
    from stlib import images, masks
    from stlib.gatys import Interrupted, every, stylize

    snapshots: list[Path] = []
    callbacks = []
    if args.snapshot_every:

        def snapshot(step):
            path = output.with_name(f"{output.stem}-step{step.step:04d}{output.suffix}")
            snapshots.append(images.save(step.image, path))

        callbacks.append(every(args.snapshot_every, snapshot))
    try:
        result = stylize(
            args.content,
            args.style,
            config,
            callbacks=callbacks,
            progress=not args.quiet,
            masks=None if args.masks is None else masks.parse(args.masks),
        )
    except Interrupted as interrupted:
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


def _mask_sources(text: str | None) -> list[str]:
    """The mask files of ``--masks`` (not the split names): inputs the outputs must not replace."""
    if text is None:
        return []
    from stlib import masks

    parsed = masks.parse(text)
    names = (*masks.SPLITS, masks.REST)
    return [] if parsed == masks.AUTO else [part for part in parsed if part not in names]


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
        say(f"interrupted before the first step; nothing was written{last_snapshot}")
        return EXIT_INTERRUPTED
    kept = _interrupted_path(output)
    try:
        images.save(interrupted.result.image, kept)
    except KeyboardInterrupt:  # a second Ctrl-C: leave at once (the write is whole or absent)
        say(f"interrupted at step {interrupted.step} of {total_steps}; not saved{last_snapshot}")
        return EXIT_INTERRUPTED
    say(
        f"interrupted at step {interrupted.step} of {total_steps}; "
        f"the pastiche so far is in {kept}{last_snapshot}"
    )
    return EXIT_INTERRUPTED
