"""The loss of one scale: fixed targets from the content and style images, a compiled gradient.

objective = Objective.from_images(config, content, style)     # images [1, H, W, 3] in [0, 1]
terms = objective.terms(pastiche)                            # {'content', 'style', 'tv', 'total'}
terms, gradient = objective.value_and_gradient(pastiche)     # compiled; gradient [1, H, W, 3]
placed = Objective(config, features, content, [a, b], (1, 1), masks=regions)  # [2, H, W] masks
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from stlib import losses
from stlib import masks as masks_module
from stlib.gatys.config import GatysConfig
from stlib.vgg import VGGFeatures

__all__ = [
    "Objective",
    "blended_grams",
    "feature_extractor",
    "region_grams",
    "style_layer_factors",
]


def feature_extractor(
    config: GatysConfig, weights="imagenet", precision: str | None = None
) -> VGGFeatures:
    """One VGG19 extractor for all the layers of ``config`` (truncated after the deepest).

    ``precision`` overrides ``config.precision`` ("float32" or "bfloat16"). Equal settings give
    the same extractor (kept per process), so that runs of equal settings share compiled code.
    """
    return _extractor(
        tuple(dict.fromkeys([*config.content_layers, *config.style_layers])),
        config.pooling,
        weights,
        precision or config.precision,
        config.normalized_vgg,
    )


def _extractor(layers, pooling, weights, precision, normalized) -> VGGFeatures:
    try:
        return _kept_extractor(layers, pooling, weights, precision, normalized)
    except TypeError:  # weights that cannot be a key (not a name, path or None): a new one
        return VGGFeatures(
            layers, pooling=pooling, weights=weights, precision=precision, normalized=normalized
        )


@functools.lru_cache(maxsize=8)
def _kept_extractor(layers, pooling, weights, precision, normalized) -> VGGFeatures:
    return VGGFeatures(
        layers, pooling=pooling, weights=weights, precision=precision, normalized=normalized
    )


def blended_grams(
    features: VGGFeatures, styles: Sequence[tf.Tensor], weights: Sequence[float], layers
) -> dict[str, tf.Tensor]:
    """{layer: [1, N, N]}: the weighted mean of the style images' Gram matrices (style blending)."""
    total = float(sum(weights))
    grams = {name: 0.0 for name in layers}
    for style, weight in zip(styles, weights):
        maps = features(style)
        for name in layers:
            grams[name] = grams[name] + (weight / total) * losses.gram_matrix(maps[name])
    return grams


def region_grams(
    features: VGGFeatures, styles: Sequence[tf.Tensor], layers
) -> dict[str, tf.Tensor]:
    """{layer: [R, N, N]}: each style image's own Gram matrix, one per region (spatial control)."""
    per_style = [features(style) for style in styles]
    return {
        name: tf.concat([losses.gram_matrix(maps[name]) for maps in per_style], axis=0)
        for name in layers
    }


def style_layer_factors(config: GatysConfig) -> dict[str, float]:
    """{style layer: beta * w_l}: the factor in front of each layer's error E_l in the loss.

    Taught in notebook 04, Exercise 2.
    """
    return {name: config.style_weight * w for name, w in config.style_layers.items()}


def weighted_terms(
    features: VGGFeatures,
    image: tf.Tensor,
    arguments: dict,
    content_reduction: str,
    tv_kind: str | None,
) -> dict[str, tf.Tensor]:
    """{'content', 'style', 'tv', 'total'} of ``image`` [1, H, W, 3]: Gatys' loss, each term
    weighted. ``arguments`` holds the targets and weights (``Objective.arguments``); ``tv_kind``
    None leaves total variation out."""
    maps = features(image)
    zero = tf.constant(0.0)
    content = zero
    # Layers in name order: a compiled function receives its dicts sorted by key, so the eager
    # and the compiled sums add in the same order.
    for name, weight in sorted(arguments["content_weights"].items()):
        loss = losses.content_loss(
            maps[name], arguments["content_targets"][name], content_reduction
        )
        content = content + weight * loss
    style_weights = dict(sorted(arguments["style_weights"].items()))
    if not style_weights:
        style = zero
    elif "style_masks" in arguments:  # spatial control: each region matched to its painting
        style = losses.guided_style_loss(
            maps,
            arguments["style_targets"],
            style_weights,
            arguments["style_masks"],
            arguments["region_shares"],
        )
    else:
        style = losses.style_loss(maps, arguments["style_targets"], style_weights)
    tv = arguments["tv_weight"] * losses.total_variation(image, tv_kind) if tv_kind else zero
    return {"content": content, "style": style, "tv": tv, "total": content + style + tv}


@functools.lru_cache(maxsize=16)
def _program(features, content_reduction, tv_kind, jit_compile):
    """(image, arguments) -> (terms, gradient), compiled, for one extractor and loss shape (the
    layers are the extractor's and the arguments' keys: not a key of their own here)."""

    def terms_and_gradient(image, arguments):
        with tf.GradientTape() as tape:
            tape.watch(image)
            terms = weighted_terms(features, image, arguments, content_reduction, tv_kind)
        return terms, tape.gradient(terms["total"], image)

    return tf.function(terms_and_gradient, jit_compile=jit_compile)


class Objective:
    """L(x) for fixed targets.

    ``terms(x)`` returns the weighted terms, ``value_and_gradient`` compiles.

    content: [1, H, W, 3]; styles: a list of [1, h_i, w_i, 3]; the pastiche x is [1, H, W, 3].
    ``masks`` [R, H, W] (one region per style image, a partition of the content's pixels, as
    ``stlib.masks.resolve`` makes them) places the styles instead of blending them: region r's
    guided Gram matrices are matched to style r's (Gatys et al. 2017, section 4), and
    ``blend_weights`` are not used. The masks reach each style layer's grid by area
    (``stlib.masks.at_resolution``): a feature on a seam sees both regions and counts for both in
    proportion, and the loss needs one VGG pass per step whatever the number of regions.

    Taught in notebook 03, section 1.
    """

    def __init__(
        self,
        config: GatysConfig,
        features: VGGFeatures,
        content: tf.Tensor,
        styles: Sequence[tf.Tensor],
        blend_weights: Sequence[float],
        masks: Any = None,
    ) -> None:
        self.config = config
        self.features = features
        self.masks = None if masks is None else tf.convert_to_tensor(masks, tf.float32)
        if self.masks is not None and self.masks.shape != (len(styles), *content.shape[1:3]):
            raise ValueError(
                f"masks of shape {tuple(self.masks.shape)} for {len(styles)} style images and a "
                f"content of {tuple(content.shape[1:3])}: one [H, W] mask per style image"
            )
        # to rebuild in float32
        self._images = (content, list(styles), tuple(blend_weights), self.masks)
        content_maps = features(content) if config.content_layers or masks is not None else {}
        self.content_targets = {name: content_maps[name] for name in config.content_layers}
        if self.masks is None:
            self.style_targets = blended_grams(features, styles, blend_weights, config.style_layers)
        else:
            self.style_targets = region_grams(features, styles, config.style_layers)
        self.style_layer_weights = style_layer_factors(config)
        # The compiled form: one function of (image, arguments) per extractor and loss shape,
        # the targets and weights passed in as tensors, so that runs of equal settings and size
        # share one trace (tracing VGG19 costs seconds, more than a short run's steps).
        self.program = _program(
            features,
            config.content_reduction,
            config.tv_kind if config.tv_weight else None,
            config.jit_compile,
        )
        constant = lambda value: tf.constant(value, tf.float32)  # noqa: E731
        self.arguments = {
            "content_targets": self.content_targets,
            "style_targets": self.style_targets,
            "content_weights": {
                name: constant(config.content_weight * w)
                for name, w in config.content_layers.items()
            },
            "style_weights": {name: constant(w) for name, w in self.style_layer_weights.items()},
            "tv_weight": constant(config.tv_weight),
        }
        if self.masks is not None:
            # Each layer's grid is the content's feature map's (the pastiche has its size).
            self.arguments["style_masks"] = {
                name: masks_module.at_resolution(self.masks, *content_maps[name].shape[1:3])
                for name in config.style_layers
            }
            shares = tf.reduce_mean(self.masks, axis=[1, 2])
            self.arguments["region_shares"] = shares / tf.reduce_sum(shares)

    def value_and_gradient(self, image: tf.Tensor) -> tuple[dict[str, tf.Tensor], tf.Tensor]:
        """``terms_and_gradient`` compiled (shared by objectives of equal settings and size)."""
        return self.program(image, self.arguments)

    @classmethod
    def from_images(
        cls,
        config: GatysConfig,
        content: Any,
        style: Any | Sequence[Any],
        blend: Sequence[float] | None = None,
        weights: Any = "imagenet",
        masks: Any = None,
    ) -> Objective:
        """The objective of ``config`` for these images, with its own VGG19 extractor.

        content: [1, H, W, 3] in [0, 1] (or anything ``stlib.inputs.load`` reads); style: one
        image or a list; blend: one weight per style image (equal if None); masks: one per style
        image, in any form ``stlib.masks.resolve`` reads (spatial control). The images are used
        at the size given: ``transfer`` resizes them, this does not.
        """
        from stlib.inputs import load

        styles = list(style) if isinstance(style, (list, tuple)) else [style]
        content = load(content, role="content")
        styles = [load(s, role=f"style {i + 1}") for i, s in enumerate(styles)]
        blend = (1.0,) * len(styles) if blend is None else tuple(blend)
        if masks is not None:
            height, width = (int(n) for n in content.shape[1:3])
            masks = masks_module.resolve(masks, len(styles), height, width, photo=content)
        return cls(config, feature_extractor(config, weights), content, styles, blend, masks)

    @property
    def precision(self) -> str:
        return self.features.precision

    def in_float32(self) -> Objective:
        """The same objective with a float32 network (targets recomputed in float32)."""
        if self.precision == "float32":
            return self
        features = self.features
        same = (features.requested, features.pooling, features.weights, "float32")
        content, styles, blend, masks = self._images
        network = _extractor(*same, features.normalized)
        return Objective(self.config, network, content, styles, blend, masks)

    def terms(self, image: tf.Tensor) -> dict[str, tf.Tensor]:
        """{'content', 'style', 'tv', 'total'}: scalar tensors, each already weighted."""
        config = self.config
        return weighted_terms(
            self.features,
            image,
            self.arguments,
            config.content_reduction,
            config.tv_kind if config.tv_weight else None,
        )

    def style_layer_terms(self, image: tf.Tensor) -> dict[str, float]:
        """{style layer: beta * w_l * E_l(image)}: what each layer adds to the style term.

        Their shares show which layers really drive the style (notebook 03, section 1): with
        Keras' unnormalised VGG19 the deep layers' large activations dominate at equal w_l.
        """
        maps = self.features(image)
        if self.masks is not None:  # spatial control: each layer's guided term
            masks, shares = self.arguments["style_masks"], self.arguments["region_shares"]
            return {
                name: float(
                    losses.guided_style_loss(maps, self.style_targets, {name: w}, masks, shares)
                )
                for name, w in self.style_layer_weights.items()
            }
        return {
            name: float(
                weight
                * losses.style_layer_loss(losses.gram_matrix(maps[name]), self.style_targets[name])
            )
            for name, weight in self.style_layer_weights.items()
        }

    def terms_and_gradient(self, image: tf.Tensor) -> tuple[dict[str, tf.Tensor], tf.Tensor]:
        """The weighted terms at ``image`` [1, H, W, 3] and the gradient of their total, same shape.

        Plain TensorFlow: call it inside your own ``tf.function`` (the Adam step does);
        ``value_and_gradient`` is this function compiled.
        """
        with tf.GradientTape() as tape:
            tape.watch(image)
            terms = self.terms(image)
        return terms, tape.gradient(terms["total"], image)


def finish_in_float32(run, objective: Objective, image: tf.Tensor, steps: int, progress):
    """Both L-BFGS routes' precision rule: ``steps`` iterations of ``run``, in float32 at the end.

    ``run(objective, image, steps, carried) -> (image, stopped, taken, carried)`` is one route's
    loop (``carried``: what it may keep between its two runs, None at first). A bfloat16 network's
    rounding ends the line search early (``taken < steps`` without a stop from a callback); the
    remaining steps then run with the float32 network, after ``progress.switched_to_float32()``.
    Returns (image, stopped).
    """
    image, stopped, taken, carried = run(objective, image, steps, None)
    if not stopped and taken < steps and objective.precision != "float32":
        progress.switched_to_float32()
        image, stopped, _, _ = run(objective.in_float32(), image, steps - taken, carried)
    return image, stopped
