"""The AdaIN network (Huang and Belongie 2017, section 6.1): a frozen VGG19 encoder up to
``relu4_1``, the AdaIN layer, and a decoder trained to invert the encoder.

    f(c), f(s)          encoder: stlib's VGG19, relu1_1 ... relu4_1 (frozen)
    t = AdaIN(f(c), f(s))                          (stlib.adain.layer)
    t' = alpha t + (1 - alpha) f(c)                (strength; mixes and masks: stlib.adain.targets)
    T(c, s) = g(t')     decoder: relu4_1 (512 channels) -> image

**The encoder is the normalised VGG19** (``VGGFeatures(..., normalized=True)``, max pooling): the
authors' encoder is ``vgg_normalised``, the VGG19 that Gatys et al. rescaled so that every filter's
mean activation is one, and stlib's ``normalized=True`` is the same rescaling (factors measured on
stlib's own photos, so the scale is that of the paper up to those photos). It matters for the
loss: the style term sums the mean/std distances of four layers, and with Keras' plain weights
relu4_1's activations are some hundred times relu1_1's, so relu4_1 would carry the whole style
loss and lambda = 10 (``stlib.adain.loss_config``) would mean something else. The rescaling
changes each feature map only by a positive factor per channel. stlib's VGG pads with zeros
where the authors' encoder pads by reflection (a border of one pixel per layer differs).

**The decoder** mirrors the encoder: 3x3 convolutions with reflect padding, ReLU after all but the
last, nearest x2 upsampling three times (where VGG pools), no normalisation layer (the paper
found that normalisation in the decoder makes every output one style's statistics):

    relu4_1 grid  conv -> w3                                    (mirror of conv4_1)
    x2            conv w3, conv w3, conv w3, conv -> w2         (block 3)
    x2            conv w2, conv -> w1                           (block 2)
    x2            conv w1, conv -> 3, no ReLU                   (block 1)

with (w3, w2, w1) = (256, 128, 64) in the paper (:data:`~stlib.adain.spec.PAPER`). The last
convolution is linear and its output is **clipped** to [0, 1] only in the pastiche that
:meth:`AdaINNetwork.stylize` returns: the loss sees the decoder's raw output, as in the authors'
code (a clip inside training would stop the gradient of every pixel outside [0, 1], a sigmoid
would change the paper's network).

**Any photo size**: three poolings floor the side to ``8 * (H // 8)``; the photo is padded by
reflection to a multiple of 8 first (up to 7 rows and columns) and the pastiche cropped back, so
it has the photo's size exactly. Masks are padded the same way.

Only the decoder is saved (``.keras``, a registered :class:`AdaINDecoder` that records which
encoder it was trained for); :meth:`AdaINNetwork.load` rebuilds the encoder from the VGG19
weights (``stlib.weights``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from stlib.adain import targets
from stlib.adain.layer import EPSILON
from stlib.adain.model_file import ModelFileError, model_file_problem
from stlib.adain.spec import PAPER, DecoderSpec

__all__ = [
    "CONTENT_LAYER",
    "ENCODER",
    "GRID",
    "PACKAGE",
    "STYLE_LAYERS",
    "AdaINDecoder",
    "AdaINNetwork",
    "ReflectConv2D",
    "encoder",
    "pad_to_grid",
]

PACKAGE = "stlib.adain"  # the package name of the serialisables inside saved .keras files
STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1")
CONTENT_LAYER = "relu4_1"
GRID = 8  # relu4_1 is behind three 2x2 poolings
# What a decoder was trained to invert; a saved decoder carries it, and loading checks it.
ENCODER = {"network": "vgg19", "layer": CONTENT_LAYER, "pooling": "max", "normalized": True}


@functools.lru_cache(maxsize=4)
def _encoder(weights: str | None):
    from stlib.vgg import VGGFeatures

    features = VGGFeatures(
        STYLE_LAYERS, pooling=ENCODER["pooling"], weights=weights, normalized=True
    )
    features.model.trainable = False  # its own copies of the layers (normalized=True copies)
    return features


def encoder(weights: str | os.PathLike | None = "imagenet"):
    """The frozen encoder: ``VGGFeatures`` of relu1_1 ... relu4_1, normalised, max pooling.

    ``weights``: "imagenet" (found by ``stlib.weights``), a ``.h5`` path, or None (random
    weights: tests of shapes and plumbing). Built once per weights source. Calling it on
    [B, H, W, 3] in [0, 1] gives ``{layer: [B, H / 2^k, W / 2^k, C]}``.
    """
    return _encoder(None if weights is None else os.fspath(weights))


@keras.saving.register_keras_serializable(package=PACKAGE)
class ReflectConv2D(keras.layers.Layer):
    """Reflect padding by one on each side, a 3x3 valid convolution with bias, an optional ReLU.

    [B, H, W, C_in] -> [B, H, W, filters] (H, W >= 2: reflection needs a neighbour).
    """

    def __init__(self, filters: int, relu: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.relu = bool(relu)
        self.conv = keras.layers.Conv2D(
            self.filters, 3, padding="valid", name="conv", dtype=self.dtype_policy
        )

    def build(self, input_shape):
        shape = list(input_shape)
        for axis in (1, 2):
            shape[axis] = None if shape[axis] is None else shape[axis] + 2
        self.conv.build(tuple(shape))

    def call(self, x):
        y = self.conv(keras.ops.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="reflect"))
        return keras.ops.relu(y) if self.relu else y

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape)[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "relu": self.relu}


@keras.saving.register_keras_serializable(package=PACKAGE)
class AdaINDecoder(keras.Model):
    """relu4_1 features [B, h, w, 512] -> images [B, 8h, 8w, 3], unclipped (see the module).

    ``spec``: the widths (:class:`~stlib.adain.spec.DecoderSpec`); ``encoder``: the encoder it
    inverts (:data:`ENCODER`), saved with it.
    """

    def __init__(self, spec: DecoderSpec | dict = PAPER, encoder: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.spec = DecoderSpec(**spec) if isinstance(spec, dict) else spec
        self.encoder = dict(ENCODER if encoder is None else encoder)
        w3, w2, w1 = self.spec.widths
        conv = ReflectConv2D
        up = functools.partial(keras.layers.UpSampling2D, 2, interpolation="nearest")
        self.stages = [
            conv(w3, name="decode4_1"),
            up(name="upsample3"),
            conv(w3, name="decode3_4"),
            conv(w3, name="decode3_3"),
            conv(w3, name="decode3_2"),
            conv(w2, name="decode3_1"),
            up(name="upsample2"),
            conv(w2, name="decode2_2"),
            conv(w1, name="decode2_1"),
            up(name="upsample1"),
            conv(w1, name="decode1_2"),
            conv(3, relu=False, name="decode1_1"),
        ]
        self.build(None)  # weights exist at once: to save, to copy, to count

    def build(self, input_shape):
        self.call(keras.KerasTensor((None, None, None, 512)))
        self.built = True

    def call(self, features):
        x = keras.ops.cast(features, self.compute_dtype)
        for stage in self.stages:
            x = stage(x)
        return keras.ops.cast(x, "float32")

    def get_config(self):
        return {**super().get_config(), "spec": asdict(self.spec), "encoder": dict(self.encoder)}


def pad_to_grid(images: Any, grid: int = GRID) -> tf.Tensor:
    """[B, H, W, C] padded by reflection at the bottom and right to multiples of ``grid``.

    Returns [B, ceil(H / grid) * grid, ceil(W / grid) * grid, C]; unchanged when already so.
    """
    x = tf.convert_to_tensor(images, tf.float32)
    height, width = int(x.shape[1]), int(x.shape[2])
    extra_h, extra_w = -height % grid, -width % grid
    if extra_h == 0 and extra_w == 0:
        return x
    return tf.pad(x, [[0, 0], [0, extra_h], [0, extra_w], [0, 0]], mode="REFLECT")


def _pad_masks(masks: np.ndarray, height: int, width: int) -> np.ndarray:
    """[R, H, W] padded by reflection, as the photo, to [R, height, width]."""
    extra = ((0, 0), (0, height - masks.shape[1]), (0, width - masks.shape[2]))
    return np.pad(np.asarray(masks, np.float32), extra, mode="reflect")


class AdaINNetwork:
    """The frozen encoder, the decoder, and the transfer between them.

    Args:
        decoder: a trained :class:`AdaINDecoder`, or None for a fresh one of ``spec``.
        spec: the decoder's widths when ``decoder`` is None (the paper's by default).
        vgg_weights: the encoder's VGG19 weights ("imagenet", a path, None for random).
        epsilon: AdaIN's epsilon (inside the square root).

    Images are [B, H, W, 3] float32 in [0, 1]; the content's H, W >= 32 (stlib's minimum side).
    """

    def __init__(
        self,
        decoder: AdaINDecoder | None = None,
        *,
        spec: DecoderSpec = PAPER,
        vgg_weights: str | os.PathLike | None = "imagenet",
        epsilon: float = EPSILON,
    ) -> None:
        self.decoder = AdaINDecoder(spec) if decoder is None else decoder
        self.vgg_weights = vgg_weights
        self.encoder = encoder(vgg_weights)
        self.epsilon = float(epsilon)
        # Compiled once for any size (no retracing for each photo or painting size).
        self._encode = tf.function(
            self.encoder.__call__, input_signature=[tf.TensorSpec([None, None, None, 3])]
        )
        self._decode = tf.function(
            self.decoder.__call__, input_signature=[tf.TensorSpec([None, None, None, 512])]
        )

    @property
    def spec(self) -> DecoderSpec:
        return self.decoder.spec

    def encode(self, images: Any) -> dict[str, tf.Tensor]:
        """[B, H, W, 3] -> {relu1_1 ... relu4_1: [B, H / 2^k, W / 2^k, C]} (floored sides)."""
        return self._encode(tf.convert_to_tensor(images, tf.float32))

    def decode(self, features: Any) -> tf.Tensor:
        """relu4_1 features [B, h, w, 512] -> the decoder's raw output [B, 8h, 8w, 3]."""
        return self._decode(tf.convert_to_tensor(features, tf.float32))

    def decoder_input(
        self,
        content: Any,
        styles: Any,
        strength: float = 1.0,
        *,
        mix: Sequence[float] | None = None,
        masks: Any = None,
    ) -> tf.Tensor:
        """What the decoder paints: ``strength * t + (1 - strength) * f(c)`` at relu4_1.

        Args:
            content: the photo [B, H, W, 3]; padded to multiples of 8 (see the module).
            styles: one painting [1, h, w, 3] or a list of them (any sizes).
            strength: alpha in [0, 1].
            mix: one weight per painting, used as given (the API makes them sum to one); None:
                equal weights. Not with ``masks``.
            masks: None, or [R, H, W] at the photo's size, one per painting, a partition
                (``stlib.masks.resolve``): padded as the photo, brought to relu4_1's grid by
                area, and each region normalised with its own statistics
                (:func:`stlib.adain.targets.regional_target`).

        Returns:
            float32 [B, ceil(H / 8), ceil(W / 8), 512].
        """
        styles = list(styles) if isinstance(styles, (list, tuple)) else [styles]
        photo = tf.convert_to_tensor(content, tf.float32)
        padded = pad_to_grid(photo)
        content_features = self.encode(padded)[CONTENT_LAYER]
        style_features = [self.encode(style)[CONTENT_LAYER] for style in styles]
        if masks is not None:
            if mix is not None:
                raise ValueError("give mix or masks, not both (mix blends, masks place)")
            masks = np.asarray(masks, np.float32)
            if masks.shape != (len(styles), *photo.shape[1:3]):
                raise ValueError(
                    f"masks of shape {masks.shape}; give [{len(styles)}, {photo.shape[1]}, "
                    f"{photo.shape[2]}]: one per painting at the photo's size"
                )
            padded_masks = _pad_masks(masks, int(padded.shape[1]), int(padded.shape[2]))
            grid = targets.masks_on_grid(padded_masks, *content_features.shape[1:3])
            target = targets.regional_target(content_features, style_features, grid, self.epsilon)
        else:
            weights = [1.0 / len(styles)] * len(styles) if mix is None else list(mix)
            target = targets.mixed_target(content_features, style_features, weights, self.epsilon)
        return targets.with_strength(target, content_features, strength)

    def stylize(
        self,
        content: Any,
        styles: Any,
        strength: float = 1.0,
        *,
        mix: Sequence[float] | None = None,
        masks: Any = None,
    ) -> tf.Tensor:
        """The pastiche [B, H, W, 3] in [0, 1] at the photo's size (arguments as
        :meth:`decoder_input`): the decoder's output cropped and clipped."""
        features = self.decoder_input(content, styles, strength, mix=mix, masks=masks)
        height, width = int(content.shape[1]), int(content.shape[2])
        painted = self.decode(features)[:, :height, :width, :]
        return tf.clip_by_value(painted, 0.0, 1.0)

    def save(self, path: str | os.PathLike) -> Path:
        """The decoder as a ``.keras`` file, written whole or not at all; returns the path."""
        import shutil
        import tempfile

        from stlib import outputs

        target = Path(path).expanduser()
        if target.suffix != ".keras":
            raise ValueError(f"model path {str(target)!r}: an AdaIN decoder is saved as .keras")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with tempfile.TemporaryDirectory(dir=target.parent) as folder:
                saved = Path(folder) / "decoder.keras"
                self.decoder.save(saved)
                with outputs.atomic_write(target) as temporary:
                    shutil.copyfile(saved, temporary)
        except outputs.WriteError:
            raise
        except OSError as error:  # Keras' own write into the temporary folder: name the target
            raise outputs.WriteError(target, error) from None
        return target

    @classmethod
    def load(
        cls, path: str | os.PathLike, *, vgg_weights: str | os.PathLike | None = "imagenet"
    ) -> AdaINNetwork:
        """A network with the decoder saved at ``path`` and the encoder rebuilt from VGG19.

        Raises:
            ModelFileError: naming the path: missing, not a ``.keras`` file, not a stlib AdaIN
                decoder, or one trained for another encoder; it says how to train one.
        """
        path = Path(path).expanduser()
        problem = model_file_problem(path)
        if problem is not None:  # before Keras, which calls a text file "not found"
            raise ModelFileError(path, problem)
        try:
            decoder = keras.saving.load_model(path, compile=False)
        except Exception as error:  # Keras raises many kinds for a file it cannot read
            raise ModelFileError(
                path, f"could not be read as a Keras model ({type(error).__name__}: {error})"
            ) from None
        if not isinstance(decoder, AdaINDecoder):
            raise ModelFileError(path, f"holds a {type(decoder).__name__}, not an AdaINDecoder")
        if decoder.encoder != ENCODER:
            raise ModelFileError(
                path,
                f"was trained for the encoder {decoder.encoder}; this stlib's encoder is "
                f"{ENCODER}: train it again",
            )
        return cls(decoder, vgg_weights=vgg_weights)

    def __repr__(self) -> str:
        return f"AdaINNetwork(widths={self.spec.widths}, encoder={ENCODER['network']} normalised)"
