"""The images of a style transfer: checked at every size, and the starting pastiche.

Loading and naming by role is every method's (``stlib.inputs``).

Everything here happens before the first optimisation step, so that a bad image fails in a
second with a message that names it ("style 2 of 3 ('wave.jpg')"), not minutes later with a
TensorFlow shape error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import tensorflow as tf

from stlib import color, images, vgg_layers
from stlib.gatys.config import GatysConfig
from stlib.inputs import load, load_content, style_list, style_roles
from stlib.validation import SettingError

__all__ = ["IMAGENET_MEAN_RGB", "Inputs", "initial_image", "load_inputs", "scaled"]

# ImageNet mean colour, RGB in [0, 1]: the centre of the noise initialisation.
IMAGENET_MEAN_RGB = np.array([123.68, 116.779, 103.939], dtype=np.float32) / 255.0


class Inputs(NamedTuple):
    """The images the loss is built from, after colour preservation has prepared them.

    ``content`` [1, H, W, 3] at the output size; ``styles`` a list of [1, h_i, w_i, 3] at their own
    size; ``blend`` one weight per style; ``original_content`` the content before colour
    preservation (the luminance mode optimises a gray image and puts the colours back after).
    """

    content: tf.Tensor
    styles: list[tf.Tensor]
    blend: tuple[float, ...]
    original_content: tf.Tensor

    def finish(self, pastiche: tf.Tensor, config: GatysConfig) -> tf.Tensor:
        """The optimised image as the user sees it: with the content's colours where asked."""
        return color.finish(config.preserve_color, pastiche, self.original_content)


def load_inputs(config: GatysConfig, content: Any, style: Any | Sequence[Any]) -> Inputs:
    """Load the content and style image(s), check them against ``config``, prepare the colours.

    Raises ``ImageError`` or ``SettingError`` naming the image by its role.
    """
    content_image = load_content(content, config.size)
    sources = style_list(style)
    if not sources and "style" in config.active_terms:
        raise SettingError({"style": style}, "no style image given; pass at least one")
    roles = style_roles(sources)
    styles = [load(source, role=role) for source, role in zip(sources, roles)]
    blend = config.mix or (1.0,) * len(styles)
    if len(blend) != len(styles):
        raise SettingError(
            {"mix": config.mix},
            f"gives {len(blend)} weights for {len(styles)} style images; give one per image",
        )
    check_sizes(config, content_image, styles, roles)

    painted, styles = color.prepare(config.preserve_color, content_image, styles)
    return Inputs(painted, styles, tuple(blend), content_image)


def scaled_shapes(
    config: GatysConfig, fraction: float, content: tf.Tensor, styles: list[tf.Tensor]
) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """(H, W) of the content and of each style image at one scale of the coarse-to-fine schedule."""
    height, width = (int(n) for n in content.shape[1:3])
    side = max(images.MIN_SIDE, round(fraction * max(height, width)))
    content_shape = images.longest_side_shape(height, width, side)
    style_side = max(images.MIN_SIDE, round(config.style_scale * side))
    style_shapes = [
        images.longest_side_shape(*(int(n) for n in s.shape[1:3]), style_side) for s in styles
    ]
    return content_shape, style_shapes


def scaled(
    config: GatysConfig, fraction: float, content: tf.Tensor, styles: list[tf.Tensor]
) -> tuple[tf.Tensor, list[tf.Tensor]]:
    """The content and style images resized for one scale (``fraction`` of the output size)."""
    content_shape, style_shapes = scaled_shapes(config, fraction, content, styles)
    content_s = images.resize_to(content, *content_shape)
    return content_s, [images.resize_to(s, *shape) for s, shape in zip(styles, style_shapes)]


def check_sizes(
    config: GatysConfig, content: tf.Tensor, styles: list[tf.Tensor], roles: list[str]
) -> None:
    """Every image at every size it will be used at is large enough for the layers asked for.

    A feature map behind k poolings is side // 2**k positions: a side below 2**k gives an empty
    map deep in VGG19, which TensorFlow reports only as a shape error far from the cause.
    """
    layers = [*config.content_layers, *config.style_layers]
    smallest = vgg_layers.min_input_side(layers)
    deepest = max(
        layers, key=lambda name: vgg_layers.DOWNSAMPLING[vgg_layers.canonical_layer(name)]
    )
    needs = (
        f"{deepest} lies behind {smallest.bit_length() - 1} poolings, "
        f"so it needs at least {smallest} px"
    )
    for fraction in config.scales:
        content_shape, style_shapes = scaled_shapes(config, fraction, content, styles)
        at = "" if fraction == 1.0 else f" at scale {fraction:g}"
        if min(content_shape) < smallest:
            raise SettingError(
                {},
                f"content{at} would be {content_shape[1]}x{content_shape[0]} px; {needs} on the "
                "shorter side: raise {size}, drop the coarse {scales}, "
                "or use a less elongated photo",
            )
        for role, shape in zip(roles, style_shapes):
            if min(shape) < smallest:
                raise SettingError(
                    {},
                    f"{role}{at} would be resized to {shape[1]}x{shape[0]} px ({{style_scale="
                    f"{config.style_scale:g}}} x {max(content_shape)} px); {needs} on the shorter "
                    "side: crop it to a less elongated shape, or raise {style_scale} or {size}",
                )
            if max(shape) > images.MAX_SIDE:
                raise SettingError(
                    {"style_scale": config.style_scale},
                    f"{role}{at} would be {max(shape)} px on its longest side; at most "
                    f"{images.MAX_SIDE} px are possible",
                )


def initial_image(
    config: GatysConfig, content: tf.Tensor, styles: list[tf.Tensor], init_image: Any = None
) -> tf.Tensor:
    """The pastiche before the first step, [1, H, W, 3] at the content's size.

    ``config.init``: the content image, the first style image resized to it, noise around the
    ImageNet mean colour (``noise_std``, ``seed``), or any image (path, sample name, URL);
    ``init_image`` overrides it.

    Taught in notebook 03, section 4.
    """
    height, width = content.shape[1:3]
    if init_image is not None or config.init not in ("content", "noise", "style"):
        start = load(init_image if init_image is not None else config.init, role="init")
        return images.resize_to(start, height, width)
    if config.init == "content":
        return content
    if config.init == "style":
        return images.resize_to(styles[0], height, width)
    rng = np.random.default_rng(config.seed)
    noise = IMAGENET_MEAN_RGB + config.noise_std * rng.standard_normal(
        (1, height, width, 3), dtype=np.float32
    )
    return tf.constant(np.clip(noise, 0.0, 1.0))
