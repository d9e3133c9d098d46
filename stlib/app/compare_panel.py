"""Both methods on the same pair, side by side: the time each took and how far each pastiche is
from the photo and from the painting, measured alike by ``stlib.metrics``."""

from __future__ import annotations

import numpy as np
import streamlit as st

from stlib import metrics
from stlib.app import arbitrary_panel, common
from stlib.app.gatys_panel import Picture as GatysPicture
from stlib.app.image_pickers import Pair, at_size


@st.cache_resource(show_spinner="Loading VGG19 to measure…")
def _network():
    """The VGG19 extractor of the distances, built once per server."""
    return metrics.measuring_network()


@st.cache_data(max_entries=16, show_spinner="Measuring both pastiches…")
def _distances(pair_key: tuple, run_id: int, arbitrary_config, _pair: Pair, _images: dict):
    """``{name: {"content": d, "style": d}}`` for the photo and both pastiches: the relative
    distances of ``stlib.metrics``, everything at the Gatys size (paintings too, as Gatys'
    method sees them)."""
    size = max(_images["Gatys"].shape[:2])
    content = at_size(_pair.content, size, _pair.content_role)
    styles = [at_size(style, size, _pair.style_role(i)) for i, style in enumerate(_pair.styles)]
    network = _network()
    return {
        name: {
            "content": metrics.content_distance(image, content, network=network),
            "style": metrics.style_distance(image, styles, mix=_pair.config_mix, network=network)[
                "mean"
            ],
        }
        for name, image in {"Photo": content, **_images}.items()
    }


def _format(value: float) -> str:
    return f"{value:.3g}"


def show(pair: Pair, gatys: GatysPicture | None, preserve_color: str | None) -> None:
    """The comparison section: both pastiches, their times and distances (or what to do)."""
    st.subheader("Both methods on this pair")
    if gatys is None or gatys.pair.key != pair.key:
        st.caption(
            "Run Gatys (optimisation) on this photo and painting: its pastiche appears here "
            "beside the arbitrary network's at the same size, with the time each took and how "
            "far each is from the photo (content) and from the painting (style)."
        )
        return
    size = max(gatys.image.shape[:2])
    try:
        config = arbitrary_panel.make_config(pair, size, preserve_color, arbitrary_panel.settings())
        arbitrary = arbitrary_panel.paint(pair, config)
        measured = _distances(
            pair.key,
            gatys.run_id,
            config,
            pair,
            {"Arbitrary": arbitrary.image, "Gatys": gatys.image},
        )
    except Exception as error:
        common.show_error(error, arbitrary_panel.METHOD.command)
        return
    left, right = st.columns(2)
    with left:
        st.image(arbitrary.image, caption=f"Arbitrary: {arbitrary.seconds:.2f} s", clamp=True)
    with right:
        st.image(gatys.image, caption=f"Gatys: {gatys.seconds:.1f} s", clamp=True)
    photo_style = measured["Photo"]["style"]
    rows = []
    for name, seconds in (("Arbitrary", arbitrary.seconds), ("Gatys", gatys.seconds)):
        distance = measured[name]
        share = distance["style"] / photo_style if photo_style > 0 else np.nan
        rows.append(
            {
                "method": name,
                "seconds": f"{seconds:.2f}",
                "content distance": _format(distance["content"]),
                "style distance": _format(distance["style"]),
                "style distance / photo's": f"{share:.0%}",
            }
        )
    st.table(rows, hide_index=True)
    st.caption(
        "Content distance: how far the VGG19 conv4_2 features are from the photo's, relative to "
        "the photo's (0 for the photo). Style distance: how far the Gram matrices of conv1_1 to "
        "conv5_1 are from the painting's, relative to the painting's, averaged over the layers; "
        f"the photo itself scores {_format(photo_style)}. Lower is closer; everything measured "
        "at the same size (stlib.metrics, notebook 08). Gatys' method minimises distances like "
        "these, so it is bound to score lower on them: a lower number is not a better picture."
    )
