r"""Training the multi-style network (Dumoulin et al. 2017) with the perceptual losses.

    from stlib.cin.training import TrainConfig, preset, train
    model, history, config = train(["starry_night", "the_scream"], "two.keras", preset("quick"))
    three = train(["great_wave"], "three.keras", finetune="two.keras").model

Every batch is a set of random photo crops (:class:`stlib.cin.content.CropStream`); each crop
gets a random style ``s`` (a one-hot weight vector), the network paints it, and VGG19 compares:

.. math::
    L = \alpha\, \operatorname{mean}\big((F_c(T(x, s)) - F_c(x))^2\big)
      + \beta \sum_l w_l \operatorname{mean}\big((G_l(T(x, s)) - A_l^{(s)})^2\big)
      + \gamma\, \operatorname{mean}(\text{squared neighbour differences of } T(x, s))

averaged over the batch, with :math:`A_l^{(s)}` the Gram matrices of style s (computed once,
from the style image at ``style_size`` px) and stlib's Gram normalisation (``stlib.losses``:
divided by the positions). Adam updates every weight; only the CIN rows of the styles in the batch
receive a gradient, the convolutions learn from all of them.

Checkpoints (weights, Adam's state, the step; the data are a pure function of the seed and the
step) are written atomically every ``checkpoint_every`` steps, at the end and on Ctrl-C, beside the
output as ``<stem>_checkpoint.npz``; ``resume=True`` continues one and ends where an uninterrupted
run ends. Samples (a fixed photo painted in every style, one strip) go to ``<stem>_samples/``.

Fine-tuning (``finetune=BASE.keras``) adds one style to a trained network: the new CIN rows are
the only variables trained (Magenta's ``image_stylization_finetune.py`` trains the InstanceNorm
variables only; stlib narrows it to the new row), the convolutions and the old rows stay exact.

No TensorFlow at import time: the settings are checked before it starts.
"""

from __future__ import annotations

import contextlib
import json
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stlib.cin.train_config import (  # noqa: F401  (re-exported: the training API in one place)
    FIELDS,
    MAX_SIZE,
    MIN_SIZE,
    MIXED_PRECISIONS,
    NEW_STYLE_INITS,
    POOLINGS,
    PRESETS,
    SPECS,
    STYLE_LAYERS,
    TrainConfig,
    default_config,
    preset,
)
from stlib.progress import ProgressBar
from stlib.results import Interrupted, Trained
from stlib.validation import SettingError, SettingTypeError

__all__ = [
    "CHECKPOINT_FORMAT",
    "PRESETS",
    "TERMS",
    "TrainConfig",
    "TrainHistory",
    "TrainStep",
    "TrainingLoss",
    "checkpoint_path",
    "read_checkpoint_meta",
    "preset",
    "samples_folder",
    "train",
    "training_step",
]

TERMS = ("content", "style", "tv", "total")
CHECKPOINT_FORMAT = "stlib.cin.training checkpoint 1"


# --- history and callbacks -----------------------------------------------------------------------


@dataclass
class TrainHistory:
    """Losses per step (weighted terms and total, batch means) and wall seconds since the start.

    Lists are aligned: entry i describes step ``steps[i]`` (1-based). A resumed run continues the
    history it was saved with, seconds included. ``stlib.plotting.loss_curves`` draws it (x =
    "step", "seconds" or "evaluations", which are the steps: one loss evaluation per step).
    """

    steps: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    terms: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in TERMS})
    style_names: list[str] = field(default_factory=list)

    def record(self, step: int, seconds: float, losses: Mapping[str, float]) -> None:
        self.steps.append(int(step))
        self.seconds.append(float(seconds))
        for name in TERMS:
            self.terms[name].append(float(losses[name]))

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def evaluations(self) -> list[int]:
        return self.steps

    @property
    def total(self) -> list[float]:
        return self.terms["total"]

    @property
    def final_losses(self) -> dict[str, float]:
        return {name: values[-1] for name, values in self.terms.items()} if self.steps else {}

    def seconds_per_step(self) -> float:
        """Median wall seconds between consecutive steps (NaN with fewer than two steps)."""
        gaps = sorted(b - a for a, b in zip(self.seconds, self.seconds[1:]))
        return gaps[len(gaps) // 2] if gaps else float("nan")

    def smoothed(self, term: str = "total", window: int = 50) -> np.ndarray:
        """The running mean of a term over ``window`` steps (batch losses are noisy)."""
        values = np.asarray(self.terms[term], np.float64)
        window = max(1, min(window, len(values)))
        return np.convolve(values, np.ones(window) / window, mode="valid")

    def truncated(self, step: int) -> TrainHistory:
        keep = sum(1 for s in self.steps if s <= step)
        return TrainHistory(
            self.steps[:keep],
            self.seconds[:keep],
            {name: values[:keep] for name, values in self.terms.items()},
            list(self.style_names),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "seconds": self.seconds,
            "terms": self.terms,
            "style_names": self.style_names,
        }

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainHistory:
        return cls(
            [int(s) for s in values["steps"]],
            [float(s) for s in values["seconds"]],
            {name: [float(v) for v in values["terms"][name]] for name in TERMS},
            list(values.get("style_names", [])),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


@dataclass(frozen=True)
class TrainStep:
    """What a callback sees after each step: ``step`` (1-based), the batch's weighted losses,
    wall seconds since the start, and the model being trained (read it, do not change it)."""

    step: int
    total_steps: int
    losses: dict[str, float]
    seconds: float
    model: Any = field(repr=False)


Callback = Callable[[TrainStep], None]


# --- files beside the output ---------------------------------------------------------------------


def checkpoint_path(output: str | Path) -> Path:
    """``run.keras`` -> ``run_checkpoint.npz`` beside it."""
    output = Path(output).expanduser()
    return output.with_name(f"{output.stem}_checkpoint.npz")


def samples_folder(output: str | Path) -> Path:
    """``run.keras`` -> the folder ``run_samples`` beside it (``step_000200.png``...)."""
    output = Path(output).expanduser()
    return output.with_name(f"{output.stem}_samples")


def history_path(output: str | Path) -> Path:
    """``run.keras`` -> ``run_history.json`` beside it."""
    output = Path(output).expanduser()
    return output.with_name(f"{output.stem}_history.json")


def check_training_paths(
    output: str | Path,
    styles: Sequence[object],
    *,
    finetune: str | Path | None = None,
    content_dir: str | Path | None = None,
    samples: bool = True,
    output_label: str = "output",
) -> tuple[Path, Path]:
    """Check every file a training run writes against every file it reads, before any work.

    The network (``output``), its checkpoint and history, and the samples folder (when
    ``samples``) must each differ from the styles, the ``finetune`` network, the ``content_dir``
    photos and one another (``stlib.outputs.check_run_paths``). ``output_label`` names the
    network in messages (``--output`` for the command line). No TensorFlow.

    Returns:
        (output, checkpoint) as paths.

    Raises:
        OutputPathError: naming the output and the input it would replace.
    """
    from stlib import outputs

    inputs = [s for s in styles if isinstance(s, (str, Path))] + [finetune, content_dir]
    inputs = [str(Path(entry).expanduser()) for entry in inputs if entry is not None]
    output = Path(output).expanduser()
    files = [
        (output_label, output, (".keras",)),
        ("checkpoint", checkpoint_path(output), None),
        ("history", history_path(output), None),
    ]
    folders = [("samples folder", samples_folder(output))] if samples else []
    output, checkpoint, _ = outputs.check_run_paths(files, inputs=inputs, folders=folders)
    return output, checkpoint


def read_checkpoint_meta(path: str | Path) -> dict[str, Any]:
    """The settings a checkpoint was written with (no TensorFlow): config, step, styles, mode.

    Raises:
        SettingError: not a stlib training checkpoint.
    """
    path = Path(path).expanduser()
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"]))
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as error:
        # np.load of a truncated .npz raises BadZipFile (neither OSError nor ValueError)
        raise SettingError(
            {},
            f"'{path}' is not a stlib training checkpoint, or it is truncated "
            f"({type(error).__name__}: {error}); start afresh without resuming",
        ) from None
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise SettingError({}, f"'{path}' is not a stlib training checkpoint (unknown format)")
    return meta


# Settings a resumed run may change: they do not alter what is learned.
RESUMABLE_CHANGES = ("steps", "sample_every", "sample_size", "checkpoint_every", "jit_compile")


def check_resumable(meta: Mapping[str, Any], config: TrainConfig, style_names: Sequence[str]):
    """Refuse to resume a checkpoint with settings that would make another network.

    Raises:
        SettingError: naming the settings that differ and the checkpoint's values.
    """
    saved = TrainConfig.from_dict(meta["config"])
    differ = {
        name: getattr(config, name)
        for name in FIELDS
        if name not in RESUMABLE_CHANGES + ("preset",)
        and getattr(config, name) != getattr(saved, name)
    }
    if differ:
        was = ", ".join(f"{name}={getattr(saved, name)!r}" for name in differ)
        raise SettingError(
            differ,
            f"the checkpoint was made with {was}; resume with the same settings, or start afresh "
            "without resuming",
        )
    if list(style_names) != list(meta["style_names"]):
        raise SettingError(
            {"styles": list(style_names)},
            f"the checkpoint was made with the styles {meta['style_names']}; resume with those",
        )
    if int(meta["step"]) > config.steps:
        raise SettingError(
            {"steps": config.steps},
            f"the checkpoint is already at step {meta['step']}; ask for more steps to go on",
        )


# --- the training loop (TensorFlow from here on) -------------------------------------------------


def _style_name(source: object, index: int) -> str:
    if isinstance(source, (str, Path)):  # a sample name, a path or a URL: its stem
        return Path(str(source).split("?")[0]).stem or f"style {index}"
    return f"style {index}"


def style_names_of(styles: Sequence[object], first: int = 0) -> list[str]:
    """The names a trained model carries: file stems, sample names, ``style k`` for arrays
    (k counted from ``first``: the styles a fine-tuned network already has)."""
    return [_style_name(source, first + k) for k, source in enumerate(styles)]


def _load_styles(styles: Sequence[object], size: int):
    from stlib import data, images

    loaded = []
    for source in styles:
        try:
            loaded.append(images.load(data.resolve(source), max_side=size))
        except images.ImageError as error:  # say which painting: there may be many
            raise SettingError({"styles": source}, str(error)) from None
    return loaded


@contextlib.contextmanager
def _dtype_policy(policy: str | None):
    import keras

    if policy is None:
        yield
        return
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _new_model(num_styles: int, spec, names: list[str], policy, seed: int):
    """A fresh transformer, built, convolution kernels drawn N(0, 0.01) from ``seed``."""
    from stlib.cin.layers import ReflectConv
    from stlib.cin.transformer import MultiStyleTransformer

    with _dtype_policy(policy):
        model = MultiStyleTransformer(num_styles, spec=spec, style_names=names)
        model.build(None)
    rng = np.random.default_rng([seed, 0x5EED])
    for layer in model._flatten_layers():
        if isinstance(layer, ReflectConv):
            kernel = layer.kernel
            kernel.assign(rng.normal(0.0, 0.01, tuple(kernel.shape)).astype(np.float32))
    return model


def _clone(model, policy=None, num_styles: int | None = None, names=None):
    """A built copy of ``model`` (same weights) in another dtype policy."""
    from stlib.cin.transformer import MultiStyleTransformer

    with _dtype_policy(policy):
        copy = MultiStyleTransformer(
            model.num_styles if num_styles is None else num_styles,
            spec=model.spec,
            style_names=list(model.style_names) if names is None else names,
            epsilon=model.epsilon,
        )
        copy.build(None)
    if num_styles is None:
        copy.set_weights(model.get_weights())
    return copy


def load_base(path: str | Path):
    """A saved multi-style network (``.keras``), checked to be one.

    Raises:
        SettingError: the file is missing or is not a stlib multi-style model.
    """
    import keras

    from stlib.cin.transformer import MultiStyleTransformer

    path = Path(path).expanduser()
    if not path.is_file():
        raise SettingError({"finetune": str(path)}, "no such file")
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as error:  # a zip of another model, a corrupt file
        raise SettingError(
            {"finetune": str(path)},
            f"cannot be loaded as a stlib multi-style model ({type(error).__name__}: {error})",
        ) from None
    if not isinstance(model, MultiStyleTransformer):
        raise SettingError(
            {"finetune": str(path)},
            f"holds a {type(model).__name__}, not a stlib multi-style network "
            "(stlib.cin.MultiStyleTransformer)",
        )
    return model


def extend_styles(base, new_names: Sequence[str], init: str = "mean", policy=None):
    """A network with ``len(new_names)`` more styles: every weight of ``base`` copied, the new CIN
    rows gamma = 1, beta = 0 (``"identity"``) or the mean of the existing rows (``"mean"``)."""
    names = list(base.style_names) + list(new_names)
    model = _clone(base, policy, num_styles=len(names), names=names)
    extra = len(new_names)
    for old, new in zip(base.weights, model.weights):
        value = np.asarray(old.numpy())
        if tuple(new.shape) != value.shape:  # a CIN gamma or beta: [N, C] -> [N + extra, C]
            if init == "mean":
                row = value.mean(axis=0, keepdims=True)
            else:
                row = np.ones_like(value[:1]) if new.path.endswith("gamma") else value[:1] * 0
            value = np.concatenate([value, np.repeat(row, extra, axis=0)])
        new.assign(value)
    return model


def _norm_variables(model):
    """Every CIN gamma and beta, [N, C] each, in network order."""
    variables = []
    for layer in model.norm_layers():
        variables += [layer.gamma, layer.beta]
    return variables


class TrainingLoss:
    """Section 7's loss, per crop: ``loss(photos, pastiches, rows)`` -> {'content', 'style', 'tv',
    'total'}, each [B], weighted as ``config`` says; ``rows`` [B] picks each crop's style among
    ``style_images`` (their Gram matrices are computed once, here).

    Taught in notebook 06, section 7.
    """

    def __init__(self, config: TrainConfig, style_images, strategy=None):
        import tensorflow as tf

        from stlib.losses import gram_matrix
        from stlib.vgg import VGGFeatures

        self.config = config
        precision = "bfloat16" if config.mixed_precision == "mixed_bfloat16" else "float32"
        kwargs = {"pooling": config.pooling, "normalized": config.normalized_vgg}
        self.style_weights = {k: v for k, v in config.style_layers.items() if v > 0}
        layers = [*self.style_weights, config.content_layer]
        with (strategy or tf.distribute.get_strategy()).scope():
            self.pastiche_net = VGGFeatures(layers, precision=precision, **kwargs)
            self.photo_net = VGGFeatures([config.content_layer], precision=precision, **kwargs)
        # Grams of every style, once, in float32 on the style image at its own aspect ratio.
        grams = {name: [] for name in self.style_weights}
        style_net = VGGFeatures(list(self.style_weights), **kwargs)
        for image in style_images:
            features = style_net(image)
            for name in self.style_weights:
                grams[name].append(gram_matrix(features[name])[0])
        self.grams = {name: tf.stack(values) for name, values in grams.items()}  # [S, C, C]

    def __call__(self, photos, pastiches, rows):
        """photos, pastiches [B, H, W, 3]; rows [B] index into the Grams -> {term: [B]}."""
        import tensorflow as tf

        from stlib.losses import gram_matrix

        config = self.config
        pastiches = tf.cast(pastiches, tf.float32)
        features = self.pastiche_net(pastiches)
        target = tf.stop_gradient(self.photo_net(photos)[config.content_layer])
        difference = features[config.content_layer] - target
        content = config.content_weight * tf.reduce_mean(tf.square(difference), axis=[1, 2, 3])
        style = 0.0
        for name, weight in self.style_weights.items():
            wanted = tf.gather(self.grams[name], rows)
            error = tf.reduce_mean(tf.square(gram_matrix(features[name]) - wanted), axis=[1, 2])
            style += weight * error
        style = config.style_weight * style
        down = tf.square(pastiches[:, 1:] - pastiches[:, :-1])
        across = tf.square(pastiches[:, :, 1:] - pastiches[:, :, :-1])
        tv = config.tv_weight * (
            tf.reduce_mean(down, axis=[1, 2, 3]) + tf.reduce_mean(across, axis=[1, 2, 3])
        )
        return {"content": content, "style": style, "tv": tv, "total": content + style + tv}


def training_step(
    model, optimizer, photos, styles, loss, *, variables=None, masks=None, global_batch=None
) -> dict:
    """One gradient step of the multi-style network on a batch of crops.

    photos [B, H, W, 3] in [0, 1]; styles [B] int, the style each crop is painted in; ``loss``
    (a ``TrainingLoss``) gives {term: [B]}. The network paints every crop with its style's rows
    (one-hot style weights), the total's mean over the batch is differentiated with a
    ``GradientTape``, and ``optimizer`` updates ``variables`` (default: every trainable weight);
    ``masks`` (one per variable, or None) zero the gradient rows that must not change, as in
    fine-tuning. ``global_batch``: the crops over all replicas (default: this batch). Returns
    {term: its batch mean before the update}.

    Taught in notebook 06, Exercise 4.
    """
    import tensorflow as tf

    variables = list(model.trainable_variables) if variables is None else variables
    masks = [None] * len(variables) if masks is None else masks
    with tf.GradientTape() as tape:
        pastiches = model([photos, tf.one_hot(styles, model.num_styles)], training=True)
        terms = loss(photos, pastiches, styles)
        total = tf.nn.compute_average_loss(terms["total"], global_batch_size=global_batch)
        scaled = optimizer.scale_loss(total)  # the loss scale of mixed float16; else unchanged
    gradients = tape.gradient(scaled, variables)
    gradients = [g if m is None else g * m for g, m in zip(gradients, masks)]
    optimizer.apply_gradients(zip(gradients, variables))
    return {
        name: tf.nn.compute_average_loss(value, global_batch_size=global_batch)
        for name, value in terms.items()
    }


def _sample_photo(stream, size: int):
    """The fixed photo of the samples: the course's Tübingen when trained on, else the first."""
    from stlib import images

    names = stream.names
    index = names.index("stlib:tuebingen") if "stlib:tuebingen" in names else 0
    photo = stream.photo(index)  # uint8 at the training scale
    return images.resize(images.load(photo), size)


def _write_sample(path: Path, model, photo, style_images) -> Path:
    """One strip: the photo, then the photo in every style; under it each style image."""
    import tensorflow as tf

    from stlib import images

    count = model.num_styles
    batch = tf.repeat(photo, count, axis=0)
    pastiches = model([batch, tf.eye(count)], training=False).numpy()
    height, width = int(photo.shape[1]), int(photo.shape[2])
    strip = np.ones((2 * height + 4, (count + 1) * (width + 4), 3), np.float32)
    cells = [photo.numpy()[0], *pastiches]
    for k, cell in enumerate(cells):
        strip[:height, k * (width + 4) : k * (width + 4) + width] = cell
    for k, style in enumerate(style_images):
        if style is None:
            continue
        small = images.resize(style, min(height, width)).numpy()[0]
        h, w = small.shape[:2]
        top, left = height + 4 + (height - h) // 2, (k + 1) * (width + 4) + (width - w) // 2
        strip[top : top + h, left : left + w] = small
    return images.save(strip[None], path)


def _write_checkpoint(path: Path, model, optimizer, step: int, meta: dict) -> None:
    from stlib import outputs

    arrays = {f"model/{k:04d}": np.asarray(v.numpy()) for k, v in enumerate(model.weights)}
    for k, variable in enumerate(optimizer.variables):
        arrays[f"optimizer/{k:04d}"] = np.asarray(variable.numpy())
    meta = {**meta, "format": CHECKPOINT_FORMAT, "step": int(step)}
    arrays["meta"] = np.array(json.dumps(meta))
    with outputs.atomic_write(path) as temporary, open(temporary, "wb") as file:
        np.savez(file, **arrays)


def _restore(path: Path, model, optimizer) -> None:
    with np.load(path, allow_pickle=False) as stored:
        for group, variables in (("model", model.weights), ("optimizer", optimizer.variables)):
            keys = sorted(k for k in stored.files if k.startswith(group + "/"))
            if len(keys) != len(variables):
                raise SettingError(
                    {}, f"checkpoint '{path}' does not fit this network ({group} variables differ)"
                )
            for key, variable in zip(keys, variables):
                value = stored[key]
                if tuple(variable.shape) != value.shape:
                    raise SettingError(
                        {}, f"checkpoint '{path}' does not fit this network ({variable.path})"
                    )
                variable.assign(value)


def _save_model(model, output: Path) -> None:
    """``model`` as ``.keras``, written whole or not at all."""
    import shutil
    import tempfile

    from stlib import outputs

    try:
        with tempfile.TemporaryDirectory(dir=output.parent) as folder:
            saved = Path(folder) / "model.keras"
            model.save(saved)
            with outputs.atomic_write(output) as temporary:
                shutil.copyfile(saved, temporary)
    except outputs.WriteError:
        raise
    except OSError as error:  # Keras' own write into the temporary folder: name the target
        raise outputs.WriteError(output, error) from None


def train(
    styles: Sequence[object],
    output: str | Path,
    config: TrainConfig | None = None,
    *,
    content_dir: str | Path | None = None,
    resume: bool = False,
    finetune: str | Path | None = None,
    strategy=None,
    progress: bool = True,
    callbacks: Sequence[Callback] = (),
) -> Trained:
    """Train a multi-style network on ``styles``; returns ``Trained(model, history, config)``.

    Args:
        styles: the paintings: paths, URLs, sample names (``"starry_night"``), arrays or
            [1, H, W, 3] tensors. With ``finetune``, the new style(s) only.
        output: the ``.keras`` file to write at the end. Beside it: ``<stem>_checkpoint.npz``,
            ``<stem>_samples/step_NNNNNN.png`` and ``<stem>_history.json``.
        config: the settings (default: the "full" preset, "quick" in quick mode).
        content_dir: a folder of training photos (recursively); None: the built-in photos.
        resume: continue the checkpoint beside ``output`` from its step, with the same settings
            (``steps`` may grow); the result is the one an uninterrupted run reaches.
        finetune: a trained ``.keras`` network; the new network has its widths (``config.spec``
            is not used), its styles and ``styles`` after them; only the new styles' CIN rows are
            trained (the other variables get no update, the old rows' gradient is masked to 0)
            and only the new styles are drawn.
        strategy: a ``tf.distribute`` strategy (default: the current one); the batch is split
            between its replicas, the loss is divided by the global batch.
        progress: show a tqdm bar with the loss terms.
        callbacks: each called with a :class:`TrainStep` after every step.

    Returns:
        ``Trained(model, history, config)``: the MultiStyleTransformer in float32, its
        :class:`TrainHistory` and the config.

    Raises:
        stlib.Interrupted: Ctrl-C (or a KeyboardInterrupt from a callback): a checkpoint is
            written first; ``.result`` is ``Trained`` with the network and history so far.
    """
    import keras
    import tensorflow as tf

    from stlib import outputs
    from stlib.cin.content import CropStream, builtin_photos, folder_photos

    config = default_config() if config is None else config
    if not isinstance(config, TrainConfig):
        raise SettingTypeError({"config": config}, "expected a TrainConfig (see preset())")
    styles = list(styles) if not isinstance(styles, (str, Path)) else [styles]
    if not styles:
        raise SettingError({"styles": styles}, "give at least one style image")
    output, checkpoint = check_training_paths(
        output, styles, finetune=finetune, content_dir=content_dir, samples=config.sample_every > 0
    )
    strategy = strategy or tf.distribute.get_strategy()
    replicas = strategy.num_replicas_in_sync
    if config.batch % replicas:
        raise SettingError(
            {"batch": config.batch},
            f"must be a multiple of the {replicas} replicas of the distribution strategy",
        )

    base = load_base(finetune) if finetune is not None else None
    old_names = list(base.style_names) if base is not None else []
    new_names = style_names_of(styles, len(old_names))
    names = old_names + new_names
    first_new = len(names) - len(new_names)
    meta_base = {
        "config": config.to_dict(),
        "style_names": names,
        "finetune": None if finetune is None else {"base": str(finetune), "first": first_new},
    }
    start = 0
    history = TrainHistory(style_names=names)
    if resume:
        if not checkpoint.is_file():
            raise SettingError(
                {"resume": True}, f"there is no checkpoint to resume: '{checkpoint}' does not exist"
            )
        meta = read_checkpoint_meta(checkpoint)
        check_resumable(meta, config, names)
        if (meta["finetune"] is None) != (finetune is None):
            raise SettingError(
                {"resume": True, "finetune": finetune},
                "the checkpoint was "
                + ("not " if meta["finetune"] is None else "")
                + "made by fine-tuning; resume it the same way",
            )
        start = int(meta["step"])
        history = TrainHistory.from_dict(meta["history"]).truncated(start)

    style_images = _load_styles(styles, config.style_size)
    photos = folder_photos(content_dir) if content_dir is not None else builtin_photos()
    stream = CropStream(
        photos,
        config.size,
        config.batch,
        config.seed,
        num_styles=len(names),
        styles=range(first_new, len(names)),
    )
    policy = config.mixed_precision
    losses = TrainingLoss(config, style_images, strategy)

    with strategy.scope():
        if base is not None:
            model = extend_styles(base, new_names, config.new_style_init, policy)
        else:
            model = _new_model(len(names), config.transformer_spec(), names, policy, config.seed)
        optimizer = keras.optimizers.Adam(config.learning_rate)
        if policy == "mixed_float16":
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        if base is None:
            variables = list(model.trainable_variables)
            masks = [None] * len(variables)
        else:  # only the new rows of every CIN gamma and beta
            variables = _norm_variables(model)
            row = (np.arange(len(names)) >= first_new).astype(np.float32)[:, None]
            masks = [tf.constant(row)] * len(variables)
        optimizer.build(variables)
        step_counter = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
    if resume:
        _restore(checkpoint, model, optimizer)
    step_counter.assign(start)

    global_batch = config.batch
    label_offset = first_new

    def replica_step(photos, labels):
        # The loss's Gram rows are the new styles only: a fine-tuned style's label is offset.
        return training_step(
            model,
            optimizer,
            photos,
            labels,
            lambda photos, pastiches, styles: losses(photos, pastiches, styles - label_offset),
            variables=variables,
            masks=masks,
            global_batch=global_batch,
        )

    @tf.function(jit_compile=config.jit_compile)
    def train_step(photos, labels):
        per_replica = strategy.run(replica_step, args=(photos, labels))
        step_counter.assign_add(1)
        return {
            name: strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)
            for name, value in per_replica.items()
        }

    sample_photo = _sample_photo(stream, config.sample_size) if config.sample_every else None
    shown_styles = [None] * first_new + style_images
    samples = samples_folder(output)

    def meta_now():
        return {**meta_base, "history": history.to_dict()}

    def save_checkpoint():
        step = int(step_counter.numpy())
        try:
            _write_checkpoint(checkpoint, model, optimizer, step, meta_now())
        except outputs.WriteError as error:  # the previous checkpoint, if any, is intact
            raise error.during(f"at step {step} of {config.steps}", what="checkpoint") from None

    dataset = strategy.experimental_distribute_dataset(stream.dataset(start, config.steps))
    seconds_before = history.seconds[-1] if history.seconds else 0.0
    began = time.perf_counter()
    bar = ProgressBar(config.steps, "training", "step", show=progress, initial=start)
    try:
        for photos_batch, labels_batch in dataset:
            values = train_step(photos_batch, labels_batch)
            step = int(step_counter.numpy())
            seconds = seconds_before + time.perf_counter() - began
            losses_now = {name: float(value) for name, value in values.items()}
            history.record(step, seconds, losses_now)
            bar.advance(losses={name: losses_now[name] for name in ("content", "style", "total")})
            if config.sample_every and (step % config.sample_every == 0 or step == config.steps):
                try:
                    _write_sample(
                        samples / f"step_{step:06d}.png", model, sample_photo, shown_styles
                    )
                except outputs.WriteError as error:
                    save_checkpoint()  # keep the steps made so far, if the disk lets us
                    raise error.during(
                        f"at step {step} of {config.steps} (a checkpoint was written)",
                        what="sample",
                    ) from None
            if config.checkpoint_every and step % config.checkpoint_every == 0:
                save_checkpoint()
            for callback in callbacks:
                callback(TrainStep(step, config.steps, losses_now, seconds, model))
    except KeyboardInterrupt:
        bar.close()
        history = history.truncated(int(step_counter.numpy()))
        save_checkpoint()
        raise Interrupted(Trained(_clone(model), history, config)) from None
    bar.close()
    save_checkpoint()
    final = _clone(model)
    try:
        _save_model(final, output)
        outputs.write_text(history_path(output), history.to_json())
    except outputs.WriteError as error:  # the checkpoint holds the trained weights
        raise error.during(
            f"after the last step; the checkpoint {checkpoint} holds the trained network "
            "(resume it once there is room)"
        ) from None
    return Trained(final, history, config)
