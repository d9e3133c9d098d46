"""The TFLite backend: embeddings as the predictor gives them, pastiches at exactly the photo's
size, in [0, 1], for every transformer; a quiet start."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import tensorflow as tf
from arbitrary_test_images import smooth_photo

from stlib.arbitrary import tflite


def _direct_interpreter(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    return interpreter


def test_embed_of_a_256_array_is_the_predictor_output(stylizer, tflite_models):
    rng = np.random.default_rng(3)
    style = rng.random((256, 256, 3), dtype=np.float32)
    interpreter = _direct_interpreter(tflite_models["style_predict_quantized_256.tflite"])
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], style[None])
    interpreter.invoke()
    expected = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    assert expected.shape == (1, 1, 1, 100)

    embedding = stylizer.embed(style)
    assert embedding.shape == (100,) and embedding.dtype == np.float32
    np.testing.assert_array_equal(embedding, expected.reshape(100))
    np.testing.assert_array_equal(stylizer.embed(style[None]), embedding)  # [1, 256, 256, 3] too


def test_other_styles_are_centre_cropped_and_resized(stylizer):
    rng = np.random.default_rng(4)
    square = rng.random((256, 256, 3), dtype=np.float32)
    wide = np.concatenate(
        [np.zeros((256, 100, 3), np.float32), square, np.ones((256, 100, 3), np.float32)], axis=1
    )
    # The centred square of the wide image is exactly `square`: the same embedding.
    np.testing.assert_array_equal(stylizer.embed(wide), stylizer.embed(square))
    # Another style size is another input to the predictor (it ends in a spatial mean).
    assert not np.allclose(stylizer.embed(square, style_size=128), stylizer.embed(square))


def test_two_paintings_have_different_embeddings(stylizer, samples_available):
    starry, scream = stylizer.embed("starry_night"), stylizer.embed("the_scream")
    assert np.all(np.isfinite(starry)) and np.linalg.norm(starry - scream) > 0.2 * np.linalg.norm(
        starry
    )


@pytest.mark.parametrize("transformer", ["dynamic", "int8", "float16"])
@pytest.mark.parametrize(("height", "width"), [(157, 211), (384, 384), (100, 450), (401, 389)])
def test_every_size_comes_back_exactly_in_range(tflite_models, transformer, height, width):
    from stlib import arbitrary

    stylizer = arbitrary.load("tflite", transformer)
    photo = smooth_photo(height, width, seed=height)
    painted = stylizer.transform(photo, stylizer.embed(smooth_photo(300, 300, seed=9)))
    assert painted.shape == (1, height, width, 3) and painted.dtype == tf.float32
    values = painted.numpy()
    assert values.min() >= 0.0 and values.max() <= 1.0
    assert np.abs(values - photo.numpy()).mean() > 0.02  # painted, not passed through


def test_the_dynamic_transformer_keeps_every_pixel_in_place(stylizer, tflite_models):
    # An odd size is padded by reflection to a multiple of 4 and cropped back: the result is the
    # top-left corner of the padded image painted directly, so pixel (y, x) stays at (y, x).
    photo = smooth_photo(157, 211, seed=5).numpy()
    embedding = stylizer.embed(smooth_photo(256, 256, seed=6))
    padded = np.pad(photo[0], ((0, 3), (0, 1), (0, 0)), mode="reflect")[None]
    interpreter = _direct_interpreter(tflite_models["style_transfer_quantized_dynamic.tflite"])
    details = sorted(interpreter.get_input_details(), key=lambda d: d["shape"][-1] != 3)
    interpreter.resize_tensor_input(details[0]["index"], padded.shape, strict=False)
    interpreter.allocate_tensors()
    interpreter.set_tensor(details[0]["index"], padded)
    interpreter.set_tensor(details[1]["index"], embedding.reshape(1, 1, 1, 100))
    interpreter.invoke()
    direct = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    assert direct.shape == (1, 160, 212, 3)
    np.testing.assert_allclose(
        stylizer.transform(photo, embedding).numpy(), direct[:, :157, :211], atol=1e-6
    )


def test_a_bad_embedding_is_refused_with_the_shape():
    with pytest.raises(ValueError, match=r"embedding has shape \(3,\).*expected 100 numbers"):
        tflite.as_embedding([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        tflite.as_embedding(np.full(100, np.nan))
    assert tflite.as_embedding(np.zeros((1, 100))).shape == (1, 1, 1, 100)
    assert tflite.as_embedding(tf.zeros(100)).dtype == np.float32


def test_the_interpreter_starts_quietly(tflite_models):
    # In a fresh process: the runtime announces its CPU delegate only once per process.
    probe = (
        "import sys, warnings\n"
        "warnings.simplefilter('always')\n"
        "from stlib.startup import start_tensorflow\n"
        "start_tensorflow()\n"
        "import numpy as np\n"
        "from stlib.arbitrary import tflite\n"
        "model = tflite.TFLiteModel(sys.argv[1])\n"
        "model.run(np.zeros((1, 64, 64, 3), np.float32), np.zeros((1, 1, 1, 100), np.float32))\n"
        "print(model.input_shapes)\n"
    )
    path = str(tflite_models["style_transfer_quantized_dynamic.tflite"])
    out = subprocess.run(
        [sys.executable, "-c", probe, path], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[(1, 384, 384, 3), (1, 1, 1, 100)]"
    # Neither tf.lite.Interpreter's deprecation warning nor the C++ "XNNPACK delegate" line.
    assert out.stderr == "", out.stderr


def test_it_uses_every_core_it_may():
    _, runtime = tflite.interpreter_class()
    assert runtime in ("ai_edge_litert", "tf.lite")
    assert 1 <= tflite.thread_count() <= (__import__("os").cpu_count() or 1)
