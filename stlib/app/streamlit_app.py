"""The stlib app: pick a photo and one or more paintings, pick a method, watch the pastiche.

    stlib app                  # or: make app, or: streamlit run stlib/app/streamlit_app.py

A thin page over stlib: every algorithm, check and error message is the package's (the methods
are listed by ``stlib.methods``; a panel per method draws its controls). The page reads the
offline folders as the command line does (``STLIB_MODELS_DIR``, ``STLIB_DATA_DIR``).

A panel has ``METHOD``, ``controls()`` (the sidebar) and ``show(pair, size, color, values)`` (the
picture). A method whose network knows its styles and takes no painting (``cin_panel``) also has
``style_column(content, values)``, drawn instead of the painting pickers, ``region_names(values)``
(its chosen styles, for the masks), and may have
``gallery(content, values)``, drawn under the page; its ``Pair`` has no paintings, and the
comparison of the methods (which needs a painting) is left out.

Widget keys, for tests and for anyone scripting the page: ``content``, ``style``, ``method``,
``strength``, ``size``, ``run``, ``stop``, ``download`` (and ``preserve_color``,
``content_upload``, ``style_upload``, ``content_camera``, ``download_config``, the Gatys fields
by name; the multi-style network's ``cin_*``, listed in cin_panel.py; ``masks`` and
``mask_upload_<r>``, where each painting goes, listed in mask_picker.py).
"""

from __future__ import annotations

import sys

import streamlit as st

st.set_page_config(page_title="stlib: neural style transfer", page_icon="🎨", layout="wide")


@st.cache_resource(show_spinner="Starting TensorFlow…")
def _tensorflow() -> bool:
    """TensorFlow imported once per server, without its C++ start-up lines."""
    from stlib.startup import start_tensorflow

    start_tensorflow()
    return True


def _keep_session(*args, **kwargs) -> None:
    """Stands in for ``keras.backend.clear_session`` in the app's process.

    Streamlit calls ``keras.backend.clear_session()`` after every script run (its
    ``_clean_problem_modules``, to free the models a script made). That clears TensorFlow's kernel
    caches and step containers under the Gatys run going on in a background thread, and the
    server dies of a segmentation fault (TensorFlow 2.21, Streamlit 1.67: reproduced with
    AppTest, at the first steps of a 384-px run). The app's models live as long as the server, so
    there is nothing to free.
    """


_tensorflow()  # before the imports below, which use TensorFlow
# At every run, not once: whatever put the original back (a test's clean-up) is overruled.
sys.modules["keras"].backend.clear_session = _keep_session

from stlib.app import (  # noqa: E402
    arbitrary_panel,
    cin_panel,
    compare_panel,
    gatys_panel,
    image_pickers,
    mask_picker,
)
from stlib.methods import METHODS  # noqa: E402

# One panel per method of the registry: a new method is a new entry there and a module here.
PANELS = {"arbitrary": arbitrary_panel, "gatys": gatys_panel, "cin": cin_panel}
SIZES = (128, 192, 256, 320, 384, 512, 640, 768, 1024)
SIZE_DEFAULT = 384
# The colour modes by the name the picker shows ("off" is the configs' None).
COLORS = {"off": None, "luminance": "luminance", "histogram": "histogram"}
COLOR_LABELS = {"off": "off", "luminance": "luminance only", "histogram": "match the histogram"}
# Fixed widths that wrap: photo, paintings and pastiche side by side on a wide window; on a narrow
# one (800 px) photo and paintings share a row and the pastiche comes under them.
CONTENT_WIDTH, STYLE_WIDTH, RESULT_WIDTH = 210, 210, 400


def sidebar() -> tuple[str, int, str | None, dict]:
    """The method, the output settings and the method's own controls."""
    state = st.session_state
    state.setdefault("method", "arbitrary")
    state.setdefault("size", SIZE_DEFAULT)
    state.setdefault("preserve_color", "off")
    with st.sidebar:
        name = st.radio(
            "Method",
            [name for name in METHODS if name in PANELS],
            key="method",
            format_func=lambda name: METHODS[name].label,
            captions=[METHODS[name].reference for name in METHODS if name in PANELS],
        )
        st.caption(METHODS[name].summary)
        size = st.select_slider(
            "Size",
            SIZES,
            key="size",
            help="Longest side of the pastiche in px (the photo is resized to it).",
        )
        color = COLORS[
            st.selectbox(
                "Keep the photo's colours",
                list(COLORS),
                key="preserve_color",
                format_func=COLOR_LABELS.get,
                help="Gatys et al. 2017: paint the luminance only, or give the painting the "
                "photo's colour histogram first.",
            )
        ]
        st.divider()
        values = PANELS[name].controls()
    return name, size, color, values


def main() -> None:
    st.title("Neural style transfer")
    st.caption(
        "Change the photo, the paintings and the parameters; the pastiche follows. "
        "Every picture here can be made again with the `stlib` command line."
    )
    name, size, color, values = sidebar()
    panel = PANELS[name]
    with st.container(horizontal=True, wrap=True, gap="small"):
        content_column = st.container(width=CONTENT_WIDTH)
        style_column = st.container(width=STYLE_WIDTH)
        result_column = st.container(width=RESULT_WIDTH)
    with content_column:
        content = image_pickers.pick_content(panel.METHOD.command)
    own_styles = getattr(panel, "style_column", None)  # a network that takes no painting
    with style_column:
        if own_styles is None:
            styles, mix = image_pickers.pick_styles(panel.METHOD.command)
            regions = [style.name for style in styles]
        else:
            own_styles(content, values)
            styles, mix = [], ()
            regions = panel.region_names(values)
        masks = mask_picker.NO_MASKS
        if content is not None:
            masks = mask_picker.pick(content, regions, size, panel.METHOD.command)
    ready = content is not None and (bool(styles) or own_styles is not None)
    pair = image_pickers.Pair(content, tuple(styles), mix, masks) if ready else None
    gatys_picture = None
    with result_column:
        st.markdown(f"**{METHODS[name].label}**")
        if pair is None:
            needed = "a photo is" if own_styles else "a photo and a painting are"
            st.info(f"The pastiche appears here once {needed} chosen.")
        elif not masks.ok and METHODS[name].live:
            st.info("The pastiche appears here once the masks place every painting.")
        else:
            picture = panel.show(pair, size, color, values)
            gatys_picture = picture if name == "gatys" else None
    if hasattr(panel, "gallery"):
        panel.gallery(content, values)
    if pair is not None and pair.styles and masks.ok:
        if gatys_picture is None and name != "gatys":
            gatys_picture = _last_gatys_picture()
        compare_panel.show(pair, gatys_picture, color)
    with st.expander("Sample images and credits"):
        image_pickers.gallery()


def _last_gatys_picture():
    """The finished Gatys run of this session, for the comparison while another panel shows."""
    launched = st.session_state.get("gatys_launch")
    if launched is None or not launched.run.done or launched.run.result is None:
        return None
    run = launched.run
    return gatys_panel.Picture(
        run.result.image.numpy()[0], run.seconds, launched.config, launched.pair, run.id
    )


main()
