"""Plain helpers of the stlib.adain tests (fixtures are in conftest.py)."""

from __future__ import annotations

import numpy as np


def image(height: int, width: int, seed: int) -> np.ndarray:
    """A smooth seeded colour image [1, H, W, 3] in [0, 1] (gradients plus noise)."""
    rng = np.random.default_rng(seed)
    y, x = np.meshgrid(np.linspace(0, 1, height), np.linspace(0, 1, width), indexing="ij")
    phase = rng.uniform(0, 2 * np.pi, 3)
    channels = [0.5 + 0.4 * np.sin(3 * x + 2 * y * (k + 1) + phase[k]) for k in range(3)]
    picture = np.stack(channels, -1) + 0.08 * rng.standard_normal((height, width, 3))
    return np.clip(picture, 0, 1).astype(np.float32)[None]


def tiny_network(vgg_weights, seed: int = 0, bias: float = 0.0):
    """An untrained AdaIN network with the tiny decoder, its weights drawn from ``seed``;
    ``bias`` is added to the last convolution's bias (mid-grey pastiches, not clipped black)."""
    import keras

    from stlib.adain.network import AdaINNetwork
    from stlib.adain.spec import TINY

    keras.utils.set_random_seed(seed)
    network = AdaINNetwork(spec=TINY, vgg_weights=vgg_weights)
    if bias:
        last = network.decoder.stages[-1].conv
        last.bias.assign(last.bias.numpy() + bias)
    return network
