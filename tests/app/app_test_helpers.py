"""Plain helpers of the app tests (fixtures are in conftest.py)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

REPOSITORY = Path(__file__).resolve().parents[2]
APP = REPOSITORY / "stlib" / "app" / "streamlit_app.py"
RUN_SECONDS = 90  # one script run: TensorFlow's start and the first model load on a slow CPU


def media_bytes(media: dict, url: str) -> tuple[bytes, str, str | None]:
    """The recorded file behind a media URL (``/mock/media/<id>.png``)."""
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    return media[file_id]


def decoded(data: bytes) -> np.ndarray:
    """Image file bytes -> uint8 [H, W, 3]."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
