"""The two optimisers of the pixels: L-BFGS (scipy's L-BFGS-B, box [0, 1]) and Adam with clipping.

Both call ``report(image_fn, terms, evaluations)`` after every step, where ``image_fn()`` gives the
current pastiche [1, H, W, 3] and ``terms`` the loss terms at it (floats). ``report`` may raise
``StopTransfer``; the optimiser then returns the last accepted image and ``stopped=True``.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import scipy.optimize
import tensorflow as tf

from stlib.gatys.config import GatysConfig
from stlib.gatys.history import StopTransfer
from stlib.gatys.objective import Objective

Report = Callable[[Callable[[], tf.Tensor], dict[str, float], int], None]


def _floats(terms: dict[str, tf.Tensor]) -> dict[str, float]:
    return {name: float(value) for name, value in terms.items()}


def minimise_lbfgs(
    objective: Objective, image: tf.Tensor, steps: int, history_size: int, report: Report
) -> tuple[tf.Tensor, bool]:
    """``steps`` L-BFGS-B iterations from ``image`` [1, H, W, 3], pixels bounded to [0, 1].

    Bounds rather than clipping: the quasi-Newton model stays consistent with the points it
    visits (clipping after a step would silently change them). Gradients come from the compiled
    TensorFlow function in float32; scipy works in float64.
    """
    shape = tuple(image.shape)
    size = int(np.prod(shape))
    as_image = lambda x: tf.constant(x.reshape(shape), dtype=tf.float32)  # noqa: E731
    count = {"evaluations": 0}
    last = {"x": None, "terms": None}
    accepted = {"x": image.numpy().astype(np.float64).ravel()}

    def loss_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        terms, gradient = objective.value_and_gradient(as_image(x))
        count["evaluations"] += 1
        last["x"], last["terms"] = x.copy(), terms
        return float(terms["total"]), gradient.numpy().astype(np.float64).ravel()

    def after_iteration(xk: np.ndarray) -> None:
        if last["x"] is None or not np.array_equal(xk, last["x"]):
            loss_and_gradient(xk)  # the iterate is normally the last point evaluated
        x = xk.copy()
        accepted["x"] = x
        report(lambda: as_image(x), _floats(last["terms"]), count["evaluations"])

    stopped = False
    try:
        scipy.optimize.minimize(
            loss_and_gradient,
            accepted["x"],
            jac=True,
            method="L-BFGS-B",
            bounds=scipy.optimize.Bounds(np.zeros(size), np.ones(size)),
            callback=after_iteration,
            # Run the asked number of iterations: no tolerance-based stop, generous evaluations.
            options={"maxiter": steps, "maxcor": history_size, "maxfun": 2 * steps + 20, "ftol": 0.0, "gtol": 0.0},
        )
    except StopTransfer:
        stopped = True
    return as_image(accepted["x"]), stopped


def minimise_adam(
    objective: Objective, image: tf.Tensor, steps: int, config: GatysConfig, report: Report
) -> tuple[tf.Tensor, bool]:
    """``steps`` Adam updates from ``image`` [1, H, W, 3], each followed by clipping to [0, 1].

    This is TensorFlow's tutorial recipe: the loss reported at step k is the one computed for
    the gradient of that step, i.e. at the image before the update.
    """
    pastiche = tf.Variable(image, dtype=tf.float32)
    optimizer = keras.optimizers.Adam(
        learning_rate=config.learning_rate,
        beta_1=config.adam_beta1,
        beta_2=config.adam_beta2,
        epsilon=config.adam_epsilon,
    )
    optimizer.build([pastiche])

    @tf.function(jit_compile=config.jit_compile)
    def step() -> dict[str, tf.Tensor]:
        terms, gradient = objective._value_and_gradient(tf.identity(pastiche))
        optimizer.apply_gradients([(gradient, pastiche)])
        pastiche.assign(tf.clip_by_value(pastiche, 0.0, 1.0))
        return terms

    stopped = False
    try:
        for k in range(steps):
            terms = _floats(step())
            snapshot = tf.identity(pastiche)
            report(lambda s=snapshot: s, terms, k + 1)
    except StopTransfer:
        stopped = True
    return tf.convert_to_tensor(pastiche), stopped
