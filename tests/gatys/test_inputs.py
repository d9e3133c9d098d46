"""The images of a transfer (stlib/gatys/inputs.py): a bad image is refused before any work, named
by its role and position; the blend weights match the styles; the starting image (seeded noise, a
given image, the style); the colour preservation modes prepare the images and finish the result."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from gatys_test_images import random_image

from stlib import color, images
from stlib.gatys import GatysConfig, Objective, transfer
from stlib.validation import SettingError

TINY = {"size": 64, "steps": 2}


# --- images checked and named before any work -----------------------------------------------------


def test_a_thin_style_is_named_by_position_before_any_work(content, style_seed1):
    thin = random_image(2, 40, 400)
    with pytest.raises(
        SettingError, match=r"style 2 of 2 \(a tensor\) would be resized to 64x6 px"
    ) as info:
        transfer(content, [style_seed1, thin], GatysConfig(**TINY), progress=False, weights=None)
    assert "style_scale=1" in str(info.value) and "at least 16 px" in str(info.value)


def test_a_coarse_scale_too_small_for_the_deepest_layer_is_refused(style_seed1):
    wide = random_image(3, 40, 200)
    config = GatysConfig(size=200, steps=(1, 1), scales=(0.25, 1.0))
    with pytest.raises(
        SettingError, match=r"content at scale 0.25 would be 50x10 px; block5_conv1 .* 16 px"
    ):
        transfer(wide, style_seed1, config, progress=False, weights=None)


def test_a_content_too_small_is_named_as_the_content(style_seed1):
    with pytest.raises(images.ImageError, match=r"^content \(a tensor\): .*shorter side"):
        transfer(
            random_image(4, 20, 200),
            style_seed1,
            GatysConfig(size=None, steps=1),
            progress=False,
            weights=None,
        )


def test_blend_weights_must_match_the_styles(content, style_seed1):
    with pytest.raises(SettingError, match=r"mix=\(1.0,\): gives 1 weights for 2 style images"):
        transfer(
            content,
            [style_seed1, style_seed1],
            GatysConfig(mix=(1.0,), **TINY),
            progress=False,
            weights=None,
        )


# --- the starting image ---------------------------------------------------------------------------


def test_noise_init_is_seeded(content, style):
    def run(seed):
        return transfer(
            content,
            style,
            GatysConfig(size=64, steps=1, init="noise", seed=seed),
            progress=False,
            weights=None,
        ).image.numpy()

    np.testing.assert_array_equal(run(1), run(1))
    assert not np.allclose(run(1), run(2))


def test_init_from_an_image_and_from_the_style(content, style):
    target = tf.fill((1, 40, 40, 3), 0.25)
    seen = []
    callback = lambda s: seen.append(s.image)  # noqa: E731
    config = GatysConfig(size=64, steps=1, optimizer="adam", learning_rate=1e-9)
    transfer(
        content,
        style,
        config,
        progress=False,
        weights=None,
        init_image=target,
        callbacks=[callback],
    )
    np.testing.assert_allclose(
        seen[-1].numpy(), 0.25, atol=1e-4
    )  # a tiny step from the given image
    transfer(
        content,
        style,
        config.replace(init="style"),
        progress=False,
        weights=None,
        callbacks=[callback],
    )
    np.testing.assert_allclose(seen[-1].numpy(), images.resize_to(style, 48, 64).numpy(), atol=1e-4)


# --- colour preservation --------------------------------------------------------------------------


def test_luminance_preservation_keeps_the_content_colours(content, style):
    config = GatysConfig(size=64, steps=3, preserve_color="luminance")
    result = transfer(content, style, config, progress=False, weights=None)
    content_iq = color.rgb_to_yiq(images.resize_to(content, 48, 64)).numpy()[..., 1:]
    result_iq = color.rgb_to_yiq(result.image).numpy()[..., 1:]
    # Only clipping to [0, 1] may move I and Q.
    assert np.mean(np.abs(result_iq - content_iq)) < 0.02


def test_histogram_preservation_recolours_the_style_toward_the_content(monkeypatch, content):
    seen_styles = []

    class Spy(Objective):
        def __init__(self, config, features, content, styles, blend, masks=None):
            seen_styles.extend(styles)
            super().__init__(config, features, content, styles, blend, masks)

    monkeypatch.setattr("stlib.gatys.engine.Objective", Spy)
    red_style = tf.concat(
        [tf.fill((1, 40, 40, 1), 0.9), tf.random.uniform((1, 40, 40, 2), 0, 0.2, seed=1)], -1
    )
    transfer(
        content,
        red_style,
        GatysConfig(size=64, steps=1, preserve_color="histogram"),
        progress=False,
        weights=None,
    )
    recoloured = seen_styles[0].numpy().reshape(-1, 3).mean(0)
    np.testing.assert_allclose(recoloured, content.numpy().reshape(-1, 3).mean(0), atol=0.03)
