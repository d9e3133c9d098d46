"""Fixtures of the stlib.gatys tests: small noise images, made afresh for each test from their
own seeded generator (no random state at import). Plain helpers are in gatys_test_images.py."""

from __future__ import annotations

import pytest
import tensorflow as tf
from gatys_test_images import random_image, random_images


@pytest.fixture
def content() -> tf.Tensor:
    """[1, 48, 64, 3] uniform noise, seed 0: the content image of the quick runs."""
    return random_image(0, 48, 64)


@pytest.fixture
def style() -> tf.Tensor:
    """[1, 40, 40, 3] uniform noise: the draw after ``content`` from the seed-0 generator."""
    return random_images(0, (48, 64), (40, 40))[1]


@pytest.fixture
def second_style() -> tf.Tensor:
    """[1, 32, 48, 3] uniform noise: the draw after ``style`` (a second style image to blend)."""
    return random_images(0, (48, 64), (40, 40), (32, 48))[2]


@pytest.fixture
def style_seed1() -> tf.Tensor:
    """[1, 40, 40, 3] uniform noise, seed 1: the style image of the API checks (bad inputs,
    Ctrl-C, errors named)."""
    return random_image(1, 40, 40)
