"""Choose an image: a sample by name from a dropdown, or a file uploaded from the browser.

``ImagePicker`` is one such picker (a Dropdown, a FileUpload, a thumbnail and the credit);
``uploaded_files`` and ``clear_upload`` read and empty a ``FileUpload`` in ipywidgets 7.7
(Colab) and 8 alike; ``decode_upload`` turns the uploaded bytes into an stlib image.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
from PIL import Image as PILImage

from stlib import data, images
from stlib.widgets.common import (
    FULL_WIDTH_MARGIN,
    PICKER_WIDTH,
    png_bytes,
    set_tooltip,
    styled,
)

__all__ = ["PREVIEW_SIDE", "ImagePicker", "clear_upload", "decode_upload", "uploaded_files"]

PREVIEW_SIDE = 128  # pixels, longest side of the content and style thumbnails
UPLOAD_VALUE = "<upload>"  # value of the dropdown entry that stands for the upload in use


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
        self.dropdown = styled(
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
