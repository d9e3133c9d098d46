"""Whether a file is a multi-style network saved by stlib, read without TensorFlow.

A ``.keras`` file is a zip holding ``config.json``, whose top entry names the model's class. The
command line reads it before TensorFlow starts, so that ``--model notes.txt`` or a network of
another kind is a usage error (exit 2) that names the file, not a Keras traceback a minute later.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

__all__ = ["STLIB_CLASS_NAMES", "network_file_problem"]

# How Keras 3 registers stlib.cin.transformer.MultiStyleTransformer (and the bare class name):
# "stlib.fast" is the package name inside saved files (stlib.cin.layers.PACKAGE says why).
STLIB_CLASS_NAMES = ("stlib.fast>MultiStyleTransformer", "MultiStyleTransformer")


def network_file_problem(path: str | os.PathLike) -> str | None:
    """What is wrong with ``path`` as a stlib multi-style network, or None if nothing is.

    >>> network_file_problem("no/such/file.keras")
    'no such file'
    """
    file = Path(path).expanduser()
    if file.suffix != ".keras":
        return "expected a .keras file saved by `stlib cin-train`"
    if not file.is_file():
        return "no such file"
    try:
        with zipfile.ZipFile(file) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        return "is not a Keras .keras file (a zip holding config.json), or it is truncated"
    if not isinstance(config, dict):
        return "is not a Keras .keras file (its config.json holds no model)"
    name = config.get("registered_name") or config.get("class_name")
    if name not in STLIB_CLASS_NAMES:
        return (
            f"holds a {config.get('class_name')}, not a stlib multi-style network "
            "(one written by `stlib cin-train`)"
        )
    return None
