"""stlib.export: a network written as TFLite computes what Keras computes, at any size, for one
style and a mix; a file that does not is never left behind."""

from __future__ import annotations

import numpy as np
import pytest

from stlib import export, outputs
from stlib.validation import SettingError

OLD_BYTES = b"an earlier export"


def photo(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A smooth random picture, float32 [1, H, W, 3] in [0, 1]."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    waves = [np.sin(6 * x * rng.uniform(1, 3) + 4 * y * rng.uniform(1, 3) + c) for c in range(3)]
    return (0.5 + 0.4 * np.stack(waves, -1)[None]).astype(np.float32)


def style_vectors(count: int) -> dict[str, np.ndarray]:
    one_hot = np.eye(count, dtype=np.float32)[[1]]
    mix = np.zeros((1, count), np.float32)
    mix[0, [0, count - 1]] = [0.3, 0.7]
    return {"one-hot": one_hot, "mix": mix}


def assert_agrees(path, network, sizes, tolerance=1e-3):
    exported = export.ExportedModel(path)
    for height, width in sizes:
        image = photo(height, width, seed=height)
        for name, weights in style_vectors(network.num_styles).items():
            got = exported.run(image, weights)
            expected = network([image, weights]).numpy()
            assert got.shape == (1, height, width, 3), (height, width, name)
            difference = np.abs(got - expected)
            assert difference.mean() < tolerance, (height, width, name, difference.mean())
            assert difference.max() < 10 * tolerance, (height, width, name, difference.max())


def test_a_tiny_network_runs_as_tflite_at_any_size_for_one_style_and_a_mix(tiny_network, tmp_path):
    path = tmp_path / "tiny.tflite"
    report = export.export(tiny_network, path, check_on=photo(48, 64))
    assert report.path == path and path.stat().st_size == report.bytes
    assert report.mean_abs_difference < export.MAX_DIFFERENCE
    assert report.check_shape == (192, 256) and report.seconds > 0
    assert report.quantize is None and report.runtime in ("ai_edge_litert", "tf.lite")
    assert set(export.ExportedModel(path).input_names) == {"photo", "style_weights"}
    assert_agrees(path, tiny_network, [(37, 50), (64, 48)])  # odd sizes: the crop is exported


def test_export_leaves_the_keras_network_as_it_was(tiny_network, tmp_path):
    from stlib.cin.layers import NearestUpsample

    image, weights = photo(40, 48), style_vectors(4)["mix"]
    before = tiny_network([image, weights]).numpy()
    export.export(tiny_network, tmp_path / "again.tflite", check_on=image)
    upsamplers = [x for x in tiny_network._flatten_layers() if isinstance(x, NearestUpsample)]
    assert upsamplers and all("call" not in vars(layer) for layer in upsamplers)
    np.testing.assert_array_equal(tiny_network([image, weights]).numpy(), before)


def test_a_saved_network_file_is_exported_by_its_path(tiny_file, tiny_network, tmp_path):
    report = export.export(tiny_file, tmp_path / "from_file.tflite", check_on=photo(48, 64))
    assert_agrees(report.path, tiny_network, [(30, 40)])


def test_a_file_that_differs_from_keras_is_refused_and_nothing_is_left(
    tiny_network, tmp_path, monkeypatch
):
    path = tmp_path / "wrong.tflite"
    path.write_bytes(OLD_BYTES)
    original = export.ExportedModel.run

    def off_by_a_bit(self, *args, **kwargs):
        return original(self, *args, **kwargs) + 0.01

    monkeypatch.setattr(export.ExportedModel, "run", off_by_a_bit)
    with pytest.raises(export.ExportError, match=r"mean \|difference\| of 0\.01 .*nothing"):
        export.export(tiny_network, path, check_on=photo(48, 64))
    assert path.read_bytes() == OLD_BYTES  # the earlier file is as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wrong.tflite"]  # no temporary file
    fresh = tmp_path / "fresh.tflite"
    with pytest.raises(export.ExportError):
        export.export(tiny_network, fresh, check_on=photo(48, 64))
    assert not fresh.exists()


@pytest.mark.parametrize("quantize", export.QUANTIZE)
def test_quantized_files_are_smaller_and_their_difference_is_reported(
    tiny_network, tmp_path, quantize
):
    full = export.export(tiny_network, tmp_path / "full.tflite", check_on=photo(48, 64))
    small = export.export(
        tiny_network, tmp_path / f"{quantize}.tflite", quantize=quantize, check_on=photo(48, 64)
    )
    # Kernels under 1024 numbers stay float32 in int8-dynamic: the tiny network's may not shrink.
    assert small.quantize == quantize and small.bytes <= full.bytes
    assert 0 <= small.mean_abs_difference < 0.1
    assert_agrees(small.path, tiny_network, [(40, 56)], tolerance=0.05)


def test_formats_and_settings_are_refused_before_any_work(tmp_path):
    for name, message in [
        ("m.onnx", "tf2onnx"),
        ("m.pt", r"'\.pt' is not an export format; use \.tflite"),
        ("m", r"'\(none\)'"),
    ]:
        with pytest.raises(outputs.OutputPathError, match=message):
            export.export("not loaded", tmp_path / name)
    with pytest.raises(SettingError, match="quantize.*float16, int8-dynamic"):
        export.export("not loaded", tmp_path / "m.tflite", quantize="int4")
    assert list(tmp_path.iterdir()) == []


def test_the_model_file_itself_is_never_the_output(tiny_file):
    before = tiny_file.read_bytes()
    link = tiny_file.with_name("link.tflite")
    link.symlink_to(tiny_file)
    try:
        with pytest.raises(outputs.OutputPathError, match="same file as the input"):
            export.export(link, link)
    finally:
        link.unlink()
    assert tiny_file.read_bytes() == before


def test_the_magenta26_network_exports_and_agrees_with_keras(
    magenta26_available, samples_available, tmp_path, capsys
):
    from stlib.cin import api

    report = export.export("magenta-26", tmp_path / "magenta26.tflite")
    assert report.check_shape == (192, 256)  # tuebingen at 256 px
    assert report.mean_abs_difference < export.MAX_DIFFERENCE
    assert 0.3e6 < report.bytes < 3e6
    network = api.load("magenta-26")
    assert_agrees(report.path, network, [(192, 256), (101, 77)])
    for quantize in export.QUANTIZE:  # smaller, and still close (reported, not required)
        small = export.export("magenta-26", tmp_path / f"{quantize}.tflite", quantize=quantize)
        assert small.bytes < 0.7 * report.bytes, quantize
        assert report.mean_abs_difference < small.mean_abs_difference < 0.05, quantize
