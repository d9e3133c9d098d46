"""``stlib adain``: paint a photo with any painting through a trained AdaIN decoder (Huang and
Belongie 2017), in one pass.

    stlib adain photo.jpg starry_night.jpg -o out.png --model adain.keras
    stlib adain photo.jpg starry_night the_scream -o out.png --model adain.keras --mix 0.7,0.3
    stlib adain photo.jpg a.jpg b.jpg -o out.png --model adain.keras --masks left,right
    stlib adain photo.jpg starry_night -o out.png --model adain.keras --strength 0.6

Everything the user typed is checked before TensorFlow starts: the settings (``AdaINConfig``,
``--mix`` against the paintings, ``--masks`` against ``--mix`` and the paintings), then the
``--model`` file, then the output against every input.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from stlib.cli.common import EXIT_OK, local_files, number, numbers, pixels, whole_number
from stlib.validation import SettingError

# API setting -> the option that sets it
OPTIONS = {
    "content": "CONTENT",
    "style": "STYLE",
    "model": "--model",
    "size": "--size",
    "strength": "--strength",
    "mix": "--mix",
    "style_size": "--style-size",
    "preserve_color": "--preserve-color",
    "masks": "--masks",
}


def option_label(name: str) -> str:
    """How ``stlib adain`` names a setting: 'style_size' -> '--style-size'."""
    return OPTIONS.get(name, name)


def add_parser(commands) -> None:
    from stlib.adain.config import DEFAULT_STYLE_SIZE, PRESERVE_COLOR_MODES

    p = commands.add_parser(
        "adain",
        help="stylise CONTENT with any STYLE through a trained AdaIN decoder (Huang and "
        "Belongie 2017)",
        description="Paint a photo in one pass: VGG19 encodes the photo and the painting, "
        "adaptive instance normalisation gives the photo's features the painting's statistics, "
        "and a trained decoder (--model) paints them. Several STYLEs are mixed "
        "(--mix) or placed one per region (--masks). CONTENT and STYLE are files, URLs or "
        "sample names.",
    )
    add = p.add_argument
    add("content", help="the photograph (a file, an http(s) URL or a sample name)")
    add("style", nargs="+", help="one or more paintings (files, URLs or sample names)")
    add("-o", "--output", required=True, help="image to write (.png, .jpg, .webp, .tif, .bmp)")
    add(
        "--model",
        required=True,
        help="the AdaIN decoder, a .keras file saved by `AdaINNetwork.save` (the "
        "`stlib adain-train` command is not built yet)",
    )
    add(
        "--strength",
        type=number,
        help="0 (the photo redrawn by the decoder) to 1 (the full style) (default: 1)",
    )
    add(
        "--mix",
        type=numbers,
        metavar="W1,W2,...",
        help="how much of each STYLE, one weight each, e.g. 0.7,0.3 (default: equal)",
    )
    add(
        "--size",
        type=pixels,
        help="longest side of the output in px, or 'none' (default: none, the content's own size)",
    )
    add(
        "--style-size",
        type=whole_number,
        help="longest side each STYLE is resized to; smaller gives larger strokes "
        f"(default: {DEFAULT_STYLE_SIZE})",
    )
    add(
        "--preserve-color",
        choices=[mode for mode in PRESERVE_COLOR_MODES if mode],
        help="keep the photo's colours (default: off)",
    )
    add(
        "--masks",
        metavar="M1,M2,...",
        help="place the paintings instead of mixing them: one mask per STYLE, in order, each an "
        "image file (white: where that STYLE paints), left, right, top, bottom, or rest (what "
        "the others leave), or 'auto' (the photo's own colour regions); not with --mix",
    )
    p.set_defaults(run=run, option_label=option_label)


def _config(args):
    from stlib.adain.config import DEFAULT_STYLE_SIZE, AdaINConfig

    return AdaINConfig(
        size=args.size,
        strength=1.0 if args.strength is None else args.strength,
        mix=args.mix,
        style_size=DEFAULT_STYLE_SIZE if args.style_size is None else args.style_size,
        preserve_color=args.preserve_color,
    )


def _masks(args, config):
    """--masks parsed (None, "auto" or a list) and checked against --mix and the STYLEs."""
    if args.masks is None:
        config.mixing_weights(len(args.style))  # one --mix weight per STYLE
        return None
    from stlib import masks
    from stlib.adain.config import check_masks

    parsed = masks.parse(args.masks)
    check_masks(config, parsed, len(args.style))
    return parsed


def _model_source(text: str) -> str:
    """--model: a stlib AdaIN decoder file (checked before TensorFlow)."""
    from stlib.adain.model_file import model_file_problem

    problem = model_file_problem(text)
    if problem is not None:
        raise SettingError({"model": text}, problem)
    return str(Path(text).expanduser())


def run(args) -> int:
    from stlib import outputs
    from stlib.startup import start_tensorflow

    config = _config(args)  # every setting checked, before TensorFlow starts
    mask_sources = _masks(args, config)
    model = _model_source(args.model)
    config = config.replace(model=model)
    mask_files = mask_sources if isinstance(mask_sources, list) else []
    (output,) = outputs.check_run_paths(
        [("output", args.output, outputs.IMAGE_SUFFIXES)],
        inputs=local_files([args.content, *args.style, model, *mask_files]),
    )

    start_tensorflow()
    from stlib import images
    from stlib.adain import api

    start = time.perf_counter()
    network = api.load(model)
    image = api.stylize(args.content, args.style, config.replace(model=network), masks=mask_sources)
    images.save(image.image, output)
    if mask_sources is None:
        weights = config.mixing_weights(len(args.style))
        what = ", ".join(
            f"{os.path.basename(str(s))}" + (f" {w:.2g}" if len(weights) > 1 else "")
            for s, w in zip(args.style, weights)
        )
    else:
        what = f"{len(args.style)} regions ({args.masks})"
    shape = image.image.shape
    print(
        f"wrote {output} ({shape[2]}x{shape[1]} px, {what}, strength {config.strength:g}, "
        f"{os.path.basename(model)}, {time.perf_counter() - start:.1f} s)"
    )
    return EXIT_OK
