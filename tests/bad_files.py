"""Files a user might hand a command by mistake, made in the test (no download): helpers for
test_bad_input.py and test_folders.py."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def picture(path: Path, height: int = 64, width: int = 64, seed: int = 0) -> Path:
    """A random RGB picture in the format of ``path``'s suffix."""
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random((height, width, 3)) * 255).astype(np.uint8)).save(path)
    return path


def png_header(path: Path, width: int, height: int) -> Path:
    """A PNG that declares width x height pixels and holds none: its size can be read, and a
    decompression-bomb check would refuse it, but there is nothing to decode."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
    return path
