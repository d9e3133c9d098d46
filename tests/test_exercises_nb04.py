"""Notebook 04's checks: the right answers pass, wrong ones and placeholders fail, nothing raises."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")  # Exercise 1's reference is the explorer's ratio_of

from stlib import vgg  # noqa: E402
from stlib.exercises import nb04  # noqa: E402
from stlib.gatys import preset  # noqa: E402
from stlib.gatys.config import STYLE_LAYERS_GATYS  # noqa: E402


# --- Exercise 1 --------------------------------------------------------------------------------


def test_slider_for_paper_ratio_follows_the_preset():
    # The preset is the paper's alpha/beta = 1e-3 with content_weight = alpha/2, style_weight = beta/4.
    base = preset("gatys2016")
    assert base.content_weight / base.style_weight == pytest.approx(2e-3)
    assert nb04.slider_for_paper_ratio(1e-3) == pytest.approx(2e-3)
    assert nb04.slider_for_paper_ratio(1e-2) == pytest.approx(2e-2)


def test_exercise1_right_wrong_and_placeholder(capsys):
    assert nb04.check_slider_for_paper_ratio(2e-2)
    assert not nb04.check_slider_for_paper_ratio(1e-2)  # the paper's ratio, not the slider's
    assert not nb04.check_slider_for_paper_ratio(None)
    assert nb04.check_slider_for_paper_ratio(2e-5, paper_ratio=1e-5)
    out = capsys.readouterr().out
    assert "✓" in out and "✗" in out and "not attempted" in out and "alpha/2" in out


# --- Exercise 2 --------------------------------------------------------------------------------


def solution_effective_style_weights(config):
    return {layer: config.style_weight * weight for layer, weight in config.style_layers.items()}


def test_effective_style_weights_reference_matches_the_formula():
    for name in ("gatys2016", "neural-style", "tf-tutorial", "stlib"):
        config = preset(name)
        assert nb04.effective_style_weights(config) == pytest.approx(solution_effective_style_weights(config))
    neural = nb04.effective_style_weights(preset("neural-style"))
    assert neural["block1_conv1"] == pytest.approx(100 / 64**2)  # neural-style: 100 / N_l^2


def test_exercise2_right_wrong_and_placeholder(capsys):
    assert nb04.check_effective_style_weights(solution_effective_style_weights)
    assert not nb04.check_effective_style_weights(lambda config: dict(config.style_layers))  # forgot beta
    assert not nb04.check_effective_style_weights(
        lambda config: {layer: config.style_weight / len(config.style_layers) for layer in config.style_layers}
    )  # equal shares: right for gatys2016, wrong for neural-style
    assert not nb04.check_effective_style_weights(lambda config: {"conv1_1": 1.0})  # wrong keys
    assert not nb04.check_effective_style_weights(lambda config: None)
    assert not nb04.check_effective_style_weights(None)
    out = capsys.readouterr().out
    assert "correct on every test case" in out and "not attempted" in out and "no weight for the style layers" in out


# --- Exercise 3 --------------------------------------------------------------------------------


def test_style_representation_sizes_are_cumulative_gram_entries():
    per_layer = [vgg.CHANNELS[layer] ** 2 for layer in STYLE_LAYERS_GATYS]
    assert per_layer == [4096, 16384, 65536, 262144, 262144]
    assert nb04.style_representation_sizes() == [4096, 20480, 86016, 348160, 610304]
    assert [len(row) for row in nb04.fig3_rows()] == [1, 2, 3, 4, 5]


def test_exercise3_right_wrong_and_placeholder(capsys):
    right = [sum(vgg.CHANNELS[layer] ** 2 for layer in row) for row in nb04.fig3_rows()]
    assert nb04.check_style_representation_sizes(right)
    assert not nb04.check_style_representation_sizes([vgg.CHANNELS[l] for l in STYLE_LAYERS_GATYS])  # N, not N^2
    assert not nb04.check_style_representation_sizes(right[:4])  # a row short
    assert not nb04.check_style_representation_sizes(None)
    assert "N_l x N_l" in capsys.readouterr().out
