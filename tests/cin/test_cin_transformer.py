"""The multi-style transformer: sizes, the numbers a style owns, saving and loading."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from stlib.cin.transformer import MAGENTA, SLIM26, MultiStyleTransformer, TransformerSpec

TINY = TransformerSpec((4, 6, 8), 1, (6, 4))


@pytest.mark.parametrize("height, width", [(32, 32), (37, 50), (9, 13)])
def test_the_pastiche_has_the_photo_size_and_stays_in_range(height, width):
    model = MultiStyleTransformer(2, TINY)
    photo = np.random.default_rng(0).random((2, height, width, 3), dtype="float32")
    out = np.asarray(model([photo, np.eye(2, dtype="float32")]))
    assert out.shape == (2, height, width, 3)
    assert 0 < out.min() and out.max() < 1  # a sigmoid


def test_numbers_per_style_count_the_gamma_and_beta_rows():
    """3,206 for Magenta's widths (Dumoulin et al.'s network), counted from the built model."""
    assert MAGENTA.numbers_per_style == 3206
    for spec, styles in ((MAGENTA, 3), (SLIM26, 26)):
        model = MultiStyleTransformer(styles, spec)
        model.build(None)
        norms = model.norm_layers()
        assert len(norms) == 3 + 2 * spec.residual_blocks + 3
        per_style = sum(layer.gamma.shape[1] + layer.beta.shape[1] for layer in norms)
        assert per_style == spec.numbers_per_style


def test_styles_differ_only_through_their_norm_rows():
    model = MultiStyleTransformer(2, TINY)
    model.build(None)
    photo = np.random.default_rng(1).random((1, 24, 24, 3), dtype="float32")
    one, two = np.eye(2, dtype="float32")[:1], np.eye(2, dtype="float32")[1:]
    same = np.asarray(model([photo, one])) - np.asarray(model([photo, two]))
    assert np.abs(same).max() < 1e-6  # fresh rows are equal: gamma 1, beta 0
    norm = model.norm_layers()[-1]
    beta = np.asarray(norm.beta)
    beta[1] += 0.5
    norm.beta.assign(beta)
    assert np.abs(np.asarray(model([photo, one])) - np.asarray(model([photo, two]))).mean() > 0.05


def test_a_saved_model_loads_with_its_widths_names_and_outputs(tmp_path):
    model = MultiStyleTransformer(2, TINY, style_names=["wave", "scream"])
    photo = np.random.default_rng(2).random((1, 20, 28, 3), dtype="float32")
    weights = np.array([[0.5, 0.5]], "float32")
    before = np.asarray(model([photo, weights]))
    model.save(tmp_path / "two.keras")
    again = keras.models.load_model(tmp_path / "two.keras")
    assert isinstance(again, MultiStyleTransformer)
    assert again.spec == TINY and again.style_names == ["wave", "scream"]
    np.testing.assert_array_equal(np.asarray(again([photo, weights])), before)


def test_bad_widths_are_refused():
    with pytest.raises(ValueError, match="3 contract and 2 expand"):
        TransformerSpec((8, 8), 1, (8, 8))
    with pytest.raises(ValueError, match="positive"):
        TransformerSpec((8, 0, 8), 1, (8, 8))
    with pytest.raises(ValueError, match="2 style names for 3 styles"):
        MultiStyleTransformer(3, TINY, style_names=["a", "b"])
