"""Notebook 04's exercises answered: the reference for the tests and for teachers.

Never imported by a notebook. Each name is the one the student cell defines.
"""

from __future__ import annotations

__all__ = ["effective_style_weights", "representation_sizes", "slider_value"]


def slider_value(paper_ratio):
    """slider = content_weight / style_weight = (alpha/2) / (beta/4) = 2 alpha/beta: the slider
    shows twice the paper's ratio, so the paper's 1e-2 (Fig. 3, right) is the slider's 2e-2."""
    return 2 * paper_ratio


def effective_style_weights(config):
    """{layer: beta * w_l} for every style layer of config (a GatysConfig)."""
    return {layer: config.style_weight * weight for layer, weight in config.style_layers.items()}


# N_l^2 entries per layer, whatever the image size (N_l = 64, 128, 256, 512, 512 for conv1_1 ...
# conv5_1), summed over the layers of each row A..E.
representation_sizes = [
    64**2,
    64**2 + 128**2,
    64**2 + 128**2 + 256**2,
    64**2 + 128**2 + 256**2 + 512**2,
    64**2 + 128**2 + 256**2 + 512**2 + 512**2,
]
