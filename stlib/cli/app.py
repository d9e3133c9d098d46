"""``stlib app``: start the Streamlit app and print its local URL."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import stlib
from stlib.cli.common import EXIT_FAILURE, say, whole_number

APP_SCRIPT = Path("app") / "streamlit_app.py"


def port(text: str) -> int:
    port = whole_number(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a TCP port in [1, 65535], got {port}")
    return port


def add_parser(commands) -> None:
    p = commands.add_parser(
        "app",
        help="open the Streamlit app: change the images and the parameters, watch the pastiche",
        description="Start the Streamlit app (app/streamlit_app.py of this checkout) and print "
        "its local URL; Ctrl-C stops it. Needs the app extra: pip install -e '.[app]'.",
    )
    p.add_argument("--port", type=port, default=8501, help="TCP port (default: 8501)")
    p.add_argument(
        "--address",
        default="localhost",
        help="address to listen on; 0.0.0.0 serves other machines too (default: localhost)",
    )
    p.set_defaults(run=run)


def app_script() -> Path:
    """The app's script: ``app/streamlit_app.py`` beside the stlib package (a checkout, an
    editable install), else in the current folder; FileNotFoundError saying where it looked."""
    looked = [Path(stlib.__file__).resolve().parents[1] / APP_SCRIPT, Path.cwd() / APP_SCRIPT]
    for script in looked:
        if script.is_file():
            return script
    raise FileNotFoundError(
        f"the app's script is not at {' nor at '.join(map(str, looked))}; the app lives in the "
        "repository (it is not part of the wheel): run `stlib app` from a clone of "
        "https://github.com/stlib-course/stlib with `pip install -e '.[app]'`"
    )


def run(args) -> int:
    import importlib.util

    if importlib.util.find_spec("streamlit") is None:
        say("error: the app needs Streamlit: pip install -e '.[app]' (or `make app`)")
        return EXIT_FAILURE
    script = app_script()
    host = "localhost" if args.address in ("0.0.0.0", "::") else args.address
    print(f"stlib app: {script} at http://{host}:{args.port} (Ctrl-C stops it)", flush=True)
    command = [sys.executable, "-m", "streamlit", "run", str(script)]
    command += ["--server.port", str(args.port), "--server.address", args.address]
    # From the checkout's root, so that Streamlit reads its .streamlit/config.toml (upload limit);
    # this process becomes the server, so Ctrl-C and a kill reach it directly.
    os.chdir(script.parents[1])
    os.execv(sys.executable, command)
    return EXIT_FAILURE  # not reached: execv replaces this process
