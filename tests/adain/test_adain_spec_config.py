"""The settings: checked where they are made, named in the errors, without TensorFlow."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from stlib import masks
from stlib.adain.config import AdaINConfig, check_masks
from stlib.adain.loss_config import LossConfig
from stlib.adain.spec import PAPER, TINY, DecoderSpec
from stlib.masks import MaskError
from stlib.validation import SettingError, SettingTypeError


def test_the_light_modules_do_not_start_tensorflow():
    probe = (
        "import sys\n"
        "import stlib.adain\n"
        "from stlib.adain import config, loss_config, model_file, spec\n"
        "config.AdaINConfig(strength=0.5, mix=(1, 2))\n"
        "model_file.model_file_problem('x.keras')\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_defaults_and_the_checked_values():
    config = AdaINConfig()
    assert (config.model, config.size, config.strength, config.mix) == (None, None, 1.0, None)
    assert config.style_size == 512 and config.preserve_color is None
    changed = config.replace(strength=0, mix=[2, 1], size=64)
    assert changed.strength == 0.0 and isinstance(changed.strength, float)
    assert changed.mix == (2.0, 1.0) and changed.mixing_weights(2) == pytest.approx((2 / 3, 1 / 3))
    assert AdaINConfig().mixing_weights(4) == (0.25,) * 4


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"strength": 1.5}, r"strength=1.5: must be a finite number in \[0, 1\]"),
        ({"strength": float("nan")}, r"strength=nan: must be a finite number in \[0, 1\]"),
        ({"mix": (1, -1)}, r"mix=\(1, -1\): must be a finite number >= 0"),
        ({"mix": (0, 0)}, "must not all be 0"),
        ({"mix": 0.5}, "expected one number per painting"),
        ({"size": 16}, r"size=16: must be a whole number in \[32, 8192\]"),
        ({"style_size": 4096}, r"style_size=4096: must be a whole number in \[32, 2048\]"),
        ({"preserve_color": "colour"}, "choose from None, 'luminance', 'histogram'"),
        ({"model": 3}, "model=3: is an int; give the path of a .keras file"),
    ],
)
def test_bad_settings_are_refused_by_name(changes, message):
    with pytest.raises(SettingError, match=message):
        AdaINConfig(**changes)


def test_a_type_error_is_a_type_error_and_a_typo_gets_a_suggestion():
    with pytest.raises(SettingTypeError):
        AdaINConfig(size="64")
    with pytest.raises(TypeError, match="did you mean 'strength'"):
        AdaINConfig(strenght=0.5)


def test_mix_needs_one_weight_per_painting():
    with pytest.raises(SettingError, match=r"mix=\(1.0, 2.0\): gives 2 weights for 3 paintings"):
        AdaINConfig(mix=(1, 2)).mixing_weights(3)


def test_mix_and_masks_together_are_refused_naming_both():
    with pytest.raises(SettingError) as caught:
        check_masks(AdaINConfig(mix=(1, 1)), ["left", "right"], 2)
    assert set(caught.value.settings) == {"mix", "masks"}
    assert "cannot go together" in str(caught.value)


def test_not_one_mask_per_painting_is_refused():
    with pytest.raises(MaskError, match="3 masks for 2 paintings"):
        check_masks(AdaINConfig(), ["left", "right", "rest"], 2)
    check_masks(AdaINConfig(), "auto", 3)  # one per painting by construction
    assert masks.count(np.zeros((3, 8, 8))) == 3 and masks.count(np.zeros((8, 8))) == 1


def test_decoder_specs():
    assert PAPER.widths == (256, 128, 64) and TINY.convolutions == 9
    with pytest.raises(ValueError, match="3 positive whole widths"):
        DecoderSpec((8, 8))
    with pytest.raises(ValueError, match="3 positive whole widths"):
        DecoderSpec((8, 0, 8))


def test_loss_config():
    assert (LossConfig().content_weight, LossConfig().style_weight) == (1.0, 10.0)
    with pytest.raises(SettingError, match="style_weight=-1: must be a finite number >= 0"):
        LossConfig(style_weight=-1)
    with pytest.raises(SettingError, match="cannot both be 0"):
        LossConfig(content_weight=0, style_weight=0)
