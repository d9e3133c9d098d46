"""Notebook 07's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bottleneck", "cin_numbers", "overlap_ramp"]

# Exercise 1. The TFLite transformer normalises 13 layers with conditional instance norm: the 10
# convolutions of the five residual blocks (32 channels each) and the three upsampling
# convolutions (16, 8 and 3 channels): 10 * 32 + 16 + 8 + 3 = 347 channels. Each channel needs a
# gamma and a beta: 694 numbers per style. Each layer maps the 100 numbers of the embedding to its
# gammas and to its betas by two 1x1 convolutions with bias: 2 * (100 + 1) * C parameters, in all
# 2 * 101 * 347 = 70,094.
cin_numbers = (2 * 347, 2 * (100 + 1) * 347)


def bottleneck(content_embedding, style_embeddings, weights, strength):
    """Mix the styles by their normalised weights, then identity interpolation: [100]."""
    weights = np.asarray(weights, np.float64)
    mixed = sum(
        w * np.asarray(e, np.float64) for w, e in zip(weights / weights.sum(), style_embeddings)
    )
    return (1.0 - strength) * np.asarray(content_embedding, np.float64) + strength * mixed


def overlap_ramp(width):
    """The raised cosine 1/2 - 1/2 cos(pi x) at the pixel centres x = (i + 1/2) / width."""
    x = (np.arange(width) + 0.5) / width
    return 0.5 - 0.5 * np.cos(np.pi * x)
