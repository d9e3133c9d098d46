"""Spatial control in the app (stlib.app.mask_picker): the chooser's options become what
``stlib.masks.resolve`` takes, the preview tints the photo with a legend, and every method's run
gets the masks (``masks=``): the halves place the paintings, "none" mixes them (masks=None), and
uploaded masks that overlap are the library's error with no run. Everything at 128 px."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from app_test_helpers import decoded, media_bytes
from PIL import Image

pytest.importorskip("streamlit")

from stlib import masks  # noqa: E402
from stlib.app import mask_picker  # noqa: E402

SIZE = 128
PAIR = ["starry_night", "the_scream"]
GATYS_SECONDS = 120


# --- the pure functions -------------------------------------------------------------------------


def test_each_option_becomes_what_resolve_takes():
    assert mask_picker.sources("none", 2) is None
    assert mask_picker.sources("left-right", 2) == ["left", "right"]
    assert mask_picker.sources("top-bottom", 2) == ["top", "bottom"]
    assert mask_picker.sources("auto", 3) == masks.AUTO
    white, black = np.ones((4, 6), np.float32), np.zeros((4, 6), np.float32)
    assert mask_picker.sources("upload", 2, [white, black]) == [white, black]
    for option in ("left-right", "top-bottom"):  # what resolve makes of them: a partition
        resolved = masks.resolve(mask_picker.sources(option, 2), 2, 4, 6)
        assert resolved.shape == (2, 4, 6) and np.all(resolved.sum(0) == 1)


def test_the_halves_place_two_paintings_and_uploads_one_mask_each():
    assert mask_picker.options_for(2) == list(mask_picker.OPTIONS)
    assert mask_picker.options_for(3) == ["none", "auto", "upload"]
    with pytest.raises(masks.MaskError, match="places two paintings, and 3 are chosen"):
        mask_picker.sources("left-right", 3)
    with pytest.raises(masks.MaskError, match="1 mask uploaded for 2 paintings"):
        mask_picker.sources("upload", 2, [np.ones((4, 6))])
    with pytest.raises(masks.MaskError, match="unknown masks option 'diagonal'"):
        mask_picker.sources("diagonal", 2)


def test_the_legend_names_the_overlay_s_colours_in_the_paintings_order():
    assert mask_picker.legend(["starry_night", "the_scream"]) == (
        "red: starry_night · blue: the_scream"
    )
    assert len(mask_picker.COLOR_NAMES) == len(masks.COLORS)
    assert mask_picker.legend([f"p{r}" for r in range(7)]).endswith("cyan: p5 · red: p6")
    # Each named colour is the overlay's: red, green, blue lead where they are named.
    for name, channel in (("red", 0), ("green", 1), ("blue", 2)):
        tint = masks.COLORS[mask_picker.COLOR_NAMES.index(name)]
        assert int(np.argmax(tint)) == channel, name
    # The preview of the halves: the left half tinted towards the first colour.
    photo = np.full((1, 4, 6, 3), 0.5, np.float32)
    tinted = masks.overlay(photo, masks.resolve(["left", "right"], 2, 4, 6)).numpy()[0]
    assert tinted[0, 0, 0] > tinted[0, 0, 2] and tinted[0, -1, 2] > tinted[0, -1, 0]


# --- the page -----------------------------------------------------------------------------------


def _png(white: slice, width: int = 64, height: int = 48) -> bytes:
    """A black PNG, white in the columns ``white``."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, white] = 255
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _errors(at) -> list[str]:
    return [error.value for error in at.error]


def _image(at, caption: str):
    found = [i for i in at.image if caption in i.captions]
    assert found, f"no image captioned {caption!r}: {[i.captions for i in at.image]}"
    return found[0]


@pytest.fixture
def two(app):
    """The page at 128 px with two paintings (the arbitrary network)."""
    app.select_slider(key="size").set_value(SIZE)
    app.multiselect(key="style").set_value(PAIR).run()
    assert not app.exception, app.exception
    return app


def test_one_painting_shows_no_chooser(app):
    assert not [s for s in app.selectbox if s.key == mask_picker.KEY]


def test_the_halves_are_previewed_and_place_the_arbitrary_paintings(two, media):
    from stlib import arbitrary, images

    chooser = two.selectbox(key=mask_picker.KEY)
    assert chooser.value == "none" and chooser.options == list(mask_picker.OPTIONS.values())
    chooser.set_value("left-right").run()
    assert not two.exception and not _errors(two)
    preview = _image(two, "red: starry_night · blue: the_scream")
    tinted = decoded(media_bytes(media, preview.value[0])[0]).astype(int)
    assert tinted.shape == (96, 128, 3)
    left, right = tinted[:, :64].mean((0, 1)), tinted[:, 64:].mean((0, 1))
    assert left[0] - left[2] > right[0] - right[2] + 40  # red on the left, blue on the right
    shown = decoded(media_bytes(media, two.download_button(key="download").proto.url)[0])
    placed = arbitrary.stylize(
        "tuebingen", PAIR, backend="tflite", size=SIZE, masks=["left", "right"]
    )
    np.testing.assert_array_equal(shown, np.asarray(images.to_pil(placed.image)))
    assert "--masks left,right" in two.code[0].value


def _spy(monkeypatch) -> list[dict]:
    """Record what the Gatys run's ``stylize`` is given (and run it)."""
    from stlib import background  # the app's runs call stylize through BackgroundTransfer

    calls, real = [], background.stylize

    def spying(content, style, config, **kwargs):
        calls.append({"style": style, "config": config, **kwargs})
        return real(content, style, config, **kwargs)

    monkeypatch.setattr(background, "stylize", spying)
    return calls


def _run_gatys(app) -> None:
    app.button(key="run").click().run()
    deadline = time.monotonic() + GATYS_SECONDS
    while not app.session_state["gatys_launch"].run.done:
        assert time.monotonic() < deadline, "the Gatys run did not end"
        time.sleep(0.3)
        app.run()
    app.run()
    assert not app.exception, app.exception


def test_gatys_runs_with_the_halves_and_none_mixes(two, monkeypatch):
    calls = _spy(monkeypatch)
    two.radio(key="method").set_value("gatys").run()
    two.number_input(key="steps").set_value(1)
    two.selectbox(key=mask_picker.KEY).set_value("left-right").run()
    assert not two.exception and not _errors(two)
    _image(two, "red: starry_night · blue: the_scream")
    _run_gatys(two)
    assert calls[-1]["masks"] == ["left", "right"] and calls[-1]["config"].mix is None
    assert two.session_state["gatys_launch"].run.result.image.shape == (1, 96, 128, 3)
    assert not _errors(two)
    assert any("--masks left,right" in block.value for block in two.code)  # the command line
    two.selectbox(key=mask_picker.KEY).set_value("none").run()
    assert not [i for i in two.image if "red: starry_night · blue: the_scream" in i.captions]
    _run_gatys(two)
    assert len(calls) == 2 and calls[-1]["masks"] is None
    assert calls[-1]["config"].mix == (1.0, 1.0)


def test_overlapping_uploaded_masks_are_the_library_s_error_and_no_run(two, monkeypatch):
    calls = _spy(monkeypatch)
    two.radio(key="method").set_value("gatys").run()
    two.selectbox(key=mask_picker.KEY).set_value("upload").run()
    assert [i.value for i in two.info if "one mask per painting" in i.value]
    assert two.button(key="run").disabled  # nothing uploaded yet
    for index in range(2):  # both white: every pixel in both regions
        uploader = two.file_uploader(key=mask_picker.upload_key(index))
        uploader.set_value((f"white{index}.png", _png(slice(None)), "image/png"))
    two.run()
    assert not two.exception
    errors = _errors(two)
    assert len(errors) == 1 and errors[0].startswith("the masks overlap: 100 % of the pixels")
    assert two.button(key="run").disabled  # AppTest, like a browser, cannot click it
    assert "gatys_launch" not in two.session_state and not calls
    # The live network paints nothing either, and says why.
    two.radio(key="method").set_value("arbitrary").run()
    assert not two.download_button
    assert [i.value for i in two.info if "once the masks place every painting" in i.value]
    # Complementary masks place them: the error goes, the picture comes.
    for index, (name, white) in enumerate(
        (("left.png", slice(0, 32)), ("right.png", slice(32, None)))
    ):
        uploader = two.file_uploader(key=mask_picker.upload_key(index))
        uploader.set_value((name, _png(white), "image/png"))
    two.run()
    assert not two.exception and not _errors(two)
    assert two.download_button(key="download")
    assert "--masks left.png,right.png" in two.code[0].value


def test_the_multi_style_network_places_its_styles(app, media):
    from stlib import cin, images
    from stlib.cin import magenta26

    try:
        magenta26.frozen_graph_path(download=False)
    except magenta26.ModelNotFoundError as error:
        pytest.skip(f"the 26-style network is not available offline: {error}")
    app.select_slider(key="size").set_value(SIZE)
    app.radio(key="method").set_value("cin").run()
    app.multiselect(key="cin_styles").set_value([7, 19]).run()
    app.selectbox(key=mask_picker.KEY).set_value("top-bottom").run()
    assert not app.exception and not _errors(app)
    _image(app, "red: #7 · blue: #19")
    shown = decoded(media_bytes(media, app.download_button(key="download").proto.url)[0])
    placed = cin.stylize("tuebingen", {7: 1.0, 19: 1.0}, size=SIZE, masks=["top", "bottom"])
    np.testing.assert_array_equal(shown, np.asarray(images.to_pil(placed.image)))
    assert "--masks top,bottom" in app.code[0].value
