"""The Gatys explorer (notebook 04): every knob of Gatys et al.'s style transfer, Run and Stop,
and the pastiche and loss curve as they form.

How the controls map to ``GatysConfig`` (the loss is written out in ``GatysConfig``'s docstring):

* **preset**: loads the preset's weights, style layers, TV, optimiser, init and pooling into the
  controls, and becomes the base for every field that has no control (learning rate, TV kind,
  content layer...). Size and steps are left as they are, so that quick mode stays quick.
* **content/style ratio** r: :math:`\\alpha/\\beta` = ``content_weight / style_weight``. The
  explorer keeps the preset's ``content_weight`` (:math:`\\alpha`; 1 if the preset has 0) and sets
  ``style_weight = content_weight / r``: sliding to the left weighs style more. The slider spans
  ``RATIO_DECADES`` decades either side of the preset's ratio.
* **style layers**: a ticked layer keeps the preset's weight :math:`w_l` (1/5 if the preset does
  not list it); an unticked layer is left out (:math:`w_l = 0`).
* **TV weight** :math:`\\gamma` = ``tv_weight`` when "TV on" is ticked, else 0.
* **size, steps, optimiser, init, pooling**: the fields of the same names.

The optimisation runs in ``stlib.background.BackgroundTransfer``, the runner of the app's Gatys
page: in its thread for the Run button (``run_in_background``), in the caller's for ``run()``.
Its ``on_step`` redraws the status line, the pastiche and the loss curve; its ``on_done`` shows
the result or the error.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import ipywidgets as widgets

from stlib import gatys, images, settings, vgg
from stlib.background import BackgroundTransfer
from stlib.gatys import GatysConfig, Step
from stlib.gatys.config import INITS, OPTIMIZERS, STYLE_LAYERS_GATYS
from stlib.results import Result
from stlib.widgets.common import (
    GAP,
    SLIDER_WIDTH,
    WithStaticCopy,
    explorer_box,
    loss_curve_png,
    png_bytes,
    png_img,
    set_tooltip,
    static_copy_html,
    status_line,
    styled,
    wrapping_row,
)
from stlib.widgets.pickers import ImagePicker

__all__ = [
    "DEFAULT_LAYER_WEIGHT",
    "GatysExplorer",
    "NOISE_START_STEPS",
    "QUICK_RATIOS",
    "QUICK_SIZE",
    "QUICK_STEPS",
    "RATIO_DECADES",
    "noise_start_warning",
    "paper_layer_name",
    "ratio_of",
    "snapshot_html",
    "with_ratio",
]

DEFAULT_LAYER_WEIGHT = 1.0 / len(
    STYLE_LAYERS_GATYS
)  # w_l of a ticked layer the preset does not list

# Quick mode (STLIB_QUICK=1). Measured on a shared 2-core CPU with the real VGG19 weights,
# tuebingen x starry_night, stlib preset: 128 px and 10 L-BFGS steps optimise in about 3 s, plus
# about 0.15 s per live redraw of the loss curve.
QUICK_SIZE = 128
QUICK_STEPS = 10
# alpha/beta the explorer starts at in quick mode, per preset. Few steps from the content photo
# move it little, so at the stlib preset's 1e2 style already wins outright and sliding left changed
# nothing (0.3/255 mean pixel difference between 1e-8 and 1e2 at 64 px, 5 steps). After 10 steps
# at 128 px the content and style terms are equal near 1e3; from there the slider's left end (1e-2)
# differs by 4.7/255 and its right end (1e6) by 10.5/255.
QUICK_RATIOS: dict[str, float] = {"stlib": 1e3}
RATIO_DECADES = 4  # the ratio slider spans the preset's alpha/beta times 10^-4 ... 10^4

# Steps a start from noise needs before the picture emerges (gatys2016, tuebingen x starry_night,
# 64 and 128 px alike): L-BFGS shows the scene at about 50 steps and loses most of the noise by
# 100; Adam (learning rate 0.02) needs about twice as many.
NOISE_START_STEPS: dict[str, int] = {"lbfgs": 100, "lbfgs-tf": 100, "adam": 200}


# ---------------------------------------------------------------------------------------------
# Small helpers: the ratio, layer names, the noise-start warning, the static copy
# ---------------------------------------------------------------------------------------------


def ratio_of(config: GatysConfig) -> float:
    """The content/style ratio alpha/beta of a config: ``content_weight / style_weight``.

    This is the number the explorer's ratio slider shows. It is written in stlib's weights: the
    ``gatys2016`` preset folds the paper's 1/2 and 1/4 into them, so its ratio is twice the paper's.
    """
    if config.style_weight == 0:
        return float("inf")
    return config.content_weight / config.style_weight


def with_ratio(config: GatysConfig, ratio: float) -> GatysConfig:
    """``config`` with alpha/beta = ``ratio``: ``content_weight`` kept, style weight set.

    A ``content_weight`` of 0 becomes 1. ``style_weight = content_weight / ratio``; the inverse of
    ``ratio_of``.
    """
    if not ratio > 0:
        raise ValueError(f"the content/style ratio must be > 0, got {ratio}")
    alpha = config.content_weight or 1.0
    return config.replace(content_weight=alpha, style_weight=alpha / ratio)


def paper_layer_name(layer: str) -> str:
    """The Caffe/paper name of a VGG19 convolution: ``block3_conv1`` -> ``conv3_1``."""
    keras_name = vgg.canonical_layer(layer)
    block, conv = keras_name.removeprefix("block").split("_conv")
    return f"conv{block}_{conv}"


def noise_start_warning(init: str, optimizer: str, steps: int) -> str:
    """A warning when a start from noise has too few steps to leave the noise, else "".

    ``NOISE_START_STEPS[optimizer]`` is the measured need (about 100 L-BFGS, 200 Adam steps).
    """
    needed = NOISE_START_STEPS.get(optimizer, max(NOISE_START_STEPS.values()))
    if init != "noise" or steps >= needed:
        return ""
    return (
        f"Init 'noise' needs about {needed} {optimizer} steps before the picture emerges from the "
        f"noise; with {steps} step{'s' if steps != 1 else ''} you will mostly see noise. "
        "Raise Steps, or set Init to 'content' for quick looks."
    )


def snapshot_html(status: str, pastiche: bytes = b"", curve: bytes = b"") -> str:
    """The explorer's last run as self-contained HTML: status text, pastiche and loss curve.

    ``pastiche`` and ``curve`` are PNG bytes (empty before any run). The block carries the CSS
    class ``SNAPSHOT_CLASS``: the live widget hides it, so it shows only where the widget cannot
    (an HTML export viewed offline, a notebook opened without a kernel).
    """
    pictures = "".join(
        png_img(png, alt, width)
        for png, alt, width in ((pastiche, "pastiche", 320), (curve, "loss curve", None))
        if png
    )
    return static_copy_html("Gatys explorer", "controls", status, pictures)


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------


class GatysExplorer(WithStaticCopy):
    """Controls for every knob of Gatys et al.'s style transfer, with live pastiche and loss curve.

    Args:
        content: a content sample name (``data.sample_names("content")``) or an image.
        style: a style sample name or an image.
        size: longest side of the pastiche in pixels (default 256, ``QUICK_SIZE`` in quick mode).
        steps: optimiser steps (default 100, ``QUICK_STEPS`` in quick mode).
        update_every: redraw the pastiche and the loss curve every this many steps (default 10,
            1 in quick mode); the status line changes every step.
        weights: VGG19 weights, as for ``gatys.transfer`` (None: random weights, for tests).
        preset: the preset loaded first (``gatys.PRESETS``).
        ratio: alpha/beta the slider starts at (default: the preset's; in quick mode
            ``QUICK_RATIOS[preset]`` where listed). Choosing a preset later loads its own ratio.

    ``config()`` reads the controls, ``run()`` optimises here and now, ``run_in_background()``
    in a thread (so that Stop works); both go through ``stlib.background.BackgroundTransfer``, as
    the app's Gatys page does. The last ``Result`` is kept in ``result``.
    """

    STATIC_TITLE = "Gatys explorer"

    def __init__(
        self,
        content: Any = "tuebingen",
        style: Any = "starry_night",
        *,
        size: int | None = None,
        steps: int | None = None,
        update_every: int | None = None,
        weights: Any = "imagenet",
        preset: str = "stlib",
        ratio: float | None = None,
    ) -> None:
        self.weights = weights
        self.update_every = update_every or settings.quick_or(10, 1)
        self.result: Result | None = None
        self.error: Exception | None = None
        self.use_thread = True  # the Run button starts a thread; False runs in the kernel's thread
        self.status_text = "Ready."
        self._transfer: BackgroundTransfer | None = None  # the run in progress, or the last one
        self._running = False
        self._warning_shown = False
        self._snapshot_handles: list = []  # IPython display handles of the static copies
        self._base = gatys.preset(preset)

        self.status = status_line()
        self.content = ImagePicker("content", content, self.show_status)
        self.style = ImagePicker("style", style, self.show_status)
        self._build_controls(
            size or settings.quick_or(256, QUICK_SIZE), steps or settings.quick_or(100, QUICK_STEPS)
        )
        self.load_preset(preset)
        if ratio is None:
            ratio = settings.quick_or(None, QUICK_RATIOS.get(preset))
        if ratio is not None:
            self._start_ratio(ratio)
        self.preset.observe(lambda change: self.load_preset(change["new"]), names="value")
        for control in (self.init, self.optimizer, self.steps):
            control.observe(lambda change: self._update_noise_warning(), names="value")
        self.widget = self._layout()

    # --- building ------------------------------------------------------------------------------

    def _build_controls(self, size: int, steps: int) -> None:
        """Create every control widget (values are set by ``load_preset``)."""
        buttons = {"button_width": "64px"}
        self.preset = styled(
            widgets.Dropdown(
                options=list(gatys.PRESETS), value=self._base.preset, description="Preset"
            ),
            "300px",
        )
        self.ratio = styled(
            widgets.FloatLogSlider(
                value=1.0, base=10, min=-8, max=8, step=0.1, readout_format=".1e", description="α/β"
            ),
            SLIDER_WIDTH,
        )
        self.layer_boxes = {
            layer: widgets.Checkbox(
                value=True,
                description=paper_layer_name(layer),
                indent=False,
                layout=widgets.Layout(width="76px"),
            )
            for layer in STYLE_LAYERS_GATYS
        }
        for layer, box in self.layer_boxes.items():
            set_tooltip(box, layer)
        self.tv_on = widgets.Checkbox(
            value=False, description="TV on", indent=False, layout=widgets.Layout(width="70px")
        )
        self.tv_weight = styled(
            widgets.FloatLogSlider(
                value=1.0,
                base=10,
                min=-6,
                max=6,
                step=0.1,
                readout_format=".1e",
                description="TV γ",
            ),
            SLIDER_WIDTH,
        )
        self.size = styled(
            widgets.IntSlider(
                value=size, min=images.MIN_SIDE, max=1024, step=16, description="Size (px)"
            ),
            SLIDER_WIDTH,
        )
        self.steps = styled(
            widgets.IntSlider(value=steps, min=1, max=1000, step=1, description="Steps"),
            SLIDER_WIDTH,
        )
        self.optimizer = styled(
            widgets.ToggleButtons(options=list(OPTIMIZERS), description="Optimiser"),
            "290px",
            **buttons,
        )
        self.init = styled(widgets.Dropdown(options=list(INITS), description="Init"), "220px")
        self.pooling = styled(
            widgets.ToggleButtons(options=["avg", "max"], description="Pooling"), "290px", **buttons
        )
        for toggles in (self.optimizer, self.pooling):
            # JupyterLab 4 with ipywidgets 8 lays ToggleButtons out as a block, which puts the
            # description above the buttons; a flex row keeps it beside them, as for the rest.
            toggles.layout.display, toggles.layout.align_items = "flex", "center"
        self.run_button = widgets.Button(description="Run", button_style="success", icon="play")
        self.stop_button = widgets.Button(
            description="Stop", button_style="danger", icon="stop", disabled=True
        )
        self.pastiche = widgets.Image(format="png", width="320")
        self.loss_curve = widgets.Image(format="png")
        self.run_button.on_click(self._on_run_clicked)
        self.stop_button.on_click(lambda button: self.stop())

    def _layout(self) -> widgets.Box:
        """The two image pickers on a row of their own, then rows of controls that wrap.

        Every control has an explicit width, so that at 800-950 px output width a row wraps
        instead of squeezing its sliders to nothing; then Run/Stop, the status and the results.
        """
        label = widgets.Label("Style layers", layout=widgets.Layout(width="84px"))
        layers = wrapping_row([label, *self.layer_boxes.values()], width="auto", margin=GAP)
        tv = wrapping_row([self.tv_on, self.tv_weight], width="auto", margin=GAP)
        return explorer_box(
            [
                wrapping_row([self.content.widget, self.style.widget], align_items="flex-start"),
                wrapping_row([self.preset, self.ratio]),
                wrapping_row([layers, tv]),
                wrapping_row([self.size, self.steps]),
                wrapping_row([self.optimizer, self.init, self.pooling]),
                wrapping_row([self.run_button, self.stop_button]),
                self.status,
                wrapping_row([self.pastiche, self.loss_curve], align_items="flex-start"),
            ],
            self.pastiche,
        )

    def snapshot_html(self) -> str:
        """The static copy of the last run: status line, pastiche and loss curve, as HTML."""
        return snapshot_html(self.status_text, self.pastiche.value, self.loss_curve.value)

    # --- controls <-> config ---------------------------------------------------------------------

    def load_preset(self, name: str) -> None:
        """Set the controls to preset ``name``'s values (size and steps stay as they are).

        The ratio slider is re-centred on the preset's alpha/beta (``RATIO_DECADES`` each side).
        """
        if self.preset.value != name:
            self.preset.value = name  # the dropdown's observer calls load_preset(name) again
            return
        base = gatys.preset(name)
        self._base = base
        ticked = {vgg.canonical_layer(layer) for layer in base.style_layers}
        for layer, box in self.layer_boxes.items():
            box.value = layer in ticked
        self._center_ratio_slider(ratio_of(base))
        self.tv_on.value = base.tv_weight > 0
        if base.tv_weight > 0:
            self.tv_weight.value = base.tv_weight
        self.optimizer.value = base.optimizer
        self.init.value = base.init if base.init in INITS else "content"
        self.pooling.value = base.pooling
        self._update_noise_warning()  # also when init and optimiser did not change

    def _center_ratio_slider(self, ratio: float) -> None:
        """Slider range ratio * 10^(+-RATIO_DECADES), value ``ratio``.

        A fixed range would spend most of its length where nothing changes: every ratio well
        below the balance point gives the same picture (style wins outright), every one well
        above it gives the content photograph.
        """
        center = math.log10(ratio) if math.isfinite(ratio) and ratio > 0 else 0.0
        low, high = center - RATIO_DECADES, center + RATIO_DECADES
        if low > self.ratio.max:  # min may never pass max: move the far end first
            self.ratio.max, self.ratio.min = high, low
        else:
            self.ratio.min, self.ratio.max = low, high
        self.ratio.value = 10.0**center

    def _start_ratio(self, ratio: float) -> None:
        """Move the ratio slider to ``ratio``; refuse one outside its range, naming the range."""
        low, high = 10.0**self.ratio.min, 10.0**self.ratio.max
        if not (isinstance(ratio, (int, float)) and low <= ratio <= high):
            raise ValueError(
                f"ratio must be a number from {low:.1e} to {high:.1e} (the preset's alpha/beta "
                f"times 10^-{RATIO_DECADES} ... 10^{RATIO_DECADES}), got {ratio!r}"
            )
        self.ratio.value = float(ratio)

    def _layer_weight(self, layer: str) -> float:
        """w_l of a ticked layer: the preset's weight, or 1/5 if the preset does not list it."""
        weights = {vgg.canonical_layer(name): w for name, w in self._base.style_layers.items()}
        return weights.get(layer, DEFAULT_LAYER_WEIGHT)

    def config(self) -> GatysConfig:
        """The ``GatysConfig`` the controls describe (the preset for everything else).

        Raises ValueError when no style layer is ticked or a value is out of range.
        """
        ticked = [layer for layer, box in self.layer_boxes.items() if box.value]
        if not ticked:
            raise ValueError("tick at least one style layer (conv1_1 ... conv5_1)")
        config = self._base.replace(
            style_layers={layer: self._layer_weight(layer) for layer in ticked},
            tv_weight=self.tv_weight.value if self.tv_on.value else 0.0,
            size=self.size.value,
            steps=self.steps.value,
            optimizer=self.optimizer.value,
            init=self.init.value,
            pooling=self.pooling.value,
        )
        return with_ratio(config, self.ratio.value)

    def _noise_warning(self) -> str:
        """``noise_start_warning`` for the controls' init, optimiser and steps."""
        return noise_start_warning(self.init.value, self.optimizer.value, self.steps.value)

    def _update_noise_warning(self) -> None:
        """Show the noise-start warning while it applies; clear it once it no longer does."""
        if self.running:
            return  # the status line belongs to the run
        warning = self._noise_warning()
        if warning:
            self.show_status(f"note: {warning}", warning=True)
            self._warning_shown = True
        elif self._warning_shown:
            self.show_status("Ready.")

    # --- running ---------------------------------------------------------------------------------

    def run(self) -> Result:
        """Optimise with the current settings, here and now; returns (and keeps) the result.

        A bad setting or a failed run is shown in the status line and raised. Stop (``stop()``,
        from a callback or another thread) ends the run at the next step; the result holds the
        pastiche so far.
        """
        if self.running:
            raise RuntimeError("the explorer is already running; call stop() first")
        transfer = self._prepare().run()
        if transfer.error is not None:
            raise transfer.error
        return transfer.result

    def run_in_background(self) -> threading.Thread | None:
        """Optimise in a thread and return it: the notebook (and Stop) stay responsive.

        Errors end up in the status line and in ``error``; the result in ``result``. A bad
        setting is refused at once, before any thread starts (None is returned).
        """
        if self.running:
            self.show_status("already running: press Stop first")
            return self._transfer.thread
        try:
            transfer = self._prepare()
        except Exception as error:
            self.error = error
            return None
        return transfer.start().thread

    def stop(self) -> None:
        """Ask the optimisation to stop at its next step (``BackgroundTransfer.stop``)."""
        if self.running:
            self._transfer.stop()
            self.show_status("stopping ...")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run in progress ends (or ``timeout`` seconds pass); True once none is."""
        return self._transfer is None or self._transfer.wait(timeout)

    @property
    def running(self) -> bool:
        """True while a run of this explorer is in progress."""
        return self._running

    def _prepare(self) -> BackgroundTransfer:
        """The run the controls describe, not started; a bad setting is shown and raised."""
        self.error = None
        try:
            config = self.config()
        except Exception as error:
            self._show_error(error)
            raise
        self._transfer = BackgroundTransfer(
            self.content.source(),
            self.style.source(),
            config,
            weights=self.weights,
            preview_every=self.update_every,
            on_step=self._on_step,
            on_done=self._on_done,
        )
        self._set_running(True)  # before the thread starts, so that a second click is refused
        self.show_status(
            f"starting: {config.size} px, {config.total_steps} {config.optimizer} steps ..."
        )
        return self._transfer

    def _on_run_clicked(self, button) -> None:
        """Run in a thread (``use_thread``) or here; errors go to the status line and ``error``."""
        if self.use_thread:
            self.run_in_background()
            return
        try:
            self.run()
        except Exception as error:
            self.error = error

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.run_button.disabled = running
        self.stop_button.disabled = not running

    # --- live updates ----------------------------------------------------------------------------

    def _on_step(self, step: Step) -> None:
        """``on_step`` of the run: update the status, redraw every ``update_every`` steps."""
        self.show_status(self._step_text(step))
        if step.step % self.update_every == 0 or step.is_last:
            self.pastiche.value = png_bytes(step.image)
            self.loss_curve.value = loss_curve_png(self._transfer.progress().history)

    def _on_done(self, transfer: BackgroundTransfer) -> None:
        """``on_done`` of the run: the buttons back, then the result or the error."""
        self._set_running(False)
        if transfer.error is not None:
            self.error = transfer.error
            self._show_error(transfer.error)
        else:
            self.result = transfer.result
            self._show_result(transfer.result)

    @staticmethod
    def _step_text(step: Step) -> str:
        losses = step.losses
        return (
            f"step {step.step}/{step.total_steps} · loss {losses['total']:.4g} "
            f"(content {losses['content']:.3g}, style {losses['style']:.3g}, "
            f"tv {losses['tv']:.3g}) "
            f"· {step.seconds:.1f} s"
        )

    def _show_error(self, error: Exception) -> None:
        self.show_status(f"cannot run: {type(error).__name__}: {error}", error=True)

    def _show_result(self, result: Result) -> None:
        """The final pastiche and the full loss curve; the status says how it ended.

        A noise start with too few steps says so again here, next to the noisy picture.
        """
        history = result.history
        self.pastiche.value = png_bytes(result.image)
        if len(history):
            self.loss_curve.value = loss_curve_png(history)
        ended = (
            f"stopped at step {history.steps[-1] if len(history) else 0}"
            if history.stopped_early
            else "done"
        )
        total = f"loss {history.total[-1]:.4g} · " if len(history) else ""
        seconds = f"{history.seconds[-1]:.1f} s" if len(history) else ""
        text = f"{ended}: {len(history)} steps · {total}{seconds}"
        warning = noise_start_warning(
            result.config.init, result.config.optimizer, result.config.total_steps
        )
        self.show_status(f"{text} · note: {warning}" if warning else text, warning=bool(warning))
        self._refresh_snapshots()

    def show_status(self, text: str, error: bool = False, *, warning: bool = False) -> None:
        """Write one line into the status HTML (red for errors, amber for warnings)."""
        self._warning_shown = False
        super().show_status(text, error, warning=warning)
