"""``stylize``: Gatys et al.'s style transfer from images to pastiche, with all the controls.

    result = stylize("tuebingen", "starry_night", preset("gatys2016", size=256))
    image, history, config = result       # [1, H, W, 3] in [0, 1], losses per step, settings
    quick = stylize("tuebingen", "starry_night", size=64, steps=3)   # fields changed by keyword
    placed = stylize("tuebingen", ["starry_night", "the_scream"], masks=["top", "bottom"])

The shape is every method's (``stlib.results``); ``transfer`` is the same function under the name
the course used first. The loop in ``stylize`` is the paper's: for each scale of the coarse-to-fine
schedule, build the objective from the content and style images, run the optimizer on the pixels,
record. Loading and checking the images lives in ``inputs``, the loss in ``objective``, the pixel
updates in ``optimizers``, the step numbers, progress bar and callbacks in ``progress``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import tensorflow as tf

from stlib import images
from stlib.gatys.config import GatysConfig
from stlib.gatys.history import Callback, TransferError
from stlib.gatys.inputs import initial_image, load_inputs, scaled
from stlib.gatys.objective import Objective, feature_extractor
from stlib.gatys.optimizers import MINIMIZERS
from stlib.gatys.progress import Progress, not_finite_message, terms_text
from stlib.masks import at_resolution, check_placement
from stlib.masks import resolve as resolve_masks
from stlib.results import Interrupted, Result
from stlib.validation import config_with

__all__ = ["TransferError", "stylize", "transfer"]


def stylize(
    content: Any,
    style: Any | Sequence[Any],
    config: GatysConfig | Mapping | None = None,
    *,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
    init_image: Any = None,
    weights: Any = "imagenet",
    masks: Any = None,
    **changes: Any,
) -> Result:
    """Optimise a pastiche of ``content`` in the style of ``style``.

    Args:
        content: the content image: sample name, path, URL, array or [1, H, W, 3] tensor.
        style: one style image or a list of them (mixed with ``config.mix``, or placed by
            ``masks``).
        config: the settings (``GatysConfig()`` if None; see ``preset``), or a dict of its fields.
        progress: show a progress bar (tqdm: a bar in notebooks and terminals).
        callbacks: called with a ``Step`` after every step; raise ``StopTransfer`` to stop early.
            ``every(k, fn)`` calls ``fn`` every k steps (snapshots). With ``preserve_color=
            "luminance"`` the images they see are the luminance being optimised (gray).
        init_image: start from this image instead of ``config.init``.
        weights: VGG19's weights: "imagenet" or a path (None, random weights, is for tests).
            ``weights`` always means a network's weights in stlib (Keras's word); the
            proportions of several styles are ``mix``.
        masks: spatial control (Gatys et al. 2017, section 4): one mask per style image, each
            style painting its region of the photo: files, arrays, the splits "left", "right",
            "top", "bottom", "rest", or "auto" (``stlib.masks`` reads and checks them). Soft
            masks are allowed; they must cover the photo without overlapping.
        **changes: fields of the config to change, checked as ``config.replace`` checks them:
            ``stylize(photo, painting, size=64, steps=3)``.

    Returns:
        ``Result(image, history, config)``: the pastiche [1, H, W, 3] in [0, 1] at the
        content's aspect ratio with longest side ``config.size``, the ``History`` and the config.

    Raises:
        SettingError / SettingTypeError (ValueError / TypeError): a bad setting, named.
        MaskError (ValueError): masks that cannot place the styles (wrong count, uncovered or
            overlapping pixels, an empty region, another aspect ratio), the mask named.
        ImageError (ValueError): an image that cannot be read or is too small at some scale,
            named by its role ("style 2 of 3 ('wave.jpg')"); checked before any optimisation.
        TransferError (ValueError): nothing to optimize from the start (the gradient is zero),
            or the loss stopped being finite.
        stlib.Interrupted (KeyboardInterrupt): Ctrl-C; ``.result`` holds the pastiche so far.

    Taught in notebook 03, section 3 (the controls: 04 and 05).
    """
    config = config_with(GatysConfig, config, changes)
    inputs = load_inputs(config, content, style)  # every image checked at every size it is used
    regions = _region_masks(masks, inputs, config)
    features = feature_extractor(config, weights)
    optimize = MINIMIZERS[config.optimizer]
    run = Progress(config, callbacks, show=progress)
    pastiche = None
    try:
        for index, (fraction, steps) in enumerate(zip(config.scales, config.steps_per_scale)):
            content_s, styles_s = scaled(config, fraction, inputs.content, inputs.styles)
            height, width = content_s.shape[1:3]
            run.start_scale(index, height, width)
            if pastiche is None:
                pastiche = initial_image(config, content_s, inputs.styles, init_image)
            else:  # coarse-to-fine: the previous scale's result, upsampled, starts this one
                pastiche = images.resize_to(pastiche, height, width)
            if steps == 0:
                continue
            masks_s = None if regions is None else at_resolution(regions, height, width)
            objective = Objective(config, features, content_s, styles_s, inputs.blend, masks_s)
            pastiche, stopped = optimize(objective, pastiche, steps, config, run)
            if not run.history and not stopped:
                raise TransferError(_no_step(objective, pastiche, config, index))
            if stopped:
                run.history.stopped_early = True
                break
            run.end_scale()
    except KeyboardInterrupt:
        raise Interrupted(_partial(run, inputs, config)) from None
    finally:
        run.close()
    return Result(inputs.finish(pastiche, config), run.history, config)


transfer = stylize


def _region_masks(masks: Any, inputs, config: GatysConfig):
    """The masks as a checked [R, H, W] partition at the output size, or None without masks."""
    if masks is None:
        return None
    count = len(inputs.styles)
    check_placement(config.mix, masks, count)  # mix refused, one mask per style image
    height, width = (int(n) for n in inputs.content.shape[1:3])
    return resolve_masks(masks, count, height, width, photo=inputs.original_content)


def _partial(run: Progress, inputs, config: GatysConfig) -> Result | None:
    """What Ctrl-C keeps: the pastiche after the last recorded step, or None before step 1."""
    latest = run.latest_image()
    if latest is None:
        return None
    run.history.stopped_early = True
    return Result(inputs.finish(latest, config), run.history, config)


def _no_step(objective: Objective, pastiche: tf.Tensor, config: GatysConfig, index: int) -> str:
    """Why L-BFGS took no step: a loss that is not finite, or no direction that lowers it."""
    terms, gradient = objective.value_and_gradient(pastiche)
    terms = {name: float(value) for name, value in terms.items()}
    if not math.isfinite(terms["total"]):
        return not_finite_message(terms, 1, config)
    largest = float(tf.reduce_max(tf.abs(gradient)))
    at = f" at scale {config.scales[index]:g}" if len(config.scales) > 1 else ""
    return (
        f"L-BFGS took no step{at}: from the starting image it finds no direction that lowers the "
        f"loss ({terms['total']:.4g}: {terms_text(terms)}; largest gradient {largest:.3g}), so "
        "there is nothing to optimize. Are the content and style the same image, or is the style "
        "weight so small that it rounds to 0? Change the images, raise {style_weight}, or start "
        "from noise: {init=noise}"
    )
