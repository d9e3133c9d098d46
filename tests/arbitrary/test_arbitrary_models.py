"""Where the TFLite files come from: STLIB_MODELS_DIR, the cache, a download checked by sha256, or
one clear error. Downloads go to a server on this machine, never to the internet."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from stlib.arbitrary import models


@pytest.fixture
def offline(tmp_path, monkeypatch) -> Path:
    """An empty STLIB_MODELS_DIR, an empty cache, and an official URL that refuses connections."""
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.setenv("STLIB_MODELS_DIR", str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(models, "BASE_URL", "http://127.0.0.1:9/")  # the discard port: refused
    return folder


@pytest.fixture
def server(served_folder, monkeypatch):
    """A local HTTP server for a folder (tests/conftest.py); BASE_URL points at it. Yields the
    folder it serves."""
    served, base_url = served_folder
    monkeypatch.setattr(models, "BASE_URL", base_url)
    return served


def test_the_registry_matches_the_published_files():
    assert models.PREDICTOR.url == (
        "https://storage.googleapis.com/download.tensorflow.org/models/tflite/"
        "arbitrary_style_transfer/style_predict_quantized_256.tflite"
    )
    assert set(models.TRANSFORMER_FILES) == {"dynamic", "int8", "float16"}
    assert all(len(f.sha256) == 64 and f.bytes > 100_000 for f in models.FILES.values())


def test_files_in_the_models_folder_are_found_and_checked(tflite_models):
    for name, path in tflite_models.items():
        assert path.name == name and path.stat().st_size == models.FILES[name].bytes
        assert hashlib.sha256(path.read_bytes()).hexdigest() == models.FILES[name].sha256


def test_missing_offline_is_one_clear_error(offline):
    with pytest.raises(models.ModelNotFoundError) as caught:
        models.model_path(models.PREDICTOR)
    message = str(caught.value)
    url = "http://127.0.0.1:9/style_predict_quantized_256.tflite"
    assert "style_predict_quantized_256.tflite not found" in message
    assert f"STLIB_MODELS_DIR={offline}: no tflite/magenta-arbitrary-style-transfer/" in message
    assert f"download from {url} failed" in message
    assert "Fix: set STLIB_MODELS_DIR to a folder that holds" in message and url in message
    assert str(models.cache_dir() / models.PREDICTOR.name) in message  # the cache
    # One error: no chain of pooch/requests exceptions behind it.
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert isinstance(caught.value, FileNotFoundError)


def test_download_false_does_not_try(offline):
    with pytest.raises(models.ModelNotFoundError, match=r"not tried \(download=False\)"):
        models.model_path("style_transfer_f16_384.tflite", download=False)


def test_a_wrong_local_file_is_refused_naming_the_url(offline):
    target = offline / models.FOLDER / models.PREDICTOR.name
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a model")
    with pytest.raises(models.ModelHashError) as caught:
        models.model_path(models.PREDICTOR)
    assert str(target) in str(caught.value) and models.PREDICTOR.url in str(caught.value)


def test_a_download_is_checked_and_cached(tflite_models, server, tmp_path, monkeypatch):
    monkeypatch.setenv("STLIB_MODELS_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    name = "style_transfer_quantized_384.tflite"
    shutil.copy(tflite_models[name], server / name)
    fetched = models.model_path(name)
    assert fetched == models.cache_dir() / name and str(tmp_path / "cache") in str(fetched)
    assert fetched.read_bytes() == tflite_models[name].read_bytes()
    (server / name).unlink()  # the second call reads the cache
    assert models.model_path(name) == fetched
    assert models.describe()[name]["source"] == "cache"


def test_a_download_with_the_wrong_bytes_is_not_kept(server, tmp_path, monkeypatch):
    monkeypatch.setenv("STLIB_MODELS_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    name = "style_transfer_f16_384.tflite"
    (server / name).write_bytes(b"a different file")
    with pytest.raises(models.ModelNotFoundError, match="has sha256 .* expected c60cff7"):
        models.model_path(name)
    assert not (models.cache_dir() / name).exists()


def test_describe_says_where_each_file_is(tflite_models):
    where = models.describe()
    assert set(where) == set(models.FILES)
    for name, entry in where.items():
        assert entry["source"] in ("STLIB_MODELS_DIR", "cache")
        assert entry["path"] == str(tflite_models[name]) and entry["url"].endswith(name)


def test_an_unknown_file_name_lists_the_files():
    with pytest.raises(ValueError, match="choose from style_predict_quantized_256.tflite"):
        models.model_path("style.tflite")
