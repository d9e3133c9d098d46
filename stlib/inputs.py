"""Images loaded by their role in a run, for every method: "content 'photo.jpg'", "style 2 of 3
('wave.jpg')", "content (a numpy array)".

Content and style images are accepted in every form ``stlib.images.load`` takes (paths, http(s)
URLs, arrays, PIL images, tensors) and as sample names (``stlib.data``). Errors start with the
image's role, so that a run with a photo and three paintings says which one is wrong, in the
same words whichever method (or the app) loaded it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from stlib import images

__all__ = ["load", "load_content", "role", "style_list", "style_roles"]


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


def load(source: Any, max_side: int | None = None, role: str | None = None) -> tf.Tensor:
    """Any accepted source -> float32 [1, H, W, 3] in [0, 1], longest side at most ``max_side``.

    ``role`` (from :func:`role`) starts every error message; None leaves ``stlib.images``' own.
    """
    try:
        if isinstance(source, str):
            from stlib import data  # sample names -> local paths (no TensorFlow)

            source = data.resolve(source)
        return images.load(source, max_side)
    except images.ImageError as error:
        if role is None:
            raise
        message = str(error)
        quoted = f"'{source}'"
        if message.startswith(quoted):  # the role already names the file: say it once
            raise images.ImageError(f"{role}{message[len(quoted) :]}") from None
        raise images.ImageError(f"{role}: {message}") from None


def load_content(source: Any, size: int | None = None) -> tf.Tensor:
    """The content image, float32 [1, H, W, 3] in [0, 1], its longest side resized to ``size``."""
    return load(source, size, role("content", 0, 1, source))


def style_list(style_or_styles: Any) -> list[Any]:
    """One style source or a list/tuple of them -> a list (an array is one image, not a list)."""
    if isinstance(style_or_styles, (list, tuple)):
        return list(style_or_styles)
    return [style_or_styles]


def style_roles(sources: Sequence[Any]) -> list[str]:
    """The role of each style image, for error messages."""
    return [role("style", i, len(sources), s) for i, s in enumerate(sources)]
