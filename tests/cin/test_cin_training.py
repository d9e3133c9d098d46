"""stlib.cin.training: the settings, the loop (losses fall, styles come apart), checkpoints that
resume to the same weights, Ctrl-C, fine-tuning that touches only the new style, distribution
strategies and mixed precision. Tiny networks and crops: the widths do not matter here."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import stlib
from stlib.cin import training
from stlib.validation import SettingError, SettingTypeError

TINY = {"contract": (8, 8, 8), "residual_blocks": 1, "expand": (8, 8)}


def tiny(**changes) -> training.TrainConfig:
    """A few steps on 32-px crops, batch 2, a tiny network; no samples, no checkpoints."""
    settings = dict(
        steps=4,
        size=32,
        batch=2,
        style_size=64,
        sample_size=48,
        sample_every=0,
        checkpoint_every=0,
        spec=TINY,
        learning_rate=0.01,
    )
    return training.TrainConfig(**{**settings, **changes})


def _stripes(angle: float, colors) -> np.ndarray:
    """A 96x96 uint8 painting of stripes at ``angle`` in two colours."""
    y, x = np.mgrid[0:96, 0:96]
    wave = np.sin((np.cos(angle) * x + np.sin(angle) * y) / 3.0) > 0
    return np.where(wave[..., None], colors[0], colors[1]).astype(np.uint8)


STYLE_A = _stripes(0.0, ((150, 170, 90), (60, 80, 150)))
STYLE_B = _stripes(np.pi / 2, ((170, 80, 60), (190, 150, 100)))


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """A folder of four smooth synthetic photos (gradients and blobs)."""
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:80, 0:100] / 80.0
    for k in range(4):
        base = rng.random(3)
        pixels = np.stack([base[c] * (1 - x) + (1 - base[c]) * y for c in range(3)], axis=-1)
        pixels += 0.3 * np.exp(-((x - rng.random()) ** 2 + (y - rng.random()) ** 2) * 20)[..., None]
        Image.fromarray((np.clip(pixels, 0, 1) * 255).astype(np.uint8)).save(folder / f"{k}.png")
    return folder


# --- settings ------------------------------------------------------------------------------------


def test_the_presets_are_valid_and_round_trip_through_json():
    for name, config in training.PRESETS.items():
        assert config.preset == name
        again = training.TrainConfig.from_dict(json.loads(json.dumps(config.to_dict())))
        assert again == config
    quick, full = training.preset("quick"), training.preset("full")
    assert quick.size < full.size and quick.steps < full.steps
    assert full.learning_rate == 1e-3 and full.tv_weight == 0  # Magenta's
    assert training.preset("quick", seed=3).seed == 3


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"size": 16}, "size=16: must be a whole number in [32, 2048]"),
        ({"steps": 0}, "steps=0: must be a whole number in [1, 10000000]"),
        ({"batch": 2.5}, "batch=2.5: is not a whole number"),
        ({"learning_rate": 0.0}, "learning_rate=0.0: must be a finite number in (0, 1]"),
        ({"style_weight": 0.0}, "style_weight=0.0: must be > 0"),
        ({"content_layer": "block9_conv9"}, "content_layer='block9_conv9'"),
        ({"style_layers": {"relu1_1": -1.0}}, "style_layers={'relu1_1': -1.0}: must be"),
        ({"mixed_precision": "float16"}, "mixed_precision='float16': choose from None"),
        ({"spec": "huge"}, "spec='huge': choose from 'magenta', 'slim26'"),
        ({"spec": {"contract": (8, 8), "expand": (8, 8)}}, "contract needs 3 widths"),
        ({"pooling": "mean"}, "pooling='mean': choose from 'max', 'avg'"),
    ],
)
def test_bad_settings_name_the_field_and_what_is_accepted(changes, message):
    with pytest.raises(SettingError) as error:
        training.TrainConfig(**changes)
    assert message in str(error.value)


def test_unknown_fields_are_refused_with_a_suggestion():
    with pytest.raises(TypeError, match="did you mean 'learning_rate'"):
        training.preset("quick").replace(learnin_rate=0.1)
    with pytest.raises(SettingTypeError, match="expected True or False"):
        training.TrainConfig(jit_compile="yes")


def test_the_spelled_out_widths_are_those_of_the_transformer_module():
    from stlib.cin import transformer

    for name, spec in transformer.SPECS.items():
        assert training.SPECS[name] == dataclasses.asdict(spec)
        assert training.TrainConfig(spec=spec).transformer_spec() == spec
        assert training.TrainConfig(spec=name).transformer_spec() == spec


def test_the_module_checks_settings_without_starting_tensorflow():
    code = (
        "import sys; from stlib.cin import training; training.preset('quick', size=64); "
        "print('tensorflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# --- the loss ------------------------------------------------------------------------------------


def test_the_per_sample_style_term_averages_to_stlib_losses(vgg_weights):
    import tensorflow as tf

    from stlib import losses

    config = tiny()
    styles = [tf.constant(STYLE_A[None] / 255.0, tf.float32), tf.constant(STYLE_B[None] / 255.0)]
    terms = training.TrainingLoss(
        config, [tf.cast(s, tf.float32) for s in styles], tf.distribute.get_strategy()
    )
    rng = np.random.default_rng(0)
    photos = tf.constant(rng.random((2, 32, 32, 3)), tf.float32)
    pastiches = tf.constant(rng.random((2, 32, 32, 3)), tf.float32)
    rows = tf.constant([1, 0])
    per_sample = terms(photos, pastiches, rows)
    features = terms.pastiche_net(pastiches)
    wanted = {name: tf.gather(grams, rows) for name, grams in terms.grams.items()}
    expected = config.style_weight * losses.style_loss(features, wanted, config.style_layers)
    np.testing.assert_allclose(float(tf.reduce_mean(per_sample["style"])), float(expected), 1e-5)
    content = losses.content_loss(
        features[config.content_layer], terms.photo_net(photos)[config.content_layer]
    )
    np.testing.assert_allclose(float(tf.reduce_mean(per_sample["content"])), float(content), 1e-5)


# --- training ------------------------------------------------------------------------------------


PAINTINGS = ["starry_night", "the_scream"]


@pytest.fixture(scope="module")
def two_styles(tmp_path_factory, photos, vgg_weights):
    """Two paintings, 24 steps: (output path, model, history); skips without the samples."""
    if not os.environ.get("STLIB_DATA_DIR"):
        pytest.skip("STLIB_DATA_DIR is not set: the sample paintings are not available offline")
    output = tmp_path_factory.mktemp("two") / "two.keras"
    config = tiny(steps=24, sample_every=12, checkpoint_every=12, sample_size=48)
    model, history, _ = training.train(
        PAINTINGS, output, config, content_dir=photos, progress=False
    )
    return output, model, history


def test_the_loss_falls_and_the_files_are_written(two_styles):
    output, model, history = two_styles
    assert history.steps == list(range(1, 25))
    total = np.asarray(history.terms["total"])
    assert total[-8:].mean() < 0.7 * total[:4].mean()
    assert all(np.isfinite(total))
    assert output.is_file() and training.checkpoint_path(output).is_file()
    samples = sorted(p.name for p in training.samples_folder(output).iterdir())
    assert samples == ["step_000012.png", "step_000024.png"]
    strip = Image.open(training.samples_folder(output) / "step_000024.png")
    # The photo and one pastiche per style side by side; the paintings under them.
    assert strip.size == (3 * (48 + 4), 2 * 38 + 4)  # photos of 100x80 px at 48 px
    saved = json.loads(training.history_path(output).read_text())
    assert saved["steps"][-1] == 24 and saved["style_names"] == PAINTINGS


@pytest.mark.slow
def test_each_style_paints_closer_to_its_own_painting(two_styles, tmp_path, photos):
    import tensorflow as tf

    from stlib import images

    config = tiny(steps=150, size=48)
    model, _, _ = training.train(
        PAINTINGS, tmp_path / "apart.keras", config, content_dir=photos, progress=False
    )
    styles = training._load_styles(PAINTINGS, config.style_size)
    terms = training.TrainingLoss(config, styles, tf.distribute.get_strategy())
    photo = images.resize(images.load(photos / "1.png"), 64)
    painted = model([tf.repeat(photo, 2, axis=0), tf.eye(2)])
    assert float(tf.reduce_mean(tf.abs(painted[0] - painted[1]))) > 0.02
    distance = np.array(
        [
            [float(terms(photo, painted[s : s + 1], tf.constant([t]))["style"][0]) for t in (0, 1)]
            for s in (0, 1)
        ]
    )
    # distance[s, t]: the photo painted in style s against the Grams of painting t. Each
    # painting's Grams are matched better by its own style than by the other (the paintings'
    # Grams differ in magnitude, so rows are not comparable; columns are).
    assert distance[0, 0] < distance[1, 0] and distance[1, 1] < distance[0, 1], distance


def test_the_saved_network_loads_with_its_style_names(two_styles):
    import keras

    output, model, _ = two_styles
    loaded = keras.saving.load_model(output)
    assert loaded.style_names == PAINTINGS
    assert loaded.dtype_policy.name == "float32"
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_history_draws_with_plotting(two_styles):
    import matplotlib

    matplotlib.use("Agg")
    from stlib import plotting

    _, _, history = two_styles
    figure = plotting.loss_curves(history, terms=("content", "style", "total"))
    assert len(figure.axes[0].lines) == 3
    plotting.loss_curves({"run": history}, x="seconds")


def _interrupt_at(step: int):
    def callback(info):
        if info.step == step:
            raise KeyboardInterrupt

    return callback


def test_ctrl_c_writes_a_checkpoint_and_resuming_reaches_the_same_weights(
    tmp_path, photos, vgg_weights
):
    config = tiny(steps=6, checkpoint_every=0)
    straight, _, _ = training.train(
        [STYLE_A, STYLE_B], tmp_path / "straight.keras", config, content_dir=photos, progress=False
    )
    output = tmp_path / "resumed.keras"
    with pytest.raises(stlib.Interrupted) as interrupted:  # a KeyboardInterrupt
        training.train(
            [STYLE_A, STYLE_B],
            output,
            config,
            content_dir=photos,
            callbacks=[_interrupt_at(3)],
            progress=False,
        )
    assert interrupted.value.step == 3 and interrupted.value.result.model.num_styles == 2
    assert not output.exists()
    meta = training.read_checkpoint_meta(training.checkpoint_path(output))
    assert meta["step"] == 3 and meta["history"]["steps"] == [1, 2, 3]
    resumed, history, _ = training.train(
        [STYLE_A, STYLE_B], output, config, content_dir=photos, resume=True, progress=False
    )
    assert history.steps == [1, 2, 3, 4, 5, 6]
    largest = max(
        float(np.max(np.abs(a - b))) for a, b in zip(straight.get_weights(), resumed.get_weights())
    )
    assert largest <= 1e-6, largest


def test_resuming_with_other_settings_is_refused(tmp_path, photos):
    output = tmp_path / "run.keras"
    with pytest.raises(SettingError, match="there is no checkpoint to resume"):
        training.train([STYLE_A], output, tiny(), content_dir=photos, resume=True, progress=False)
    meta = {"config": tiny(steps=2).to_dict(), "style_names": ["style 0"], "finetune": None}
    meta = {**meta, "format": training.CHECKPOINT_FORMAT, "step": 2}
    np.savez(training.checkpoint_path(output), meta=np.array(json.dumps(meta)))
    with pytest.raises(SettingError, match=r"size=48: the checkpoint was made with size=32"):
        training.train([STYLE_A], output, tiny(steps=4, size=48), content_dir=photos, resume=True)
    meta = training.read_checkpoint_meta(training.checkpoint_path(output))
    training.check_resumable(meta, tiny(steps=4, sample_every=2, jit_compile=True), ["style 0"])
    with pytest.raises(SettingError, match="already at step 2"):
        training.check_resumable(meta, tiny(steps=1), ["style 0"])
    with pytest.raises(SettingError, match="made with the styles"):
        training.check_resumable(meta, tiny(steps=4), ["other"])
    with pytest.raises(SettingError, match="not a stlib training checkpoint"):
        training.read_checkpoint_meta(photos / "0.png")


def test_checkpoints_are_written_whole_or_not_at_all(tmp_path, monkeypatch, vgg_weights):
    import keras

    model = training._new_model(
        1, training.TrainConfig(spec=TINY).transformer_spec(), ["a"], None, 0
    )
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)
    path = tmp_path / "run_checkpoint.npz"
    training._write_checkpoint(path, model, optimizer, 5, {"config": {}})
    before = path.read_bytes()

    def broken(file, **arrays):
        file.write(b"half a checkpoint")
        raise KeyboardInterrupt  # Ctrl-C in the middle of the write

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(KeyboardInterrupt):
        training._write_checkpoint(path, model, optimizer, 6, {"config": {}})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_checkpoint.npz"]  # no debris
    assert training.read_checkpoint_meta(path)["step"] == 5


# --- fine-tuning ---------------------------------------------------------------------------------


def test_a_new_style_row_starts_at_the_mean_or_at_the_identity(two_styles):
    _, model, _ = two_styles
    for init in ("mean", "identity"):
        extended = training.extend_styles(model, ["new"], init)
        assert extended.style_names == [*PAINTINGS, "new"]
        for old, new in zip(model.norm_layers(), extended.norm_layers()):
            gamma, beta = new.gamma.numpy(), new.beta.numpy()
            np.testing.assert_array_equal(gamma[:2], old.gamma.numpy())
            expected_gamma = old.gamma.numpy().mean(0) if init == "mean" else 1.0
            expected_beta = old.beta.numpy().mean(0) if init == "mean" else 0.0
            np.testing.assert_allclose(gamma[2], expected_gamma, rtol=1e-6)
            np.testing.assert_allclose(beta[2], expected_beta, atol=1e-7)


def test_fine_tuning_trains_only_the_new_rows(two_styles, tmp_path, photos, monkeypatch):
    from stlib.cin import content

    base_path, base, _ = two_styles
    drawn = []
    original = content.CropStream.__init__

    def spy(self, *args, **kwargs):
        drawn.append(list(kwargs["styles"]))
        original(self, *args, **kwargs)

    monkeypatch.setattr(content.CropStream, "__init__", spy)
    model, history, _ = training.train(
        [STYLE_B[::-1]],
        tmp_path / "three.keras",
        tiny(steps=5),
        content_dir=photos,
        finetune=base_path,
        progress=False,
    )
    assert drawn == [[2]]  # only the new style is drawn
    assert model.style_names == [*PAINTINGS, "style 2"]
    assert len(history) == 5
    new_row_moved = False
    for old, new in zip(base.weights, model.weights):
        value = new.numpy()
        if "gamma" in new.path or "beta" in new.path:
            np.testing.assert_array_equal(value[:2], old.numpy())  # the old styles, exactly
            new_row_moved |= not np.allclose(value[2], old.numpy().mean(0), atol=1e-6)
        else:
            np.testing.assert_array_equal(value, old.numpy())  # every kernel, bit for bit
    assert new_row_moved


def test_fine_tuning_refuses_a_file_that_is_not_a_multi_style_network(tmp_path, photos):
    import keras

    other = tmp_path / "dense.keras"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(other)
    with pytest.raises(SettingError, match="not a stlib multi-style network"):
        training.train([STYLE_A], tmp_path / "o.keras", tiny(), content_dir=photos, finetune=other)
    with pytest.raises(SettingError, match="no such file"):
        training.train(
            [STYLE_A], tmp_path / "o.keras", tiny(), content_dir=photos, finetune=tmp_path / "x"
        )


# --- strategies and precision --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["mirrored", pytest.param("one_device", marks=pytest.mark.slow)])
def test_training_runs_under_a_distribution_strategy(kind, tmp_path, photos, vgg_weights):
    import tensorflow as tf

    strategy = (
        tf.distribute.MirroredStrategy(["/cpu:0"])
        if kind == "mirrored"
        else tf.distribute.OneDeviceStrategy("/cpu:0")
    )
    model, history, _ = training.train(
        [STYLE_A, STYLE_B],
        tmp_path / "m.keras",
        tiny(steps=2, sample_every=2),
        content_dir=photos,
        strategy=strategy,
        progress=False,
    )
    assert len(history) == 2 and all(np.isfinite(history.total))
    assert (tmp_path / "m.keras").is_file()


def test_mixed_bfloat16_trains_and_saves_a_float32_network(tmp_path, photos, vgg_weights):
    import keras

    model, history, _ = training.train(
        [STYLE_A],
        tmp_path / "bf16.keras",
        tiny(steps=1, mixed_precision="mixed_bfloat16"),
        content_dir=photos,
        progress=False,
    )
    assert all(np.isfinite(history.total))
    assert keras.config.dtype_policy().name == "float32"  # the global policy is left as it was
    loaded = keras.saving.load_model(tmp_path / "bf16.keras")
    assert loaded.dtype_policy.name == "float32"
    assert all(layer.dtype_policy.name == "float32" for layer in loaded.norm_layers())
