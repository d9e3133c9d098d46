"""VGG19 feature extraction: preprocessing, layer names, truncation, pooling, real weights."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from stlib import vgg


def test_preprocess_equals_keras_preprocess_input():
    images = np.random.default_rng(0).random((2, 8, 9, 3)).astype(np.float32)
    expected = keras.applications.vgg19.preprocess_input(images * 255.0)
    np.testing.assert_allclose(vgg.preprocess(tf.constant(images)).numpy(), expected, atol=1e-4)


@pytest.mark.parametrize(
    "alias, name",
    [
        ("relu1_1", "block1_conv1"),
        ("conv4_2", "block4_conv2"),
        ("relu5_4", "block5_conv4"),
        ("pool3", "block3_pool"),
        ("block2_conv2", "block2_conv2"),
    ],
)
def test_layer_aliases(alias, name):
    assert vgg.canonical_layer(alias) == name


@pytest.mark.parametrize("bad", ["conv9_9", "relu2_3", "block6_conv1", "fc7", ""])
def test_unknown_layer_names_list_the_choices(bad):
    with pytest.raises(
        ValueError,
        match=rf"unknown layer '{bad}'( \(did you mean '\w+'\?\))?; "
        r"choose from block1_conv1, block1_conv2, .*block5_pool",
    ):
        vgg.canonical_layer(bad)


def test_layer_table_has_the_vgg19_shapes():
    assert len(vgg.CONV_LAYERS) == 16 and len(vgg.LAYERS) == 21
    assert vgg.layer_table(["relu3_1", "block5_pool"]) == [
        ("relu3_1", "block3_conv1", 256, 4),
        ("block5_pool", "block5_pool", 512, 32),
    ]


@pytest.mark.parametrize(
    "layers, depth",
    [(["relu1_1"], 1), (["relu3_1", "relu1_2"], 5), (["block5_conv2", "relu1_1"], 14)],
)
def test_truncated_after_the_deepest_layer(layers, depth):
    features = vgg.VGGFeatures(layers, weights=None)
    assert features.depth == depth
    assert features.model.layers[-1].name.startswith(
        vgg.canonical_layer(max(layers, key=lambda n: vgg.LAYERS.index(vgg.canonical_layer(n))))
    )


def test_output_shapes_and_keys_follow_the_names_asked():
    features = vgg.VGGFeatures(["relu4_2", "block1_conv1", "pool2"], weights=None)
    maps = features(tf.zeros((2, 64, 96, 3)))
    assert set(maps) == {"relu4_2", "block1_conv1", "pool2"}
    assert maps["relu4_2"].shape == (2, 8, 12, 512)
    assert maps["block1_conv1"].shape == (2, 64, 96, 64)
    assert maps["pool2"].shape == (2, 16, 24, 128)


def test_average_pooling_replaces_max_pooling():
    image = tf.random.stateless_uniform((1, 32, 32, 3), seed=(1, 2))
    max_features = vgg.VGGFeatures(["relu2_1"], pooling="max", weights=None)
    avg_features = vgg.VGGFeatures(["relu2_1"], pooling="avg", weights=None)
    kinds = {type(layer).__name__ for layer in avg_features.model.layers}
    assert "AveragePooling2D" in kinds and "MaxPooling2D" not in kinds
    # The convolutions are the same layers; only the pooling differs, by hand:
    block1 = vgg.VGGFeatures(["relu1_2"], weights=None)(image)["relu1_2"]
    conv = avg_features.model.get_layer("block2_conv1")
    expected = conv(tf.nn.avg_pool2d(block1, 2, 2, "VALID"))
    np.testing.assert_allclose(
        avg_features(image)["relu2_1"].numpy(), expected.numpy(), rtol=1e-5, atol=1e-5
    )
    assert not np.allclose(max_features(image)["relu2_1"].numpy(), expected.numpy())


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown pooling 'mean'"):
        vgg.VGGFeatures(["relu1_1"], pooling="mean", weights=None)
    with pytest.raises(ValueError, match="at least one layer"):
        vgg.VGGFeatures([], weights=None)
    with pytest.raises(FileNotFoundError, match="nowhere.h5"):
        vgg.VGGFeatures(["relu1_1"], weights="nowhere.h5")
    with pytest.raises(
        ValueError, match="unknown precision 'float16'; choose from 'float32', 'bfloat16'"
    ):
        vgg.VGGFeatures(["relu1_1"], weights=None, precision="float16")


@pytest.mark.weights
def test_real_weights_match_keras_vgg19(vgg_weights):
    features = vgg.VGGFeatures(["relu1_1", "relu4_2"], weights="imagenet")
    kernel = features.model.get_layer("block1_conv1").kernel.numpy()
    # Sum of the pretrained block1_conv1 kernel, as recorded in shared/models/MODELS.md.
    assert kernel.sum() == pytest.approx(-3.541186, abs=1e-4)
    reference = keras.applications.VGG19(include_top=False, weights=str(vgg_weights))
    probe = keras.Model(reference.input, reference.get_layer("block4_conv2").output)
    image = tf.random.stateless_uniform((1, 64, 80, 3), seed=(3, 4))
    expected = probe(keras.applications.vgg19.preprocess_input(image.numpy() * 255.0))
    np.testing.assert_allclose(
        features(image)["relu4_2"].numpy(), expected.numpy(), rtol=1e-4, atol=1e-3
    )


def test_receptive_fields_follow_the_recurrence():
    fields = vgg.receptive_fields()
    # Worked by hand: conv1_1 sees 3 px, conv1_2 5, pool1 6 (jump 2), conv2_1 10, conv2_2 14,
    # pool2 16.
    assert [fields[n] for n in ("block1_conv1", "block1_conv2", "block1_pool", "block2_conv1")] == [
        (3, 1),
        (5, 1),
        (6, 2),
        (10, 2),
    ]
    assert fields["block2_pool"] == (16, 4)
    assert fields["block5_conv4"] == (252, 16) and fields["block5_pool"] == (268, 32)


def test_forward_flops_counts_each_convolution():
    flops = vgg.forward_flops(224, 224)
    assert flops["block1_conv1"] == 2 * 9 * 3 * 64 * 224 * 224
    assert flops["block3_conv1"] == 2 * 9 * 128 * 256 * 56 * 56
    assert len(flops) == 16
    # The well-known figure: VGG19's convolutions are about 19.5 G multiply-adds at 224 px,
    # i.e. 39 GFLOPs.
    assert sum(flops.values()) / 1e9 == pytest.approx(39.0, rel=0.01)
    assert list(vgg.forward_flops(64, 64, "relu2_1")) == [
        "block1_conv1",
        "block1_conv2",
        "block2_conv1",
    ]


@pytest.mark.weights
def test_bfloat16_features_are_float32_maps_within_bfloat16_rounding(vgg_weights):
    layers = ["relu1_1", "relu3_1", "relu5_2"]
    exact = vgg.VGGFeatures(layers, weights="imagenet")
    fast = vgg.VGGFeatures(layers, weights="imagenet", precision="bfloat16")
    convolutions = [layer for layer in fast.model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convolutions) == 14 and all(
        c.dtype_policy.compute_dtype == "bfloat16" for c in convolutions
    )
    assert (
        exact.model.get_layer("block1_conv1").dtype_policy.compute_dtype == "float32"
    )  # the shared base is untouched
    image = tf.random.stateless_uniform((1, 64, 80, 3), seed=(5, 6))
    for name in layers:
        a, b = exact(image)[name], fast(image)[name]
        assert b.dtype == tf.float32 and b.shape == a.shape
        relative = float(tf.norm(a - b) / tf.norm(a))
        # bfloat16 keeps 8 significant bits (relative rounding 2**-9 = 0.2 %), compounded over
        # layers; a result identical to float32 would mean the copy does not compute in bfloat16
        # at all.
        assert 1e-4 < relative < 0.03, (name, relative)
