"""The pretrained 26-style network: its file, its dequantised weights, and the Keras model built
from them, checked against an independent float evaluation and against the frozen graph itself.

The frozen graph quantises every activation to 8 bits at run time, so the float model differs
from it by texture-level noise (stlib.cin.magenta26 says why). The bounds below are a little
above what was measured on the 96x128 Tuebingen photo (the numbers in the comments); each
comparison has a control (a wrong padding, style, mix or colour order) that lands far outside
its bound, so the test can fail. Downloads go to a server on this machine, never to the internet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from stlib import data
from stlib.cin import magenta26
from stlib.cin.transformer import SLIM26, MultiStyleTransformer

EYE = np.eye(26, dtype=np.float32)


def mix(*styles: int) -> np.ndarray:
    """The equal mix of ``styles``, [26]."""
    return EYE[list(styles)].mean(axis=0)


@pytest.fixture(scope="module")
def photo(samples_available) -> np.ndarray:
    """Tuebingen, [1, 96, 128, 3] in [0, 1]."""
    return data.load("tuebingen", max_side=128).numpy()


@pytest.fixture(scope="module")
def weights(magenta26_path) -> dict[str, np.ndarray]:
    return magenta26.read_weights(magenta26_path)


@pytest.fixture(scope="module")
def model(magenta26_path) -> MultiStyleTransformer:
    return magenta26.load_magenta26(magenta26_path)


def keras_output(model, photo, style_weights) -> np.ndarray:
    return np.asarray(model([photo, style_weights[None, :]]))


def graph_output(photo, style_weights) -> np.ndarray:
    return magenta26.run_frozen_graph(photo, style_weights)


def float_network(weights, photo, style_weights, padding="REFLECT") -> np.ndarray:
    """The SLIM26 network written out with plain tf.nn ops, from read_weights' dict alone:
    [1, H, W, 3] -> [1, H, W, 3]. ``padding`` "CONSTANT" is the zero-padding control."""
    w = tf.constant(style_weights[None, :], tf.float32)  # [1, 26]

    def conv_norm(x, layer, stride=1, relu=True):
        kernel = weights[f"{layer}/kernel"]
        pad = kernel.shape[0] // 2
        x = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode=padding)
        y = tf.nn.conv2d(x, kernel, strides=stride, padding="VALID")
        mean, variance = tf.nn.moments(y, axes=[1, 2], keepdims=True)
        gamma = tf.matmul(w, weights[f"{layer}_norm/gamma"])[:, None, None, :]
        beta = tf.matmul(w, weights[f"{layer}_norm/beta"])[:, None, None, :]
        y = gamma * (y - mean) / tf.sqrt(variance + 1e-5) + beta
        return tf.nn.relu(y) if relu else y

    def upsample(x):
        size = tf.shape(x)[1:3] * 2
        return tf.image.resize(x, size, method="nearest")

    x = tf.constant(photo, tf.float32)
    x = conv_norm(x, "contract_conv1")
    x = conv_norm(x, "contract_conv2", stride=2)
    x = conv_norm(x, "contract_conv3", stride=2)
    for block in range(1, 7):
        h = conv_norm(x, f"residual{block}_conv1")
        x = x + conv_norm(h, f"residual{block}_conv2", relu=False)
    x = conv_norm(upsample(x), "expand_conv1")
    x = conv_norm(upsample(x), "expand_conv2")
    x = tf.sigmoid(conv_norm(x, "expand_conv3", relu=False))
    return x.numpy()[:, : photo.shape[1], : photo.shape[2], :]


def mean_abs(a, b) -> float:
    return float(np.abs(a - b).mean())


def channel_shift(a, b) -> float:
    """The largest per-channel mean difference: a colour cast, not texture noise."""
    return float(np.abs((a - b).mean(axis=(0, 1, 2))).max())


# ----------------------------------------------------------------------------- weights, model


def test_read_weights_names_every_layer_with_its_shape(weights):
    assert len(weights) == 3 * 18
    assert list(weights)[:3] == [
        "contract_conv1/kernel",
        "contract_conv1_norm/gamma",
        "contract_conv1_norm/beta",
    ]
    assert weights["contract_conv1/kernel"].shape == (9, 9, 3, 32)
    assert weights["contract_conv2/kernel"].shape == (3, 3, 32, 32)
    assert weights["residual6_conv2/kernel"].shape == (3, 3, 32, 32)
    assert weights["expand_conv1/kernel"].shape == (3, 3, 32, 8)
    assert weights["expand_conv2/kernel"].shape == (3, 3, 8, 4)
    assert weights["expand_conv3/kernel"].shape == (9, 9, 4, 3)
    widths = [weights[f"{layer}_norm/gamma"].shape[1] for layer in magenta26.GRAPH_SCOPES]
    assert widths == SLIM26.norm_widths
    assert all(a.dtype == np.float32 and np.isfinite(a).all() for a in weights.values())
    assert all(weights[f"{layer}_norm/beta"].shape[0] == 26 for layer in magenta26.GRAPH_SCOPES)


def test_read_weights_returns_copies(magenta26_path):
    first = magenta26.read_weights(magenta26_path)
    first["contract_conv1/kernel"][...] = 0
    assert np.abs(magenta26.read_weights(magenta26_path)["contract_conv1/kernel"]).max() > 0.1


def test_the_model_is_the_slim_network_with_26_named_styles(model, weights):
    assert isinstance(model, MultiStyleTransformer)
    assert model.num_styles == 26 and model.spec == SLIM26
    assert model.style_names[0] == "magenta-26 #0" and len(model.style_names) == 26
    assert SLIM26.numbers_per_style == 990
    np.testing.assert_array_equal(
        model.contract[0][0].kernel.numpy(), weights["contract_conv1/kernel"]
    )
    np.testing.assert_array_equal(
        model.expand[2][1].beta.numpy(), weights["expand_conv3_norm/beta"]
    )


@pytest.mark.parametrize("style", [0, (3, 19)], ids=["style 0", "mix 3+19"])
def test_the_keras_model_computes_the_independent_float_network(model, weights, photo, style):
    w = EYE[style] if isinstance(style, int) else mix(*style)
    expected = float_network(weights, photo, w)
    got = keras_output(model, photo, w)
    assert got.shape == expected.shape == photo.shape
    np.testing.assert_allclose(got, expected, atol=1e-4)  # measured max 7e-6


# ----------------------------------------------------------------------------- against the graph


def test_one_style_is_within_quantisation_noise_of_the_frozen_graph(model, weights, photo):
    graph = graph_output(photo, EYE[0])
    ours = keras_output(model, photo, EYE[0])
    noise = mean_abs(ours, graph)
    assert noise < 0.015  # measured 0.0094
    assert channel_shift(ours, graph) < 0.003  # measured 0.0003: no colour cast
    # Controls: zero padding, or any other style, is far outside that noise.
    zero_padded = float_network(weights, photo, EYE[0], padding="CONSTANT")
    assert mean_abs(zero_padded, graph) > 3 * noise  # measured 0.044
    others = [mean_abs(ours, graph_output(photo, EYE[s])) for s in range(1, 26)]
    assert min(others) > 5 * noise  # measured 0.079 (style 12)


def test_every_style_is_within_quantisation_noise_of_the_frozen_graph(model, photo):
    """The noise depends on the style: strongly textured styles (3, 19, 15) amplify it most."""
    noise = np.array(
        [
            mean_abs(keras_output(model, photo, EYE[s]), graph_output(photo, EYE[s]))
            for s in range(26)
        ]
    )
    assert np.median(noise) < 0.02  # measured 0.0136 (0.0145 at 256 px)
    assert noise.max() < 0.055  # measured 0.040 (style 3; 0.055 at 256 px)


def test_a_mix_is_within_quantisation_noise_of_the_frozen_graph(model, photo):
    """The graph also quantises the weight vector (0.5 becomes 128/255); the hardest pair."""
    w = mix(3, 19)
    graph = graph_output(photo, w)
    ours = keras_output(model, photo, w)
    noise = mean_abs(ours, graph)
    assert noise < 0.05  # measured 0.040 (0.053 at 256 px); the pair 0+14: 0.005
    assert channel_shift(ours, graph) < 0.005  # measured 0.0024
    # Controls: one of the two styles alone, or the mix in other proportions.
    assert mean_abs(ours, graph_output(photo, EYE[3])) > 3 * noise  # measured 0.177
    assert mean_abs(keras_output(model, photo, 0.8 * EYE[3] + 0.2 * EYE[19]), graph) > 2 * noise


def test_a_colour_cast_would_show(model, photo):
    """The control of the colour checks above. The last normalisation sets each output channel's
    mean from the style's beta, whatever the photo's colours, so a cast can only come from the
    network's weights or channel order: here the pastiche read as BGR."""
    graph = graph_output(photo, EYE[0])
    ours = keras_output(model, photo, EYE[0])
    assert channel_shift(ours[..., ::-1], graph) > 0.05  # measured 0.14


def test_the_output_keeps_a_size_not_divisible_by_4(model, photo):
    """The graph paints 68x52 for 67x50; both are cut back to the photo's size."""
    crop = np.ascontiguousarray(photo[:, 10:77, 30:80])
    ours = keras_output(model, crop, EYE[0])
    graph = graph_output(crop, EYE[0])
    assert ours.shape == graph.shape == (1, 67, 50, 3)
    assert mean_abs(ours, graph) < 0.015  # measured 0.0099
    # A smooth synthetic picture of that size too (flat pictures amplify the graph's noise).
    y, x = np.mgrid[0:67, 0:50] / 50.0
    smooth = np.stack([np.sin(2 * y) ** 2, np.cos(3 * x) ** 2, (x + y) / 2.4], axis=-1)
    assert keras_output(model, smooth[None].astype(np.float32), EYE[5]).shape == (1, 67, 50, 3)


def test_run_frozen_graph_names_a_bad_input(magenta26_path):
    with pytest.raises(ValueError, match=r"shape \(2, 8, 8, 3\).*one RGB image"):
        magenta26.run_frozen_graph(np.zeros((2, 8, 8, 3)), EYE[0])
    with pytest.raises(ValueError, match=r"style_weights of shape \(25,\): give 26 weights"):
        magenta26.run_frozen_graph(np.zeros((1, 8, 8, 3)), np.ones(25))


# ----------------------------------------------------------------------------- MIN_FIRST


def tf_dequantize(q: np.ndarray, lo: float, hi: float) -> np.ndarray:
    dtype = {np.uint8: tf.quint8, np.int8: tf.qint8}[q.dtype.type]
    return tf.raw_ops.Dequantize(
        input=tf.constant(q, dtype), min_range=lo, max_range=hi, mode="MIN_FIRST"
    ).numpy()


def test_min_first_dequantisation_is_tensorflows_bit_for_bit(magenta26_path):
    """Every kernel of the graph (18), and random integers over awkward ranges."""
    graph_def = tf.compat.v1.GraphDef.FromString(Path(magenta26_path).read_bytes())
    constants = {node.name: node for node in graph_def.node if node.op == "Const"}

    def constant(name):
        return tf.make_ndarray(constants[name].attr["value"].tensor)

    for scope in magenta26.GRAPH_SCOPES.values():
        q = constant(f"{scope}/weights_quint8_const").view(np.uint8)
        lo, hi = float(constant(f"{scope}/weights_min")), float(constant(f"{scope}/weights_max"))
        np.testing.assert_array_equal(
            magenta26.dequantize_min_first(q, lo, hi), tf_dequantize(q, lo, hi)
        )
    rng = np.random.default_rng(0)
    for lo, hi in [(-0.3, 0.7), (0.25, 3.0), (-5.0, -1.0), (-1e-3, 2e-3), (-1.7578119, 0.9851713)]:
        for dtype in (np.uint8, np.int8):
            info = np.iinfo(dtype)
            q = rng.integers(info.min, info.max, size=1000, endpoint=True).astype(dtype)
            np.testing.assert_array_equal(
                magenta26.dequantize_min_first(q, lo, hi), tf_dequantize(q, lo, hi)
            )
    q = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(magenta26.dequantize_min_first(q, 0.5, 0.5), np.full(256, 0.5))


def test_the_documented_formula_alone_is_not_what_tensorflow_computes():
    """The op's documentation leaves out the rounding of range_min to a whole step: a control
    that the exact test above would catch a plain ``min + q * scale``."""
    q = np.arange(256, dtype=np.uint8)
    lo, hi = -1.7578119, 0.9851713  # contract_conv2's range
    plain = np.float32(lo) + q.astype(np.float32) * np.float32((hi - lo) / 255)
    assert np.abs(plain - tf_dequantize(q, lo, hi)).max() > 1e-3  # measured 0.0045 (graph-wide)
    assert 0.0 in magenta26.dequantize_min_first(q, lo, hi)  # zero is one of the levels


def test_dequantisation_refuses_floats():
    with pytest.raises(TypeError, match="must be integers.*got float32"):
        magenta26.dequantize_min_first(np.zeros(3, np.float32), 0.0, 1.0)


# ----------------------------------------------------------------------------- the file


@pytest.fixture
def offline(tmp_path, monkeypatch) -> Path:
    """An empty STLIB_MODELS_DIR, an empty cache, and an official URL that refuses connections."""
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.setenv("STLIB_MODELS_DIR", str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    refused = dataclasses.replace(magenta26.FROZEN_GRAPH, url="http://127.0.0.1:9/stylize_v1.zip")
    monkeypatch.setattr(magenta26, "FROZEN_GRAPH", refused)  # the discard port: refused
    return folder


@pytest.fixture
def server(served_folder, tmp_path, monkeypatch):
    """A local HTTP server for a folder (tests/conftest.py); the zip's URL points at it. Yields
    the folder."""
    served, base_url = served_folder
    url = f"{base_url}stylize_v1.zip"
    monkeypatch.setattr(
        magenta26, "FROZEN_GRAPH", dataclasses.replace(magenta26.FROZEN_GRAPH, url=url)
    )
    monkeypatch.setenv("STLIB_MODELS_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return served


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_description_matches_the_published_file():
    graph = magenta26.FROZEN_GRAPH
    assert graph.relative_path == "tf_frozen/tensorflow-android-stylize/stylize_quantized.pb"
    assert (
        graph.url == "https://storage.googleapis.com/download.tensorflow.org/models/stylize_v1.zip"
    )
    assert graph.bytes == 563897 and len(graph.sha256) == 64


def test_the_offline_file_is_found_and_checked(magenta26_path):
    assert magenta26_path.name == "stylize_quantized.pb"
    assert hashlib.sha256(magenta26_path.read_bytes()).hexdigest() == magenta26.FROZEN_GRAPH.sha256


def test_missing_offline_is_one_clear_error(offline):
    with pytest.raises(magenta26.ModelNotFoundError) as caught:
        magenta26.frozen_graph_path()
    message = str(caught.value)
    url = "http://127.0.0.1:9/stylize_v1.zip"
    assert "stylize_quantized.pb not found" in message
    assert f"STLIB_MODELS_DIR={offline}: no tf_frozen/tensorflow-android-stylize/" in message
    assert f"download from {url} failed" in message
    assert "Fix: set STLIB_MODELS_DIR to a folder that holds" in message and url in message
    assert str(magenta26.cache_dir() / "stylize_quantized.pb") in message  # the cache
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert isinstance(caught.value, FileNotFoundError)


def test_download_false_does_not_try(offline):
    with pytest.raises(magenta26.ModelNotFoundError, match=r"not tried \(download=False\)"):
        magenta26.frozen_graph_path(download=False)


def test_a_wrong_local_file_is_refused_naming_the_url(offline):
    target = offline / magenta26.FROZEN_GRAPH.relative_path
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a graph")
    with pytest.raises(magenta26.ModelHashError) as caught:
        magenta26.frozen_graph_path()
    assert str(target) in str(caught.value) and "stylize_v1.zip" in str(caught.value)
    assert magenta26.FROZEN_GRAPH.sha256 in str(caught.value)


def test_a_missing_explicit_path_is_named(tmp_path):
    with pytest.raises(magenta26.ModelNotFoundError, match="nothing.pb'. no such file"):
        magenta26.read_weights(tmp_path / "nothing.pb")


def test_the_download_extracts_checks_and_caches_the_graph(magenta26_path, server):
    real = magenta26_path.read_bytes()
    (server / "stylize_v1.zip").write_bytes(
        zip_with({"LICENSE": b"Apache 2.0", "stylize/stylize_quantized.pb": real})
    )
    fetched = magenta26.frozen_graph_path()
    assert fetched == magenta26.cache_dir() / "stylize_quantized.pb"
    assert fetched.read_bytes() == real
    assert sorted(p.name for p in fetched.parent.iterdir()) == ["stylize_quantized.pb"]  # no zip
    (server / "stylize_v1.zip").unlink()  # the second call reads the cache
    assert magenta26.frozen_graph_path() == fetched


def test_a_download_with_the_wrong_graph_is_not_kept(server):
    (server / "stylize_v1.zip").write_bytes(zip_with({"stylize_quantized.pb": b"another file"}))
    with pytest.raises(magenta26.ModelNotFoundError, match="has sha256 .* expected 6753e2b"):
        magenta26.frozen_graph_path()
    folder = magenta26.cache_dir()
    assert not folder.exists() or list(folder.iterdir()) == []
