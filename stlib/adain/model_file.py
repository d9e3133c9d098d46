"""Whether a file is an AdaIN decoder saved by stlib, read without TensorFlow.

A ``.keras`` file is a zip holding ``config.json``, whose top entry names the model's class. The
command line reads it before TensorFlow starts, so that ``--model notes.txt`` or a network of
another kind is refused at once (a usage error naming the file and how to make one), not with a
Keras traceback after TensorFlow started.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from stlib.validation import SettingError

__all__ = ["HOW_TO_TRAIN", "STLIB_CLASS_NAMES", "ModelFileError", "model_file_problem"]

# How Keras 3 registers stlib.adain.network.AdaINDecoder (and the bare class name).
STLIB_CLASS_NAMES = ("stlib.adain>AdaINDecoder", "AdaINDecoder")
HOW_TO_TRAIN = (
    "train one in Python (stlib.adain.training_step, then AdaINNetwork.save writes the .keras "
    "file; the command `stlib adain-train` is not built yet) and give its path"
)


class ModelFileError(SettingError):
    """An AdaIN model that is not given, missing, not a ``.keras`` file, or not a stlib AdaIN
    decoder; ``settings`` is ``{"model": path}``, so each front end names it its own way."""

    def __init__(self, path, problem: str) -> None:
        super().__init__({"model": None if path is None else os.fspath(path)}, problem)


def model_file_problem(path: str | os.PathLike) -> str | None:
    """What is wrong with ``path`` as a stlib AdaIN decoder, or None if nothing is.

    >>> model_file_problem("no/such/file.keras").startswith("no such file")
    True
    """
    file = Path(path).expanduser()
    if file.suffix != ".keras":
        return f"expected a .keras file holding an AdaIN decoder; {HOW_TO_TRAIN}"
    if not file.is_file():
        return f"no such file; {HOW_TO_TRAIN}"
    try:
        with zipfile.ZipFile(file) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        return "is not a Keras .keras file (a zip holding config.json), or it is truncated"
    if not isinstance(config, dict):
        return "is not a Keras .keras file (its config.json holds no model)"
    name = config.get("registered_name") or config.get("class_name")
    if name not in STLIB_CLASS_NAMES:
        return f"holds a {config.get('class_name')}, not a stlib AdaIN decoder; {HOW_TO_TRAIN}"
    return None
