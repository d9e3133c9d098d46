"""The published settings of each preset as plain field values, without the config class.

A preset is a set of changes to ``GatysConfig``'s defaults. They are kept here as data, below
both ``config`` (which reads a settings file naming a preset) and ``presets`` (which builds the
``GatysConfig`` objects), so that neither imports the other. Each value is term by term the
published one, written with stlib's single Gram normalisation (``stlib.losses``) and constant
factors folded into the weights, so that results and loss curves can be compared like for like.
"""

from __future__ import annotations

from typing import Any

from stlib import vgg_layers

# Gatys et al. 2016, sec. 2.3: the style layers conv1_1 ... conv5_1 (GatysConfig's default).
STYLE_LAYERS_GATYS = (
    "block1_conv1",
    "block2_conv1",
    "block3_conv1",
    "block4_conv1",
    "block5_conv1",
)
_FIVE = {name: 1.0 / 5 for name in STYLE_LAYERS_GATYS}

PRESET_FIELDS: dict[str, dict[str, Any]] = {
    # stlib's own defaults (GatysConfig says where each comes from): the paper's layers and
    # pooling, mean-normalised losses, L-BFGS from the content image.
    "stlib": {},
    # Gatys, Ecker, Bethge, "Image style transfer using convolutional neural networks", CVPR 2016.
    # L = alpha * 1/2 sum (F - P)^2 + beta * sum_l w_l E_l (eqs. 1, 5, 7), with
    # E_l = 1/(4 N^2 M^2) sum (G - A)^2 = 1/4 mean((G_stlib - A_stlib)^2) (eq. 4).
    # Sec. 2: "a normalized version of the 16 convolutional and 5 pooling layers of the 19-layer
    # VGG network": every filter's mean activation rescaled to 1 (stlib.vgg_normalization).
    "gatys2016": dict(
        content_layers={"block4_conv2": 1.0},  # sec. 2.3: content on conv4_2
        style_layers=_FIVE,  # sec. 2.3: conv1_1 ... conv5_1, w_l = 1/5
        content_weight=0.5 * 1.0,  # alpha = 1, times the 1/2 of eq. 1
        style_weight=1e3 / 4,  # beta = 1e3 (alpha/beta = 1e-3, Fig. 2), times the 1/4 of eq. 4
        tv_weight=0.0,  # no TV term in the paper
        content_reduction="sum",  # eq. 1 sums over positions and channels
        pooling="avg",  # sec. 2: average pooling instead of max
        normalized_vgg=True,  # sec. 2: the normalised network
        optimizer="lbfgs",  # sec. 2.3: L-BFGS
        steps=500,  # not in the paper: stlib choice, visually converged from noise at 512 px
        # Not in the paper; chosen by measurement (benchmarks/lbfgs_history.py, 2-core CPUs): time
        # to the loss of m = 100 after 150 steps is 65.7 s for m = 20 against 83.0 s for m = 100
        # at 256 px on an AMD EPYC; on a Xeon 63.9 against 82.4 s (m = 10: 58.9 s; README).
        lbfgs_history=20,
        init="noise",  # sec. 2.3: white noise (sec. 3.3, Fig. 6: other starts)
        noise_std=0.25,  # not in the paper (white noise, amplitude unstated): stlib's noise
        size=512,  # sec. 4: images of 512 x 512 px
    ),
    # TensorFlow's "Neural style transfer" tutorial (tensorflow.org/tutorials/generative/
    # style_transfer): gram = einsum / (H*W); style_weight / num_style_layers * sum of mean squared
    # Gram differences; content_weight / num_content_layers * mean squared difference.
    "tf-tutorial": dict(
        content_layers={"block5_conv2": 1.0},  # content_layers = ['block5_conv2']
        style_layers=_FIVE,  # style_layers block1_conv1 ... block5_conv1, / num_style_layers
        content_weight=1e4,  # content_weight = 1e4
        style_weight=1e-2,  # style_weight = 1e-2
        tv_weight=30.0,  # total_variation_weight = 30
        tv_kind="l1",  # tf.image.total_variation: sum of absolute differences
        content_reduction="mean",  # tf.reduce_mean
        pooling="max",  # tf.keras.applications.VGG19 as trained
        optimizer="adam",  # tf.keras.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-1)
        steps=1000,  # epochs = 10, steps_per_epoch = 100
        learning_rate=0.02,
        adam_beta1=0.99,
        adam_beta2=0.999,  # Keras' default (the tutorial does not set it)
        adam_epsilon=0.1,
        init="content",  # image = tf.Variable(content_image)
        size=512,  # load_img: max_dim = 512
    ),
    # jcjohnson/neural-style (neural_style.lua): Gram divided by N*M and MSE, so the style term is
    # mean((G - A)^2) / N^2 here. Differences left: neural-style's L-BFGS takes fixed unit steps
    # without a line search, its TV sum skips the last row and column, and it scales pixels by 256
    # (not 255: the TV weight differs by 0.8 %); stlib uses scipy's L-BFGS-B with bounds [0, 1].
    "neural-style": dict(
        content_layers={"block4_conv2": 1.0},  # -content_layers relu4_2
        # -style_layers relu1_1,...,relu5_1; the 1/N^2 of its Gram normalisation goes here
        style_layers={name: 1.0 / vgg_layers.CHANNELS[name] ** 2 for name in STYLE_LAYERS_GATYS},
        content_weight=5.0,  # -content_weight 5e0
        style_weight=100.0,  # -style_weight 1e2
        tv_weight=1e-3 * 255.0**2 / 2,  # -tv_weight 1e-3 on 0..255 pixels, 1/2 sum of squares
        tv_kind="squared",
        content_reduction="mean",  # nn.MSECriterion
        pooling="max",  # -pooling max
        optimizer="lbfgs",  # -optimizer lbfgs
        steps=1000,  # -num_iterations 1000
        lbfgs_history=100,  # -lbfgs_num_correction 0 -> optim.lbfgs' default nCorrection 100
        init="noise",  # -init random: randn * 0.001 around the mean (0..255 scale)
        noise_std=0.001 / 255.0,
        size=512,  # -image_size 512
        style_scale=1.0,  # -style_scale 1.0
    ),
}
