"""stlib.cin.content: the training photos (a folder, the built-in set) and the seeded crops."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from stlib.cin import content


def _photo(path, height: int, width: int, seed: int = 0, color=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    if color is None:
        pixels = (np.random.default_rng(seed).random((height, width, 3)) * 255).astype(np.uint8)
    else:
        pixels = np.full((height, width, 3), color, np.uint8)
    Image.fromarray(pixels).save(path)
    return path


def test_photo_files_searches_sub_folders_and_skips_what_is_not_a_photo(tmp_path):
    _photo(tmp_path / "a.png", 40, 50)
    _photo(tmp_path / "sub" / "deeper" / "b.jpg", 60, 40)
    _photo(tmp_path / ".hidden.png", 40, 40)
    _photo(tmp_path / ".cache" / "c.png", 40, 40)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    found = content.photo_files(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.png", "sub/deeper/b.jpg"]
    names = [name for name, _ in content.folder_photos(tmp_path)]
    assert names == ["a.png", "sub/deeper/b.jpg"]


def test_a_folder_without_photos_is_refused_with_its_name(tmp_path):
    (tmp_path / "readme.txt").write_text("no photos here")
    with pytest.raises(content.ContentError, match="holds no image file") as error:
        content.photo_files(tmp_path)
    assert str(tmp_path) in str(error.value)
    with pytest.raises(content.ContentError, match="does not exist"):
        content.photo_files(tmp_path / "missing")


def test_the_built_in_photos_come_from_the_installed_packages():
    photos = dict(content.builtin_photos())
    try:
        import skimage  # noqa: F401
    except ImportError:
        pass
    else:
        assert "skimage:astronaut" in photos and "skimage:motorcycle_left" in photos
    try:
        import sklearn  # noqa: F401
    except ImportError:
        pass
    else:
        assert "sklearn:china" in photos
    first = next(iter(photos.values()))()
    assert first is not None
    assert (
        sum(name == "stlib:grace_hopper" for name in photos)
        + sum(name == "matplotlib:grace_hopper" for name in photos)
        == 1
    )  # one Grace Hopper, not two


def test_without_any_source_the_error_says_what_to_do(monkeypatch):
    for name in ("_sample_photos", "_skimage_photos", "_sklearn_photos", "_matplotlib_photos"):
        monkeypatch.setattr(content, name, lambda: [])
    with pytest.raises(content.ContentError, match="STLIB_DATA_DIR"):
        content.builtin_photos()


@pytest.fixture
def folder(tmp_path):
    _photo(tmp_path / "wide.png", 50, 90, seed=1)
    _photo(tmp_path / "tall.png", 120, 70, seed=2)
    _photo(tmp_path / "small.png", 20, 24, seed=3)  # smaller than a crop: enlarged
    return tmp_path


def test_crops_have_the_size_range_and_the_labels_asked_for(folder):
    stream = content.CropStream(content.folder_photos(folder), 32, 5, seed=3, num_styles=4)
    crops, labels = stream.batch_at(0)
    assert crops.shape == (5, 32, 32, 3) and crops.dtype == np.float32
    assert 0.0 <= crops.min() and crops.max() <= 1.0
    assert labels.dtype == np.int32 and set(labels) <= {0, 1, 2, 3}
    every = np.concatenate([stream.batch_at(k)[1] for k in range(40)])
    assert set(every) == {0, 1, 2, 3}
    assert stream.names == ["small.png", "tall.png", "wide.png"]
    assert stream.photo(2).shape[:2] == (48, 86)  # shorter side ceil(1.5 * 32)
    assert stream.photo(0).shape[:2] == (48, 58)  # enlarged
    assert content.CropStream(content.folder_photos(folder), 32, 2).batch_at(0)[1] is None


def test_fine_tuning_draws_only_the_new_style(folder):
    stream = content.CropStream(
        content.folder_photos(folder), 32, 4, seed=0, num_styles=3, styles=[2]
    )
    assert all(set(stream.batch_at(k)[1]) == {2} for k in range(10))


def test_batch_k_is_a_pure_function_of_seed_and_step(folder):
    photos = content.folder_photos(folder)
    one = content.CropStream(photos, 32, 3, seed=7, num_styles=2)
    other = content.CropStream(photos, 32, 3, seed=7, num_styles=2)
    for step in (5, 0, 11):  # any order, any stream object
        a, b = one.batch_at(step), other.batch_at(step)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(one.batch_at(1)[0], one.batch_at(2)[0])
    reseeded = content.CropStream(photos, 32, 3, seed=8, num_styles=2)
    assert not np.array_equal(one.batch_at(1)[0], reseeded.batch_at(1)[0])


def test_crops_are_flipped_left_right_about_half_the_time(tmp_path):
    # A photo dark on the left, bright on the right: a flipped crop is bright on the left.
    pixels = np.zeros((48, 48, 3), np.uint8)
    pixels[:, 24:] = 255
    Image.fromarray(pixels).save(tmp_path / "half.png")
    stream = content.CropStream(content.folder_photos(tmp_path), 32, 8, seed=0)
    crops = np.concatenate([stream.batch_at(k)[0] for k in range(8)])
    flipped = crops[:, :, 0].mean(axis=(1, 2)) > crops[:, :, -1].mean(axis=(1, 2))
    assert 0.25 < flipped.mean() < 0.75


def test_the_dataset_yields_the_same_batches(folder):
    stream = content.CropStream(content.folder_photos(folder), 32, 2, seed=1, num_styles=2)
    batches = list(stream.dataset(3, 6))
    assert len(batches) == 3
    for offset, (crops, labels) in enumerate(batches):
        expected = stream.batch_at(3 + offset)
        np.testing.assert_array_equal(crops.numpy(), expected[0])
        np.testing.assert_array_equal(labels.numpy(), expected[1])


def test_a_photo_that_cannot_be_decoded_names_itself(tmp_path):
    from stlib import images

    _photo(tmp_path / "ok.png", 40, 40)
    truncated = tmp_path / "cut.jpg"
    _photo(truncated, 64, 64)
    whole = truncated.read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])  # the header reads, the pixels do not
    stream = content.CropStream(content.folder_photos(tmp_path), 32, 1, seed=0)
    assert stream.names == ["cut.jpg", "ok.png"]
    with pytest.raises(images.ImageError, match="cut.jpg"):
        stream.photo(0)


def test_importing_the_module_does_not_start_tensorflow():
    code = "import sys, stlib.cin.content; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
