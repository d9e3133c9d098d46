"""Presets: the published settings of the paper and of the best-known implementations.

Each preset is a ``GatysConfig`` whose loss is term by term the published one, written with
stlib's single Gram normalisation (``stlib.losses``) and constant factors folded into the weights,
so that results and loss curves can be compared like for like. Use ``preset(name, **changes)``.
"""

from __future__ import annotations

from stlib import vgg_layers
from stlib.validation import choice
from stlib.gatys.config import STYLE_LAYERS_GATYS, GatysConfig

_FIVE = {name: 1.0 / 5 for name in STYLE_LAYERS_GATYS}

PRESETS: dict[str, GatysConfig] = {
    # stlib's own defaults: the paper's layers and pooling, mean-normalised losses, L-BFGS from
    # the content image; a balance of content and style that reads well at 256-1024 px.
    "stlib": GatysConfig(preset="stlib"),
    # Gatys, Ecker, Bethge, CVPR 2016. L = alpha * 1/2 sum (F - P)^2 + beta * sum_l w_l E_l with
    # E_l = 1/(4 N^2 M^2) sum (G - A)^2 = 1/4 mean((G_stlib - A_stlib)^2), w_l = 1/5 on
    # conv1_1..conv5_1, alpha/beta = 1e-3 (Fig. 2), average pooling, L-BFGS from white noise.
    # The paper also rescaled VGG's weights so that mean activations are 1; Keras' weights are
    # not rescaled (nor are they in most re-implementations), so the ratio weighs differently.
    "gatys2016": GatysConfig(
        content_layers={"block4_conv2": 1.0},
        style_layers=_FIVE,
        content_weight=0.5 * 1.0,  # alpha = 1, times the 1/2 of the paper's content loss
        style_weight=1e3 / 4,  # beta = 1e3, times the 1/4 of E_l
        tv_weight=0.0,
        content_reduction="sum",
        pooling="avg",
        optimizer="lbfgs",
        steps=500,
        lbfgs_history=100,
        init="noise",
        noise_std=0.25,
        size=512,
        preset="gatys2016",
    ),
    # TensorFlow's "Neural style transfer" tutorial: content block5_conv2, style block1..5_conv1,
    # Gram over H*W, content_weight 1e4, style_weight 1e-2 (each divided by its layer count),
    # TV 30 * tf.image.total_variation, Adam(0.02, beta_1=0.99, epsilon=0.1), clip to [0, 1],
    # 10 epochs x 100 steps, images at most 512 px, max pooling, init from the content image.
    "tf-tutorial": GatysConfig(
        content_layers={"block5_conv2": 1.0},
        style_layers=_FIVE,
        content_weight=1e4,
        style_weight=1e-2,
        tv_weight=30.0,
        tv_kind="l1",
        content_reduction="mean",
        pooling="max",
        optimizer="adam",
        steps=1000,
        learning_rate=0.02,
        adam_beta1=0.99,
        adam_beta2=0.999,
        adam_epsilon=0.1,
        init="content",
        size=512,
        preset="tf-tutorial",
    ),
    # jcjohnson/neural-style defaults: content relu4_2 (weight 5), style relu1_1..relu5_1
    # (weight 100 each), Gram divided by N*M and MSE (= mean((G - A)^2) / N^2 here),
    # TV weight 1e-3 on 0..255 pixels with 1/2 sum of squared differences (= 1e-3 * 255^2 / 2 on
    # [0, 1] pixels), L-BFGS with 100 corrections, 1000 iterations, image_size 512, max pooling,
    # init random (the ImageNet mean plus N(0, 0.001) on the 0..255 scale).
    # Differences left: neural-style's L-BFGS takes fixed unit steps without a line search and its
    # TV sum skips the last row and column; stlib uses scipy's L-BFGS-B with bounds [0, 1].
    "neural-style": GatysConfig(
        content_layers={"block4_conv2": 1.0},
        style_layers={name: 1.0 / vgg_layers.CHANNELS[name] ** 2 for name in STYLE_LAYERS_GATYS},
        content_weight=5.0,
        style_weight=100.0,
        tv_weight=1e-3 * 255.0**2 / 2,
        tv_kind="squared",
        content_reduction="mean",
        pooling="max",
        optimizer="lbfgs",
        steps=1000,
        lbfgs_history=100,
        init="noise",
        noise_std=0.001 / 255.0,
        size=512,
        style_scale=1.0,
        preset="neural-style",
    ),
}


def preset(name: str, **changes) -> GatysConfig:
    """The named preset, with any fields changed: ``preset("tf-tutorial", size=256, steps=100)``.

    The changes are validated like any config (``stlib.validation`` errors name the field).
    """
    choice(name, "preset", tuple(PRESETS))
    return PRESETS[name].replace(**changes) if changes else PRESETS[name]
