r"""The AdaIN training loss and one training step of the decoder (Huang and Belongie 2017, 6.2).

With t = AdaIN(f(c), f(s)) the target and g the decoder,

.. math::
    L = w_c\, L_c + \lambda\, L_s, \qquad
    L_c = \operatorname{mean}\big((f(g(t)) - t)^2\big) \text{ at relu4\_1}

    L_s = \sum_{l \in \{relu1\_1, \dots, relu4\_1\}}
          \operatorname{mean}\big((\mu(\phi_l(g(t))) - \mu(\phi_l(s)))^2\big)
        + \operatorname{mean}\big((\sigma(\phi_l(g(t))) - \sigma(\phi_l(s)))^2\big)

The content term compares with the target t, not with the photo's features: the decoder learns to
paint features that AdaIN produced. The paper writes the style term with Euclidean norms
:math:`\|\cdot\|_2`; stlib uses **mean squared errors** (over the batch and the channels), as the
authors' released training code and its PyTorch port do, with whose magnitudes lambda = 10 was
chosen (a norm is the square root of C times such a mean, and its gradient is unbounded at 0).
sigma is :func:`stlib.adain.layer.channel_statistics`' sqrt(var + eps), as in the layer. The
weights assume the normalised VGG19 encoder (``stlib.adain.network``): with Keras' plain weights
the four layers' terms differ by orders of magnitude.

``training_step`` updates the decoder only; the encoder is frozen (its weights are never in the
optimizer's list). A training command builds on it: batches of photos and paintings, an Adam
optimizer (the paper: learning rate 1e-4, batch 8 pairs of 256-px crops), ``network.save``.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from stlib.adain.layer import adain, channel_statistics
from stlib.adain.network import CONTENT_LAYER, STYLE_LAYERS

__all__ = ["TERMS", "content_loss", "loss_terms", "style_loss", "training_step"]

TERMS = ("content", "style", "total")


def content_loss(decoded_features: Any, target: Any) -> tf.Tensor:
    """``mean((f(g(t)) - t)^2)``: both [B, h, w, C] at relu4_1; a float32 scalar."""
    difference = tf.convert_to_tensor(decoded_features, tf.float32) - tf.convert_to_tensor(
        target, tf.float32
    )
    return tf.reduce_mean(tf.square(difference))


def style_loss(decoded: dict, style: dict, epsilon: float = 1e-5) -> tf.Tensor:
    """Sum over relu1_1 ... relu4_1 of the mean squared differences of the channel means and of
    the channel stds. ``decoded`` and ``style``: {layer: [B, h, w, C]} (the style's batch B or 1);
    a float32 scalar."""
    total = 0.0
    for layer in STYLE_LAYERS:
        mean_g, std_g = channel_statistics(decoded[layer], epsilon)
        mean_s, std_s = channel_statistics(style[layer], epsilon)
        total += tf.reduce_mean(tf.square(mean_g - mean_s))
        total += tf.reduce_mean(tf.square(std_g - std_s))
    return total


def loss_terms(network, photos: Any, paintings: Any, config: Any) -> dict[str, tf.Tensor]:
    """The weighted loss of the network on photos [B, S, S, 3] and paintings [B or 1, S', S', 3]
    (painting i styles photo i): {"content", "style", "total"}, float32 scalars.

    ``config``: anything with ``content_weight`` and ``style_weight`` (``LossConfig``).
    """
    photos = tf.convert_to_tensor(photos, tf.float32)
    paintings = tf.convert_to_tensor(paintings, tf.float32)
    content_features = network.encoder(photos)[CONTENT_LAYER]
    style_features = network.encoder(paintings)
    target = tf.stop_gradient(
        adain(content_features, style_features[CONTENT_LAYER], network.epsilon)
    )
    decoded = network.encoder(network.decoder(target))
    content = float(config.content_weight) * content_loss(decoded[CONTENT_LAYER], target)
    style = float(config.style_weight) * style_loss(decoded, style_features, network.epsilon)
    return {"content": content, "style": style, "total": content + style}


def _compiled_step(network, optimizer, config):
    """The step compiled once per (network, optimizer, weights), kept on the network."""
    weights = (float(config.content_weight), float(config.style_weight))
    steps = network.__dict__.setdefault("_training_steps", {})
    key = (id(optimizer), weights)
    if key not in steps:
        variables = list(network.decoder.trainable_variables)
        optimizer.build(variables)  # the slots exist before tracing (no variable made inside)

        @tf.function(reduce_retracing=True)
        def step(photos, paintings):
            with tf.GradientTape() as tape:
                terms = loss_terms(network, photos, paintings, config)
            gradients = tape.gradient(terms["total"], variables)
            optimizer.apply_gradients(zip(gradients, variables))
            return terms

        steps[key] = (optimizer, step)  # the optimizer kept alive, so its id is not reused
    return steps[key][1]


def training_step(network, optimizer, photos: Any, paintings: Any, config: Any) -> dict:
    """One gradient step of the decoder on a batch; returns the terms before the update.

    Args:
        network: an :class:`~stlib.adain.network.AdaINNetwork`.
        optimizer: a Keras optimizer (the paper's: Adam, learning rate 1e-4); it updates the
            decoder's weights only.
        photos: [B, S, S, 3] in [0, 1].
        paintings: [B, S', S', 3] in [0, 1], painting i for photo i (or [1, ...]: one for all).
        config: anything with ``content_weight`` and ``style_weight``
            (:class:`~stlib.adain.loss_config.LossConfig`, a training config).

    Returns:
        {"content", "style", "total"}: float32 scalar tensors, the weighted terms.
    """
    step = _compiled_step(network, optimizer, config)
    return step(
        tf.convert_to_tensor(photos, tf.float32), tf.convert_to_tensor(paintings, tf.float32)
    )
