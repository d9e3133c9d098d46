"""The optimizers of the pixels: L-BFGS (scipy's L-BFGS-B, box [0, 1]) and Adam with clipping;
the third, L-BFGS on the device (``lbfgs-tf``), is in ``lbfgs_tf`` and listed in ``MINIMIZERS``.

All take an ``Objective``, a starting image [1, H, W, 3] and a step count, and call
``progress.step(image_fn, terms, evaluations)`` after every step, where ``image_fn()`` gives the
current pastiche and ``terms`` the loss terms at it (floats). A callback behind ``progress`` may
raise ``StopTransfer``; the optimizer then returns the last accepted image and ``stopped=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import keras
import numpy as np
import scipy.optimize
import tensorflow as tf
from threadpoolctl import threadpool_limits

from stlib.gatys.config import GatysConfig
from stlib.gatys.history import StopTransfer
from stlib.gatys.lbfgs_tf import minimize_lbfgs_tf
from stlib.gatys.objective import Objective, finish_in_float32

__all__ = ["MINIMIZERS", "minimize_adam", "minimize_lbfgs"]


class StepReport(Protocol):
    """What the optimizers report to (``stlib.gatys.progress.Progress``)."""

    def step(
        self,
        image_fn: Callable[[], tf.Tensor],
        terms: dict[str, float],
        evaluations: int,
        finished_at: float | None = None,
    ): ...

    def switched_to_float32(self) -> None: ...


def _floats(terms: dict[str, tf.Tensor]) -> dict[str, float]:
    return {name: float(value) for name, value in terms.items()}


def minimize_lbfgs(
    objective: Objective, image: tf.Tensor, steps: int, config: GatysConfig, progress: StepReport
) -> tuple[tf.Tensor, bool]:
    """``steps`` L-BFGS-B iterations from ``image`` [1, H, W, 3], pixels bounded to [0, 1].

    With a bfloat16 network, the line search stops once no decrease survives bfloat16 rounding;
    the remaining steps then run with the float32 network (``progress.switched_to_float32``).

    Taught in notebook 03, section 3.
    """

    def run(objective, image, steps, _):  # scipy keeps nothing between its two runs
        image, stopped, taken = _lbfgs_b(objective, image, steps, config.lbfgs_history, progress)
        return image, stopped, taken, None

    return finish_in_float32(run, objective, image, steps, progress)


class _LbfgsState:
    """What scipy's callbacks share: the last evaluated point, its terms, the accepted iterate."""

    def __init__(self, start: np.ndarray) -> None:
        self.evaluations = 0
        self.taken = 0
        self.last_x: np.ndarray | None = None
        self.last_terms: dict[str, tf.Tensor] | None = None
        self.accepted = start


def _lbfgs_b(
    objective: Objective, image: tf.Tensor, steps: int, history_size: int, progress: StepReport
) -> tuple[tf.Tensor, bool, int]:
    """scipy's L-BFGS-B in the box [0, 1]; returns (image, stopped, steps taken).

    Bounds rather than clipping: the quasi-Newton model stays consistent with the points it
    visits (clipping after a step would silently change them). Gradients come from the compiled
    TensorFlow function in float32; scipy works in float64.
    """
    shape = tuple(image.shape)
    as_image = lambda x: tf.constant(x.reshape(shape), dtype=tf.float32)  # noqa: E731
    state = _LbfgsState(image.numpy().astype(np.float64).ravel())

    def loss_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        terms, gradient = objective.value_and_gradient(as_image(x))
        state.evaluations += 1
        state.last_x, state.last_terms = x.copy(), terms
        return float(terms["total"]), gradient.numpy().astype(np.float64).ravel()

    def after_iteration(xk: np.ndarray) -> None:
        if state.last_x is None or not np.array_equal(xk, state.last_x):
            loss_and_gradient(xk)  # the iterate is normally the last point evaluated
        x = xk.copy()
        state.accepted = x
        state.taken += 1
        progress.step(lambda: as_image(x), _floats(state.last_terms), state.evaluations)

    size = state.accepted.size
    try:
        # L-BFGS-B's BLAS work is small (products of [n, 2m] matrices); OpenBLAS' threads only
        # contend with TensorFlow's for the same cores (its own time per step measured 20x longer
        # at 128 px on a busy 2-core CPU: benchmarks/lbfgs_tf_speed.py, route scipy-blas1).
        with threadpool_limits(limits=1, user_api="blas"):
            scipy.optimize.minimize(
                loss_and_gradient,
                state.accepted,
                jac=True,
                method="L-BFGS-B",
                bounds=scipy.optimize.Bounds(np.zeros(size), np.ones(size)),
                callback=after_iteration,
                # The asked number of iterations: no tolerance-based stop, generous evaluations.
                options={
                    "maxiter": steps,
                    "maxcor": history_size,
                    "maxfun": 2 * steps + 20,
                    "ftol": 0.0,
                    "gtol": 0.0,
                },
            )
    except StopTransfer:
        return as_image(state.accepted), True, state.taken
    return as_image(state.accepted), False, state.taken


def minimize_adam(
    objective: Objective, image: tf.Tensor, steps: int, config: GatysConfig, progress: StepReport
) -> tuple[tf.Tensor, bool]:
    """``steps`` Adam updates from ``image`` [1, H, W, 3], each followed by clipping to [0, 1].

    This is TensorFlow's tutorial recipe: the loss reported at step k is the one computed for
    the gradient of that step, i.e. at the image before the update.

    Taught in notebook 03, section 3.
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
        terms, gradient = objective.terms_and_gradient(tf.identity(pastiche))
        optimizer.apply_gradients([(gradient, pastiche)])
        pastiche.assign(tf.clip_by_value(pastiche, 0.0, 1.0))
        return terms

    try:
        for k in range(steps):
            terms = _floats(step())
            snapshot = tf.identity(pastiche)
            progress.step(lambda s=snapshot: s, terms, k + 1)
    except StopTransfer:
        return tf.convert_to_tensor(pastiche), True
    return tf.convert_to_tensor(pastiche), False


# config.optimizer -> the function that runs it
MINIMIZERS = {"lbfgs": minimize_lbfgs, "adam": minimize_adam, "lbfgs-tf": minimize_lbfgs_tf}
