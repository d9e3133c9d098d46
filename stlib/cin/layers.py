"""The layers of the multi-style transformer: conditional instance normalisation, convolutions.

Conditional instance normalisation (CIN, Dumoulin, Shlens, Kudlur, ICLR 2017, eq. 5) normalises each
channel of each image over its own height and width, then scales and shifts it with parameters that
belong to a style:

    CIN(x, s) = gamma[s] * (x - mean(x)) / sqrt(var(x) + eps) + beta[s]

``gamma`` and ``beta`` have one row per style, [N, C]. The layer takes a batch of style weight
vectors [B, N] and uses ``w @ gamma`` and ``w @ beta``: a one-hot ``w`` picks one style, any other
``w`` mixes the styles' parameters (Magenta's ``weighted_instance_norm``). The layer applies the
weights as given, as Magenta and the frozen 26-style graph do;
:func:`stlib.cin.mixing.style_weights` is where the front ends make a mix convex (weights that
sum to one) before they get here.

**Spatial mixing** (Dumoulin et al. 2017, section 5: one style here, another there, in one pass).
The weights may also be a map [B, H', W', N], one weight vector per pixel, at any resolution:
the layer resizes it to x's grid [H, W] (by area where the map is at least as large, as
:func:`stlib.masks.at_resolution` does for a VGG layer; bilinear where it is smaller) and uses
``w(p) @ gamma`` and ``w(p) @ beta`` at each pixel p:

    CIN(x, w)(p) = (w(p) @ gamma) * (x(p) - mean(x)) / sqrt(var(x) + eps) + (w(p) @ beta)

The statistics stay those of the whole image, as in the paper: only the scale and shift vary
over the image, so regions painted in different styles still share one normalisation, and a map
that is the same vector everywhere gives exactly the [B, N] result.

All three layers are registered Keras serialisables, so a model saved as ``.keras`` loads back.
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["ConditionalInstanceNorm", "NearestUpsample", "ReflectConv", "weights_on_grid"]

# The package name inside saved .keras files ("stlib.fast>ConditionalInstanceNorm", ...): kept
# from before the rename to stlib.cin so that every network trained since still loads.
PACKAGE = "stlib.fast"


@keras.saving.register_keras_serializable(package=PACKAGE)
class ConditionalInstanceNorm(keras.layers.Layer):
    """Instance normalisation with a scale and shift per style.

    Call with ``[x, style_weights]``: x [B, H, W, C] and style_weights [B, N] (one weight vector
    per image) or [B, H', W', N] (one per pixel, any H', W': resized to H, W, see the module's
    text); returns [B, H, W, C]. Weights: ``gamma`` [N, C] (starts at 1) and ``beta`` [N, C]
    (starts at 0), 2C numbers per style.
    """

    def __init__(self, num_styles: int, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.num_styles = int(num_styles)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        channels = int(input_shape[0][-1])
        self.gamma = self.add_weight(
            name="gamma", shape=(self.num_styles, channels), initializer="ones"
        )
        self.beta = self.add_weight(
            name="beta", shape=(self.num_styles, channels), initializer="zeros"
        )

    def call(self, inputs):
        x, style_weights = inputs
        # Moments in float32 even under mixed precision: a variance in float16 loses the
        # small channels' contrast.
        x32 = ops.cast(x, "float32")
        mean = ops.mean(x32, axis=(1, 2), keepdims=True)
        variance = ops.mean(ops.square(x32 - mean), axis=(1, 2), keepdims=True)
        normalized = (x32 - mean) * ops.rsqrt(variance + self.epsilon)
        w = ops.cast(style_weights, "float32")
        if len(w.shape) == 4:  # a weight vector per pixel: [B, H', W', N] -> [B, H, W, N]
            w = weights_on_grid(w, ops.shape(x)[1], ops.shape(x)[2])
        elif len(w.shape) != 2:
            raise ValueError(
                f"style weights of shape {tuple(w.shape)}: give [B, {self.num_styles}] (one "
                f"vector per image) or [B, H, W, {self.num_styles}] (one per pixel)"
            )
        gamma = ops.matmul(w, ops.cast(self.gamma, "float32"))  # [B, C] or [B, H, W, C]
        beta = ops.matmul(w, ops.cast(self.beta, "float32"))
        if len(w.shape) == 2:
            gamma, beta = gamma[:, None, None, :], beta[:, None, None, :]  # [B, 1, 1, C]
        return ops.cast(gamma * normalized + beta, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "num_styles": self.num_styles, "epsilon": self.epsilon}


def weights_on_grid(weights, height, width):
    """A per-pixel weight map [B, H', W', N] on a grid of ``height`` x ``width``: [B, H, W, N].

    Unchanged when it is already that size; by area (each cell the mean of the map's pixels it
    covers) when the map is at least as large on both axes, as ``stlib.masks.at_resolution``
    resamples masks; bilinear when it is smaller. Both keep each pixel's weights summing to
    what they summed to (one, for a convex map). The sizes may be tensors (any image size).
    """
    import tensorflow as tf  # tf.image.resize: Keras' resize has no area method on every backend

    size = ops.stack([height, width])
    current = ops.shape(weights)[1:3]

    def resized():
        larger = ops.logical_and(current[0] >= height, current[1] >= width)
        return ops.cond(
            larger,
            lambda: tf.image.resize(weights, size, method="area"),
            lambda: tf.image.resize(weights, size, method="bilinear"),
        )

    same = ops.logical_and(ops.equal(current[0], height), ops.equal(current[1], width))
    return ops.cond(same, lambda: weights, resized)


@keras.saving.register_keras_serializable(package=PACKAGE)
class ReflectConv(keras.layers.Layer):
    """Reflect padding by ``kernel_size // 2`` on each side, then a valid convolution, no bias.

    [B, H, W, C_in] -> [B, ceil(H / stride), ceil(W / stride), filters] for odd kernels. Reflect
    padding keeps the borders free of the dark frame that zero padding paints; the bias is left
    out because the normalisation that follows removes it (Magenta's slim arg_scope does the same).
    """

    def __init__(self, filters: int, kernel_size: int, strides: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.strides = int(strides)
        self.conv = keras.layers.Conv2D(
            self.filters,
            self.kernel_size,
            strides=self.strides,
            padding="valid",
            use_bias=False,
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.01),
            name="conv",
            dtype=self.dtype_policy,
        )

    def build(self, input_shape):
        pad = self.kernel_size // 2
        shape = list(input_shape)
        for axis in (1, 2):
            shape[axis] = None if shape[axis] is None else shape[axis] + 2 * pad
        self.conv.build(tuple(shape))

    def call(self, x):
        pad = self.kernel_size // 2
        padded = ops.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="reflect")
        return self.conv(padded)

    @property
    def kernel(self):
        """The convolution kernel, [k, k, C_in, filters]."""
        return self.conv.kernel

    def compute_output_shape(self, input_shape):
        pad = self.kernel_size // 2
        shape = list(input_shape)
        for axis in (1, 2):
            if shape[axis] is not None:
                shape[axis] = (shape[axis] + 2 * pad - self.kernel_size) // self.strides + 1
        shape[-1] = self.filters
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
        }


@keras.saving.register_keras_serializable(package=PACKAGE)
class NearestUpsample(keras.layers.Layer):
    """Nearest-neighbour upsampling by an integer factor: [B, H, W, C] -> [B, fH, fW, C].

    Upsample-then-convolve instead of a transposed convolution avoids checkerboard artefacts
    (Odena, Dumoulin, Olah, Distill 2016); Magenta's transformer does the same.
    """

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        return ops.repeat(ops.repeat(x, self.factor, axis=1), self.factor, axis=2)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis in (1, 2):
            if shape[axis] is not None:
                shape[axis] *= self.factor
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
