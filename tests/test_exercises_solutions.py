"""Every reference answer in stlib.exercises.solutions passes its check, and every check reports an
untouched placeholder as "not attempted", without printing.

``EXERCISES`` lists the exercises of notebooks 01-08; the notebook tests use it too. A
"debug" exercise starts from code with bugs; that code counts as not attempted.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

import stlib.exercises
from stlib.exercises import NOT_ATTEMPTED, Verdict, nb01, nb02, nb03, nb05, nb06, nb07, nb08


def _nb04():
    pytest.importorskip("ipywidgets")  # Exercise 1's reference is the explorer's ratio_of
    from stlib.exercises import nb04

    return nb04


def _nb08_impostor(answer):
    """Exercise 4 of 08 measures with the real VGG19 on sample images against the arbitrary
    network's pastiches: skip (no download in tests) unless all three are offline."""
    import os

    from stlib import weights
    from stlib.arbitrary import models

    try:
        weights.vgg19_weights_path(download=False)
        [models.model_path(name, download=False) for name in models.FILES]
    except (FileNotFoundError, models.ModelNotFoundError) as error:
        pytest.skip(f"nb08.check_impostor needs offline files: {error}")
    if not os.environ.get("STLIB_DATA_DIR"):
        pytest.skip("nb08.check_impostor needs the sample images (STLIB_DATA_DIR)")
    return nb08.check_impostor(answer)


@dataclass(frozen=True)
class Exercise:
    notebook: str  # "nb02"
    check: str  # "check_gram_matrix"
    answer: str  # the name the student cell defines and solutions.nb02 holds: "gram_matrix"
    kind: str  # "function", "value" or "debug" (a function the student repairs)
    run: Callable[
        [Any], Verdict
    ]  # the check as the tests call it (random VGG weights where it can)

    def __str__(self) -> str:
        return f"{self.notebook}.{self.check}"

    def solution(self) -> Any:
        module = importlib.import_module(f"stlib.exercises.solutions.{self.notebook}")
        return getattr(module, self.answer)


EXERCISES = [
    Exercise("nb01", "check_preprocess", "caffe_preprocess", "function", nb01.check_preprocess),
    Exercise(
        "nb01",
        "check_feature_map_shape",
        "feature_map_shape",
        "function",
        lambda answer: nb01.check_feature_map_shape(answer, weights=None),
    ),
    Exercise(
        "nb01", "check_receptive_field", "receptive_field", "function", nb01.check_receptive_field
    ),
    Exercise("nb02", "check_content_loss", "content_loss", "function", nb02.check_content_loss),
    Exercise(
        "nb02",
        "check_gram_shape",
        "gram_shape",
        "function",
        nb02.check_gram_shape,
    ),
    Exercise("nb02", "check_gram_matrix", "gram_matrix", "function", nb02.check_gram_matrix),
    Exercise(
        "nb02",
        "check_style_layer_loss",
        "style_layer_loss",
        "debug",
        nb02.check_style_layer_loss,
    ),
    Exercise("nb03", "check_total_loss", "total_loss", "function", nb03.check_total_loss),
    Exercise(
        "nb03", "check_style_gradient", "style_gradient", "function", nb03.check_style_gradient
    ),
    Exercise("nb03", "check_adam_loop", "adam_loop", "function", nb03.check_adam_loop),
    Exercise(
        "nb03", "check_total_variation", "total_variation", "function", nb03.check_total_variation
    ),
    Exercise("nb03", "check_conv_flops", "conv_flops", "function", nb03.check_conv_flops),
    Exercise(
        "nb04",
        "check_slider_for_paper_ratio",
        "slider_value",
        "function",
        lambda answer: _nb04().check_slider_for_paper_ratio(answer),
    ),
    Exercise(
        "nb04",
        "check_effective_style_weights",
        "effective_style_weights",
        "function",
        lambda answer: _nb04().check_effective_style_weights(answer),
    ),
    Exercise(
        "nb04",
        "check_style_representation_sizes",
        "representation_sizes",
        "value",
        lambda answer: _nb04().check_style_representation_sizes(answer),
    ),
    Exercise("nb05", "check_luminance", "luminance", "function", nb05.check_luminance),
    Exercise(
        "nb05", "check_match_luminance", "match_luminance", "function", nb05.check_match_luminance
    ),
    Exercise("nb05", "check_blended_gram", "blended_gram", "function", nb05.check_blended_gram),
    Exercise("nb05", "check_guided_gram", "guided_gram", "function", nb05.check_guided_gram),
    Exercise(
        "nb06",
        "check_conditional_instance_norm",
        "conditional_instance_norm",
        "function",
        nb06.check_conditional_instance_norm,
    ),
    Exercise(
        "nb06", "check_mix_parameters", "mix_parameters", "function", nb06.check_mix_parameters
    ),
    Exercise("nb06", "check_slim_numbers", "slim_numbers", "function", nb06.check_slim_numbers),
    Exercise("nb06", "check_training_step", "training_step", "function", nb06.check_training_step),
    Exercise(
        "nb07",
        "check_identity_parameters",
        "identity_parameters",
        "function",
        nb07.check_identity_parameters,
    ),
    Exercise("nb07", "check_bottleneck", "bottleneck", "function", nb07.check_bottleneck),
    Exercise("nb07", "check_overlap_ramp", "overlap_ramp", "function", nb07.check_overlap_ramp),
    Exercise("nb08", "check_gram_distance", "gram_distance", "function", nb08.check_gram_distance),
    Exercise("nb08", "check_psnr", "psnr", "function", nb08.check_psnr),
    Exercise(
        "nb08", "check_color_distance", "color_distance", "function", nb08.check_color_distance
    ),
    Exercise("nb08", "check_impostor", "impostor", "function", _nb08_impostor),
]

# Every notebook with exercises: the modules stlib.exercises.nb01, nb02, ...
EXERCISE_MODULES = sorted(
    module.name
    for module in pkgutil.iter_modules(stlib.exercises.__path__)
    if module.name.startswith("nb")
)


def _returns_none(*args):
    return None


def _raises(*args):
    raise NotImplementedError


def placeholders(exercise: Exercise) -> list[Any]:
    """What an untouched student cell holds: None, a function returning None or raising, or for
    a debugging exercise the code with its bugs."""
    if exercise.kind == "value":
        return [None]
    if exercise.kind == "debug":
        return [None, _returns_none, _raises, nb02.buggy_style_layer_loss]
    return [None, _returns_none, _raises]


def test_the_table_covers_every_check_and_every_solution():
    assert EXERCISE_MODULES == sorted({e.notebook for e in EXERCISES})
    assert {"nb01", "nb02", "nb03", "nb04", "nb05", "nb06", "nb07", "nb08"} <= set(EXERCISE_MODULES)
    solutions_package = importlib.import_module("stlib.exercises.solutions")
    assert sorted(solutions_package.__all__) == EXERCISE_MODULES
    for notebook in EXERCISE_MODULES:
        if notebook == "nb04":
            _nb04()
        checks = importlib.import_module(f"stlib.exercises.{notebook}")
        solutions = importlib.import_module(f"stlib.exercises.solutions.{notebook}")
        listed = [e for e in EXERCISES if e.notebook == notebook]
        assert sorted(e.check for e in listed) == sorted(
            name for name in checks.__all__ if name.startswith("check_")
        )
        assert sorted(e.answer for e in listed) == sorted(solutions.__all__)
        assert solutions.__doc__ and "reference for the tests and for teachers" in solutions.__doc__


@pytest.mark.parametrize("exercise", EXERCISES, ids=str)
def test_the_reference_solution_passes(exercise, capsys):
    verdict = exercise.run(exercise.solution())
    assert verdict, str(verdict)
    assert verdict.message.startswith("correct") and verdict.attempted
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("exercise", EXERCISES, ids=str)
def test_a_placeholder_is_not_attempted(exercise, capsys):
    for placeholder in placeholders(exercise):
        verdict = exercise.run(placeholder)
        assert not verdict and not verdict.attempted
        assert str(verdict).startswith("✗ ") and f": {NOT_ATTEMPTED}" in str(verdict)
        assert verdict.tolerance  # each exercise's text in the notebook states it
    assert capsys.readouterr().out == ""
