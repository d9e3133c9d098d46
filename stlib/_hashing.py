"""File digests for checking downloaded or offline files.

sha256 for images; md5 for weights, as Keras checks them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_digest(file: Path, algorithm: str) -> str:
    """Hex digest of ``file``, read in 1 MiB blocks.

    An 80 MB weights file thus never sits in memory whole.
    """
    digest = hashlib.new(algorithm)
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
