"""The multi-style network in the app (stlib.app.cin_panel) under Streamlit's AppTest: its pastiche
equals ``stlib.cin.stylize``'s for one style and for a mix, the command line it shows makes the
same picture, a bad network file is the library's message, the swatches and the gallery paint the
styles on the photo, and the other methods keep working. Everything at 128 px."""

from __future__ import annotations

import shlex

import numpy as np
import pytest
from app_test_helpers import decoded, media_bytes

SIZE = 128


@pytest.fixture(scope="session")
def magenta26_offline(app_needs) -> None:
    """Skip unless the 26-style frozen graph is here (STLIB_MODELS_DIR or the cache)."""
    from stlib.cin import magenta26

    try:
        magenta26.frozen_graph_path(download=False)
    except magenta26.ModelNotFoundError as error:
        pytest.skip(f"the 26-style network is not available offline: {error}")


@pytest.fixture
def page(app, magenta26_offline):
    """The page with the multi-style network at 128 px (style 19 on tuebingen)."""
    app.select_slider(key="size").set_value(SIZE)
    app.radio(key="method").set_value("cin").run()
    assert not app.exception, app.exception
    return app


def _library(style, photo="tuebingen", size=SIZE, **settings) -> np.ndarray:
    """``stlib.cin.stylize``'s pastiche as a file would hold it: uint8 [H, W, 3]."""
    from stlib import cin, images

    return np.asarray(images.to_pil(cin.stylize(photo, style, size=size, **settings).image))


def _shown(at, media) -> np.ndarray:
    """The pastiche the page offers for download, uint8 [H, W, 3]."""
    return decoded(media_bytes(media, at.download_button(key="download").proto.url)[0])


def _captions(at) -> list[list[str]]:
    return [image.captions for image in at.image]


def _errors(at) -> list[str]:
    return [error.value for error in at.error]


def _different(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.abs(a.astype(int) - b.astype(int)).mean() > 5


def test_the_method_is_offered_and_paints_one_style_as_the_library_does(page, media):
    assert page.radio(key="method").options[-1] == "Multi-style network"
    assert page.multiselect(key="cin_styles").value == [19]
    assert page.text_input(key="cin_model").value == "magenta-26"
    assert any(c.startswith("Multi-style network: 128x96 px in") for c in sum(_captions(page), []))
    assert ["#19"] in _captions(page)  # the swatch where the painting would be
    assert not _errors(page)
    np.testing.assert_array_equal(_shown(page, media), _library(19))
    name = media_bytes(media, page.download_button(key="download").proto.url)[2]
    assert name == "tuebingen-cin.png"
    assert [c.value for c in page.code] == [
        "stlib cin tuebingen -o tuebingen-cin.png --style 19 --size 128"
    ]
    # No painting, no comparison with Gatys' method.
    assert "Both methods on this pair" not in [s.value for s in page.subheader]


def test_a_mix_with_unequal_weights_is_the_library_s_and_the_command_makes_it(
    page, media, tmp_path, monkeypatch
):
    from stlib import cli

    page.multiselect(key="cin_styles").set_value([3, 19]).run()
    assert [s.key for s in page.slider] == ["cin_weight_3", "cin_weight_19"]
    page.slider(key="cin_weight_19").set_value(0.5).run()
    assert not page.exception and not _errors(page)
    shown = _shown(page, media)
    np.testing.assert_array_equal(shown, _library({3: 1.0, 19: 0.5}))  # 2/3 and 1/3
    assert _different(shown, _library({3: 0.5, 19: 0.5}))
    assert ["#3 · 67%", "#19 · 33%"] in _captions(page)
    command = page.code[0].value
    assert command == "stlib cin tuebingen -o tuebingen-cin.png --mix 3:1,19:0.5 --size 128"
    monkeypatch.chdir(tmp_path)
    assert cli.main(shlex.split(command)[1:]) == 0
    written = decoded((tmp_path / "tuebingen-cin.png").read_bytes())
    np.testing.assert_array_equal(written, shown)


def test_another_style_is_another_picture_without_a_button(page, media):
    before = _shown(page, media)
    page.multiselect(key="cin_styles").set_value([5]).run()
    after = _shown(page, media)
    np.testing.assert_array_equal(after, _library(5))
    assert _different(after, before)
    assert "--style 5 --size 128" in page.code[0].value


def test_weights_that_sum_to_zero_are_the_library_s_error_in_both_terms(page):
    page.multiselect(key="cin_styles").set_value([3, 19]).run()
    for key in ("cin_weight_3", "cin_weight_19"):
        page.slider(key=key).set_value(0.0)
    page.run()
    assert not page.exception
    assert _errors(page) == ["Style weights 3:0,19:0: the weights sum to 0; give at least one > 0"]
    said = [c.value for c in page.caption if "command line says" in c.value]
    assert said == [
        "The command line says: `stlib cin: error: --mix 3:0,19:0: the weights sum to 0; "
        "give at least one > 0`"
    ]
    assert not page.download_button


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("missing.keras", None, "no such file"),
        ("notes.txt", b"notes", "expected a .keras file (saved by stlib cin-train)"),
        ("broken.keras", b"not a zip", "is not a Keras .keras file (a zip holding config.json)"),
    ],
)
def test_a_bad_network_file_is_the_library_s_message_and_the_page_goes_on(
    page, media, tmp_path, name, data, message
):
    from stlib import cin

    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    page.text_input(key="cin_model").input(str(path)).run()
    assert not page.exception  # no traceback
    with pytest.raises(cin.ModelFileError) as raised:
        cin.load(path)
    assert _errors(page) == [str(raised.value)] and message in str(raised.value)
    assert not page.download_button
    page.text_input(key="cin_model").input("magenta-26").run()
    assert not page.exception and not _errors(page)
    np.testing.assert_array_equal(_shown(page, media), _library(19))


def test_a_trained_network_file_offers_its_own_styles(page, media, tmp_path):
    from stlib.cin.transformer import MultiStyleTransformer, TransformerSpec

    path = tmp_path / "two.keras"
    MultiStyleTransformer(2, TransformerSpec((4, 4, 4), 1, (4, 4)), ["ink", "oil"]).save(path)
    page.text_input(key="cin_model").input(str(path)).run()
    assert not page.exception and not _errors(page)
    picker = page.multiselect(key="cin_styles")
    assert picker.options == ["#0 ink", "#1 oil"] and picker.value == [0]  # 19 is not there
    picker.set_value([0, 1]).run()
    np.testing.assert_array_equal(_shown(page, media), _library({0: 1, 1: 1}, model=path))
    assert f"--model {shlex.quote(str(path))} --mix 0:1,1:1 --size 128" in page.code[0].value


def test_luminance_only_keeps_the_photo_s_colours_and_histogram_says_why_it_cannot(page, media):
    from stlib import cin, color, data, images

    page.selectbox(key="preserve_color").set_value("luminance").run()
    assert not page.exception and not _errors(page)
    photo = images.load(data.path("tuebingen"), SIZE)
    kept = color.combine_luminance(cin.stylize(photo, 19).image, photo)
    np.testing.assert_array_equal(_shown(page, media), np.asarray(images.to_pil(kept)))
    assert "--size 128 --preserve-color luminance" in page.code[0].value
    page.selectbox(key="preserve_color").set_value("histogram").run()
    np.testing.assert_array_equal(_shown(page, media), _library(19))  # the style's colours
    assert any("this network has no painting" in c.value for c in page.caption)


def test_the_gallery_paints_every_style_on_the_photo_and_adds_one(page, media):
    from stlib import cin, data, images

    assert not [i for i in page.image if i.captions == ["#0"]]  # closed: nothing computed
    page.session_state["cin_gallery"] = True
    page.run()
    assert not page.exception
    swatches = [i for i in page.image if len(i.captions) == 1 and i.captions[0].startswith("#")]
    captions = [i.captions[0] for i in swatches]  # the chosen one, then the gallery's columns
    assert captions[0] == "#19" and sorted(captions[1:]) == sorted(f"#{k}" for k in range(26))
    assert page.button(key="cin_add_19").disabled and not page.button(key="cin_add_5").disabled
    # A swatch is the library's picture of the photo at 112 px.
    small = images.load(data.path("tuebingen"), 112)
    sent = decoded(media_bytes(media, swatches[captions.index("#5")].value[0])[0])
    np.testing.assert_array_equal(sent, np.asarray(images.to_pil(cin.stylize(small, 5).image)))
    page.button(key="cin_add_5").click().run()
    assert page.multiselect(key="cin_styles").value == [19, 5]


def test_the_other_methods_still_paint_after_the_multi_style_network(page, media):
    page.radio(key="method").set_value("arbitrary").run()
    assert not page.exception and not _errors(page)
    assert any(c.startswith("Arbitrary (real time): 128x96 px") for c in sum(_captions(page), []))
    assert page.multiselect(key="style").value == ["starry_night"]
    assert "Both methods on this pair" in [s.value for s in page.subheader]
    page.radio(key="method").set_value("gatys").run()
    assert not page.exception and page.button(key="run")


def test_the_paintings_and_their_weights_survive_a_visit_to_the_multi_style_network(app):
    app.multiselect(key="style").set_value(["the_scream", "starry_night"]).run()
    app.slider(key="weight:sample:the_scream").set_value(0.3).run()
    app.radio(key="method").set_value("cin").run()
    app.radio(key="method").set_value("arbitrary").run()
    assert app.multiselect(key="style").value == ["the_scream", "starry_night"]
    assert app.slider(key="weight:sample:the_scream").value == 0.3
