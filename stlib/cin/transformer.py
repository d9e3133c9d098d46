"""The multi-style transformer network of Dumoulin et al. (2017), as a Keras 3 model.

Photo [B, H, W, 3] in [0, 1] and style weights [B, N] (or a map of them, [B, H', W', N]) in,
pastiche [B, H, W, 3] in [0, 1] out:

    contract   9x9/1 -> c1, 3x3/2 -> c2, 3x3/2 -> c3            (ReLU)
    residual   R blocks: x + CIN(conv3x3(ReLU(CIN(conv3x3(x)))))  (width c3)
    expand     nearest x2, 3x3 -> e1; nearest x2, 3x3 -> e2      (ReLU)
               9x9 -> 3, sigmoid

Every convolution is reflect-padded (:class:`~stlib.cin.layers.ReflectConv`) and followed by
conditional instance normalisation, so a style is nothing but the 2 x (sum of all widths) numbers
of its ``gamma`` and ``beta`` rows. :data:`MAGENTA` is the published network (c = 32, 64, 128; five
residual blocks; e = 64, 32: 3,206 numbers per style); :data:`SLIM26` is the slimmer variant of
TensorFlow's Android demo, whose 26 pretrained styles :mod:`stlib.cin.magenta26` imports.

The two stride-2 convolutions make the inner size ceil(ceil(H / 2) / 2); after two x2 upsamplings
the network paints up to three rows or columns more than it was given, and the model crops them,
so the pastiche always has the photo's size.
"""

from __future__ import annotations

from dataclasses import asdict

import keras
from keras import ops

from stlib.cin.layers import PACKAGE, ConditionalInstanceNorm, NearestUpsample, ReflectConv
from stlib.cin.spec import MAGENTA, SLIM26, SPECS, TransformerSpec

__all__ = ["MAGENTA", "SLIM26", "SPECS", "MultiStyleTransformer", "TransformerSpec"]


@keras.saving.register_keras_serializable(package=PACKAGE)
class MultiStyleTransformer(keras.Model):
    """One network, ``num_styles`` styles. Call with ``[images, style_weights]``.

    images: [B, H, W, 3] float in [0, 1], any H, W >= 4 (reflect padding needs more rows than
    it pads); style_weights: [B, N], one-hot for one style, any weights to mix (see
    :func:`stlib.cin.mixing.style_weights`), or a map [B, H', W', N] of such vectors, one per
    pixel at any resolution (spatial mixing: every CIN layer resizes it to its own grid, see
    :mod:`stlib.cin.layers`). Returns [B, H, W, 3] in [0, 1].

    ``style_names`` (optional, N strings) travels with the saved ``.keras`` file.
    """

    def __init__(
        self,
        num_styles: int,
        spec: TransformerSpec | dict = MAGENTA,
        style_names: list[str] | tuple[str, ...] | None = None,
        epsilon: float = 1e-5,
        **kwargs,
    ):
        super().__init__(**kwargs)
        spec = TransformerSpec(**spec) if isinstance(spec, dict) else spec
        self.num_styles = int(num_styles)
        self.spec = spec
        self.epsilon = float(epsilon)
        names = list(style_names) if style_names is not None else []
        if names and len(names) != self.num_styles:
            raise ValueError(f"{len(names)} style names for {self.num_styles} styles")
        self.style_names = names or [f"style {k}" for k in range(self.num_styles)]

        def conv_norm(name, filters, kernel, strides=1):
            conv = ReflectConv(filters, kernel, strides, name=name)
            norm = ConditionalInstanceNorm(self.num_styles, self.epsilon, name=f"{name}_norm")
            return conv, norm

        c1, c2, c3 = spec.contract
        self.contract = [
            conv_norm("contract_conv1", c1, 9),
            conv_norm("contract_conv2", c2, 3, 2),
            conv_norm("contract_conv3", c3, 3, 2),
        ]
        self.residual = [
            (conv_norm(f"residual{b}_conv1", c3, 3), conv_norm(f"residual{b}_conv2", c3, 3))
            for b in range(1, spec.residual_blocks + 1)
        ]
        e1, e2 = spec.expand
        self.upsample = NearestUpsample(2, name="upsample")
        self.expand = [
            conv_norm("expand_conv1", e1, 3),
            conv_norm("expand_conv2", e2, 3),
            conv_norm("expand_conv3", 3, 9),
        ]
        self.build(None)  # weights exist at once: to import, to copy, to save before a call

    def build(self, input_shape):
        image_shape = (None, None, None, 3)
        weights_shape = (None, self.num_styles)
        self.call([keras.KerasTensor(image_shape), keras.KerasTensor(weights_shape)])
        self.built = True

    def call(self, inputs):
        images, style_weights = inputs
        height, width = ops.shape(images)[1], ops.shape(images)[2]
        x = ops.cast(images, self.compute_dtype)

        def apply(pair, x, relu=True):
            conv, norm = pair
            y = norm([conv(x), style_weights])
            return ops.relu(y) if relu else y

        for pair in self.contract:
            x = apply(pair, x)
        for first, second in self.residual:
            x = x + apply(second, apply(first, x), relu=False)
        x = apply(self.expand[0], self.upsample(x))
        x = apply(self.expand[1], self.upsample(x))
        x = apply(self.expand[2], x, relu=False)
        # The sigmoid in float32, so that mixed precision never rounds the picture itself.
        pastiche = ops.sigmoid(ops.cast(x, "float32"))
        return pastiche[:, :height, :width, :]

    def norm_layers(self) -> list[ConditionalInstanceNorm]:
        """Every CIN layer, in network order: these hold all that is style-specific."""
        return [
            layer for layer in self._flatten_layers() if isinstance(layer, ConditionalInstanceNorm)
        ]

    def get_config(self):
        return {
            **super().get_config(),
            "num_styles": self.num_styles,
            "spec": asdict(self.spec),
            "style_names": list(self.style_names),
            "epsilon": self.epsilon,
        }
