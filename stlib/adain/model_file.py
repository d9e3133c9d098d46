"""Whether a file is an AdaIN decoder saved by stlib, read without TensorFlow.

A ``.keras`` file is a zip holding ``config.json``, whose top entry names the model's class. The
command line reads it before TensorFlow starts, so that ``--model notes.txt`` or a network of
another kind is refused at once (a usage error naming the file and how to make one), not with a
Keras traceback after TensorFlow started.
"""

from __future__ import annotations

import os

from stlib.cin.network_file import keras_file_problem
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
    problem = keras_file_problem(path, STLIB_CLASS_NAMES, "a stlib AdaIN decoder")
    if problem is None or problem.startswith("is not"):
        return problem
    return f"{problem}; {HOW_TO_TRAIN}"
