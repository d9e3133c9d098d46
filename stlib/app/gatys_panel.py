"""The panel of Gatys' optimisation (``stlib.gatys``): the training parameters, Run and Stop, the
pastiche and the loss curve while it forms.

The run goes on in a background thread (``stlib.background.BackgroundTransfer``), so the page
stays alive: a fragment redraws the progress bar, the latest pastiche and the loss per term every
``POLL_SECONDS`` while it runs, and Stop ends it after the step in progress, keeping the image
reached. The settings become a ``GatysConfig`` (checked once, by stlib), downloadable as the JSON
``stlib transfer --config`` reads back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import streamlit as st

from stlib import vgg_layers
from stlib.app import arbitrary_panel, common
from stlib.app.image_pickers import Pair
from stlib.background import BackgroundTransfer
from stlib.cli import common as cli_common
from stlib.gatys.config import INITS, OPTIMIZERS, GatysConfig
from stlib.gatys.presets import PRESETS, preset
from stlib.methods import method

METHOD = method("gatys")
POLL_SECONDS = 0.8  # how often the page redraws a run in progress
STEPS_DEFAULT = 50  # a first look on a laptop CPU: about half a minute at 256-384 px
MAX_STEPS = 5000
SCALES = {"1": (1.0,), "0.5, 1": (0.5, 1.0), "0.25, 0.5, 1": (0.25, 0.5, 1.0)}
CONFIG_FILE = "stlib-config.json"
# The widgets a preset fills (weights, layers, optimiser, start); size and steps stay as they are,
# so that a published preset's 500-1000 steps at 512 px do not start by surprise on a CPU.
PRESET_KEYS = ("content_weight", "style_weight", "tv_weight", "optimizer", "learning_rate", "init")


def _paper_name(layer: str) -> str:
    """``block4_conv2`` -> ``conv4_2``: the paper's name (Keras' is in the help)."""
    return f"conv{layer[5]}_{layer[-1]}"


def _layer_key(kind: str, layer: str) -> str:
    return f"layer:{kind}:{layer}"


def _load_preset(name: str | None = None) -> None:
    """Fill the widgets from a preset (the Preset picker's on_change; the first visit)."""
    state = st.session_state
    config = PRESETS[name or state["preset"]]
    for key in PRESET_KEYS:
        state[key] = getattr(config, key)
    state["init"] = config.init if config.init in INITS else "content"
    for kind in ("content", "style"):
        layers = {
            vgg_layers.canonical_layer(name): weight
            for name, weight in getattr(config, f"{kind}_layers").items()
        }
        state[f"{kind}_layers"] = list(layers)
        for layer, weight in layers.items():
            state[_layer_key(kind, layer)] = float(weight)


def controls() -> dict:
    """The method's widgets (sidebar): the preset, the loss, the optimisation; their values."""
    state = st.session_state
    if "preset" not in state:
        state["preset"] = "stlib"
        _load_preset()
    state.setdefault("steps", STEPS_DEFAULT)
    state.setdefault("scales", "1")
    state.setdefault("seed", 0)
    state.setdefault("warm_start", False)
    page = {"persist_state": "page"}  # kept while another method's panel is shown
    values = {
        "preset": st.selectbox(
            "Preset",
            list(PRESETS),
            key="preset",
            on_change=_load_preset,
            help="Published settings (stlib.gatys.presets); picking one fills the loss and "
            "optimiser fields below. Size and steps stay as they are.",
            **page,
        )
    }
    st.markdown("**The loss**")
    number = {"min_value": 0.0, "format": "%g", **page}
    values["content_weight"] = st.number_input(
        "Content weight", key="content_weight", help="alpha", **number
    )
    values["style_weight"] = st.number_input(
        "Style weight", key="style_weight", help="beta", **number
    )
    values["tv_weight"] = st.number_input(
        "TV weight", key="tv_weight", help="total variation: a smoothness prior", **number
    )
    for kind in ("content", "style"):
        values[f"{kind}_layers"] = _layers(kind, page)
    st.markdown("**The optimisation**")
    values["optimizer"] = st.radio(
        "Optimizer",
        OPTIMIZERS,
        key="optimizer",
        horizontal=True,
        format_func={"lbfgs": "L-BFGS (scipy)", "adam": "Adam", "lbfgs-tf": "L-BFGS"}.get,
        **page,
    )
    if values["optimizer"] == "adam":
        values["learning_rate"] = st.number_input(
            "Learning rate", key="learning_rate", min_value=0.0, format="%g", step=0.005, **page
        )
    values["steps"] = st.number_input(
        "Steps",
        min_value=1,
        max_value=MAX_STEPS,
        key="steps",
        help="Optimizer steps at each scale.",
        **page,
    )
    values["scales"] = SCALES[
        st.selectbox(
            "Scales",
            list(SCALES),
            key="scales",
            help="Coarse to fine: fractions of the size, each optimised in turn.",
            **page,
        )
    ]
    values["init"] = st.selectbox("Start from", INITS, key="init", **page)
    values["seed"] = st.number_input("Seed", min_value=0, key="seed", help="of the noise", **page)
    values["warm_start"] = st.checkbox(
        "Start from the arbitrary network's pastiche",
        key="warm_start",
        help="A warm start: the optimisation begins where the real-time network ended.",
        **page,
    )
    return values


def _layers(kind: str, page: dict) -> dict[str, float]:
    """A layer picker and one weight per picked layer: ``{layer: weight}``."""
    chosen = st.multiselect(
        f"{kind.capitalize()} layers",
        vgg_layers.CONV_LAYERS,
        key=f"{kind}_layers",
        format_func=_paper_name,
        help="VGG19 layers by the paper's names: convB_L is Keras' blockB_convL.",
        **page,
    )
    weights = {}
    with st.expander(f"{kind.capitalize()} layer weights"):
        for layer in chosen:
            st.session_state.setdefault(_layer_key(kind, layer), 1.0)
            weights[layer] = st.number_input(
                _paper_name(layer),
                min_value=0.0,
                format="%g",
                step=0.05,
                key=_layer_key(kind, layer),
                **page,
            )
    return weights


def make_config(pair: Pair, size: int, preserve_color: str | None, values: dict) -> GatysConfig:
    """The checked config of these settings (SettingError names a bad or impossible one)."""
    fields = {k: v for k, v in values.items() if k not in ("preset", "warm_start")}
    return preset(values["preset"]).replace(
        **fields, size=size, preserve_color=preserve_color, mix=pair.config_mix
    )


@dataclass
class Launched:
    """A run the page started, and what it was started for."""

    run: BackgroundTransfer
    pair: Pair
    config: GatysConfig
    start: np.ndarray | None  # the warm start image, float32 [H, W, 3]; None: config.init


def _start(pair: Pair, config: GatysConfig, warm: bool, size: int, color: str | None) -> Launched:
    start = None
    if warm:
        arbitrary_config = arbitrary_panel.make_config(
            pair, size, color, arbitrary_panel.settings()
        )
        start = arbitrary_panel.paint(pair, arbitrary_config).image
    content = pair.content.source(pair.content_role)
    styles = [style.source(pair.style_role(i)) for i, style in enumerate(pair.styles)]
    run = BackgroundTransfer(
        content, styles, config, init_image=start, preview_every=1, masks=pair.mask_sources
    )
    return Launched(run.start(), pair, config, start)


def _stem(pair: Pair) -> str:
    return pair.content.name.rsplit(".", 1)[0]


def config_json(launched: Launched) -> str:
    """The JSON ``stlib transfer --config`` reads: the run's config; a warm start names the
    arbitrary pastiche's file (downloaded beside it) as ``init``."""
    values = launched.config.to_dict()
    if launched.start is not None:
        values["init"] = f"{_stem(launched.pair)}-arbitrary.png"
    return json.dumps(values, indent=2)


def command_line(launched: Launched, output: str) -> str:
    pair = launched.pair
    options = {
        "--config": CONFIG_FILE,
        "-o": output,
        "--masks": pair.masks.text if pair.mask_sources is not None else None,
    }
    return cli_common.command_line(METHOD.command, pair.names, options)


def _live() -> None:
    """The run in progress: bar, latest pastiche, loss curve. Redrawn alone every poll."""
    launched: Launched | None = st.session_state.get("gatys_launch")
    if launched is None:
        return
    progress = launched.run.progress()
    if progress.done and st.session_state.get("gatys_seen") != launched.run.id:
        st.rerun()  # the whole page: result, downloads and comparison
    text = f"Step {progress.step} of {progress.total} · {progress.seconds:.1f} s"
    st.progress(progress.fraction, text=text + (" · stopping…" if progress.stopping else ""))
    if progress.image is not None:
        st.image(progress.image, caption=f"Pastiche at step {progress.image_step}", clamp=True)
    if len(progress.history) > 1:
        st.image(common.loss_curve_png(progress.history), caption="Loss per step, by term")


@dataclass(frozen=True)
class Picture:
    """A finished run's pastiche, float32 [H, W, 3], its wall time and settings."""

    image: np.ndarray
    seconds: float
    config: GatysConfig
    pair: Pair
    run_id: int


def show(pair: Pair, size: int, preserve_color: str | None, values: dict) -> Picture | None:
    """Run and Stop, the run in progress or its result; the result as a Picture (None before)."""
    state = st.session_state
    try:
        config = make_config(pair, size, preserve_color, values)
    except Exception as error:
        common.show_error(error, METHOD.command)
        config = None
    launched: Launched | None = state.get("gatys_launch")
    running = launched is not None and not launched.run.done
    run_column, stop_column = st.columns(2)
    with run_column:
        disabled = config is None or running or not pair.masks_ok  # bad masks: no run
        clicked = st.button("Run", key="run", type="primary", disabled=disabled, width="stretch")
    if clicked:
        try:
            launched = _start(pair, config, values["warm_start"], size, preserve_color)
        except Exception as error:  # a bad upload, a missing model for the warm start
            common.show_error(error, METHOD.command)
        else:
            state["gatys_launch"], running = launched, True
    with stop_column:
        if st.button("Stop", key="stop", disabled=not running, width="stretch"):
            launched.run.stop()
    if launched is None:
        st.info(
            f"Press Run: {config.total_steps if config else '…'} steps at {size} px. "
            "The pastiche and the loss curve appear as they form; Stop keeps what is reached."
        )
        return None
    if launched.pair.key != pair.key or (config is not None and launched.config != config):
        st.caption("Shown: the last run, made with other images or settings. Run to update.")
    if running:
        st.fragment(_live, run_every=POLL_SECONDS)()
        return None
    state["gatys_seen"] = launched.run.id
    return _finished(launched)


def _finished(launched: Launched) -> Picture | None:
    run = launched.run
    if run.error is not None:
        common.show_error(run.error, METHOD.command)
        return None
    result = run.result
    image = result.image.numpy()[0]
    history = result.history
    height, width = image.shape[:2]
    caption = f"{METHOD.label}: {width}x{height} px, {len(history)} steps in {run.seconds:.1f} s"
    if history.stopped_early:
        caption += f" (stopped at step {history.steps[-1] if history else 0} of "
        caption += f"{launched.config.total_steps})"
    st.image(image, caption=caption, clamp=True)
    output = f"{_stem(launched.pair)}-gatys.png"
    st.download_button(
        "Download PNG",
        common.png_bytes(image),
        file_name=output,
        mime="image/png",
        key="download",
        on_click="ignore",
        type="primary",
    )
    st.download_button(
        "Download the settings (JSON)",
        config_json(launched),
        file_name=CONFIG_FILE,
        mime="application/json",
        key="download_config",
        on_click="ignore",
        help="What `stlib transfer --config` reads back: the same picture from the command line.",
    )
    if launched.start is not None:
        st.download_button(
            "Download the warm start (PNG)",
            common.png_bytes(launched.start),
            file_name=f"{_stem(launched.pair)}-arbitrary.png",
            mime="image/png",
            key="download_start",
            on_click="ignore",
            help="The JSON's init names this file: keep it beside the JSON.",
        )
    with st.expander("The same picture from the command line"):
        st.code(command_line(launched, output), language="bash", wrap_lines=True)
        if launched.pair.files_note():
            st.caption(launched.pair.files_note())
    if len(history) > 1:
        st.image(common.loss_curve_png(history), caption="Loss per step, by term")
    return Picture(image, run.seconds, launched.config, launched.pair, run.id)
