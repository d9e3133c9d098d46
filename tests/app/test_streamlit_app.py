"""The app (stlib.app) under Streamlit's AppTest: the page loads, the arbitrary network's
pastiche follows the controls and equals stlib's, uploads work or fail with the command line's
message, Gatys runs, stops and leaves a config that `stlib transfer --config` reads back, the
comparison measures both methods."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import numpy as np
import pytest
from app_test_helpers import APP, decoded, media_bytes
from PIL import Image

GATYS_SECONDS = 120  # a few L-BFGS steps at 128 px take seconds; generous for a slow CI


def _image(at, caption_start: str):
    """The image element whose caption starts with ``caption_start``."""
    found = [i for i in at.image if any(c.startswith(caption_start) for c in i.captions)]
    assert found, f"no image captioned {caption_start!r}: {[i.captions for i in at.image]}"
    return found[0]


def _download(at, media, key: str) -> tuple[bytes, str, str | None]:
    return media_bytes(media, at.download_button(key=key).proto.url)


def _png(width: int, height: int, seed: int = 0) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _library_pastiche(content, styles, **settings) -> np.ndarray:
    """stlib's own pastiche, uint8 [H, W, 3], as `stlib arbitrary` would write it."""
    from stlib import arbitrary, images

    image = arbitrary.stylize(content, styles, backend="tflite", **settings).image
    return np.asarray(images.to_pil(image))


def _errors(at) -> list[str]:
    return [error.value for error in at.error]


# --- the page and the arbitrary network ----------------------------------------------------------


def test_the_page_loads_with_its_widget_keys_and_the_default_pastiche(app, media):
    assert app.selectbox(key="content").value == "tuebingen"
    assert app.multiselect(key="style").value == ["starry_night"]
    assert app.radio(key="method").value == "arbitrary"
    assert app.select_slider(key="size").value == 384
    assert app.slider(key="strength").value == 1.0
    assert app.download_button(key="download").label == "Download PNG"
    shown = _image(app, "Arbitrary (real time): 384x288 px")
    assert decoded(media_bytes(media, shown.value[0])[0]).shape == (288, 384, 3)
    assert not _errors(app)


def test_the_download_is_the_library_s_pastiche_as_png(app, media):
    data, mimetype, name = _download(app, media, "download")
    assert mimetype == "image/png" and name == "tuebingen-arbitrary.png"
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    expected = _library_pastiche("tuebingen", "starry_night", size=384)
    np.testing.assert_array_equal(decoded(data), expected)  # the page adds nothing of its own


def test_the_strength_slider_repaints_without_a_button(app, media):
    before = decoded(_download(app, media, "download")[0])
    start = time.perf_counter()
    app.slider(key="strength").set_value(0.0).run()
    seconds = time.perf_counter() - start
    assert not app.exception and not _errors(app)
    after = decoded(_download(app, media, "download")[0])
    weak = _library_pastiche("tuebingen", "starry_night", strength=0.0, size=384)
    np.testing.assert_array_equal(after, weak)
    assert np.abs(after.astype(int) - before.astype(int)).mean() > 5  # really another picture
    assert seconds < 30, f"a slider move took {seconds:.1f} s"
    command = app.code[0].value
    assert command.startswith("stlib arbitrary tuebingen starry_night -o tuebingen-arbitrary.png")
    assert "--strength 0 --size 384" in command


def test_two_styles_blend_by_their_weights_and_all_zero_weights_are_refused(app, media):
    app.multiselect(key="style").set_value(["starry_night", "the_scream"]).run()
    weights = [s for s in app.slider if s.key.startswith("weight:")]
    assert len(weights) == 2
    weights[1].set_value(0.5).run()
    blended = decoded(_download(app, media, "download")[0])
    expected = _library_pastiche(
        "tuebingen", ["starry_night", "the_scream"], mix=(1.0, 0.5), size=384
    )
    np.testing.assert_array_equal(blended, expected)
    for slider in [s for s in app.slider if s.key.startswith("weight:")]:
        slider.set_value(0.0)
    app.run()
    assert not app.exception
    assert _errors(app) == [
        "Style weights 0,0: must not all be 0: the styles are mixed in these proportions"
    ]
    said = [c.value for c in app.caption if "command line says" in c.value]
    assert said and "stlib arbitrary: error: --mix 0,0: must not all be 0" in said[0]
    assert not app.download_button  # no picture, no download


def test_an_uploaded_png_is_painted(app, media):
    app.selectbox(key="content").set_value("<upload>").run()
    assert [i.value for i in app.info] and not app.exception
    app.file_uploader(key="content_upload").set_value(("photo.png", _png(200, 100), "image/png"))
    app.run()
    assert not app.exception and not _errors(app)
    _image(app, "Arbitrary (real time): 384x192 px")
    data, _, name = _download(app, media, "download")
    assert name == "photo-arbitrary.png" and decoded(data).shape == (192, 384, 3)
    assert app.code[0].value.startswith("stlib arbitrary photo.png starry_night")


def test_a_camera_photo_is_painted(app, media):
    app.selectbox(key="content").set_value("<camera>").run()
    photo = io.BytesIO()
    Image.fromarray(np.full((120, 160, 3), 90, np.uint8)).save(photo, format="JPEG")
    app.camera_input(key="content_camera").set_value(("shot.jpg", photo.getvalue(), "image/jpeg"))
    app.run()
    assert not app.exception and not _errors(app)
    _image(app, "Arbitrary (real time): 384x288 px")
    assert _download(app, media, "download")[2] == "camera-arbitrary.png"


def test_an_uploaded_painting_joins_the_blend(app, media):
    painting = ("mine.png", _png(120, 90, seed=5), "image/png")
    app.file_uploader(key="style_upload").set_value([painting]).run()
    assert not app.exception and not _errors(app)
    assert [s.label for s in app.slider if s.key.startswith("weight:")] == [
        "Weight of starry_night",
        "Weight of mine.png",
    ]
    data = decoded(_download(app, media, "download")[0])
    pixels = np.asarray(Image.open(io.BytesIO(painting[1])))
    expected = _library_pastiche("tuebingen", ["starry_night", pixels], size=384)
    np.testing.assert_array_equal(data, expected)
    assert "stlib arbitrary tuebingen starry_night mine.png" in app.code[0].value


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "notes.png",
            b"these are my notes, not a picture",
            "content 'notes.png' is not an image Pillow can read; use a format such as PNG",
        ),
        ("cut.png", _png(300, 200)[:400], "content 'cut.png' is truncated or corrupt"),
        ("tiny.png", _png(20, 20), "content 'tiny.png': the image is 20x20 pixels"),
    ],
)
def test_a_bad_upload_is_an_error_with_the_cli_message_and_the_page_goes_on(
    app, name, data, message
):
    app.selectbox(key="content").set_value("<upload>").run()
    app.file_uploader(key="content_upload").set_value((name, data, "image/png")).run()
    assert not app.exception  # no traceback
    errors = _errors(app)
    assert len(errors) == 1 and errors[0].startswith(message), errors
    assert not app.download_button
    app.selectbox(key="content").set_value("labrador").run()  # the page still works
    assert not app.exception and not _errors(app)
    assert app.download_button(key="download")


def test_a_huge_upload_is_refused_before_it_is_decoded(app, monkeypatch):
    from stlib import uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_PIXELS", 100 * 100)
    app.selectbox(key="content").set_value("<upload>").run()
    app.file_uploader(key="content_upload").set_value(("big.png", _png(150, 100), "image/png"))
    app.run()
    assert not app.exception
    assert _errors(app) == [
        "content 'big.png' is 150x100 px = 15,000 pixels; uploads may have at most 10,000: "
        "scale it down first"
    ]


def test_the_upload_limits_are_set_for_the_server_and_the_widgets(app):
    from stlib.app import STREAMLIT_OPTIONS

    assert STREAMLIT_OPTIONS["server.maxUploadSize"] == "20"  # MB, what `stlib app` gives Streamlit
    app.selectbox(key="content").set_value("<upload>").run()
    uploader = app.file_uploader(key="content_upload")
    assert {"png", "jpg", "jpeg"} <= {kind.lstrip(".") for kind in uploader.allowed_type}
    assert uploader.proto.max_upload_size_mb == 20


# --- Gatys: run, stop, settings -------------------------------------------------------------------


def _gatys(app, **values):
    """Switch to Gatys and set its widgets (by key)."""
    app.radio(key="method").set_value("gatys").run()
    for key, value in values.items():
        for kind in ("number_input", "select_slider", "selectbox", "checkbox", "radio"):
            found = [w for w in getattr(app, kind) if w.key == key]
            if found:
                found[0].set_value(value)
                break
        else:
            raise KeyError(key)
    app.run()
    assert not app.exception, app.exception


def _wait_for_run(app) -> None:
    deadline = time.monotonic() + GATYS_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.3)
        app.run()
        assert not app.exception, app.exception
        if app.session_state["gatys_launch"].run.done:
            app.run()
            return
    pytest.fail(f"the Gatys run did not end within {GATYS_SECONDS} s")


def test_gatys_runs_shows_the_loss_curve_and_its_settings_reproduce_it(app, media, tmp_path):
    from stlib import cli
    from stlib.gatys import GatysConfig, preset

    _gatys(app, size=128, steps=3)
    assert app.button(key="stop").disabled  # nothing to stop yet
    app.button(key="run").click().run()
    _wait_for_run(app)
    assert not _errors(app)
    _image(app, "Gatys (optimisation): 128x96 px, 3 steps in")
    curve = _image(app, "Loss per step")
    assert decoded(media_bytes(media, curve.value[0])[0]).shape[0] > 100
    data, mimetype, name = _download(app, media, "download")
    assert mimetype == "image/png" and name == "tuebingen-gatys.png"
    assert decoded(data).shape == (96, 128, 3)
    text, mimetype, name = _download(app, media, "download_config")
    assert mimetype == "application/json" and name == "stlib-config.json"
    config = GatysConfig.from_json(text)
    assert config == preset("stlib", size=128, steps=3)
    # The command line reads the same file back into the same settings.
    path = tmp_path / "stlib-config.json"
    path.write_bytes(text)
    args = cli.build_parser().parse_args(
        ["transfer", "tuebingen", "starry_night", "-o", "x.png", "--config", str(path)]
    )
    assert cli.transfer.config_from(args) == config
    command = [c.value for c in app.code][-1]
    assert command == (
        "stlib transfer tuebingen starry_night --config stlib-config.json -o tuebingen-gatys.png"
    )
    # The comparison: both pastiches at 128 px, time and distances measured by stlib.
    table = app.table[0].value
    assert list(table["method"]) == ["Arbitrary", "Gatys"]
    assert all(float(v) > 0 for v in table["content distance"])
    _image(app, "Arbitrary: ")
    _image(app, "Gatys: ")


def test_stop_keeps_the_pastiche_reached(app, media):
    _gatys(app, size=128, steps=2000)
    app.button(key="run").click().run()
    launched = app.session_state["gatys_launch"]
    deadline = time.monotonic() + GATYS_SECONDS
    while launched.run.progress().step < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    app.run()
    assert not app.button(key="stop").disabled and app.button(key="run").disabled
    app.button(key="stop").click().run()
    _wait_for_run(app)
    steps = len(launched.run.result.history)
    assert 2 <= steps < 2000
    _image(app, f"Gatys (optimisation): 128x96 px, {steps} steps in")
    caption = _image(app, "Gatys (optimisation)").captions[0]
    assert caption.endswith(f"(stopped at step {steps} of 2000)")
    assert decoded(_download(app, media, "download")[0]).shape == (96, 128, 3)


def test_warm_start_begins_from_the_arbitrary_pastiche_and_the_json_names_it(app, media):
    from stlib.gatys import GatysConfig

    _gatys(app, size=128, steps=1, warm_start=True)
    app.button(key="run").click().run()
    _wait_for_run(app)
    launched = app.session_state["gatys_launch"]
    arbitrary = _library_pastiche("tuebingen", "starry_night", size=128)
    start = np.clip(np.rint(launched.start * 255), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(start, arbitrary)
    data, _, name = _download(app, media, "download_start")
    assert name == "tuebingen-arbitrary.png"
    np.testing.assert_array_equal(decoded(data), arbitrary)
    values = json.loads(_download(app, media, "download_config")[0])
    assert values["init"] == "tuebingen-arbitrary.png"
    with pytest.raises(ValueError, match="init='tuebingen-arbitrary.png'"):
        GatysConfig.from_json(json.dumps(values))  # checked: the file must be there


def test_an_impossible_setting_is_an_error_and_run_is_off(app):
    _gatys(app, content_weight=0.0, style_weight=0.0)
    assert not app.exception
    errors = _errors(app)
    assert len(errors) == 1
    assert errors[0].startswith("Content weight 0, Style weight 0, TV weight 0: every loss term")
    said = [c.value for c in app.caption if "command line says" in c.value][0]
    assert "stlib transfer: error: --content-weight 0, --style-weight 0, --tv-weight 0" in said
    assert app.button(key="run").disabled


def test_a_preset_fills_the_loss_and_keeps_size_and_steps(app):
    from stlib.gatys import preset

    _gatys(app, steps=7)
    app.selectbox(key="preset").set_value("tf-tutorial").run()
    tutorial = preset("tf-tutorial")
    assert app.number_input(key="content_weight").value == tutorial.content_weight
    assert app.number_input(key="tv_weight").value == tutorial.tv_weight
    assert app.radio(key="optimizer").value == "adam"
    assert app.multiselect(key="content_layers").value == ["block5_conv2"]
    assert app.number_input(key="steps").value == 7
    assert app.select_slider(key="size").value == 384


# Streamlit calls keras.backend.clear_session() after every script run; under a Gatys run in the
# background that killed the process (SIGSEGV) or hung it, at 384 px within ten steps (2 of 2
# tries without the app's fix). In a child process, so that a crash fails one test, not pytest.
SURVIVAL = """
import sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=90)
at.run()
at.radio(key="method").set_value("gatys").run()
at.number_input(key="steps").set_value(10).run()
at.button(key="run").click().run()
while not at.session_state["gatys_launch"].run.done:
    time.sleep(0.2)
    at.run()  # each run ends with Streamlit's clean-up, while the optimisation goes on
print("steps", len(at.session_state["gatys_launch"].run.result.history))
"""


@pytest.mark.slow
def test_a_gatys_run_survives_streamlit_s_clean_up_after_each_script_run(app_needs):
    done = subprocess.run(
        [sys.executable, "-c", SURVIVAL, str(APP)], capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("steps 10")
