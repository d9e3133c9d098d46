"""The TF Hub backend, offline: a tiny SavedModel with the real model's signature, placed in a
temporary TFHUB_CACHE_DIR under the sha1 of the handle, loaded by hub.load as the real one would be.
Also: which backend "auto" picks, and a clear message without tensorflow-hub."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import tensorflow as tf
from arbitrary_test_images import smooth_photo

from stlib import arbitrary
from stlib.arbitrary import hub


class FakeStylization(tf.Module):
    """m(content, style) -> [pastiche]: half the photo, half the style's mean colour.

    The same call as the real model: two float32 [B, H, W, 3] images of any size in, a list of one
    image of the content's size out.
    """

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, None, 3], tf.float32),
            tf.TensorSpec([None, None, None, 3], tf.float32),
        ]
    )
    def __call__(self, content, style):
        return [0.5 * content + 0.5 * tf.reduce_mean(style, axis=[1, 2], keepdims=True)]


def fake_expected(content: np.ndarray, style: np.ndarray) -> np.ndarray:
    return 0.5 * content + 0.5 * style.mean(axis=(1, 2), keepdims=True)


@pytest.fixture
def fake_hub_cache(tmp_path, monkeypatch):
    """A TFHUB_CACHE_DIR holding the fake model where hub.load looks for the real one."""
    pytest.importorskip("tensorflow_hub")
    cache = tmp_path / "tfhub"
    folder = cache / hashlib.sha1(hub.HANDLE.encode()).hexdigest()
    tf.saved_model.save(FakeStylization(), str(folder))
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    monkeypatch.delenv("TFHUB_MODEL_LOAD_FORMAT", raising=False)  # UNCOMPRESSED would go online
    monkeypatch.setattr(hub, "is_reachable", _no_network)
    return folder


def _no_network(*args, **kwargs):
    raise AssertionError("a test must not go to the network")


def test_the_handle_is_the_papers_model_and_its_cache_folder():
    assert hub.HANDLE == "https://tfhub.dev/google/magenta/arbitrary-image-stylization-v1-256/2"
    # MODELS.md: the folder hub.load reads for this handle.
    assert hub.cached_path().name == "f843094219bf78a99e8ea6c8d71f1bc74f07101a"


def test_the_fake_model_loads_through_the_hub_backend(fake_hub_cache):
    assert hub.cached_path() == fake_hub_cache and hub.is_cached()
    stylizer = arbitrary.load("hub")
    assert isinstance(stylizer, hub.HubStylizer) and arbitrary.load("hub") is stylizer
    content, style = smooth_photo(61, 90, seed=1), smooth_photo(200, 300, seed=2)
    painted = stylizer.stylize(content, style.numpy())
    square = arbitrary.inputs.square(style, 256).numpy()  # what the style network is given
    np.testing.assert_allclose(painted.numpy(), fake_expected(content.numpy(), square), atol=1e-5)
    assert painted.shape == (1, 61, 90, 3)


def test_hub_strength_and_mixing_blend_pixels(fake_hub_cache):
    stylizer = arbitrary.load("hub")
    content = smooth_photo(64, 64, seed=3)
    styles = [np.full((256, 256, 3), 0.9, np.float32), np.full((256, 256, 3), 0.1, np.float32)]
    one, two = (fake_expected(content.numpy(), s[None]) for s in styles)
    mixed = stylizer.stylize(content, styles, mix=(3, 1), strength=0.4)
    expected = 0.6 * content.numpy() + 0.4 * (0.75 * one + 0.25 * two)
    np.testing.assert_allclose(mixed.numpy(), expected, atol=1e-5)
    # Strength 0 is the photo itself: pixel blending cannot redraw it.
    np.testing.assert_array_equal(stylizer.stylize(content, styles[0], strength=0).numpy(), content)


def test_hub_has_no_embeddings(fake_hub_cache):
    stylizer = arbitrary.load("hub")
    with pytest.raises(arbitrary.EmbeddingsUnavailableError, match="load\\('tflite'\\)"):
        stylizer.embed(np.zeros((256, 256, 3), np.float32))
    with pytest.raises(arbitrary.EmbeddingsUnavailableError, match="m\\(content, style\\)"):
        stylizer.transform(smooth_photo(40, 40), np.zeros(100))


def test_auto_uses_hub_when_it_is_cached(fake_hub_cache, tflite_models):
    assert arbitrary.resolve_backend("auto") == "hub"
    assert isinstance(arbitrary.load("auto"), hub.HubStylizer)
    # A TFLite transformer asks for the TFLite backend.
    assert arbitrary.load("auto", "int8").backend == "tflite"


def test_auto_uses_tflite_when_hub_is_neither_cached_nor_reachable(
    tmp_path, monkeypatch, tflite_models
):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(hub, "is_reachable", lambda *a, **k: False)
    assert arbitrary.resolve_backend("auto") == "tflite"
    assert isinstance(arbitrary.load("auto"), arbitrary.TFLiteStylizer)


def test_auto_falls_back_to_tflite_when_hub_fails_to_load(tmp_path, monkeypatch, tflite_models):
    pytest.importorskip("tensorflow_hub")
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(hub, "is_reachable", lambda *a, **k: True)  # "reachable", then it fails

    def broken(handle):
        raise OSError("the connection dropped")

    monkeypatch.setattr(hub.HubStylizer, "__init__", lambda self, handle=hub.HANDLE: broken(handle))
    with pytest.warns(RuntimeWarning, match=r"the connection dropped\); using the TFLite backend"):
        stylizer = arbitrary.load("auto")
    assert stylizer.backend == "tflite"


def test_without_tensorflow_hub_the_message_says_how_to_install_it(monkeypatch, tflite_models):
    monkeypatch.setattr(hub, "installed", lambda: False)
    arbitrary.clear_cache()
    with pytest.raises(arbitrary.HubUnavailableError, match=r"pip install 'stlib\[hub\]'"):
        arbitrary.load("hub")
    assert arbitrary.load("auto").backend == "tflite"  # auto never needs it


def test_reachability_is_bounded_in_time(monkeypatch):
    import time
    import urllib.request

    def hang(*args, **kwargs):
        time.sleep(5)

    monkeypatch.setattr(urllib.request, "urlopen", hang)
    start = time.perf_counter()
    assert hub.is_reachable(timeout=0.2) is False
    assert time.perf_counter() - start < 1.0
