"""stlib.uploads: an upload decodes like the same file on disk, and fails with the same words."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from stlib import images, uploads
from stlib.inputs import load


def _encoded(pixels: np.ndarray, kind: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=kind, **options)
    return buffer.getvalue()


@pytest.fixture
def photo() -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (60, 90, 3), dtype=np.uint8)


def test_an_upload_is_the_same_image_as_the_file(photo, tmp_path):
    data = _encoded(photo)
    (tmp_path / "photo.png").write_bytes(data)
    loaded = uploads.load(data, "content 'photo.png'")
    np.testing.assert_array_equal(loaded.numpy(), images.load(tmp_path / "photo.png").numpy())
    np.testing.assert_allclose(loaded.numpy()[0] * 255, photo, atol=1e-3)
    resized = uploads.load(data, "content 'photo.png'", max_side=75)
    assert resized.shape == (1, 50, 75, 3)
    np.testing.assert_array_equal(resized.numpy(), images.load(tmp_path / "photo.png", 75).numpy())


def test_the_exif_orientation_is_applied_as_for_a_file(photo, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the camera held upright
    data = _encoded(photo, "JPEG", exif=exif.tobytes(), quality=95)
    (tmp_path / "shot.jpg").write_bytes(data)
    loaded = uploads.load(data, "content 'shot.jpg'")
    assert loaded.shape == (1, 90, 60, 3)  # turned upright
    np.testing.assert_array_equal(loaded.numpy(), images.load(tmp_path / "shot.jpg").numpy())


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"my notes, not a picture", "notes.png"),
        (b"", "empty.png"),
        (
            _encoded(np.random.default_rng(0).integers(0, 256, (80, 80, 3), np.uint8))[:900],
            "cut.png",
        ),
        (_encoded(np.zeros((20, 20, 3), np.uint8)), "tiny.png"),
    ],
    ids=["not-an-image", "empty", "truncated", "too-small"],
)
def test_errors_are_worded_as_the_command_line_words_them(data, name, tmp_path, monkeypatch):
    (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    role = uploads.role("content", name)
    with pytest.raises(images.ImageError) as from_file:
        load(name, role=role)  # how `stlib transfer` loads the same file
    with pytest.raises(images.ImageError) as from_upload:
        uploads.load(data, role)
    assert str(from_upload.value) == str(from_file.value)
    assert str(from_upload.value).startswith(f"content '{name}'")


def test_too_many_pixels_are_refused_from_the_header_before_decoding(monkeypatch):
    data = _encoded(np.zeros((300, 400, 3), np.uint8))

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded although the header was over the limit")

    monkeypatch.setattr(images, "_open_and_decode", no_decoding)
    with pytest.raises(images.ImageError) as error:
        uploads.load(data, "style 2 of 3 ('poster.png')", max_pixels=100_000)
    assert str(error.value) == (
        "style 2 of 3 ('poster.png') is 400x300 px = 120,000 pixels; uploads may have at most "
        "100,000: scale it down first"
    )


def test_roles_name_uploads_as_files_are_named():
    assert uploads.role("content", "me.jpg") == "content 'me.jpg'"
    assert uploads.role("style", "wave.png", 1, 3) == "style 2 of 3 ('wave.png')"
