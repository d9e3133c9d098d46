"""What every ``stlib`` sub-command shares: exit codes, the parser with short errors, argument
types whose messages are in the user's terms, and how an error becomes one line and an exit code.

Nothing here imports a sub-command or TensorFlow: the sub-commands import this module, never one
another.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence

from stlib.validation import SettingError, did_you_mean

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def option_text(value) -> str:
    """A setting's value as it would be typed on the command line."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "''" if not value else ",".join(f"{k}:{option_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(option_text(v) for v in value)
    return str(value)


def command_line(command: str, arguments: Sequence[str], options: Mapping[str, object]) -> str:
    """The command as a user would type it, for a front end to show (the app, the notebooks).

    ``command`` as it is (``"stlib cin"``); each argument and option value shell-quoted, values
    written by ``option_text`` (``(1, 2)`` -> ``1,2``, ``{7: 1.0}`` -> ``7:1``); an option whose
    value is None is left out (its default).

    >>> options = {"-o": "out.png", "--mix": {7: 1.0, 19: 0.5}, "--model": None}
    >>> command_line("stlib cin", ["my photo.jpg"], options)
    "stlib cin 'my photo.jpg' -o out.png --mix 7:1,19:0.5"
    """
    words = [command, *map(shlex.quote, arguments)]
    for option, value in options.items():
        if value is not None:
            words += [option, shlex.quote(option_text(value))]
    return " ".join(words)


# --- argument types: messages in the user's terms ----------------------------------------------


def layer_weights(text: str) -> dict[str, float]:
    """'relu1_1,relu2_1:0.5' -> {'relu1_1': 1.0, 'relu2_1': 0.5}; '' gives no layers."""
    layers = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, weight = item.partition(":")
        try:
            layers[name] = float(weight) if weight else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"bad layer weight in {item!r}; write NAME or NAME:WEIGHT, e.g. relu1_1:0.5"
            ) from None
    return layers


def numbers(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None


def step_counts(text: str) -> int | tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, or one per scale separated by commas (200,100); got {text!r}"
        ) from None
    return counts[0] if len(counts) == 1 else counts


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def pixels(text: str) -> int | None:
    if text.lower() in ("none", "original"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of pixels, or 'none' for the content's own size; got {text!r}"
        ) from None


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


# --- the parser -------------------------------------------------------------------------------


class DeprecatedSpelling(argparse.Action):
    """An option's old spelling: works, with a one-line note on stderr."""

    def __call__(self, parser, namespace, values, option_string=None):
        new = "--" + self.dest.replace("_", "-")
        print(f"note: {option_string} is now spelled {new}", file=sys.stderr)
        setattr(namespace, self.dest, values)


class Parser(argparse.ArgumentParser):
    """argparse with short errors: the message and where to look, not the whole usage block.

    A value that starts with a minus and a digit (``--mix -1,2``, ``--strength -.5``) is a
    value, not an unknown option: argparse's own rule knows only single numbers, so a list such
    as ``-1,2`` got "expected one argument", and the range check never saw it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d[\d.,:eE+-]*$")

    def error(self, message: str):
        if message.startswith("unrecognized arguments:"):
            message += nearest_options(message.split(":", 1)[1].split(), self)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")


def nearest_options(typed: list[str], parser: argparse.ArgumentParser) -> str:
    """' (did you mean --size?)' for mistyped options, looking in every sub-command's options."""
    options = [o for action in parser._actions for o in action.option_strings]
    for action in parser._actions:  # the sub-commands' own options
        for sub in getattr(action, "choices", None) or {}:
            if isinstance(action.choices, dict):
                options += [o for a in action.choices[sub]._actions for o in a.option_strings]
    hints = [did_you_mean(word, options) for word in typed if word.startswith("--")]
    return "".join(hint for hint in hints if hint)


def local_files(sources) -> list[str]:
    """The inputs that are files on this machine (not URLs, sample names or arrays)."""
    return [str(s) for s in sources if isinstance(s, str) and os.path.isfile(s)]


# --- errors ------------------------------------------------------------------------------------

_command = "stlib"  # the sub-command that runs, for the first word of every message


def set_command(name: str) -> None:
    """Name the running sub-command (``stlib transfer``) in what :func:`say` prints."""
    global _command
    _command = name


def say(message: str) -> None:
    print(f"{_command}: {message}", file=sys.stderr)


def exit_code(error: BaseException) -> int | None:
    """The exit code of an error the user can act on, or None for a bug.

    A bug is shown with a traceback hint.
    """
    from stlib import data, outputs

    history = sys.modules.get("stlib.gatys.history")  # where TransferError lives
    if history is not None and isinstance(error, history.TransferError):
        return EXIT_FAILURE  # found during the run
    usage = (SettingError, outputs.OutputPathError, data.UnknownSampleError)
    if isinstance(error, usage):
        return EXIT_USAGE
    images = sys.modules.get("stlib.images")
    if images is not None and isinstance(error, images.ImageError):
        return EXIT_USAGE
    masks = sys.modules.get("stlib.masks")  # a --masks value that cannot place the paintings
    if masks is not None and isinstance(error, masks.MaskError):
        return EXIT_USAGE
    cin_api = sys.modules.get("stlib.cin.api")  # a --model file that is no stlib network
    if cin_api is not None and isinstance(error, cin_api.ModelFileError):
        return EXIT_USAGE
    if isinstance(error, (ValueError, OSError, RuntimeError)):
        return EXIT_FAILURE  # during the run: a failed transfer, missing weights, a full disk
    return None


def message(error: BaseException, option_label: Callable[[str], str] = str) -> str:
    """The error in the user's terms: a setting is named as the sub-command's option."""
    if isinstance(error, SettingError):
        return error.worded(option_label, lambda name, value: option_text(value), separator=" ")
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error) or type(error).__name__
