"""``stlib.adain.stylize``: the shape every method shares, and its refusals."""

from __future__ import annotations

import numpy as np
import pytest
from adain_test_helpers import image

import stlib
from stlib.adain import api
from stlib.adain.config import AdaINConfig
from stlib.adain.model_file import ModelFileError
from stlib.masks import MaskError
from stlib.validation import SettingError


@pytest.fixture(scope="module")
def pictures():
    return image(48, 64, 0), image(40, 40, 1), image(56, 48, 2)


def test_stylize_returns_a_result_at_the_photo_size(real_network, pictures):
    photo, a, _ = pictures
    steps = []
    result = api.stylize(photo, a, model=real_network, style_size=64, callbacks=[steps.append])
    assert isinstance(result, stlib.Result) and result.history is None
    image_, _, config = result
    assert image_.shape == (1, 48, 64, 3)
    values = np.asarray(image_)
    assert 0.0 <= values.min() and values.max() <= 1.0 and values.std() > 0.01
    assert isinstance(config, AdaINConfig) and config.model is real_network
    assert len(steps) == 1 and steps[0].image is image_
    smaller = api.stylize(photo, a, {"model": real_network, "size": 56, "style_size": 64}).image
    assert smaller.shape == (1, 42, 56, 3)


def test_strength_mix_and_masks_change_the_picture_as_they_should(real_network, pictures):
    photo, a, b = pictures
    full = api.stylize(photo, a, model=real_network, style_size=64).image.numpy()
    none = api.stylize(photo, a, model=real_network, style_size=64, strength=0.0).image.numpy()
    assert np.abs(full - none).mean() > 1e-3
    np.testing.assert_allclose(
        api.stylize(photo, [a], model=real_network, style_size=64, mix=[1]).image, full
    )
    mixed = api.stylize(photo, [a, b], model=real_network, style_size=64, mix=(1, 0)).image.numpy()
    np.testing.assert_allclose(mixed, full, atol=1e-6)  # weight 0 for b: a alone
    ones = np.ones((48, 64), np.float32)
    np.testing.assert_allclose(
        api.stylize(photo, [a], model=real_network, style_size=64, masks=[ones]).image,
        full,
        atol=1e-5,
    )
    halves = api.stylize(
        photo, [a, b], model=real_network, style_size=64, masks=["left", "right"]
    ).image
    assert halves.shape == (1, 48, 64, 3)


def test_preserve_color_keeps_the_photo_colours(real_network, pictures):
    from stlib import color

    photo, a, _ = pictures
    kept = api.stylize(
        photo, a, model=real_network, style_size=64, preserve_color="luminance"
    ).image
    iq = lambda x: color.rgb_to_yiq(x).numpy()[..., 1:]  # noqa: E731
    plain = api.stylize(photo, a, model=real_network, style_size=64).image
    assert np.abs(iq(kept) - iq(photo)).mean() < np.abs(iq(plain) - iq(photo)).mean()
    histogram = api.stylize(
        photo, a, model=real_network, style_size=64, preserve_color="histogram"
    ).image
    assert histogram.shape == photo.shape


def test_no_model_and_a_missing_model_are_named_with_how_to_train_one(tmp_path, pictures):
    photo, a, _ = pictures
    with pytest.raises(ModelFileError, match="no AdaIN network given.*stlib adain-train"):
        api.stylize(photo, a)
    missing = tmp_path / "nothere.keras"
    with pytest.raises(ModelFileError) as caught:
        api.stylize(photo, a, model=missing)
    assert caught.value.settings == {"model": str(missing)}
    assert "no such file" in str(caught.value) and "stlib adain-train" in str(caught.value)


def test_refusals_before_any_work(random_network, pictures):
    photo, a, b = pictures
    with pytest.raises(SettingError, match=r"strength=1.5: must be a finite number in \[0, 1\]"):
        api.stylize(photo, a, model=random_network, strength=1.5)
    with pytest.raises(SettingError, match="mix=.*masks=.*cannot go together"):
        api.stylize(photo, [a, b], model=random_network, mix=(1, 1), masks=["left", "right"])
    with pytest.raises(MaskError, match="3 masks for 2 paintings"):
        api.stylize(photo, [a, b], model=random_network, masks=["left", "right", "rest"])
    with pytest.raises(MaskError, match="1 mask for 2 paintings"):
        api.stylize(photo, [a, b], model=random_network, masks="left")
    with pytest.raises(SettingError, match="gives 3 weights for 2 paintings"):
        api.stylize(photo, [a, b], model=random_network, mix=(1, 1, 1))
    with pytest.raises(MaskError, match="do not cover the photo"):
        api.stylize(photo, [a, b], model=random_network, masks=["left", "top"])


def test_load_keeps_a_network_and_reads_a_changed_file_again(random_network, tmp_path, monkeypatch):
    path = random_network.save(tmp_path / "adain.keras")
    loads = []
    real_load = api.AdaINNetwork.load

    def counted(file, **kwargs):
        loads.append(file)
        return real_load(file, vgg_weights=None)

    monkeypatch.setattr(api.AdaINNetwork, "load", staticmethod(counted))
    api.clear_cache()
    first = api.load(path)
    assert api.load(str(path)) is first and len(loads) == 1
    assert api.load(first) is first
    import os

    os.utime(path, ns=(1, 1))
    assert api.load(path) is not first and len(loads) == 2
    api.clear_cache()
