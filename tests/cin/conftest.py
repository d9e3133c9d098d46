"""Fixtures of the stlib.cin tests: the pretrained 26-style network (or skip)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def magenta26_path():
    """The frozen graph from STLIB_MODELS_DIR or the cache, never downloaded; or skip."""
    from stlib.cin import magenta26

    try:
        return magenta26.frozen_graph_path(download=False)
    except magenta26.ModelNotFoundError as error:
        pytest.skip(f"the 26-style frozen graph is not available offline: {error}")


@pytest.fixture(scope="session")
def magenta26_model(magenta26_path):
    """The 26 styles imported into the Keras model, once per test session (through the API)."""
    from stlib.cin import api

    return api.load("magenta-26")
