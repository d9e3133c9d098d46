"""stlib.vgg_layers: a misspelt layer name gets the nearest alias, and the smallest input side a
set of layers needs follows from the poolings in front of the deepest one."""

from __future__ import annotations

import pytest

from stlib import vgg_layers


def test_layer_names_suggest_the_nearest_alias():
    with pytest.raises(ValueError, match=r"did you mean 'relu4_2'\?"):
        vgg_layers.canonical_layer("relu4_22")
    assert vgg_layers.min_input_side(["relu1_1"]) == 1
    assert vgg_layers.min_input_side(["relu1_1", "block5_conv1"]) == 16
    assert vgg_layers.min_input_side(["pool5"]) == 32
