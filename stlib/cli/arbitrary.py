"""``stlib arbitrary``: paint a photo with any painting in one pass (Ghiasi et al. 2017).

    stlib arbitrary tuebingen starry_night the_scream -o out.png --mix 0.7,0.3 --strength 0.8
    stlib arbitrary photos/ starry_night -o painted/   # every image of a folder, one style
    stlib arbitrary photo.jpg a.jpg b.jpg --masks left,right -o out.png   # one painting per half

The settings are checked by ``ArbitraryConfig`` before TensorFlow starts; a folder run goes on
past any photo that fails and always prints its summary (``stlib.folders``).
"""

from __future__ import annotations

import argparse
import os

from stlib.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    DeprecatedSpelling,
    local_files,
    number,
    numbers,
    pixels,
    say,
    whole_number,
)
from stlib.startup import start_tensorflow

# ArbitraryConfig field -> how the arbitrary sub-command names it.
OPTIONS = {
    "content": "CONTENT",
    "style": "STYLE",
    "output": "--output",
    "size": "--size",
    "strength": "--strength",
    "mix": "--mix",
    "style_size": "--style-size",
    "backend": "--backend",
    "transformer": "--transformer",
    "preserve_color": "--preserve-color",
    "compute_size": "--compute-size",
    "masks": "--masks",
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


def option_label(name: str) -> str:
    """How ``stlib arbitrary`` names a setting: 'style_size' -> '--style-size'."""
    return OPTIONS.get(name, name)


def add_parser(commands) -> None:
    """Add ``arbitrary`` to ``commands`` (argparse sub-parsers)."""
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
        "`stlib samples`); several STYLE images are mixed, or placed one per region with --masks. "
        "CONTENT may be a folder: every image in it is painted into the folder -o names.",
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
        type=pixels,
        help="longest side of the output in px, or 'none' (default: none, the content's own size)",
    )
    add(
        "--strength",
        type=number,
        help="0 (the photo redrawn by the network) to 1 (the full style) (default: 1)",
    )
    add(
        "--mix",
        type=numbers,
        metavar="W1,W2,...",
        help="how much of each STYLE, one weight each, e.g. 0.7,0.3 (default: equal)",
    )
    add(  # the old spelling, for one release
        "--weights", dest="mix", type=numbers, action=DeprecatedSpelling, help=argparse.SUPPRESS
    )
    add(
        "--style-size",
        type=whole_number,
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
    add(
        "--masks",
        metavar="M1,M2,...",
        help="place the paintings instead of mixing them: one mask per STYLE, in order, each an "
        "image file (white: where that STYLE paints), left, right, top, bottom, or rest (what "
        "the others leave), or 'auto' (the photo's own colour regions, one per STYLE); the seams "
        "are feathered; not with --mix (default: none, the STYLEs are mixed everywhere)",
    )
    add("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run, option_label=option_label)


def _arbitrary_config(args):
    from stlib.arbitrary.config import DEFAULT_STYLE_SIZE, ArbitraryConfig

    config = ArbitraryConfig(
        backend=args.backend,
        transformer=args.transformer,
        mix=args.mix,
        strength=1.0 if args.strength is None else args.strength,
        size=args.size,
        style_size=DEFAULT_STYLE_SIZE if args.style_size is None else args.style_size,
        preserve_color=args.preserve_color,
        compute_size=args.compute_size,
    )
    if args.masks is None:
        config.mixing_weights(len(args.style))  # one weight per STYLE, before TensorFlow starts
    return config


def _masks(args, config):
    """--masks parsed (None, "auto" or a list of names and files) and checked against the other
    settings and the number of STYLEs, before TensorFlow starts (the files are read later, by
    stlib.masks.resolve, at the photo's size)."""
    if args.masks is None:
        return None
    from stlib import masks
    from stlib.arbitrary import spatial

    parsed = masks.parse(args.masks)
    spatial.check(config, parsed, len(args.style))  # not with --mix; one mask per STYLE
    return parsed


def _mask_files(parsed) -> list[str]:
    """The --masks values that are files here (read by the run: never an output)."""
    return [] if parsed is None or isinstance(parsed, str) else local_files(parsed)


def run(args) -> int:
    import time

    from stlib import folders, outputs

    config = _arbitrary_config(args)  # every setting checked, before TensorFlow starts
    masks = _masks(args, config)
    plan = None
    if os.path.isdir(args.content):
        read = [*local_files(args.style), *_mask_files(masks)]
        plan = folders.plan_folder(args.content, args.output, inputs=read)
    else:
        inputs = [*local_files([args.content, *args.style]), *_mask_files(masks)]
        (output,) = outputs.check_run_paths(
            [("output", args.output, outputs.IMAGE_SUFFIXES)], inputs=inputs
        )

    start_tensorflow()
    from stlib import arbitrary, images

    start = time.perf_counter()
    stylizer = arbitrary.load(config.backend, config.transformer)
    styles = stylizer.prepare(args.style, style_size=config.style_size)  # embedded once
    what = f"{stylizer.backend} {stylizer.transformer}" if stylizer.backend == "tflite" else "hub"
    placing = {} if masks is None else {"masks": masks}  # without --masks: the call as before
    if plan is not None:
        paint = lambda source: stylizer.run(config, source, styles, **placing)  # noqa: E731
        return _stylise_folder(plan, paint, args, what)
    image = stylizer.run(config, args.content, styles, **placing)
    images.save(image, output)
    painted = arbitrary.inputs.compute_shape(image.shape[1], image.shape[2], config.compute_size)
    at = f", painted at {painted[1]}x{painted[0]} px and upsampled" if painted else ""
    placed = f", {len(styles)} regions ({args.masks})" if masks is not None else ""
    print(
        f"wrote {output} ({image.shape[2]}x{image.shape[1]} px{at}{placed}, "
        f"{time.perf_counter() - start:.1f} s, {what})"
    )
    return EXIT_OK


def _stylise_folder(plan, paint, args, what: str) -> int:
    """Paint every photo of the plan; a progress bar, a line per entry skipped (stdout) or failed
    (stderr), and a summary that always prints (also on Ctrl-C). Exit 1 when any photo failed."""
    import time

    from stlib import folders, images
    from stlib.progress import ProgressBar

    for line in plan.notes:
        print(line)
    for name, reason in plan.skipped:
        print(f"skipped {name}: {reason}")
    tally = folders.FolderTally(plan)
    start = time.perf_counter()
    bar = ProgressBar(len(plan.jobs), "stylising", "image", show=not args.quiet)
    try:
        for job in plan.jobs:
            try:
                images.save(paint(str(job.source)), job.target)
            except Exception as error:  # any failure of one photo: name it, go on with the rest
                bar.say(tally.failed(job, error))
            else:
                tally.written(job)
            bar.advance()
    except KeyboardInterrupt:
        bar.close()
        say(f"interrupted: {tally.summary(seconds=time.perf_counter() - start)}")
        return EXIT_INTERRUPTED
    bar.close()
    print(f"{tally.summary(seconds=time.perf_counter() - start)} ({what})")
    return EXIT_FAILURE if tally.any_failed else EXIT_OK
