"""What the widget tests share: small random images, the Gatys explorer they are made in, and
what the browser does to a FileUpload in ipywidgets 7 and 8. Random VGG weights (weights=None)
and tiny images keep the tests fast."""

from __future__ import annotations

import datetime
import io
import re

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

ipywidgets = pytest.importorskip("ipywidgets")

from stlib.widgets import GatysExplorer  # noqa: E402
from stlib.widgets.pickers import UPLOAD_VALUE  # noqa: E402

IPYWIDGETS_7 = int(ipywidgets.__version__.split(".")[0]) < 8

rng = np.random.default_rng(0)
CONTENT = tf.constant(rng.random((1, 48, 64, 3)), tf.float32)  # H 48, W 64
STYLE = tf.constant(rng.random((1, 40, 40, 3)), tf.float32)


def make_explorer(**changes) -> GatysExplorer:
    options = dict(size=48, steps=3, update_every=1, weights=None)
    options.update(changes)
    return GatysExplorer(CONTENT, STYLE, **options)


def decoded_size(png: bytes) -> tuple[int, int]:
    """(width, height) of PNG bytes."""
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


def recorder(widget, name: str = "value") -> list:
    """Every new value the trait takes from now on."""
    values = []
    widget.observe(lambda change: values.append(change["new"]), names=name)
    return values


def uploaded_file(name: str, content: bytes) -> tuple[dict, ...]:
    """What ipywidgets 8's FileUpload.value holds after the browser sent one file."""
    return (
        {
            "name": name,
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime.now(datetime.timezone.utc),
        },
    )


def uploaded_file_7(name: str, content: bytes) -> dict:
    """What ipywidgets 7.7's (Colab's) FileUpload.value holds after the browser sent one file."""
    metadata = {"name": name, "type": "", "size": len(content), "lastModified": 1700000000000}
    return {name: {"metadata": metadata, "content": content}}


def send_file(upload, name: str, content: bytes) -> None:
    """Do what the browser does when a file is chosen, in the installed ipywidgets' terms."""
    if IPYWIDGETS_7:  # the frontend sends metadata and data, then bumps the counter
        upload.metadata, upload.data = [{"name": name, "type": "", "size": len(content)}], [content]
        upload._counter += 1
    else:
        upload.value = uploaded_file(name, content)


def upload_label(picker) -> str:
    """The label of the dropdown entry that stands for the image in use, or ""."""
    return dict((value, label) for label, value in picker.dropdown.options).get(UPLOAD_VALUE, "")


def tooltip(widget) -> str | None:
    return widget.tooltip if widget.has_trait("tooltip") else widget.description_tooltip


def all_widgets(widget) -> list:
    """``widget`` and everything inside it, depth first."""
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += all_widgets(child)
    return found


def pixels(value: str) -> int:
    """'370px' -> 370; anything that is not a pixel width fails the test."""
    match = re.fullmatch(r"(\d+)px", value or "")
    assert match, f"expected an explicit pixel width, got {value!r}"
    return int(match.group(1))


def capture_display(monkeypatch) -> tuple[list, list]:
    """Replace IPython's ``display``: returns (what was shown, the updates of the display handles)
    as two lists that fill as the explorer displays itself and rewrites its static copy."""
    import IPython.display

    shown, updates = [], []

    class Handle:  # what IPython's display(..., display_id=True) returns
        def update(self, obj, **options):
            updates.append((obj, options))

    monkeypatch.setattr(
        IPython.display,
        "display",
        lambda *objs, **options: (
            shown.append(objs) or (Handle() if options.get("display_id") else None)
        ),
    )
    return shown, updates
