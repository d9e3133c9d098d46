"""Fixtures of the stlib.adain tests: tiny decoders (8-16 channels) on a random or the real VGG19,
and small seeded images (32-64 px), so that every test runs in seconds on a CPU."""

from __future__ import annotations

import pytest
from adain_test_helpers import tiny_network


@pytest.fixture(scope="session")
def random_network():
    """A tiny decoder on a randomly initialised VGG19: shapes, plumbing and feature algebra."""
    return tiny_network(None)


@pytest.fixture(scope="session")
def real_network(vgg_weights):
    """A tiny decoder on the real, normalised VGG19 (its pastiches are mid-grey and varied)."""
    return tiny_network("imagenet", seed=1, bias=0.5)
