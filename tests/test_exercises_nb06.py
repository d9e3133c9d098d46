"""Notebook 06's checks pass right answers, fail the usual wrong ones with a hint that names the
slip, and report stubs as not attempted; the references are stlib's own layer, mixing and model."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from stlib.cin import MAGENTA, SLIM26, ConditionalInstanceNorm, MultiStyleTransformer
from stlib.exercises import nb06
from stlib.exercises.solutions import nb06 as solutions

# --- Exercise 1: conditional instance norm --------------------------------------------------------


def _cin(x, w, gamma, beta, axes=(1, 2), ddof=0, scale="sqrt", pick=None):
    """Conditional instance norm in numpy, with one slip or none."""
    x = np.asarray(x, np.float64)
    mean = x.mean(axis=axes, keepdims=True)
    variance = x.var(axis=axes, keepdims=True, ddof=ddof)
    denominator = {
        "sqrt": np.sqrt(variance + 1e-5),
        "no epsilon": np.sqrt(variance),
        "std + eps": np.sqrt(variance) + 1e-5,
    }[scale]
    w = np.asarray(w, np.float64)
    if pick == "argmax":
        w = np.eye(w.shape[1])[w.argmax(axis=1)]
    elif pick == "convex":
        w = w / w.sum(axis=1, keepdims=True)
    g, b = (w @ gamma)[:, None, None, :], (w @ beta)[:, None, None, :]
    return g * (x - mean) / denominator + b


def test_the_solution_and_a_numpy_version_pass():
    assert nb06.check_conditional_instance_norm(solutions.conditional_instance_norm)
    assert nb06.check_conditional_instance_norm(_cin)


@pytest.mark.parametrize(
    ("slip", "hint"),
    [
        ({"axes": (0, 1, 2)}, "that is batch normalisation"),
        ({"axes": (1, 2, 3)}, "that is layer normalisation"),
        ({"axes": (0, 1, 2, 3)}, "The moments are taken over everything"),
        ({"ddof": 1}, "unbiased variance"),
        ({"scale": "no epsilon"}, "not by the standard deviation alone"),
        ({"scale": "std + eps"}, "Epsilon goes inside the square root"),
        ({"pick": "argmax"}, "Mix, do not pick"),
        ({"pick": "convex"}, "The layer uses the weights as given"),
    ],
)
def test_the_usual_slips_fail_with_their_hint(slip, hint):
    verdict = nb06.check_conditional_instance_norm(lambda *args: _cin(*args, **slip))
    assert not verdict and verdict.attempted
    assert hint in verdict.message, verdict.message


def test_more_cin_slips():
    def first_image_style(x, w, gamma, beta):
        return _cin(x, np.repeat(w[:1], len(w), axis=0), gamma, beta)

    def swapped(x, w, gamma, beta):
        return _cin(x, w, beta, gamma)

    def unbroadcast(x, w, gamma, beta):  # [B, C] against [B, H, W, C]: aligns B with W
        x_hat = _cin(x, w, np.ones_like(gamma), np.zeros_like(beta))
        return (w @ gamma) * x_hat + w @ beta

    verdict = nb06.check_conditional_instance_norm(first_image_style)
    assert not verdict and "Each image has its own row of style weights" in verdict.message
    verdict = nb06.check_conditional_instance_norm(swapped)
    assert not verdict and "gamma scales and beta shifts" in verdict.message
    verdict = nb06.check_conditional_instance_norm(unbroadcast)
    assert not verdict and "case 2 raised ValueError" in verdict.message
    assert "[B, 1, 1, C]" in verdict.message
    verdict = nb06.check_conditional_instance_norm(lambda x, w, g, b: x)
    assert not verdict and "Per image and channel" in verdict.message
    assert "not attempted" in nb06.check_conditional_instance_norm(lambda *a: None).message
    assert nb06.check_conditional_instance_norm(None).tolerance == "rtol=1e-4, atol=1e-5"


def test_the_cin_reference_is_the_layer():
    """The reference is stlib's layer given the tables; it matches an independent numpy CIN, and
    the cases cover what the hints rely on."""
    cases = nb06._cin_cases()
    for x, w, gamma, beta in cases:
        np.testing.assert_allclose(
            nb06._conditional_instance_norm(x, w, gamma, beta),
            _cin(x, w, gamma, beta),
            rtol=1e-4,
            atol=1e-5,
        )
    assert any(len(w) > 1 and not np.allclose(w[0], w[1]) for _, w, _, _ in cases)
    assert any(not np.allclose(w.sum(axis=1), 1.0) for _, w, _, _ in cases)
    assert any(x.std(axis=(1, 2)).min() < 3e-3 for x, _, _, _ in cases)  # epsilon shows there
    layer = ConditionalInstanceNorm(2)
    layer.build(((None, None, None, 3), (None, 2)))
    assert layer.epsilon == nb06.EPSILON


# --- Exercise 2: mixing ------------------------------------------------------------------------


def test_mix_parameters_check():
    assert nb06.check_mix_parameters(solutions.mix_parameters)
    assert nb06.check_mix_parameters(lambda w, t: (w / w.sum(axis=1, keepdims=True)) @ t)
    wrong = nb06.check_mix_parameters(lambda w, t: w @ t)
    assert not wrong and "case 3" in wrong.message and "divide each row by its sum" in wrong.message
    wrong = nb06.check_mix_parameters(lambda w, t: (w / w.sum()) @ t)
    assert not wrong and "by its own sum, not the whole batch" in wrong.message
    wrong = nb06.check_mix_parameters(lambda w, t: (w / w.shape[1]) @ t)
    assert not wrong and "not by the number of styles" in wrong.message
    wrong = nb06.check_mix_parameters(lambda w, t: t.T @ w[0])
    assert not wrong and "shape (5,), expected (1, 5)" in wrong.message
    assert "not attempted" in nb06.check_mix_parameters(lambda w, t: None).message
    assert nb06.check_mix_parameters(None).tolerance == "rtol=1e-5, atol=1e-6"


def test_the_mix_reference_is_what_the_model_paints_with():
    """Mixed parameters in a one-style layer give what the layer gives for the convex weights."""
    rng = np.random.default_rng(3)
    gamma, beta = rng.uniform(0.5, 1.5, (3, 4)), rng.normal(size=(3, 4))
    weights = np.array([[2.0, 2.0, 0.0], [1.0, 0.0, 3.0]])
    x = rng.normal(size=(2, 5, 5, 4)).astype(np.float32)
    convex = weights / weights.sum(axis=1, keepdims=True)
    want = nb06._conditional_instance_norm(x, convex, gamma, beta)
    mixed_gamma, mixed_beta = (nb06._mix_parameters(weights, t) for t in (gamma, beta))
    x_hat = nb06._conditional_instance_norm(x, np.ones((2, 1)), np.ones((1, 4)), np.zeros((1, 4)))
    got = mixed_gamma[:, None, None, :] * x_hat + mixed_beta[:, None, None, :]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


# --- Exercise 3: counting ----------------------------------------------------------------------


def test_slim_numbers_check():
    assert nb06.check_slim_numbers(solutions.slim_numbers)
    assert solutions.slim_numbers(26) == (990, 166_104)
    cases = {
        (495, 166_104): "two numbers per style: gamma and beta",
        (984, 166_104): "The last convolution (to 3 colours) is normalised too",
        (862, 166_104): "six residual blocks",
        (990, 141_354): "a row for each of the 26 styles",
        (990, 140_364): "The total includes the 26 styles' gammas and betas",
        (990, 166_599): "The convolutions have no bias",
        (990, 1): "k x k x C_in x C_out weights per convolution",
    }
    for answer, hint in cases.items():
        verdict = nb06.check_slim_numbers(lambda styles, answer=answer: answer)
        assert not verdict and hint in verdict.message, (answer, verdict.message)
    only_26 = nb06.check_slim_numbers(lambda styles: (990, 166_104))  # the old answer, fixed
    assert (
        not only_26
        and "case 2" in only_26.message
        and "Right for 26 styles only" in (only_26.message)
    )
    assert "Give a pair of integers" in nb06.check_slim_numbers(lambda styles: 990).message
    assert not nb06.check_slim_numbers(lambda styles: (990, 140_364.5 + styles * 990))  # exact
    assert "not attempted" in nb06.check_slim_numbers(None).message


def test_the_counts_behind_the_hints_are_the_models():
    per_style, total = nb06._slim_numbers()
    assert per_style == SLIM26.numbers_per_style == 2 * nb06._SLIM_CHANNELS
    assert total == nb06._SLIM_CONV_WEIGHTS + nb06.SLIM_STYLES * per_style
    model = MultiStyleTransformer(1, SLIM26)
    model.build(None)
    kernels = sum(int(np.prod(v.shape)) for v in model.weights if "kernel" in v.path)
    assert kernels == nb06._SLIM_CONV_WEIGHTS
    assert len(model.norm_layers()) == 18
    assert MAGENTA.numbers_per_style == 3206


def test_checks_never_print(capsys):
    nb06.check_conditional_instance_norm(lambda *args: tf.zeros([1]))
    nb06.check_mix_parameters(lambda w, t: 1 / 0)
    nb06.check_slim_numbers(lambda styles: "990")
    assert capsys.readouterr().out == ""


# --- Exercise 4: one training step ----------------------------------------------------------------


def _step_with(*, sign=1.0, reduce=tf.reduce_mean, variables="all", apply=True, after=False):
    """The right step, or one with a usual slip."""

    def step(network, optimizer, photos, styles, loss):
        chosen = network.trainable_variables
        if variables != "all":
            norm = [v for layer in network.norm_layers() for v in (layer.gamma, layer.beta)]
            ids = {id(v) for v in norm}
            chosen = norm if variables == "norm" else [v for v in chosen if id(v) not in ids]
        with tf.GradientTape() as tape:
            pastiches = network([photos, tf.one_hot(styles, network.num_styles)], training=True)
            total = reduce(loss(photos, pastiches, styles)["total"])
            signed = sign * total
        gradients = tape.gradient(signed, chosen)
        if apply:
            optimizer.apply_gradients(zip(gradients, chosen))
        if after:
            pastiches = network([photos, tf.one_hot(styles, network.num_styles)])
            return tf.reduce_mean(loss(photos, pastiches, styles)["total"])
        return total

    return step


def _fresh_adam_step(network, optimizer, photos, styles, loss):
    import keras

    return solutions.training_step(network, keras.optimizers.Adam(1e-2), photos, styles, loss)


def test_training_step_check():
    right = nb06.check_training_step(solutions.training_step)
    assert right and "Case 1's loss, step by step:" in right.message
    losses = [float(x) for x in right.message.split("step by step: ")[1].rstrip(".").split(" -> ")]
    assert losses[-1] < losses[0]  # the student sees their own step make the loss fall
    slips = {
        "No weight changed": _step_with(apply=False),
        "The loss grew": _step_with(sign=-1.0),
        "Only the normalisation tables moved": _step_with(variables="norm"),
        "The gammas and betas did not move": _step_with(variables="conv"),
        "That is the sum over the crops": _step_with(reduce=tf.reduce_sum),
        "those after each update": _step_with(after=True),
        "a new Adam per step forgets them": _fresh_adam_step,
    }
    for hint, step in slips.items():
        verdict = nb06.check_training_step(step)
        assert not verdict and hint in verdict.message, (hint, verdict.message)
    assert "not attempted" in nb06.check_training_step(None).message
    assert "not attempted" in nb06.check_training_step(lambda *args: None).message


def test_training_step_reference_is_the_step_train_runs():
    """cin.training_step on a tiny network: the gradient it applies is the tape's, its loss the
    batch mean, and only masked-in rows move when fine-tuning."""
    import keras

    from stlib.cin import training_step

    network, optimizer, photos, styles, loss = nb06._step_setup(0)
    before = [v.numpy().copy() for v in network.trainable_variables]
    pastiches = network([photos, tf.one_hot(styles, network.num_styles)])
    expected = float(tf.reduce_mean(loss(photos, pastiches, styles)["total"]))
    terms = training_step(network, keras.optimizers.SGD(0.0), photos, styles, loss)
    assert float(terms["total"]) == pytest.approx(expected, rel=1e-6)
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(before, network.trainable_variables))
    norm = [v for layer in network.norm_layers() for v in (layer.gamma, layer.beta)]
    masks = [tf.constant([[0.0], [1.0]])] * len(norm)  # style 1's rows only
    training_step(network, optimizer, photos, styles, loss, variables=norm, masks=masks)
    norm_ids = {id(v) for v in norm}
    for variable, start in zip(network.trainable_variables, before):
        moved = variable.numpy() - start
        if id(variable) in norm_ids:  # [2 styles, C]: style 0's row kept, style 1's trained
            assert np.all(moved[0] == 0) and np.any(moved[1] != 0), variable.path
        else:
            assert np.all(moved == 0), variable.path  # convolutions frozen
