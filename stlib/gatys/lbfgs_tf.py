r"""An L-BFGS that stays on the device: projected two-loop L-BFGS in a box, in TensorFlow.

scipy's L-BFGS-B (``stlib.gatys.optimizers.minimize_lbfgs``, the reference) runs on the host:
every loss evaluation copies the image to float64 numpy and back, and every step waits for the
host. Here one compiled TensorFlow function runs whole iterations (directions, line searches with
their VGG passes, history updates) in a ``tf.while_loop``; the host is visited once per call, for
the progress bar and callbacks. Calls are sized to last about ``CALL_SECONDS`` (at most
``STEPS_PER_CALL`` iterations): one step per call for a large image on a CPU, ten on a GPU. The
same code runs on a CPU and a GPU.

One iteration, for f on the box B = [lower, upper]^n with x in B and g = grad f(x):

1. Bound variables: x_i at its lower bound with g_i > 0, or at its upper bound with g_i < 0 (the
   descent direction would push it out). The others are free; P zeroes the bound ones.
2. Direction (Nocedal & Wright, Algorithm 7.4, the two-loop recursion): d = -P H P g, with H the
   L-BFGS inverse-Hessian estimate from the last m pairs s = x_{k+1} - x_k, y = g_{k+1} - g_k
   (kept as [m, n] tensors in a ring buffer with a count) and initial scaling gamma = s'y / y'y of
   the newest pair. H is positive definite, so g'd = -(Pg)' H (Pg) < 0: a descent direction.
   Components that would leave the box at once are zeroed; should rounding still leave g'd >= 0,
   the history is dropped and d = -Pg (projected steepest descent).
3. Step (backtracking Armijo along the projected path x(t) = clip(x + t d, lower, upper)): try
   t = 1 (the first step, and the first after a reset, tries t = min(1, 1 / ||d||), as L-BFGS-B
   does), accept when f(x(t)) <= f(x) + c1 g'(x(t) - x) and f(x(t)) < f(x), otherwise shrink t
   by quadratic interpolation kept within [0.1 t, 0.5 t]. At most ``MAX_TRIALS`` evaluations;
   when none is accepted (no decrease survives the rounding) the run stops, as L-BFGS-B's does.
4. History: keep the pair unless s'y <= eps ||s|| ||y|| (the curvature condition fails, or holds
   only by rounding: cos(s, y) below ``CURVATURE_COSINE``); a skipped pair leaves H positive
   definite.

Why Armijo backtracking rather than a strong-Wolfe search: every trial point costs one VGG forward
and backward pass. With gamma scaling the unit step is accepted at almost every iteration, so
Armijo costs one evaluation per step; a Wolfe search would add evaluations to check (and, when it
fails, to enforce) the curvature condition, which on the bent projected path is not even
well-defined. Wolfe's role, keeping s'y > 0, is taken by step 4's skip. Measured on Gatys'
objective (``benchmarks/lbfgs_tf_speed.py``) it needs about one evaluation per step, as scipy's
L-BFGS-B (Moré-Thuente, strong Wolfe) does.

Why projection rather than a reparametrisation (x = sigmoid(z), or clipping the loss's input):
pixels at 0 or 1 are common in a pastiche (saturated colours); a sigmoid makes them unreachable
and flattens the loss near them, and clipping inside the loss gives zero gradients there. The
projection keeps the problem the same as scipy's L-BFGS-B solves.

State is float32 (x, gradients, history); the loss function may compute in bfloat16 inside
(``Objective`` with ``precision="bfloat16"`` returns float32 terms and gradients).

    result = lbfgs_tf(fn, x0, steps=100)          # fn(x) -> (loss or {'total': ...}, gradient)
    image, stopped = minimize_lbfgs_tf(objective, image, steps, config, progress)   # as scipy's

Taught beside scipy's L-BFGS-B in notebook 03, section 3 (the ``lbfgs-tf`` optimizer).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import tensorflow as tf

from stlib.gatys.config import GatysConfig
from stlib.gatys.history import StopTransfer
from stlib.gatys.objective import Objective, finish_in_float32

__all__ = [
    "ARMIJO",
    "CURVATURE_COSINE",
    "MAX_TRIALS",
    "STEPS_PER_CALL",
    "CALL_SECONDS",
    "LbfgsResult",
    "Memory",
    "empty_memory",
    "lbfgs_tf",
    "minimize_lbfgs_tf",
    "two_loop",
]

ARMIJO = 1e-4  # c1 of the sufficient-decrease condition (Nocedal & Wright's usual value)
MAX_TRIALS = 20  # evaluations a line search may spend before the run stops
# Keep a pair (s, y) only if s'y > this * ||s|| * ||y||: scale-free, unlike s'y > eps * y'y. Gatys'
# pairs measured cos(s, y) >= 0.11, so only pairs with no curvature left after rounding are skipped.
CURVATURE_COSINE = 1e-6
STEPS_PER_CALL = 10  # the most iterations per compiled call (its per-step record is this long)
# Calls are sized to last about this long: the host (progress bar, callbacks, a Stop button) then
# hears from the loop a few times a second. A CPU step of a large image is longer, so it gets one
# step per call (measured on a 2-core CPU: one step per call is no slower than ten); a GPU step is
# milliseconds, so it gets STEPS_PER_CALL, and the host round trips stay a small share.
CALL_SECONDS = 0.5

# Why a run stopped (LbfgsResult.status).
RUNNING, LINE_SEARCH_FAILED, CONVERGED = 0, 1, 2
STATUS_NAMES = {RUNNING: "steps", LINE_SEARCH_FAILED: "line search", CONVERGED: "converged"}

Terms = dict[str, tf.Tensor]
LossFn = Callable[[tf.Tensor], tuple]


class Memory(NamedTuple):
    """The last m curvature pairs, a ring buffer: ``newest`` is the slot written last."""

    s: tf.Tensor  # [m, n] steps x_{k+1} - x_k
    y: tf.Tensor  # [m, n] gradient changes g_{k+1} - g_k
    rho: tf.Tensor  # [m] 1 / s'y
    count: tf.Tensor  # int32: pairs held, <= m (0 after a reset)
    newest: tf.Tensor  # int32: slot of the newest pair


class State(NamedTuple):
    """Where an iteration starts: the point, its loss terms and gradient, the history."""

    x: tf.Tensor  # [n] in the box
    terms: Terms  # {'total': scalar, ...} at x
    gradient: tf.Tensor  # [n]
    memory: Memory
    evaluations: tf.Tensor  # int32: loss evaluations so far, the first included
    status: tf.Tensor  # int32: RUNNING, LINE_SEARCH_FAILED or CONVERGED


class LbfgsResult(NamedTuple):
    x: tf.Tensor  # the last accepted point, shaped as x0
    terms: dict[str, float]  # its loss terms
    steps: int  # iterations taken
    evaluations: int  # loss evaluations, the one at x0 included
    status: str  # why it ended: 'steps', 'line search' or 'converged'
    memory: Memory  # the history at the end, to go on from (``lbfgs_tf(memory=...)``)
    calls: int  # compiled calls that ran iterations (host visits)


def empty_memory(history: int, n: int) -> Memory:
    """A history of ``history`` pairs for n variables, none held yet."""
    return Memory(
        tf.zeros([history, n]),
        tf.zeros([history, n]),
        tf.zeros([history]),
        tf.constant(0),
        tf.constant(history - 1),
    )


def _dot(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    return tf.reduce_sum(a * b)


def two_loop(q: tf.Tensor, memory: Memory) -> tf.Tensor:
    """H q for the L-BFGS inverse-Hessian estimate H of ``memory`` (Nocedal & Wright, Alg. 7.4).

    q: [n]; returns [n]. With no pairs, H is the identity.
    """
    m = memory.s.shape[0]

    def slot(j):  # the j-th newest pair
        return tf.math.floormod(memory.newest - j, m)

    def newest_first(j, q, alphas):
        i = slot(j)
        alpha = memory.rho[i] * _dot(memory.s[i], q)
        return j + 1, q - alpha * memory.y[i], tf.tensor_scatter_nd_update(alphas, [[i]], [alpha])

    _, q, alphas = tf.while_loop(
        lambda j, q, alphas: j < memory.count,
        newest_first,
        (tf.constant(0), q, tf.zeros([m], q.dtype)),
    )
    newest_y = memory.y[memory.newest]
    yy = _dot(newest_y, newest_y)
    sy = tf.math.divide_no_nan(tf.ones([], q.dtype), memory.rho[memory.newest])
    gamma = tf.where((memory.count > 0) & (yy > 0), tf.math.divide_no_nan(sy, yy), 1.0)

    def oldest_first(j, r):
        i = slot(j)
        beta = memory.rho[i] * _dot(memory.y[i], r)
        return j - 1, r + (alphas[i] - beta) * memory.s[i]

    _, r = tf.while_loop(lambda j, r: j >= 0, oldest_first, (memory.count - 1, gamma * q))
    return r


def _remember(memory: Memory, s: tf.Tensor, y: tf.Tensor, accepted: tf.Tensor) -> Memory:
    """The memory with the pair (s, y) added when it was accepted and has curvature."""
    m = memory.s.shape[0]
    sy = _dot(s, y)
    keep = accepted & (sy > CURVATURE_COSINE * tf.norm(s) * tf.norm(y))
    slot = tf.math.floormod(memory.newest + 1, m)
    # Write the slot either way (itself when skipped): cheaper than a select over all [m, n].
    new_s = tf.where(keep, s, memory.s[slot])
    new_y = tf.where(keep, y, memory.y[slot])
    new_rho = tf.where(keep, tf.math.divide_no_nan(1.0, sy), memory.rho[slot])
    return Memory(
        tf.tensor_scatter_nd_update(memory.s, [[slot]], [new_s]),
        tf.tensor_scatter_nd_update(memory.y, [[slot]], [new_y]),
        tf.tensor_scatter_nd_update(memory.rho, [[slot]], [new_rho]),
        tf.where(keep, tf.minimum(memory.count + 1, m), memory.count),
        tf.where(keep, slot, memory.newest),
    )


def _iteration(state: State, evaluate, lower: float, upper: float) -> State:
    """One projected L-BFGS iteration from ``state`` (see the module's docstring, steps 1-4)."""
    x, g, memory = state.x, state.gradient, state.memory
    at_lower, at_upper = x <= lower, x >= upper
    free = tf.cast(~((at_lower & (g > 0)) | (at_upper & (g < 0))), x.dtype)
    free_gradient = g * free
    d = -free * two_loop(free_gradient, memory)
    d = tf.where((at_lower & (d < 0)) | (at_upper & (d > 0)), tf.zeros_like(d), d)
    slope = _dot(g, d)
    restart = ~(slope < 0)  # rounding (or NaN): drop the history, go down the projected gradient
    d = tf.where(restart, -free_gradient, d)
    slope = tf.where(restart, -_dot(free_gradient, free_gradient), slope)
    memory = memory._replace(count=tf.where(restart, 0, memory.count))
    converged = ~(slope < 0)  # the projected gradient is zero: a KKT point of the box
    first = tf.minimum(1.0, tf.math.divide_no_nan(1.0, tf.norm(d)))
    t0 = tf.where(memory.count == 0, first, 1.0)
    f0 = state.terms["total"]

    def trial(tries, accepted, t, evaluations, x_t, terms_t, g_t):
        x_t = tf.clip_by_value(x + t * d, lower, upper)
        terms_t, g_t = evaluate(x_t)
        f_t = terms_t["total"]
        armijo = f0 + ARMIJO * _dot(g, x_t - x)
        accepted = tf.math.is_finite(f_t) & (f_t <= armijo) & (f_t < f0)
        # Minimum of the quadratic through f0, slope and f_t, kept within [0.1 t, 0.5 t].
        curvature = f_t - f0 - slope * t
        quadratic = tf.math.divide_no_nan(-slope * t * t, 2.0 * curvature)
        quadratic = tf.where(tf.math.is_finite(quadratic) & (curvature > 0), quadratic, 0.5 * t)
        t_next = tf.clip_by_value(quadratic, 0.1 * t, 0.5 * t)
        return (
            tries + 1,
            accepted,
            tf.where(accepted, t, t_next),
            evaluations + 1,
            x_t,
            terms_t,
            g_t,
        )

    _, accepted, _, evaluations, x_t, terms_t, g_t = tf.while_loop(
        lambda tries, accepted, *_: ~accepted & ~converged & (tries < MAX_TRIALS),
        trial,
        (tf.constant(0), tf.constant(False), t0, state.evaluations, x, state.terms, g),
    )
    memory = _remember(memory, x_t - x, g_t - g, accepted)
    status = tf.where(accepted, RUNNING, tf.where(converged, CONVERGED, LINE_SEARCH_FAILED))
    keep = lambda new, old: tf.where(accepted, new, old)  # noqa: E731
    return State(
        keep(x_t, x),
        {name: keep(terms_t[name], value) for name, value in state.terms.items()},
        keep(g_t, g),
        memory,
        evaluations,
        status,
    )


class _Compiled:
    """The two compiled functions of one run: the first evaluation, and ``k`` iterations."""

    def __init__(self, fn, shape, lower, upper, history, steps_per_call, jit_compile):
        self.k = steps_per_call

        # One trace of the loss, called by both compiled functions (tracing VGG takes seconds).
        # ``arguments`` (tensors, or None) go to ``fn`` after x, so one trace serves every run
        # whose arguments have the same shapes.
        @tf.function(jit_compile=jit_compile)
        def evaluate(x: tf.Tensor, arguments) -> tuple[Terms, tf.Tensor]:
            point = tf.reshape(x, shape)
            value, gradient = fn(point) if arguments is None else fn(point, arguments)
            terms = dict(value) if isinstance(value, dict) else {"total": value}
            terms = {name: tf.cast(v, tf.float32) for name, v in terms.items()}
            return terms, tf.reshape(tf.cast(gradient, tf.float32), [-1])

        def start(x0: tf.Tensor, memory: Memory, arguments) -> State:
            x = tf.clip_by_value(tf.reshape(tf.cast(x0, tf.float32), [-1]), lower, upper)
            terms, gradient = evaluate(x, arguments)
            return State(x, terms, gradient, memory, tf.constant(1), tf.constant(RUNNING))

        def run(state: State, limit: tf.Tensor, arguments):
            """Up to ``limit`` (<= k) iterations; returns the state, the number taken and, per
            step, the point [k, n], its terms {name: [k]} and the evaluations so far [k]."""
            k = self.k
            record = (
                tf.zeros([k, state.x.shape[0]]),
                {name: tf.zeros([k]) for name in state.terms},
                tf.zeros([k], tf.int32),
            )

            def step(i, state, record):
                state = _iteration(state, lambda x: evaluate(x, arguments), lower, upper)
                images, terms, evaluations = record
                at = [[tf.minimum(i, k - 1)]]  # a failed step writes a slot that is not read
                record = (
                    tf.tensor_scatter_nd_update(images, at, [state.x]),
                    {n: tf.tensor_scatter_nd_update(terms[n], at, [state.terms[n]]) for n in terms},
                    tf.tensor_scatter_nd_update(evaluations, at, [state.evaluations]),
                )
                return i + tf.cast(state.status == RUNNING, tf.int32), state, record

            taken, state, record = tf.while_loop(
                lambda i, state, record: (i < limit) & (state.status == RUNNING),
                step,
                (tf.constant(0), state, record),
            )
            return state, taken, record

        self.start = tf.function(start, jit_compile=jit_compile)
        self.run = tf.function(run, jit_compile=jit_compile)


# The compiled loops of recent runs whose loss takes its data as ``arguments``, by (fn, shape, box,
# history, steps per call, XLA): a second Gatys run of the same settings and size skips the
# seconds of tracing (measured 64 px, 15 steps: 2.4 s a run, 1.5 s of it before the first step).
_COMPILED: dict[tuple, _Compiled] = {}
_COMPILED_KEPT = 8


def _compiled(fn, shape, lower, upper, history, k, jit_compile, arguments) -> _Compiled:
    if arguments is None:  # fn may close over its data: nothing to share
        return _Compiled(fn, shape, lower, upper, history, k, jit_compile)
    key = (fn, shape, float(lower), float(upper), history, k, jit_compile)
    if key not in _COMPILED:
        while len(_COMPILED) >= _COMPILED_KEPT:
            _COMPILED.pop(next(iter(_COMPILED)))  # the oldest
        _COMPILED[key] = _Compiled(fn, shape, lower, upper, history, k, jit_compile)
    return _COMPILED[key]


def lbfgs_tf(
    fn: LossFn,
    x0: tf.Tensor,
    steps: int,
    *,
    history: int = 20,
    lower: float = 0.0,
    upper: float = 1.0,
    steps_per_call: int = STEPS_PER_CALL,
    call_seconds: float | None = CALL_SECONDS,
    on_step: Callable[[Callable[[], tf.Tensor], dict[str, float], int, float], None] | None = None,
    jit_compile: bool = False,
    memory: Memory | None = None,
    arguments=None,
) -> LbfgsResult:
    """Minimise ``fn`` over the box [lower, upper] (elementwise) from ``x0`` by projected L-BFGS.

    Args:
        fn: x (shaped as ``x0``) -> (loss, gradient shaped as x); the loss is a scalar or a dict
            of scalars with the one minimised under 'total' (e.g. ``Objective.terms_and_gradient``).
            Plain TensorFlow: it is traced into the compiled loop.
        x0: the starting point, any shape (projected into the box first).
        steps: the most iterations to take; fewer when the line search finds no decrease or the
            projected gradient is zero.
        history: m, the pairs kept (memory: 2 m n floats).
        lower, upper: the box; -inf / inf for none.
        steps_per_call: the most iterations per compiled call (memory: this many copies of x
            for the per-step record).
        call_seconds: size the calls to last about this long, from the time per step measured
            so far (the first call takes one step); None: always ``steps_per_call`` steps.
        on_step: called after each iteration, in order, with (a function giving the point shaped
            as x0, the loss terms as floats, the evaluations so far, the ``time.perf_counter()``
            at which the device finished it). The host sees a call's steps together, so their
            finishing times are spread evenly over the call. Whatever it raises ends the run and
            propagates.
        jit_compile: XLA-compile the loop (fn included).
        memory: the history to start from (an earlier run's ``LbfgsResult.memory``, with the same
            m and n), e.g. to go on after changing ``fn``'s precision; None: empty.
        arguments: None, or tensors (a nested dict) that ``fn(x, arguments)`` takes after x.
            Then ``fn`` must be a function of its inputs only: its compiled loop is kept and
            reused by later calls with the same fn, shape and settings (no new trace).

    Returns:
        ``LbfgsResult(x, terms, steps, evaluations, status)``.
    """
    if steps < 0 or history < 1 or steps_per_call < 1:
        raise ValueError(
            f"need steps >= 0, history >= 1 and steps_per_call >= 1; got {steps}, {history}, "
            f"{steps_per_call}"
        )
    shape = tuple(x0.shape)
    k = min(steps_per_call, max(steps, 1))
    compiled = _compiled(fn, shape, lower, upper, history, k, jit_compile, arguments)
    n = int(tf.size(x0))
    if memory is None:
        memory = empty_memory(history, n)
    elif tuple(memory.s.shape) != (history, n):
        raise ValueError(
            f"memory holds {tuple(memory.s.shape)} pairs x variables, need {(history, n)}"
        )
    state = compiled.start(tf.convert_to_tensor(x0), memory, arguments)
    taken, calls = 0, 0
    per_call = compiled.k if call_seconds is None else 1  # the first call also traces
    while taken < steps and int(state.status) == RUNNING:
        limit = min(per_call, steps - taken)
        called = time.perf_counter()
        state, done, (images, terms, evaluations) = compiled.run(
            state, tf.constant(limit), arguments
        )
        done = int(done)  # waits for the device
        returned = time.perf_counter()
        if on_step is not None and done:
            terms = {name: values.numpy() for name, values in terms.items()}  # one copy each
            evaluations = evaluations.numpy()
            for j in range(done):
                on_step(
                    lambda j=j, images=images: tf.reshape(images[j], shape),
                    {name: float(values[j]) for name, values in terms.items()},
                    int(evaluations[j]),
                    called + (returned - called) * (j + 1) / done,
                )
        taken += done
        calls += 1
        if call_seconds is not None and done:
            seconds_per_step = (returned - called) / done
            per_call = max(1, min(compiled.k, int(call_seconds / seconds_per_step)))
    return LbfgsResult(
        tf.reshape(state.x, shape),
        {name: float(value) for name, value in state.terms.items()},
        taken,
        int(state.evaluations),
        STATUS_NAMES[int(state.status)],
        state.memory,
        calls,
    )


def minimize_lbfgs_tf(
    objective: Objective,
    image: tf.Tensor,
    steps: int,
    config: GatysConfig,
    progress,
    *,
    steps_per_call: int = STEPS_PER_CALL,
) -> tuple[tf.Tensor, bool]:
    """``steps`` projected L-BFGS iterations on the device from ``image`` [1, H, W, 3] in [0, 1].

    The same contract as ``optimizers.minimize_lbfgs`` (scipy's L-BFGS-B): ``progress.step`` after
    every iteration, ``StopTransfer`` from a callback returns the image of that step and
    ``stopped=True``; with a bfloat16 network, once the line search finds no decrease the
    remaining steps run with the float32 network (``progress.switched_to_float32``), keeping the
    history. Callbacks
    see the steps in groups (one host visit each, sized by ``CALL_SECONDS``, at most
    ``steps_per_call``); the history's seconds spread each group's time evenly over its steps.

    Taught in notebook 03, section 3.
    """

    # The float32 run goes on with the bfloat16 pairs rather than an empty history: measured at
    # 128 px, 1-2 % lower loss 100-300 steps after the switch (an empty one restarts with tiny
    # steps).
    def run(objective, image, steps, memory):
        return _run(objective, image, steps, config, progress, steps_per_call, memory)

    return finish_in_float32(run, objective, image, steps, progress)


def _run(objective, image, steps, config, progress, steps_per_call, memory=None):
    """One ``lbfgs_tf`` run on the objective (from ``memory``, if given); returns (image,
    stopped, steps taken, the history at the end)."""
    accepted = [image]

    def on_step(image_fn, terms, evaluations, finished_at):
        accepted[0] = image_fn
        progress.step(image_fn, terms, evaluations, finished_at=finished_at)

    try:
        result = lbfgs_tf(
            objective.program,
            image,
            steps,
            history=config.lbfgs_history,
            steps_per_call=steps_per_call,
            on_step=on_step,
            jit_compile=config.jit_compile,
            memory=memory,
            arguments=objective.arguments,
        )
    except StopTransfer:
        latest = accepted[0]
        return (latest() if callable(latest) else latest), True, 0, None  # counts not used
    return result.x, False, result.steps, result.memory
