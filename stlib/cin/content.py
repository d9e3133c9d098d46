"""The photographs a multi-style network learns to paint, and the random crops it trains on.

Two sources:

* a folder the user names (``content_dir``): every image file in it and its sub-folders (hidden
  files skipped; a file counts when Pillow recognises it as an image);
* offline, the built-in set: the course's sample photographs (``stlib.data``, kind ``content``,
  where ``STLIB_DATA_DIR`` or the download cache has them) and the natural RGB photographs that ship
  inside scikit-image (astronaut, chelsea, coffee, rocket, the left motorcycle, the Hubble deep
  field), scikit-learn (china, flower) and matplotlib (grace_hopper), each package only where it
  is installed. About 15 photos: enough for a course's network, not for ImageNet-like generality.

:class:`CropStream` turns the photos into batches [B, size, size, 3] float32 in [0, 1]: for every
sample a random photo, its shorter side scaled to ``size * U(1, 1.5)``, a random ``size x size``
crop of that, flipped left-right half of the time. Batch ``k`` is a pure function of
``(seed, k)`` (numpy's generator seeded with both), so a run resumed at step k sees exactly the
batches an uninterrupted run sees, with nothing to save but the step.

No TensorFlow at import time (the command line lists the photos before TensorFlow starts).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = [
    "MAX_SCALE",
    "ContentError",
    "CropStream",
    "builtin_photos",
    "folder_photos",
    "photo_files",
]

# Largest random enlargement of a photo before cropping: shorter side up to size * MAX_SCALE.
MAX_SCALE = 1.5
# skimage.data functions that return natural RGB photographs (no grey, no textures, no masks).
SKIMAGE_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field")


class ContentError(ValueError):
    """No photo to train on: an empty folder, or no built-in photo on this machine."""


# --- where photos come from ---------------------------------------------------------------------


def _is_image_file(path: Path) -> bool:
    """Whether Pillow recognises ``path`` as an image (reads the header only)."""
    try:
        with Image.open(path):
            return True
    except Exception:  # not an image, unreadable, a decompression bomb: not a training photo
        return False


def photo_files(folder: str | os.PathLike) -> list[Path]:
    """Every image file under ``folder`` (recursively, sorted, hidden entries skipped).

    Raises:
        ContentError: ``folder`` is not a folder, or holds no image Pillow can read.
    """
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise ContentError(f"content folder '{root}' does not exist or is not a folder")
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not name.startswith(".") and _is_image_file(path):
                found.append(path)
    if not found:
        raise ContentError(
            f"content folder '{root}' holds no image file (searched its sub-folders too); "
            "add photos (.jpg, .png, ...) or leave the folder out to use the built-in photos"
        )
    return found


def folder_photos(folder: str | os.PathLike) -> list[tuple[str, Path]]:
    """(name relative to ``folder``, path) of every image under it (see :func:`photo_files`)."""
    root = Path(folder).expanduser()
    return [(str(path.relative_to(root)), path) for path in photo_files(root)]


def _skimage_photos() -> list[tuple[str, object]]:
    try:
        import skimage.data
    except ImportError:
        return []
    photos: list[tuple[str, object]] = [
        (f"skimage:{name}", functools.partial(getattr(skimage.data, name)))
        for name in SKIMAGE_PHOTOS
        if hasattr(skimage.data, name)
    ]
    photos.append(("skimage:motorcycle_left", lambda: skimage.data.stereo_motorcycle()[0]))
    return photos


def _sklearn_photos() -> list[tuple[str, object]]:
    try:
        import sklearn.datasets
    except ImportError:
        return []
    return [
        ("sklearn:china", lambda: sklearn.datasets.load_sample_image("china.jpg")),
        ("sklearn:flower", lambda: sklearn.datasets.load_sample_image("flower.jpg")),
    ]


def _matplotlib_photos() -> list[tuple[str, object]]:
    try:
        import matplotlib.cbook
    except ImportError:
        return []

    def grace_hopper():
        with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as file:
            return np.asarray(Image.open(file).convert("RGB"))

    return [("matplotlib:grace_hopper", grace_hopper)]


def _sample_photos() -> list[tuple[str, object]]:
    """The course's content samples that are on this machine (offline folder or cache)."""
    from stlib import data, settings

    found = []
    folder = settings.data_dir()
    for sample in data.samples("content"):
        if folder is not None:
            available = (folder / sample.file).is_file()
        else:  # the download cache, looked at without downloading
            import pooch

            available = (Path(pooch.os_cache("stlib")) / sample.file).is_file()
        if available:
            found.append((f"stlib:{sample.name}", functools.partial(data.path, sample.name)))
    return found


def builtin_photos() -> list[tuple[str, object]]:
    """(name, loader) of every built-in photo on this machine; ``loader()`` gives a path or array.

    Names say where each comes from: ``stlib:tuebingen``, ``skimage:astronaut``,
    ``sklearn:china``, ``matplotlib:grace_hopper`` (left out when the course's own
    ``grace_hopper`` sample is there: the same photograph).

    Raises:
        ContentError: none is available (no sample folder, none of the three packages).
    """
    photos = _sample_photos() + _skimage_photos() + _sklearn_photos()
    if "stlib:grace_hopper" not in dict(photos):
        photos += _matplotlib_photos()
    if not photos:
        raise ContentError(
            "no built-in content photo on this machine: set STLIB_DATA_DIR to the course's "
            "images, install scikit-image or scikit-learn, or give a content folder"
        )
    return photos


# --- loading ------------------------------------------------------------------------------------


def _stored_shape(height: int, width: int, shorter: int) -> tuple[int, int]:
    scale = shorter / min(height, width)
    return max(shorter, round(height * scale)), max(shorter, round(width * scale))


def _load_photo(source: object, shorter: int, name: str) -> np.ndarray:
    """A photo (path or array) as uint8 [H, W, 3] with its shorter side ``shorter`` px.

    JPEGs are decoded at a reduced scale when they are much larger (Pillow's draft mode).
    """
    from stlib import images

    if isinstance(source, (str, os.PathLike)):
        try:
            with Image.open(source) as pil:
                pil.draft("RGB", (shorter, shorter))  # JPEG: decode at >= shorter px per side
                image = images.from_pil(pil)
        except (OSError, images.ImageError) as error:
            raise images.ImageError(f"content photo '{source}' cannot be read: {error}") from None
    else:
        image = images.load(np.asarray(source), min_side=1)
    height, width = int(image.shape[1]), int(image.shape[2])
    if min(height, width) < 8:
        raise images.ImageError(f"content photo {name} is {width}x{height} px; too small to crop")
    image = images.resize_to(image, *_stored_shape(height, width, shorter))
    return np.asarray(np.rint(image.numpy()[0] * 255.0), np.uint8)


class CropStream:
    """Random square crops of a set of photos, as seeded batches.

    Args:
        photos: (name, source) pairs; a source is a path, an array, or a function returning one
            (what :func:`builtin_photos` and :func:`folder_photos` give). None: the built-in set.
        size: side of every crop in pixels.
        batch: crops per batch.
        seed: batch k is a pure function of (seed, k).
        num_styles: when given, every batch also carries ``labels`` [B] int32: a style index per
            crop, uniform over ``styles`` (default: all of 0..num_styles-1).
        styles: the style indices to draw labels from (fine-tuning draws only the new one).
        cache: how many photos to keep decoded (at their training size); a folder larger than
            this is read again from disk as crops come back to its photos.

    ``batch_at(k)`` gives (images [B, size, size, 3] float32 in [0, 1], labels [B] int32 or
    None); ``batches(start, stop)`` iterates them; ``dataset(start, stop)`` is the same stream as a
    ``tf.data.Dataset`` that prepares the next batches while the current one trains.
    """

    def __init__(
        self,
        photos: Sequence[tuple[str, object]] | None,
        size: int,
        batch: int,
        seed: int = 0,
        *,
        num_styles: int | None = None,
        styles: Sequence[int] | None = None,
        cache: int = 256,
    ) -> None:
        self.photos = list(builtin_photos() if photos is None else photos)
        if not self.photos:
            raise ContentError("no content photo to train on")
        self.size = int(size)
        self.batch = int(batch)
        self.seed = int(seed)
        self.num_styles = num_styles
        if num_styles is None:
            self.styles = None
        else:
            self.styles = np.asarray(list(range(num_styles)) if styles is None else styles)
        self.stored_side = math.ceil(self.size * MAX_SCALE)
        self._photo = functools.lru_cache(maxsize=max(1, int(cache)))(self._decode)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.photos]

    def _decode(self, index: int) -> np.ndarray:
        name, source = self.photos[index]
        if callable(source):
            source = source()
        return _load_photo(source, self.stored_side, name)

    def photo(self, index: int) -> np.ndarray:
        """Photo ``index`` at its training scale: uint8 [H, W, 3], shorter side ceil(1.5 size)."""
        return self._photo(index)

    def batch_at(self, step: int) -> tuple[np.ndarray, np.ndarray | None]:
        """(images [B, size, size, 3] float32 in [0, 1], labels [B] int32 or None) of ``step``."""
        rng = np.random.default_rng([self.seed, int(step)])
        which = rng.integers(len(self.photos), size=self.batch)
        scales = rng.uniform(1.0, MAX_SCALE, size=self.batch)
        corners = rng.random((self.batch, 2))
        flips = rng.random(self.batch) < 0.5
        labels = None
        if self.styles is not None:
            labels = self.styles[rng.integers(len(self.styles), size=self.batch)].astype(np.int32)
        crops = np.empty((self.batch, self.size, self.size, 3), np.float32)
        for i in range(self.batch):
            crops[i] = self._crop(self.photo(int(which[i])), scales[i], corners[i], flips[i])
        return crops, labels

    def _crop(self, photo: np.ndarray, scale: float, corner: np.ndarray, flip: bool):
        # Scaling the photo to shorter side size * scale and cropping size x size is cropping a
        # square of side (stored side) / scale of the stored photo and resizing it to size.
        height, width = photo.shape[:2]
        side = min(height, width, max(self.size, round(self.stored_side / scale)))
        top = int(corner[0] * (height - side + 1))
        left = int(corner[1] * (width - side + 1))
        region = Image.fromarray(photo[top : top + side, left : left + side])
        if side != self.size:
            region = region.resize(
                (self.size, self.size), Image.Resampling.BILINEAR, reducing_gap=None
            )
        crop = np.asarray(region, np.float32) / 255.0
        return crop[:, ::-1] if flip else crop

    def batches(self, start: int, stop: int) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        for step in range(start, stop):
            yield self.batch_at(step)

    def dataset(self, start: int, stop: int, prefetch: int = 2):
        """Batches ``start`` .. ``stop - 1`` as a ``tf.data.Dataset`` of (images, labels)."""
        import tensorflow as tf

        def generate():
            for images, labels in self.batches(start, stop):
                yield images, (np.zeros(self.batch, np.int32) if labels is None else labels)

        signature = (
            tf.TensorSpec((self.batch, self.size, self.size, 3), tf.float32),
            tf.TensorSpec((self.batch,), tf.int32),
        )
        dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
        return dataset.prefetch(prefetch)
