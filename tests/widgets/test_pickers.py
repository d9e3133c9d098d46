"""stlib.widgets.pickers: an image picker takes a sample or an upload (ipywidgets 7 and 8 value
shapes), refuses a bad file and keeps the image in use, names the image in use in its dropdown.
The pickers are the Gatys explorer's, so that what they report reaches its status line."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

ipywidgets = pytest.importorskip("ipywidgets")

import traitlets  # noqa: E402
from widget_helpers import (  # noqa: E402
    CONTENT,
    STYLE,
    decoded_size,
    make_explorer,
    rng,
    send_file,
    tooltip,
    upload_label,
    uploaded_file,
    uploaded_file_7,
)

from stlib import images  # noqa: E402
from stlib.widgets import (  # noqa: E402
    GatysExplorer,
    clear_upload,
    decode_upload,
    png_bytes,
    uploaded_files,
)
from stlib.widgets.pickers import UPLOAD_VALUE  # noqa: E402


def test_decode_upload_reads_image_bytes_and_refuses_others():
    image = decode_upload(png_bytes(STYLE))
    assert image.shape == (1, 40, 40, 3)
    np.testing.assert_allclose(image.numpy(), np.round(STYLE.numpy() * 255) / 255, atol=1e-6)
    with pytest.raises(images.ImageError, match="'notes.txt' is not an image"):
        decode_upload(b"just some text", "'notes.txt'")


def test_a_bad_upload_shows_the_error_and_keeps_the_content():
    explorer = make_explorer()
    before, preview = explorer.content.source(), explorer.content.preview.value
    send_file(explorer.content.upload, "notes.txt", b"not an image at all")
    assert (
        "content upload refused" in explorer.status.value and "notes.txt" in explorer.status.value
    )
    assert explorer.content.source() is before and explorer.content.preview.value == preview

    picture = tf.constant(rng.random((1, 50, 40, 3)), tf.float32)
    send_file(explorer.style.upload, "mine.png", png_bytes(picture))
    assert explorer.style.source().shape == (1, 50, 40, 3)
    assert "style: using uploaded 'mine.png'" in explorer.status.value
    assert explorer.config().size == 48  # still runs with the new style
    explorer.optimizer.value = "adam"
    explorer.run()


def test_samples_in_the_dropdowns(samples_available):
    explorer = GatysExplorer("tuebingen", "composition_vii", weights=None, size=48, steps=2)
    assert explorer.content.source() == "tuebingen" and explorer.style.source() == "composition_vii"
    assert max(decoded_size(explorer.content.preview.value)) == 128
    send_file(explorer.content.upload, "mine.png", png_bytes(CONTENT))
    assert explorer.content.source().shape == (1, 48, 64, 3)
    explorer.content.dropdown.value = "grace_hopper"  # a sample replaces the upload
    assert explorer.content.source() == "grace_hopper"
    explorer._ipython_display_()  # displays without error outside a notebook too


def test_uploaded_files_reads_the_value_of_ipywidgets_7_and_8():
    png = png_bytes(STYLE)
    for value in (uploaded_file("mine.png", png), uploaded_file_7("mine.png", png)):
        files = uploaded_files(value)
        assert files == [("mine.png", png)] and type(files[0][1]) is bytes  # not a memoryview
    assert uploaded_files(()) == [] and uploaded_files({}) == []


@pytest.mark.parametrize(
    "shape", [uploaded_file, uploaded_file_7], ids=["ipywidgets8", "ipywidgets7"]
)
def test_an_upload_of_either_value_shape_is_used_and_shown_in_the_dropdown(shape):
    explorer = make_explorer()
    picture = tf.constant(rng.random((1, 50, 40, 3)), tf.float32)
    explorer.style._on_upload({"new": shape("mine.png", png_bytes(picture))})
    assert explorer.style.source().shape == (1, 50, 40, 3)
    assert explorer.style.dropdown.value == UPLOAD_VALUE
    assert upload_label(explorer.style) == "(upload: mine.png)"
    assert "style: using uploaded 'mine.png'" in explorer.status.value


def test_clear_upload_empties_the_upload_of_ipywidgets_7_and_8():
    class Upload7(traitlets.HasTraits):  # the traits of ipywidgets 7.7's FileUpload it touches
        value = traitlets.Dict(read_only=True)
        metadata = traitlets.List()
        data = traitlets.List()
        _counter = traitlets.Int()

    old = Upload7(metadata=[{"name": "a.png"}], data=[b"x"], _counter=1)
    old.set_trait("value", uploaded_file_7("a.png", b"x"))
    clear_upload(old)
    assert (old.value, old.metadata, old.data, old._counter) == ({}, [], [], 0)  # "Upload" again

    new = ipywidgets.FileUpload()
    send_file(new, "a.png", b"x")
    assert new.value
    clear_upload(new)
    assert not new.value


def test_upload_quirks_are_gone(samples_available):
    explorer = GatysExplorer("tuebingen", "starry_night", weights=None, size=48, steps=2)
    style = explorer.style
    assert "style image" in tooltip(style.upload)  # not the "null" tooltip of ipywidgets 8
    png = png_bytes(tf.constant(rng.random((1, 50, 40, 3)), tf.float32))

    send_file(style.upload, "mine.png", png)
    assert style.source().shape == (1, 50, 40, 3)
    assert upload_label(style) == "(upload: mine.png)" and style.dropdown.value == UPLOAD_VALUE
    assert not style.upload.value  # emptied: no "Upload (1)"; the same file can come again

    style.dropdown.value = "starry_night"  # the sample chosen before the upload works again
    assert style.source() == "starry_night" and upload_label(style) == ""
    assert "style: sample 'starry_night'" in explorer.status.value

    send_file(style.upload, "mine.png", png)  # the same file once more
    assert style.source().shape == (1, 50, 40, 3) and "using uploaded 'mine.png'" in (
        explorer.status.value
    )

    send_file(style.upload, "notes.txt", b"no image")
    assert "style upload refused" in explorer.status.value and not style.upload.value
    assert style.source().shape == (1, 50, 40, 3)  # the upload in use stays

    style.dropdown.value = "composition_vii"  # a new sample replaces the stale message
    assert "refused" not in explorer.status.value and "composition_vii" in explorer.status.value
    assert style.source() == "composition_vii"


def test_an_image_given_in_code_is_named_in_the_dropdown():
    explorer = make_explorer()
    assert upload_label(explorer.content) == "(image given in code)"
    assert explorer.content.dropdown.value == UPLOAD_VALUE
    assert explorer.content.source() is not None and explorer.content.source().shape[0] == 1
