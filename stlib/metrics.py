r"""How good is a pastiche? Five measurements, and what each can and cannot tell.

Every function takes images as everywhere in stlib (paths, sample names, arrays, PIL images,
tensors [1, H, W, 3] in [0, 1]) and returns plain floats. The pastiche is resized to its
reference's size first where a measurement compares positions (content distance, SSIM, PSNR).

* :func:`style_distance` - how far the pastiche's textures are from the painting's, per VGG19 layer:
  the relative Frobenius distance of Gram matrices :math:`\|G(x) - G(s)\|_F / \|G(s)\|_F`. Grams
  are means over positions (``stlib.losses.gram_matrix``), so a 256-px pastiche and a 1024-px
  painting compare; dividing by the painting's own Gram puts every layer on one scale (0: the
  same statistics; 1: as far as a Gram matrix of zeros, a picture without any features). This is
  Gatys et al.'s style loss made comparable, so a method that minimises it (Gatys) is favoured
  by it: *a lower Gram distance is not a better picture*. It ignores where things are, so a
  texture without the photo scores well.
* :func:`content_distance` - how much of the photo's structure survives, as VGG19 sees it: the
  relative distance of one layer's features (``block4_conv2``, the paper's content layer). It
  ignores colour and texture, and the photo itself scores 0 while being no pastiche at all.
* :func:`ssim` - structural similarity (Wang et al. 2004) with the photo: local means, contrasts
  and correlations in 11x11 Gaussian windows; 1 is identical. Style transfer *should* lower it;
  it tells how much of the photo's edges survive, not whether the result looks painted.
* :func:`psnr` - peak signal-to-noise ratio in dB against a reference: a pixel-wise yardstick,
  useful to compare two implementations of one method (import checks, precision), meaningless
  between a photo and its pastiche.
* :func:`color_distance` - how far the colour distributions are: the mean over R, G, B of the
  1-D Wasserstein (earth mover's) distance between the two images' channel histograms, in units
  of the [0, 1] range. It tells whether the palette moved toward the painting (or stayed with the
  photo when colours are preserved); it ignores where the colours are.

Read every distance against :func:`baselines`, images that are no pastiche at all: a flat grey
image scores about 1 on both the style and the content distance, uniform noise more than 1, and a
picture of other things (the painting itself, say) can be further from the photo in content
distance than grey is. A pastiche's distances mean something only beside these.

What stlib does not implement, because it needs networks trained for it: **ArtFID** (Wright &
Ommer, GCPR 2022: FID between pastiches and paintings with an Inception network fine-tuned on
art, times a content distance, over thousands of images), the **deception rate** (Sanakoyeu et al.,
ECCV 2018: how often an artist classifier trained on WikiArt attributes the pastiche to the
painter) and user studies. None of the five numbers here replaces looking at the pictures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from stlib import data, images, losses
from stlib.vgg import VGGFeatures

__all__ = [
    "CONTENT_LAYER",
    "STYLE_LAYERS",
    "baselines",
    "color_distance",
    "content_distance",
    "measuring_network",
    "psnr",
    "ssim",
    "style_distance",
    "summary",
]

CONTENT_LAYER = "block4_conv2"  # Gatys et al. 2016's content layer
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")

_networks: dict[tuple, VGGFeatures] = {}


def measuring_network(layers: Sequence[str] = (*STYLE_LAYERS, CONTENT_LAYER)) -> VGGFeatures:
    """The VGG19 extractor (max pooling, ImageNet weights) the distances use, built once."""
    key = tuple(layers)
    if key not in _networks:
        _networks[key] = VGGFeatures(key, pooling="max")
    return _networks[key]


def _image(source: Any, role: str) -> tf.Tensor:
    """Any image stlib accepts -> float32 [1, H, W, 3] in [0, 1]; errors name the ``role``."""
    if isinstance(source, str):
        source = data.resolve(source)
    try:
        return images.load(source)
    except images.ImageError as error:
        raise images.ImageError(f"{role}: {error}") from None


def _like(image: Any, reference: tf.Tensor, role: str) -> tf.Tensor:
    """``image`` loaded and resized to the reference's height and width."""
    return images.resize_to(_image(image, role), int(reference.shape[1]), int(reference.shape[2]))


def style_distance(
    image: Any,
    style_or_styles: Any,
    *,
    mix: Sequence[float] | None = None,
    layers: Sequence[str] = STYLE_LAYERS,
    network: VGGFeatures | None = None,
) -> dict[str, float]:
    """Relative Gram distance per layer, and their mean under ``"mean"``.

    Args:
        image: the pastiche.
        style_or_styles: the painting, or a list of paintings whose Grams are mixed by
            ``mix`` (divided by their sum; None: equal), as a mixed style is defined.
        layers: the VGG19 layers (default: the paper's five).
        network: a :func:`measuring_network` that computes at least ``layers``.

    Returns:
        ``{layer: ||G(image) - G(style)||_F / ||G(style)||_F, ..., "mean": mean over layers}``.
    """
    styles = (
        list(style_or_styles) if isinstance(style_or_styles, (list, tuple)) else [style_or_styles]
    )
    proportions = np.ones(len(styles)) if mix is None else np.asarray(mix, np.float64)
    if proportions.shape != (len(styles),) or (proportions < 0).any() or not proportions.sum() > 0:
        raise ValueError(f"mix {mix!r}: give {len(styles)} weights >= 0 with a positive sum")
    proportions = proportions / proportions.sum()
    network = network or measuring_network((*layers,))
    pastiche = network(_image(image, "image"))
    targets = [network(_image(s, f"style {k + 1}")) for k, s in enumerate(styles)]
    result = {}
    for layer in layers:
        gram = losses.gram_matrix(pastiche[layer])[0]
        target = sum(w * losses.gram_matrix(t[layer])[0] for w, t in zip(proportions, targets))
        result[layer] = float(tf.norm(gram - target) / tf.norm(target))
    result["mean"] = float(np.mean([result[layer] for layer in layers]))
    return result


def content_distance(
    image: Any,
    content: Any,
    *,
    layer: str = CONTENT_LAYER,
    network: VGGFeatures | None = None,
) -> float:
    """Relative feature distance ``||F(image) - F(content)|| / ||F(content)||`` on one layer;
    the image is resized to the content's size first."""
    photo = _image(content, "content")
    pastiche = _like(image, photo, "image")
    network = network or measuring_network((layer,))
    a, b = network(pastiche)[layer], network(photo)[layer]
    return float(tf.norm(a - b) / tf.norm(b))


def ssim(image: Any, reference: Any) -> float:
    """Mean structural similarity over the three channels (``tf.image.ssim``: 11x11 Gaussian
    window, sigma 1.5, K1 0.01, K2 0.03, range 1), in [-1, 1]; 1 for identical images. Both
    sides need at least 11 px."""
    target = _image(reference, "reference")
    pastiche = _like(image, target, "image")
    return float(tf.image.ssim(pastiche, target, max_val=1.0)[0])


def psnr(image: Any, reference: Any) -> float:
    """Peak signal-to-noise ratio in dB, ``10 log10(1 / MSE)`` for values in [0, 1]; inf for
    identical images."""
    target = _image(reference, "reference")
    pastiche = _like(image, target, "image")
    mse = float(
        tf.reduce_mean(tf.square(tf.cast(pastiche, tf.float64) - tf.cast(target, tf.float64)))
    )
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def _channel_quantiles(image: tf.Tensor, count: int) -> np.ndarray:
    """[count, 3]: each channel's values at ``count`` evenly spaced quantile levels."""
    pixels = np.asarray(image, np.float64).reshape(-1, 3)
    levels = (np.arange(count) + 0.5) / count
    return np.quantile(pixels, levels, axis=0)


def color_distance(image: Any, reference: Any, *, levels: int = 1024) -> float:
    """Mean over R, G, B of the 1-D Wasserstein-1 distance between the two images' channel
    distributions, in [0, 1]; sizes may differ (distributions, not positions, are compared).

    W1 between two distributions on a line is the mean absolute difference of their quantile
    functions; ``levels`` evenly spaced quantiles approximate it."""
    a = _channel_quantiles(_image(image, "image"), levels)
    b = _channel_quantiles(_image(reference, "reference"), levels)
    return float(np.abs(a - b).mean())


def baselines(like: Any, *, seed: int = 0) -> dict[str, tf.Tensor]:
    """Two images that are no pastiche, the size of ``like`` ([1, H, W, 3] float32 in [0, 1]),
    to read the distances against: ``"grey"``, every value 0.5, and ``"noise"``, every value
    uniform in [0, 1) and independent, from ``numpy.random.default_rng(seed)`` (the same seed
    gives the same image).

    >>> made = baselines(np.zeros((1, 32, 48, 3), np.float32), seed=1)
    >>> sorted(made), tuple(made["noise"].shape), float(made["grey"][0, 0, 0, 0])
    (['grey', 'noise'], (1, 32, 48, 3), 0.5)
    """
    height, width = _image(like, "like").shape[1:3]
    rng = np.random.default_rng(seed)
    return {
        "grey": tf.fill((1, height, width, 3), tf.constant(0.5, tf.float32)),
        "noise": tf.constant(rng.random((1, height, width, 3), dtype=np.float32)),
    }


def summary(
    image: Any, content: Any, style_or_styles: Any, **style_options: Mapping[str, Any]
) -> dict[str, float]:
    """All five for one pastiche: style (mean), content, SSIM and PSNR against the photo, and the
    colour distance to the painting (the first painting when several are mixed)."""
    styles = style_or_styles if isinstance(style_or_styles, (list, tuple)) else [style_or_styles]
    return {
        "style_distance": style_distance(image, style_or_styles, **style_options)["mean"],
        "content_distance": content_distance(image, content),
        "ssim": ssim(image, content),
        "psnr": psnr(image, content),
        "color_distance": color_distance(image, styles[0]),
    }
