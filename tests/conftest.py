"""Shared fixtures. Tests never download: they read the offline folders named by
STLIB_MODELS_DIR / STLIB_DATA_DIR (CI sets them to ../shared), or skip saying why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The offline folders are set by the repository's conftest.py (beside stlib/ and tests/).

# Markers follow the fixtures a test asks for, directly or through another fixture, so that
# `-m "not weights"` / `-m "not slow"` leave out every test that loads VGG19 or trains.
MARKS_OF_FIXTURES = {"vgg_weights": ("weights",)}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, marks in MARKS_OF_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()):
                for mark in marks:
                    item.add_marker(mark)


@pytest.fixture(scope="session")
def vgg_weights() -> Path:
    """The real VGG19 ImageNet weights file, or skip (no download in tests)."""
    from stlib import weights

    try:
        return weights.vgg19_weights_path(download=False)
    except FileNotFoundError as error:
        pytest.skip(f"VGG19 weights not available offline: {error}")


@pytest.fixture(scope="session")
def samples_available() -> None:
    """Skip unless the sample images are available offline."""
    if not os.environ.get("STLIB_DATA_DIR"):
        pytest.skip("STLIB_DATA_DIR is not set and no shared/images folder beside the checkout")


@pytest.fixture(scope="session")
def tflite_models() -> dict:
    """{file name: path} of the official TFLite files (STLIB_MODELS_DIR or the cache), or skip."""
    from stlib.arbitrary import models

    try:
        return {name: models.model_path(name, download=False) for name in models.FILES}
    except models.ModelNotFoundError as error:
        pytest.skip(f"the arbitrary-style TFLite files are not available offline: {error}")


@pytest.fixture(scope="session")
def magenta26_available() -> None:
    """Skip unless Magenta's 26-style frozen graph is available offline."""
    from stlib.cin import magenta26

    try:
        magenta26.frozen_graph_path(download=False)
    except magenta26.ModelNotFoundError as error:
        pytest.skip(f"the 26-style frozen graph is not available offline: {error}")


@pytest.fixture
def no_network(monkeypatch):
    """Tests never go online: --backend auto asks whether TF Hub is reachable, and it never is."""
    import urllib.error
    import urllib.request

    def refuse(*args, **kwargs):
        raise urllib.error.URLError("the tests do not go online")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def served_folder(tmp_path):
    """(folder, base URL): a local HTTP server for a fresh folder, stopped after the test, so that
    download code is tested on real HTTP without the internet."""
    import functools
    import http.server
    import threading

    folder = tmp_path / "served"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # no request lines in the test output
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield folder, f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
