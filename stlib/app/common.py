"""What every panel of the app shares: errors worded as the command line words them, PNG bytes,
the loss curve as a picture. No algorithm here: that is stlib's."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import streamlit as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from stlib.cli import arbitrary as cli_arbitrary
from stlib.cli import cin as cli_cin
from stlib.cli import common as cli_common
from stlib.cli import transfer as cli_transfer
from stlib.validation import SettingError

LOG = logging.getLogger("stlib.app")

# How the page names each setting (the widget's label), for error messages: the same problem as
# the command line's, in the page's own terms ("Strength 1.5: ..." where it says "--strength").
LABELS: dict[str, str] = {
    "content": "Content",
    "style": "Style",
    "method": "Method",
    "size": "Size",
    "preserve_color": "Keep the photo's colours",
    "mix": "Style weights",
    "model": "Network",
    "strength": "Strength",
    "style_size": "Style size",
    "transformer": "Transformer",
    "backend": "Backend",
    "compute_size": "Compute size",
    "preset": "Preset",
    "content_weight": "Content weight",
    "style_weight": "Style weight",
    "tv_weight": "TV weight",
    "content_layers": "Content layers",
    "style_layers": "Style layers",
    "optimizer": "Optimizer",
    "learning_rate": "Learning rate",
    "steps": "Steps",
    "scales": "Scales",
    "init": "Start from",
    "seed": "Seed",
}


def label(name: str) -> str:
    """The page's name of a setting; a field without a widget keeps its own name."""
    return LABELS.get(name, name)


def _shown(name: str, value: Any) -> str:
    return cli_common.option_text(value)


def page_message(error: BaseException) -> str:
    """The error in the page's terms: ``Style weight -1: must be a finite number >= 0``."""
    if isinstance(error, SettingError):
        return error.worded(label, _shown, separator=" ")
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error) or type(error).__name__


def cli_message(error: BaseException, command: str) -> str:
    """The line ``command`` (``stlib transfer``) prints for the same error on the command line."""
    labels = {"stlib arbitrary": cli_arbitrary.option_label, "stlib cin": cli_cin.option_label}
    option = labels.get(command, cli_transfer.option_label)
    return f"{command}: error: {cli_common.message(error, option)}"


def is_expected(error: BaseException) -> bool:
    """Whether the user can act on ``error`` (a setting, an image, a missing file), or it is a bug.

    The command line's split (``stlib.cli``): settings, images, missing files and failed runs
    are ValueError, OSError or RuntimeError (ImageError, ModelNotFoundError, TransferError...);
    anything else is a bug.
    """
    return isinstance(error, (SettingError, ValueError, OSError, RuntimeError))


def show_error(error: BaseException, command: str) -> None:
    """``st.error`` with the message, never a traceback; the page keeps working.

    A setting's error also shows how the command line words it, so that the two can be matched.
    A bug is logged with its traceback on the server, and the page says so.
    """
    if not is_expected(error):
        LOG.error("unexpected error in the app", exc_info=error)
        st.error(
            f"Internal error: {type(error).__name__}: {error}. This is a bug in stlib; the "
            "server's log has the traceback."
        )
        return
    st.error(page_message(error))
    if isinstance(error, SettingError) and error.settings:
        st.caption(f"The command line says: `{cli_message(error, command)}`")


def png_bytes(image: Any) -> bytes:
    """An image (float [H, W, 3] or [1, H, W, 3] in [0, 1]) -> the bytes of a PNG file."""
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels[0] if pixels.ndim == 4 else pixels
    buffer = io.BytesIO()
    Image.fromarray(np.clip(np.rint(pixels * 255.0), 0, 255).astype(np.uint8)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def show_picture(
    pair: Any,
    picture: Any,
    label: str,
    suffix: str,
    command_line: Callable[[str], str],
    note: str | None = None,
) -> None:
    """A feed-forward pastiche: the image captioned with its size and time, ``note`` under it,
    the PNG download (``PHOTO-suffix.png``) and ``command_line(output)``, the command that makes
    the same picture, with the note on uploaded files."""
    height, width = picture.image.shape[:2]
    st.image(
        picture.image,
        caption=f"{label}: {width}x{height} px in {picture.seconds:.2f} s",
        clamp=True,
    )
    if note:
        st.caption(note)
    output = f"{pair.content.name.rsplit('.', 1)[0]}-{suffix}.png"
    st.download_button(
        "Download PNG",
        png_bytes(picture.image),
        file_name=output,
        mime="image/png",
        key="download",
        on_click="ignore",
        type="primary",
    )
    with st.expander("The same picture from the command line"):
        st.code(command_line(output), language="bash", wrap_lines=True)
        if pair.files_note():
            st.caption(pair.files_note())


def loss_curve_png(history: Any) -> bytes:
    """``stlib.plotting.loss_terms(history)`` as PNG bytes, drawn off pyplot (safe in threads)."""
    from stlib import plotting

    figure = Figure(figsize=(5.0, 3.0), dpi=90, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    plotting.loss_terms(history, ax=axes)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole: no 1.5
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def settings_line(values: Mapping[str, Any]) -> str:
    """``Strength 0.8 · Size 384``: a caption of the settings that made a picture."""
    shown = (f"{label(name)} {cli_common.option_text(value)}" for name, value in values.items())
    return " · ".join(shown)
