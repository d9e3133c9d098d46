"""Tests for stlib.images: every source, mode, resize, error and save path.

Fixture images are made here with numpy/Pillow in tmp_path; expected values are computed by hand
or with numpy, never with stlib itself.
"""

from __future__ import annotations

import errno
import functools
import http.server
import os
import struct
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from stlib import images
from stlib.images import ImageError

ONE_LEVEL = 1.0 / 255.0


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _png(width: int, height: int, bit_depth: int, colour_type: int, raw: bytes | None) -> bytes:
    """A PNG file written by hand: lets us make 16-bit RGB and header-only huge images."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    body = chunk(b"IDAT", zlib.compress(raw)) if raw is not None else b""
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + body + chunk(b"IEND", b"")


def _pixels(image: tf.Tensor) -> np.ndarray:
    assert image.dtype == tf.float32
    assert image.shape.rank == 4 and image.shape[0] == 1 and image.shape[3] == 3
    return image.numpy()[0]


def _noise(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


# ---------------------------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------------------------


def test_rgb_png_loads_exactly(tmp_path):
    array = _noise(40, 50)
    Image.fromarray(array).save(tmp_path / "rgb.png")
    pixels = _pixels(images.load(tmp_path / "rgb.png"))
    np.testing.assert_allclose(pixels, array / 255.0, atol=1e-6)


def test_grayscale_l_is_repeated_to_three_channels(tmp_path):
    gray = np.arange(40 * 40, dtype=np.uint32).reshape(40, 40).astype(np.uint8)
    Image.fromarray(gray, mode="L").save(tmp_path / "gray.png")
    pixels = _pixels(images.load(str(tmp_path / "gray.png")))
    for channel in range(3):
        np.testing.assert_allclose(pixels[..., channel], gray / 255.0, atol=1e-6)


def test_palette_with_transparency_goes_over_white(tmp_path):
    palette_image = Image.new("P", (32, 32), 1)
    palette_image.putpalette([255, 0, 0] + [0, 0, 255] + [0, 0, 0] * 254)
    palette_image.putpixel((0, 0), 0)  # index 0 (red) is the transparent colour
    palette_image.save(tmp_path / "palette.png", transparency=0)
    pixels = _pixels(images.load(tmp_path / "palette.png"))
    np.testing.assert_allclose(pixels[0, 0], [1.0, 1.0, 1.0], atol=1e-6)  # white, not red
    np.testing.assert_allclose(pixels[5, 5], [0.0, 0.0, 1.0], atol=1e-6)  # opaque blue


def test_rgba_is_composited_over_white(tmp_path):
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[...] = (0, 255, 0, 255)  # opaque green
    rgba[0, 0] = (255, 0, 0, 0)  # fully transparent red
    rgba[0, 1] = (255, 0, 0, 102)  # 40 % red
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    pixels = _pixels(images.load(tmp_path / "rgba.png"))
    np.testing.assert_allclose(pixels[0, 0], [1.0, 1.0, 1.0], atol=1e-6)
    alpha = 102 / 255
    np.testing.assert_allclose(pixels[0, 1], [1.0, 1 - alpha, 1 - alpha], atol=1e-6)
    np.testing.assert_allclose(pixels[10, 10], [0.0, 1.0, 0.0], atol=1e-6)


def test_la_is_composited_over_white(tmp_path):
    la = Image.new("LA", (32, 32), (51, 255))
    la.putpixel((3, 2), (0, 0))  # transparent black
    la.save(tmp_path / "la.png")
    pixels = _pixels(images.load(tmp_path / "la.png"))
    np.testing.assert_allclose(pixels[2, 3], [1.0, 1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(pixels[0, 0], [0.2, 0.2, 0.2], atol=1e-6)


def test_cmyk_becomes_rgb(tmp_path):
    cmyk = Image.new("CMYK", (32, 32), (0, 255, 255, 0))  # no cyan, full magenta + yellow: red
    cmyk.putpixel((0, 0), (0, 0, 0, 255))  # full black
    cmyk.putpixel((1, 0), (0, 0, 0, 0))  # no ink: white
    cmyk.save(tmp_path / "cmyk.tif")
    pixels = _pixels(images.load(tmp_path / "cmyk.tif"))
    np.testing.assert_allclose(pixels[5, 5], [1.0, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(pixels[0, 0], [0.0, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(pixels[0, 1], [1.0, 1.0, 1.0], atol=1e-6)


def test_16_bit_grayscale_png_keeps_16_bits(tmp_path):
    values = np.zeros((32, 32), np.uint16)
    values[0, 0] = 13107  # 65535 * 0.2
    values[0, 1] = 65535
    values[0, 2] = 25701  # 100.0078 / 255: not representable in 8 bits
    Image.fromarray(values).save(tmp_path / "gray16.png")
    with Image.open(tmp_path / "gray16.png") as check:
        assert check.mode.startswith("I")  # really stored as 16-bit
    pixels = _pixels(images.load(tmp_path / "gray16.png"))
    np.testing.assert_allclose(pixels[0, 0], [0.2] * 3, rtol=1e-6)
    np.testing.assert_allclose(pixels[0, 1], [1.0] * 3, rtol=1e-6)
    np.testing.assert_allclose(pixels[0, 2], [25701 / 65535] * 3, rtol=1e-6)
    assert abs(pixels[0, 2, 0] * 255 - round(pixels[0, 2, 0] * 255)) > 1e-3
    np.testing.assert_allclose(pixels[5, 5], [0.0] * 3, atol=1e-7)


def test_16_bit_rgb_png_loads_at_8_bit_precision(tmp_path):
    # Pillow 13 decodes 16-bit RGB PNGs to 8-bit 'RGB' (the high byte); documented in load().
    rgb = np.zeros((32, 32, 3), ">u2")
    rgb[..., 0] = 65535
    rgb[..., 1] = 16384
    rgb[0, 0] = (0, 65535, 32768)
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(32))
    (tmp_path / "rgb16.png").write_bytes(_png(32, 32, 16, 2, raw))
    pixels = _pixels(images.load(tmp_path / "rgb16.png"))
    expected = rgb.astype(np.float64) / 65535
    np.testing.assert_allclose(pixels, expected, atol=ONE_LEVEL + 1e-6)


def test_uint16_rgb_array_is_scaled_by_65535():
    array = np.zeros((32, 40, 3), np.uint16)
    array[..., 0] = 65535
    array[..., 1] = 13107
    array[..., 2] = 257
    pixels = _pixels(images.load(array))
    np.testing.assert_allclose(pixels[0, 0], [1.0, 0.2, 257 / 65535], rtol=1e-6)


@pytest.mark.parametrize(
    "array, expected",
    [
        (np.full((32, 33), 51, np.uint8), 0.2),
        (np.full((32, 33, 3), 0.25, np.float32), 0.25),
        (np.full((1, 32, 33, 3), 0.5, np.float64), 0.5),
        (np.full((32, 33, 4), 255, np.uint8), 1.0),
    ],
    ids=["HW-uint8", "HW3-float32", "1HW3-float64", "HW4-uint8"],
)
def test_array_shapes_and_dtypes(array, expected):
    pixels = _pixels(images.load(array))
    assert pixels.shape == (32, 33, 3)
    np.testing.assert_allclose(pixels, expected, atol=1e-6)


def test_rgba_array_alpha_goes_over_white():
    array = np.zeros((32, 32, 4), np.float32)  # transparent black everywhere
    array[1, 1] = (0.0, 0.0, 1.0, 1.0)
    pixels = _pixels(images.load(array))
    np.testing.assert_allclose(pixels[0, 0], [1.0, 1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(pixels[1, 1], [0.0, 0.0, 1.0], atol=1e-6)


def test_tensor_and_pil_sources():
    array = _noise(36, 48, seed=3)
    from_tensor = _pixels(images.load(tf.constant(array)))
    from_pil = _pixels(images.load(Image.fromarray(array)))
    np.testing.assert_allclose(from_tensor, array / 255.0, atol=1e-6)
    np.testing.assert_allclose(from_pil, array / 255.0, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# EXIF orientation
# ---------------------------------------------------------------------------------------------


def test_exif_orientation_6_is_applied(tmp_path):
    stored = np.zeros((48, 64, 3), np.uint8)  # landscape as stored by the camera
    stored[:12, :12] = (255, 0, 0)  # red marker in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    Image.fromarray(stored).save(tmp_path / "photo.jpg", exif=exif, quality=95)

    pixels = _pixels(images.load(tmp_path / "photo.jpg"))
    assert pixels.shape == (64, 48, 3)  # portrait once displayed
    expected = np.rot90(stored, k=-1)  # numpy's clockwise rotation, independent of Pillow
    assert expected.shape == pixels.shape
    assert expected[5, -6, 0] == 255  # the marker moves to the top-right corner
    assert pixels[5, -6, 0] > 0.8 and pixels[5, -6, 1] < 0.2
    assert pixels[5, 5, 0] < 0.2 and pixels[-6, -6, 0] < 0.2  # and is nowhere else


# ---------------------------------------------------------------------------------------------
# Resizing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "height, width, max_side, expected",
    [
        (100, 200, 64, (32, 64)),  # landscape
        (300, 100, 90, (90, 30)),  # portrait
        (100, 150, 64, (43, 64)),  # 42.67 rounds to 43
        (33, 66, 33, (17, 33)),  # 16.5 rounds up, not to even
        (64, 64, 128, (128, 128)),  # upscaling
    ],
)
def test_resize_by_longest_side(height, width, max_side, expected):
    image = tf.fill([1, height, width, 3], 0.4)
    resized = images.resize(image, max_side)
    assert tuple(resized.shape) == (1, *expected, 3)
    np.testing.assert_allclose(resized.numpy(), 0.4, atol=1e-5)  # flat stays flat


def test_load_with_max_side(tmp_path):
    Image.fromarray(_noise(120, 200)).save(tmp_path / "landscape.png")
    Image.fromarray(_noise(200, 120)).save(tmp_path / "portrait.png")
    assert images.load(tmp_path / "landscape.png", 100).shape == (1, 60, 100, 3)
    assert images.load(tmp_path / "portrait.png", max_side=100).shape == (1, 100, 60, 3)


def test_resize_to_exact_size_stays_in_range():
    checker = np.indices((64, 64)).sum(axis=0) % 2  # worst case for Lanczos ringing
    image = tf.constant(np.repeat(checker[None, ..., None], 3, axis=3), tf.float32)
    resized = images.resize_to(image, 50, 130)
    assert resized.shape == (1, 50, 130, 3)
    assert float(tf.reduce_min(resized)) >= 0.0 and float(tf.reduce_max(resized)) <= 1.0
    same = images.resize_to(image, 64, 64)
    np.testing.assert_array_equal(same.numpy(), image.numpy())


def test_resize_rejects_bad_sizes():
    image = tf.zeros([1, 40, 40, 3])
    with pytest.raises(ImageError, match=r"max_side=0 .*\[1, 8192\]"):
        images.resize(image, 0)
    with pytest.raises(ImageError, match=r"width=50000"):
        images.resize_to(image, 40, 50000)
    with pytest.raises(ImageError, match=r"67,108,864 pixels"):
        images.resize_to(image, 8192, 8192)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_not_an_image_file(tmp_path):
    path = tmp_path / "x.jpg"
    path.write_text("this is not a picture")
    with pytest.raises(ImageError, match=r"x\.jpg.*not an image.*PNG, JPEG"):
        images.load(path)


def test_truncated_jpeg(tmp_path):
    full = tmp_path / "full.jpg"
    Image.fromarray(_noise(256, 256)).save(full, quality=90)
    data = full.read_bytes()
    (tmp_path / "half.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"half\.jpg.*truncated or corrupt"):
        images.load(tmp_path / "half.jpg")


def test_missing_path(tmp_path):
    with pytest.raises(ImageError, match=r"no such file.*nothing_here\.png"):
        images.load(tmp_path / "nothing_here.png")


def test_folder_is_not_an_image(tmp_path):
    with pytest.raises(ImageError, match="is a folder"):
        images.load(tmp_path)


def test_too_small_image(tmp_path):
    Image.fromarray(_noise(20, 40)).save(tmp_path / "small.png")
    with pytest.raises(ImageError, match=r"40x20 pixels.*at least 32"):
        images.load(tmp_path / "small.png")
    # a smaller minimum is the caller's choice
    assert images.load(tmp_path / "small.png", min_side=16).shape == (1, 20, 40, 3)


def test_resizing_below_min_side_is_refused():
    panorama = np.zeros((40, 400, 3), np.uint8)
    with pytest.raises(ImageError, match=r"longest side 64 gives 64x6 pixels.*minimum side 32"):
        images.load(panorama, max_side=64)


def test_too_many_pixels_is_refused(tmp_path):
    # A valid 1-bit PNG of 10000 x 10000: 100 M pixels in a file of a few kB.
    row = b"\x00" + bytes(10000 // 8)
    (tmp_path / "bomb.png").write_bytes(_png(10000, 10000, 1, 0, row * 10000))
    assert (tmp_path / "bomb.png").stat().st_size < 100_000
    with pytest.raises(ImageError, match=r"10000x10000 pixels.*100,000,000 pixels.*64,000,000"):
        images.load(tmp_path / "bomb.png")


def test_pixel_count_is_checked_before_decoding(tmp_path):
    # Header only: decoding it would fail as truncated, so this message proves no decode ran.
    (tmp_path / "header.png").write_bytes(_png(9000, 8000, 8, 2, None))
    with pytest.raises(ImageError, match=r"72,000,000 pixels"):
        images.load(tmp_path / "header.png")


def test_pillow_decompression_bomb_becomes_image_error(tmp_path):
    # Over twice Pillow's own limit: Image.open itself raises DecompressionBombError.
    (tmp_path / "huge.png").write_bytes(_png(20000, 20000, 8, 2, None))
    with pytest.raises(ImageError, match=r"huge\.png.*too large"):
        images.load(tmp_path / "huge.png")


@pytest.mark.parametrize(
    "max_side, pattern",
    [
        (50000, r"max_side=50000 is out of range.*\[32, 8192\]"),
        (16, r"max_side=16 is out of range.*\[32, 8192\]"),
        ("big", r"max_side='big' is not an integer"),
        (True, r"max_side=True is not an integer"),
    ],
)
def test_bad_max_side_is_refused_before_loading(tmp_path, max_side, pattern):
    # The path does not exist: the max_side error must come first.
    with pytest.raises(ImageError, match=pattern):
        images.load(tmp_path / "missing.png", max_side=max_side)


def test_out_of_range_float_array():
    array = np.full((32, 32, 3), 0.5, np.float32)
    array[0, 0, 0] = 2.5
    array[1, 1, 1] = -0.5
    with pytest.raises(ImageError, match=r"min -0\.5 to max 2\.5.*\[0, 1\]"):
        images.load(array)


def test_nan_array():
    array = np.full((32, 32, 3), 0.5, np.float32)
    array[3, 3, 0] = np.nan
    with pytest.raises(ImageError, match="NaN"):
        images.load(array)


def test_float_within_tolerance_is_clipped():
    array = np.full((32, 32, 3), 1.0005, np.float64)
    assert float(tf.reduce_max(images.load(array))) == 1.0


@pytest.mark.parametrize("shape", [(32, 32, 2), (32, 32, 5), (2, 32, 32, 3), (32,), (1, 32, 32, 4)])
def test_wrong_array_shapes(shape):
    with pytest.raises(ImageError, match=r"shape \(" + r",\s*".join(map(str, shape))):
        images.load(np.zeros(shape, np.uint8))


def test_wrong_array_dtype():
    with pytest.raises(ImageError, match=r"dtype int64.*uint8.*uint16.*float"):
        images.load(np.zeros((32, 32, 3), np.int64))


def test_unsupported_source_type():
    with pytest.raises(ImageError, match=r"from a list"):
        images.load([[0, 1], [1, 0]])


# ---------------------------------------------------------------------------------------------
# URLs, served from a local http.server
# ---------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture
def local_server(tmp_path):
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_load_from_url(tmp_path, local_server):
    array = _noise(40, 60, seed=7)
    Image.fromarray(array).save(tmp_path / "served.png")
    image = images.load(f"{local_server}/served.png")
    np.testing.assert_allclose(_pixels(image), array / 255.0, atol=1e-6)
    assert images.load(f"{local_server}/served.png", max_side=48).shape == (1, 32, 48, 3)


def test_url_404_names_the_url(local_server):
    url = f"{local_server}/absent.png"
    with pytest.raises(ImageError, match=rf"{url}.*404"):
        images.load(url)


def test_url_that_is_not_an_image(tmp_path, local_server):
    (tmp_path / "page.png").write_text("<html>not an image</html>")
    url = f"{local_server}/page.png"
    with pytest.raises(ImageError, match=rf"{url} is not an image"):
        images.load(url)


def test_unreachable_url_names_the_url():
    # Port 9 (discard) on localhost: refused at once, no network involved.
    with pytest.raises(ImageError, match=r"cannot fetch http://127\.0\.0\.1:9/x\.png"):
        images.load("http://127.0.0.1:9/x.png")


# ---------------------------------------------------------------------------------------------
# Conversions and saving
# ---------------------------------------------------------------------------------------------


def test_pil_and_numpy_conversions():
    values = np.random.default_rng(1).random((1, 33, 34, 3)).astype(np.float32)
    pil = images.to_pil(tf.constant(values))
    assert pil.mode == "RGB" and pil.size == (34, 33)
    expected = np.clip(np.rint(values[0] * 255), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(np.asarray(pil), expected)
    back = images.from_pil(pil)
    np.testing.assert_allclose(_pixels(back), expected / 255.0, atol=1e-6)
    array = images.to_numpy(tf.constant(values))
    assert array.shape == (33, 34, 3) and array.dtype == np.float32
    np.testing.assert_array_equal(array, values[0])


def test_save_load_round_trip_png(tmp_path):
    values = np.random.default_rng(2).random((1, 40, 50, 3)).astype(np.float32)
    path = images.save(tf.constant(values), tmp_path / "new" / "folder" / "out.png")
    assert path == tmp_path / "new" / "folder" / "out.png" and path.is_file()
    loaded = images.load(path)
    # 8-bit storage: each value is rounded to the nearest of 256 levels.
    np.testing.assert_allclose(_pixels(loaded), values[0], atol=0.5 * ONE_LEVEL + 1e-6)


@pytest.mark.parametrize(
    "extension, pil_format",
    [
        (".jpg", "JPEG"),
        (".jpeg", "JPEG"),
        (".tif", "TIFF"),
        (".bmp", "BMP"),
        (".webp", "WEBP"),
    ],
)
def test_save_formats_by_extension(tmp_path, extension, pil_format):
    if extension not in images._SAVE_FORMATS:
        pytest.skip(f"this Pillow cannot write {extension}")
    image = tf.fill([1, 32, 48, 3], 0.5)
    path = images.save(image, tmp_path / f"out{extension.upper()}")
    with Image.open(path) as written:
        assert written.format == pil_format and written.size == (48, 32)
    np.testing.assert_allclose(_pixels(images.load(path)), 0.5, atol=3 * ONE_LEVEL)


def test_check_output_path_bad_extension(tmp_path):
    with pytest.raises(ImageError, match=r"'\.gif' is not supported.*\.jpg.*\.png"):
        images.check_output_path(tmp_path / "out.gif")
    with pytest.raises(ImageError, match=r"'\(none\)'"):
        images.check_output_path(tmp_path / "out")


def test_check_output_path_creates_nothing(tmp_path):
    path = images.check_output_path(tmp_path / "a" / "b" / "out.PNG")
    assert path == tmp_path / "a" / "b" / "out.PNG"
    assert not (tmp_path / "a").exists()
    assert list(tmp_path.iterdir()) == []  # the writability probe left nothing behind


def test_check_output_path_parent_is_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(ImageError, match=r"notes\.txt' is a file, not a folder"):
        images.check_output_path(tmp_path / "notes.txt" / "out.png")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write to read-only folders"
)
def test_check_output_path_read_only_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ImageError, match=r"locked' is not writable"):
            images.check_output_path(locked / "sub" / "out.png")
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_check_output_path_unwritable_system_folder():
    # Nobody, root included, can create files directly in /proc.
    with pytest.raises(ImageError, match=r"folder '/proc' is not writable"):
        images.check_output_path("/proc/stlib_no_such_dir/out.png")


def test_check_output_path_refuses_an_input_and_a_read_only_file(tmp_path):
    photo = tmp_path / "photo.png"
    Image.fromarray(_noise(32, 32)).save(photo)
    with pytest.raises(ImageError, match=r"photo\.png' is the same file as the input"):
        images.check_output_path(tmp_path / "x" / ".." / "photo.png", inputs=[photo, "tubingen"])
    assert images.check_output_path(tmp_path / "out.png", inputs=[photo]) == tmp_path / "out.png"
    photo.chmod(0o444)  # refused by its permission bits, so even when tests run as root
    try:
        with pytest.raises(ImageError, match=r"photo\.png' exists and is read-only"):
            images.check_output_path(photo)
        with pytest.raises(ImageError, match=r"read-only"):
            images.save(tf.zeros([1, 32, 32, 3]), photo)
    finally:
        photo.chmod(0o644)
    with Image.open(photo) as kept:
        np.testing.assert_array_equal(np.asarray(kept), _noise(32, 32))


def test_save_replaces_an_old_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.png"
    images.save(tf.zeros([1, 32, 32, 3]), target)
    target.chmod(0o640)
    images.save(tf.ones([1, 32, 40, 3]), target)
    np.testing.assert_array_equal(_pixels(images.load(target)), np.ones((32, 40, 3)))
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_save_failure_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.png"
    target.write_bytes(b"the previous result")
    before = sorted(p.name for p in tmp_path.iterdir())

    def full_disk(self, fp, format=None, **options):
        with open(fp, "wb") as file:  # a few bytes reach the disk, then it is full
            file.write(b"\x89PNG partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(fp))

    monkeypatch.setattr(Image.Image, "save", full_disk)
    with pytest.raises(OSError) as caught:
        images.save(tf.zeros([1, 32, 32, 3]), target)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"the previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_save_checks_path_and_quality(tmp_path):
    image = tf.zeros([1, 32, 32, 3])
    with pytest.raises(ImageError, match=r"'\.xyz'"):
        images.save(image, tmp_path / "out.xyz")
    with pytest.raises(ImageError, match=r"quality=0"):
        images.save(image, tmp_path / "out.jpg", quality=0)


# ---------------------------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------------------------


def test_validate_accepts_and_casts():
    image = np.full((1, 8, 9, 3), 0.5, np.float64)
    checked = images.validate(image)
    assert checked.dtype == tf.float32 and checked.shape == (1, 8, 9, 3)
    variable = tf.Variable(tf.fill([1, 4, 4, 3], 1.0004))
    assert float(tf.reduce_max(images.validate(variable))) == 1.0


@pytest.mark.parametrize(
    "value, pattern",
    [
        (np.zeros((8, 9, 3), np.float32), r"content has shape \[8, 9, 3\]; expected \[1, H, W"),
        (np.zeros((2, 8, 9, 3), np.float32), r"content has shape \[2, 8, 9, 3\]"),
        (np.zeros((1, 8, 9, 4), np.float32), r"content has shape \[1, 8, 9, 4\]"),
        (np.zeros((1, 8, 9, 3), np.uint8), r"content has dtype uint8"),
        (np.full((1, 8, 9, 3), 255.0, np.float32), r"content has values in \[255, 255\]"),
        (np.full((1, 8, 9, 3), np.nan, np.float32), r"content contains NaN"),
        ("photo.jpg", r"content is a str"),
    ],
)
def test_validate_errors(value, pattern):
    with pytest.raises(ImageError, match=pattern):
        images.validate(value, "content")


def test_validate_in_tf_function_checks_static_shape():
    @tf.function(input_signature=[tf.TensorSpec([1, None, None, 3], tf.float32)])
    def clipped(image):
        return images.validate(image)

    out = clipped(tf.fill([1, 5, 6, 3], 1.5))
    assert float(tf.reduce_max(out)) == 1.0
