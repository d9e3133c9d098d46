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

__all__ = ["STLIB_CLASS_NAMES", "keras_file_problem", "network_file_problem"]

# How Keras 3 registers stlib.cin.transformer.MultiStyleTransformer (and the bare class name):
# "stlib.fast" is the package name inside saved files (stlib.cin.layers.PACKAGE says why).
STLIB_CLASS_NAMES = ("stlib.fast>MultiStyleTransformer", "MultiStyleTransformer")


def keras_file_problem(path: str | os.PathLike, class_names, what: str) -> str | None:
    """What is wrong with ``path`` as a ``.keras`` file holding one of ``class_names`` (``what``
    names it in the message: "a stlib multi-style network"), or None if nothing is.

    Shared by every stlib network file (the multi-style network, the AdaIN decoder).
    """
    file = Path(path).expanduser()
    if file.suffix != ".keras":
        return f"expected a .keras file holding {what}"
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
    if name not in class_names:
        return f"holds a {config.get('class_name')}, not {what}"
    return None


def network_file_problem(path: str | os.PathLike) -> str | None:
    """What is wrong with ``path`` as a stlib multi-style network, or None if nothing is.

    >>> network_file_problem("no/such/file.keras")
    'no such file'
    """
    problem = keras_file_problem(path, STLIB_CLASS_NAMES, "a stlib multi-style network")
    if problem is None or problem == "no such file" or problem.startswith("is not"):
        return problem
    return f"{problem} (one written by `stlib cin-train`)"
