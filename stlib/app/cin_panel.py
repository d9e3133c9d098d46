"""The panel of the multi-style network (Dumoulin, Shlens, Kudlur 2017, ``stlib.cin``): one
network, its styles picked by number and mixed by weight; the picture follows the controls.

The network takes no painting: its styles are learnt (26 in the pretrained ``magenta-26``, as many
as were trained in a ``.keras`` file of ``stlib cin-train``), and the only way to see a style is to
paint with it. So the painting column shows the chosen styles painted on the photo
(``style_column``), and a gallery under the page paints every style of the network, each with a
button that adds it (``gallery``). The comparison with Gatys' method needs a painting: the page
leaves it out here.

The network is loaded once per server (``st.cache_resource``; ``stlib.cin.load`` keeps it too),
the photo at each size once, the swatches once per photo and network (``st.cache_data``), and the
pastiche once per combination of settings. Widget keys: ``cin_model``, ``cin_styles``,
``cin_weight_<K>`` (one per style of a mix), ``cin_gallery`` (the gallery's expander) and
``cin_add_<K>`` (its buttons).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from stlib import cin, images
from stlib.app import common
from stlib.app.image_pickers import Pair, Picked, at_size
from stlib.cin.config import CinConfig
from stlib.cin.mixing import style_weights
from stlib.cli import common as cli_common
from stlib.methods import method

METHOD = method("cin")
DEFAULT_MODEL = "magenta-26"
DEFAULT_STYLE = 19  # a clear, colourful one of the 26 (any other network starts at style 0)
MAX_STYLES = 4
SWATCH_SIDE = 112  # px, longest side of a style painted on the photo
GALLERY_COLUMNS = 8
MODEL_KEY, STYLES_KEY, GALLERY_KEY = "cin_model", "cin_styles", "cin_gallery"
PAGE = {"persist_state": "page"}  # kept while another method's panel is shown


@dataclass(frozen=True)
class Settings:
    """What makes one picture: the library's ``CinConfig`` (network, size, colour mode) and the
    style or mix it paints.

    ``selection`` is what ``stlib.cin.stylize`` takes: a style number, or ``{number: weight}``
    pairs for a mix (the library divides the weights by their sum).
    """

    config: CinConfig
    selection: int | tuple[tuple[int, float], ...]

    @property
    def style(self) -> int | dict[int, float]:
        return self.selection if isinstance(self.selection, int) else dict(self.selection)

    @property
    def setting(self) -> str:
        """The name of the style setting, as the command line names its option."""
        return "style" if isinstance(self.selection, int) else "mix"


@dataclass(frozen=True)
class Picture:
    """A pastiche and how it was made: float32 [H, W, 3] in [0, 1], seconds, settings."""

    image: np.ndarray
    seconds: float
    settings: Settings


# --- the network and its styles --------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the multi-style network…")
def network(model: str):
    """``stlib.cin.load(model)``: the network, loaded once per server; its error otherwise."""
    return cin.load(model)


def style_label(names: list[str], index: int) -> str:
    """ "#19"; "#2 monet" for a trained network's named style."""
    name = names[index]
    if name in (f"style {index}",) or name.endswith(f"#{index}"):  # stlib's default names
        return f"#{index}"
    return f"#{index} {name}"


def _weight_key(index: int) -> str:
    return f"cin_weight_{index}"


def controls() -> dict:
    """The network, its styles (up to ``MAX_STYLES``) and a weight per style of a mix (sidebar).

    Returns ``model`` (the text), ``network`` (None when it does not load), ``error`` (the
    library's, shown by ``show``), ``styles`` and ``weights``.
    """
    state = st.session_state
    state.setdefault(MODEL_KEY, DEFAULT_MODEL)
    model = st.text_input(
        "Network",
        key=MODEL_KEY,
        help=f"{DEFAULT_MODEL}: TensorFlow's pretrained network with 26 styles (numbered, without "
        "names). Or the path of a .keras file saved by `stlib cin-train`, on the server's disk.",
        **PAGE,
    ).strip()
    values = {"model": model, "network": None, "error": None, "styles": (), "weights": ()}
    try:
        values["network"] = loaded = network(model)
    except Exception as error:  # shown where the picture would be
        values["error"] = error
        return values
    count, names = loaded.num_styles, list(loaded.style_names)
    chosen = state.get(STYLES_KEY, [DEFAULT_STYLE if DEFAULT_STYLE < count else 0])
    usable = [k for k in chosen if 0 <= k < count][:MAX_STYLES]  # another network: fewer styles
    if chosen and not usable:
        usable = [DEFAULT_STYLE if DEFAULT_STYLE < count else 0]
    if usable != chosen or STYLES_KEY not in state:
        state[STYLES_KEY] = usable
    styles = st.multiselect(
        "Styles",
        list(range(count)),
        key=STYLES_KEY,
        max_selections=MAX_STYLES,
        format_func=lambda index: style_label(names, index),
        help=f"One of the network's {count} styles, or up to {MAX_STYLES} mixed by the weights "
        "below. The gallery under the page shows them all on your photo.",
        **PAGE,
    )
    weights = []
    for index in styles if len(styles) > 1 else []:
        state.setdefault(_weight_key(index), 1.0)
        weights.append(
            st.slider(
                f"Weight of {style_label(names, index)}",
                0.0,
                1.0,
                step=0.05,
                key=_weight_key(index),
                help="stlib divides the weights by their sum (a convex mix: 1 and 1 is the same "
                "50/50 mix as 0.5 and 0.5), so the mix stays between the styles.",
                **PAGE,
            )
        )
    values["styles"], values["weights"] = tuple(styles), tuple(float(w) for w in weights)
    return values


def make_settings(values: dict, size: int, preserve_color: str | None) -> Settings:
    """The picture's settings; the style weights checked by the library (SettingError)."""
    styles, weights = values["styles"], values["weights"]
    if len(styles) == 1:
        selection = styles[0]
    else:
        selection = tuple(zip(styles, weights))
    config = CinConfig(model=values["model"], size=size, preserve_color=preserve_color)
    made = Settings(config, selection)
    style_weights(made.style, values["network"].num_styles, name=made.setting)
    return made


# --- painting ------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _paint(
    content_key: str, settings: Settings, masks_key: tuple, _pair: Pair, _network
) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    config = settings.config
    photo = at_size(_pair.content, config.size, _pair.content_role)[None]  # as the CLI loads it
    # The network already loaded (by the model's name, kept per server) and the photo at its size.
    placing = {} if _pair.mask_sources is None else {"masks": _pair.mask_sources}
    image = cin.stylize(photo, settings.style, config, model=_network, size=None, **placing).image
    return image.numpy()[0], time.perf_counter() - start


def paint(pair: Pair, settings: Settings, loaded) -> Picture:
    """The pastiche of ``pair``'s photo with ``settings`` and its masks (cached per photo,
    settings and masks)."""
    masks_key = pair.masks.key if pair.mask_sources is not None else ()
    image, seconds = _paint(pair.content.key, settings, masks_key, pair, loaded)
    return Picture(image, seconds, settings)


@st.cache_data(max_entries=512, show_spinner=False)
def _swatch(content_key: str, model: str, index: int, _content: Picked, _network) -> np.ndarray:
    """Style ``index`` on the photo at ``SWATCH_SIDE`` px: uint8 [h, w, 3]."""
    photo = at_size(_content, SWATCH_SIDE, Pair(_content, (), ()).content_role)[None]
    return np.asarray(images.to_pil(cin.stylize(photo, int(index), model=_network).image))


def swatch(content: Picked, model: str, index: int, loaded) -> np.ndarray:
    """Style ``index`` of the network painted on the photo, small (computed once per photo)."""
    return _swatch(content.key, model, index, content, loaded)


# --- the page ------------------------------------------------------------------------------------


def command_line(pair: Pair, settings: Settings, output: str) -> str:
    """The ``stlib cin`` command that paints the same picture."""
    one = isinstance(settings.selection, int)
    options = {
        "-o": output,
        "--model": None if settings.config.model == DEFAULT_MODEL else settings.config.model,
        "--style": settings.selection if one else None,
        "--mix": None if one else dict(settings.selection),
        "--size": settings.config.size,
        "--preserve-color": settings.config.preserve_color,
        "--masks": pair.masks.text if pair.mask_sources is not None else None,
    }
    return cli_common.command_line(METHOD.command, [pair.content.name], options)


def show(pair: Pair, size: int, preserve_color: str | None, values: dict) -> Picture | None:
    """The live pastiche with its caption, PNG download and command line; None on an error."""
    if values["error"] is not None:
        common.show_error(values["error"], METHOD.command)
        return None
    if not values["styles"]:
        st.info("Choose a style of the network in the sidebar.")
        return None
    histogram = preserve_color == "histogram"
    try:
        made = make_settings(values, size, None if histogram else preserve_color)
        picture = paint(pair, made, values["network"])
    except Exception as error:
        common.show_error(error, METHOD.command)
        return None
    note = (
        "Keep the photo's colours: matching the histogram recolours a painting before it is "
        "painted, and this network has no painting (its styles are learnt), so the colours are "
        "the style's. Choose luminance only to keep the photo's colours."
        if histogram
        else None
    )
    common.show_picture(
        pair, picture, METHOD.label, "cin", lambda output: command_line(pair, made, output), note
    )
    return picture


def region_names(values: dict) -> list[str]:
    """The chosen styles by the page's names ("#7", "#19"), in order: one mask each."""
    loaded = values["network"]
    if loaded is None:
        return []
    return [style_label(list(loaded.style_names), k) for k in values["styles"]]


def style_column(content: Picked | None, values: dict) -> None:
    """The painting column: this network takes no painting, so the chosen styles on the photo."""
    loaded = values["network"]
    if loaded is None:
        st.info("No network, no styles: see the message beside.")
        return
    if not values["styles"]:
        st.info("Choose a style in the sidebar.")
        return
    if content is None:
        st.info("Choose a photo to see the styles on it.")
        return
    names = list(loaded.style_names)
    styles, weights = values["styles"], values["weights"] or (1.0,)
    total = sum(weights)
    captions = [
        style_label(names, k) + (f" · {w / total:.0%}" if len(styles) > 1 and total else "")
        for k, w in zip(styles, weights)
    ]
    try:
        swatches = [swatch(content, values["model"], k, loaded) for k in styles]
    except Exception as error:  # a photo too narrow for the small size
        st.caption(common.page_message(error))
        return
    st.caption("**Styles**, painted on your photo")
    width = 96 if len(styles) > 1 else "content"
    st.image(swatches, caption=captions, width=width, output_format="PNG")  # textures: no JPEG
    st.caption(
        "This network takes no painting: its styles are learnt, and painting with one is the "
        "only way to see it. Pick them in the sidebar; the gallery below shows them all."
    )


def _add_style(index: int) -> None:
    chosen = [k for k in st.session_state.get(STYLES_KEY, []) if k != index]
    st.session_state[STYLES_KEY] = [*chosen[-(MAX_STYLES - 1) :], index]


def gallery(content: Picked | None, values: dict) -> None:
    """Every style of the network on the photo, each with a button that adds it (computed only
    while the expander is open)."""
    loaded = values["network"]
    if loaded is None or content is None:
        return
    names, count = list(loaded.style_names), loaded.num_styles
    with st.expander(f"All {count} styles", key=GALLERY_KEY, on_change="rerun") as box:
        if not box.open:
            return
        st.caption(
            f"Each style of {values['model']} painted on your photo at {SWATCH_SIDE} px "
            f"(computed once per photo). Add puts it in the mix (at most {MAX_STYLES})."
        )
        columns = st.columns(GALLERY_COLUMNS)
        for index in range(count):
            with columns[index % GALLERY_COLUMNS]:
                try:
                    picture = swatch(content, values["model"], index, loaded)
                except Exception as error:
                    st.caption(common.page_message(error))
                    return
                st.image(picture, caption=style_label(names, index), output_format="PNG")
                st.button(
                    "Add",
                    key=f"cin_add_{index}",
                    on_click=_add_style,
                    args=(index,),
                    disabled=index in values["styles"],
                )
