"""``python -m stlib.figures [--quick] [--only NAME ...] [--out report/figures]``: make the report's
figures and ``numbers.tex`` (see ``stlib.figures``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from stlib import settings

    parser = argparse.ArgumentParser(
        prog="python -m stlib.figures",
        description="Make every figure of the report and the slides (PDF and PNG) and the "
        "numbers the text quotes (numbers.tex). Figures whose inputs have not changed are kept.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        default=settings.quick_mode(),
        help="small images and few steps, for CI (also STLIB_QUICK=1); every figure says so",
    )
    parser.add_argument("--only", nargs="+", metavar="NAME", help="make only these figures")
    parser.add_argument(
        "--out",
        help="folder of the figures (default: report/figures, report/figures-quick with --quick)",
    )
    parser.add_argument(
        "--numbers",
        help="the numbers file (default: report/generated/numbers.tex, or generated-quick/ with "
        "--quick, beside OUT)",
    )
    parser.add_argument("--force", action="store_true", help="remake even unchanged figures")
    parser.add_argument("--list", action="store_true", help="list the figures and stop")
    args = parser.parse_args(argv)

    from stlib.startup import start_tensorflow

    start_tensorflow()
    from stlib import figures, outputs

    if args.list:
        for name, spec in figures.FIGURES.items():
            print(f"{name:28s} {spec.title}")
        return 0
    suffix = "-quick" if args.quick else ""  # what report.tex's \stlibmode selects
    out = Path(args.out) if args.out else Path("report") / f"figures{suffix}"
    numbers_file = (
        Path(args.numbers) if args.numbers else out.parent / f"generated{suffix}" / "numbers.tex"
    )
    ctx = figures.Context(out=out, quick=args.quick)
    try:
        numbers = figures.make(args.only, ctx, force=args.force)
    except ValueError as error:
        print(f"python -m stlib.figures: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the figures made so far are kept", file=sys.stderr)
        return 130
    outputs.write_text(numbers_file, figures.numbers_tex(numbers, args.quick))
    print(f"wrote {numbers_file} ({sum(len(v) for v in numbers.values())} numbers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
