"""``transfer``: Gatys et al.'s style transfer from images to pastiche, with all the controls.

    result = transfer("tuebingen", "starry_night", preset("gatys2016", size=256))
    image, history, config = result       # [1, H, W, 3] in [0, 1], losses per step, settings

The loop in ``transfer`` is the paper's: for each scale of the coarse-to-fine schedule, build the
objective from the content and style images, run the optimizer on the pixels, record. Loading and
checking the images lives in ``inputs``, the loss in ``objective``, the pixel updates in
``optimizers``, the step numbers, progress bar and callbacks in ``progress``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import tensorflow as tf

from stlib import images
from stlib.gatys.config import GatysConfig
from stlib.gatys.history import Callback, History, TransferError
from stlib.gatys.inputs import as_image, initial_image, load_inputs, scaled
from stlib.gatys.objective import Objective, feature_extractor
from stlib.gatys.optimizers import MINIMIZERS
from stlib.gatys.progress import Progress, not_finite_message, terms_text

__all__ = [
    "TransferError",
    "TransferInterrupted",
    "TransferResult",
    "as_image",
    "transfer",
]


class TransferResult(NamedTuple):
    image: tf.Tensor  # [1, H, W, 3] in [0, 1]
    history: History
    config: GatysConfig


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
        return self.result.history.steps[-1] if self.result and self.result.history else 0


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
            ``every(k, fn)`` calls ``fn`` every k steps (snapshots). With ``preserve_color=
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

    Taught in notebook 03, section 3 (the controls: 04 and 05).
    """
    config = _as_config(config)
    inputs = load_inputs(config, content, style)  # every image checked at every size it is used
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
            objective = Objective(config, features, content_s, styles_s, inputs.blend)
            pastiche, stopped = optimize(objective, pastiche, steps, config, run)
            if not run.history and not stopped:
                raise TransferError(_no_step(objective, pastiche, config, index))
            if stopped:
                run.history.stopped_early = True
                break
            run.end_scale()
    except KeyboardInterrupt:
        raise TransferInterrupted(_partial(run, inputs, config)) from None
    finally:
        run.close()
    return TransferResult(inputs.finish(pastiche, config), run.history, config)


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


def _partial(run: Progress, inputs, config: GatysConfig) -> TransferResult | None:
    """What Ctrl-C keeps: the pastiche after the last recorded step, or None before step 1."""
    latest = run.latest_image()
    if latest is None:
        return None
    run.history.stopped_early = True
    return TransferResult(inputs.finish(latest, config), run.history, config)


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
