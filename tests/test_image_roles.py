"""stlib.inputs: every method loads and names its images the same way."""

from __future__ import annotations

import numpy as np
import pytest

from stlib import images, inputs


def test_roles_name_files_by_path_and_other_images_by_kind():
    assert inputs.role("content", 0, 1, "photo.jpg") == "content 'photo.jpg'"
    assert inputs.role("style", 1, 3, "wave.jpg") == "style 2 of 3 ('wave.jpg')"
    assert inputs.role("content", 0, 1, np.zeros(3)) == "content (a numpy array)"
    assert inputs.style_roles([np.zeros(3), "b.png"]) == [
        "style 1 of 2 (a numpy array)",
        "style 2 of 2 ('b.png')",
    ]
    assert inputs.style_list(np.zeros((4, 4, 3))).__len__() == 1  # an array is one image


def test_a_file_is_named_once_in_its_error(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    with pytest.raises(images.ImageError) as error:
        inputs.load_content(text)
    assert str(error.value).startswith(f"content '{text}'")
    assert str(error.value).count(str(text)) == 1


def _too_small():
    return np.random.default_rng(0).random((20, 40, 3), dtype="float32")  # below 32 px


def test_the_three_methods_word_a_bad_content_array_alike(tflite_models, magenta26_available):
    from stlib import arbitrary, cin, gatys

    painting = np.random.default_rng(1).random((64, 64, 3), dtype="float32")
    runs = {
        "gatys": lambda: gatys.stylize(_too_small(), painting, weights=None, progress=False),
        "arbitrary": lambda: arbitrary.stylize(_too_small(), painting, backend="tflite"),
        "cin": lambda: cin.stylize(_too_small(), 3),
    }
    said = {}
    for name, run in runs.items():
        with pytest.raises(images.ImageError) as error:
            run()
        said[name] = str(error.value)
    assert all(text.startswith("content (a numpy array): ") for text in said.values()), said
