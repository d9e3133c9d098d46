"""Tests for stlib.published: the folder variable, the cache, the sha256 check, one download, and
the one error that names them. Downloads go to an HTTP server on this machine, never online."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from stlib import published, settings

PAYLOAD = b"published bytes " * 1000
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty STLIB_MODELS_DIR and an empty user cache; returns the models folder."""
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv(settings.MODELS_DIR_VARIABLE, str(models))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return models


@pytest.fixture
def served(served_folder):
    """A folder served over HTTP on 127.0.0.1 (tests/conftest.py); (folder, base URL)."""
    return served_folder


def a_file(url: str = "http://127.0.0.1:9/thing.bin", **changes) -> published.PublishedFile:
    """A published file under ``STLIB_MODELS_DIR/things/``; port 9 (discard) refuses."""
    fields = dict(
        path="things/thing.bin",
        url=url,
        sha256=DIGEST,
        folder=published.MODELS,
        what="test file thing.bin",
        bytes=len(PAYLOAD),
    )
    return published.PublishedFile(**{**fields, **changes})


def test_a_file_in_the_folder_variable_is_found_and_hashed_once(folders, monkeypatch):
    local = folders / "things" / "thing.bin"
    local.parent.mkdir()
    local.write_bytes(PAYLOAD)
    hashed = []
    real = published.sha256_of
    monkeypatch.setattr(published, "sha256_of", lambda f: hashed.append(f) or real(f))

    assert published.find(a_file(), download=False) == local
    assert published.find(a_file(), download=False) == local
    assert hashed == [local]  # checked once per process
    assert published.locate(a_file()).source == "folder"

    local.write_bytes(PAYLOAD + b"!")  # a replaced file is checked again
    with pytest.raises(published.HashError):
        published.find(a_file(), download=False)


def test_a_wrong_sha256_is_refused_with_the_names(folders):
    local = folders / "things" / "thing.bin"
    local.parent.mkdir()
    local.write_bytes(b"<html>404</html>")
    with pytest.raises(published.HashError) as caught:
        published.find(a_file())
    message = str(caught.value)
    assert str(local) in message and settings.MODELS_DIR_VARIABLE in message
    assert DIGEST in message and hashlib.sha256(b"<html>404</html>").hexdigest() in message
    assert "test file thing.bin" in message and "http://127.0.0.1:9/thing.bin" in message
    assert isinstance(caught.value, ValueError)


def test_a_download_is_written_atomically_into_the_cache_and_checked(folders, served):
    root, base = served
    (root / "thing.bin").write_bytes(PAYLOAD)
    cache = published.MODELS.cache_dir()
    assert published.locate(a_file(base + "thing.bin")).path == cache / "things" / "thing.bin"

    fetched = published.find(a_file(base + "thing.bin"))
    assert fetched == cache / "things" / "thing.bin"
    assert fetched.read_bytes() == PAYLOAD
    assert sorted(p.name for p in fetched.parent.iterdir()) == ["thing.bin"]  # no temporary
    (root / "thing.bin").unlink()  # the second call reads the cache
    assert published.find(a_file(base + "thing.bin")) == fetched
    assert published.locate(a_file(base + "thing.bin")).source == "cache"


def test_a_download_with_the_wrong_bytes_is_not_kept(folders, served):
    root, base = served
    (root / "thing.bin").write_bytes(b"another file")
    with pytest.raises(published.NotFoundError, match=f"has sha256 .* expected {DIGEST}"):
        published.find(a_file(base + "thing.bin"))
    folder = published.MODELS.cache_dir() / "things"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_member_of_a_zip_is_extracted_checked_and_the_zip_dropped(folders, served):
    root, base = served
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README", b"not this one")
        archive.writestr("inside/thing.bin", PAYLOAD)
    (root / "bundle.zip").write_bytes(buffer.getvalue())

    fetched = published.find(a_file(base + "bundle.zip", member="thing.bin"))
    assert fetched.read_bytes() == PAYLOAD
    assert sorted(p.name for p in fetched.parent.iterdir()) == ["thing.bin"]  # no zip left


def test_a_download_draws_one_byte_bar_and_a_refused_one_draws_none(folders, served, capfd):
    root, base = served
    (root / "thing.bin").write_bytes(PAYLOAD)
    published.find(a_file(base + "thing.bin"))
    drawn = capfd.readouterr().err
    # stlib.progress.ProgressBar counting bytes: the file's name, its size in kB, a rate in B/s,
    # cleared when done (the last redraw is blank).
    assert "thing.bin:" in drawn and "/16.0k" in drawn and "B/s" in drawn
    assert drawn.rsplit("\r", 2)[-2].strip() == ""

    with pytest.raises(published.NotFoundError):
        published.find(a_file(base + "missing.bin", path="things/missing.bin"))
    assert "B/s" not in capfd.readouterr().err  # no bar above the error


def test_offline_one_error_names_the_folder_variable_the_cache_and_the_url(folders):
    with pytest.raises(published.NotFoundError) as caught:
        published.find(a_file())
    error = caught.value
    message = str(error)
    cached = published.MODELS.cache_dir() / "things" / "thing.bin"
    assert message.startswith("test file thing.bin not found. Tried:")
    assert f"STLIB_MODELS_DIR={folders}: no things/thing.bin there" in message
    assert f"{cached} does not exist" in message
    assert "download from http://127.0.0.1:9/thing.bin failed: ConnectionError" in message
    assert "Fix: set STLIB_MODELS_DIR to a folder that holds things/thing.bin" in message
    assert len(error.tried) == 3 and isinstance(error, FileNotFoundError)
    assert error.__cause__ is None and error.__suppress_context__  # one error, no chain

    with pytest.raises(published.NotFoundError, match=r"not tried \(download=False\)"):
        published.find(a_file(), download=False)


def test_a_set_image_folder_is_the_only_place_looked(tmp_path, monkeypatch):
    images = tmp_path / "images"
    images.mkdir()
    monkeypatch.setenv(settings.DATA_DIR_VARIABLE, str(images))
    picture = a_file(path="style/x.jpg", folder=published.IMAGES, what="sample 'x'")

    class Refused(published.NotFoundError):
        pass

    with pytest.raises(Refused) as caught:
        published.find(picture, not_found=Refused)  # never a download
    message = str(caught.value)
    assert f"STLIB_DATA_DIR={images}: no style/x.jpg there" in message
    assert "unset STLIB_DATA_DIR" in message and picture.url in message
    assert str(published.IMAGES.cache_dir() / "style" / "x.jpg") in message
    assert "download from" not in message


def test_install_keeps_the_old_file_when_the_bytes_are_wrong(tmp_path):
    target = tmp_path / "deep" / "file.bin"
    assert published.install(io.BytesIO(PAYLOAD), target, DIGEST) == target
    assert target.read_bytes() == PAYLOAD
    with pytest.raises(published.HashError, match="the upload has sha256"):
        published.install(io.BytesIO(b"other"), target, DIGEST, what="the upload")
    assert target.read_bytes() == PAYLOAD
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.bin"]


def test_the_description_is_frozen_and_names_the_file():
    described = a_file(member="thing.bin")
    assert described.name == "thing.bin"
    assert described.source == "thing.bin from http://127.0.0.1:9/thing.bin"
    with pytest.raises(dataclasses.FrozenInstanceError):
        described.url = "elsewhere"  # type: ignore[misc]


def test_importing_it_starts_no_tensorflow():
    probe = "import sys, stlib.published; assert 'tensorflow' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
