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
  ``style_weight = content_weight / r``: sliding to the left weighs style more. The slider spans
  ``RATIO_DECADES`` decades either side of the preset's ratio.
* **style layers**: a ticked layer keeps the preset's weight :math:`w_l` (1/5 if the preset does
  not list it); an unticked layer is left out (:math:`w_l = 0`).
* **TV weight** :math:`\\gamma` = ``tv_weight`` when "TV on" is ticked, else 0.
* **size, steps, optimiser, init, pooling**: the fields of the same names.

``ArbitraryExplorer`` (notebook 07) does the same for the arbitrary style network of Ghiasi et al.
(2017): a photo, two paintings, a strength slider and a mixing slider, repainted in a fraction of
a second whenever a control is released.

Works with ipywidgets 7.7 (Colab) and 8. After each run the explorer also leaves a static copy
(status line, pastiche and loss curve as an HTML image) under the widget, for viewers without a
kernel (an exported HTML page, a notebook opened without running it); the live widget hides it.
"""

from __future__ import annotations

import base64
import html
import io
import math
import threading
import time
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image as PILImage

from stlib import data, gatys, images, plotting, settings, vgg
from stlib.gatys import GatysConfig, History, Step, StopTransfer, TransferResult
from stlib.gatys.config import INITS, OPTIMIZERS, STYLE_LAYERS_GATYS

__all__ = [
    "ARBITRARY_QUICK_SIZE",
    "ARBITRARY_SIZE",
    "ArbitraryExplorer",
    "DEFAULT_LAYER_WEIGHT",
    "GatysExplorer",
    "ImagePicker",
    "LOSS_FIGURE_DPI",
    "LOSS_FIGURE_INCHES",
    "NOISE_START_STEPS",
    "PREVIEW_SIDE",
    "QUICK_RATIOS",
    "QUICK_SIZE",
    "QUICK_STEPS",
    "RATIO_DECADES",
    "clear_upload",
    "decode_upload",
    "draw_loss_terms",
    "loss_curve_png",
    "noise_start_warning",
    "paper_layer_name",
    "png_bytes",
    "ratio_of",
    "set_tooltip",
    "snapshot_html",
    "uploaded_files",
    "arbitrary_snapshot_html",
    "with_ratio",
]

PREVIEW_SIDE = 128  # pixels, longest side of the content and style thumbnails
DEFAULT_LAYER_WEIGHT = 1.0 / len(
    STYLE_LAYERS_GATYS
)  # w_l of a ticked layer the preset does not list
LOSS_FIGURE_INCHES = (4.6, 3.2)
LOSS_FIGURE_DPI = 80

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

UPLOAD_VALUE = "<upload>"  # value of the dropdown entry that stands for the upload in use
SNAPSHOT_CLASS = "stlib-explorer-snapshot"  # the static copy's CSS class; the live widget hides it
# CSS classes of the live explorer, its status line and its pastiche (the browser test finds them).
EXPLORER_CLASS, STATUS_CLASS, PASTICHE_CLASS = "stlib-explorer", "stlib-status", "stlib-pastiche"

# Explicit widths, so that the controls wrap instead of squeezing at 800-950 px output width.
PICKER_WIDTH = "330px"
SLIDER_WIDTH = "370px"
DESCRIPTION_WIDTH = "80px"
GAP = "2px 14px 2px 0px"  # margin around each control: room between neighbours in a wrapped row
FULL_WIDTH_MARGIN = "2px 0px"  # a 100 % wide widget with side margins would stick out and scroll

STATUS_COLORS = {"info": "inherit", "warning": "#9a5b00", "error": "#b00020"}


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
    draw_loss_terms(history, figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def draw_loss_terms(history: History, ax) -> None:
    """``plotting.loss_terms`` on ``ax``, with the total beneath the terms and whole-step ticks."""
    plotting.loss_terms(history, ax=ax)
    _total_beneath(ax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole: no 1.5 ticks


def _total_beneath(ax) -> None:
    """Draw the total as a wide, pale, dashed band under the terms.

    Whenever one term dominates, the total lies on top of it; drawn beneath and wider, both show.
    """
    for line in ax.get_lines():
        if line.get_label() == "total":
            line.set(linestyle="--", linewidth=3.2, alpha=0.45, zorder=1)
        else:
            line.set(linewidth=1.6, zorder=3)
    ax.legend()  # rebuilt: legend handles copy the line styles when they are made


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


# ---------------------------------------------------------------------------------------------
# FileUpload across ipywidgets 7 and 8
# ---------------------------------------------------------------------------------------------


def uploaded_files(value: Any) -> list[tuple[str, bytes]]:
    """``FileUpload.value`` -> ``[(file name, file bytes), ...]`` for ipywidgets 7 and 8.

    ipywidgets 8 holds a tuple of dicts with ``name`` and ``content`` (a memoryview); ipywidgets
    7.7 (Colab) a dict ``{name: {"metadata": {...}, "content": bytes}}``. Empty: ``[]``.
    """
    if not value:
        return []
    if isinstance(value, Mapping):  # ipywidgets 7
        return [(str(name), bytes(entry["content"])) for name, entry in value.items()]
    return [(str(entry["name"]), bytes(entry["content"])) for entry in value]


def clear_upload(upload: widgets.FileUpload) -> None:
    """Empty a FileUpload: its "Upload (1)" count goes, and the same file can be sent again.

    A value equal to the current one raises no change event, so a file that is still held would
    be ignored when uploaded again. ipywidgets 7 derives the (read-only) value from ``_counter``,
    ``metadata`` and ``data``; ipywidgets 8 holds the value itself.
    """
    if isinstance(upload.value, Mapping):  # ipywidgets 7
        upload.metadata, upload.data = [], []
        upload._counter = 0
        upload.set_trait("value", {})
    else:
        upload.value = ()


def set_tooltip(widget: widgets.Widget, text: str) -> None:
    """The hover text of a widget: ``tooltip`` in ipywidgets 8, ``description_tooltip`` in 7.

    Without one, ipywidgets 8 shows the tooltip "null" on a FileUpload.
    """
    widget.set_trait("tooltip" if widget.has_trait("tooltip") else "description_tooltip", text)


def _styled(widget: widgets.Widget, width: str, margin: str = GAP, **style: str) -> widgets.Widget:
    """``widget`` with an explicit width, a margin and its description column width."""
    widget.layout.width = width
    widget.layout.margin = margin
    if widget.has_trait("style") and "description_width" in widget.style.keys:
        widget.style.description_width = DESCRIPTION_WIDTH
    for name, value in style.items():
        setattr(widget.style, name, value)
    return widget


def _wrapping_row(children: list, **layout: str) -> widgets.HBox:
    """An HBox whose children wrap onto the next line when the output area is too narrow."""
    layout = {"flex_flow": "row wrap", "align_items": "center", "width": "100%", **layout}
    return widgets.HBox(children, layout=widgets.Layout(**layout))


# ---------------------------------------------------------------------------------------------
# The static copy of the last run (for viewers without a kernel)
# ---------------------------------------------------------------------------------------------


def _png_img(png: bytes, alt: str, width: int | None = None) -> str:
    """An ``<img>`` tag holding PNG bytes as a base64 data URL (no file, no network)."""
    size = f" width='{width}'" if width else ""
    encoded = base64.b64encode(png).decode("ascii")
    return f"<img src='data:image/png;base64,{encoded}' alt='{alt}'{size} style='margin:4px'>"


def snapshot_html(status: str, pastiche: bytes = b"", curve: bytes = b"") -> str:
    """The explorer's last run as self-contained HTML: status text, pastiche and loss curve.

    ``pastiche`` and ``curve`` are PNG bytes (empty before any run). The block carries the CSS
    class ``SNAPSHOT_CLASS``: the live widget hides it, so it shows only where the widget cannot
    (an HTML export viewed offline, a notebook opened without a kernel).
    """
    pictures = "".join(
        _png_img(png, alt, width)
        for png, alt, width in ((pastiche, "pastiche", 320), (curve, "loss curve", None))
        if png
    )
    return (
        f"<div class='{SNAPSHOT_CLASS}'>"
        "<p><b>Gatys explorer, static copy</b> (the controls need a running kernel)<br>"
        f"{html.escape(status, quote=False)}</p>"
        f"<div>{pictures}</div></div>"
    )


# ---------------------------------------------------------------------------------------------
# One image picker: a sample Dropdown, a FileUpload and a thumbnail
# ---------------------------------------------------------------------------------------------


class ImagePicker:
    """Choose the content (or style) image: a sample by name, or an uploaded file.

    ``source()`` is what ``gatys.transfer`` takes: the sample name, or the uploaded image
    [1, H, W, 3]. While an upload (or an image given in code) is in use, the dropdown shows it
    as its first entry, "(upload: name)", so that choosing any sample, the previous one too,
    goes back to the samples. Messages go to ``report(text, error=False)``: a bad upload or a
    sample that cannot be loaded is reported there, and the image in use stays the same.
    """

    def __init__(self, kind: str, initial: Any, report) -> None:
        self.kind = kind
        self.report = report
        self.names = data.sample_names(kind)
        self.uploaded = (
            None  # [1, H, W, 3] when an upload (or an image given in code) replaces the sample
        )
        self.uploaded_name = ""
        self._quiet = False  # True while the picker itself rewrites the dropdown
        given_name = isinstance(initial, str)
        self.dropdown = _styled(
            widgets.Dropdown(
                options=self.names,
                value=initial if given_name and initial in self.names else self.names[0],
                description=kind.capitalize(),
            ),
            "100%",
            margin=FULL_WIDTH_MARGIN,
        )
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload")
        set_tooltip(
            self.upload,
            f"Upload your own {kind} image (PNG, JPEG, WebP, ...): it replaces the sample",
        )
        self.preview = widgets.Image(format="png", width=str(PREVIEW_SIDE))
        self.caption = widgets.HTML(layout=widgets.Layout(width="100%", margin=FULL_WIDTH_MARGIN))
        if given_name:
            self.dropdown.value = initial  # an unknown name fails here, listing the choices
            self._show_sample()
        else:
            self._use_image(images.load(initial), "image given in code")
        self.dropdown.observe(self._on_sample, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.widget = widgets.VBox(
            [self.dropdown, self.upload, self.preview, self.caption],
            layout=widgets.Layout(width=PICKER_WIDTH, margin="0px 24px 8px 0px"),
        )

    def source(self) -> Any:
        """The sample name, or the uploaded image [1, H, W, 3] if there is one."""
        return self.dropdown.value if self.uploaded is None else self.uploaded

    def _on_sample(self, change) -> None:
        """A sample chosen in the dropdown replaces any upload; the status says which."""
        if self._quiet or change["new"] == UPLOAD_VALUE:
            return
        self.uploaded, self.uploaded_name = None, ""
        self._offer_upload_entry("")
        clear_upload(self.upload)
        if self._show_sample():
            self.report(f"{self.kind}: sample '{self.dropdown.value}'")

    def _on_upload(self, change) -> None:
        """Decode the uploaded file; on failure report why and keep the current image.

        The FileUpload is emptied either way: its count goes and the same file can come again.
        """
        files = uploaded_files(change["new"])
        if not files:
            return
        name, content = files[-1]
        clear_upload(self.upload)
        try:
            image = decode_upload(content, f"'{name}'")
        except images.ImageError as error:
            self.report(f"{self.kind} upload refused: {error}", error=True)
            return
        self._use_image(image, f"upload: {name}")
        self.report(f"{self.kind}: using uploaded '{name}'")

    def _use_image(self, image, name: str) -> None:
        """Make ``image`` [1, H, W, 3] the one in use, shown as "(name)" in the dropdown."""
        self.uploaded, self.uploaded_name = image, name
        self._offer_upload_entry(f"({name})")
        self.preview.value = png_bytes(images.resize(image, PREVIEW_SIDE))
        self.caption.value = _caption_html(name)

    def _offer_upload_entry(self, label: str) -> None:
        """Put ``label`` first in the dropdown and select it, or ("") remove that entry.

        Changing the options resets a Dropdown's value; the flag keeps that from counting as a
        sample chosen, and the sample that was selected is selected again.
        """
        selected = self.dropdown.value
        entry = [(label, UPLOAD_VALUE)] if label else []
        self._quiet = True
        try:
            self.dropdown.options = entry + [(name, name) for name in self.names]
            self.dropdown.value = UPLOAD_VALUE if label else selected
        finally:
            self._quiet = False

    def _show_sample(self) -> bool:
        """Thumbnail and credit of the selected sample; False (and reported) when it fails."""
        name = self.dropdown.value
        try:
            self.preview.value = png_bytes(data.load(name, PREVIEW_SIDE))
        except (ValueError, OSError) as error:  # ImageError, UnknownSampleError, download errors
            self.report(f"cannot show the {self.kind} sample {name!r}: {error}", error=True)
            return False
        self.caption.value = _caption_html(data.info(name).credit)
        return True


def _caption_html(text: str) -> str:
    """Small print that wraps inside its column: a long credit must not widen the picker."""
    return (
        "<div style='white-space:normal; overflow-wrap:anywhere; line-height:1.3; "
        f"font-size:85%'>{html.escape(text)}</div>"
    )


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------


class _WithStaticCopy:
    """What both explorers share: the live widget followed by a static copy of the last result
    (an HTML snapshot, hidden while the widget is live), rewritten after every result.

    A subclass sets ``widget``, ``status_text``, ``_snapshot_handles = []``, ``STATIC_TITLE`` and
    ``snapshot_html()``.
    """

    STATIC_TITLE = "explorer"

    def _ipython_display_(self) -> None:
        """The live widget, then its static copy (updated after every result, hidden when live)."""
        from IPython.display import display

        display(self.widget)
        handle = display(self._snapshot_bundle(), raw=True, display_id=True)
        if handle is not None:  # None outside IPython
            self._snapshot_handles.append(handle)

    def _snapshot_bundle(self) -> dict[str, str]:
        """The static copy as a display bundle: HTML, and plain text for text-only viewers."""
        return {
            "text/html": self.snapshot_html(),
            "text/plain": f"{self.STATIC_TITLE} (static copy): {self.status_text}",
        }

    def _refresh_snapshots(self) -> None:
        """Rewrite every displayed static copy with the current result."""
        for handle in self._snapshot_handles:
            handle.update(self._snapshot_bundle(), raw=True)


class GatysExplorer(_WithStaticCopy):
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
    in a thread (so that Stop works); the last ``TransferResult`` is kept in ``result``.
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
        self.result: TransferResult | None = None
        self.error: Exception | None = None
        self.use_thread = True  # the Run button starts a thread; False runs in the kernel's thread
        self.status_text = "Ready."
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = False
        self._warning_shown = False
        self._live_history = History()
        self._snapshot_handles: list = []  # IPython display handles of the static copies
        self._base = gatys.preset(preset)

        self.status = widgets.HTML(
            value="Ready.", layout=widgets.Layout(width="100%", margin=FULL_WIDTH_MARGIN)
        )
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
        self.preset = _styled(
            widgets.Dropdown(
                options=list(gatys.PRESETS), value=self._base.preset, description="Preset"
            ),
            "300px",
        )
        self.ratio = _styled(
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
        self.tv_weight = _styled(
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
        self.size = _styled(
            widgets.IntSlider(
                value=size, min=images.MIN_SIDE, max=1024, step=16, description="Size (px)"
            ),
            SLIDER_WIDTH,
        )
        self.steps = _styled(
            widgets.IntSlider(value=steps, min=1, max=1000, step=1, description="Steps"),
            SLIDER_WIDTH,
        )
        self.optimizer = _styled(
            widgets.ToggleButtons(options=list(OPTIMIZERS), description="Optimiser"),
            "290px",
            **buttons,
        )
        self.init = _styled(widgets.Dropdown(options=list(INITS), description="Init"), "220px")
        self.pooling = _styled(
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
        layers = _wrapping_row([label, *self.layer_boxes.values()], width="auto", margin=GAP)
        tv = _wrapping_row([self.tv_on, self.tv_weight], width="auto", margin=GAP)
        # Inside the live widget only: hides the static copy that follows it (snapshot_html).
        hide_snapshot = widgets.HTML(
            f"<style>.{SNAPSHOT_CLASS} {{display: none !important;}}</style>",
            layout=widgets.Layout(display="none"),
        )
        self.status.add_class(STATUS_CLASS)
        self.pastiche.add_class(PASTICHE_CLASS)
        explorer = widgets.VBox(
            [
                _wrapping_row([self.content.widget, self.style.widget], align_items="flex-start"),
                _wrapping_row([self.preset, self.ratio]),
                _wrapping_row([layers, tv]),
                _wrapping_row([self.size, self.steps]),
                _wrapping_row([self.optimizer, self.init, self.pooling]),
                _wrapping_row([self.run_button, self.stop_button]),
                self.status,
                _wrapping_row([self.pastiche, self.loss_curve], align_items="flex-start"),
                hide_snapshot,
            ],
            layout=widgets.Layout(width="100%", max_width="1100px"),
        )
        explorer.add_class(EXPLORER_CLASS)
        return explorer

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
        level = "error" if error else "warning" if warning else "info"
        self.status_text = text
        self._warning_shown = False
        self.status.value = (
            f"<span style='color:{STATUS_COLORS[level]}'>{html.escape(text, quote=False)}</span>"
        )


# ---------------------------------------------------------------------------------------------
# The arbitrary-style explorer (Ghiasi et al. 2017): strength and mixing sliders, live
# ---------------------------------------------------------------------------------------------

# Longest side of the explorer's pastiche. The dynamic TFLite transformer paints 384 px in about
# 0.3-0.4 s on a 2-core CPU (256 px in about 0.15 s), so a slider move redraws within a second.
ARBITRARY_SIZE = 384
ARBITRARY_QUICK_SIZE = 256
ARBITRARY_MIN_SIZE, ARBITRARY_MAX_SIZE = 64, 1024  # the size slider's range, px
ARBITRARY_SLIDER_STEP = 0.05
PASTICHE_WIDTH = "420"  # px the pastiche is shown at, whatever size it was painted at


def arbitrary_snapshot_html(status: str, pastiche: bytes = b"") -> str:
    """The arbitrary-style explorer's last picture as self-contained HTML (status and pastiche).

    Carries ``SNAPSHOT_CLASS`` like the Gatys explorer's copy: hidden under the live widget, shown
    in an HTML export or a notebook opened without a kernel.
    """
    picture = _png_img(pastiche, "pastiche", int(PASTICHE_WIDTH)) if pastiche else ""
    return (
        f"<div class='{SNAPSHOT_CLASS}'>"
        "<p><b>Arbitrary-style explorer, static copy</b> (the sliders need a running kernel)<br>"
        f"{html.escape(status, quote=False)}</p>"
        f"<div>{picture}</div></div>"
    )


class ArbitraryExplorer(_WithStaticCopy):
    """A photo, two paintings, two sliders: the arbitrary style network (Ghiasi et al. 2017), live.

    Args:
        content: a content sample name (``data.sample_names("content")``) or an image.
        style_a, style_b: style sample names or images.
        strength: where the slider starts: 0 paints with the photo's own embedding (the photo
            redrawn by the network), 1 with the paintings' mix.
        mix: the share of style B: the embedding is ``(1 - mix) e_A + mix e_B`` (0: A only).
        size: longest side of the pastiche in px (default ``ARBITRARY_SIZE``,
            ``ARBITRARY_QUICK_SIZE`` in quick mode).
        stylizer: an ``stlib.arbitrary`` stylizer with embeddings (default:
            ``arbitrary.load("tflite")``, the official TFLite files).
        render: paint the first picture now (default True).

    Each control, when released, repaints with ``stylizer.stylize(content, [A, B],
    weights=(1 - mix, mix), strength=strength, size=size)``: no optimisation, one pass of the
    transformer (a fraction of a second on a CPU). The two paintings are embedded once and kept
    until a picker changes. ``render()`` paints here and now and returns the pastiche
    [1, H, W, 3]; ``image`` keeps the last one.

    Works with ipywidgets 7.7 (Colab) and 8, from 800 px of output width (controls have explicit
    widths and wrap). Under the live widget a static copy of the last picture is kept for viewers
    without a kernel.
    """

    STATIC_TITLE = "Arbitrary-style explorer"

    def __init__(
        self,
        content: Any = "tuebingen",
        style_a: Any = "great_wave",
        style_b: Any = "the_scream",
        *,
        strength: float = 1.0,
        mix: float = 0.0,
        size: int | None = None,
        stylizer: Any = None,
        render: bool = True,
    ) -> None:
        if stylizer is None:
            from stlib import arbitrary

            stylizer = arbitrary.load("tflite")
        self.stylizer = stylizer
        self.image = None  # the last pastiche, [1, H, W, 3]
        self.error: Exception | None = None
        self.status_text = "Ready."
        self._styles = None  # the two paintings, prepared (embedded) once
        self._snapshot_handles: list = []
        self.status = widgets.HTML(
            value="Ready.", layout=widgets.Layout(width="100%", margin=FULL_WIDTH_MARGIN)
        )
        self.content = ImagePicker("content", content, self.show_status)
        self.style_a = ImagePicker("style", style_a, self.show_status)
        self.style_b = ImagePicker("style", style_b, self.show_status)
        self.style_a.dropdown.description, self.style_b.dropdown.description = "Style A", "Style B"
        self.strength = _styled(
            widgets.FloatSlider(
                value=_unit(strength, "strength"),
                min=0.0,
                max=1.0,
                step=ARBITRARY_SLIDER_STEP,
                readout_format=".2f",
                continuous_update=False,
                description="Strength",
            ),
            SLIDER_WIDTH,
        )
        self.mix = _styled(
            widgets.FloatSlider(
                value=_unit(mix, "mix"),
                min=0.0,
                max=1.0,
                step=ARBITRARY_SLIDER_STEP,
                readout_format=".2f",
                continuous_update=False,
                description="A → B",
            ),
            SLIDER_WIDTH,
        )
        set_tooltip(self.strength, "0: the photo redrawn by the network; 1: the full style")
        set_tooltip(self.mix, "share of style B in the mix: 0 only A, 1 only B")
        self.size = _styled(
            widgets.IntSlider(
                value=size or settings.quick_or(ARBITRARY_SIZE, ARBITRARY_QUICK_SIZE),
                min=ARBITRARY_MIN_SIZE,
                max=ARBITRARY_MAX_SIZE,
                step=32,
                continuous_update=False,
                description="Size (px)",
            ),
            SLIDER_WIDTH,
        )
        self.pastiche = widgets.Image(format="png", width=PASTICHE_WIDTH)
        for control in (self.strength, self.mix, self.size):
            control.observe(self._on_control, names="value")
        for picker in (self.style_a, self.style_b):
            # The thumbnail changes whenever the picker takes a new image (sample or upload).
            picker.preview.observe(self._on_style_changed, names="value")
        self.content.preview.observe(self._on_control, names="value")
        self.widget = self._layout()
        if render:
            self.render()

    def _layout(self) -> widgets.Box:
        """Three pickers that wrap (330 px each), the sliders, the status, the pastiche."""
        hide_snapshot = widgets.HTML(
            f"<style>.{SNAPSHOT_CLASS} {{display: none !important;}}</style>",
            layout=widgets.Layout(display="none"),
        )
        self.status.add_class(STATUS_CLASS)
        self.pastiche.add_class(PASTICHE_CLASS)
        pickers = [self.content.widget, self.style_a.widget, self.style_b.widget]
        explorer = widgets.VBox(
            [
                _wrapping_row(pickers, align_items="flex-start"),
                _wrapping_row([self.strength, self.mix]),
                _wrapping_row([self.size]),
                self.status,
                self.pastiche,
                hide_snapshot,
            ],
            layout=widgets.Layout(width="100%", max_width="1100px"),
        )
        explorer.add_class(EXPLORER_CLASS)
        return explorer

    def snapshot_html(self) -> str:
        """The static copy of the last picture: status line and pastiche, as HTML."""
        return arbitrary_snapshot_html(self.status_text, self.pastiche.value)

    # --- the settings and the picture ----------------------------------------------------------

    def weights(self) -> tuple[float, float]:
        """The mixing weights of styles A and B: ``(1 - mix, mix)``."""
        return (1.0 - self.mix.value, self.mix.value)

    def styles(self):
        """Styles A and B as ``stlib.arbitrary.Styles``, embedded once (until a picker changes)."""
        if self._styles is None:
            self._styles = self.stylizer.prepare([self.style_a.source(), self.style_b.source()])
        return self._styles

    def render(self) -> Any:
        """Paint with the controls' settings here and now; returns the pastiche [1, H, W, 3].

        A failure is shown in the status line and raised.
        """
        start = time.perf_counter()
        try:
            pastiche = self.stylizer.stylize(
                self.content.source(),
                self.styles(),
                weights=self.weights(),
                strength=self.strength.value,
                size=self.size.value,
            )
        except Exception as error:
            self.show_status(f"cannot paint: {type(error).__name__}: {error}", error=True)
            raise
        seconds = time.perf_counter() - start
        self.image = pastiche
        self.pastiche.value = png_bytes(pastiche)
        share_b = self.mix.value
        height, width = int(pastiche.shape[1]), int(pastiche.shape[2])
        self.show_status(
            f"{width}x{height} px · strength {self.strength.value:.2f} · "
            f"{100 * (1 - share_b):.0f} % A + {100 * share_b:.0f} % B · {seconds:.2f} s"
        )
        self._refresh_snapshots()
        return pastiche

    def _repaint(self) -> None:
        """``render`` from a control: errors stay in the status line (and ``error``)."""
        self.error = None
        try:
            self.render()
        except Exception as error:
            self.error = error

    def _on_control(self, change) -> None:
        self._repaint()

    def _on_style_changed(self, change) -> None:
        self._styles = None  # embed the new painting
        self._repaint()

    def show_status(self, text: str, error: bool = False, *, warning: bool = False) -> None:
        """Write one line into the status HTML (red for errors, amber for warnings)."""
        level = "error" if error else "warning" if warning else "info"
        self.status_text = text
        self.status.value = (
            f"<span style='color:{STATUS_COLORS[level]}'>{html.escape(text, quote=False)}</span>"
        )


def _unit(value: float, name: str) -> float:
    """``value`` as a float in [0, 1], or a ValueError naming ``name``."""
    if not (isinstance(value, (int, float)) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be a number from 0 to 1, got {value!r}")
    return float(value)
