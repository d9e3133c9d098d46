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

All three layers are registered Keras serialisables, so a model saved as ``.keras`` loads back.
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["ConditionalInstanceNorm", "ReflectConv", "NearestUpsample"]

# The package name inside saved .keras files ("stlib.fast>ConditionalInstanceNorm", ...): kept
# from before the rename to stlib.cin so that every network trained since still loads.
PACKAGE = "stlib.fast"


@keras.saving.register_keras_serializable(package=PACKAGE)
class ConditionalInstanceNorm(keras.layers.Layer):
    """Instance normalisation with a scale and shift per style.

    Call with ``[x, style_weights]``: x [B, H, W, C], style_weights [B, N]; returns [B, H, W, C].
    Weights: ``gamma`` [N, C] (starts at 1) and ``beta`` [N, C] (starts at 0), 2C numbers per style.
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
        gamma = ops.matmul(w, ops.cast(self.gamma, "float32"))[:, None, None, :]  # [B, 1, 1, C]
        beta = ops.matmul(w, ops.cast(self.beta, "float32"))[:, None, None, :]
        return ops.cast(gamma * normalized + beta, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "num_styles": self.num_styles, "epsilon": self.epsilon}


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
