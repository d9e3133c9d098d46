"""Fixtures of the stlib.export tests: a tiny random multi-style network, and its file."""

from __future__ import annotations

import pytest

from stlib.cin.transformer import MultiStyleTransformer, TransformerSpec

TINY = TransformerSpec((4, 6, 8), 1, (6, 4))


@pytest.fixture(scope="module")
def tiny_network():
    """Four styles, random kernels and random (not identity) gamma and beta rows."""
    import keras
    import numpy as np

    keras.utils.set_random_seed(3)
    network = MultiStyleTransformer(4, TINY, style_names=["a", "b", "c", "d"])
    rng = np.random.default_rng(3)
    for norm in network.norm_layers():
        norm.gamma.assign(rng.uniform(0.5, 1.5, norm.gamma.shape).astype("float32"))
        norm.beta.assign(rng.normal(0, 0.3, norm.beta.shape).astype("float32"))
    return network


@pytest.fixture(scope="module")
def tiny_file(tiny_network, tmp_path_factory):
    """The tiny network saved as a .keras file, as `stlib cin-train` writes it."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.keras"
    tiny_network.save(path)
    return path
