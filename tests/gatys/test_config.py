"""GatysConfig (stlib/gatys/config.py): every field checked where it is made.

The messages name the field and what is accepted; the settings do not start TensorFlow.
(The checks themselves: tests/test_validation.py; preset names: tests/gatys/test_presets.py.)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from stlib import losses
from stlib.gatys import GatysConfig, preset
from stlib.gatys import config as config_module
from stlib.validation import SettingError, SettingTypeError

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("changes", "error", "names", "accepted"),
    [
        ({"content_weight": NAN}, SettingError, "content_weight=nan", "finite number >= 0"),
        ({"tv_weight": INF}, SettingError, "tv_weight=inf", "finite number >= 0"),
        ({"style_weight": 1e39}, SettingError, "style_weight=1e+39", "largest float32"),
        ({"style_weight": -1.0}, SettingError, "style_weight=-1.0", ">= 0"),
        ({"style_layers": {"relu1_1": NAN}}, SettingError, "style_layers={'relu1_1': nan}", ">= 0"),
        (
            {"style_layers": {"relu1_1": -0.5}},
            SettingError,
            "style_layers={'relu1_1': -0.5}",
            ">= 0",
        ),
        (
            {"style_layers": ["relu1_1"]},
            SettingTypeError,
            "style_layers=['relu1_1']",
            "mapping {layer: weight}",
        ),
        (
            {"content_layers": {"relu9_9": 1.0}},
            SettingError,
            "content_layers=",
            "unknown layer 'relu9_9'",
        ),
        (
            {"mix": (NAN, 1.0)},
            SettingError,
            "mix=(nan, 1.0)",
            "finite",
        ),
        (
            {"mix": (0.0, 0.0)},
            SettingError,
            "mix=(0.0, 0.0)",
            "not all be 0",
        ),
        ({"size": "64"}, SettingTypeError, "size='64'", "whole number in [32, 8192]"),
        ({"size": 10}, SettingError, "size=10", "whole number in [32, 8192]"),
        ({"steps": 2.5}, SettingTypeError, "steps=2.5", "whole number"),
        ({"steps": -3}, SettingError, "steps=-3", "whole number in [0, "),
        ({"steps": 0}, SettingError, "steps=0", "at least one step"),
        (
            {"steps": (10, 10)},
            SettingError,
            "steps=(10, 10), scales=(1.0,)",
            "one per scale (1 here)",
        ),
        ({"seed": -1}, SettingError, "seed=-1", "whole number >= 0"),
        ({"seed": 1.5}, SettingTypeError, "seed=1.5", "whole number >= 0"),
        ({"learning_rate": 0.0}, SettingError, "learning_rate=0.0", "> 0"),
        ({"lbfgs_history": 0}, SettingError, "lbfgs_history=0", "[1, 1000]"),
        ({"style_scale": 1000.0}, SettingError, "style_scale=1000.0", "(0, 64]"),
        ({"style_scale": 20.0}, SettingError, "style_scale=20.0, size=512", "10240 px"),
        ({"scales": (0.5,)}, SettingError, "scales=(0.5,)", "end at 1.0"),
        ({"scales": (1.0, 0.5, 1.0)}, SettingError, "scales=(1.0, 0.5, 1.0)", "increase"),
        ({"scales": 0.5}, SettingTypeError, "scales=0.5", "list of numbers"),
        ({"optimizer": "lbgfs"}, SettingError, "optimizer='lbgfs'", "did you mean 'lbfgs'?"),
        ({"optimizer": 3}, SettingTypeError, "optimizer=3", "'lbfgs', 'adam'"),
        ({"init": "nosie"}, SettingError, "init='nosie'", "did you mean 'noise'?"),
        ({"init": 7}, SettingTypeError, "init=7", "'content', 'noise', 'style'"),
        ({"pooling": "average"}, SettingError, "pooling='average'", "'max', 'avg'"),
        ({"precision": "float16"}, SettingError, "precision='float16'", "'float32', 'bfloat16'"),
        ({"preserve_color": "lum"}, SettingError, "preserve_color='lum'", "'luminance'"),
        ({"jit_compile": "yes"}, SettingTypeError, "jit_compile='yes'", "True or False"),
    ],
)
def test_bad_fields_are_refused_with_name_value_and_what_is_accepted(
    changes, error, names, accepted
):
    with pytest.raises(error) as info:
        preset("stlib", **changes)
    message = str(info.value)
    assert message.startswith(names), message
    assert accepted in message, message
    # The error remembers which settings were wrong, for the front ends to re-word.
    assert set(changes) <= set(info.value.settings)


@pytest.mark.parametrize(
    "changes",
    [
        {"style_weight": 0.0},
        {"style_layers": {}},
        {"style_layers": {"relu1_1": 0.0}},
    ],
)
def test_no_style_term_from_the_content_image_is_refused_before_any_work(changes):
    with pytest.raises(SettingError, match="nothing to optimize") as info:
        preset("stlib", **changes)
    assert "init" in info.value.settings and "init='noise'" in str(info.value)
    # From noise, the content term alone is a real problem (a content reconstruction).
    assert preset("stlib", init="noise", **changes).active_terms == ("content",)


def test_all_terms_off_is_refused():
    with pytest.raises(SettingError, match="every loss term is off") as info:
        preset("stlib", content_weight=0, style_weight=0, tv_weight=0, init="noise")
    assert set(info.value.settings) == {"content_weight", "style_weight", "tv_weight"}


def test_wrong_types_are_type_errors_and_value_errors_at_once():
    # SettingTypeError is both: callers that catch either keep working.
    with pytest.raises(TypeError):
        preset("stlib", size="64")
    with pytest.raises(ValueError):
        preset("stlib", size="64")


def test_unknown_field_gets_a_suggestion():
    with pytest.raises(
        TypeError, match=r"no field 'stye_weight' \(did you mean 'style_weight'\?\)"
    ):
        preset("stlib", stye_weight=1.0)
    with pytest.raises(TypeError, match="no field 'colour'"):
        GatysConfig(colour="luminance")
    # the British spelling, once a deprecated alias, is now an unknown field that is pointed home
    for make in (
        lambda: GatysConfig(preserve_colour="luminance"),
        lambda: preset("stlib", preserve_colour="histogram"),
        lambda: GatysConfig.from_dict({"preserve_colour": "luminance"}),
    ):
        with pytest.raises(TypeError, match=r"'preserve_colour' \(did you mean 'preserve_color'"):
            make()


def test_numpy_numbers_are_accepted_and_normalised():
    import numpy as np

    config = preset(
        "stlib", size=np.int64(64), style_weight=np.float32(0.5), steps=[3, 2], scales=[0.5, 1]
    )
    assert config.size == 64 and type(config.size) is int
    assert config.style_weight == 0.5 and config.steps == (3, 2) and config.scales == (0.5, 1.0)


def test_round_trip_through_json():
    config = preset("gatys2016", size=128, steps=(5, 5), scales=(0.5, 1.0), mix=(1, 2))
    import json

    assert GatysConfig.from_dict(json.loads(config.to_json())) == config


def test_every_preset_is_valid_and_choices_match_the_modules_that_use_them():
    for name in ("stlib", "gatys2016", "tf-tutorial", "neural-style"):
        assert preset(name).preset == name
    assert config_module.TV_KINDS is losses.TV_KINDS  # one definition (stlib.loss_names)
    assert config_module.CONTENT_REDUCTIONS is losses.CONTENT_REDUCTIONS


def test_settings_do_not_start_tensorflow():
    code = (
        "import sys; from stlib.gatys import preset; preset('gatys2016', size=64); "
        "print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- JSON: what the app downloads and `stlib transfer --config` reads back ---------------------


def test_json_round_trip_keeps_every_field_and_its_type():
    config = preset(
        "neural-style",
        size=96,
        steps=(4, 3),
        scales=(0.5, 1.0),
        mix=(2, 1),
        preserve_color="luminance",
        init="noise",
        seed=7,
    )
    text = config.to_json()
    back = GatysConfig.from_json(text)
    assert back == config
    assert back.to_json() == text  # stable: the same file again
    assert isinstance(back.steps, tuple) and isinstance(back.scales, tuple)
    assert GatysConfig.from_json(text.encode()) == config  # bytes, as an upload gives them


def test_json_fields_left_out_come_from_the_named_preset():
    short = GatysConfig.from_json('{"preset": "gatys2016", "size": 256}')
    assert short == preset("gatys2016", size=256)
    assert short.init == "noise" and short.normalized_vgg  # the preset's, not GatysConfig's
    assert GatysConfig.from_json('{"size": 128}') == GatysConfig(size=128)  # no preset: stlib
    assert GatysConfig.from_json("{}") == GatysConfig()


def test_json_of_a_history_file_gives_its_config():
    import json

    config = preset("stlib", size=64, steps=3)
    history = json.dumps({"config": config.to_dict(), "history": {"steps": [1, 2, 3]}})
    assert GatysConfig.from_json(history) == config


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        ('{"size": 256,}', SettingError, "is not JSON: Expecting property name"),
        ('{"size": 256,}', SettingError, "line 1, column 14"),
        ("[1, 2]", SettingTypeError, "holds a JSON array, not an object of GatysConfig fields"),
        ("null", SettingTypeError, "holds a JSON null"),
        ('{"style_weight": -1}', SettingError, "style_weight=-1: must be a finite number >= 0"),
        ('{"init": "nosie"}', SettingError, "init='nosie': choose 'content'"),
        ('{"preset": "gatsy"}', SettingError, "preset='gatsy': choose from 'stlib'"),
        ('{"stlye_weight": 1}', TypeError, "field 'stlye_weight' (did you mean 'style_weight'?)"),
        ('{"steps": [5, 5]}', SettingError, "give one step count for all scales or one per scale"),
        (b"{\xff}", SettingError, "is not UTF-8 text"),
    ],
)
def test_bad_json_is_refused_naming_the_field_or_the_place(text, error, words):
    with pytest.raises(error) as caught:
        GatysConfig.from_json(text)
    assert words in str(caught.value)
