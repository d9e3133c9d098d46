"""Checks for notebook 06, the multi-style network: conditional instance normalisation's forward
pass, mixing styles by their normalisation parameters, and how many numbers a style costs.

    from stlib.exercises import nb06
    nb06.check_conditional_instance_norm(conditional_instance_norm)  # Exercise 1
    nb06.check_mix_parameters(mix_parameters)                        # Exercise 2
    nb06.check_slim_numbers(slim_numbers)                            # Exercise 3

Exercise 1: ``fn(x, style_weights, gamma, beta)`` -> [B, H, W, C], against
``stlib.cin.ConditionalInstanceNorm`` given the same ``gamma`` and ``beta``. Exercise 2:
``fn(weights, table)`` -> [B, C], against ``stlib.cin.style_weights`` (convex weights) times the
table. Exercise 3: the pair (numbers per style, parameters of the 26-style network), against
``SLIM26.numbers_per_style`` and a built ``MultiStyleTransformer(26, SLIM26)``. Each check
returns a ``Verdict`` and never raises or prints.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from stlib.cin import mixing
from stlib.cin.layers import ConditionalInstanceNorm
from stlib.exercises import Verdict, check_function, not_attempted, with_hint

__all__ = [
    "EPSILON",
    "SLIM_STYLES",
    "check_conditional_instance_norm",
    "check_mix_parameters",
    "check_slim_numbers",
    "check_training_step",
]

EPSILON = 1e-5  # Magenta's conditional_instance_norm, and stlib.cin.ConditionalInstanceNorm's
SLIM_STYLES = 26  # the styles of TensorFlow's Android demo network (stlib.cin.magenta26)


# --- Exercise 1: the forward pass of conditional instance normalisation ---------------------------


def _conditional_instance_norm(x: Any, style_weights: Any, gamma: Any, beta: Any) -> np.ndarray:
    """What ``stlib.cin.ConditionalInstanceNorm`` returns for x [B, H, W, C], style_weights
    [B, N] and the tables gamma, beta [N, C]: float32 [B, H, W, C]."""
    x = np.asarray(x, np.float32)
    style_weights = np.asarray(style_weights, np.float32)
    gamma, beta = np.asarray(gamma, np.float32), np.asarray(beta, np.float32)
    layer = ConditionalInstanceNorm(gamma.shape[0], EPSILON)
    layer.build((x.shape, style_weights.shape))
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return np.asarray(layer([x, style_weights]))


def _feature_map(rng: np.random.Generator, batch: int, height: int, width: int, channels: int):
    """Features as a convolution gives them: each image and channel its own mean and scale."""
    mean = rng.normal(0.0, 2.0, (batch, 1, 1, channels))
    scale = rng.uniform(0.2, 3.0, (batch, 1, 1, channels))
    return (mean + scale * rng.standard_normal((batch, height, width, channels))).astype(np.float32)


def _tables(rng: np.random.Generator, styles: int, channels: int) -> tuple[np.ndarray, np.ndarray]:
    gamma = rng.uniform(0.5, 1.5, (styles, channels)).astype(np.float32)
    beta = rng.normal(0.0, 0.5, (styles, channels)).astype(np.float32)
    return gamma, beta


def _cin_cases() -> list[tuple]:
    rng = np.random.default_rng(6)
    cases = []
    # 1. One image, one style (a one-hot row picks a row of each table).
    cases.append(
        (_feature_map(rng, 1, 4, 5, 3), np.array([[1.0, 0.0]], np.float32), *_tables(rng, 2, 3))
    )
    # 2. Two images, each its own style.
    weights = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
    cases.append((_feature_map(rng, 2, 6, 3, 4), weights, *_tables(rng, 3, 4)))
    # 3. Two images, two mixes, one of them not summing to one: the layer uses them as given.
    weights = np.array([[0.5, 0.5], [1.0, 1.0]], np.float32)
    cases.append((_feature_map(rng, 2, 5, 5, 2), weights, *_tables(rng, 2, 2)))
    # 4. Three images; one channel almost constant (std 1e-3): epsilon matters there.
    x = _feature_map(rng, 3, 4, 4, 3)
    x[..., 1] = 0.05 + 1e-3 * rng.standard_normal((3, 4, 4))
    weights = np.array([[0.2, 0.8, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], np.float32)
    cases.append((x, weights, *_tables(rng, 3, 3)))
    return cases


def _cin_variant(
    x: np.ndarray,
    w: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    axes: tuple[int, ...] = (1, 2),
    ddof: int = 0,
    denominator: str = "sqrt(var + eps)",
    style: str = "mix",
) -> np.ndarray:
    """Conditional instance norm in float64, right or with one of the usual slips."""
    x = np.asarray(x, np.float64)
    mean = x.mean(axis=axes, keepdims=True)
    count = int(np.prod([x.shape[a] for a in axes]))
    variance = ((x - mean) ** 2).sum(axis=axes, keepdims=True) / (count - ddof)
    scale = {
        "sqrt(var + eps)": np.sqrt(variance + EPSILON),
        "sqrt(var)": np.sqrt(variance),
        "std + eps": np.sqrt(variance) + EPSILON,
        "var + eps": variance + EPSILON,
    }[denominator]
    normalized = (x - mean) / scale
    w = np.asarray(w, np.float64)
    if style == "first":  # every image gets the first image's style
        w = np.repeat(w[:1], len(w), axis=0)
    elif style == "argmax":  # the largest weight's style, no mixing
        w = np.eye(w.shape[1])[np.argmax(w, axis=1)]
    elif style == "convex":
        w = w / w.sum(axis=1, keepdims=True)
    g, b = (w @ gamma)[:, None, None, :], (w @ beta)[:, None, None, :]
    if style == "swapped":
        g, b = b, g
    return g * normalized + b


# (what the student's function matches, the hint), tried in order on every case.
_CIN_SLIPS: list[tuple[dict, str]] = [
    (
        {"axes": (0, 1, 2)},
        "The moments are taken over the batch too (that is batch normalisation): take each "
        "image's own mean and variance, over its height and width only (axes 1 and 2).",
    ),
    (
        {"axes": (1, 2, 3)},
        "The moments are taken over the channels too (that is layer normalisation): each "
        "channel of each image has its own mean and variance, over axes 1 and 2 only.",
    ),
    (
        {"axes": (0, 1, 2, 3)},
        "The moments are taken over everything: each channel of each image has its own mean "
        "and variance, over axes 1 and 2 only.",
    ),
    (
        {"ddof": 1},
        "That is the unbiased variance (divided by H W - 1): instance norm divides by H W, as "
        "np.var and tf.nn.moments do by default.",
    ),
    (
        {"denominator": "sqrt(var)"},
        "Case 4 has a channel that is almost constant: divide by sqrt(variance + epsilon), "
        "epsilon = 1e-5, not by the standard deviation alone.",
    ),
    (
        {"denominator": "std + eps"},
        "Epsilon goes inside the square root: sqrt(variance + 1e-5), not std + 1e-5 (they differ "
        "where a channel is almost constant, as in case 4).",
    ),
    (
        {"denominator": "var + eps"},
        "Divide by the standard deviation, sqrt(variance + epsilon), not by the variance.",
    ),
    (
        {"style": "first"},
        "Each image has its own row of style weights: gamma = style_weights @ gamma_table "
        "gives one row of gammas per image, [B, C], to broadcast as [B, 1, 1, C].",
    ),
    (
        {"style": "argmax"},
        "Mix, do not pick: the scale is the weighted sum of the styles' gammas, "
        "style_weights @ gamma (and the same for beta), which a one-hot row reduces to one row.",
    ),
    (
        {"style": "convex"},
        "The layer uses the weights as given, style_weights @ gamma, even when they do not sum "
        "to one (case 3); making a mix convex is the front end's job (Exercise 2).",
    ),
    (
        {"style": "swapped"},
        "gamma scales and beta shifts: gamma * x_hat + beta.",
    ),
]


def _matches(got: Any, want: np.ndarray) -> bool:
    try:
        got = np.asarray(got, np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-5)


def _cin_hint(fn: Callable) -> str:
    """The usual slip the student's function makes, found by comparing it with each slip."""
    outputs = []
    for args in _cin_cases():
        try:
            outputs.append(fn(*args))
        except Exception:  # the check already reported the first error
            outputs.append(None)
    for slip, hint in _CIN_SLIPS:
        # A slip explains the answer when every case agrees with it (the right formula where
        # the slip makes no difference, the slip where it does).
        if all(
            got is not None and _matches(got, _cin_variant(*args, **slip))
            for got, args in zip(outputs, _cin_cases())
        ):
            return hint
    return (
        "Per image and channel: x_hat = (x - mean) / sqrt(variance + 1e-5), moments over axes "
        "1 and 2 (H, W); then gamma * x_hat + beta with gamma = style_weights @ gamma_table "
        "[B, C] and beta likewise, broadcast as [B, 1, 1, C]."
    )


_SHAPES = (
    "Shapes: x [B, H, W, C], style_weights [B, N], gamma and beta [N, C]; style_weights @ gamma "
    "is [B, C]: reshape it to [B, 1, 1, C] so that it scales each channel of each image."
)


def check_conditional_instance_norm(fn: Callable) -> Verdict:
    """Exercise 1: ``fn(x, style_weights, gamma, beta)`` -> [B, H, W, C], against
    ``stlib.cin.ConditionalInstanceNorm`` on four cases (one style; a style per image; mixes,
    one not summing to one; an almost constant channel)."""
    exercise = "conditional instance norm"
    verdict = check_function(
        exercise,
        fn,
        _conditional_instance_norm,
        _cin_cases(),
        rtol=1e-4,
        atol=1e-5,
        library=(ConditionalInstanceNorm,),
    )
    if verdict or not verdict.attempted or verdict.delegated:
        return verdict
    hint = _SHAPES if "raised" in verdict.message else _cin_hint(fn)
    return Verdict(exercise, False, f"{verdict.message} {hint}", verdict.tolerance)


# --- Exercise 2: mixing the styles' parameters ---------------------------------------------------


def _mix_parameters(weights: Any, table: Any) -> np.ndarray:
    """stlib's mix of a table of per-style parameters: weights [B, N] (each row >= 0, not all
    zero), table [N, C] (gamma or beta) -> [B, C], each row made convex by
    ``stlib.cin.style_weights`` (divided by its sum) before it weighs the table's rows."""
    weights = np.asarray(weights, np.float64)
    table = np.asarray(table, np.float64)
    convex = np.stack([mixing.style_weights(row, table.shape[0]) for row in weights])
    return convex.astype(np.float64) @ table


def _mix_cases() -> list[tuple]:
    rng = np.random.default_rng(60)
    table3 = rng.uniform(0.5, 1.5, (3, 5))
    table4 = rng.normal(0.0, 0.5, (4, 6))
    return [
        (np.array([[1.0, 0.0, 0.0]]), table3),  # one style
        (np.array([[0.5, 0.5, 0.0]]), table3),  # a convex mix already
        (np.array([[2.0, 2.0, 0.0]]), table3),  # Magenta would double every gamma
        (np.array([[1.0, 0.0, 3.0, 0.0], [0.0, 1.0, 1.0, 2.0]]), table4),  # a batch of mixes
    ]


def _mix_hint(fn: Callable) -> str:
    weights, table = _mix_cases()[3]
    try:
        got = np.asarray(fn(weights, table), np.float64)
    except Exception:
        return ""
    slips = [
        (
            weights @ table,
            "These weights are used as given (Magenta's mixing): divide each row by its sum "
            "first, so that weights 2 and 2 give the same style as 0.5 and 0.5.",
        ),
        (
            (weights / weights.sum()) @ table,
            "Normalise each row (each image's mix) by its own sum, not the whole batch by one "
            "sum: weights.sum(axis=1, keepdims=True).",
        ),
        (
            (weights / weights.shape[1]) @ table,
            "Divide by the sum of the weights, not by the number of styles.",
        ),
        (
            (weights / weights.max(axis=1, keepdims=True)) @ table,
            "Divide by the sum of each row's weights, not by its largest weight.",
        ),
    ]
    for wrong, hint in slips:
        if got.shape == wrong.shape and np.allclose(got, wrong, rtol=1e-5, atol=1e-6):
            return hint
    return (
        "Make each row of weights sum to one, w / w.sum(axis=1, keepdims=True), then weigh the "
        "table's rows: a matrix product [B, N] @ [N, C] -> [B, C]."
    )


def check_mix_parameters(fn: Callable) -> Verdict:
    """Exercise 2: ``fn(weights, table)`` -> [B, C], against stlib's convex mixing on four cases
    (one style, an even mix, weights 2 and 2, a batch of two mixes)."""
    exercise = "mixing the styles' parameters"
    verdict = check_function(
        exercise,
        fn,
        _mix_parameters,
        _mix_cases(),
        rtol=1e-5,
        atol=1e-6,
        library=(mixing.style_weights, ConditionalInstanceNorm),
    )
    return with_hint(verdict, lambda: _mix_hint(fn))


# --- Exercise 3: what a style costs in the Android demo's network ---------------------------------


def _slim_numbers(styles: int = SLIM_STYLES) -> tuple[int, int]:
    """(numbers per style, parameters of the whole network of ``styles`` styles) for ``SLIM26``:
    the first from ``TransformerSpec.numbers_per_style``, the second from a built
    ``MultiStyleTransformer``."""
    from stlib.cin import SLIM26, MultiStyleTransformer

    model = MultiStyleTransformer(styles, SLIM26)
    model.build(None)
    return SLIM26.numbers_per_style, int(model.count_params())


# The demo's 26 styles first, then one style and Dumoulin et al.'s 32: a count, not one number.
SLIM_CASES = (SLIM_STYLES, 1, 32)


# Parts of the count, by hand (the tests check them against the model): channels of the 18
# normalised layers, and the weights of the 18 convolutions (no biases).
_SLIM_CHANNELS = 32 + 32 + 32 + 12 * 32 + 8 + 4 + 3  # 495
_SLIM_CONV_WEIGHTS = (
    9 * 9 * 3 * 32 + 2 * 3 * 3 * 32 * 32 + 12 * 3 * 3 * 32 * 32 + 3 * 3 * 32 * 8 + 3 * 3 * 8 * 4
) + 9 * 9 * 4 * 3  # 140,364
_SLIM_CONV_BIASES = 3 * 32 + 12 * 32 + 8 + 4 + 3  # what biases would add


def _slim_hint(answer: Any) -> str:
    """What a wrong pair most likely got wrong."""
    try:
        per_style, total = (int(round(float(v))) for v in np.asarray(answer, dtype=float).ravel())
    except (TypeError, ValueError):
        return "Give a pair of integers: (numbers per style, parameters of the whole network)."
    right_per_style = 2 * _SLIM_CHANNELS
    hints = []
    if per_style == _SLIM_CHANNELS:
        hints.append("Each normalised channel has two numbers per style: gamma and beta.")
    elif per_style == right_per_style - 6:
        hints.append("The last convolution (to 3 colours) is normalised too: 18 layers in all.")
    elif per_style == right_per_style - 2 * 2 * 32:
        hints.append("The demo network has six residual blocks (two convolutions each), not five.")
    elif per_style != right_per_style:
        hints.append(
            "Per style: a gamma and a beta for every channel of every normalised layer "
            "(3 contract, 12 residual, 3 expand convolutions)."
        )
    if total == _SLIM_CONV_WEIGHTS + right_per_style:
        hints.append("The table has a row for each of the 26 styles, not one.")
    elif total == _SLIM_CONV_WEIGHTS:
        hints.append("The total includes the 26 styles' gammas and betas.")
    elif total == _SLIM_CONV_WEIGHTS + _SLIM_CONV_BIASES + SLIM_STYLES * right_per_style:
        hints.append(
            "The convolutions have no bias: instance norm subtracts the mean, which would "
            "remove it anyway."
        )
    elif total != _SLIM_CONV_WEIGHTS + SLIM_STYLES * right_per_style:
        hints.append(
            "Total: k x k x C_in x C_out weights per convolution (no bias), plus 26 rows of "
            "gamma and beta."
        )
    return " ".join(hints)


def check_slim_numbers(fn: Callable) -> Verdict:
    """Exercise 3: ``fn(styles)`` -> (numbers per style, parameters of the demo's network with
    ``styles`` styles), exact, for 26, 1 and 32 styles."""
    import keras

    from stlib.cin import MultiStyleTransformer, TransformerSpec

    exercise = "the numbers of the demo's network"
    verdict = check_function(
        exercise,
        fn,
        _slim_numbers,
        [(styles,) for styles in SLIM_CASES],
        rtol=0.0,
        atol=0.0,
        library=(MultiStyleTransformer, TransformerSpec, keras.layers.Layer.count_params),
    )
    return with_hint(verdict, lambda: _slim_hint_for(fn))


def _slim_hint_for(fn: Callable) -> str:
    try:
        answer = fn(SLIM_STYLES)
    except Exception:  # the check already reported the student's errors
        return ""
    return _slim_hint(answer) or (
        "Right for 26 styles only: the total is the convolutions' weights plus one row of gamma "
        "and beta per style, so it grows by the numbers per style with each style."
    )


# --- Exercise 4: one training step ----------------------------------------------------------------

# A tiny transformer (4-8 channels, one residual block) on 16-px crops: the step runs in
# milliseconds, and what it does to every weight can be compared exactly.
_STEP_SPEC = ((4, 8, 8), 1, (8, 4))
_STEP_STEPS = 3
_STEP_LEARNING_RATE = 1e-2
_STEP_CASES = (  # (number of styles, the style of each crop, seed)
    (2, (0, 1), 0),
    (3, (2, 0, 2), 1),
)


class _ColourLoss:
    """A loss shaped like section 7's (``loss(photos, pastiches, styles)`` -> {term: [B]}) but
    without VGG, so that the check is fast: content = the pixels' mean squared difference from
    the photo, style = the squared distance of the pastiche's mean colour from its style's."""

    def __init__(self, num_styles: int):
        import tensorflow as tf

        self.colours = tf.constant(
            np.random.default_rng(num_styles).uniform(0.1, 0.9, (num_styles, 3)), tf.float32
        )

    def __call__(self, photos, pastiches, styles):
        import tensorflow as tf

        content = tf.reduce_mean(tf.square(pastiches - photos), axis=[1, 2, 3])
        mean_colour = tf.reduce_mean(pastiches, axis=[1, 2])  # [B, 3]
        wanted = tf.gather(self.colours, styles)
        style = 3.0 * tf.reduce_mean(tf.square(mean_colour - wanted), axis=1)
        return {"content": content, "style": style, "tv": 0.0 * style, "total": content + style}


@functools.lru_cache(maxsize=len(_STEP_CASES))
def _step_start(number: int) -> tuple[np.ndarray, ...]:
    """The initial weights of case ``number``'s network (random once, then reused)."""
    from stlib.cin import MultiStyleTransformer, TransformerSpec

    network = MultiStyleTransformer(_STEP_CASES[number][0], TransformerSpec(*_STEP_SPEC))
    network.build(None)
    return tuple(w.copy() for w in network.get_weights())


def _step_setup(number: int):
    """(network, optimizer, photos, styles, loss) of case ``number``, the same on every call."""
    import keras
    import tensorflow as tf

    from stlib.cin import MultiStyleTransformer, TransformerSpec

    num_styles, styles, seed = _STEP_CASES[number]
    network = MultiStyleTransformer(num_styles, TransformerSpec(*_STEP_SPEC))
    network.build(None)
    network.set_weights(list(_step_start(number)))
    photos = tf.random.stateless_uniform([len(styles), 16, 16, 3], seed=[seed, 7])
    optimizer = keras.optimizers.Adam(_STEP_LEARNING_RATE)
    return network, optimizer, photos, tf.constant(styles), _ColourLoss(num_styles)


def _step_outcome(step: Callable, number: int) -> dict:
    """What ``step`` does in ``_STEP_STEPS`` calls on case ``number``: the losses it returned,
    the loss after the last update, how far the tables and the convolutions moved, and every
    final weight."""
    import tensorflow as tf

    network, optimizer, photos, styles, loss = _step_setup(number)
    norm = {id(v) for layer in network.norm_layers() for v in (layer.gamma, layer.beta)}
    start = [v.numpy().copy() for v in network.trainable_variables]
    returned = []
    for _ in range(_STEP_STEPS):
        result = step(network, optimizer, photos, styles, loss)
        if not_attempted(result):
            return {"returned": None}
        if isinstance(result, dict):
            result = result["total"]
        returned.append(float(np.mean(np.asarray(result, np.float64))))
    moved = [(v, v.numpy() - s) for v, s in zip(network.trainable_variables, start)]
    pastiches = network([photos, tf.one_hot(styles, network.num_styles)])
    return {
        "returned": np.asarray(returned),
        "after": float(np.mean(loss(photos, pastiches, styles)["total"])),
        "norm_moved": float(sum(np.abs(d).sum() for v, d in moved if id(v) in norm)),
        "conv_moved": float(sum(np.abs(d).sum() for v, d in moved if id(v) not in norm)),
        "weights": np.concatenate([v.numpy().ravel() for v in network.trainable_variables]),
    }


def _reference_step(network, optimizer, photos, styles, loss):
    from stlib.cin.training import training_step

    return training_step(network, optimizer, photos, styles, loss)["total"]


def _as_vector(outcome: dict) -> np.ndarray | None:
    if outcome["returned"] is None:
        return None
    return np.concatenate([outcome["returned"], outcome["weights"]])


def _reference_vector(number: int) -> np.ndarray:
    return _as_vector(_step_outcome(_reference_step, number))


def _step_hint(fn: Callable) -> str:
    """Which of the usual slips the student's step makes, from case 1."""
    try:
        got = _step_outcome(fn, 0)
    except Exception:  # the check already reported the student's errors
        return ""
    want = _step_outcome(_reference_step, 0)
    returned, right = got["returned"], want["returned"]
    if returned is None:
        return ""
    if got["norm_moved"] == 0 and got["conv_moved"] == 0:
        return (
            "No weight changed: compute the gradients with tape.gradient(loss, "
            "network.trainable_variables) and apply them, optimizer.apply_gradients(zip(gradients, "
            "network.trainable_variables))."
        )
    if got["after"] > returned[0] and want["after"] < right[0]:
        return (
            "The loss grew: the optimizer minimises, so give it the gradient of the loss itself "
            "(not of -loss, not the negated gradients)."
        )
    if got["conv_moved"] == 0:
        return (
            "Only the normalisation tables moved: in training from scratch every weight learns "
            "(the convolutions from every style); only fine-tuning (section 8) freezes them."
        )
    if got["norm_moved"] == 0:
        return "The gammas and betas did not move: train every trainable variable of the network."
    batch = len(_STEP_CASES[0][1])
    if np.isclose(returned[0], batch * right[0], rtol=1e-4):  # the first: same weights
        return (
            "That is the sum over the crops: the loss of a batch is the mean of the crops' totals "
            "(tf.reduce_mean of loss(...)['total'])."
        )
    if np.allclose(returned[:-1], right[1:], rtol=1e-3):
        return (
            "The losses are those after each update: return the loss computed inside the tape, "
            "before optimizer.apply_gradients."
        )
    if np.allclose(returned[0], right[0], rtol=1e-4):
        return (
            "The first loss is right but the weights differ from Adam's: use the optimizer you "
            "are given (it keeps its moments from step to step; a new Adam per step forgets them) "
            "and paint each crop with its own style, tf.one_hot(styles, network.num_styles)."
        )
    return (
        "In a tf.GradientTape: pastiches = network([photos, tf.one_hot(styles, "
        "network.num_styles)], training=True), total = tf.reduce_mean(loss(photos, pastiches, "
        "styles)['total']); then the gradients of total for network.trainable_variables, applied "
        "by the optimizer; return total."
    )


def check_training_step(fn: Callable) -> Verdict:
    """Exercise 4: ``fn(network, optimizer, photos, styles, loss)`` -> the batch's mean total loss
    before the update, having updated every weight once. Run three times on two tiny networks
    (2 and 3 styles) with a VGG-free loss of section 7's shape, against ``cin.training_step``:
    the returned losses and every final weight must agree."""
    from stlib.cin import training

    exercise = "one training step"

    seen: dict[int, dict] = {}  # the student's outcomes, kept for the verdict's loss line

    def candidate(number: int) -> np.ndarray | None:
        seen[number] = _step_outcome(fn, number)
        return _as_vector(seen[number])

    verdict = check_function(
        exercise,
        candidate if callable(fn) else fn,
        _reference_vector,
        [(number,) for number in range(len(_STEP_CASES))],
        rtol=1e-4,
        atol=1e-6,
        library=(training.training_step, training.train),
    )
    if verdict:
        fell = " -> ".join(f"{value:.4f}" for value in seen[0]["returned"])
        return Verdict(
            exercise,
            True,
            f"{verdict.message} Case 1's loss, step by step: {fell}.",
            verdict.tolerance,
        )
    return with_hint(verdict, lambda: _step_hint(fn))
