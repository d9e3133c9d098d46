"""Images for the tests of stlib.gatys, made when a test asks for them: no random state at import.

Imported by name from the tests in this folder (pytest's default "prepend" import mode puts
tests/gatys/ on sys.path); the fixtures in conftest.py are built from these.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from stlib import images


def random_images(seed: int, *shapes: tuple[int, int]) -> list[tf.Tensor]:
    """Uniform noise images [1, h, w, 3] in [0, 1), one per (h, w), drawn in turn from one
    generator seeded with ``seed``."""
    rng = np.random.default_rng(seed)
    return [tf.constant(rng.random((1, height, width, 3)), tf.float32) for height, width in shapes]


def random_image(seed: int, height: int, width: int) -> tf.Tensor:
    """One uniform noise image [1, height, width, 3] from a generator seeded with ``seed``."""
    return random_images(seed, (height, width))[0]


def smooth_image(seed: int, height: int = 64, width: int = 80) -> tf.Tensor:
    """A fixed, natural-ish image (smooth colour fields plus an edge), not noise."""
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    r = 0.5 + 0.4 * np.sin(6 * x + seed)
    g = 0.5 + 0.4 * np.cos(5 * y - seed)
    b = np.where(x + y > 0.8, 0.8, 0.2)
    return tf.constant(np.stack([r, g, b], -1)[None], tf.float32)


def sample_path(name):
    """The offline path of a sample image (needs STLIB_DATA_DIR: use the samples_available
    fixture)."""
    from stlib import data

    return data.path(name)


def load_sample(name, size):
    """A sample image [1, H, W, 3] with longest side ``size``."""
    return images.load(sample_path(name), size)


def directional_derivatives(
    objective, image: tf.Tensor, seed: int, h: float = 1e-2
) -> tuple[float, float]:
    """(analytic, numeric): the compiled gradient g of ``objective`` at ``image`` along a unit
    direction d, and the central difference of its total loss along d.

    d is half g / |g|, half a random unit vector: along a random direction alone the derivative
    can be 1 % of |g| (measured: 45 against 7272), within float32's rounding of a loss of 4e4
    over 2h, and the check then fails or passes by chance. With half of d along g the derivative
    is large, and a gradient wrong in other directions still disagrees through the random half.
    """
    _, gradient = objective.value_and_gradient(image)
    random = tf.constant(np.random.default_rng(seed).normal(size=image.shape), tf.float32)
    direction = gradient / tf.norm(gradient) + random / tf.norm(random)
    direction /= tf.norm(direction)
    plus = float(objective.terms(image + h * direction)["total"])
    minus = float(objective.terms(image - h * direction)["total"])
    return float(tf.reduce_sum(gradient * direction)), (plus - minus) / (2 * h)
