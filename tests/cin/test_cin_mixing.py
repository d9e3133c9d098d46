"""Style weights: convex mixes and the errors of bad ones."""

from __future__ import annotations

import numpy as np
import pytest

from stlib.cin.mixing import parse_mix, style_weights
from stlib.validation import SettingError


def test_an_index_is_one_hot_and_a_mix_is_divided_by_its_sum():
    np.testing.assert_array_equal(style_weights(2, 4), [0, 0, 1, 0])
    np.testing.assert_allclose(style_weights({0: 2, 3: 6}, 4), [0.25, 0, 0, 0.75])
    np.testing.assert_allclose(style_weights([1, 1, 2], 3), [0.25, 0.25, 0.5])
    assert style_weights({1: 5}, 3).tolist() == style_weights(1, 3).tolist()  # a style alone


@pytest.mark.parametrize(
    "selection, message",
    [
        (4, r"style=4: must be a whole number in \[0, 3\]"),
        ({1: -0.5}, r"must be a finite number >= 0"),
        ({1: float("inf")}, r"must be a finite number >= 0"),
        ({}, "names no style"),
        ({0: 0, 1: 0}, "sum to 0"),
        ([1, 2], "needs 4 weights"),
        ("starry_night", "give a style index"),
    ],
)
def test_bad_selections_name_the_value_and_what_is_accepted(selection, message):
    with pytest.raises(SettingError, match=message):
        style_weights(selection, 4)


def test_parse_mix_reads_index_weight_pairs():
    assert parse_mix("3:0.5, 7:1.5") == {3: 0.5, 7: 1.5}
    with pytest.raises(SettingError, match="style 2 is given twice"):
        parse_mix("2:1, 2:1")
    for bad in ("3", "a:1", "3:x", ""):
        with pytest.raises(SettingError, match="STYLE:WEIGHT|no ':WEIGHT'"):
            parse_mix(bad)
