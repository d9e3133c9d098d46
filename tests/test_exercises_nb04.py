"""Notebook 04's checks: the right answers pass, wrong ones fail with a hint, placeholders are
not attempted, nothing raises or prints."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")  # Exercise 1's reference is the explorer's ratio_of

from stlib import vgg  # noqa: E402
from stlib.exercises import nb04  # noqa: E402
from stlib.exercises.solutions import nb04 as solutions  # noqa: E402
from stlib.gatys import preset  # noqa: E402
from stlib.gatys.config import STYLE_LAYERS_GATYS  # noqa: E402

# --- Exercise 1 ----------------------------------------------------------------------------------


def test_slider_for_paper_ratio_follows_the_preset():
    # The preset is the paper's alpha/beta = 1e-3: content_weight = alpha/2, style_weight = beta/4.
    base = preset("gatys2016")
    assert base.content_weight / base.style_weight == pytest.approx(2e-3)
    assert nb04._slider_for_paper_ratio(1e-3) == pytest.approx(2e-3)
    assert nb04._slider_for_paper_ratio(1e-2) == pytest.approx(2e-2)


def test_exercise1_right_wrong_and_placeholder(capsys):
    assert nb04.check_slider_for_paper_ratio(solutions.slider_value)
    assert solutions.slider_value(1e-2) == pytest.approx(2e-2)
    paper = nb04.check_slider_for_paper_ratio(lambda r: r)  # the paper's ratio, not the slider's
    assert not paper and "That is the paper's ratio itself" in paper.message
    halved = nb04.check_slider_for_paper_ratio(lambda r: r / 2)
    assert not halved and "quotient of the halves" in halved.message
    one_number = nb04.check_slider_for_paper_ratio(lambda r: 2e-2)  # right for Fig. 3 only
    assert not one_number and "case 2" in one_number.message
    assert "not attempted" in nb04.check_slider_for_paper_ratio(None).message
    assert capsys.readouterr().out == ""


# --- Exercise 2 ----------------------------------------------------------------------------------


def test_effective_style_weights_reference_matches_the_formula():
    for name in ("gatys2016", "neural-style", "tf-tutorial", "stlib"):
        config = preset(name)
        assert nb04._objective_factors(config) == pytest.approx(
            solutions.effective_style_weights(config)
        )
    neural = nb04._objective_factors(preset("neural-style"))
    assert neural["block1_conv1"] == pytest.approx(100 / 64**2)  # neural-style: 100 / N_l^2


def test_exercise2_right_wrong_and_placeholder(capsys):
    assert nb04.check_effective_style_weights(solutions.effective_style_weights)
    forgot_beta = nb04.check_effective_style_weights(lambda config: dict(config.style_layers))
    assert not forgot_beta and "beta is config.style_weight" in forgot_beta.message

    def equal_shares(config):  # right for gatys2016, wrong for neural-style
        return {
            layer: config.style_weight / len(config.style_layers) for layer in config.style_layers
        }

    assert not nb04.check_effective_style_weights(equal_shares)
    wrong_keys = nb04.check_effective_style_weights(lambda config: {"conv1_1": 1.0})
    assert "no weight for the style layers" in wrong_keys.message
    assert "not attempted" in nb04.check_effective_style_weights(lambda config: None).message
    assert "not attempted" in nb04.check_effective_style_weights(None).message
    assert capsys.readouterr().out == ""


# --- Exercise 3 ----------------------------------------------------------------------------------


def test_style_representation_sizes_are_cumulative_gram_entries():
    per_layer = [vgg.CHANNELS[layer] ** 2 for layer in STYLE_LAYERS_GATYS]
    assert per_layer == [4096, 16384, 65536, 262144, 262144]
    assert nb04._style_representation_sizes() == [4096, 20480, 86016, 348160, 610304]
    assert solutions.representation_sizes == nb04._style_representation_sizes()
    assert [len(row) for row in nb04._fig3_rows()] == [1, 2, 3, 4, 5]


def test_exercise3_right_wrong_and_placeholder(capsys):
    assert nb04.check_style_representation_sizes(solutions.representation_sizes)
    channels = [vgg.CHANNELS[layer] for layer in STYLE_LAYERS_GATYS]  # N, not N^2
    wrong = nb04.check_style_representation_sizes(channels)
    assert not wrong and "N_l x N_l whatever the image size" in wrong.message
    short = nb04.check_style_representation_sizes(solutions.representation_sizes[:4])
    assert "shape (4,), expected (5,)" in short.message
    assert "not attempted" in nb04.check_style_representation_sizes(None).message
    assert capsys.readouterr().out == ""
