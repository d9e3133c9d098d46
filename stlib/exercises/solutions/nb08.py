"""Notebook 08's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

import numpy as np

__all__ = ["color_distance", "gram_distance", "impostor", "psnr"]


def gram_distance(features, style_features):
    """||G(x) - G(s)||_F / ||G(s)||_F for feature maps [1, h, w, N] of any two sizes."""

    def gram(maps):
        flat = np.asarray(maps, np.float64).reshape(-1, maps.shape[-1])  # F: [h*w, N]
        return flat.T @ flat / flat.shape[0]  # each divided by its own number of positions

    g, a = gram(features), gram(style_features)
    return np.linalg.norm(g - a) / np.linalg.norm(a)  # Frobenius norms, the painting's below


def psnr(image, reference):
    """10 log10(peak^2 / MSE) in dB for two images [1, H, W, 3] in [0, 1]: the peak is 1."""
    difference = np.asarray(image, np.float64) - np.asarray(reference, np.float64)
    mse = np.mean(difference**2)  # over every pixel and channel
    return 10.0 * np.log10(1.0 / mse)


def color_distance(image, reference, levels):
    """Mean over R, G, B of W1 = mean_k |Q_x(q_k) - Q_r(q_k)|, q_k = (k + 1/2) / levels."""
    q = (np.arange(levels) + 0.5) / levels
    a = np.quantile(np.asarray(image, np.float64).reshape(-1, 3), q, axis=0)  # [levels, 3]
    b = np.quantile(np.asarray(reference, np.float64).reshape(-1, 3), q, axis=0)
    return np.abs(a - b).mean()


def impostor(photo, painting):
    """The painting's four quarters swapped across the diagonal, at the photo's size: no pastiche
    (nothing of the photo but its size, no network, no optimisation), yet the same features at
    almost every position, so almost the same Gram matrices (means over positions)."""
    height, width = photo.shape[1:3]
    rows = np.linspace(0, painting.shape[1] - 1, height).round().astype(int)
    cols = np.linspace(0, painting.shape[2] - 1, width).round().astype(int)
    resized = np.asarray(painting, np.float32)[:, rows][:, :, cols]  # nearest neighbour
    # Two big pieces each way: only the two seams are edges the painting never had, and every
    # piece lands far from its place, so the painting's layout is gone.
    return np.roll(resized, (height // 2, width // 2), axis=(1, 2))
