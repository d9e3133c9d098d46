"""How far pastiches are from their photo and their painting, measured alike for every method.

Two pastiches made by different methods (the arbitrary network, Gatys' optimisation) are compared
with Gatys et al.'s own yardsticks, computed by ``stlib.gatys.Objective`` with unit weights:

- content distance: the mean squared difference of VGG19 ``block4_conv2`` features between the
  pastiche and the photo (0 for the photo itself);
- style distance: the mean over ``block1_conv1`` ... ``block5_conv1`` of the mean squared difference
  of Gram matrices between the pastiche and the painting(s) (blended as in ``transfer``).

Both are taken at one size for every image (the photo's), with the painting at ``style_scale``
times that size, so the numbers of different methods are comparable; they are not the weighted
loss a run reports. Lower is closer. (The report's ``stlib.metrics`` adds SSIM and colour
distances.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stlib import images
from stlib.gatys.config import GatysConfig
from stlib.gatys.inputs import as_image, scaled
from stlib.gatys.objective import Objective, feature_extractor
from stlib.vgg import VGGFeatures

__all__ = ["MEASURE", "distances", "measuring_network"]

# The stlib preset's layers and pooling with unit weights: each term is the plain distance.
MEASURE = GatysConfig(content_weight=1.0, style_weight=1.0, tv_weight=0.0, size=None, preset=None)


def measuring_network(config: GatysConfig = MEASURE, weights: Any = "imagenet") -> VGGFeatures:
    """The VGG19 extractor ``distances`` uses; build it once and pass it to every call."""
    return feature_extractor(config, weights)


def distances(
    content: Any,
    style: Any | Sequence[Any],
    pastiches: Mapping[str, Any],
    *,
    blend: Sequence[float] | None = None,
    config: GatysConfig = MEASURE,
    features: VGGFeatures | None = None,
) -> dict[str, dict[str, float]]:
    """``{name: {"content": d_c, "style": d_s}}`` for each pastiche.

    Args:
        content: the photo [1, H, W, 3] (or anything ``stlib.gatys.as_image`` reads), at the size
            to measure at; each pastiche is resized to H x W first (Lanczos-3).
        style: the painting, or a list of them mixed with ``blend`` (equal if None).
        pastiches: the images to measure, by name; the photo itself may be one (content 0).
        config: which layers and pooling measure (``MEASURE``: the paper's layers).
        features: a network from ``measuring_network(config)``, to build it only once.
    """
    content = as_image(content, role="content")
    sources = list(style) if isinstance(style, (list, tuple)) else [style]
    styles = [as_image(s, role=f"style {i + 1} of {len(sources)}") for i, s in enumerate(sources)]
    blend = tuple(blend) if blend is not None else (1.0,) * len(styles)
    content, styles = scaled(config, 1.0, content, styles)  # the paintings at style_scale x size
    height, width = int(content.shape[1]), int(content.shape[2])
    objective = Objective(config, features or measuring_network(config), content, styles, blend)
    measured = {}
    for name, pastiche in pastiches.items():
        image = images.resize_to(as_image(pastiche, role=name), height, width)
        terms = objective.terms(image)
        measured[name] = {"content": float(terms["content"]), "style": float(terms["style"])}
    return measured
