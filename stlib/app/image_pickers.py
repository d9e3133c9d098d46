"""The images of the page: the photo (a sample, an upload or the camera) and the painting(s)
(samples and uploads) with their blend weights, a gallery of thumbnails, and the images at the
size a method paints at. Decoding and its errors are stlib's (``stlib.uploads``, ``stlib.data``).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from stlib import data, images, uploads
from stlib.app import common

CONTENT_DEFAULT = "tuebingen"
STYLE_DEFAULT = ("starry_night",)
UPLOAD, CAMERA = "<upload>", "<camera>"  # the content picker's entries that are not samples
MAX_STYLES = 4
from stlib.app import UPLOAD_MB  # noqa: E402  (the widgets' limit is the server's)

UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff", "gif"]
THUMBNAIL_SIDE = 160  # px, longest side of a gallery thumbnail
PREVIEW_SIDE = 512  # px, longest side of the images shown beside the result


@dataclass(frozen=True)
class Picked:
    """One image the user picked: a sample by name, or the bytes of an upload or a photo.

    ``key`` identifies the picture for the caches (a sample's name, an upload's SHA-1).
    """

    key: str
    name: str  # the sample name, or the file name
    data: bytes | None = field(default=None, repr=False, compare=False)

    @classmethod
    def sample(cls, name: str) -> Picked:
        return cls(f"sample:{name}", name)

    @classmethod
    def upload(cls, name: str, content: bytes) -> Picked:
        return cls(f"upload:{hashlib.sha1(content).hexdigest()}", name, content)

    @property
    def is_sample(self) -> bool:
        return self.data is None

    @property
    def credit(self) -> str:
        """ "The Starry Night, Vincent van Gogh (1889), Public domain"; "your upload"."""
        if not self.is_sample:
            return f"your upload ({self.name})"
        sample = data.info(self.name)
        author = sample.author.split(" (")[0].split(", ")[0]  # the full credit is in the gallery
        year = f" ({sample.year})" if sample.year else ""
        return f"{_short_title(self.name)}, {author}{year}, {sample.licence}"

    def source(self, role: str):
        """What stlib's loaders take, at full resolution: the sample's name, or the upload
        decoded (float32 [1, H, W, 3]); ImageError names it by ``role``."""
        return self.name if self.is_sample else uploads.load(self.data, role)


@dataclass(frozen=True)
class Pair:
    """The photo and the painting(s) of one picture, with how much of each painting (``mix``)
    and where each paints (``masks``: a ``mask_picker.Masks``; None or unplaced: mixed)."""

    content: Picked
    styles: tuple[Picked, ...]
    mix: tuple[float, ...]
    masks: Any = None

    @property
    def key(self) -> tuple:
        placed = self.masks.key if self.masks is not None else ()
        return (self.content.key, tuple(s.key for s in self.styles), self.mix, placed)

    @property
    def mask_sources(self) -> Any:
        """What ``stylize(..., masks=...)`` takes: None when the paintings are mixed."""
        return None if self.masks is None else self.masks.sources

    @property
    def masks_ok(self) -> bool:
        """False when masks were chosen that cannot place the paintings (no run then)."""
        return self.masks is None or self.masks.ok

    @property
    def names(self) -> list[str]:
        """The photo's and paintings' names as the command line takes them (samples, uploads)."""
        return [self.content.name, *(style.name for style in self.styles)]

    def style_role(self, index: int) -> str:
        return uploads.role("style", self.styles[index].name, index, len(self.styles))

    @property
    def content_role(self) -> str:
        return uploads.role("content", self.content.name)

    def files_note(self) -> str | None:
        """What a command line needs besides the samples: the uploads, saved under their names."""
        names = [p.name for p in (self.content, *self.styles) if not p.is_sample]
        names += list(self.masks.files) if self.mask_sources is not None else []
        if not names:
            return None
        return f"Run it where your own images are saved as {', '.join(names)}."

    @property
    def config_mix(self) -> tuple[float, ...] | None:
        """The ``mix`` a config takes: None (equal) for one painting, and with masks (each
        painting placed in its region, not mixed)."""
        return self.mix if len(self.styles) > 1 and self.mask_sources is None else None


# --- cached loading: what a slider move must not redo ------------------------------------------


@st.cache_data(max_entries=24, show_spinner=False)
def _at_size(key: str, size: int | None, role: str, _picked: Picked) -> np.ndarray:
    """The image with its longest side ``size`` px, float32 [H, W, 3] (decoded once per size)."""
    if _picked.is_sample:
        tensor = images.load(data.path(_picked.name), size)  # as the command line loads it
    else:
        tensor = uploads.load(_picked.data, role, size)
    return tensor.numpy()[0]


def at_size(picked: Picked, size: int | None, role: str) -> np.ndarray:
    """``picked`` at longest side ``size``: float32 [H, W, 3] in [0, 1]; ImageError names it."""
    return _at_size(picked.key, size, role, picked)


@st.cache_data(max_entries=64, show_spinner=False)
def _thumbnail(name: str, side: int) -> bytes:
    """A sample's JPEG thumbnail, longest side ``side`` (Pillow's draft mode: a fast decode)."""
    with Image.open(data.path(name)) as opened:
        opened.draft("RGB", (side, side))
        picture = opened.convert("RGB")
        picture.thumbnail((side, side))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def preview(picked: Picked, role: str) -> np.ndarray | bytes:
    """What the page shows of a picked image: a thumbnail of a sample, an upload decoded."""
    if picked.is_sample:
        return _thumbnail(picked.name, PREVIEW_SIDE)
    return at_size(picked, PREVIEW_SIDE, role)


# --- the pickers ---------------------------------------------------------------------------------


def _content_label(value: str) -> str:
    if value == UPLOAD:
        return "Upload a photo…"
    if value == CAMERA:
        return "Take a photo with the camera…"
    return _short_title(value)


def _short_title(name: str) -> str:
    """A sample's title without its parenthesis: "Tuebingen Neckarfront", "The Starry Night"."""
    return data.info(name).title.split(" (")[0].split(" / ")[0]


def _style_label(value: str) -> str:
    return _short_title(value)


def _uploaded(file) -> Picked:
    return Picked.upload(file.name or "upload.png", file.getvalue())


def pick_content(command: str) -> Picked | None:
    """The photo picker (widget key ``content``) and its preview; None when no usable photo.

    A bad upload shows ``st.error`` (the command line's message) and gives None.
    """
    st.session_state.setdefault("content", CONTENT_DEFAULT)
    choice = st.selectbox(
        "Content",
        [*data.sample_names("content"), UPLOAD, CAMERA],
        format_func=_content_label,
        key="content",
        help="The photograph whose layout is kept.",
    )
    if choice == UPLOAD:
        file = st.file_uploader(
            "Your photo",
            type=UPLOAD_TYPES,
            key="content_upload",
            max_upload_size=UPLOAD_MB,
            help=f"At most {UPLOAD_MB} MB and {uploads.MAX_UPLOAD_PIXELS:,} pixels.",
        )
        picked = _uploaded(file) if file is not None else None
    elif choice == CAMERA:
        shot = st.camera_input("Your photo", key="content_camera")
        picked = Picked.upload("camera.jpg", shot.getvalue()) if shot is not None else None
    else:
        picked = Picked.sample(choice)
    if picked is None:
        st.info("Choose a photo to paint.")
        return None
    try:
        st.image(preview(picked, uploads.role("content", picked.name)), caption=picked.credit)
    except Exception as error:  # a bad upload: the message, never a traceback
        common.show_error(error, command)
        return None
    return picked


def _weight_key(picked: Picked) -> str:
    return f"weight:{picked.key}"


def pick_styles(command: str) -> tuple[list[Picked], tuple[float, ...]]:
    """The painting pickers (widget key ``style``; uploads), their previews and blend weights.

    Returns the usable paintings and one weight each; a bad upload shows ``st.error`` and is
    left out.
    """
    st.session_state.setdefault("style", list(STYLE_DEFAULT))
    names = st.multiselect(
        "Style",
        data.sample_names("style"),
        format_func=_style_label,
        key="style",
        persist_state="page",  # kept while a method without paintings (cin) is shown
        max_selections=MAX_STYLES,
        help=f"One painting, or up to {MAX_STYLES} blended by the weights below.",
    )
    files = st.file_uploader(
        "Your paintings",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="style_upload",
        max_upload_size=UPLOAD_MB,
        help=f"Added to the paintings above; at most {UPLOAD_MB} MB each.",
    )
    candidates = [Picked.sample(name) for name in names] + [_uploaded(f) for f in files or []]
    if len(candidates) > MAX_STYLES:
        st.warning(f"At most {MAX_STYLES} paintings are blended: the first {MAX_STYLES} are used.")
        candidates = candidates[:MAX_STYLES]
    picked: list[Picked] = []
    shown = []
    for index, style in enumerate(candidates):
        try:
            shown.append(preview(style, uploads.role("style", style.name, index, len(candidates))))
        except Exception as error:  # a bad upload: the message; the other paintings go on
            common.show_error(error, command)
            continue
        picked.append(style)
    if len(picked) == 1:
        st.image(shown[0], caption=picked[0].credit)
    elif picked:  # side by side, small: the blend's ingredients
        st.image(shown, caption=[style.name for style in picked], width=110)
    else:
        st.info("Choose at least one painting.")
    weights = []
    for style in picked if len(picked) > 1 else []:
        st.session_state.setdefault(_weight_key(style), 1.0)
        weights.append(
            st.slider(
                f"Weight of {style.name}",
                0.0,
                1.0,
                step=0.05,
                key=_weight_key(style),
                persist_state="page",
                help="The paintings are blended in these proportions (they need not sum to 1).",
            )
        )
    return picked, tuple(weights) if weights else (1.0,) * len(picked)


# --- the gallery ---------------------------------------------------------------------------------


def _use_content(name: str) -> None:
    st.session_state["content"] = name


def _add_style(name: str) -> None:
    chosen = [n for n in st.session_state.get("style", []) if n != name]
    st.session_state["style"] = [*chosen[-(MAX_STYLES - 1) :], name]


def gallery() -> None:
    """Thumbnails of every sample with a button to use it; then every credit and licence."""
    for kind, verb, action in (
        ("content", "Use", _use_content),
        ("style", "Add", _add_style),
    ):
        st.markdown(f"**{'Photos' if kind == 'content' else 'Paintings'}**")
        samples = data.samples(kind)
        columns = st.columns(6)
        for index, sample in enumerate(samples):
            with columns[index % 6]:
                st.image(_thumbnail(sample.name, THUMBNAIL_SIDE), caption=_short_title(sample.name))
                st.button(
                    verb,
                    key=f"gallery:{kind}:{sample.name}",
                    on_click=action,
                    args=(sample.name,),
                    help=sample.credit,
                )
    st.markdown(data.credits_markdown())
