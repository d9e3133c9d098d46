"""ArbitraryConfig: every setting checked once, errors that name the value and what is accepted."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from stlib.arbitrary.config import ArbitraryConfig
from stlib.validation import SettingError, SettingTypeError


def test_the_defaults_work_and_normalise():
    config = ArbitraryConfig(mix=[2, 1], size=512)
    assert config.backend == "auto" and config.transformer == "dynamic"
    assert config.mix == (2.0, 1.0) and config.strength == 1.0 and config.style_size == 256
    assert config.mixing_weights(2) == pytest.approx((2 / 3, 1 / 3))
    assert ArbitraryConfig().mixing_weights(4) == (0.25,) * 4


BAD = [
    ({"strength": math.nan}, SettingError, "strength=nan: must be a finite number in [0, 1]"),
    ({"strength": math.inf}, SettingError, "strength=inf: must be a finite number in [0, 1]"),
    ({"strength": 1.5}, SettingError, "strength=1.5: must be a finite number in [0, 1]"),
    ({"strength": -0.1}, SettingError, "strength=-0.1: must be a finite number in [0, 1]"),
    ({"strength": "0.5"}, SettingTypeError, "strength='0.5': is a str; expected a finite number"),
    ({"mix": (1, math.nan)}, SettingError, "mix=(1, nan): must be a finite number >= 0"),
    ({"mix": (1, -1)}, SettingError, "mix=(1, -1): must be a finite number >= 0"),
    ({"mix": (0, 0)}, SettingError, "mix=(0, 0): must not all be 0"),
    ({"mix": ()}, SettingError, "mix=(): needs one weight per style image"),
    ({"mix": 0.5}, SettingTypeError, "mix=0.5: is a float; expected one number per style"),
    ({"mix": "1,2"}, SettingTypeError, "mix='1,2': is a str; expected one number per"),
    ({"size": 10}, SettingError, "size=10: must be a whole number in [32, 8192]"),
    ({"size": 512.0}, SettingTypeError, "size=512.0: is a float, not a whole number"),
    ({"style_size": 4096}, SettingError, "style_size=4096: must be a whole number in [32, 2048]"),
    ({"backend": "hbu"}, SettingError, "backend='hbu': choose from 'auto', 'tflite', 'hub' (did"),
    ({"backend": "tflte"}, SettingError, "(did you mean 'tflite'?)"),
    ({"transformer": "int16"}, SettingError, "(did you mean 'int8'?)"),
    ({"preserve_color": "colour"}, SettingError, "preserve_color='colour': choose from None"),
    (
        {"backend": "hub", "transformer": "int8"},
        SettingError,
        "backend='hub', transformer='int8': the transformer is a choice of the TFLite backend",
    ),
]


@pytest.mark.parametrize(("fields", "kind", "message"), BAD, ids=[str(b[0]) for b in BAD])
def test_bad_settings_name_the_value_and_what_is_accepted(fields, kind, message):
    with pytest.raises(kind) as caught:
        ArbitraryConfig(**fields)
    assert message in str(caught.value)
    assert set(caught.value.settings) <= set(fields) | {"backend", "transformer"}


def test_the_number_of_weights_must_match_the_styles():
    config = ArbitraryConfig(mix=(1.0,))
    with pytest.raises(SettingError, match=r"mix=\(1.0,\): gives 1 weight for 2 style images"):
        config.mixing_weights(2)
    assert config.mixing_weights(1) == (1.0,)


def test_a_weight_above_float32_is_refused():
    with pytest.raises(SettingError, match="at most 3.4e38"):
        ArbitraryConfig(mix=(1e39, 1.0))


def test_replace_checks_again():
    with pytest.raises(SettingError, match="strength=2"):
        ArbitraryConfig().replace(strength=2)
    assert ArbitraryConfig().replace(strength=0.5).strength == 0.5


def test_the_settings_do_not_start_tensorflow():
    probe = (
        "import sys\n"
        "from stlib.arbitrary import ArbitraryConfig, models\n"
        "ArbitraryConfig(strength=0.5, mix=(1, 2)).mixing_weights(2)\n"
        "models.describe()\n"
        "print('TF' if 'tensorflow' in sys.modules else 'NO-TF')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "NO-TF", out.stderr[-2000:]
