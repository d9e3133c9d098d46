"""The arbitrary-style explorer: each slider repaints with the settings it names (checked against
the stylizer's own ``stylize``), the paintings are embedded once, a bad setting shows in the status
line, the layout fits 800 px, the static copy holds the last picture. A small stylizer without
model files keeps these fast; the last test uses the official TFLite files (or skips)."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest
import tensorflow as tf

ipywidgets = pytest.importorskip("ipywidgets")

from widget_helpers import all_widgets, capture_display, decoded_size, pixels  # noqa: E402

from stlib.arbitrary import EmbeddingStylizer  # noqa: E402
from stlib.widgets import (  # noqa: E402
    ARBITRARY_QUICK_SIZE,
    ARBITRARY_SIZE,
    ArbitraryExplorer,
    arbitrary_snapshot_html,
)
from stlib.widgets.common import SNAPSHOT_CLASS  # noqa: E402

rng = np.random.default_rng(7)
CONTENT = tf.constant(rng.random((1, 48, 64, 3)), tf.float32)  # H 48, W 64
STYLE_A = tf.constant(np.broadcast_to([0.9, 0.2, 0.1], (1, 40, 40, 3)), tf.float32)  # red
STYLE_B = tf.constant(np.broadcast_to([0.1, 0.3, 0.9], (1, 40, 52, 3)), tf.float32)  # blue


class TintStylizer(EmbeddingStylizer):
    """An embedding stylizer small enough for tests: the embedding of an image is its mean colour
    followed by its standard deviation, padded to 100 numbers; ``transform`` paints half the photo
    and half the embedding's colour. Counts the images it embeds."""

    backend = "tflite"

    def __init__(self) -> None:
        self.embedded = 0

    def _embed_image(self, image) -> np.ndarray:
        self.embedded += 1
        pixels = np.asarray(image, np.float32)
        vector = np.zeros(100, np.float32)
        vector[:3] = pixels.mean(axis=(0, 1, 2))
        vector[3] = pixels.std()
        return vector

    def transform(self, content, embedding) -> tf.Tensor:
        image = tf.constant(np.asarray(content, np.float32))
        color = np.asarray(embedding, np.float32).reshape(-1)[:3]
        return tf.clip_by_value(0.5 * image + 0.5 * color, 0.0, 1.0)


def make_explorer(**changes) -> ArbitraryExplorer:
    options = dict(size=64, stylizer=TintStylizer())
    options.update(changes)
    return ArbitraryExplorer(CONTENT, STYLE_A, STYLE_B, **options)


def expected(explorer, weights, strength, size=64) -> np.ndarray:
    """What the stylizer itself paints with these settings."""
    return explorer.stylizer.stylize(
        CONTENT, [STYLE_A, STYLE_B], mix=weights, strength=strength, size=size
    ).numpy()


def test_the_first_picture_is_the_full_style_a_at_the_given_size():
    explorer = make_explorer()
    assert explorer.mix_weights() == (1.0, 0.0) and explorer.strength.value == 1.0
    np.testing.assert_allclose(explorer.image.numpy(), expected(explorer, (1, 0), 1.0), atol=1e-6)
    assert explorer.image.shape == (1, 48, 64, 3)
    assert decoded_size(explorer.pastiche.value) == (64, 48)
    # Full style A: half the photo, half style A's red.
    np.testing.assert_allclose(
        explorer.image.numpy(), 0.5 * CONTENT.numpy() + 0.5 * np.array([0.9, 0.2, 0.1]), atol=1e-3
    )
    assert re.match(
        r"64x48 px · strength 1.00 · 100 % A \+ 0 % B · \d+\.\d\d s", explorer.status_text
    )


def test_the_mixing_slider_repaints_with_the_weights_it_shows():
    explorer = make_explorer()
    for mix in (0.25, 1.0):
        explorer.mix.value = mix  # the slider's observer repaints
        assert explorer.mix_weights() == (1.0 - mix, mix)
        np.testing.assert_allclose(
            explorer.image.numpy(), expected(explorer, (1.0 - mix, mix), 1.0), atol=1e-6
        )
    # Only B: its blue, whatever A is.
    np.testing.assert_allclose(
        explorer.image.numpy(), 0.5 * CONTENT.numpy() + 0.5 * np.array([0.1, 0.3, 0.9]), atol=1e-3
    )
    assert "0 % A + 100 % B" in explorer.status_text


def test_the_strength_slider_interpolates_towards_the_photos_own_embedding():
    explorer = make_explorer(mix=0.5)
    full = explorer.image.numpy()
    explorer.strength.value = 0.0
    np.testing.assert_allclose(
        explorer.image.numpy(), expected(explorer, (0.5, 0.5), 0.0), atol=1e-6
    )
    # The photo's own embedding: the colour of its centred square (48 x 48 of 48 x 64).
    own_color = CONTENT.numpy()[:, :, 8:56].mean(axis=(0, 1, 2))
    np.testing.assert_allclose(
        explorer.image.numpy(), 0.5 * CONTENT.numpy() + 0.5 * own_color, atol=2e-3
    )
    explorer.strength.value = 0.4
    np.testing.assert_allclose(
        explorer.image.numpy(), expected(explorer, (0.5, 0.5), 0.4), atol=1e-6
    )
    assert not np.allclose(explorer.image.numpy(), full, atol=1e-3)
    assert "strength 0.40" in explorer.status_text


def test_the_size_slider_sets_the_longest_side():
    explorer = make_explorer()
    explorer.size.value = 160
    assert explorer.image.shape == (1, 120, 160, 3)
    assert decoded_size(explorer.pastiche.value) == (160, 120)


def test_the_paintings_are_embedded_once_until_a_picker_changes():
    explorer = make_explorer()
    explorer.mix.value = 0.5
    explorer.strength.value = 1.0  # unchanged: no event
    explorer.size.value = 96
    # Two paintings once; at strength 1 the photo is never embedded.
    assert explorer.stylizer.embedded == 2
    explorer.strength.value = 0.5  # now the photo's own embedding too, once per picture
    assert explorer.stylizer.embedded == 3
    green = tf.constant(np.broadcast_to([0.1, 0.8, 0.2], (1, 36, 36, 3)), tf.float32)
    explorer.style_b._use_image(green, "image given in code")  # what an upload does
    assert explorer.stylizer.embedded == 3 + 2 + 1  # both paintings again, and the photo
    want = explorer.stylizer.stylize(
        CONTENT, [STYLE_A, green], mix=(0.5, 0.5), strength=0.5, size=96
    )
    np.testing.assert_allclose(explorer.image.numpy(), want.numpy(), atol=1e-6)


def test_a_failing_picture_is_shown_in_the_status_line_and_kept_in_error():
    class Broken(TintStylizer):
        def transform(self, content, embedding):
            raise RuntimeError("interpreter gone")

    explorer = make_explorer(stylizer=Broken(), render=False)
    assert explorer.image is None and explorer.status_text == "Ready."
    explorer.mix.value = 0.5  # from a control: shown, not raised
    assert isinstance(explorer.error, RuntimeError)
    assert "cannot paint: RuntimeError: interpreter gone" in explorer.status_text
    assert "#b00020" in explorer.status.value  # in red
    with pytest.raises(RuntimeError, match="interpreter gone"):
        explorer.render()  # from code: raised as well


def test_start_values_outside_0_to_1_are_refused_by_name():
    with pytest.raises(ValueError, match="strength must be a number from 0 to 1, got 1.5"):
        make_explorer(strength=1.5, render=False)
    with pytest.raises(ValueError, match="mix must be a number from 0 to 1, got -0.1"):
        make_explorer(mix=-0.1, render=False)


def test_default_size_is_smaller_in_quick_mode(monkeypatch):
    monkeypatch.delenv("STLIB_QUICK", raising=False)
    assert make_explorer(size=None, render=False).size.value == ARBITRARY_SIZE
    monkeypatch.setenv("STLIB_QUICK", "1")
    assert make_explorer(size=None, render=False).size.value == ARBITRARY_QUICK_SIZE


def test_layout_fits_800_px_with_explicit_widths_that_wrap():
    explorer = make_explorer(render=False)
    first_row = explorer.widget.children[0]
    pickers = [explorer.content, explorer.style_a, explorer.style_b]
    assert list(first_row.children) == [picker.widget for picker in pickers]
    rows = [w for w in all_widgets(explorer.widget) if isinstance(w, ipywidgets.HBox)]
    assert len(rows) >= 3 and all(row.layout.flex_flow == "row wrap" for row in rows)
    for slider in (explorer.strength, explorer.mix, explorer.size):
        assert not slider.continuous_update  # repaint on release, not at every pixel of a drag
        assert pixels(slider.layout.width) - pixels(slider.style.description_width) >= 250
    for picker in pickers:
        assert pixels(picker.widget.layout.width) <= 400
    assert [p.dropdown.description for p in pickers] == ["Content", "Style A", "Style B"]
    widest = sum(pixels(w.layout.width) for w in (explorer.strength, explorer.mix))
    assert widest <= 800 - 40
    assert int(explorer.pastiche.width) <= 800 - 40


def test_the_static_copy_holds_the_last_picture_and_status(monkeypatch):
    explorer = make_explorer(render=False)
    before = explorer.snapshot_html()
    assert SNAPSHOT_CLASS in before and "<img" not in before and "Ready." in before
    assert "a &lt; b" in arbitrary_snapshot_html("a < b")

    shown, updates = capture_display(monkeypatch)
    explorer._ipython_display_()
    assert shown[0] == (explorer.widget,) and shown[1][0]["text/html"] == before
    explorer.mix.value = 0.75
    bundle, options = updates[-1]
    assert options == {"raw": True}
    assert "25 % A + 75 % B" in bundle["text/html"] and "75 % B" in bundle["text/plain"]
    (source,) = re.findall(r"src='data:image/png;base64,([^']+)'", bundle["text/html"])
    assert base64.b64decode(source) == explorer.pastiche.value
    html_values = [w.value for w in all_widgets(explorer.widget) if isinstance(w, ipywidgets.HTML)]
    assert any(f".{SNAPSHOT_CLASS} {{display: none" in value for value in html_values)


# --- with the official TFLite files ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tflite_stylizer():
    from stlib import arbitrary
    from stlib.arbitrary import models

    try:
        for name in (models.PREDICTOR, models.TRANSFORMER_FILES["dynamic"]):
            models.model_path(name, download=False)
    except models.ModelNotFoundError as error:
        pytest.skip(f"the arbitrary-style TFLite files are not available offline: {error}")
    return arbitrary.load("tflite")


def test_the_default_explorer_paints_what_stylize_paints(tflite_stylizer, samples_available):
    from stlib import arbitrary

    explorer = ArbitraryExplorer(
        "tuebingen", "great_wave", "the_scream", strength=0.5, mix=0.3, size=128
    )
    assert explorer.stylizer is tflite_stylizer  # loaded once, shared with arbitrary.load
    want = arbitrary.stylize(
        "tuebingen",
        ["great_wave", "the_scream"],
        mix=(0.7, 0.3),
        strength=0.5,
        size=128,
        backend="tflite",
    ).image
    np.testing.assert_allclose(explorer.image.numpy(), want.numpy(), atol=1e-5)
    # The sliders change the picture.
    before = explorer.image.numpy()
    explorer.mix.value = 1.0
    assert np.abs(explorer.image.numpy() - before).mean() > 0.02
    explorer.style_a.dropdown.value = "starry_night"  # a sample chosen in the dropdown
    assert explorer.style_a.source() == "starry_night"
    explorer.mix.value = 0.0
    want = arbitrary.stylize(
        "tuebingen", "starry_night", strength=0.5, size=128, backend="tflite"
    ).image
    np.testing.assert_allclose(explorer.image.numpy(), want.numpy(), atol=1e-5)
