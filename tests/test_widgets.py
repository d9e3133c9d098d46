"""The Gatys explorer: controls -> config, a run draws a new pastiche and loss curve, live updates,
Stop, uploads and presets. Random VGG weights (weights=None) and tiny images keep it fast."""

from __future__ import annotations

import datetime
import io
import time

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

ipywidgets = pytest.importorskip("ipywidgets")

from stlib import images, vgg  # noqa: E402
from stlib.gatys import GatysConfig, preset  # noqa: E402
from stlib.gatys.config import STYLE_LAYERS_GATYS  # noqa: E402
from stlib.widgets import (  # noqa: E402
    GatysExplorer,
    decode_upload,
    paper_layer_name,
    png_bytes,
    ratio_of,
    with_ratio,
)

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
    """What ipywidgets.FileUpload.value holds after the browser sent one file."""
    return (
        {
            "name": name,
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime.now(datetime.timezone.utc),
        },
    )


# --- helpers ------------------------------------------------------------------------------------


def test_ratio_is_content_over_style_weight_and_with_ratio_inverts_it():
    config = GatysConfig(content_weight=2.0, style_weight=0.5)
    assert ratio_of(config) == 4.0
    changed = with_ratio(config, 1e-3)
    assert changed.content_weight == 2.0 and changed.style_weight == pytest.approx(2e3)
    assert ratio_of(changed) == pytest.approx(1e-3)
    assert with_ratio(GatysConfig(content_weight=0.0), 0.1).content_weight == 1.0  # alpha 0 -> 1
    with pytest.raises(ValueError, match="ratio must be > 0"):
        with_ratio(config, 0.0)
    # gatys2016 folds the paper's 1/2 and 1/4 into its weights: its stlib ratio is twice
    # alpha/beta = 1e-3.
    assert ratio_of(preset("gatys2016")) == pytest.approx(2e-3)


def test_paper_layer_names():
    assert [paper_layer_name(layer) for layer in STYLE_LAYERS_GATYS] == [
        "conv1_1",
        "conv2_1",
        "conv3_1",
        "conv4_1",
        "conv5_1",
    ]
    assert paper_layer_name("relu4_2") == "conv4_2"


def test_decode_upload_reads_image_bytes_and_refuses_others():
    image = decode_upload(png_bytes(STYLE))
    assert image.shape == (1, 40, 40, 3)
    np.testing.assert_allclose(image.numpy(), np.round(STYLE.numpy() * 255) / 255, atol=1e-6)
    with pytest.raises(images.ImageError, match="'notes.txt' is not an image"):
        decode_upload(b"just some text", "'notes.txt'")


# --- controls -> config -----------------------------------------------------------------------


def test_default_controls_give_the_preset_with_size_and_steps():
    explorer = make_explorer()
    config = explorer.config()
    expected = preset("stlib", size=48, steps=3)
    assert config.to_dict() == expected.to_dict()
    assert isinstance(explorer.widget, ipywidgets.Box)


def test_config_reflects_every_control_exactly():
    explorer = make_explorer()
    explorer.ratio.value = 1e-3
    explorer.steps.value = 7
    explorer.size.value = 64
    explorer.layer_boxes["block5_conv1"].value = False
    explorer.tv_on.value = True
    explorer.tv_weight.value = 0.5
    explorer.optimizer.value = "adam"
    explorer.init.value = "noise"
    explorer.pooling.value = "max"
    config = explorer.config()
    base = preset("stlib")
    assert config.content_weight == base.content_weight == 1.0
    assert config.style_weight == 1.0 / 1e-3  # style_weight = content_weight / ratio
    assert config.style_layers == {layer: 0.2 for layer in STYLE_LAYERS_GATYS[:4]}
    assert (config.tv_weight, config.steps, config.size) == (0.5, 7, 64)
    assert (config.optimizer, config.init, config.pooling) == ("adam", "noise", "max")
    # Fields without a control come from the preset.
    assert config.content_layers == base.content_layers
    assert config.learning_rate == base.learning_rate and config.tv_kind == base.tv_kind
    explorer.tv_on.value = False  # the way to set TV to 0
    assert explorer.config().tv_weight == 0.0


def test_no_style_layer_is_shown_in_the_status_line():
    explorer = make_explorer()
    for box in explorer.layer_boxes.values():
        box.value = False
    with pytest.raises(ValueError, match="tick at least one style layer"):
        explorer.config()
    with pytest.raises(ValueError):
        explorer.run()
    assert "tick at least one style layer" in explorer.status.value
    assert not explorer.running and not explorer.run_button.disabled
    explorer._on_run_clicked(
        None
    )  # the button in a thread: the error goes to the status, not a crash
    explorer._thread.join(30)
    assert isinstance(explorer.error, ValueError)


def test_preset_dropdown_loads_the_presets_values_into_the_controls():
    explorer = make_explorer()
    explorer.preset.value = "tf-tutorial"
    assert explorer.ratio.value == pytest.approx(1e6)
    assert (explorer.optimizer.value, explorer.pooling.value, explorer.init.value) == (
        "adam",
        "max",
        "content",
    )
    assert explorer.tv_on.value and explorer.tv_weight.value == 30.0
    want = preset("tf-tutorial", size=48, steps=3)
    got = explorer.config()
    assert got.style_weight == pytest.approx(want.style_weight, rel=1e-12)
    assert got.replace(style_weight=want.style_weight) == want

    explorer.preset.value = "neural-style"  # per-layer weights 1/N_l^2 are kept for ticked layers
    explorer.layer_boxes["block1_conv1"].value = False
    weights = explorer.config().style_layers
    assert weights == {layer: 1.0 / vgg.CHANNELS[layer] ** 2 for layer in STYLE_LAYERS_GATYS[1:]}

    explorer.preset.value = "gatys2016"
    assert all(box.value for box in explorer.layer_boxes.values())  # re-ticked by the preset
    assert explorer.ratio.value == pytest.approx(2e-3)
    assert (explorer.init.value, explorer.pooling.value, explorer.tv_on.value) == (
        "noise",
        "avg",
        False,
    )
    assert explorer.config().content_reduction == "sum"


# --- running -----------------------------------------------------------------------------------


def test_run_draws_a_new_pastiche_and_loss_curve():
    explorer = make_explorer()
    explorer.optimizer.value = "adam"
    assert explorer.pastiche.value == b"" and explorer.loss_curve.value == b""
    result = explorer.run()
    assert explorer.result is result
    assert result.image.shape == (1, 36, 48, 3)  # the 48 x 64 content at longest side 48
    first = explorer.pastiche.value
    assert decoded_size(first) == (48, 36)
    np.testing.assert_allclose(
        decode_upload(first).numpy(), np.round(result.image.numpy() * 255) / 255, atol=1e-6
    )
    assert decoded_size(explorer.loss_curve.value)[0] > 100
    assert "done: 3 steps" in explorer.status.value

    curve = explorer.loss_curve.value
    explorer.ratio.value = explorer.ratio.value * 1e-4  # far more style
    explorer.run()
    assert explorer.pastiche.value != first  # a new image...
    assert decoded_size(explorer.pastiche.value) == (48, 36)  # ...of the expected size
    assert explorer.loss_curve.value != curve


def test_the_image_and_the_curve_update_during_the_optimisation():
    explorer = make_explorer(steps=4, update_every=1)
    explorer.optimizer.value = "adam"
    pastiches, curves, statuses = (
        recorder(explorer.pastiche),
        recorder(explorer.loss_curve),
        recorder(explorer.status),
    )
    explorer.run()
    assert len(set(pastiches)) >= 4 and len(set(curves)) >= 4  # once per step, then the final one
    assert any("step 1/4" in text for text in statuses) and any(
        "step 3/4" in text for text in statuses
    )

    explorer = make_explorer(steps=4, update_every=2)
    explorer.optimizer.value = "adam"
    pastiches = recorder(explorer.pastiche)
    explorer.run()
    assert len(pastiches) == 2  # steps 2 and 4 (the final image equals step 4's)


def test_stop_from_a_callback_ends_the_run_early():
    explorer = make_explorer(steps=20)
    explorer.optimizer.value = "adam"
    explorer.pastiche.observe(
        lambda change: explorer.stop(), names="value"
    )  # stop at the first redraw
    result = explorer.run()
    # Asked during step 1's redraw: step 2 is taken (and recorded), its callback raises
    # StopTransfer.
    assert result.history.stopped_early and len(result.history) == 2
    assert "stopped at step 2" in explorer.status.value
    explorer.pastiche.unobserve_all()
    assert len(explorer.run().history) == 20  # the next run starts afresh


def test_stop_from_the_notebook_while_a_thread_runs():
    explorer = make_explorer(steps=500)
    explorer.optimizer.value = "adam"
    thread = explorer.run_in_background()
    assert explorer.running and explorer.run_button.disabled and not explorer.stop_button.disabled
    assert explorer.run_in_background() is thread  # a second click does not start another run
    deadline = time.monotonic() + 120
    while "step" not in explorer.status.value and time.monotonic() < deadline:
        time.sleep(0.05)
    explorer.stop_button.click()
    thread.join(120)
    assert not thread.is_alive() and explorer.error is None
    assert explorer.result.history.stopped_early and len(explorer.result.history) < 500
    assert not explorer.running and not explorer.run_button.disabled


# --- images --------------------------------------------------------------------------------------


def test_a_bad_upload_shows_the_error_and_keeps_the_content():
    explorer = make_explorer()
    before, preview = explorer.content.source(), explorer.content.preview.value
    explorer.content.upload.value = uploaded_file("notes.txt", b"not an image at all")
    assert (
        "content upload refused" in explorer.status.value and "notes.txt" in explorer.status.value
    )
    assert explorer.content.source() is before and explorer.content.preview.value == preview

    picture = tf.constant(rng.random((1, 50, 40, 3)), tf.float32)
    explorer.style.upload.value = uploaded_file("mine.png", png_bytes(picture))
    assert explorer.style.source().shape == (1, 50, 40, 3)
    assert "style: using uploaded 'mine.png'" in explorer.status.value
    assert explorer.config().size == 48  # still runs with the new style
    explorer.optimizer.value = "adam"
    explorer.run()


def test_samples_in_the_dropdowns(samples_available):
    explorer = GatysExplorer("tuebingen", "composition_vii", weights=None, size=48, steps=2)
    assert explorer.content.source() == "tuebingen" and explorer.style.source() == "composition_vii"
    assert max(decoded_size(explorer.content.preview.value)) == 128
    explorer.content.upload.value = uploaded_file("mine.png", png_bytes(CONTENT))
    assert explorer.content.source().shape == (1, 48, 64, 3)
    explorer.content.dropdown.value = "grace_hopper"  # a sample replaces the upload
    assert explorer.content.source() == "grace_hopper"
    explorer._ipython_display_()  # displays without error outside a notebook too


@pytest.mark.weights
def test_real_weights_lower_the_loss(vgg_weights, samples_available):
    explorer = GatysExplorer(
        "tuebingen", "composition_vii", weights=str(vgg_weights), size=64, steps=5, update_every=2
    )
    result = explorer.run()
    assert max(result.image.shape[1:3]) == 64
    assert result.history.total[-1] < result.history.total[0]
    assert decoded_size(explorer.pastiche.value) == (result.image.shape[2], result.image.shape[1])
