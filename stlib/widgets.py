"""ipywidgets explorers for the notebooks: change a setting, press Run, watch the pastiche form.

    from stlib.widgets import GatysExplorer
    explorer = GatysExplorer("tuebingen", "starry_night")
    explorer                  # shows the controls; Run starts Gatys' optimisation in a thread
    result = explorer.run()   # or run it here and now, without a thread (scripts, tests)

How the controls map to ``GatysConfig`` (the loss is written out in ``GatysConfig``'s docstring):

* **preset**: loads the preset's weights, style layers, TV, optimiser, init and pooling into the
  controls, and becomes the base for every field that has no control (learning rate, TV kind,
  content layer...). Size and steps are left as they are, so that quick mode stays quick.
* **content/style ratio** r: :math:`\\alpha/\\beta` = ``content_weight / style_weight``. The
  explorer keeps the preset's ``content_weight`` (:math:`\\alpha`; 1 if the preset has 0) and sets
  ``style_weight = content_weight / r``: sliding to the left weighs style more.
* **style layers**: a ticked layer keeps the preset's weight :math:`w_l` (1/5 if the preset does
  not list it); an unticked layer is left out (:math:`w_l = 0`).
* **TV weight** :math:`\\gamma` = ``tv_weight`` when "TV on" is ticked, else 0.
* **size, steps, optimiser, init, pooling**: the fields of the same names.
"""

from __future__ import annotations

import html
import io
import threading
from typing import Any

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image as PILImage

from stlib import data, gatys, images, plotting, settings, vgg
from stlib.gatys import GatysConfig, History, Step, StopTransfer, TransferResult
from stlib.gatys.config import INITS, OPTIMIZERS, STYLE_LAYERS_GATYS

__all__ = [
    "DEFAULT_LAYER_WEIGHT",
    "GatysExplorer",
    "ImagePicker",
    "LOSS_FIGURE_DPI",
    "LOSS_FIGURE_INCHES",
    "PREVIEW_SIDE",
    "decode_upload",
    "loss_curve_png",
    "paper_layer_name",
    "png_bytes",
    "ratio_of",
    "with_ratio",
]

PREVIEW_SIDE = 128  # pixels, longest side of the content and style thumbnails
DEFAULT_LAYER_WEIGHT = 1.0 / len(
    STYLE_LAYERS_GATYS
)  # w_l of a ticked layer the preset does not list
LOSS_FIGURE_INCHES = (4.6, 3.2)
LOSS_FIGURE_DPI = 80


# ---------------------------------------------------------------------------------------------
# Small helpers: the ratio, layer names, PNG bytes
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


def png_bytes(image: Any) -> bytes:
    """An stlib image [1, H, W, 3] in [0, 1] -> PNG file bytes (for ``ipywidgets.Image``)."""
    buffer = io.BytesIO()
    images.to_pil(image).save(buffer, format="PNG")
    return buffer.getvalue()


def loss_curve_png(history: History) -> bytes:
    """``plotting.loss_terms(history)`` drawn on a non-interactive Agg canvas -> PNG bytes.

    The figure is not made with pyplot, so nothing else shows it (a notebook would otherwise
    draw every live update once more at the end of the cell) and it is safe in a thread.
    """
    figure = Figure(figsize=LOSS_FIGURE_INCHES, dpi=LOSS_FIGURE_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    plotting.loss_terms(history, ax=figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def decode_upload(content: bytes, name: str = "the upload") -> Any:
    """The bytes of an uploaded file -> stlib image [1, H, W, 3] in [0, 1].

    Pillow opens the bytes (through ``io.BytesIO``) and ``stlib.images.load`` decodes and checks
    the image. Raises ``images.ImageError`` naming the file when it is not a readable image.
    """
    try:
        opened = PILImage.open(io.BytesIO(bytes(content)))
    except (PILImage.UnidentifiedImageError, PILImage.DecompressionBombError, OSError) as error:
        raise images.ImageError(
            f"{name} is not an image Pillow can read ({type(error).__name__}); "
            "upload a PNG, JPEG, WebP, TIFF, BMP or GIF file"
        ) from None
    return images.load(opened)


# ---------------------------------------------------------------------------------------------
# One image picker: a sample Dropdown, a FileUpload and a thumbnail
# ---------------------------------------------------------------------------------------------


class ImagePicker:
    """Choose the content (or style) image: a sample by name, or an uploaded file.

    ``source()`` is what ``gatys.transfer`` takes: the sample name, or the uploaded image
    [1, H, W, 3]. Messages go to ``report(text, error=False)``: a bad upload or a sample that
    cannot be loaded is reported there, and the image in use stays the same.
    """

    def __init__(self, kind: str, initial: Any, report) -> None:
        self.kind = kind
        self.report = report
        names = data.sample_names(kind)
        self.uploaded = (
            None  # [1, H, W, 3] when an upload (or an image given in code) replaces the sample
        )
        self.uploaded_name = ""
        given_name = isinstance(initial, str)
        self.dropdown = widgets.Dropdown(
            options=names,
            value=initial if given_name and initial in names else names[0],
            description=kind.capitalize(),
        )
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload")
        self.preview = widgets.Image(format="png", width=str(PREVIEW_SIDE))
        self.caption = widgets.HTML()
        if given_name:
            self.dropdown.value = initial  # an unknown name fails here, listing the choices
            self._show_sample()
        else:
            self._use_image(images.load(initial), "the image given in code")
        self.dropdown.observe(self._on_sample, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.widget = widgets.VBox([self.dropdown, self.upload, self.preview, self.caption])

    def source(self) -> Any:
        """The sample name, or the uploaded image [1, H, W, 3] if there is one."""
        return self.dropdown.value if self.uploaded is None else self.uploaded

    def _on_sample(self, change) -> None:
        """A sample chosen in the dropdown replaces any upload."""
        self.uploaded, self.uploaded_name = None, ""
        self._show_sample()

    def _on_upload(self, change) -> None:
        """Decode the uploaded file; on failure report why and keep the current image."""
        if not change["new"]:
            return
        file = change["new"][0]
        try:
            image = decode_upload(file["content"], f"'{file['name']}'")
        except images.ImageError as error:
            self.report(f"{self.kind} upload refused: {error}", error=True)
            return
        self._use_image(image, f"uploaded '{file['name']}'")
        self.report(f"{self.kind}: using {self.uploaded_name}")

    def _use_image(self, image, name: str) -> None:
        self.uploaded, self.uploaded_name = image, name
        self.preview.value = png_bytes(images.resize(image, PREVIEW_SIDE))
        self.caption.value = f"<small>{html.escape(name)}</small>"

    def _show_sample(self) -> None:
        name = self.dropdown.value
        try:
            self.preview.value = png_bytes(data.load(name, PREVIEW_SIDE))
        except (ValueError, OSError) as error:  # ImageError, UnknownSampleError, download errors
            self.report(f"cannot show the {self.kind} sample {name!r}: {error}", error=True)
            return
        self.caption.value = f"<small>{html.escape(data.info(name).credit)}</small>"


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------


class GatysExplorer:
    """Controls for every knob of Gatys et al.'s style transfer, with live pastiche and loss curve.

    Args:
        content: a content sample name (``data.sample_names("content")``) or an image.
        style: a style sample name or an image.
        size: longest side of the pastiche in pixels (default 256, 64 in quick mode).
        steps: optimiser steps (default 100, 5 in quick mode).
        update_every: redraw the pastiche and the loss curve every this many steps (default 10,
            1 in quick mode); the status line changes every step.
        weights: VGG19 weights, as for ``gatys.transfer`` (None: random weights, for tests).
        preset: the preset loaded first (``gatys.PRESETS``).

    ``config()`` reads the controls, ``run()`` optimises here and now, ``run_in_background()``
    in a thread (so that Stop works); the last ``TransferResult`` is kept in ``result``.
    """

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
    ) -> None:
        self.weights = weights
        self.update_every = update_every or settings.quick_or(10, 1)
        self.result: TransferResult | None = None
        self.error: Exception | None = None
        self.use_thread = True  # the Run button starts a thread; False runs in the kernel's thread
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = False
        self._live_history = History()
        self._base = gatys.preset(preset)

        self.status = widgets.HTML(value="Ready.")
        self.content = ImagePicker("content", content, self.show_status)
        self.style = ImagePicker("style", style, self.show_status)
        self._build_controls(size or settings.quick_or(256, 64), steps or settings.quick_or(100, 5))
        self.load_preset(preset)
        self.preset.observe(lambda change: self.load_preset(change["new"]), names="value")
        self.widget = self._layout()

    # --- building ------------------------------------------------------------------------------

    def _build_controls(self, size: int, steps: int) -> None:
        """Create every control widget (values are set by ``load_preset``)."""
        self.preset = widgets.Dropdown(
            options=list(gatys.PRESETS), value=self._base.preset, description="Preset"
        )
        self.ratio = widgets.FloatLogSlider(
            value=1.0, base=10, min=-8, max=8, step=0.1, readout_format=".1e", description="α/β"
        )
        self.layer_boxes = {
            layer: widgets.Checkbox(
                value=True,
                description=paper_layer_name(layer),
                tooltip=layer,
                indent=False,
                layout=widgets.Layout(width="90px"),
            )
            for layer in STYLE_LAYERS_GATYS
        }
        self.tv_on = widgets.Checkbox(
            value=False, description="TV on", indent=False, layout=widgets.Layout(width="70px")
        )
        self.tv_weight = widgets.FloatLogSlider(
            value=1.0, base=10, min=-6, max=6, step=0.1, readout_format=".1e", description="TV γ"
        )
        self.size = widgets.IntSlider(
            value=size, min=images.MIN_SIDE, max=1024, step=16, description="Size (px)"
        )
        self.steps = widgets.IntSlider(value=steps, min=1, max=1000, step=1, description="Steps")
        self.optimizer = widgets.ToggleButtons(options=list(OPTIMIZERS), description="Optimiser")
        self.init = widgets.Dropdown(options=list(INITS), description="Init")
        self.pooling = widgets.ToggleButtons(options=["avg", "max"], description="Pooling")
        self.run_button = widgets.Button(description="Run", button_style="success", icon="play")
        self.stop_button = widgets.Button(
            description="Stop", button_style="danger", icon="stop", disabled=True
        )
        self.pastiche = widgets.Image(format="png", width="320")
        self.loss_curve = widgets.Image(format="png")
        self.run_button.on_click(self._on_run_clicked)
        self.stop_button.on_click(lambda button: self.stop())

    def _layout(self) -> widgets.Box:
        """Pickers on top, the controls below them, then Run/Stop, the status and the results."""
        layers = widgets.HBox([widgets.Label("Style layers"), *self.layer_boxes.values()])
        controls = widgets.VBox(
            [
                self.preset,
                self.ratio,
                layers,
                widgets.HBox([self.tv_on, self.tv_weight]),
                widgets.HBox([self.size, self.steps]),
                self.optimizer,
                widgets.HBox([self.init, self.pooling]),
            ]
        )
        return widgets.VBox(
            [
                widgets.HBox([self.content.widget, self.style.widget, controls]),
                widgets.HBox([self.run_button, self.stop_button]),
                self.status,
                widgets.HBox([self.pastiche, self.loss_curve]),
            ]
        )

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # --- controls <-> config ---------------------------------------------------------------------

    def load_preset(self, name: str) -> None:
        """Set the controls to preset ``name``'s values (size and steps stay as they are)."""
        if self.preset.value != name:
            self.preset.value = name  # the dropdown's observer calls load_preset(name) again
            return
        base = gatys.preset(name)
        self._base = base
        ticked = {vgg.canonical_layer(layer) for layer in base.style_layers}
        for layer, box in self.layer_boxes.items():
            box.value = layer in ticked
        self.ratio.value = ratio_of(base)
        self.tv_on.value = base.tv_weight > 0
        if base.tv_weight > 0:
            self.tv_weight.value = base.tv_weight
        self.optimizer.value = base.optimizer
        self.init.value = base.init if base.init in INITS else "content"
        self.pooling.value = base.pooling

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

    # --- running ---------------------------------------------------------------------------------

    def run(self) -> TransferResult:
        """Optimise with the current settings, here and now; returns (and keeps) the result.

        A bad setting is shown in the status line and raised. Stop (``stop()``, from a callback
        or another thread) ends the run at the next step; the result holds the pastiche so far.
        """
        if self.running:
            raise RuntimeError("the explorer is already running; call stop() first")
        self._stop_requested.clear()
        self._set_running(True)
        return self._optimise()

    def run_in_background(self) -> threading.Thread:
        """Optimise in a thread and return it: the notebook (and Stop) stay responsive.

        Errors end up in the status line and in ``error``; the result in ``result``.
        """
        if self.running:
            self.show_status("already running: press Stop first")
            return self._thread
        self.error = None
        self._stop_requested.clear()
        self._set_running(True)  # before the thread starts, so that a second click is refused
        self._thread = threading.Thread(
            target=self._optimise_and_keep_error, name="gatys-explorer", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self) -> None:
        """Ask the optimisation to stop at its next step (``StopTransfer`` in the callback)."""
        self._stop_requested.set()
        if self.running:
            self.show_status("stopping ...")

    @property
    def running(self) -> bool:
        """True while a run of this explorer is in progress."""
        return self._running

    def _optimise(self) -> TransferResult:
        """Read the config, run ``gatys.transfer`` with the live callback, show the result."""
        try:
            config = self.config()
            self._live_history = History()
            self.show_status(
                f"starting: {config.size} px, {config.total_steps} {config.optimizer} steps ..."
            )
            result = gatys.transfer(
                self.content.source(),
                self.style.source(),
                config,
                callbacks=[self._on_step],
                progress=False,
                weights=self.weights,
            )
        except Exception as error:
            self.show_status(f"cannot run: {type(error).__name__}: {error}", error=True)
            raise
        finally:
            self._set_running(False)
        self.result = result
        self._show_result(result)
        return result

    def _optimise_and_keep_error(self) -> None:
        """The thread's work: errors are already in the status line; keep them in ``error``."""
        try:
            self._optimise()
        except Exception as error:
            self.error = error

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
        """The ``transfer`` callback: stop if asked, update the status, redraw every few steps."""
        if self._stop_requested.is_set():
            raise StopTransfer
        # Callbacks do not see loss evaluations; the live history records 0 (only steps are
        # plotted).
        self._live_history.record(step.step, step.scale, step.seconds, 0, step.losses)
        self.show_status(self._step_text(step))
        if step.step % self.update_every == 0 or step.is_last:
            self.pastiche.value = png_bytes(step.image)
            self.loss_curve.value = loss_curve_png(self._live_history)

    @staticmethod
    def _step_text(step: Step) -> str:
        losses = step.losses
        return (
            f"step {step.step}/{step.total_steps} · loss {losses['total']:.4g} "
            f"(content {losses['content']:.3g}, style {losses['style']:.3g}, "
            f"tv {losses['tv']:.3g}) "
            f"· {step.seconds:.1f} s"
        )

    def _show_result(self, result: TransferResult) -> None:
        """The final pastiche and the full loss curve; the status says how it ended."""
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
        self.show_status(f"{ended}: {len(history)} steps · {total}{seconds}")

    def show_status(self, text: str, error: bool = False) -> None:
        """Write one line into the status HTML (red for errors)."""
        color = "#b00020" if error else "inherit"
        self.status.value = f"<span style='color:{color}'>{html.escape(text, quote=False)}</span>"
