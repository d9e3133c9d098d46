"""Fixtures of the app tests: the page under Streamlit's AppTest, what it sent as files (images,
downloads), and the offline models and samples it needs; each skips saying what is missing.
Plain helpers are in app_test_helpers.py."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from app_test_helpers import APP, RUN_SECONDS


@pytest.fixture(scope="session")
def app_needs() -> None:
    """Skip unless Streamlit, the TFLite files, the VGG19 weights and the samples are here."""
    if importlib.util.find_spec("streamlit") is None:
        pytest.skip("the app tests need Streamlit: pip install -e '.[app]'")
    if not os.environ.get("STLIB_DATA_DIR"):
        pytest.skip("STLIB_DATA_DIR is not set and no shared/images folder beside the checkout")
    from stlib import weights
    from stlib.arbitrary import models

    try:
        for name in models.FILES:
            models.model_path(name, download=False)
        weights.vgg19_weights_path(download=False)
    except FileNotFoundError as error:
        pytest.skip(f"the app needs its models offline: {error}")


@pytest.fixture(scope="module", autouse=True)
def keep_keras_clear_session():
    """The page turns keras.backend.clear_session into a no-op in its process: undo it after."""
    if importlib.util.find_spec("keras") is None:
        yield
        return
    import keras

    original = keras.backend.clear_session
    yield
    keras.backend.clear_session = original


@pytest.fixture
def media(monkeypatch) -> dict[str, tuple[bytes, str, str | None]]:
    """``{file id: (bytes, mimetype, file name)}`` of every image and download the page sends.

    AppTest keeps them in a MemoryMediaFileStorage that is replaced at each run; recording its
    ``load_and_get_id`` keeps them for the test.
    """
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, tuple[bytes, str, str | None]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        data = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        files[file_id] = (bytes(data), mimetype, filename)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return files


@pytest.fixture
def app(app_needs, media):
    """The page under AppTest, run once (samples tuebingen and starry_night, arbitrary)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=RUN_SECONDS)
    at.run()
    assert not at.exception, at.exception
    return at
