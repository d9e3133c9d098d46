"""``stlib cin``: paint a photo with a multi-style network (Dumoulin et al. 2017), in one pass.

    stlib cin tuebingen -o out.png --style 19                  # one of the 26 pretrained styles
    stlib cin tuebingen -o out.png --mix 3:0.5,19:0.5 --size 512
    stlib cin photo.jpg -o out.png --style 1 --model my_styles.keras   # a network you trained
    stlib cin photo.jpg -o out.png --mix 7:1,19:1 --masks sky.png,rest   # a style per region
    stlib cin --list                                           # the styles of a network

Everything the user typed is checked before TensorFlow starts, except what only the network
knows (how many styles a trained ``.keras`` file has).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from stlib.cli.common import EXIT_OK, local_files, pixels
from stlib.validation import SettingError

# API setting -> the option that sets it
OPTIONS = {
    "style": "--style",
    "mix": "--mix",
    "size": "--size",
    "model": "--model",
    "preserve_color": "--preserve-color",
    "masks": "--masks",
}


def option_label(name: str) -> str:
    """How ``stlib cin`` names a setting: 'mix' -> '--mix', 'content' -> 'CONTENT'."""
    if name == "content":
        return "CONTENT"
    return OPTIONS.get(name, name)


def _style_index(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a style number (see `stlib cin --list`), got {text!r}"
        ) from None


def add_parser(commands) -> None:
    p = commands.add_parser(
        "cin",
        help="stylise CONTENT with a multi-style network, one of its styles or a mix "
        "(Dumoulin et al. 2017)",
        description="Paint a photo in one pass with a network that knows several styles "
        "(conditional instance normalisation). The default network is TensorFlow's Android demo "
        "with 26 pretrained styles (numbered 0-25: the demo gives them no names; see the "
        "gallery in notebook 06). CONTENT is a file, an http(s) URL or a sample name.",
    )
    add = p.add_argument
    add("content", nargs="?", help="the photograph (a file, an http(s) URL or a sample name)")
    add("-o", "--output", help="image to write (.png, .jpg, .webp, .tif, .bmp)")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--style", type=_style_index, metavar="K", help="paint in style K (0 to N-1)"
    )
    which.add_argument(
        "--mix",
        metavar="K:W,K:W,...",
        help="mix styles by weight, e.g. 3:0.5,19:0.5; the weights are divided by their sum",
    )
    which.add_argument("--list", action="store_true", help="list the network's styles and stop")
    add(
        "--model",
        default="magenta-26",
        help="magenta-26 (the 26 pretrained styles) or a .keras file saved by "
        "`stlib cin-train` (default: magenta-26)",
    )
    add(
        "--size",
        type=pixels,
        help="longest side of the output in px, or 'none' (default: none, the content's own "
        "size; a photo already at that size goes in unchanged)",
    )
    add(
        "--preserve-color",
        choices=["luminance"],
        help="keep the photo's colours: the pastiche's luminance with the photo's colours "
        "(default: off)",
    )
    add(
        "--masks",
        metavar="LIST",
        help="paint each region in its own style, in one pass: one mask per style of --mix, in "
        "its order, comma-separated: image files (white: the region), left, right, top, bottom, "
        "rest (what the others leave), or 'auto' (regions of similar colour); the seams are "
        "softened, and the weights of --mix are not used",
    )
    p.set_defaults(run=run, option_label=option_label)


def model_source(text: str) -> str:
    """--model: a pretrained name, or a stlib network file (checked before TensorFlow)."""
    from stlib.cin.network_file import network_file_problem
    from stlib.cin.pretrained import PRETRAINED

    if text in PRETRAINED:
        return text
    problem = network_file_problem(text)
    if problem is not None:
        raise SettingError({"model": text}, f"{problem}; or give {', '.join(PRETRAINED)}")
    return str(Path(text).expanduser())


def _selection(args):
    """The style selection (an index or a {index: weight} mix) and the setting that gave it."""
    from stlib.cin.mixing import parse_mix

    if args.mix is not None:
        return parse_mix(args.mix, name="mix"), "mix"
    if args.style is None:
        raise SettingError({}, "choose a style with --style K or a mix with --mix K:W,K:W")
    return args.style, "style"


def _mask_sources(text: str | None, mix: dict[int, float]) -> list[str] | str | None:
    """--masks as a list (or 'auto'), one mask per style of --mix (checked before TensorFlow)."""
    if text is None:
        return None
    from stlib import masks
    from stlib.cin.mixing import check_region_weights

    sources = masks.parse(text)
    if isinstance(sources, list) and len(sources) != len(mix):
        raise masks.MaskError(
            f"--masks gives {len(sources)} mask{'s' * (len(sources) != 1)} for the "
            f"{len(mix)} style{'s' * (len(mix) != 1)} of --mix; give one mask per "
            "style, in the order of --mix"
        )
    check_region_weights(mix, name="mix")
    return sources


def run(args) -> int:
    from stlib import outputs
    from stlib.cin.mixing import style_weights
    from stlib.startup import start_tensorflow

    model = model_source(args.model)
    if args.list:
        start_tensorflow()
        from stlib.cin import api

        network = api.load(model)
        print(f"{model}: {network.num_styles} styles")
        for index, name in enumerate(network.style_names):
            print(f"  {index:3d}  {name}")
        return EXIT_OK
    if args.content is None or args.output is None:
        missing = [
            label
            for label, value in (("CONTENT", args.content), ("-o OUTPUT", args.output))
            if value is None
        ]
        raise SettingError({}, f"give {' and '.join(missing)} (or --list to see the styles)")
    if args.masks is not None and args.mix is None:
        raise SettingError(
            {}, "--masks needs --mix K:W,K:W,... (one mask per style of the mix, in its order)"
        )
    selection, name = _selection(args)
    mask_sources = _mask_sources(args.masks, selection)
    from stlib.cin.pretrained import PRETRAINED

    known = PRETRAINED.get(model)
    if known is not None:
        style_weights(selection, known, name=name)  # a bad index or weight, before TensorFlow
    from stlib.cin.config import CinConfig

    config = CinConfig(model=model, size=args.size, preserve_color=args.preserve_color)
    (output,) = outputs.check_run_paths(
        [("output", args.output, outputs.IMAGE_SUFFIXES)],
        inputs=local_files(
            [
                args.content,
                *([] if known else [model]),
                *(mask_sources if isinstance(mask_sources, list) else []),
            ]
        ),
    )

    start_tensorflow()
    from stlib import images
    from stlib.cin import api

    start = time.perf_counter()
    network = api.load(model)
    weights = style_weights(selection, network.num_styles, name=name)
    if mask_sources is None:
        image = api.stylize(args.content, weights, config.replace(model=network)).image
        mixed = [f"{k}:{w:.2g}" for k, w in enumerate(weights) if w > 0]
        what = f"style {mixed[0].split(':')[0]}" if len(mixed) == 1 else f"mix {','.join(mixed)}"
    else:  # the mix's order is the masks' order: the dict, not the weight vector
        config = config.replace(model=network)
        image = api.stylize(args.content, selection, config, masks=mask_sources).image
        if isinstance(mask_sources, list):
            placed = [f"{k} in {os.path.basename(m)}" for k, m in zip(selection, mask_sources)]
            what = f"styles {', '.join(placed)}"
        else:
            what = f"styles {','.join(map(str, selection))} in automatic regions"
    images.save(image, output)
    print(
        f"wrote {output} ({image.shape[2]}x{image.shape[1]} px, {what} of "
        f"{os.path.basename(model)}, {time.perf_counter() - start:.1f} s)"
    )
    return EXIT_OK
