"""Small test images for the stlib.arbitrary tests, made afresh from their own seeded generator."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def smooth_photo(height: int, width: int, seed: int = 0) -> tf.Tensor:
    """[1, H, W, 3] float32 in [0, 1]: smooth colour gradients plus a little noise (photo-like)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack(
        [0.5 + 0.4 * np.sin(x / 23.0), 0.5 + 0.4 * np.cos(y / 17.0), (x + y) / (height + width)],
        axis=-1,
    )
    noisy = base + 0.03 * rng.standard_normal(base.shape).astype(np.float32)
    return tf.constant(np.clip(noisy, 0.0, 1.0)[None])
