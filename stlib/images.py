"""Images in and out of stlib: load, resize, convert, save and validate.

Inside stlib an image is a float32 ``tf.Tensor`` of shape [1, H, W, 3], RGB, values in [0, 1].
This module is the only place that turns files, URLs, arrays and PIL images into that form, and
the only place that writes them back, so every other module can assume the convention holds
(``validate`` checks it at their entry).

Resampling: every resize uses ``tf.image.resize(method="lanczos3", antialias=True)`` and then clips
to [0, 1] (Lanczos overshoots a little at sharp edges). It works on float tensors, so 16-bit inputs
keep their precision, and ``antialias=True`` low-pass filters when shrinking, so photos do not
alias.
"""

from __future__ import annotations

import io
import math
import operator
import re
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Union

import numpy as np
import tensorflow as tf
from PIL import Image, ImageOps

from stlib import outputs
from stlib.limits import MAX_PIXELS, MAX_SIDE, MIN_SIDE

__all__ = [
    "ImageError",
    "MIN_SIDE",
    "MAX_SIDE",
    "MAX_PIXELS",
    "load",
    "longest_side_shape",
    "resize",
    "resize_to",
    "to_pil",
    "from_pil",
    "to_numpy",
    "save",
    "check_output_path",
    "validate",
]


# Downloads larger than this are not images a course needs (and protect memory).
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024
URL_TIMEOUT_S = 30.0

# How far outside [0, 1] float values may stray (rounding of earlier maths) before it is an error.
RANGE_TOLERANCE = 1e-3

_READABLE_EXAMPLES = "PNG, JPEG, WebP, TIFF, BMP, GIF"
# The formats save writes, by extension; the table lives in stlib.outputs (no TensorFlow there).
_SAVE_FORMATS = outputs.IMAGE_FORMATS

# Modes with an alpha channel (others may still carry a transparent colour in info).
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}

_URL_PATTERN = re.compile(r"^https?://", re.IGNORECASE)

# What load() accepts, and what the tensor functions accept (validated to [1, H, W, 3]).
ImageSource = Union[str, Path, np.ndarray, Image.Image, tf.Tensor]
ImageLike = Union[tf.Tensor, tf.Variable, np.ndarray]


class ImageError(ValueError):
    """Raised for every bad image input: missing, unreadable, wrong shape, range or size."""


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def validate(image: ImageLike, name: str = "image") -> tf.Tensor:
    """Check that ``image`` follows the stlib convention and return it as float32.

    Args:
        image: a tensor, variable or array of shape [1, H, W, 3] with a float dtype and values in
            [0, 1]. Values up to 1e-3 outside [0, 1] are accepted and clipped.
        name: what to call the image in error messages (``"content"``, ``"style"``...).

    Returns:
        float32 tensor [1, H, W, 3] with values in [0, 1].

    Raises:
        ImageError: naming the shape, dtype or value range received.

    Inside a ``tf.function`` (symbolic tensors) only the static shape is checked; the values
    are clipped but not inspected.
    """
    if isinstance(image, (Image.Image, str, Path)):
        raise ImageError(
            f"{name} is a {type(image).__name__}; expected a [1, H, W, 3] float tensor "
            "(use stlib.images.load to read files, URLs and PIL images)"
        )
    try:
        tensor = tf.convert_to_tensor(image)
    except (TypeError, ValueError) as error:
        raise ImageError(
            f"{name} of type {type(image).__name__} cannot be converted to a tensor: {error}"
        ) from None

    shape = tensor.shape
    if (
        shape.rank != 4
        or shape[0] not in (1, None)
        or shape[3] not in (3, None)
        or any(side == 0 for side in shape[1:3])
    ):
        raise ImageError(
            f"{name} has shape {_shape_text(shape)}; expected [1, H, W, 3] "
            "(batch of one RGB image, use stlib.images.load to convert arrays)"
        )
    if not tensor.dtype.is_floating:
        raise ImageError(
            f"{name} has dtype {tensor.dtype.name}; expected a float tensor with values in "
            "[0, 1] (use stlib.images.load to convert uint8/uint16 arrays)"
        )
    tensor = tf.cast(tensor, tf.float32)

    if tf.executing_eagerly():
        low = float(tf.reduce_min(tensor))
        high = float(tf.reduce_max(tensor))
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ImageError(f"{name} contains NaN or infinite values; expected values in [0, 1]")
        if low < -RANGE_TOLERANCE or high > 1.0 + RANGE_TOLERANCE:
            raise ImageError(
                f"{name} has values in [{low:.4g}, {high:.4g}]; expected [0, 1] "
                "(divide uint8 data by 255, or use stlib.images.load)"
            )
    return tf.clip_by_value(tensor, 0.0, 1.0)


def _shape_text(shape: tf.TensorShape) -> str:
    if shape.rank is None:
        return "unknown"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


def _check_int(value: object, name: str, low: int, high: int) -> int:
    """Return ``value`` as an int if it lies in [low, high], else raise ImageError naming it."""
    if isinstance(value, bool):
        raise ImageError(f"{name}={value!r} is not an integer; choose one in [{low}, {high}]")
    try:
        number = operator.index(value)
    except TypeError:
        raise ImageError(
            f"{name}={value!r} is not an integer; choose one in [{low}, {high}]"
        ) from None
    if not low <= number <= high:
        raise ImageError(f"{name}={number} is out of range; choose one in [{low}, {high}]")
    return number


def _size_text(height: int, width: int) -> str:
    return f"{width}x{height} pixels (width x height)"


# ---------------------------------------------------------------------------------------------
# Resizing
# ---------------------------------------------------------------------------------------------


def _round_half_up(x: float) -> int:
    # Python's round() rounds halves to even; image sizes should round 0.5 up.
    return int(math.floor(x + 0.5))


def longest_side_shape(height: int, width: int, max_side: int) -> tuple[int, int]:
    """(h, w) of an H x W image resized to longest side ``max_side`` (what ``resize`` gives).

    Lets callers check the sizes an image will have before resizing anything.
    """
    scale = max_side / max(height, width)
    return max(1, _round_half_up(height * scale)), max(1, _round_half_up(width * scale))


def resize_to(image: ImageLike, height: int, width: int) -> tf.Tensor:
    """Resize an image to exactly ``height`` x ``width`` (aspect ratio not kept).

    Used to match a content image's size and to upsample between scales.

    Args:
        image: float32 [1, H, W, 3] in [0, 1].
        height, width: the new size, each in [1, MAX_SIDE], at most MAX_PIXELS pixels.

    Returns:
        float32 [1, height, width, 3] in [0, 1] (Lanczos-3 with antialiasing, clipped).
    """
    image = validate(image)
    height = _check_int(height, "height", 1, MAX_SIDE)
    width = _check_int(width, "width", 1, MAX_SIDE)
    if height * width > MAX_PIXELS:
        raise ImageError(
            f"resizing to {_size_text(height, width)} gives {height * width:,} pixels; "
            f"the limit is {MAX_PIXELS:,}"
        )
    if tuple(image.shape[1:3]) == (height, width):
        return image
    resized = tf.image.resize(image, (height, width), method="lanczos3", antialias=True)
    # Lanczos rings slightly past the input range at sharp edges.
    return tf.clip_by_value(resized, 0.0, 1.0)


def resize(image: ImageLike, max_side: int) -> tf.Tensor:
    """Resize an image so that its longest side is ``max_side``, keeping the aspect ratio.

    Args:
        image: float32 [1, H, W, 3] in [0, 1].
        max_side: the new longest side, in [1, MAX_SIDE].

    Returns:
        float32 [1, h, w, 3] in [0, 1] with ``max(h, w) == max_side``; the other side is rounded
        to the nearest integer (at least 1).
    """
    image = validate(image)
    max_side = _check_int(max_side, "max_side", 1, MAX_SIDE)
    height, width = int(image.shape[1]), int(image.shape[2])
    return resize_to(image, *longest_side_shape(height, width, max_side))


# ---------------------------------------------------------------------------------------------
# Arrays and PIL images -> float RGB arrays
# ---------------------------------------------------------------------------------------------


def _over_white(rgba: np.ndarray) -> np.ndarray:
    """Composite [H, W, 4] float RGBA in [0, 1] over a white background -> [H, W, 3]."""
    alpha = rgba[..., 3:4]
    return rgba[..., :3] * alpha + (1.0 - alpha)


def _float_in_unit_range(values: np.ndarray, what: str) -> np.ndarray:
    """Return float32 ``values`` clipped to [0, 1], or raise if they are clearly outside."""
    values = values.astype(np.float32, copy=False)
    if values.size == 0:
        raise ImageError(f"{what} is empty")
    low, high = float(np.min(values)), float(np.max(values))
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ImageError(f"{what} contains NaN or infinite values; expected floats in [0, 1]")
    if low < -RANGE_TOLERANCE or high > 1.0 + RANGE_TOLERANCE:
        raise ImageError(
            f"{what} has float values from min {low:.4g} to max {high:.4g}; float images must "
            "lie in [0, 1] (pass uint8 for 0..255 or uint16 for 0..65535)"
        )
    return np.clip(values, 0.0, 1.0)


def _array_to_rgb(array: np.ndarray, what: str) -> np.ndarray:
    """Convert an image array to float32 [H, W, 3] in [0, 1].

    Accepts shapes (H, W), (H, W, 3), (H, W, 4) and (1, H, W, 3); dtypes uint8 (0..255),
    uint16 (0..65535) or float ([0, 1]). A 4th channel is alpha, composited over white.
    """
    if array.ndim == 4 and array.shape[0] == 1 and array.shape[3] == 3:
        array = array[0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ImageError(
            f"{what} has shape {tuple(array.shape)}; accepted shapes are (H, W), (H, W, 3), "
            "(H, W, 4) and (1, H, W, 3)"
        )
    if array.dtype == np.uint8:
        values = array.astype(np.float32) / 255.0
    elif array.dtype == np.uint16:
        values = array.astype(np.float32) / 65535.0
    elif np.issubdtype(array.dtype, np.floating):
        values = _float_in_unit_range(array, what)
    else:
        raise ImageError(
            f"{what} has dtype {array.dtype}; accepted dtypes are uint8 (0..255), "
            "uint16 (0..65535) and float (0..1)"
        )
    if values.ndim == 2:
        values = np.repeat(values[..., None], 3, axis=2)
    elif values.shape[2] == 4:
        values = _over_white(values)
    return values


def _pil_to_rgb(image: Image.Image, what: str) -> np.ndarray:
    """Convert a loaded PIL image of any mode to float32 [H, W, 3] in [0, 1].

    16-bit modes are scaled by 65535, float 'F' must already lie in [0, 1], anything with alpha
    or a transparent colour is composited over white, everything else goes through Pillow's
    own conversion to RGB (CMYK included, without colour management).
    """
    mode = image.mode
    if mode.startswith("I;16"):  # 16-bit grayscale, e.g. a 16-bit PNG in Pillow >= 10
        gray = np.asarray(image).astype(np.float32) / 65535.0
    elif mode == "I":  # 32-bit int: older Pillow gave this for 16-bit PNGs
        values = np.asarray(image)
        low, high = int(values.min()), int(values.max())
        if low < 0 or high > 65535:
            raise ImageError(
                f"{what} is a 32-bit integer image with values from {low} to {high}; "
                "only 16-bit data (0..65535) is supported"
            )
        gray = values.astype(np.float32) / 65535.0
    elif mode == "F":
        gray = _float_in_unit_range(np.asarray(image), what)
    else:
        if mode in _ALPHA_MODES or "transparency" in image.info:
            rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
            return _over_white(rgba)
        rgb = image if mode == "RGB" else image.convert("RGB")
        return np.asarray(rgb, dtype=np.float32) / 255.0
    return np.repeat(gray[..., None], 3, axis=2)


def _check_pixel_count(height: int, width: int, what: str) -> None:
    if height * width > MAX_PIXELS:
        raise ImageError(
            f"{what} is {_size_text(height, width)} = {height * width:,} pixels; stlib refuses "
            f"more than {MAX_PIXELS:,} pixels (a decompression bomb or a typo?)"
        )


def _decode(image: Image.Image, what: str) -> np.ndarray:
    """Size-check, decode, orient and convert a PIL image -> float32 [H, W, 3] in [0, 1]."""
    width, height = image.size  # read from the header: nothing decoded yet
    _check_pixel_count(height, width, what)
    try:
        image.load()
        image = ImageOps.exif_transpose(image)  # camera photos store rotation in EXIF
    except Image.DecompressionBombError as error:
        raise ImageError(f"{what}: {error}") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"{what} is truncated or corrupt and cannot be decoded: {error}") from None
    return _pil_to_rgb(image, what)


def _open_and_decode(data: Path | io.BytesIO, what: str) -> np.ndarray:
    """Open a file path or byte stream with Pillow and decode it."""
    try:
        # Our own MAX_PIXELS check below is stricter; Pillow's warning would only be noise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(data)
    except Image.DecompressionBombError as error:
        raise ImageError(f"{what} is too large to decode safely: {error}") from None
    except Image.UnidentifiedImageError:
        raise ImageError(
            f"{what} is not an image Pillow can read; use a format such as "
            f"{_READABLE_EXAMPLES} (see PIL.features.pilinfo() for the full list)"
        ) from None
    except OSError as error:
        raise ImageError(f"{what} cannot be read: {error}") from None
    with opened:
        return _decode(opened, what)


# ---------------------------------------------------------------------------------------------
# Sources: URL, path, array, PIL, tensor
# ---------------------------------------------------------------------------------------------


def _fetch(url: str) -> bytes:
    """Download ``url`` (http or https) and return its bytes, with errors naming the URL."""
    request = urllib.request.Request(url, headers={"User-Agent": "stlib (neural style course)"})
    try:
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT_S) as response:
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ImageError(f"cannot fetch {url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise ImageError(f"cannot fetch {url}: {error.reason}") from None
    except (TimeoutError, OSError) as error:
        raise ImageError(
            f"cannot fetch {url}: {str(error) or 'timed out'} (timeout {URL_TIMEOUT_S:g} s)"
        ) from None
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise ImageError(f"{url} is larger than {MAX_DOWNLOAD_BYTES // 2**20} MiB; not loaded")
    return data


def _read_path(path: Path) -> np.ndarray:
    path = path.expanduser()
    if not path.exists():
        raise ImageError(f"no such file: '{path}'")
    if path.is_dir():
        raise ImageError(f"'{path}' is a folder, not an image file")
    return _open_and_decode(path, f"'{path}'")


def _to_rgb_array(source: ImageSource) -> np.ndarray:
    """Any accepted source -> float32 [H, W, 3] in [0, 1]."""
    if isinstance(source, str) and _URL_PATTERN.match(source):
        return _open_and_decode(io.BytesIO(_fetch(source)), source)
    if isinstance(source, (str, Path)):
        return _read_path(Path(source))
    if isinstance(source, Image.Image):
        return _decode(source, "the PIL image")
    if isinstance(source, (tf.Tensor, tf.Variable)):
        array = source.numpy()
        what = "the tensor"
    elif isinstance(source, np.ndarray):
        array = source
        what = "the array"
    else:
        raise ImageError(
            f"cannot load an image from a {type(source).__name__}; pass a path, an http(s) URL, "
            "a numpy array, a PIL image or a tf.Tensor"
        )
    if array.ndim >= 2:
        spatial = array.shape[1:3] if array.ndim == 4 else array.shape[:2]
        _check_pixel_count(int(spatial[0]), int(spatial[1]), what)
    return _array_to_rgb(array, what)


def load(
    source: ImageSource, max_side: int | None = None, *, min_side: int = MIN_SIDE
) -> tf.Tensor:
    """Load an image as a float32 RGB tensor [1, H, W, 3] with values in [0, 1].

    Args:
        source: one of
            - a path (str or Path) to a file Pillow reads (PNG, JPEG, WebP, TIFF, BMP, GIF...);
            - an http(s) URL string, fetched with urllib (30 s timeout);
            - a numpy array or tf.Tensor of shape (H, W), (H, W, 3), (H, W, 4) or (1, H, W, 3),
              dtype uint8 (0..255), uint16 (0..65535) or float (values in [0, 1]);
            - a PIL image.
        max_side: if given, resize so that the longest side equals it (aspect ratio kept,
            Lanczos-3 with antialiasing); must lie in [min_side, MAX_SIDE].
        min_side: the smallest accepted shorter side, before and after resizing.

    Returns:
        float32 tensor [1, H, W, 3] in [0, 1].

    Conversions: the EXIF orientation of photos is applied; grayscale, palette, CMYK, 16-bit
    (scaled by 65535) and float images become RGB; transparent pixels (RGBA, LA, palette or
    colour-key transparency, 4-channel arrays) are composited over a WHITE background.
    Pillow 13 reads a 16-bit RGB PNG as 8-bit 'RGB' (it keeps the high byte), so such files
    load at 8-bit precision; pass a uint16 array to keep all 16 bits.

    Raises:
        ImageError: missing path, not an image, truncated file, failed download, wrong array
            shape/dtype/range, more than MAX_PIXELS pixels, shorter side below ``min_side``,
            ``max_side`` out of range. Each message names the bad value.
    """
    min_side = _check_int(min_side, "min_side", 1, MAX_SIDE)
    if max_side is not None:
        # Checked before loading so that a typo does not cost a download or a decode.
        max_side = _check_int(max_side, "max_side", min_side, MAX_SIDE)

    pixels = _to_rgb_array(source)
    height, width = pixels.shape[:2]
    if min(height, width) < min_side:
        raise ImageError(
            f"the image is {_size_text(height, width)}; its shorter side must be at least "
            f"{min_side} pixels"
        )
    image = tf.convert_to_tensor(pixels[None], dtype=tf.float32)
    if max_side is None:
        return image

    new_height, new_width = longest_side_shape(height, width, max_side)
    if min(new_height, new_width) < min_side:
        raise ImageError(
            f"resizing the {_size_text(height, width)} image to longest side {max_side} gives "
            f"{_size_text(new_height, new_width)}, below the minimum side {min_side}; "
            "use a larger max_side or crop the image"
        )
    return resize_to(image, new_height, new_width)


# ---------------------------------------------------------------------------------------------
# Tensors -> PIL, numpy, files
# ---------------------------------------------------------------------------------------------


def to_numpy(image: ImageLike) -> np.ndarray:
    """float32 tensor [1, H, W, 3] in [0, 1] -> float32 numpy array [H, W, 3] (for plotting)."""
    return validate(image).numpy()[0]


def to_pil(image: ImageLike) -> Image.Image:
    """float32 tensor [1, H, W, 3] in [0, 1] -> 8-bit RGB PIL image (rounded, clipped)."""
    pixels = np.clip(np.rint(to_numpy(image) * 255.0), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def from_pil(pil: Image.Image) -> tf.Tensor:
    """PIL image of any mode -> float32 tensor [1, H, W, 3] in [0, 1].

    Same conversions as ``load`` (EXIF orientation, alpha over white, 16-bit scaling) but no
    size limits other than MAX_PIXELS.
    """
    if not isinstance(pil, Image.Image):
        raise ImageError(f"from_pil expects a PIL.Image.Image, got a {type(pil).__name__}")
    return tf.convert_to_tensor(_decode(pil, "the PIL image")[None], dtype=tf.float32)


def check_output_path(path: str | Path, *, inputs: Iterable[object] = ()) -> Path:
    """Check, before any long computation, that an image can be saved at ``path``.

    The extension must be one ``save`` writes; the path must not be a folder, a read-only file
    or one of ``inputs``; the parent folder must exist or be creatable and be writable (tested by
    creating and deleting a temporary file). Nothing is left behind. See
    ``stlib.outputs.check_output_path``, which this wraps.

    Args:
        path: where the image will be saved.
        inputs: files the run reads (content, style, init image); URLs, sample names and
            arrays among them are ignored.

    Returns:
        the path as a ``Path`` (with ``~`` expanded).

    Raises:
        ImageError: naming the path and, for a bad extension, the accepted ones.
    """
    try:
        return outputs.check_output_path(path, what="image", suffixes=_SAVE_FORMATS, inputs=inputs)
    except outputs.OutputPathError as error:
        # ImageError is what callers of this module have always caught.
        raise ImageError(str(error)) from None


def save(image: ImageLike, path: str | Path, *, quality: int = 95) -> Path:
    """Write a [1, H, W, 3] float image in [0, 1] to ``path`` as 8-bit RGB.

    The format follows the extension: .png, .jpg/.jpeg, .webp, .tif/.tiff or .bmp. Missing
    parent folders are created. The file is written beside the target and renamed over it when
    complete (``stlib.outputs.atomic_write``), so a failed write leaves an old file as it was.

    Args:
        image: float32 [1, H, W, 3] in [0, 1].
        path: where to write.
        quality: JPEG/WebP quality in [1, 100] (ignored by lossless formats).

    Returns:
        the written path.
    """
    path = check_output_path(path)
    quality = _check_int(quality, "quality", 1, 100)
    pil = to_pil(image)

    file_format = _SAVE_FORMATS[path.suffix.lower()]
    options: dict = {}
    if file_format == "JPEG":
        # 4:4:4 chroma: style transfer results have fine colour texture worth keeping.
        options = {"quality": quality, "subsampling": 0}
    elif file_format == "WEBP":
        options = {"quality": quality}
    with outputs.atomic_write(path) as temporary:
        # The temporary name ends in .tmp: the format must be given, not guessed.
        pil.save(temporary, format=file_format, **options)
    return path
