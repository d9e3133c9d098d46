"""Export a feed-forward network to a file that runs without stlib: TFLite, checked against Keras.

    from stlib import export
    report = export.export("magenta-26", "styles.tflite")            # or a .keras from cin-train
    report.mean_abs_difference, report.seconds                        # vs Keras; one run at 256 px
    pastiche = export.ExportedModel("styles.tflite").run(photo, weights)   # [1, H, W, 3]

**What a file holds.** For the multi-style network (:class:`stlib.cin.MultiStyleTransformer`):
two inputs, ``photo`` float32 [1, H, W, 3] in [0, 1] and ``style_weights`` float32 [1, N] (one-hot
for one style, a convex mix to mix), and one output, the pastiche float32 [1, H, W, 3] in [0, 1].
H and W are dynamic (the file's shape signature is [1, -1, -1, 3]): resize the interpreter's
photo input to any size of at least 4 px a side (reflect padding needs it). N is fixed, the
network's. The weights are used as given, as in Keras: make a mix convex first
(:func:`stlib.cin.mixing.style_weights`).

**Formats.** ``.tflite`` (TensorFlow's own converter; ``quantize`` "float16" stores the kernels
in half precision, "int8-dynamic" in 8 bits with float activations). ``.onnx`` is not offered:
converting a TensorFlow graph to ONNX needs ``tf2onnx``, which is not installed here; a ``.onnx``
path is refused with that reason (:func:`format_problem`), before TensorFlow starts.

**The check.** Every file is run, right after it is written and before it is put in place, on a
real photo (``check_on``: "tuebingen" at 256 px) with a convex mix of the first and last style,
and compared with the Keras model on the same inputs. A float32 file whose mean |difference| is
:data:`MAX_DIFFERENCE` or more raises :class:`ExportError` naming it, and nothing is written (a
file already at the path is left as it was); a quantised file's difference is reported only.

**Where the next network type goes (the extension point).** Everything that knows the network
is one *exportable builder*: a function ``model -> Exportable`` (the traced function with its
named inputs, the Keras reference, the check's extra inputs), registered in :data:`BUILDERS` by
the model's class. :func:`cin_exportable` is the one for the multi-style network. AdaIN (a Keras
decoder after a fixed VGG19 encoder, ``stlib.adain``) needs one function of the same shape,
``adain_exportable(model)``: inputs ``photo`` [1, H, W, 3] and ``style`` [1, h, w, 3] (or the
style's encoded statistics), its check input a sample painting; one line in ``BUILDERS``, and its
file suffix in :func:`load_network` if it has its own. Conversion, the check, the atomic write and
:class:`ExportedModel` are shared.

Conversion detail: :class:`stlib.cin.layers.NearestUpsample` (``ops.repeat``) loses the static
channel count when H and W are dynamic, and TFLite's convolution needs it; while the export traces,
each such layer is computed as ``tf.image.resize(..., "nearest")`` instead: the same pixels for an
integer factor (the check confirms it on every file).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "BUILDERS",
    "CHECK_SIZE",
    "FORMATS",
    "MAX_DIFFERENCE",
    "QUANTIZE",
    "SUFFIXES",
    "ExportError",
    "ExportReport",
    "Exportable",
    "ExportedModel",
    "cin_exportable",
    "export",
    "format_problem",
    "load_network",
]

# The formats this module writes, by suffix, and those it names but cannot write here (why).
FORMATS = {".tflite": "TFLite"}
UNAVAILABLE = {
    ".onnx": "ONNX export needs tf2onnx (a TensorFlow-to-ONNX converter), which is not installed"
}
SUFFIXES = tuple(FORMATS)
QUANTIZE = ("float16", "int8-dynamic")
MAX_DIFFERENCE = 1e-3  # mean |exported - Keras| a float32 file must stay under
CHECK_SIZE = 256  # the check photo's longest side, px


class ExportError(RuntimeError):
    """A file that could not be converted, or that does not compute what the Keras model does."""


@dataclass(frozen=True)
class ExportReport:
    """What :func:`export` wrote and measured.

    ``path``: the file; ``bytes``: its size; ``mean_abs_difference``: mean |file - Keras| on the
    check photo (pixels in [0, 1]); ``seconds``: one run of the file on that photo (after a warm
    run); ``check_shape``: the photo's [H, W]; ``quantize``: None, "float16" or "int8-dynamic";
    ``runtime``: the interpreter ("ai_edge_litert" or "tf.lite").
    """

    path: Path
    bytes: int
    mean_abs_difference: float
    seconds: float
    check_shape: tuple[int, int]
    quantize: str | None
    runtime: str

    @property
    def megabytes(self) -> float:
        return self.bytes / 1e6


@dataclass(frozen=True)
class Exportable:
    """A network as the exporter needs it, whatever its type (what a builder returns).

    ``function``: a ``tf.function`` with an input signature, batch 1 and H, W left open, whose
    arguments are named ``input_names`` (the photo first, [1, H, W, 3]); ``check_inputs(photo)``:
    the other inputs for the check, as float32 arrays; ``reference(photo, *others)``: the Keras
    model's output as a float32 array [1, H, W, 3]; ``tracing``: a context manager the trace and
    conversion run in (layer replacements the converter needs), or None.
    """

    kind: str
    function: Any
    input_names: tuple[str, ...]
    check_inputs: Callable[[np.ndarray], list[np.ndarray]]
    reference: Callable[..., np.ndarray]
    tracing: Callable[[], contextlib.AbstractContextManager] | None = None


# ----------------------------------------------------------------------------- the networks


@contextlib.contextmanager
def _nearest_by_resize(model) -> Iterator[None]:
    """Each NearestUpsample of ``model`` computed by ``tf.image.resize(nearest)`` for a while."""
    import tensorflow as tf

    from stlib.cin.layers import NearestUpsample

    def call(self, x):
        shape = tf.shape(x)
        size = tf.stack([shape[1] * self.factor, shape[2] * self.factor])
        return tf.image.resize(x, size, method="nearest")

    layers = [layer for layer in model._flatten_layers() if isinstance(layer, NearestUpsample)]
    for layer in layers:
        object.__setattr__(layer, "call", types.MethodType(call, layer))
    try:
        yield
    finally:
        for layer in layers:
            vars(layer).pop("call", None)


def cin_exportable(model) -> Exportable:
    """The builder for :class:`~stlib.cin.MultiStyleTransformer`: photo and style weights in.

    Inputs ``photo`` [1, H, W, 3] and ``style_weights`` [1, N]; the check mixes the first and the
    last style half and half (one style for a one-style network).
    """
    import tensorflow as tf

    count = model.num_styles
    signature = [
        tf.TensorSpec([1, None, None, 3], tf.float32, name="photo"),
        tf.TensorSpec([1, count], tf.float32, name="style_weights"),
    ]

    def pastiche(photo, style_weights):
        return model([photo, style_weights])

    def check_inputs(photo: np.ndarray) -> list[np.ndarray]:
        weights = np.zeros((1, count), np.float32)
        weights[0, [0, count - 1]] = 0.5 if count > 1 else 1.0
        return [weights]

    function = tf.function(pastiche, input_signature=signature)
    return Exportable(
        kind="multi-style network",
        function=function,
        input_names=("photo", "style_weights"),
        check_inputs=check_inputs,
        reference=lambda photo, weights: function(photo, weights).numpy(),
        tracing=lambda: _nearest_by_resize(model),
    )


def _builders() -> dict[type, Callable[[Any], Exportable]]:
    from stlib.cin.transformer import MultiStyleTransformer

    return {MultiStyleTransformer: cin_exportable}


# Network class -> its builder; filled on first use (the classes need TensorFlow). A new network
# type adds its builder here: ``BUILDERS[AdaINModel] = adain_exportable``.
BUILDERS: dict[type, Callable[[Any], Exportable]] = {}


def load_network(model: Any) -> Any:
    """The network ``model`` names: "magenta-26", a ``.keras`` file of ``stlib cin-train``, or a
    network in memory (returned as it is). Raises ``stlib.cin.ModelFileError`` naming the file."""
    if not BUILDERS:
        BUILDERS.update(_builders())
    if isinstance(model, tuple(BUILDERS)):
        return model
    from stlib.cin import api

    return api.load(model)


def _exportable(network: Any) -> Exportable:
    for kind, builder in BUILDERS.items():
        if isinstance(network, kind):
            return builder(network)
    names = ", ".join(kind.__name__ for kind in BUILDERS)
    raise TypeError(f"cannot export a {type(network).__name__}; exportable networks: {names}")


# ----------------------------------------------------------------------------- formats


def format_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` names no format this module writes, or None (no TensorFlow needed).

    >>> format_problem("model.pt")
    "extension '.pt' is not an export format; use .tflite"
    """
    suffix = Path(path).suffix.lower()
    if suffix in FORMATS:
        return None
    if suffix in UNAVAILABLE:
        return f"{UNAVAILABLE[suffix]}; use {', '.join(SUFFIXES)}"
    return f"extension {suffix or '(none)'!r} is not an export format; use {', '.join(SUFFIXES)}"


def _check_quantize(quantize: str | None) -> None:
    if quantize is not None and quantize not in QUANTIZE:
        from stlib.validation import SettingError

        raise SettingError({"quantize": quantize}, f"choose none or one of {', '.join(QUANTIZE)}")


def _tflite_bytes(exportable: Exportable, quantize: str | None) -> bytes:
    """The TFLite flatbuffer of the exportable's function, variables frozen into constants."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    tracing = exportable.tracing() if exportable.tracing else contextlib.nullcontext()
    with tracing:
        concrete = exportable.function.get_concrete_function()
        # Frozen: left as resource variables, the weights come out of the converter as
        # READ_VARIABLE ops that XNNPACK reads uninitialised (NaN).
        frozen = convert_variables_to_constants_v2(concrete)
    # Without a trackable object: the graph path, which keeps the shapes traced here (TF 2.21
    # calls it deprecated; its SavedModel path loses the channel count of the upsampled
    # tensors again, and the convolution after them then needs TF Select ops).
    absl = logging.getLogger("absl")  # its "deprecated conversion path" warning is not the user's
    level = absl.level
    absl.setLevel(logging.ERROR)
    try:
        converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen])
    finally:
        absl.setLevel(level)
    if quantize is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if quantize == "float16":
            converter.target_spec.supported_types = [tf.float16]
    try:
        from stlib.startup import stderr_hidden

        with stderr_hidden():
            return converter.convert()
    except Exception as error:
        first = str(error).strip().splitlines()[:1] or [type(error).__name__]
        raise ExportError(f"the TFLite converter failed: {first[0][:300]}") from error


# ----------------------------------------------------------------------------- running a file


class ExportedModel:
    """An exported file, ready to run: ``ExportedModel(path).run(photo, *others)``.

    TFLite files run in the project's interpreter (``stlib.arbitrary.tflite.interpreter_class``:
    ``ai_edge_litert`` where installed, else ``tf.lite``) on every core this process may use.
    Inputs are matched by name (``photo``, ``style_weights``...), so their order in the file
    does not matter. The interpreter is resized when the photo's shape changes.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        from stlib.arbitrary.tflite import interpreter_class, thread_count
        from stlib.startup import stderr_hidden

        self.path = Path(path)
        interpreter, self.runtime = interpreter_class()
        with warnings.catch_warnings(), stderr_hidden():
            warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
            self._interpreter = interpreter(model_path=str(self.path), num_threads=thread_count())
        self._inputs = {
            self._short(d["name"]): d["index"] for d in self._interpreter.get_input_details()
        }
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shape: tuple | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _short(name: str) -> str:
        """'serving_default_photo:0' -> 'photo'."""
        return name.split(":")[0].removeprefix("serving_default_")

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(self._inputs)

    def run(self, photo: Any, *others: Any, names: tuple[str, ...] | None = None) -> np.ndarray:
        """The pastiche, float32 [1, H, W, 3], for ``photo`` [1, H, W, 3] and the other inputs
        in ``names``' order (default: ``photo``, then the file's other inputs as exported:
        ``style_weights`` [1, N] for the multi-style network)."""
        from stlib.startup import stderr_hidden

        names = names or ("photo", *[n for n in self._inputs if n != "photo"])
        values = [np.ascontiguousarray(np.asarray(v), np.float32) for v in (photo, *others)]
        if len(values) != len(self._inputs) or set(names[: len(values)]) != set(self._inputs):
            raise ValueError(
                f"{self.path.name} takes the inputs {', '.join(self._inputs)}; got "
                f"{len(values)} values for {', '.join(names[: len(values)])}"
            )
        with self._lock:
            shape = tuple(values[0].shape)
            if shape != self._shape:
                self._interpreter.resize_tensor_input(self._inputs["photo"], shape, strict=False)
                with stderr_hidden():  # XNNPACK's start-up line
                    self._interpreter.allocate_tensors()
                self._shape = shape
            for name, value in zip(names, values):
                self._interpreter.set_tensor(self._inputs[name], value)
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output).copy()

    def __repr__(self) -> str:
        return f"ExportedModel({self.path.name!r}, {self.runtime}, inputs {self.input_names})"


# ----------------------------------------------------------------------------- export


def _check_photo(check_on: Any) -> np.ndarray:
    from stlib.inputs import load_content

    return np.asarray(load_content(check_on, CHECK_SIZE), np.float32)


def export(
    model: Any,
    path: str | os.PathLike,
    *,
    quantize: str | None = None,
    check_on: Any = "tuebingen",
) -> ExportReport:
    """Write ``model`` to ``path`` (.tflite) and check the file against the Keras model.

    Args:
        model: "magenta-26", the path of a ``.keras`` file saved by ``stlib cin-train``, or a
            :class:`~stlib.cin.MultiStyleTransformer` in memory.
        path: the file to write; its suffix picks the format (:data:`SUFFIXES`).
        quantize: None (float32), "float16" or "int8-dynamic" (weights in 8 bits).
        check_on: the check photo (a sample name, a path, an array...), loaded at 256 px.

    Returns:
        an :class:`ExportReport`: the file, its size, the mean |difference| from Keras on the
        check photo, and the time of one run of the file there.

    Raises:
        SettingError: a bad ``quantize``.
        OutputPathError: a path with another suffix, or one that cannot be written.
        ExportError: the converter failed, or a float32 file differs from Keras by
            :data:`MAX_DIFFERENCE` or more on average (nothing is written then).
        ModelFileError / ModelNotFoundError: a model that cannot be read or found.
    """
    from stlib import outputs

    _check_quantize(quantize)
    problem = format_problem(path)
    if problem is not None:
        raise outputs.OutputPathError(f"export '{path}': {problem}")
    inputs = [model] if isinstance(model, (str, os.PathLike)) else []
    target = outputs.check_output_path(path, what="export", suffixes=SUFFIXES, inputs=inputs)
    network = load_network(model)
    exportable = _exportable(network)
    photo = _check_photo(check_on)
    others = exportable.check_inputs(photo)
    expected = exportable.reference(photo, *others)
    flatbuffer = _tflite_bytes(exportable, quantize)
    with outputs.atomic_write(target) as temporary:
        temporary.write_bytes(flatbuffer)
        exported = ExportedModel(temporary)
        names = exportable.input_names
        got = exported.run(photo, *others, names=names)  # also allocates for this shape
        start = time.perf_counter()
        exported.run(photo, *others, names=names)
        seconds = time.perf_counter() - start
        if got.shape != expected.shape:
            raise ExportError(
                f"{target.name} answers {list(got.shape)} for a photo of "
                f"{list(photo.shape)}, Keras {list(expected.shape)}; nothing was written"
            )
        difference = float(np.mean(np.abs(got.astype(np.float64) - expected)))
        if quantize is None and not difference < MAX_DIFFERENCE:
            raise ExportError(
                f"{target.name} differs from the Keras model by a mean |difference| of "
                f"{difference:.3g} on {_name(check_on)} ({photo.shape[2]}x{photo.shape[1]} px), "
                f"over the {MAX_DIFFERENCE:g} allowed; nothing was written"
            )
    return ExportReport(
        path=target,
        bytes=len(flatbuffer),
        mean_abs_difference=difference,
        seconds=seconds,
        check_shape=(int(photo.shape[1]), int(photo.shape[2])),
        quantize=quantize,
        runtime=exported.runtime,
    )


def _name(source: Any) -> str:
    return repr(source) if isinstance(source, (str, os.PathLike)) else "the check photo"
