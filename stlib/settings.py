"""Where stlib finds pretrained files and sample images, and whether it runs in quick mode.

Read from environment variables at call time (not import time) so that tests and notebooks can
change them:

- ``STLIB_MODELS_DIR``: a folder laid out like the course's ``shared/models`` (for example
  ``keras/models/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``); used before any download.
- ``STLIB_DATA_DIR``: a folder laid out like ``shared/images`` (``content/*.jpg``, ``style/*.jpg``).
- ``STLIB_QUICK``: ``1`` shrinks sizes and step counts so that notebooks run in minutes on a CPU.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DATA_DIR_VARIABLE",
    "MODELS_DIR_VARIABLE",
    "QUICK_VARIABLE",
    "data_dir",
    "models_dir",
    "quick_mode",
    "quick_or",
]

MODELS_DIR_VARIABLE = "STLIB_MODELS_DIR"
DATA_DIR_VARIABLE = "STLIB_DATA_DIR"
QUICK_VARIABLE = "STLIB_QUICK"


def _folder_from(variable: str) -> Path | None:
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise NotADirectoryError(
            f"{variable}={value!r} is not a folder; point it at a folder laid out like "
            f"shared/{'models' if variable == MODELS_DIR_VARIABLE else 'images'}, or unset it"
        )
    return folder


def models_dir() -> Path | None:
    """The offline folder of pretrained files, or None when ``STLIB_MODELS_DIR`` is unset."""
    return _folder_from(MODELS_DIR_VARIABLE)


def data_dir() -> Path | None:
    """The offline folder of sample images, or None when ``STLIB_DATA_DIR`` is unset."""
    return _folder_from(DATA_DIR_VARIABLE)


def quick_mode() -> bool:
    """True when ``STLIB_QUICK`` is set to 1/true/yes: small images and few steps."""
    return os.environ.get(QUICK_VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


def quick_or(full, quick):
    """``quick`` in quick mode, else ``full``: the one switch notebooks use for sizes and steps.

    SIZE = settings.quick_or(512, 64)
    STEPS = settings.quick_or(300, 5)
    """
    return quick if quick_mode() else full
