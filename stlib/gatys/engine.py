"""``transfer``: Gatys et al.'s style transfer from images to pastiche, with all the controls.

result = transfer("tuebingen", "starry_night", preset("gatys2016", size=256))
image, history, config = result       # [1, H, W, 3] in [0, 1], losses per step, settings
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from stlib import colour, images, vgg_layers
from stlib.gatys.config import GatysConfig
from stlib.gatys.history import Callback, History, Step
from stlib.gatys.objective import Objective, feature_extractor
from stlib.gatys.optimizers import minimise_adam, minimise_lbfgs
from stlib.validation import SettingError

# ImageNet mean colour, RGB in [0, 1]: the centre of the noise initialisation.
IMAGENET_MEAN_RGB = np.array([123.68, 116.779, 103.939], dtype=np.float32) / 255.0


class TransferResult(NamedTuple):
    image: tf.Tensor  # [1, H, W, 3] in [0, 1]
    history: History
    config: GatysConfig


class TransferError(SettingError):
    """The optimisation could not do what was asked (nothing to optimize, a loss that overflowed).

    Found during the run, but caused by the settings or images: a ``SettingError`` whose message
    names settings as ``{style_weight}`` so that each front end words them its own way.
    """

    def __init__(self, problem: str) -> None:
        super().__init__({}, problem)

    def __reduce__(self):
        return (type(self), (self.problem,))


class TransferInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``transfer``; ``result`` is the pastiche reached so far (None before step 1).

    A ``KeyboardInterrupt``, so that code which does not know it still stops as on any Ctrl-C.
    """

    def __init__(self, result: TransferResult | None) -> None:
        super().__init__("interrupted")
        self.result = result

    @property
    def step(self) -> int:
        """The last step completed (0 when none was)."""
        return self.result.history.steps[-1] if self.result and len(self.result.history) else 0


def as_image(source: Any, max_side: int | None = None, role: str | None = None) -> tf.Tensor:
    """A sample name, path, URL, array, PIL image or tensor -> [1, H, W, 3] float32 in [0, 1].

    ``role`` ("content", "style 2 'wave.jpg'") starts every error message, so the user knows
    which image is meant.
    """
    try:
        if isinstance(source, str):
            from stlib import data

            source = data.resolve(source)
        return images.load(source, max_side)
    except images.ImageError as error:
        if role is None:
            raise
        raise images.ImageError(f"{role}: {error}") from None


def _as_config(config: Any) -> GatysConfig:
    if config is None:
        return GatysConfig()
    if isinstance(config, GatysConfig):
        return config
    if isinstance(config, Mapping):
        return GatysConfig.from_dict(config)
    raise TypeError(
        f"config is a {type(config).__name__}; pass a GatysConfig (see stlib.gatys.preset) "
        "or a dict of its fields"
    )


def _role(kind: str, index: int, count: int, source: Any) -> str:
    """'content', "style 'wave.jpg'", "style 2 of 3 ('scream')": how errors name an image."""
    named = (
        f"'{source}'" if isinstance(source, (str, os.PathLike)) else f"a {type(source).__name__}"
    )
    if count == 1:
        return f"{kind} {named}"
    return f"{kind} {index + 1} of {count} ({named})"


def _check_sizes(
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
    needs = f"{deepest} lies behind {smallest.bit_length() - 1} poolings, so it needs at least {smallest} px"
    for fraction in config.scales:
        content_shape, style_shapes = _scale_shapes(config, fraction, content, styles)
        at = "" if fraction == 1.0 else f" at scale {fraction:g}"
        if min(content_shape) < smallest:
            raise SettingError(
                {},
                f"content{at} would be {content_shape[1]}x{content_shape[0]} px; {needs} on the "
                "shorter side: raise {size}, drop the coarse {scales}, or use a less elongated photo",
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


def _scale_shapes(
    config: GatysConfig, fraction: float, content: tf.Tensor, styles: list[tf.Tensor]
):
    """(H, W) of the content and of each style image at one scale of the coarse-to-fine schedule."""
    height, width = (int(n) for n in content.shape[1:3])
    side = max(images.MIN_SIDE, round(fraction * max(height, width)))
    content_shape = images.longest_side_shape(height, width, side)
    style_side = max(images.MIN_SIDE, round(config.style_scale * side))
    style_shapes = [
        images.longest_side_shape(*(int(n) for n in s.shape[1:3]), style_side) for s in styles
    ]
    return content_shape, style_shapes


def _initial_image(
    config: GatysConfig, content: tf.Tensor, styles: list[tf.Tensor], init_image
) -> tf.Tensor:
    height, width = content.shape[1:3]
    if init_image is not None or config.init not in ("content", "noise", "style"):
        start = as_image(init_image if init_image is not None else config.init)
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


def _side(image: tf.Tensor) -> int:
    return int(max(image.shape[1:3]))


def transfer(
    content: Any,
    style: Any | Sequence[Any],
    config: GatysConfig | Mapping | None = None,
    *,
    callbacks: Sequence[Callback] = (),
    progress: bool = True,
    init_image: Any = None,
    weights: Any = "imagenet",
) -> TransferResult:
    """Optimise a pastiche of ``content`` in the style of ``style``.

    Args:
        content: the content image: sample name, path, URL, array or [1, H, W, 3] tensor.
        style: one style image or a list of them (blended with ``config.style_blend_weights``).
        config: the settings (``GatysConfig()`` if None; see ``preset``), or a dict of its fields.
        callbacks: called with a ``Step`` after every step; raise ``StopTransfer`` to stop early.
            ``every(k, fn)`` calls ``fn`` every k steps (snapshots). With ``preserve_colour=
            "luminance"`` the images they see are the luminance being optimised (gray).
        progress: show a progress bar (tqdm: a bar in notebooks and terminals).
        init_image: start from this image instead of ``config.init``.
        weights: VGG19 weights: "imagenet" or a path (None, random weights, is for tests only).

    Returns:
        ``TransferResult(image, history, config)``: the pastiche [1, H, W, 3] in [0, 1] at the
        content's aspect ratio with longest side ``config.size``, the ``History`` and the config.

    Raises:
        SettingError / SettingTypeError (ValueError / TypeError): a bad setting, named.
        ImageError (ValueError): an image that cannot be read or is too small at some scale,
            named by its role ("style 2 of 3 ('wave.jpg')"); checked before any optimisation.
        TransferError (ValueError): nothing to optimize from the start (the gradient is zero),
            or the loss stopped being finite.
        TransferInterrupted (KeyboardInterrupt): Ctrl-C; ``.result`` holds the pastiche so far.
    """
    config = _as_config(config)
    content_image = as_image(content, config.size, role=_role("content", 0, 1, content))
    style_sources = list(style) if isinstance(style, (list, tuple)) else [style]
    if not style_sources and "style" in config.active_terms:
        raise SettingError({"style": style}, "no style image given; pass at least one")
    roles = [_role("style", i, len(style_sources), s) for i, s in enumerate(style_sources)]
    style_images = [as_image(source, role=role) for source, role in zip(style_sources, roles)]
    blend = config.style_blend_weights or (1.0,) * len(style_images)
    if len(blend) != len(style_images):
        raise SettingError(
            {"style_blend_weights": config.style_blend_weights},
            f"gives {len(blend)} weights for {len(style_images)} style images; give one per image",
        )
    _check_sizes(config, content_image, style_images, roles)

    if config.preserve_colour == "histogram":
        style_images = [colour.match_histogram(s, content_image) for s in style_images]
    original_content = content_image
    if config.preserve_colour == "luminance":
        pairs = [colour.luminance_transfer_inputs(content_image, s) for s in style_images]
        content_image = pairs[0][0]
        style_images = [gray_style for _, gray_style in pairs]

    def finished(pastiche: tf.Tensor) -> tf.Tensor:
        return (
            colour.combine_luminance(pastiche, original_content)
            if config.preserve_colour == "luminance"
            else pastiche
        )

    features = feature_extractor(config, weights)
    full_precision = None  # the float32 extractor, built at the first bfloat16 -> float32 switch
    history = History()
    total_steps = config.total_steps
    bar = tqdm(
        total=total_steps, disable=not progress, desc="style transfer", unit="step", leave=True
    )
    start = time.perf_counter()
    pastiche = None
    latest = [None]  # the image function of the last step reported: what Ctrl-C keeps
    done = 0
    try:
        for scale_index, (fraction, steps) in enumerate(zip(config.scales, config.steps_per_scale)):
            side = max(images.MIN_SIDE, round(fraction * _side(content_image)))
            content_s = content_image if fraction == 1.0 else images.resize(content_image, side)
            styles_s = [
                images.resize(s, max(images.MIN_SIDE, round(config.style_scale * side)))
                for s in style_images
            ]
            height, width = content_s.shape[1:3]
            history.sizes.append((int(height), int(width)))
            if pastiche is None:
                pastiche = _initial_image(config, content_s, style_images, init_image)
            else:  # coarse-to-fine: the previous scale's result, upsampled, starts this one
                pastiche = tf.clip_by_value(images.resize_to(pastiche, height, width), 0.0, 1.0)
            if steps == 0:
                continue
            objective = Objective(config, features, content_s, styles_s, blend)
            evaluations_before = 0  # evaluations count on across a precision switch within a scale

            def report(image_fn, terms, evaluations, scale_index=scale_index):
                nonlocal done
                if not math.isfinite(terms["total"]):
                    raise TransferError(_not_finite(terms, done + 1, config))
                done += 1
                latest[0] = image_fn
                seconds = time.perf_counter() - start
                history.record(done, scale_index, seconds, evaluations_before + evaluations, terms)
                bar.update(1)
                bar.set_postfix(loss=f"{terms['total']:.4g}", refresh=False)
                step = Step(done, total_steps, scale_index, terms, seconds, image_fn)
                for callback in callbacks:
                    callback(step)

            scheduled = sum(config.steps_per_scale[: scale_index + 1])
            if config.optimizer == "lbfgs":
                pastiche, stopped = minimise_lbfgs(
                    objective, pastiche, steps, config.lbfgs_history, report
                )
                if not stopped and done < scheduled and config.precision != "float32":
                    # The line search found no decrease that bfloat16 rounding can show: the slow
                    # final phase needs float32, so the scale finishes there.
                    if full_precision is None:
                        full_precision = feature_extractor(config, weights, precision="float32")
                    history.precision_switches.append(done)
                    in_this_scale = len(history) > 0 and history.scale[-1] == scale_index
                    evaluations_before = history.evaluations[-1] if in_this_scale else 0
                    objective = Objective(config, full_precision, content_s, styles_s, blend)
                    pastiche, stopped = minimise_lbfgs(
                        objective, pastiche, scheduled - done, config.lbfgs_history, report
                    )
            else:
                pastiche, stopped = minimise_adam(objective, pastiche, steps, config, report)
            if not history and not stopped:
                # L-BFGS stops before its first step when the start is already a minimum. (At a
                # later scale that would only mean the upsampled result is already optimal.)
                raise TransferError(_no_step(objective, pastiche, config, scale_index))
            if stopped:
                history.stopped_early = True
                break
            # L-BFGS may end a scale early (its line search finds no decrease): keep the numbering of
            # later steps, and the progress bar, in line with the schedule.
            bar.update(scheduled - done)
            done = scheduled
    except KeyboardInterrupt:
        partial = None
        if latest[0] is not None:
            history.stopped_early = True
            partial = TransferResult(finished(latest[0]()), history, config)
        raise TransferInterrupted(partial) from None
    finally:
        bar.close()
    return TransferResult(finished(pastiche), history, config)


def _terms_text(terms: dict[str, float]) -> str:
    return ", ".join(
        f"{name} {float(value):.4g}" for name, value in terms.items() if name != "total"
    )


def _not_finite(terms: dict[str, float], step: int, config: GatysConfig) -> str:
    """Why the loss is NaN or infinite, in terms of the settings that scale it."""
    return (
        f"the loss became {float(terms['total'])} at step {step} ({_terms_text(terms)}): the weights "
        f"({{content_weight={config.content_weight:g}}}, {{style_weight={config.style_weight:g}}}, "
        f"{{tv_weight={config.tv_weight:g}}}) make it overflow float32; lower them"
        + (
            f", or lower {{learning_rate={config.learning_rate:g}}}"
            if config.optimizer == "adam"
            else ""
        )
    )


def _no_step(
    objective: Objective, pastiche: tf.Tensor, config: GatysConfig, scale_index: int
) -> str:
    """Why L-BFGS took no step: a zero gradient at the start, or a loss that is not finite."""
    terms, gradient = objective.value_and_gradient(pastiche)
    terms = {name: float(value) for name, value in terms.items()}
    if not math.isfinite(terms["total"]):
        return _not_finite(terms, 1, config)
    largest = float(tf.reduce_max(tf.abs(gradient)))
    at = f" at scale {config.scales[scale_index]:g}" if len(config.scales) > 1 else ""
    return (
        f"L-BFGS took no step{at}: from the starting image it finds no direction that lowers the "
        f"loss ({terms['total']:.4g}: {_terms_text(terms)}; largest gradient {largest:.3g}), so "
        "there is nothing to optimize. Are the content and style the same image, or is the style weight so small "
        "that it rounds to 0? Change the images, raise {style_weight}, or start from noise: {init=noise}"
    )
