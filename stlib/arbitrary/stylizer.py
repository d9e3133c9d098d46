"""What every feed-forward stylizer offers: ``embed``, ``transform``, ``stylize``.

A feed-forward network paints a photo in one pass. Two kinds share this interface:

- :class:`EmbeddingStylizer`: a style is a vector of numbers (an *embedding*) that sets the
  transformer's normalisation parameters. Mixing styles and weakening a style happen on those
  vectors: ``mixed = sum_i w_i e_i`` and ``(1 - strength) * e_content + strength * mixed``, where
  ``e_content`` is the photo's own embedding (Ghiasi et al. 2017, "identity interpolation").
  The TFLite backend is one (100 numbers per style, from the style prediction network); Dumoulin et
  al.'s multi-style network fits the same mould, its embedding being the weights over its N
  trained styles (conditional instance normalisation mixes their scales and shifts).
- :class:`PixelStylizer`: only ``pastiche = m(content, style)`` is available (the TF Hub model);
  mixing and strength blend the painted pixels, and there is no embedding to return.

``stylize`` is written once, here: load the images, check the settings (``ArbitraryConfig``),
prepare the colours (``stlib.color``), let the subclass paint (at ``compute_size`` and upsampled
back, when one is set), put the colours back. With ``masks`` (``stlib.arbitrary.spatial``) each
painting is placed in its region instead: one pastiche per painting, blended by the feathered masks.
Images are float32 tensors [1, H, W, 3] in [0, 1]; embeddings float32 numpy vectors [D].
"""

from __future__ import annotations

import abc
import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from stlib import color, images
from stlib.arbitrary import inputs, spatial
from stlib.arbitrary.config import DEFAULT_STYLE_SIZE, ArbitraryConfig
from stlib.inputs import load_content, style_list, style_roles
from stlib.validation import SettingError

__all__ = [
    "EmbeddingStylizer",
    "EmbeddingsUnavailableError",
    "PixelStylizer",
    "Styles",
    "Stylizer",
]


# Style images (with their embeddings) kept per stylizer: a course's paintings, a folder's few.
STYLE_CACHE_SIZE = 32


def _file_key(source: Any, size: int) -> tuple | None:
    """(path, mtime, bytes, size) for a style that is a file or a sample name; else None."""
    if not isinstance(source, (str, os.PathLike)):
        return None
    try:
        from stlib import data  # sample names -> local paths (no TensorFlow)

        path = os.path.realpath(data.resolve(os.fspath(source)))
        facts = os.stat(path)
    except (OSError, ValueError, TypeError):  # a URL, an unknown name: loaded (and named) as usual
        return None
    return (path, facts.st_mtime_ns, facts.st_size, size)


class EmbeddingsUnavailableError(NotImplementedError):
    """The stylizer has no style embedding to give or take (the TF Hub model)."""


@dataclass(frozen=True, eq=False)
class Styles:
    """Style images prepared once, to paint many photos with (a folder, a slider in the app).

    ``images``: each float32 [1, s, s, 3], the centred square resized to ``style_size``;
    ``roles``: how errors name them; ``embeddings``: one float32 [D] each, computed by
    ``made_by`` (None for a stylizer without embeddings).
    """

    images: tuple[tf.Tensor, ...]
    roles: tuple[str, ...]
    style_size: int
    embeddings: tuple[np.ndarray, ...] | None = None
    made_by: object = None

    def __len__(self) -> int:
        return len(self.images)

    def one(self, index: int) -> Styles:
        """The ``index``-th style alone (its image, role and embedding), as a ``Styles`` of one."""
        pick = slice(index, index + 1)
        embeddings = None if self.embeddings is None else self.embeddings[pick]
        return Styles(
            self.images[pick], self.roles[pick], self.style_size, embeddings, self.made_by
        )


class Stylizer(abc.ABC):
    """A loaded feed-forward stylizer: the common interface of every backend.

    Subclasses set ``backend`` and ``transformer`` and implement ``embed``, ``transform`` and
    ``_paint``; ``stylize`` and ``prepare`` come from here.
    """

    backend: str = ""
    transformer: str = "dynamic"

    @abc.abstractmethod
    def embed(self, style: Any, *, style_size: int = DEFAULT_STYLE_SIZE) -> np.ndarray:
        """A style image's embedding: float32 [D]."""

    @abc.abstractmethod
    def transform(self, content: Any, embedding: Any) -> tf.Tensor:
        """Paint ``content`` with ``embedding``: float32 [1, H, W, 3] in [0, 1], content's size."""

    @abc.abstractmethod
    def _paint(
        self,
        content: tf.Tensor,
        styles: Styles,
        weights: Sequence[float],
        strength: float,
    ) -> tf.Tensor:
        """The pastiche of [1, H, W, 3] ``content`` in the mixed ``styles``, [1, H, W, 3]."""

    def _paint_each(self, content: tf.Tensor, styles: Styles, strength: float) -> list[tf.Tensor]:
        """One pastiche of [1, H, W, 3] ``content`` per style, each alone at full weight (the
        regions of a masked pastiche): R tensors [1, H, W, 3]."""
        return [self._paint(content, styles.one(r), (1.0,), strength) for r in range(len(styles))]

    def _embeddings(self, style_images: Sequence[tf.Tensor]) -> tuple[np.ndarray, ...] | None:
        """The embedding of each prepared [1, s, s, 3] style image (None: no embeddings here)."""
        return None

    def prepare(self, style_or_styles: Any, *, style_size: int = DEFAULT_STYLE_SIZE) -> Styles:
        """Load the style image(s) once (and embed them, where the stylizer can).

        Pass the result to ``stylize`` in place of the images to paint many photos with one style.
        """
        size = ArbitraryConfig(style_size=style_size).style_size  # checked
        sources = style_list(style_or_styles)
        if not sources:
            raise SettingError(
                {"style": style_or_styles}, "no style image given; pass at least one"
            )
        roles = style_roles(sources)
        prepared = [self._prepared(source, size, role) for source, role in zip(sources, roles)]
        loaded = tuple(image for image, _ in prepared)
        embeddings = tuple(embedding for _, embedding in prepared)
        return Styles(
            loaded,
            tuple(roles),
            size,
            None if any(e is None for e in embeddings) else embeddings,
            self,
        )

    def _prepared(self, source: Any, size: int, role: str) -> tuple[tf.Tensor, np.ndarray | None]:
        """One style image at ``size`` and its embedding, decoded and embedded once per file.

        A file (or sample name) is kept by its path, modification time and byte count, so a
        painting edited on disk is read again; arrays, tensors and URLs are not kept.
        """
        key = _file_key(source, size)
        cache = self.__dict__.setdefault("_style_cache", OrderedDict())
        if key is not None and key in cache:
            cache.move_to_end(key)
            return cache[key]
        image = inputs.load_style(source, size, role)
        embeddings = self._embeddings((image,))
        prepared = (image, None if embeddings is None else embeddings[0])
        if key is not None:
            cache[key] = prepared
            while len(cache) > STYLE_CACHE_SIZE:
                cache.popitem(last=False)  # the least recently used
        return prepared

    def stylize(
        self,
        content: Any,
        style_or_styles: Any,
        *,
        mix: Sequence[float] | None = None,
        strength: float = 1.0,
        size: int | None = None,
        style_size: int = DEFAULT_STYLE_SIZE,
        preserve_color: str | None = None,
        compute_size: int | None = None,
        masks: Any = None,
    ) -> tf.Tensor:
        """The pastiche: float32 [1, H, W, 3] in [0, 1] at the content's size (or ``size``).

        Args:
            content: the photo: a path, an http(s) URL, a sample name, an array, a PIL image
                or a [1, H, W, 3] tensor.
            style_or_styles: one style image or a list of them (same forms), or a
                :class:`Styles` from :meth:`prepare` (which keeps its own ``style_size``).
            mix: one weight per style, finite, >= 0, positive sum (None: equal).
            strength: 0 (the photo redrawn) to 1 (the full style).
            size: the output's longest side in px (None: the content's own size).
            style_size: the side of the square the style network sees.
            preserve_color: None, ``"luminance"`` or ``"histogram"``.
            compute_size: None (paint at full resolution), or the longest side in px the
                content is painted at before the pastiche is upsampled (Lanczos-3) to H x W;
                at or above the output's longest side it changes nothing.
            masks: None (the styles are mixed everywhere), or one mask per style
                (``stlib.masks.resolve``'s forms: files, arrays, "left"/"right"/"top"/"bottom",
                "rest", or "auto"): each style paints its own region (see :meth:`run`).

        Raises:
            SettingError: a setting out of range or the wrong number of weights, named; ``mix``
                with ``masks``.
            ImageError: an image that cannot be read, named by its role.
            MaskError: masks that cannot place the styles (``stlib.masks``), named.
        """
        config = ArbitraryConfig(
            backend=self.backend,
            transformer=self.transformer,
            mix=mix,
            strength=strength,
            size=size,
            style_size=style_size,
            preserve_color=preserve_color,
            compute_size=compute_size,
        )
        if masks is None:
            return self.run(config, content, style_or_styles)
        return self.run(config, content, style_or_styles, masks=masks)

    def run(
        self, config: ArbitraryConfig, content: Any, style_or_styles: Any, masks: Any = None
    ) -> tf.Tensor:
        """``stylize`` with the settings of ``config`` (its backend and transformer are not used:
        they chose this stylizer).

        ``masks`` None: the styles are mixed (``config.mix``) over the whole photo. Otherwise
        one mask per style, resolved by ``stlib.masks.resolve`` at the output's size H x W
        (``"auto"`` from the photo): [R, H, W] regions, feathered (``spatial.FEATHER``), and

            pastiche = sum_r feather(m)_r * pastiche_r

        where ``pastiche_r`` is the one-style pastiche of style r (with ``strength``,
        ``compute_size``, tiles, as alone); colours are put back after the blend.
        """
        prepared = isinstance(style_or_styles, Styles)
        count = len(style_or_styles) if prepared else len(style_list(style_or_styles))
        if masks is None:
            weights = config.mixing_weights(count) if count else ()  # before any image is read
        else:
            spatial.check(config, masks, count)  # mix refused, one mask per style
            weights = ()
        styles = (
            style_or_styles
            if prepared
            else self.prepare(style_or_styles, style_size=config.style_size)
        )
        image = load_content(content, config.size)
        original = image
        if config.preserve_color is not None:
            # Recoloured (or gray) styles are embedded again: their embedding is another one.
            image, changed = color.prepare(config.preserve_color, image, styles.images)
            styles = Styles(
                tuple(changed), styles.roles, styles.style_size, self._embeddings(changed)
            )
        elif styles.made_by is not self:
            styles = Styles(
                styles.images,
                styles.roles,
                styles.style_size,
                self._embeddings(styles.images),
                self,
            )
        # [1, H, W, 3] -> [1, h, w, 3] with h, w at most compute_size (the same tensor if None).
        small = inputs.at_compute_size(image, config.compute_size)
        height, width = int(image.shape[1]), int(image.shape[2])
        if masks is None:
            pastiche = self._paint(small, styles, weights, config.strength)
            if small is not image:
                pastiche = images.resize_to(pastiche, height, width)
        else:
            regions = spatial.region_weights(masks, len(styles), original)  # [R, H, W]
            painted = self._paint_each(small, styles, config.strength)
            if small is not image:  # blended at the output's size, where the masks are
                painted = [images.resize_to(p, height, width) for p in painted]
            pastiche = spatial.blend(painted, regions)
        return color.finish(config.preserve_color, pastiche, original)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} backend={self.backend!r} transformer={self.transformer!r}>"


class EmbeddingStylizer(Stylizer):
    """A stylizer whose styles are embeddings: mixing and strength act on them.

    Subclasses implement ``_embed_image`` (a prepared [1, s, s, 3] style image -> [D]) and
    ``transform``.
    """

    @abc.abstractmethod
    def _embed_image(self, image: tf.Tensor) -> np.ndarray:
        """The embedding of a [1, s, s, 3] float32 image in [0, 1]: float32 [D]."""

    def embed(self, style: Any, *, style_size: int = DEFAULT_STYLE_SIZE) -> np.ndarray:
        """A style image's embedding, float32 [D].

        A square float32 array of ``style_size`` px ([s, s, 3] or [1, s, s, 3], in [0, 1]) goes to
        the network exactly as given; any other image (path, sample name, PIL, array) is
        centre-cropped to a square and resized to ``style_size``, as the network was trained.
        """
        size = ArbitraryConfig(style_size=style_size).style_size
        return self._embed_image(inputs.load_style(style, size))

    def _embeddings(self, style_images: Sequence[tf.Tensor]) -> tuple[np.ndarray, ...]:
        return tuple(self._embed_image(image) for image in style_images)

    def _paint_embedding(self, content: tf.Tensor, embedding: np.ndarray) -> tf.Tensor:
        """Paint an already loaded and checked [1, H, W, 3] ``content`` with a [D] embedding.

        ``transform`` by default; a subclass may skip loading and checking the content again.
        """
        return self.transform(content, embedding)

    def _paint(
        self, content: tf.Tensor, styles: Styles, weights: Sequence[float], strength: float
    ) -> tf.Tensor:
        embeddings = styles.embeddings or self._embeddings(styles.images)
        mixed = sum(w * e for w, e in zip(weights, embeddings) if w > 0)
        if strength < 1.0:
            # Identity interpolation: the photo's own embedding at strength 0. It is embedded as
            # a style image would be, so that both embeddings describe the same scale.
            own = self._embed_image(inputs.square(content, styles.style_size))
            mixed = (1.0 - strength) * own + strength * mixed
        return self._paint_embedding(content, np.asarray(mixed, np.float32))

    def _paint_each(self, content: tf.Tensor, styles: Styles, strength: float) -> list[tf.Tensor]:
        # One transformer pass per style's embedding; the photo's own embedding (strength < 1)
        # computed once for all of them.
        embeddings = styles.embeddings or self._embeddings(styles.images)
        own = None
        if strength < 1.0:
            own = self._embed_image(inputs.square(content, styles.style_size))
        painted = []
        for embedding in embeddings:
            mixed = embedding if own is None else (1.0 - strength) * own + strength * embedding
            painted.append(self._paint_embedding(content, np.asarray(mixed, np.float32)))
        return painted


class PixelStylizer(Stylizer):
    """A stylizer that only offers ``pastiche = m(content, style)``: mixing and strength blend
    pixels (``sum_i w_i m(content, style_i)``, then ``(1 - strength) * content + strength *
    pastiche``). Strength 0 is the photo itself, not the photo redrawn by the network.

    Subclasses implement ``_paint_one`` ([1, H, W, 3] content, [1, s, s, 3] style -> [1, H, W, 3]).
    """

    @abc.abstractmethod
    def _paint_one(self, content: tf.Tensor, style: tf.Tensor) -> tf.Tensor:
        """m(content, style): float32 [1, H, W, 3] in [0, 1] at the content's size."""

    def embed(self, style: Any, *, style_size: int = DEFAULT_STYLE_SIZE) -> np.ndarray:
        raise EmbeddingsUnavailableError(
            f"the {self.backend} backend has no style embedding (its model offers only "
            "stylized = m(content, style)); use stlib.arbitrary.load('tflite') for embeddings"
        )

    def transform(self, content: Any, embedding: Any) -> tf.Tensor:
        raise EmbeddingsUnavailableError(
            f"the {self.backend} backend cannot paint from an embedding (its model offers only "
            "stylized = m(content, style)); use stlib.arbitrary.load('tflite')"
        )

    def _paint(
        self, content: tf.Tensor, styles: Styles, weights: Sequence[float], strength: float
    ) -> tf.Tensor:
        if strength == 0.0:
            return content
        painted = [
            w * self._paint_one(content, image) for w, image in zip(weights, styles.images) if w > 0
        ]
        mixed = tf.add_n(painted)
        return tf.clip_by_value((1.0 - strength) * content + strength * mixed, 0.0, 1.0)
