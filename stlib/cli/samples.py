"""``stlib samples``: the sample images by name, with their credits (no TensorFlow)."""

from __future__ import annotations

from stlib.cli.common import EXIT_OK


def add_parser(commands) -> None:
    p = commands.add_parser("samples", help="list the sample images by name, with credits")
    p.add_argument(
        "--kind",
        choices=("content", "style"),
        help="only photographs or only paintings (default: both)",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    from stlib import data

    for sample in data.samples(args.kind):
        print(f"{sample.name:20s} {sample.kind:8s} {sample.credit}")
    return EXIT_OK
