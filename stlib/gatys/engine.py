"""``transfer``: Gatys et al.'s style transfer from images to pastiche, with all the controls.

    result = transfer("tuebingen", "starry_night", preset("gatys2016", size=256))
    image, history, config = result       # [1, H, W, 3] in [0, 1], losses per step, settings
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from stlib import colour, images
from stlib.gatys.config import GatysConfig
from stlib.gatys.history import Callback, History, Step
from stlib.gatys.objective import Objective, feature_extractor
from stlib.gatys.optimizers import minimise_adam, minimise_lbfgs

# ImageNet mean colour, RGB in [0, 1]: the centre of the noise initialisation.
IMAGENET_MEAN_RGB = np.array([123.68, 116.779, 103.939], dtype=np.float32) / 255.0


class TransferResult(NamedTuple):
    image: tf.Tensor  # [1, H, W, 3] in [0, 1]
    history: History
    config: GatysConfig


def as_image(source: Any, max_side: int | None = None) -> tf.Tensor:
    """A sample name, path, URL, array, PIL image or tensor -> [1, H, W, 3] float32 in [0, 1]."""
    if isinstance(source, str):
        from stlib import data

        source = data.resolve(source)
    return images.load(source, max_side)


def _initial_image(config: GatysConfig, content: tf.Tensor, styles: list[tf.Tensor], init_image) -> tf.Tensor:
    height, width = content.shape[1:3]
    if init_image is not None or config.init not in ("content", "noise", "style"):
        start = as_image(init_image if init_image is not None else config.init)
        return images.resize_to(start, height, width)
    if config.init == "content":
        return content
    if config.init == "style":
        return images.resize_to(styles[0], height, width)
    rng = np.random.default_rng(config.seed)
    noise = IMAGENET_MEAN_RGB + config.noise_std * rng.standard_normal((1, height, width, 3), dtype=np.float32)
    return tf.constant(np.clip(noise, 0.0, 1.0))


def _side(image: tf.Tensor) -> int:
    return int(max(image.shape[1:3]))


def transfer(
    content: Any,
    style: Any | Sequence[Any],
    config: GatysConfig | None = None,
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
        config: the settings (``GatysConfig()`` if None; see ``preset``).
        callbacks: called with a ``Step`` after every step; raise ``StopTransfer`` to stop early.
            ``every(k, fn)`` calls ``fn`` every k steps (snapshots). With ``preserve_colour=
            "luminance"`` the images they see are the luminance being optimised (gray).
        progress: show a progress bar (tqdm: a bar in notebooks and terminals).
        init_image: start from this image instead of ``config.init``.
        weights: VGG19 weights: "imagenet" or a path (None, random weights, is for tests only).

    Returns:
        ``TransferResult(image, history, config)``: the pastiche [1, H, W, 3] in [0, 1] at the
        content's aspect ratio with longest side ``config.size``, the ``History`` and the config.
    """
    config = config or GatysConfig()
    content_image = as_image(content, config.size)
    style_sources = list(style) if isinstance(style, (list, tuple)) else [style]
    if not style_sources and config.style_layers:
        raise ValueError("no style image given; pass at least one (or empty style_layers)")
    style_images = [as_image(source) for source in style_sources]
    blend = config.style_blend_weights or (1.0,) * len(style_images)
    if len(blend) != len(style_images):
        raise ValueError(f"style_blend_weights has {len(blend)} weights for {len(style_images)} style images")

    if config.preserve_colour == "histogram":
        style_images = [colour.match_histogram(s, content_image) for s in style_images]
    original_content = content_image
    if config.preserve_colour == "luminance":
        pairs = [colour.luminance_transfer_inputs(content_image, s) for s in style_images]
        content_image = pairs[0][0]
        style_images = [gray_style for _, gray_style in pairs]

    features = feature_extractor(config, weights)
    full_precision = None  # the float32 extractor, built at the first bfloat16 -> float32 switch
    history = History()
    total_steps = config.total_steps
    bar = tqdm(total=total_steps, disable=not progress, desc="style transfer", unit="step", leave=True)
    start = time.perf_counter()
    pastiche = None
    done = 0
    try:
        for scale_index, (fraction, steps) in enumerate(zip(config.scales, config.steps_per_scale)):
            side = max(images.MIN_SIDE, round(fraction * _side(content_image)))
            content_s = content_image if fraction == 1.0 else images.resize(content_image, side)
            styles_s = [images.resize(s, max(images.MIN_SIDE, round(config.style_scale * side))) for s in style_images]
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
                done += 1
                seconds = time.perf_counter() - start
                history.record(done, scale_index, seconds, evaluations_before + evaluations, terms)
                bar.update(1)
                bar.set_postfix(loss=f"{terms['total']:.4g}", refresh=False)
                step = Step(done, total_steps, scale_index, terms, seconds, image_fn)
                for callback in callbacks:
                    callback(step)

            scheduled = sum(config.steps_per_scale[: scale_index + 1])
            if config.optimizer == "lbfgs":
                pastiche, stopped = minimise_lbfgs(objective, pastiche, steps, config.lbfgs_history, report)
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
            if stopped:
                history.stopped_early = True
                break
            # L-BFGS may end a scale early (its line search finds no decrease): keep the numbering of
            # later steps, and the progress bar, in line with the schedule.
            bar.update(scheduled - done)
            done = scheduled
    finally:
        bar.close()

    if config.preserve_colour == "luminance":
        pastiche = colour.combine_luminance(pastiche, original_content)
    return TransferResult(pastiche, history, config)
