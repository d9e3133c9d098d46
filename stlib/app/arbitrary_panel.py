"""The panel of the arbitrary network (Ghiasi et al. 2017, ``stlib.arbitrary``): the picture
follows the controls, no button.

A slider move costs one transformer pass (plus one pass of the style network on the photo when
strength < 1, for its own embedding): the model is loaded once per server (``st.cache_resource``),
the paintings' embeddings and the photo at each size once per picture (``st.cache_data``), and the
pastiche once per combination of settings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from stlib import arbitrary
from stlib.app import common
from stlib.app.image_pickers import Pair, at_size
from stlib.arbitrary.config import DEFAULT_STYLE_SIZE, TRANSFORMERS, ArbitraryConfig
from stlib.cli import common as cli_common
from stlib.methods import method

METHOD = method("arbitrary")
BACKEND = "tflite"  # embeddings (strength, mixing) and offline from STLIB_MODELS_DIR
STYLE_SIZES = (128, 160, 192, 224, 256, 320, 384, 448, 512)


@dataclass(frozen=True)
class Picture:
    """A pastiche and how it was made: float32 [H, W, 3] in [0, 1], seconds, settings."""

    image: np.ndarray
    seconds: float
    config: ArbitraryConfig


def controls() -> dict:
    """The method's own widgets (sidebar); returns their values by ``ArbitraryConfig`` field."""
    state = st.session_state
    state.setdefault("strength", 1.0)
    state.setdefault("style_size", DEFAULT_STYLE_SIZE)
    state.setdefault("transformer", "dynamic")
    strength = st.slider(
        "Strength",
        0.0,
        1.0,
        step=0.05,
        key="strength",
        persist_state="page",
        help="0: the photo redrawn by the network (its own embedding); 1: the full style. "
        "In between, the two embeddings are interpolated.",
    )
    style_size = st.select_slider(
        "Style size",
        STYLE_SIZES,
        key="style_size",
        persist_state="page",
        help="The square the painting is cropped and resized to before the style network sees "
        "it: smaller gives larger brush strokes (trained at 256).",
    )
    transformer = st.selectbox(
        "Transformer",
        TRANSFORMERS,
        key="transformer",
        persist_state="page",
        help="dynamic: any size in one pass; int8 and float16: 384-px tiles, blended.",
    )
    return {"strength": strength, "style_size": style_size, "transformer": transformer}


def settings() -> dict:
    """The method's settings as the widgets left them (defaults before the panel was shown)."""
    state = st.session_state
    return {
        "strength": state.get("strength", 1.0),
        "style_size": state.get("style_size", DEFAULT_STYLE_SIZE),
        "transformer": state.get("transformer", "dynamic"),
    }


def make_config(pair: Pair, size: int, preserve_color: str | None, values: dict) -> ArbitraryConfig:
    """The checked config (SettingError names a bad value) with one weight per painting."""
    config = ArbitraryConfig(
        backend=BACKEND,
        mix=pair.config_mix,
        size=size,
        preserve_color=preserve_color,
        **values,
    )
    config.mixing_weights(len(pair.styles))
    return config


@st.cache_resource(show_spinner="Loading the arbitrary style network…")
def stylizer(transformer: str) -> arbitrary.Stylizer:
    """The TFLite pair, loaded once per server process (``stlib.arbitrary.load`` keeps it too)."""
    return arbitrary.load(BACKEND, transformer)


@st.cache_data(max_entries=64, show_spinner=False)
def _embedding(key: str, style_size: int, transformer: str, role: str, _pair: Pair, _index: int):
    """A painting as the style network sees it, [s, s, 3], and its embedding, float32 [100]."""
    style = _pair.styles[_index]
    square = arbitrary.inputs.load_style(style.source(role), style_size, role)
    return square.numpy()[0], stylizer(transformer).embed(square, style_size=style_size)


def prepared_styles(pair: Pair, config: ArbitraryConfig) -> arbitrary.Styles:
    """The paintings embedded once each (cached): what ``Stylizer.run`` takes instead of files."""
    import tensorflow as tf

    model = stylizer(config.transformer)
    squares, embeddings = [], []
    for index, style in enumerate(pair.styles):
        role = pair.style_role(index)
        square, embedding = _embedding(
            style.key, config.style_size, config.transformer, role, pair, index
        )
        squares.append(tf.constant(square[None]))
        embeddings.append(embedding)
    roles = tuple(pair.style_role(i) for i in range(len(pair.styles)))
    return arbitrary.Styles(tuple(squares), roles, config.style_size, tuple(embeddings), model)


@st.cache_data(max_entries=32, show_spinner=False)
def _paint(pair_key: tuple, config: ArbitraryConfig, _pair: Pair) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    content = at_size(_pair.content, config.size, _pair.content_role)  # as the CLI resizes it
    styles = prepared_styles(_pair, config)
    # The photo is already at config.size: the stylizer must not resize it again.
    placing = {} if _pair.mask_sources is None else {"masks": _pair.mask_sources}
    model = stylizer(config.transformer)
    image = model.run(config.replace(size=None), content[None], styles, **placing)
    return image.numpy()[0], time.perf_counter() - start


def paint(pair: Pair, config: ArbitraryConfig) -> Picture:
    """The pastiche of ``pair`` with ``config`` (cached per pair and settings)."""
    image, seconds = _paint(pair.key, config, pair)
    return Picture(image, seconds, config)


def command_line(pair: Pair, config: ArbitraryConfig, output: str) -> str:
    """The ``stlib arbitrary`` command that paints the same picture."""
    options = {
        "-o": output,
        "--backend": config.backend,
        "--transformer": None if config.transformer == "dynamic" else config.transformer,
        "--mix": config.mix,
        "--strength": config.strength,
        "--size": config.size,
        "--style-size": None if config.style_size == DEFAULT_STYLE_SIZE else config.style_size,
        "--preserve-color": config.preserve_color,
        "--masks": pair.masks.text if pair.mask_sources is not None else None,
    }
    return cli_common.command_line(METHOD.command, pair.names, options)


def show(pair: Pair, size: int, preserve_color: str | None, values: dict) -> Picture | None:
    """The live pastiche with its caption, PNG download and command line; None on an error."""
    try:
        config = make_config(pair, size, preserve_color, values)
        picture = paint(pair, config)
    except Exception as error:
        common.show_error(error, METHOD.command)
        return None
    common.show_picture(
        pair, picture, METHOD.label, "arbitrary", lambda output: command_line(pair, config, output)
    )
    return picture
