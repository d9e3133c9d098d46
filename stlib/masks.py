"""Masks for spatial control: which painting paints which part of the photo (every method).

A set of masks for R regions is float32 [R, H, W] in [0, 1] that sums to one at every pixel:
a partition of the photo, hard (0 or 1) or soft (a feathered seam). Region r is painted by
painting r. Each mask may be given as

* an image file (white: in the region, black: out, grey: partly; its luminance is read),
* an array [H, W], [H, W, 1] or [1, H, W, 1] (bool, uint8 0..255 or float 0..1), a PIL image,
* a built-in split, ``"left"``, ``"right"``, ``"top"`` or ``"bottom"`` (a half of the photo),
* ``"rest"``: one minus the other masks (at most one of them),

or the whole set as ``"auto"``: ``automatic(photo, R)``, the photo's pixels in R colour and
brightness clusters (k-means), smoothed so that a region is a few large patches.

    masks = resolve(["sky.png", "rest"], count=2, height=256, width=384)  # [2, 256, 384]
    masks = resolve("auto", count=2, height=256, width=384, photo=photo)
    coarse = at_resolution(masks, 32, 48)                                 # a VGG layer's grid

Masks that do not cover the photo, overlap, are empty, or do not match the number of paintings
are refused with a ``MaskError`` that names the mask and the value (``resolve`` checks; so does
``check``). ``feather`` softens the seams (the feed-forward methods blend with it).

Taught in notebook 05 (guided Gram matrices) and 06 (spatial mixing).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

# TensorFlow is imported where it is used: the command line parses --masks before it starts.
if TYPE_CHECKING:
    import tensorflow as tf

__all__ = [
    "AUTO",
    "REST",
    "SPLITS",
    "MaskError",
    "as_list",
    "at_resolution",
    "automatic",
    "check",
    "check_placement",
    "count",
    "feather",
    "overlay",
    "parse",
    "resolve",
    "shown",
    "split",
]

SPLITS = ("left", "right", "top", "bottom")
REST = "rest"
AUTO = "auto"
# How far from one a pixel's sum of masks may be (soft masks rounded to 8 bits stay inside).
COVER_TOLERANCE = 0.02
# A region whose mask sums to less than this share of the pixels is empty (no style to place).
MIN_SHARE = 0.001
# Colours that mark regions in ``overlay`` (and the app's preview): region r gets COLORS[r % 6].
COLORS = np.array(
    [[0.9, 0.2, 0.2], [0.2, 0.4, 0.95], [0.2, 0.8, 0.3], [0.95, 0.75, 0.1], [0.7, 0.3, 0.9],
     [0.1, 0.8, 0.85]],
    np.float32,
)  # fmt: skip


class MaskError(ValueError):
    """A mask or a set of masks that cannot place the paintings; the message names which."""


def _role(index: int, count: int, source: Any) -> str:
    """'mask 2 of 2 ('sky.png')', 'mask 1 of 2 (left)', 'mask 1 of 3 (a numpy array)'."""
    if isinstance(source, str) and source in (*SPLITS, REST):
        return f"mask {index + 1} of {count} ({source})"
    from stlib.inputs import role  # the images' wording, so masks are named like paintings

    return role("mask", index, count, source)


def parse(text: str) -> list[str] | str:
    """A command line's ``--masks`` value: "sky.png,rest" -> ['sky.png', 'rest']; "auto" -> "auto".

    >>> parse("left,right"), parse(" auto ")
    (['left', 'right'], 'auto')
    """
    text = text.strip()
    if text == AUTO:
        return AUTO
    parts = [part.strip() for part in text.split(",")]
    if not all(parts):
        raise MaskError(f"--masks {text!r}: an empty name between commas; write e.g. left,right")
    return parts


def as_list(sources: Any) -> Any:
    """The masks as ``resolve`` takes them: an [R, H, W] array as a list of R [H, W] masks, a
    single PIL image or [H, W] array as a list of one; names, paths and lists as they are."""
    if isinstance(sources, (str, os.PathLike)):
        return sources
    if type(sources).__module__.startswith("PIL."):
        return [sources]
    if hasattr(sources, "shape"):
        values = np.asarray(sources)
        return list(values) if values.ndim == 3 and values.shape[-1] != 1 else [values]
    try:
        return list(sources)
    except TypeError:
        raise MaskError(
            f"masks of type {type(sources).__name__}; give one mask per painting (a list of "
            "files, arrays or split names) or 'auto'"
        ) from None


def count(sources: Any) -> int | None:
    """How many masks ``sources`` gives: None for ``"auto"`` (one per painting by construction),
    one for a single file, split name or [H, W] array, R for an [R, H, W] array or a list."""
    if isinstance(sources, str) and sources == AUTO:
        return None
    if isinstance(sources, (str, os.PathLike)):
        return 1
    return len(as_list(sources))


def shown(sources: Any) -> Any:
    """The masks as an error message shows them: names and paths as given, arrays by shape."""
    if isinstance(sources, str):
        return sources
    items = as_list(sources)
    items = [items] if isinstance(items, os.PathLike) else items
    return [
        os.fspath(s)
        if isinstance(s, (str, os.PathLike))
        else f"<{type(s).__name__} {'x'.join(map(str, np.shape(s)))}>"
        for s in items
    ]


def check_placement(mix: Any, sources: Any, paintings: int) -> None:
    """What every method refuses before reading an image: ``mix`` with masks (it blends the
    paintings everywhere, masks place each in its region), and not one mask per painting.

    Raises ``SettingError`` naming both settings, or ``MaskError`` with the count.
    """
    if mix is not None:
        from stlib.validation import SettingError

        raise SettingError(
            {"mix": mix, "masks": shown(sources)},
            "cannot go together: {mix} blends the paintings everywhere, {masks} place each "
            "painting in its own region; leave out {mix} (or {masks} to blend the paintings)",
        )
    given = count(sources)
    if given is not None and given != paintings:
        check(np.zeros((given, 1, 1), np.float32), paintings)  # the count message


def split(name: str, height: int, width: int) -> np.ndarray:
    """A built-in half of an H x W photo: [H, W] float32, 1 inside. Odd sizes: the middle row
    or column goes to the left/top half, so that "left" and "right" are a partition.

    >>> split("left", 2, 3).tolist()
    [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]
    """
    if name not in SPLITS:
        raise MaskError(f"unknown split {name!r}; choose from {', '.join(SPLITS)}")
    mask = np.zeros((height, width), np.float32)
    half_h, half_w = (height + 1) // 2, (width + 1) // 2
    region = {
        "left": (slice(None), slice(0, half_w)),
        "right": (slice(None), slice(half_w, None)),
        "top": (slice(0, half_h), slice(None)),
        "bottom": (slice(half_h, None), slice(None)),
    }[name]
    mask[region] = 1.0
    return mask


def _array_mask(array: np.ndarray, role: str) -> np.ndarray:
    """An array mask as [H, W] float32 in [0, 1] (bool, uint8 or float)."""
    squeezed = np.asarray(array)
    while squeezed.ndim > 2 and squeezed.shape[0] == 1:
        squeezed = squeezed[0]
    if squeezed.ndim == 3 and squeezed.shape[-1] == 1:
        squeezed = squeezed[..., 0]
    if squeezed.ndim != 2:
        raise MaskError(
            f"{role}: shape {tuple(np.shape(array))}; a mask is [H, W], [H, W, 1] or [1, H, W, 1]"
        )
    if squeezed.dtype == bool:
        return squeezed.astype(np.float32)
    if squeezed.dtype == np.uint8:
        return squeezed.astype(np.float32) / 255.0
    if not np.issubdtype(squeezed.dtype, np.number):
        raise MaskError(f"{role}: values of type {squeezed.dtype}; use bool, uint8 or float")
    values = squeezed.astype(np.float32)
    if not np.all(np.isfinite(values)):
        raise MaskError(f"{role}: holds NaN or infinite values; a mask is in [0, 1]")
    low, high = float(values.min()), float(values.max())
    if low < 0.0 or high > 1.0:
        raise MaskError(
            f"{role}: values from {low:g} to {high:g}; a float mask is in [0, 1] "
            "(divide 0..255 values by 255)"
        )
    return values


def _read_mask(source: Any, role: str) -> np.ndarray:
    """A file, PIL image or array -> [H, W] float32 in [0, 1] at its own size."""
    if isinstance(source, np.ndarray) or hasattr(source, "__array__"):
        if not type(source).__module__.startswith("PIL."):
            return _array_mask(np.asarray(source), role)
    from stlib import images

    if isinstance(source, str) and not os.path.exists(source) and "." not in source:
        from stlib.validation import did_you_mean  # a mistyped split: "lft" for "left"

        names = (*SPLITS, REST, AUTO)
        raise MaskError(
            f"{role}: no such file, and not a mask name ({', '.join(names)})"
            f"{did_you_mean(source, names)}"
        )
    try:  # the decoding and its errors are images.load's (missing file, not an image, too big)
        rgb = images.to_numpy(images.load(source))
    except images.ImageError as error:
        raise MaskError(f"{role}: {error}") from None
    return rgb @ np.array([0.299, 0.587, 0.114], np.float32)  # luminance (Rec. 601)


def _resized(mask: np.ndarray, height: int, width: int, role: str) -> np.ndarray:
    """[h, w] -> [H, W] by area (down) or bilinear (up); refuses another aspect ratio."""
    h, w = mask.shape
    if (h, w) == (height, width):
        return mask
    if abs((w / h) / (width / height) - 1.0) > 0.02:
        raise MaskError(
            f"{role}: {w}x{h} pixels has another shape than the photo ({width}x{height}); "
            "a mask must have the photo's aspect ratio (it is resized to the photo)"
        )
    import tensorflow as tf

    method = "area" if h >= height else "bilinear"
    resized = tf.image.resize(mask[None, :, :, None], (height, width), method=method)
    return np.clip(resized.numpy()[0, :, :, 0], 0.0, 1.0)


def check(masks: Any, count: int | None = None, roles: Sequence[str] | None = None) -> np.ndarray:
    """Refuse masks that cannot place the paintings; return them as float32 [R, H, W].

    ``count``: the number of paintings (one mask each); ``roles``: how errors name each mask.
    A partition is required: every pixel's masks sum to one (within 0.02), and every mask holds
    at least 0.1 % of the photo.
    """
    values = np.asarray(masks, np.float32)
    if values.ndim != 3:
        raise MaskError(f"masks of shape {values.shape}; a set of masks is [R, H, W]")
    regions = values.shape[0]
    roles = (
        list(roles) if roles is not None else [f"mask {r + 1} of {regions}" for r in range(regions)]
    )
    if count is not None and regions != count:
        raise MaskError(
            f"{regions} mask{'s' * (regions != 1)} for {count} painting{'s' * (count != 1)}; "
            "give one mask per painting, in the paintings' order"
        )
    if regions < 1:
        raise MaskError("no masks; give one mask per painting")
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        raise MaskError("masks must hold finite values in [0, 1]")
    pixels = values.shape[1] * values.shape[2]
    for r in range(regions):
        share = float(values[r].sum()) / pixels
        if share < MIN_SHARE:
            raise MaskError(
                f"{roles[r]} is empty (covers {100 * share:.3g} % of the photo; at least "
                f"{100 * MIN_SHARE:g} % is needed to place its painting)"
            )
    total = values.sum(axis=0)
    uncovered = total < 1.0 - COVER_TOLERANCE
    if uncovered.any():
        raise MaskError(
            f"the masks do not cover the photo: {100 * uncovered.mean():.3g} % of its pixels lie "
            f"in no region (their masks sum to {float(total.min()):.2f} at the lowest; every "
            f"pixel needs a sum of 1); add '{REST}' as the last mask, or use complementary masks"
        )
    overlapping = total > 1.0 + COVER_TOLERANCE
    if overlapping.any():
        raise MaskError(
            f"the masks overlap: {100 * overlapping.mean():.3g} % of the pixels lie in more than "
            f"one region (their masks sum to {float(total.max()):.2f} at the highest; every "
            "pixel needs a sum of 1)"
        )
    return values


def resolve(
    sources: Any,
    count: int,
    height: int,
    width: int,
    photo: Any = None,
    seed: int = 0,
) -> np.ndarray:
    """Masks in any accepted form -> a checked float32 [count, height, width] partition.

    sources: a list of masks (files, arrays, split names, at most one ``"rest"``), or ``"auto"``
    with ``photo`` ([1, H, W, 3] in [0, 1]) given: ``automatic(photo, count, seed)``.
    """
    if isinstance(sources, str) and sources == AUTO:
        if photo is None:
            raise MaskError("masks 'auto' need the photo (photo=...)")
        return check(automatic(photo, count, height, width, seed=seed), count)
    if isinstance(sources, (str, os.PathLike)) or isinstance(sources, np.ndarray):
        sources = [sources]
    sources = list(sources)
    roles = [_role(i, len(sources), s) for i, s in enumerate(sources)]
    rests = [i for i, s in enumerate(sources) if isinstance(s, str) and s == REST]
    if len(rests) > 1:
        raise MaskError(f"'{REST}' given {len(rests)} times; at most one mask can be the rest")
    if len(sources) != count:
        check(np.zeros((len(sources), 1, 1)), count)  # the count message
    masks = []
    for index, source in enumerate(sources):
        if isinstance(source, str) and source in SPLITS:
            masks.append(split(source, height, width))
        elif isinstance(source, str) and source == REST:
            masks.append(None)
        else:
            masks.append(_resized(_read_mask(source, roles[index]), height, width, roles[index]))
    if rests:
        others = sum(m for m in masks if m is not None) if len(masks) > 1 else 0.0
        masks[rests[0]] = np.clip(1.0 - np.asarray(others, np.float32), 0.0, 1.0) * np.ones(
            (height, width), np.float32
        )
    return check(np.stack(masks), count, roles)


def at_resolution(masks: Any, height: int, width: int) -> tf.Tensor:
    """[R, H, W] masks -> [R, height, width] float32 on a coarser grid (a VGG layer's).

    Each coarse cell gets the mean of the pixels it covers (area resampling): a soft mask keeps
    its share of the photo at every layer, and a cell on a seam, whose features see both
    regions, counts for both in proportion. Upsampling (not needed by VGG) is bilinear.
    """
    import tensorflow as tf

    masks = tf.convert_to_tensor(masks, tf.float32)
    shape = masks.shape
    method = "area" if shape[1] >= height and shape[2] >= width else "bilinear"
    resized = tf.image.resize(masks[..., None], (height, width), method=method)
    return resized[..., 0]


def feather(masks: Any, radius: float) -> np.ndarray:
    """Soften the seams: each mask blurred by a Gaussian (sigma ``radius`` pixels), then the
    set renormalised to sum to one at each pixel. [R, H, W] -> [R, H, W]; radius 0 is identity.

    >>> hard = np.stack([split("left", 1, 8), split("right", 1, 8)])
    >>> soft = feather(hard, 1.0)
    >>> bool(np.allclose(soft.sum(0), 1)), round(float(soft[0, 0, 3]), 2)
    (True, 0.7)
    """
    values = np.asarray(masks, np.float32)
    if radius < 0 or not np.isfinite(radius):
        raise MaskError(f"feather radius {radius!r}: must be a finite number >= 0 (pixels)")
    if radius == 0:
        return values
    from scipy import ndimage

    blurred = np.stack(
        [ndimage.gaussian_filter(m, sigma=radius, mode="nearest") for m in values]
    ).astype(np.float32)
    return blurred / np.maximum(blurred.sum(axis=0, keepdims=True), 1e-6)


def automatic(
    photo: Any, regions: int = 2, height: int | None = None, width: int | None = None, seed: int = 0
) -> np.ndarray:
    """Masks without a painting program: the photo's pixels in ``regions`` clusters.

    k-means (20 rounds) on each pixel's colour and brightness at most 128 px wide; each pixel's
    region is then the majority of its neighbourhood (a Gaussian vote, sigma 2 % of the side),
    so a region is a few large patches, not speckle. Regions are ordered by brightness, the
    brightest first (a sky is usually region 1). Returns hard float32 [regions, H, W] at
    ``height`` x ``width`` (the photo's size if None). ``seed`` picks the starting centres.
    """
    import tensorflow as tf
    from scipy import ndimage

    from stlib import images

    if not isinstance(regions, int) or regions < 1 or regions > 8:
        raise MaskError(f"regions={regions!r}: automatic masks make 1 to 8 regions")
    image = images.validate(photo, "photo")
    full_h, full_w = int(image.shape[1]), int(image.shape[2])
    height, width = height or full_h, width or full_w
    small = images.resize(image, min(128, max(full_h, full_w))).numpy()[0]
    pixels = small.reshape(-1, 3).astype(np.float64)
    brightness = pixels @ np.array([0.299, 0.587, 0.114])
    features = np.concatenate([pixels, brightness[:, None]], axis=1)
    rng = np.random.default_rng(seed)
    # Start from pixels spread over the brightness order: stable, and no empty cluster at first.
    order = np.argsort(brightness)
    start = order[np.linspace(0, len(order) - 1, regions + 2)[1:-1].astype(int)]
    centres = features[start] + 1e-6 * rng.standard_normal((regions, 4))
    for _ in range(20):
        labels = np.argmin(((features[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        for r in range(regions):
            if np.any(labels == r):
                centres[r] = features[labels == r].mean(axis=0)
    rank = np.argsort(-centres[:, 3])  # brightest first
    labels = np.argsort(rank)[labels].reshape(small.shape[:2])
    sigma = 0.02 * max(small.shape[:2])
    votes = np.stack(
        [ndimage.gaussian_filter((labels == r).astype(np.float32), sigma) for r in range(regions)]
    )
    hard = np.eye(regions, dtype=np.float32)[np.argmax(votes, axis=0)]  # [h, w, R]
    upsampled = tf.image.resize(hard, (height, width), method="nearest").numpy()
    return np.moveaxis(upsampled, -1, 0).astype(np.float32)


def overlay(photo: Any, masks: Any, opacity: float = 0.45) -> tf.Tensor:
    """The photo [1, H, W, 3] tinted by region (region r in ``COLORS[r]``): a preview of masks.

    Soft seams show as blended tints. Returns [1, H, W, 3] in [0, 1].
    """
    import tensorflow as tf

    from stlib import images

    image = images.validate(photo, "photo")
    values = np.asarray(masks, np.float32)
    height, width = int(image.shape[1]), int(image.shape[2])
    if values.shape[1:] != (height, width):
        values = at_resolution(values, height, width).numpy()
    tint = np.einsum("rhw,rc->hwc", values, COLORS[np.arange(len(values)) % len(COLORS)])
    mixed = (1 - opacity) * image.numpy()[0] + opacity * tint
    return tf.constant(np.clip(mixed, 0, 1)[None], tf.float32)
