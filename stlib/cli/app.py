"""``stlib app``: start the Streamlit app and print its local URL."""

from __future__ import annotations

import argparse
import os
import sys

from stlib.cli.common import EXIT_FAILURE, say, whole_number


def port(text: str) -> int:
    port = whole_number(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a TCP port in [1, 65535], got {port}")
    return port


def add_parser(commands) -> None:
    p = commands.add_parser(
        "app",
        help="open the Streamlit app: change the images and the parameters, watch the pastiche",
        description="Start the Streamlit app (stlib/app/streamlit_app.py, part of the package) "
        "and print its local URL; Ctrl-C stops it. Needs the app extra: pip install 'stlib[app]' "
        "(in a checkout: pip install -e '.[app]').",
    )
    p.add_argument("--port", type=port, default=8501, help="TCP port (default: 8501)")
    p.add_argument(
        "--address",
        default="localhost",
        help="address to listen on; 0.0.0.0 serves other machines too (default: localhost)",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    import importlib.util

    if importlib.util.find_spec("streamlit") is None:
        say("error: the app needs Streamlit: pip install 'stlib[app]' (in a checkout: `make app`)")
        return EXIT_FAILURE
    from stlib.app import SCRIPT, STREAMLIT_OPTIONS

    host = "localhost" if args.address in ("0.0.0.0", "::") else args.address
    print(f"stlib app: {SCRIPT} at http://{host}:{args.port} (Ctrl-C stops it)", flush=True)
    command = [sys.executable, "-m", "streamlit", "run", str(SCRIPT)]
    command += ["--server.port", str(args.port), "--server.address", args.address]
    for option, value in STREAMLIT_OPTIONS.items():
        command += [f"--{option}", value]
    # This process becomes the server, so Ctrl-C and a kill reach it directly.
    os.execv(sys.executable, command)
    return EXIT_FAILURE  # not reached: execv replaces this process
