"""Spatial control on the page: which painting paints which part of the photo (``stlib.masks``).

Shown under the paintings once two or more are chosen (or, for the multi-style network, two or
more of its styles), by every panel alike: a chooser (widget key ``masks``) of

* none: the paintings are mixed everywhere, by their weights (what the page does without masks),
* the halves, left / right or top / bottom (two paintings),
* automatic: the photo's own brightness and colour clusters (``stlib.masks.automatic``),
* uploaded masks, one image per painting (keys ``mask_upload_<r>``; white where it paints),

and a preview: ``stlib.masks.overlay`` of the masks over the photo at the size the method paints
at, captioned by which colour is which painting. ``pick`` returns a ``Masks``: what every
method's ``stylize`` takes as ``masks=`` (``sources``, any form ``stlib.masks.resolve`` reads),
or the reason no picture can be made with them (a ``MaskError``, shown here as ``st.error``: the
panels then start no run). No algorithm here: reading, checking and drawing masks is stlib's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

from stlib import images, uploads
from stlib import masks as masking
from stlib.app import UPLOAD_MB, common
from stlib.app.image_pickers import UPLOAD_TYPES, Picked, at_size

NONE, LEFT_RIGHT, TOP_BOTTOM, AUTO, UPLOAD = "none", "left-right", "top-bottom", "auto", "upload"
OPTIONS = {
    NONE: "none (mix the styles)",
    LEFT_RIGHT: "halves: left / right",
    TOP_BOTTOM: "halves: top / bottom",
    AUTO: "automatic (photo's brightness and colour clusters)",
    UPLOAD: "upload masks",
}
HALVES = {LEFT_RIGHT: ["left", "right"], TOP_BOTTOM: ["top", "bottom"]}
KEY = "masks"  # the chooser's widget key
# The names of stlib.masks.COLORS, in their order: region r is tinted COLORS[r % 6].
COLOR_NAMES = ("red", "blue", "green", "yellow", "purple", "cyan")
PAGE = {"persist_state": "page"}  # kept while another method's panel is shown


def upload_key(index: int) -> str:
    """The widget key of painting ``index``'s mask upload."""
    return f"mask_upload_{index}"


@dataclass(frozen=True)
class Masks:
    """The masks chosen on the page, for every method's ``stylize(..., masks=sources)``.

    ``sources``: None (no masks: the paintings are mixed), split names (``["left", "right"]``),
    ``"auto"``, or the uploaded masks as PIL images, one per painting in their order.
    ``key`` tells sets of masks apart (for the caches and "the last run had other settings");
    ``text`` is the command line's ``--masks`` value (uploads by file name); ``problem`` says
    why no picture can be made with them (shown by the picker), None when they place the paintings.
    """

    option: str = NONE
    sources: Any = field(default=None, compare=False, repr=False)
    key: tuple = ()
    text: str | None = None
    files: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def placed(self) -> bool:
        """Whether the paintings are placed by masks (not mixed)."""
        return self.sources is not None

    @property
    def ok(self) -> bool:
        return self.problem is None


NO_MASKS = Masks()


def options_for(count: int) -> list[str]:
    """The choices for ``count`` paintings: the halves place exactly two."""
    return [option for option in OPTIONS if count == 2 or option not in HALVES]


def sources(option: str, count: int, uploaded: Sequence[Any] = ()) -> Any:
    """What ``stlib.masks.resolve`` (and ``stylize(masks=...)``) takes for a choice.

    >>> sources("left-right", 2), sources("auto", 3), sources("none", 2)
    (['left', 'right'], 'auto', None)
    """
    if option == NONE:
        return None
    if option in HALVES:
        if count != 2:
            raise masking.MaskError(
                f"{OPTIONS[option]} places two paintings, and {count} are chosen; choose "
                "automatic or upload one mask per painting"
            )
        return list(HALVES[option])
    if option == AUTO:
        return masking.AUTO
    if option == UPLOAD:
        if len(uploaded) != count:
            raise masking.MaskError(
                f"{len(uploaded)} mask{'s' * (len(uploaded) != 1)} uploaded for {count} "
                "paintings; upload one mask per painting"
            )
        return list(uploaded)
    raise masking.MaskError(f"unknown masks option {option!r}; choose from {', '.join(OPTIONS)}")


def legend(names: Sequence[str]) -> str:
    """Which tint of the preview is which painting: ``red: starry_night · blue: the_scream``."""
    return " · ".join(
        f"{COLOR_NAMES[r % len(COLOR_NAMES)]}: {name}" for r, name in enumerate(names)
    )


@st.cache_data(max_entries=16, show_spinner="Placing the paintings…")
def _preview(content_key: str, size: int, key: tuple, count: int, _photo, _sources) -> np.ndarray:
    """The masks resolved at the photo's size and tinted over it: float32 [H, W, 3].

    Raises MaskError (not cached) for masks that cannot place the paintings.
    """
    height, width = _photo.shape[:2]
    regions = masking.resolve(_sources, count, height, width, photo=_photo[None])
    return masking.overlay(_photo[None], regions).numpy()[0]


def _uploaded_masks(names: Sequence[str], size: int, command: str) -> tuple[list, list[Picked]]:
    """One uploader per painting; the masks decoded (stlib.uploads' limits and messages)."""
    decoded, files = [], []
    count = len(names)
    for index, name in enumerate(names):
        file = st.file_uploader(
            f"Mask of {name}",
            type=UPLOAD_TYPES,
            key=upload_key(index),
            max_upload_size=UPLOAD_MB,
            help="White where this painting paints, black elsewhere (grey: partly), with the "
            f"photo's aspect ratio. At most {UPLOAD_MB} MB and "
            f"{uploads.MAX_UPLOAD_PIXELS:,} pixels.",
        )
        if file is None:
            continue
        picked = Picked.upload(file.name or f"mask-{index + 1}.png", file.getvalue())
        role = uploads.role("mask", picked.name, index, count)
        try:
            pixels = at_size(picked, size, role)  # decoded once per size (cached)
        except Exception as error:  # not an image, too big, too small: the CLI's message
            common.show_error(error, command)
            continue
        decoded.append(images.to_pil(pixels[None]))  # stlib.masks reads its luminance
        files.append(picked)
    return decoded, files


def pick(photo: Picked, names: Sequence[str], size: int, command: str) -> Masks:
    """The chooser and its preview for the paintings ``names`` (in their order) on ``photo``
    at longest side ``size``; NO_MASKS (nothing drawn) for fewer than two paintings."""
    count = len(names)
    if count < 2:
        return NO_MASKS
    state = st.session_state
    offered = options_for(count)
    if state.get(KEY, NONE) not in offered:  # the halves, and now three paintings
        state[KEY] = NONE
    option = st.selectbox(
        "Where each painting goes",
        offered,
        key=KEY,
        format_func=OPTIONS.get,
        help="Spatial control (stlib.masks): each painting paints its own region of the photo "
        "instead of being mixed with the others everywhere.",
        **PAGE,
    )
    if option == NONE:
        return NO_MASKS
    uploaded, files = _uploaded_masks(names, size, command) if option == UPLOAD else ([], [])
    key = (option, tuple(f.key for f in files))
    named = tuple(f.name for f in files)
    text = ",".join(named) if option == UPLOAD else None
    if option == UPLOAD and len(uploaded) < count:
        problem = "Upload one mask per painting to place them."
        st.info(problem)
        return Masks(option, None, key, text, named, problem)
    try:
        chosen = sources(option, count, uploaded)
        text = text or (chosen if isinstance(chosen, str) else ",".join(chosen))
        role = uploads.role("content", photo.name)
        tinted = _preview(photo.key, size, key, count, at_size(photo, size, role), chosen)
    except Exception as error:  # a MaskError: the library's message, and no run
        common.show_error(error, command)
        return Masks(option, None, key, text, named, common.page_message(error))
    st.image(tinted, caption=legend(names), clamp=True)
    st.caption("Each painting paints its own region; the weights are not used.")
    return Masks(option, chosen, key, text, named)
