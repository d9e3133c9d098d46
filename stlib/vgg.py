"""VGG19 feature extractor: the named layers that the style-transfer losses compare.

    features = VGGFeatures(["block4_conv2", "relu1_1"], pooling="avg")
    maps = features(image)            # image: [B, H, W, 3] RGB in [0, 1]
    maps["block4_conv2"].shape        # [B, H/8, W/8, 512]

Layers are named as in Keras (``block4_conv2``) or as in the papers and Caffe/Torch code
(``relu4_2`` or ``conv4_2``: the Keras convolution layers include their ReLU, so all three name
the same rectified feature map; ``pool3`` names ``block3_pool``). The network is truncated after
the deepest layer asked for, so asking only for ``relu1_1`` costs one convolution, not sixteen.
Max pooling (ImageNet training) or average pooling (Gatys et al. 2016 found it gives smoother
results) can be chosen. Caffe preprocessing (RGB->BGR, 0..255, ImageNet mean subtracted) happens
inside, so callers always pass stlib images.

``precision="bfloat16"`` runs the convolutions in bfloat16 (Keras mixed precision: weights kept in
float32, arithmetic in bfloat16) and returns float32 maps, so the losses are still summed in
float32. On CPUs with AVX512-BF16 or AMX and on recent GPUs a forward and backward pass takes about
half the time; the price is a relative rounding error of about 0.4 % in every feature value.

``normalized=True`` is the network of Gatys et al. 2016 (section 2): every convolution's weights and
bias are divided by its filter's mean activation over a fixed set of photos, and the next layer's
weights multiplied by it, so that each filter's mean activation is one and the features change only
by a per-channel factor (possible "without changing its output" because VGG has only ReLUs and
poolings, which commute with positive scaling). Without it, the deep layers' activations are so
much larger that ``block4_conv1`` carries almost all of a five-layer style loss. The factors are
stored as text in ``stlib/vgg19_normalization.json``, made by ``python -m stlib.vgg_normalization``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

# The layer table lives in a module without TensorFlow (settings are checked before it starts);
# it is re-exported here, so that `vgg.LAYERS` and `vgg.canonical_layer` read naturally.
from stlib import vgg_layers
from stlib.vgg_layers import *  # noqa: F403
from stlib.vgg_layers import (
    CHANNELS,
    CONV_LAYERS,
    DOWNSAMPLING,
    LAYERS,
    POOLINGS,
    PRECISIONS,
    canonical_layer,
)

__all__ = [
    *vgg_layers.__all__,
    # the network
    "IMAGENET_MEAN_BGR",
    "VGGFeatures",
    "forward_flops",
    "layer_table",
    "preprocess",
    "receptive_fields",
]

# ImageNet channel means in BGR order, on the 0..255 scale (the Caffe VGG preprocessing).
IMAGENET_MEAN_BGR = (103.939, 116.779, 123.68)


def preprocess(images: tf.Tensor) -> tf.Tensor:
    """Caffe VGG input: [B, H, W, 3] RGB in [0, 1] -> [B, H, W, 3] BGR, 0..255, mean subtracted.

    Equal to ``keras.applications.vgg19.preprocess_input(255 * images)``.

    Taught in notebook 01, section 1.
    """
    bgr = tf.reverse(tf.cast(images, tf.float32), axis=[-1]) * 255.0
    return bgr - tf.constant(IMAGENET_MEAN_BGR, dtype=tf.float32)


@functools.lru_cache(maxsize=4)
def _pretrained_vgg19(weights: str | None) -> keras.Model:
    """The Keras VGG19 convolutional base, loaded once per process and weights source."""
    return keras.applications.VGG19(include_top=False, weights=weights, input_shape=(None, None, 3))


def _weights_source(weights: str | Path | None) -> str | None:
    if weights is None:
        return None  # random initialisation: for tests of shapes and plumbing only
    if weights == "imagenet":
        from stlib.weights import vgg19_weights_path

        return str(vgg19_weights_path())
    path = Path(weights)
    if not path.is_file():
        raise FileNotFoundError(
            f"VGG19 weights file {str(weights)!r} does not exist; "
            "pass 'imagenet', None or a .h5 path"
        )
    return str(path)


class VGGFeatures:
    """Maps images to the feature maps of named VGG19 layers.

    Args:
        layers: layer names in any accepted spelling; the output dict is keyed by these spellings.
        pooling: ``"max"`` (as trained) or ``"avg"`` (Gatys et al. 2016).
        weights: ``"imagenet"`` (the pretrained weights, found by ``stlib.weights``), a path to a
            Keras ``.h5`` file of the VGG19 notop weights, or None for random weights (tests only).
        precision: ``"float32"`` or ``"bfloat16"`` arithmetic inside the network (see module doc).
        normalized: True for the network rescaled as in Gatys et al. 2016 (mean activation one
            per filter, factors for this ``pooling`` from ``stlib/vgg19_normalization.json``), or
            ``{conv layer: [C] mean activations}`` to rescale by given factors (tests, the
            command that makes the file); False for Keras' weights as they are.

    Calling it on [B, H, W, 3] RGB images in [0, 1] returns ``{name: [B, h, w, C]}`` float32,
    where ``h = H // 2**k`` for a layer behind k poolings and C = ``CHANNELS[name]``.

    Taught in notebook 01, section 4.
    """

    def __init__(
        self,
        layers: Iterable[str],
        pooling: str = "max",
        weights: str | Path | None = "imagenet",
        precision: str = "float32",
        normalized: bool | Mapping[str, np.ndarray] = False,
    ) -> None:
        self.requested = tuple(dict.fromkeys(layers))  # unique, order kept
        if not self.requested:
            raise ValueError("VGGFeatures needs at least one layer name")
        if pooling not in POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; choose 'max' or 'avg'")
        if precision not in PRECISIONS:
            raise ValueError(
                f"unknown precision {precision!r}; choose from {', '.join(map(repr, PRECISIONS))}"
            )
        self.pooling = pooling
        self.precision = precision
        self.weights = weights  # as given: 'imagenet', a path or None
        self.normalized = normalized
        self.scales = _scales_for(normalized, pooling)  # {conv layer: [C]}, empty if not normalized
        self.layers = {name: canonical_layer(name) for name in self.requested}
        self.deepest = max(self.layers.values(), key=LAYERS.index)
        self.model = self._build(_pretrained_vgg19(_weights_source(weights)))

    def _build(self, base: keras.Model) -> keras.Model:
        # Re-wire the pretrained layers on a new input, stopping at the deepest layer needed and
        # swapping the pooling; the convolution layers (and so their weights) are shared, not
        # copied, except in bfloat16 (a bfloat16 compute policy) or when normalized (rescaled
        # weights), where each is copied.
        inputs = keras.Input(shape=(None, None, 3))
        x = inputs
        wanted = set(self.layers.values())
        outputs = {}
        scale_in = np.ones(3, np.float32)  # the input image is not rescaled
        for name in LAYERS[: LAYERS.index(self.deepest) + 1]:
            layer = base.get_layer(name)
            weights = None
            if name.endswith("pool") and self.pooling == "avg":
                layer = keras.layers.AveragePooling2D(2, strides=2, name=f"{name}_avg")
            if self.scales and name in CONV_LAYERS:
                # out_c / s_c for this layer, and undo the previous layer's division on the inputs
                # (a layer without factors keeps its outputs but still undoes its inputs').
                kernel, bias = layer.get_weights()
                scale_out = self.scales.get(name, np.ones(CHANNELS[name], np.float32))
                kernel = kernel * scale_in[None, None, :, None] / scale_out[None, None, None, :]
                weights, scale_in = [kernel, bias / scale_out], scale_out
            if weights is not None or self.precision == "bfloat16":
                dtype = "mixed_bfloat16" if self.precision == "bfloat16" else "float32"
                layer = _copy(layer, x, dtype, weights)
            x = layer(x)
            if name in wanted:
                outputs[name] = x
        return keras.Model(inputs, outputs, name=f"vgg19_to_{self.deepest}_{self.pooling}")

    @property
    def depth(self) -> int:
        """Number of convolution layers actually run (16 for the full VGG19 base)."""
        return sum(1 for layer in self.model.layers if isinstance(layer, keras.layers.Conv2D))

    def __call__(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """[B, H, W, 3] RGB in [0, 1] -> {layer name as asked: [B, h, w, C]} float32."""
        maps = self.model(preprocess(images))
        return {
            asked: tf.cast(maps[keras_name], tf.float32)
            for asked, keras_name in self.layers.items()
        }

    def __repr__(self) -> str:
        extra = "" if self.precision == "float32" else f", precision={self.precision!r}"
        extra += ", normalized" if self.scales else ""
        return (
            f"VGGFeatures({list(self.requested)!r}, pooling={self.pooling!r}, "
            f"depth={self.depth}{extra})"
        )


def _copy(layer: keras.layers.Layer, inputs, dtype: str, weights=None) -> keras.layers.Layer:
    """A copy of ``layer`` computing in ``dtype`` ("mixed_bfloat16": weights stay float32), with
    ``weights`` (a list as ``get_weights`` gives) or the layer's own."""
    copy = type(layer).from_config({**layer.get_config(), "dtype": dtype})
    copy.build(inputs.shape)
    if layer.weights:
        copy.set_weights(weights if weights is not None else layer.get_weights())
    return copy


NORMALIZATION_FILE = Path(__file__).with_name("vgg19_normalization.json")


@functools.lru_cache(maxsize=1)
def normalization_factors() -> dict[str, dict[str, np.ndarray]]:
    """{pooling: {conv layer: [C] mean activation}} as stored by ``stlib.vgg_normalization``.

    A filter that never fired on the photos has a stored factor of 1 (it is left as it is: its
    mean is 0, and dividing by it would be unbounded).
    """
    stored = json.loads(NORMALIZATION_FILE.read_text())["factors"]
    return {
        pooling: {layer: np.asarray(values, np.float32) for layer, values in layers.items()}
        for pooling, layers in stored.items()
    }


def _scales_for(normalized, pooling: str) -> dict[str, np.ndarray]:
    if normalized is False or normalized is None:
        return {}
    if normalized is True:
        return normalization_factors()[pooling]
    if isinstance(normalized, Mapping):
        scales = {canonical_layer(n): np.asarray(v, np.float32) for n, v in normalized.items()}
        for name, values in scales.items():
            if values.shape != (CHANNELS[name],) or not np.all(values > 0):
                raise ValueError(
                    f"normalization factors of {name} must be {CHANNELS[name]} positive numbers"
                )
        return scales
    raise TypeError(f"normalized must be True, False or {{layer: factors}}, not {normalized!r}")


def layer_table(layers: Mapping[str, float] | Iterable[str]) -> list[tuple[str, str, int, int]]:
    """(asked name, Keras name, channels, downsampling factor) per layer, for printing and plots.

    Taught in notebook 01, section 3.
    """
    return [
        (
            name,
            canonical_layer(name),
            CHANNELS[canonical_layer(name)],
            2 ** DOWNSAMPLING[canonical_layer(name)],
        )
        for name in layers
    ]


def receptive_fields() -> dict[str, tuple[int, int]]:
    """{layer: (receptive field in input pixels, jump)} for every VGG19 layer.

    A 3x3 convolution (stride 1) widens the field by 2 * jump; a 2x2 pooling of stride 2 widens
    it by jump and doubles the jump (the input-pixel distance between neighbouring outputs):
    r_l = r_{l-1} + (k - 1) * j_{l-1},  j_l = j_{l-1} * s.

    Taught in notebook 01, section 5.
    """
    field, jump, table = 1, 1, {}
    for name in LAYERS:
        kernel, stride = (2, 2) if name.endswith("pool") else (3, 1)
        field += (kernel - 1) * jump
        jump *= stride
        table[name] = (field, jump)
    return table


def forward_flops(height: int, width: int, deepest: str = "block5_conv4") -> dict[str, int]:
    """{convolution layer: floating-point operations} of one forward pass on an H x W image.

    A 3x3 'same' convolution from C_in to C_out channels on an h x w map costs
    2 * 9 * C_in * C_out * h * w operations (a multiply and an add per weight and position);
    poolings, ReLUs and biases are a few operations per value and are left out. Only the layers
    up to ``deepest`` are counted, as the truncated network runs only those.

    Taught in notebook 03, section 6.
    """
    deepest = canonical_layer(deepest)
    flops, channels_in, h, w = {}, 3, height, width
    for name in LAYERS[: LAYERS.index(deepest) + 1]:
        if name.endswith("pool"):
            h, w = h // 2, w // 2
            continue
        channels_out = CHANNELS[name]
        flops[name] = 2 * 9 * channels_in * channels_out * h * w
        channels_in = channels_out
    return flops
