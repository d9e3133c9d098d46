"""One shape for the three methods: ``stylize(content, style, config=None, *, progress,
callbacks, **changes) -> stlib.Result``, Ctrl-C as ``stlib.Interrupted``, typos named."""

from __future__ import annotations

import os

import numpy as np
import pytest

import stlib
from stlib import data, images
from stlib.results import Result, Step, StopTransfer, one_pass


def _gatys(content, style, config=None, **kwargs):
    from stlib import gatys

    return gatys.stylize(content, style, config, weights=None, progress=False, **kwargs)


@pytest.fixture
def photo():
    return np.random.default_rng(0).random((48, 64, 3), dtype="float32")


@pytest.fixture
def painting():
    return np.random.default_rng(1).random((64, 64, 3), dtype="float32")


# --- the shared pieces, without a network --------------------------------------------------------


def test_a_result_unpacks_as_image_history_config():
    result = Result("image", "history", "config")
    image, history, config = result
    assert (image, history, config) == ("image", "history", "config")
    with pytest.raises(AttributeError):
        result.image = "other"  # frozen


def test_one_pass_calls_each_callback_once_with_the_pastiche():
    seen: list[Step] = []
    result = one_pass(lambda: "pastiche", "config", [seen.append, seen.append])
    assert [s.step for s in seen] == [1, 1] and seen[0].is_last and seen[0].losses == {}
    assert seen[0].image == "pastiche" and result == Result("pastiche", None, "config")


def test_one_pass_ignores_stop_and_turns_ctrl_c_into_interrupted():
    def stop(step):
        raise StopTransfer

    assert one_pass(lambda: "done", "c", [stop]).image == "done"

    def ctrl_c():
        raise KeyboardInterrupt

    with pytest.raises(stlib.Interrupted) as during_the_pass:
        one_pass(ctrl_c, "c")
    assert during_the_pass.value.result is None and during_the_pass.value.step == 0

    def ctrl_c_in_a_callback(step):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as after_the_pass:  # still a KeyboardInterrupt
        one_pass(lambda: "painted", "c", [ctrl_c_in_a_callback])
    assert after_the_pass.value.result.image == "painted"


# --- Gatys (random VGG19: no weights file) -------------------------------------------------------


def test_gatys_stylize_changes_fields_by_keyword_and_records_them(photo, painting):
    from stlib import gatys

    result = _gatys(photo, painting, size=64, steps=2)
    assert isinstance(result, stlib.Result) and gatys.transfer is gatys.stylize
    assert result.image.shape == (1, 48, 64, 3)
    assert result.config == gatys.GatysConfig(size=64, steps=2)
    assert result.history.steps == [1, 2]
    on_a_preset = _gatys(photo, painting, gatys.preset("gatys2016"), size=64, steps=1)
    assert on_a_preset.config == gatys.preset("gatys2016").replace(size=64, steps=1)


def test_gatys_mix_is_the_one_word_and_the_old_field_still_reads(photo, painting):
    from stlib.gatys import GatysConfig

    with pytest.warns(FutureWarning, match="'style_blend_weights' is now 'mix'"):
        old = GatysConfig.from_dict({"style_blend_weights": [3, 1]})
    assert old == GatysConfig(mix=(3, 1))
    with pytest.raises(TypeError, match="no field 'mixx' \\(did you mean 'mix'\\?\\)"):
        _gatys(photo, painting, size=64, steps=1, mixx=(1,))


def test_gatys_ctrl_c_keeps_the_steps_done(photo, painting):
    def ctrl_c_at_step_2(step):
        if step.step == 2:
            raise KeyboardInterrupt

    with pytest.raises(stlib.Interrupted) as info:
        _gatys(photo, painting, size=64, steps=5, callbacks=[ctrl_c_at_step_2])
    assert info.value.step == 2 and info.value.result.image.shape == (1, 48, 64, 3)


# --- the feed-forward networks (the offline model files) -----------------------------------------


def test_arbitrary_stylize_is_a_one_step_result(tflite_models, no_network, samples_available):
    from stlib import arbitrary

    seen = []
    result = arbitrary.stylize(
        "tuebingen", "starry_night", backend="tflite", size=64, callbacks=[seen.append]
    )
    assert result.image.shape == (1, 48, 64, 3) and result.history is None
    assert result.config == arbitrary.ArbitraryConfig(backend="tflite", size=64)
    assert len(seen) == 1 and seen[0].image is result.image
    as_dict = arbitrary.stylize("tuebingen", "starry_night", {"backend": "tflite", "size": 64})
    assert as_dict.config == result.config  # a dict of fields is a config too
    np.testing.assert_array_equal(as_dict.image, result.image)
    with pytest.raises(TypeError, match="did you mean 'strength'"):
        arbitrary.stylize("tuebingen", "starry_night", strenght=0.5)
    with pytest.raises(TypeError, match=r"config is a tuple; pass an ArbitraryConfig .* keywords"):
        arbitrary.stylize("tuebingen", ["starry_night", "the_scream"], (2, 1))  # 0.2's weights
    with pytest.warns(FutureWarning, match="'weights' is now 'mix'"):
        assert arbitrary.ArbitraryConfig(weights=(2, 1)).mix == (2.0, 1.0)


def test_cin_stylize_is_a_one_step_result(magenta26_available, samples_available):
    from stlib import cin

    result = cin.stylize("tuebingen", 7, size=64)
    assert result.image.shape == (1, 48, 64, 3) and result.history is None
    assert result.config == cin.CinConfig(size=64)
    by_name = cin.stylize("tuebingen", cin.load().style_names[7], size=64).image
    np.testing.assert_array_equal(by_name, result.image)
    with pytest.raises(stlib.validation.SettingError, match="style='starry': is not one of the"):
        cin.stylize("tuebingen", "starry", size=64)
    with pytest.raises(TypeError, match="did you mean 'size'"):
        cin.stylize("tuebingen", 7, sise=64)
    with pytest.raises(stlib.validation.SettingTypeError, match="model=42: is an int"):
        cin.stylize("tuebingen", 7, model=42)


# --- a painting is decoded and embedded once per file --------------------------------------------


def test_a_style_file_is_embedded_once_until_it_changes(
    tflite_models, no_network, tmp_path, monkeypatch
):
    from stlib import arbitrary

    stylizer = arbitrary.load("tflite")
    painting = tmp_path / "painting.png"
    images.save(
        images.load(np.random.default_rng(2).random((80, 80, 3), dtype="float32")), painting
    )
    embedded = []
    real = type(stylizer)._embed_image
    monkeypatch.setattr(
        type(stylizer), "_embed_image", lambda self, image: embedded.append(1) or real(self, image)
    )
    photo = np.random.default_rng(3).random((64, 64, 3), dtype="float32")
    first = arbitrary.stylize(photo, painting, backend="tflite").image
    again = arbitrary.stylize(photo, str(painting), backend="tflite").image
    assert len(embedded) == 1
    np.testing.assert_array_equal(first, again)
    images.save(
        images.load(np.random.default_rng(4).random((80, 80, 3), dtype="float32")), painting
    )
    os.utime(painting, ns=(1, 1))  # another modification time, whatever the clock's resolution
    changed = arbitrary.stylize(photo, painting, backend="tflite").image
    assert len(embedded) == 2 and np.abs(np.asarray(changed) - np.asarray(first)).mean() > 1e-3
    arrays = [data.load("starry_night", 64)] * 2  # arrays are not kept: embedded each time
    for array in arrays:
        arbitrary.stylize(photo, array, backend="tflite")
    assert len(embedded) == 4
