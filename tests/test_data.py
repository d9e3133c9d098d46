"""Tests for stlib.data: the sample registry, the offline folder, hash checks, no network."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import sys
import types
from pathlib import Path

import pytest

from stlib import data, settings

REPO = Path(__file__).resolve().parents[1]
# The course keeps shared/ beside the repository (DESIGN.md: "../shared").
SHARED_IMAGES = REPO.parent / "shared" / "images"


@pytest.fixture
def images_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The offline image folder: $STLIB_DATA_DIR as CI sets it, else ../shared/images."""
    configured = os.environ.get(settings.DATA_DIR_VARIABLE, "").strip()
    folder = Path(configured) if configured else SHARED_IMAGES
    if not folder.is_dir():
        pytest.skip(
            f"no offline sample images: {settings.DATA_DIR_VARIABLE} is unset and {SHARED_IMAGES} "
            "does not exist"
        )
    monkeypatch.setenv(settings.DATA_DIR_VARIABLE, str(folder))
    return folder


def _rows() -> list[dict[str, str]]:
    with open(REPO / "data" / "registry.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------------------------------------
# The registry itself
# ---------------------------------------------------------------------------------------------


def test_registry_rows_are_well_formed() -> None:
    rows = _rows()
    assert len(rows) >= 10
    names = [r["name"] for r in rows]
    files = [r["file"] for r in rows]
    assert len(set(names)) == len(names), "sample names must be unique"
    assert len(set(files)) == len(files), "sample files must be unique"
    raw_pinned = re.compile(r"^https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/\S+$")
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", row["sha256"]), row["name"]
        assert raw_pinned.match(row["url"]), (
            f"{row['name']}: URL not pinned to a commit: {row['url']}"
        )
        assert row["kind"] in ("content", "style"), row["name"]
        assert row["file"].startswith(row["kind"] + "/"), row["name"]
        assert re.fullmatch(r"[a-z0-9_]+", row["name"]), row["name"]
        assert row["title"] and row["author"] and row["licence"], row["name"]


def test_registry_is_found_in_the_source_tree() -> None:
    assert data.registry_path() == REPO / "data" / "registry.csv"


def test_samples_by_kind_match_the_csv() -> None:
    rows = _rows()
    assert data.sample_names() == [r["name"] for r in rows]
    assert data.sample_names("content") == [r["name"] for r in rows if r["kind"] == "content"]
    assert data.sample_names("style") == [r["name"] for r in rows if r["kind"] == "style"]
    assert {"tuebingen", "starry_night"} <= set(data.sample_names())
    assert all(s.kind == "style" for s in data.samples("style"))


def test_bad_kind_lists_the_accepted_kinds() -> None:
    with pytest.raises(ValueError, match=r"unknown kind 'painting'.*content, style"):
        data.samples("painting")


def test_info_and_credit() -> None:
    sample = data.info("starry_night")
    assert sample.kind == "style"
    assert sample.file == "style/starry_night.jpg"
    assert sample.credit == "The Starry Night, Vincent van Gogh (1889), Public domain"
    # An unknown year is left out rather than shown as "()".
    turtle = data.info("turtle")
    assert turtle.year == ""
    assert "()" not in turtle.credit
    with pytest.raises(AttributeError):
        sample.name = "other"  # type: ignore[misc]  # frozen


def test_unknown_name_lists_the_choices() -> None:
    with pytest.raises(data.UnknownSampleError) as caught:
        data.info("starry")
    message = str(caught.value)
    assert message.startswith("unknown sample 'starry'; choose from: ")
    assert "starry_night" in message and "tuebingen" in message
    assert isinstance(caught.value, ValueError)
    with pytest.raises(data.UnknownSampleError):
        data.path("starry")


def test_credits_markdown_has_one_row_per_sample() -> None:
    table = data.credits_markdown()
    lines = table.strip().splitlines()
    assert lines[0].startswith("| name | kind | title")
    assert len(lines) == 2 + len(data.samples())
    assert "Katsushika Hokusai" in table and "`great_wave`" in table
    # Every row has the same number of cells as the header (no stray pipes).
    header_cells = lines[0].count(" | ")
    assert all(line.replace("\\|", "").count(" | ") == header_cells for line in lines[2:])


# ---------------------------------------------------------------------------------------------
# The offline folder
# ---------------------------------------------------------------------------------------------


def test_every_sample_exists_offline_with_the_registered_hash(images_dir: Path) -> None:
    for sample in data.samples():
        local = data.path(sample.name)
        assert local == images_dir / sample.file
        assert local.is_file()
        assert hashlib.sha256(local.read_bytes()).hexdigest() == sample.sha256


def test_load_resizes_the_longest_side(images_dir: Path) -> None:
    pytest.importorskip("stlib.images", reason="stlib.images is not written yet")
    image = data.load("tuebingen", 128)
    assert tuple(image.shape) == (1, 96, 128, 3)
    assert image.dtype.name == "float32"


def test_load_delegates_to_images_load(images_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    fake = types.ModuleType("stlib.images")
    fake.load = lambda source, max_side=None: calls.append((source, max_side)) or "tensor"
    monkeypatch.setitem(sys.modules, "stlib.images", fake)
    import stlib

    monkeypatch.setattr(stlib, "images", fake, raising=False)
    assert data.load("great_wave", 64) == "tensor"
    assert calls == [(images_dir / "style" / "great_wave.jpg", 64)]


def test_tampered_file_raises_a_hash_error_naming_it(
    images_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "images"
    shutil.copytree(images_dir, copy)
    victim = copy / "content" / "tuebingen_neckarfront.jpg"
    payload = bytearray(victim.read_bytes())
    payload[len(payload) // 2] ^= 0xFF
    victim.write_bytes(bytes(payload))
    monkeypatch.setenv(settings.DATA_DIR_VARIABLE, str(copy))

    with pytest.raises(data.SampleHashError) as caught:
        data.path("tuebingen")
    message = str(caught.value)
    assert str(victim) in message
    assert data.info("tuebingen").sha256 in message
    assert hashlib.sha256(bytes(payload)).hexdigest() in message
    # The untouched files still pass.
    assert data.path("starry_night") == copy / "style" / "starry_night.jpg"


def test_missing_file_in_the_folder_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "style").mkdir()
    monkeypatch.setenv(settings.DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(FileNotFoundError) as caught:
        data.path("the_scream")
    message = str(caught.value)
    assert "style/the_scream.jpg" in message
    assert str(tmp_path) in message
    assert "STLIB_DATA_DIR" in message
    assert data.info("the_scream").url in message  # what unsetting the folder would download


def test_resolve_maps_names_and_passes_the_rest(images_dir: Path, tmp_path: Path) -> None:
    assert data.resolve("tuebingen") == images_dir / "content" / "tuebingen_neckarfront.jpg"
    own = tmp_path / "photo.jpg"
    assert data.resolve(str(own)) == str(own)
    assert data.resolve(own) is own
    url = "https://example.org/picture.png"
    assert data.resolve(url) == url
    assert data.resolve("holiday.jpg") == "holiday.jpg"
    # A bare word that is neither a sample nor a file is a mistyped name.
    with pytest.raises(data.UnknownSampleError, match="choose from: .*starry_night"):
        data.resolve("starry")


# ---------------------------------------------------------------------------------------------
# Downloads (never real: the downloader, pooch.retrieve, is stubbed)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No STLIB_DATA_DIR, and an empty user cache: the folder samples are downloaded into."""
    monkeypatch.delenv(settings.DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "stlib"


def _serve(monkeypatch: pytest.MonkeyPatch, payload: bytes) -> list[str]:
    """pooch.retrieve replaced by one that 'downloads' ``payload``; returns the URLs asked for."""
    import pooch

    asked: list[str] = []

    def retrieve(url: str, *, fname: str, path: str, **kwargs: object) -> str:
        asked.append(url)
        (Path(path) / fname).write_bytes(payload)
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", retrieve)
    return asked


def test_a_download_of_the_pinned_url_is_checked_and_cached(
    images_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = data.info("great_wave")
    asked = _serve(monkeypatch, (images_dir / sample.file).read_bytes())
    result = data.path("great_wave")
    assert result == cache / "style" / "great_wave.jpg"
    assert hashlib.sha256(result.read_bytes()).hexdigest() == sample.sha256
    assert asked == [sample.url]
    assert sorted(p.name for p in result.parent.iterdir()) == ["great_wave.jpg"]  # no temp left
    assert data.path("great_wave") == result and asked == [sample.url]  # the cache serves


def test_a_download_with_other_bytes_is_not_kept(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(monkeypatch, b"<html>rate limited</html>")
    with pytest.raises(data.SampleDownloadError, match="has sha256 .* expected"):
        data.path("starry_night")
    assert not (cache / "style" / "starry_night.jpg").exists()


def test_no_network_error_names_the_url_the_cache_and_the_offline_folder(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pooch
    import requests

    def no_network(*args: object, **kwargs: object) -> str:
        raise requests.exceptions.ConnectionError("Name or service not known")

    monkeypatch.setattr(pooch, "retrieve", no_network)
    with pytest.raises(data.SampleDownloadError) as caught:
        data.path("starry_night")
    message = str(caught.value)
    assert data.info("starry_night").url in message
    assert "STLIB_DATA_DIR" in message
    assert "shared/images" in message
    assert str(cache / "style" / "starry_night.jpg") in message
    assert "ConnectionError: Name or service not known" in message
    assert isinstance(caught.value, OSError)


def test_registry_inside_an_installed_wheel_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wheel carries data/registry.csv as stlib/registry.csv (pyproject force-include).
    packaged = tmp_path / "stlib"
    packaged.mkdir()
    shutil.copy(REPO / "data" / "registry.csv", packaged / "registry.csv")
    monkeypatch.setattr(data.importlib.resources, "files", lambda package: packaged)
    assert data.registry_path() == packaged / "registry.csv"
