"""What the explorers share: PNG bytes for ``ipywidgets.Image``, the loss curve, layout helpers
(explicit widths, rows that wrap), tooltips across ipywidgets 7 and 8, the status line and the
static copy of the last result (for viewers without a kernel)."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from stlib import images, plotting
from stlib.gatys import History

__all__ = [
    "LOSS_FIGURE_DPI",
    "LOSS_FIGURE_INCHES",
    "draw_loss_terms",
    "loss_curve_png",
    "png_bytes",
    "set_tooltip",
]

LOSS_FIGURE_INCHES = (4.6, 3.2)
LOSS_FIGURE_DPI = 80

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
# PNG bytes: an image, the loss curve
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Layout: tooltips, explicit widths, rows that wrap, the explorer's frame
# ---------------------------------------------------------------------------------------------


def set_tooltip(widget: widgets.Widget, text: str) -> None:
    """The hover text of a widget: ``tooltip`` in ipywidgets 8, ``description_tooltip`` in 7.

    Without one, ipywidgets 8 shows the tooltip "null" on a FileUpload.
    """
    widget.set_trait("tooltip" if widget.has_trait("tooltip") else "description_tooltip", text)


def styled(widget: widgets.Widget, width: str, margin: str = GAP, **style: str) -> widgets.Widget:
    """``widget`` with an explicit width, a margin and its description column width."""
    widget.layout.width = width
    widget.layout.margin = margin
    if widget.has_trait("style") and "description_width" in widget.style.keys:
        widget.style.description_width = DESCRIPTION_WIDTH
    for name, value in style.items():
        setattr(widget.style, name, value)
    return widget


def wrapping_row(children: list, **layout: str) -> widgets.HBox:
    """An HBox whose children wrap onto the next line when the output area is too narrow."""
    layout = {"flex_flow": "row wrap", "align_items": "center", "width": "100%", **layout}
    return widgets.HBox(children, layout=widgets.Layout(**layout))


def status_line() -> widgets.HTML:
    """The explorer's status line (``status_html`` fills it), full width."""
    line = widgets.HTML(
        value="Ready.", layout=widgets.Layout(width="100%", margin=FULL_WIDTH_MARGIN)
    )
    line.add_class(STATUS_CLASS)
    return line


def status_html(text: str, level: str = "info") -> str:
    """One status line as HTML, coloured by ``level`` (``STATUS_COLORS``: info, warning, error)."""
    return f"<span style='color:{STATUS_COLORS[level]}'>{html.escape(text, quote=False)}</span>"


def explorer_box(rows: list, pastiche: widgets.Image) -> widgets.VBox:
    """The live explorer: ``rows`` (the status line and ``pastiche`` among them), then the CSS
    that hides the static copy displayed after it (``static_copy_html``), at most 1100 px wide."""
    hide_snapshot = widgets.HTML(
        f"<style>.{SNAPSHOT_CLASS} {{display: none !important;}}</style>",
        layout=widgets.Layout(display="none"),
    )
    pastiche.add_class(PASTICHE_CLASS)
    explorer = widgets.VBox(
        [*rows, hide_snapshot], layout=widgets.Layout(width="100%", max_width="1100px")
    )
    explorer.add_class(EXPLORER_CLASS)
    return explorer


# ---------------------------------------------------------------------------------------------
# The static copy of the last result (for viewers without a kernel)
# ---------------------------------------------------------------------------------------------


def png_img(png: bytes, alt: str, width: int | None = None) -> str:
    """An ``<img>`` tag holding PNG bytes as a base64 data URL (no file, no network)."""
    size = f" width='{width}'" if width else ""
    encoded = base64.b64encode(png).decode("ascii")
    return f"<img src='data:image/png;base64,{encoded}' alt='{alt}'{size} style='margin:4px'>"


def static_copy_html(title: str, controls: str, status: str, pictures: str) -> str:
    """A static copy as self-contained HTML: its title, the status text and ``pictures``
    (``<img>`` tags). It carries the CSS class ``SNAPSHOT_CLASS``: the live widget hides it, so it
    shows only where the widget cannot (an HTML export viewed offline, a notebook opened without
    a kernel). ``controls`` names what needs the kernel ("controls", "sliders")."""
    return (
        f"<div class='{SNAPSHOT_CLASS}'>"
        f"<p><b>{title}, static copy</b> (the {controls} need a running kernel)<br>"
        f"{html.escape(status, quote=False)}</p>"
        f"<div>{pictures}</div></div>"
    )


class WithStaticCopy:
    """What both explorers share: the live widget followed by a static copy of the last result
    (an HTML snapshot, hidden while the widget is live), rewritten after every result; and the
    status line.

    A subclass sets ``widget``, ``status`` (``status_line()``), ``status_text``,
    ``_snapshot_handles = []``, ``STATIC_TITLE`` and ``snapshot_html()``.
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

    def show_status(self, text: str, error: bool = False, *, warning: bool = False) -> None:
        """Write one line into the status HTML (red for errors, amber for warnings)."""
        self.status_text = text
        self.status.value = status_html(
            text, "error" if error else "warning" if warning else "info"
        )
