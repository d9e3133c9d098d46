"""The images of an arbitrary style transfer as its networks take them.

Loading and naming by role is every method's (``stlib.inputs``). Here: a style image is
centre-cropped to a square and resized to ``style_size`` (the style network was trained on square
crops), and the content is brought to ``compute_size`` when one is set.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from stlib import images
from stlib.inputs import load, role

__all__ = ["at_compute_size", "compute_shape", "load_style", "square"]


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
    """``square`` of an image already checked (by ``stlib.inputs.load``): no second check."""
    height, width = int(image.shape[1]), int(image.shape[2])
    crop = min(height, width)
    top, left = (height - crop) // 2, (width - crop) // 2
    cropped = image[:, top : top + crop, left : left + crop, :]
    return images.resize_to(cropped, side, side)


def load_style(source: Any, style_size: int, named: str | None = None) -> tf.Tensor:
    """A style image as the style network sees it: float32 [1, s, s, 3], s = ``style_size``."""
    return _square(load(source, None, named or role("style", 0, 1, source)), style_size)
