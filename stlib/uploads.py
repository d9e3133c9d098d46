"""Images handed over as bytes (an upload, a camera still): decoded, limited, named by their role.

A front end gets the bytes of a file, not a path. ``load`` decodes them as ``stlib.images.load``
decodes a file (EXIF orientation, modes to RGB, alpha over white) and words every error as the
command line words it for the same file, so ``content 'notes.png' is not an image Pillow can read;
...`` reads the same in the app and in a terminal. Before anything is decoded, the header's size is
checked against ``MAX_UPLOAD_PIXELS``: a server should not spend a second and a gigabyte of memory
on a 100-megapixel upload that will be shrunk to 512 px anyway.

>>> import io, PIL.Image
>>> buffer = io.BytesIO()
>>> PIL.Image.new("RGB", (160, 120), "red").save(buffer, format="PNG")
>>> load(buffer.getvalue(), "content 'red.png'", max_side=80).shape
TensorShape([1, 60, 80, 3])
"""

from __future__ import annotations

import io
import warnings

import tensorflow as tf
from PIL import Image

from stlib import images

__all__ = ["MAX_UPLOAD_PIXELS", "load", "role"]

# 4096 x 4096: a 12-megapixel phone photo passes, a 16-bit scan of a poster does not.
MAX_UPLOAD_PIXELS = 4096 * 4096


def role(kind: str, name: str, index: int = 0, count: int = 1) -> str:
    """How errors name an upload, as the command line names a file: "content 'photo.jpg'",
    "style 2 of 3 ('wave.png')"."""
    return f"{kind} '{name}'" if count == 1 else f"{kind} {index + 1} of {count} ('{name}')"


def _check_header(data: bytes, named: str, max_pixels: int) -> None:
    """Refuse an image whose header announces more than ``max_pixels`` (nothing is decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
    except Exception:  # not an image at all: the decoder below words that error
        return
    if width * height > max_pixels:
        raise images.ImageError(
            f"{named} is {width}x{height} px = {width * height:,} pixels; uploads may have at "
            f"most {max_pixels:,}: scale it down first"
        )


def load(
    data: bytes, named: str, max_side: int | None = None, *, max_pixels: int | None = None
) -> tf.Tensor:
    """The image in ``data`` as float32 [1, H, W, 3] in [0, 1], longest side ``max_side``.

    ``named`` starts every error message (``role("content", "photo.jpg")``); ``max_pixels``
    is ``MAX_UPLOAD_PIXELS`` unless given.

    Raises:
        ImageError: not an image, truncated, more than ``max_pixels`` pixels, a side below
            ``images.MIN_SIDE``; the message names the upload.
    """
    _check_header(bytes(data), named, MAX_UPLOAD_PIXELS if max_pixels is None else max_pixels)
    # The same decoder as a file on disk gets, so that the messages are the command line's.
    pixels = images._open_and_decode(io.BytesIO(bytes(data)), named)
    try:
        return images.load(pixels, max_side)
    except images.ImageError as error:  # sizes: "the image is 20x20 px; ..."
        raise images.ImageError(f"{named}: {error}") from None
