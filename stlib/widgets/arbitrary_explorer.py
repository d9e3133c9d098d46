"""The arbitrary-style explorer (notebook 07): the arbitrary style network of Ghiasi et al.
(2017) with a photo, two paintings, a strength slider and a mixing slider, repainted in a
fraction of a second whenever a control is released."""

from __future__ import annotations

import time
from typing import Any

import ipywidgets as widgets

from stlib import settings
from stlib.widgets.common import (
    SLIDER_WIDTH,
    WithStaticCopy,
    explorer_box,
    png_bytes,
    png_img,
    set_tooltip,
    static_copy_html,
    status_line,
    styled,
    wrapping_row,
)
from stlib.widgets.pickers import ImagePicker

__all__ = ["ARBITRARY_QUICK_SIZE", "ARBITRARY_SIZE", "ArbitraryExplorer", "arbitrary_snapshot_html"]

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
    picture = png_img(pastiche, "pastiche", int(PASTICHE_WIDTH)) if pastiche else ""
    return static_copy_html("Arbitrary-style explorer", "sliders", status, picture)


class ArbitraryExplorer(WithStaticCopy):
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
    mix=(1 - mix, mix), strength=strength, size=size)``: no optimisation, one pass of the
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
        self.status = status_line()
        self.content = ImagePicker("content", content, self.show_status)
        self.style_a = ImagePicker("style", style_a, self.show_status)
        self.style_b = ImagePicker("style", style_b, self.show_status)
        self.style_a.dropdown.description, self.style_b.dropdown.description = "Style A", "Style B"
        self.strength = _unit_slider(
            strength,
            "strength",
            "Strength",
            "0: the photo redrawn by the network; 1: the full style",
        )
        self.mix = _unit_slider(
            mix, "mix", "A → B", "share of style B in the mix: 0 only A, 1 only B"
        )
        self.size = styled(
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
        pickers = [self.content.widget, self.style_a.widget, self.style_b.widget]
        return explorer_box(
            [
                wrapping_row(pickers, align_items="flex-start"),
                wrapping_row([self.strength, self.mix]),
                wrapping_row([self.size]),
                self.status,
                self.pastiche,
            ],
            self.pastiche,
        )

    def snapshot_html(self) -> str:
        """The static copy of the last picture: status line and pastiche, as HTML."""
        return arbitrary_snapshot_html(self.status_text, self.pastiche.value)

    # --- the settings and the picture ----------------------------------------------------------

    def mix_weights(self) -> tuple[float, float]:
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
                mix=self.mix_weights(),
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


def _unit_slider(value: float, name: str, description: str, tooltip: str) -> widgets.FloatSlider:
    """A slider from 0 to 1 that starts at ``value`` (refused by ``name`` outside [0, 1]) and
    repaints when released, not at every pixel of a drag."""
    slider = styled(
        widgets.FloatSlider(
            value=_unit(value, name),
            min=0.0,
            max=1.0,
            step=ARBITRARY_SLIDER_STEP,
            readout_format=".2f",
            continuous_update=False,
            description=description,
        ),
        SLIDER_WIDTH,
    )
    set_tooltip(slider, tooltip)
    return slider


def _unit(value: float, name: str) -> float:
    """``value`` as a float in [0, 1], or a ValueError naming ``name``."""
    if not (isinstance(value, (int, float)) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be a number from 0 to 1, got {value!r}")
    return float(value)
