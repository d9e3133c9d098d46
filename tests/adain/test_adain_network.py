"""The encoder, the decoder's layout and sizes, and the saved file (decoder only)."""

from __future__ import annotations

import json
import zipfile

import keras
import numpy as np
import pytest
from adain_test_helpers import image, tiny_network

from stlib.adain.model_file import ModelFileError
from stlib.adain.network import (
    ENCODER,
    AdaINDecoder,
    AdaINNetwork,
    ReflectConv2D,
    pad_to_grid,
)
from stlib.adain.spec import TINY


def test_the_decoder_mirrors_the_encoder(random_network):
    stages = random_network.decoder.stages
    convs = [s for s in stages if isinstance(s, ReflectConv2D)]
    ups = [s for s in stages if isinstance(s, keras.layers.UpSampling2D)]
    assert len(convs) == 9 and len(ups) == 3
    assert all(u.interpolation == "nearest" and tuple(u.size) == (2, 2) for u in ups)
    assert [c.relu for c in convs] == [True] * 8 + [False]
    assert [c.filters for c in convs] == [16, 16, 16, 16, 8, 8, 8, 8, 3]
    assert [type(s).__name__ for s in stages[:2]] == ["ReflectConv2D", "UpSampling2D"]
    names = {type(layer).__name__ for layer in random_network.decoder._flatten_layers()}
    assert not any("Normalization" in name for name in names)


def test_reflect_padding_is_used():
    layer = ReflectConv2D(1, relu=False)
    layer.build((1, 3, 3, 1))
    kernel = np.zeros((3, 3, 1, 1), np.float32)
    kernel[0, 1] = 1.0  # each output is the pixel above it
    layer.conv.kernel.assign(kernel)
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    out = np.asarray(layer(x))[0, :, :, 0]
    np.testing.assert_array_equal(out[0], x[0, 1, :, 0])  # above row 0 is row 1 (reflection)
    np.testing.assert_array_equal(out[1:], x[0, :2, :, 0])


def test_the_decoder_paints_eight_times_the_grid(random_network):
    out = random_network.decode(np.ones((2, 3, 5, 512), np.float32))
    assert out.shape == (2, 24, 40, 3)


@pytest.mark.parametrize("height, width", [(32, 32), (33, 45), (37, 61), (64, 40)])
def test_the_pastiche_has_the_photo_size(random_network, height, width):
    photo = image(height, width, 0)
    features = random_network.decoder_input(photo, image(40, 40, 1))
    assert features.shape == (1, -(-height // 8), -(-width // 8), 512)
    pastiche = random_network.stylize(photo, image(40, 40, 1))
    assert pastiche.shape == (1, height, width, 3)
    assert float(np.min(pastiche)) >= 0.0 and float(np.max(pastiche)) <= 1.0


def test_pad_to_grid_reflects_and_keeps_the_photo():
    photo = image(33, 45, 2)
    padded = pad_to_grid(photo).numpy()
    assert padded.shape == (1, 40, 48, 3)
    np.testing.assert_array_equal(padded[:, :33, :45], photo)
    np.testing.assert_array_equal(padded[:, 33, :45], photo[:, 31])  # reflection, not an edge copy
    assert pad_to_grid(image(32, 40, 0)).shape == (1, 32, 40, 3)


def test_the_encoder_is_the_normalised_vgg_and_frozen(random_network):
    assert random_network.encoder.scales  # normalised: per-filter factors applied
    assert random_network.encoder.pooling == "max"
    assert not random_network.encoder.model.trainable_weights
    shapes = {k: tuple(v.shape) for k, v in random_network.encode(image(64, 48, 0)).items()}
    assert shapes == {
        "relu1_1": (1, 64, 48, 64),
        "relu2_1": (1, 32, 24, 128),
        "relu3_1": (1, 16, 12, 256),
        "relu4_1": (1, 8, 6, 512),
    }


def test_save_and_load_give_identical_outputs(random_network, tmp_path):
    path = random_network.save(tmp_path / "sub" / "adain.keras")
    loaded = AdaINNetwork.load(path, vgg_weights=None)
    assert isinstance(loaded.decoder, AdaINDecoder) and loaded.spec == TINY
    features = np.random.default_rng(0).standard_normal((1, 4, 5, 512)).astype(np.float32)
    np.testing.assert_array_equal(loaded.decode(features), random_network.decode(features))
    photo, painting = image(40, 48, 0), image(32, 32, 1)
    np.testing.assert_array_equal(
        loaded.decoder_input(photo, painting), random_network.decoder_input(photo, painting)
    )
    with zipfile.ZipFile(path) as archive:  # the decoder only: the VGG19 is rebuilt
        config = json.loads(archive.read("config.json"))
        weights_size = archive.getinfo("model.weights.h5").file_size
    assert config["registered_name"] == "stlib.adain>AdaINDecoder"
    assert config["config"]["encoder"] == ENCODER
    decoder_bytes = sum(int(np.prod(w.shape)) * 4 for w in random_network.decoder.weights)
    assert weights_size < 2 * decoder_bytes + 100_000


def test_another_network_is_a_fresh_decoder():
    a, b = tiny_network(None, seed=0), tiny_network(None, seed=5)
    features = np.ones((1, 2, 2, 512), np.float32)
    assert not np.array_equal(a.decode(features), b.decode(features))


def test_bad_model_files_are_refused_naming_the_path(tmp_path, random_network):
    missing = tmp_path / "missing.keras"
    with pytest.raises(ModelFileError, match="missing.keras.*no such file.*stlib adain-train"):
        AdaINNetwork.load(missing, vgg_weights=None)
    notes = tmp_path / "notes.keras"
    notes.write_text("not a model")
    with pytest.raises(ModelFileError, match="notes.keras.*not a Keras .keras file"):
        AdaINNetwork.load(notes, vgg_weights=None)
    other = tmp_path / "other.keras"
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(other)
    with pytest.raises(ModelFileError, match="holds a Sequential, not a stlib AdaIN decoder"):
        AdaINNetwork.load(other, vgg_weights=None)
    with pytest.raises(ModelFileError, match=r"model=.*\.h5.*expected a .keras file"):
        AdaINNetwork.load(tmp_path / "decoder.h5", vgg_weights=None)


def test_a_decoder_for_another_encoder_is_refused(tmp_path):
    decoder = AdaINDecoder(TINY, encoder={**ENCODER, "normalized": False})
    decoder.save(tmp_path / "plain.keras")
    with pytest.raises(ModelFileError, match="was trained for the encoder"):
        AdaINNetwork.load(tmp_path / "plain.keras", vgg_weights=None)
