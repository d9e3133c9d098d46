"""stlib.cin.load and stylize: models by name or file, style selections, sizes, bad files."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from stlib import data, images
from stlib.cin import api
from stlib.cin.transformer import MultiStyleTransformer, TransformerSpec
from stlib.validation import SettingError

TINY = TransformerSpec((4, 4, 4), 1, (4, 4))


def test_load_keeps_the_network(magenta26_model):
    assert api.load("magenta-26") is magenta26_model
    assert magenta26_model.num_styles == 26


def test_a_style_index_is_its_one_hot_vector(magenta26_model):
    photo = data.load("tuebingen", max_side=64)
    got = api.stylize(photo, 19).image
    expected = magenta26_model([photo, np.eye(26, dtype="float32")[19:20]])
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_a_mix_is_made_convex_before_the_network(magenta26_model):
    """{3: 1, 19: 1} is the 50/50 mix, not Magenta's doubled gamma and beta."""
    photo = data.load("tuebingen", max_side=64)
    got = np.asarray(api.stylize(photo, {3: 1, 19: 1}).image)
    half = np.zeros((1, 26), "float32")
    half[0, [3, 19]] = 0.5
    doubled = half * 2
    np.testing.assert_allclose(got, magenta26_model([photo, half]), atol=1e-5)
    assert np.abs(got - np.asarray(magenta26_model([photo, doubled]))).mean() > 0.02


def test_size_resizes_the_longest_side_and_a_photo_at_that_size_goes_in_unchanged(
    magenta26_model,
):
    photo = data.load("tuebingen", max_side=96)  # 96 x 72
    assert api.stylize(photo, 0, size=48).image.shape == (1, 36, 48, 3)
    np.testing.assert_array_equal(api.stylize(photo, 0, size=96).image, api.stylize(photo, 0).image)


def test_a_photo_too_small_for_the_network_is_refused(magenta26_model):
    with pytest.raises(images.ImageError, match="shorter side must be at least 32"):
        api.stylize(np.random.rand(20, 40, 3).astype("float32"), 0)
    with pytest.raises(SettingError, match=r"size=16: must be a whole number in \[32,"):
        api.stylize("tuebingen", 0, size=16)


def test_a_trained_file_loads_by_path_and_paints(tmp_path):
    model = MultiStyleTransformer(2, TINY, style_names=["a", "b"])
    model.save(tmp_path / "two.keras")
    loaded = api.load(tmp_path / "two.keras")
    assert loaded.style_names == ["a", "b"]
    photo = np.random.default_rng(0).random((40, 36, 3), dtype="float32")
    np.testing.assert_allclose(
        api.stylize(photo, 1, model=tmp_path / "two.keras").image,
        model([images.load(photo), np.array([[0, 1]], "float32")]),
        atol=1e-6,
    )
    with pytest.raises(SettingError, match=r"style=2: must be a whole number in \[0, 1\]"):
        api.stylize(photo, 2, model=loaded)


def test_bad_model_files_get_one_clear_error(tmp_path):
    with pytest.raises(api.ModelFileError, match="expected a .keras file"):
        api.load(tmp_path / "weights.h5")
    with pytest.raises(api.ModelFileError, match="no such file"):
        api.load(tmp_path / "missing.keras")
    (tmp_path / "garbage.keras").write_bytes(b"not a zip")
    with pytest.raises(api.ModelFileError, match="is not a Keras .keras file"):
        api.load(tmp_path / "garbage.keras")
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    plain.save(tmp_path / "plain.keras")
    with pytest.raises(api.ModelFileError, match="not a stlib multi-style network"):
        api.load(tmp_path / "plain.keras")
    with pytest.raises(SettingError, match="magenta-26 or the path"):
        api.load(42)


def test_preserve_color_luminance_puts_the_photo_s_colours_back(magenta26_model):
    from stlib import color

    photo = data.load("tuebingen", max_side=64)
    plain = api.stylize(photo, 19).image
    kept = api.stylize(photo, 19, preserve_color="luminance").image
    np.testing.assert_allclose(kept, color.combine_luminance(plain, photo), atol=1e-6)
    photo_iq = color.rgb_to_yiq(photo)[..., 1:]
    assert (
        np.abs(color.rgb_to_yiq(kept)[..., 1:] - photo_iq).mean()
        < 0.5 * np.abs(color.rgb_to_yiq(plain)[..., 1:] - photo_iq).mean()
    )
    with pytest.raises(SettingError, match="preserve_color='histogram': choose from None"):
        api.stylize(photo, 19, preserve_color="histogram")
