"""The images of an arbitrary style transfer: loaded as everywhere in stlib, named by their role.

Content and style images are accepted in every form ``stlib.images.load`` takes (paths, http(s)
URLs, arrays, PIL images, tensors) and as sample names (``stlib.data``). Errors name the image by
its role (``content 'photo.jpg'``, ``style 2 of 3 ('wave.jpg')``). A style image is centre-cropped
to a square and resized to ``style_size``: the style network was trained on square crops.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from stlib import images

__all__ = [
    "as_style_list",
    "at_compute_size",
    "compute_shape",
    "load_content",
    "load_style",
    "role",
    "square",
    "style_roles",
]


def _what(source: Any) -> str:
    """'a numpy array', 'a tensor', 'a PIL image', 'a list': what an image that is not a file is."""
    kinds = {"ndarray": "numpy array", "EagerTensor": "tensor", "Tensor": "tensor"}
    name = kinds.get(type(source).__name__, type(source).__name__)
    if type(source).__module__.startswith("PIL."):
        name = "PIL image"
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def role(kind: str, index: int, count: int, source: Any) -> str:
    """How errors name an image: "content 'photo.jpg'", "style 2 of 3 ('scream')",
    "content (a numpy array)"."""
    if isinstance(source, (str, os.PathLike)):
        named = f"'{os.fspath(source)}'"
        return f"{kind} {named}" if count == 1 else f"{kind} {index + 1} of {count} ({named})"
    named = _what(source)
    return f"{kind} ({named})" if count == 1 else f"{kind} {index + 1} of {count} ({named})"


def _load(source: Any, max_side: int | None, named: str) -> tf.Tensor:
    """Any accepted source -> float32 [1, H, W, 3] in [0, 1]; errors start with ``named``."""
    try:
        if isinstance(source, str):
            from stlib import data  # sample names -> local paths (no TensorFlow)

            source = data.resolve(source)
        return images.load(source, max_side)
    except images.ImageError as error:
        message = str(error)
        quoted = f"'{source}'"
        if message.startswith(quoted):  # the role already names the file: say it once
            message = message[len(quoted) :]
        else:
            message = f": {message}"
        raise images.ImageError(f"{named}{message}") from None


def load_content(source: Any, size: int | None = None) -> tf.Tensor:
    """The content image, float32 [1, H, W, 3] in [0, 1], its longest side resized to ``size``."""
    return _load(source, size, role("content", 0, 1, source))


def compute_shape(height: int, width: int, compute_size: int | None) -> tuple[int, int] | None:
    """(h, w) the transformer paints an H x W content at, or None to paint it as it is.

    None when ``compute_size`` is None or at least the longest side (no upsampling of the input);
    else the longest side becomes ``compute_size`` (``stlib.images.longest_side_shape``), and the
    shorter side is kept at no less than ``images.MIN_SIDE`` px (or its own size if smaller), so
    that a panorama still gives the network a few rows to paint.
    """
    if compute_size is None or compute_size >= max(height, width):
        return None
    small_h, small_w = images.longest_side_shape(height, width, compute_size)
    if height <= width:
        small_h = max(small_h, min(height, images.MIN_SIDE))
    else:
        small_w = max(small_w, min(width, images.MIN_SIDE))
    return small_h, small_w


def at_compute_size(image: tf.Tensor, compute_size: int | None) -> tf.Tensor:
    """The content as the transformer paints it: [1, H, W, 3] -> [1, h, w, 3].

    ``image`` itself (the same object) when ``compute_shape`` says there is nothing to do; else
    resized with Lanczos-3 and antialiasing (``stlib.images.resize_to``).
    """
    shape = compute_shape(int(image.shape[1]), int(image.shape[2]), compute_size)
    return image if shape is None else images.resize_to(image, *shape)


def square(image: tf.Tensor, side: int) -> tf.Tensor:
    """The largest centred square of ``image`` resized to ``side``: [1, H, W, 3] -> [1, s, s, 3].

    A square image of the right side comes back unchanged (bit for bit).
    """
    return _square(images.validate(image), side)


def _square(image: tf.Tensor, side: int) -> tf.Tensor:
    """``square`` of an image already checked (loaded by ``_load``): no second check."""
    height, width = int(image.shape[1]), int(image.shape[2])
    crop = min(height, width)
    top, left = (height - crop) // 2, (width - crop) // 2
    cropped = image[:, top : top + crop, left : left + crop, :]
    return images.resize_to(cropped, side, side)


def load_style(source: Any, style_size: int, named: str | None = None) -> tf.Tensor:
    """A style image as the style network sees it: float32 [1, s, s, 3], s = ``style_size``."""
    return _square(_load(source, None, named or role("style", 0, 1, source)), style_size)


def as_style_list(style_or_styles: Any) -> list[Any]:
    """One style source or a list/tuple of them -> a list (an array is one image, not a list)."""
    if isinstance(style_or_styles, (list, tuple)):
        return list(style_or_styles)
    return [style_or_styles]


def style_roles(sources: Sequence[Any]) -> list[str]:
    """The role of each style image, for error messages."""
    return [role("style", i, len(sources), s) for i, s in enumerate(sources)]
