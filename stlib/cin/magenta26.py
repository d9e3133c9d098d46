"""TensorFlow's Android demo network: 26 pretrained styles, imported into stlib's Keras model.

**What it is.** The "TF Stylize" activity of TensorFlow's Android examples (2016-2017) shipped one
frozen TF1 graph, ``stylize_quantized.pb`` (inside
https://storage.googleapis.com/download.tensorflow.org/models/stylize_v1.zip, Apache 2.0): a
multi-style network of Dumoulin, Shlens and Kudlur ("A learned representation for artistic
style", ICLR 2017) trained on 26 paintings, which the demo shows only as thumbnails, without
names. It is a slim variant of Magenta's transformer (:data:`stlib.cin.transformer.SLIM26`):

    contract   9x9/1 -> 32, 3x3/2 -> 32, 3x3/2 -> 32        (ReLU)
    residual   6 blocks of two 3x3 convs of 32 channels
    expand     nearest x2, 3x3 -> 8; nearest x2, 3x3 -> 4   (ReLU); 9x9 -> 3, sigmoid

every convolution reflect-padded and followed by conditional instance normalisation (epsilon
1e-5; ``gamma`` and ``beta`` of shape [26, C]): 2 x 495 = 990 numbers per style.

**How it is stored.** The graph was put through TensorFlow's 8-bit graph rewrite
(``quantize_graph``): every convolution kernel is a ``quint8`` constant with a float range
(``<scope>/weights_quint8_const``, ``weights_min``, ``weights_max``) in ``MIN_FIRST`` mode, while
the normalisation parameters stayed float32 (``<scope>/InstanceNorm/gamma``, ``beta``).
:func:`read_weights` turns the kernels back into floats exactly as TensorFlow's own
``Dequantize`` kernel does (:func:`dequantize_min_first`) and names everything as stlib's layers
are named; :func:`load_magenta26` puts them into a :class:`~stlib.cin.transformer.
MultiStyleTransformer`.

**Why the float model cannot match the graph exactly.** The rewrite also quantises every
*activation* at run time: before each convolution the input is mapped to 256 levels between its
own minimum and maximum (``QuantizeV2``), the convolution runs in integers, its 32-bit result is
squeezed back to 8 bits (``Requantize``), and the ReLUs work on 8-bit values too. Even the style
weight vector is quantised (a 50/50 mix becomes 128/255 and 128/255). Each of these steps rounds
by up to half a level of a range that the outliers of that tensor set, and the errors grow
through 18 layers. The float model computes what the quantised graph approximates: by eye the same
picture, but a mean |difference| from about 0.004 to 0.05 depending on the style (median about
0.014), more for a mix, and for the styles at the top a tenth or more of the values over 0.1 off
(notebook 06 and the report measure it over the 26 styles). :func:`run_frozen_graph` runs the
original for comparison.

Where the file is found (:func:`frozen_graph_path`), as for :mod:`stlib.arbitrary.models`:

1. ``$STLIB_MODELS_DIR/tf_frozen/tensorflow-android-stylize/stylize_quantized.pb``;
2. stlib's download cache, ``<user cache>/stlib/models/tf_frozen/tensorflow-android-stylize/``;
3. a download of the official zip into a temporary folder of that cache, from which the ``.pb``
   is extracted, checked by its sha256 and put in place (the zip is then deleted).

When nothing serves, one :class:`~stlib.arbitrary.models.ModelNotFoundError` names the file, the
URL, the cache and ``STLIB_MODELS_DIR`` (the lookup is :func:`stlib.published.find`). TensorFlow
is imported only by the functions that run or parse the graph, so finding the file stays light.

    from stlib.cin import magenta26
    model = magenta26.load_magenta26()                   # MultiStyleTransformer, 26 styles
    pastiche = model([photo, weights])                   # [1, H, W, 3], weights [1, 26]
    original = magenta26.run_frozen_graph(photo, weights[0])
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stlib import published, settings
from stlib.arbitrary.models import ModelHashError, ModelNotFoundError

__all__ = [
    "FOLDER",
    "FROZEN_GRAPH",
    "GRAPH_SCOPES",
    "INPUT_TENSOR",
    "NUM_STYLES",
    "OUTPUT_TENSOR",
    "STYLE_NAMES",
    "STYLE_TENSOR",
    "FrozenGraphFile",
    "ModelHashError",
    "ModelNotFoundError",
    "cache_dir",
    "dequantize_min_first",
    "frozen_graph_path",
    "load_magenta26",
    "read_weights",
    "run_frozen_graph",
]

FOLDER = "tf_frozen/tensorflow-android-stylize"
NUM_STYLES = 26
# The demo names its styles only by number (thumbnails style0.jpg ... style25.jpg).
STYLE_NAMES = tuple(f"magenta-26 #{k}" for k in range(NUM_STYLES))

INPUT_TENSOR = "input:0"  # float32 [1, H, W, 3] in [0, 1]
STYLE_TENSOR = "style_num:0"  # float32 [26]: style weights, applied as given
OUTPUT_TENSOR = "transformer/expand/conv3/conv/Sigmoid:0"  # float32 [1, H', W', 3] in [0, 1]


@dataclass(frozen=True)
class FrozenGraphFile:
    """The published graph: its name, folder, sha256 and size, and the zip that holds it."""

    name: str
    folder: str
    sha256: str
    bytes: int
    url: str  # the official zip
    member: str  # the file's name inside the zip

    @property
    def relative_path(self) -> str:
        """``<folder>/<name>``, as under ``STLIB_MODELS_DIR``."""
        return f"{self.folder}/{self.name}"

    @property
    def published_file(self) -> published.PublishedFile:
        """This file as :func:`stlib.published.find` looks for it: a member of the zip at url."""
        return published.PublishedFile(
            path=self.relative_path,
            url=self.url,
            sha256=self.sha256,
            folder=published.MODELS,
            what=f"26-style network file {self.name}",
            bytes=self.bytes,
            member=self.member,
        )


FROZEN_GRAPH = FrozenGraphFile(
    name="stylize_quantized.pb",
    folder=FOLDER,
    sha256="6753e2bfe7aa1d9fcfe01d8235e848c8201e54c6590423893c8124971e7c7db0",
    bytes=563897,
    url="https://storage.googleapis.com/download.tensorflow.org/models/stylize_v1.zip",
    member="stylize_quantized.pb",
)

# stlib's layer name -> the graph's scope, in network order (18 convolutions, each normalised).
GRAPH_SCOPES: dict[str, str] = {
    **{f"contract_conv{i}": f"transformer/contract/conv{i}" for i in (1, 2, 3)},
    **{
        f"residual{b}_conv{j}": f"transformer/residual/residual{b}/conv{j}"
        for b in range(1, 7)
        for j in (1, 2)
    },
    **{f"expand_conv{i}": f"transformer/expand/conv{i}/conv" for i in (1, 2, 3)},
}


# ----------------------------------------------------------------------------- the file


def cache_dir() -> Path:
    """Where a downloaded graph is kept: ``<user cache>/stlib/models/<FOLDER>`` (pooch's cache,
    ``~/.cache`` on Linux or ``$XDG_CACHE_HOME``, as for the arbitrary-style files)."""
    return published.MODELS.cache_dir() / FOLDER


def frozen_graph_path(*, download: bool = True) -> Path:
    """The local path of ``stylize_quantized.pb``, sha256-checked.

    Looks in ``$STLIB_MODELS_DIR/tf_frozen/tensorflow-android-stylize/``, then in the cache
    (:func:`cache_dir`), then downloads the official zip into a temporary folder of the cache,
    extracts the graph, checks it and puts it in place; the zip is deleted (``download=True``).

    Raises:
        ModelNotFoundError: nothing served; the message lists what was tried and names
            STLIB_MODELS_DIR, the file, the cache and the URL.
        ModelHashError: a local file has the wrong sha256.
    """
    return published.find(
        FROZEN_GRAPH.published_file,
        download=download,
        not_found=ModelNotFoundError,
        wrong_hash=ModelHashError,
    )


def _resolve(path: str | os.PathLike | None) -> Path:
    """The graph file to read: ``path`` as given (checked to exist) or :func:`frozen_graph_path`."""
    if path is None:
        return frozen_graph_path()
    file = Path(path).expanduser()
    if not file.is_file():
        raise ModelNotFoundError(
            f"frozen graph {str(path)!r}: no such file; give the path of {FROZEN_GRAPH.name} "
            f"or None to look in {settings.MODELS_DIR_VARIABLE}, the cache and {FROZEN_GRAPH.url}"
        )
    return file


def _file_key(file: Path) -> tuple[str, int, int]:
    stat = file.stat()
    return (str(file.resolve()), stat.st_size, stat.st_mtime_ns)


# ----------------------------------------------------------------------------- the weights


def dequantize_min_first(quantized: np.ndarray, range_min: float, range_max: float) -> np.ndarray:
    """Integers -> float32 as TensorFlow's ``Dequantize`` does in ``MIN_FIRST`` mode.

    quantized: an integer array of any shape (uint8 for ``quint8``; int8, uint16, int16 work too);
    returns float32 of the same shape.

    With L = 2^bits levels and ``lowest`` the type's smallest value (0 for uint8):

        scale       = (range_max - range_min) / (L - 1)
        min_rounded = round(range_min / scale) * scale        (half away from zero)
        x           = (min_rounded - lowest * scale) + q * scale

    TensorFlow's op documentation gives ``range_min + (q - lowest) * scale``; its CPU kernel
    (``QuantizedToFloatStruct`` in ``quantization_utils.h``) first moves ``range_min`` to a whole
    number of steps, so that 0.0 is exactly one of the levels. The arithmetic is float32, step by
    step as in the kernel, so the result is the op's bit for bit.
    """
    q = np.asarray(quantized)
    if not np.issubdtype(q.dtype, np.integer):
        raise TypeError(f"quantized values must be integers (uint8 for quint8), got {q.dtype}")
    lo = np.float32(range_min)
    hi = np.float32(range_max)
    if hi == lo:
        return np.full(q.shape, lo, np.float32)
    levels = 2.0 ** (8 * q.dtype.itemsize)
    scale = np.float32(np.float64(hi - lo) / (levels - 1.0))
    ratio = lo / scale  # float32
    rounded = np.float32(np.sign(ratio) * np.floor(np.abs(ratio) + np.float32(0.5)))
    min_rounded = np.float32(rounded * scale)
    lowest = np.float32(np.iinfo(q.dtype).min)
    offset = np.float32(min_rounded - lowest * scale)
    return (offset + q.astype(np.float32) * scale).astype(np.float32)


@functools.lru_cache(maxsize=4)
def _graph_def(key: tuple[str, int, int]):
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(Path(key[0]).read_bytes())
    return graph_def


@functools.lru_cache(maxsize=4)
def _weights(key: tuple[str, int, int]) -> dict[str, np.ndarray]:
    import tensorflow as tf

    constants = {node.name: node for node in _graph_def(key).node if node.op == "Const"}

    def constant(name: str) -> np.ndarray:
        if name not in constants:
            raise ValueError(
                f"{key[0]} has no constant {name!r}: it is not TensorFlow's 26-style "
                f"{FROZEN_GRAPH.name}"
            )
        return tf.make_ndarray(constants[name].attr["value"].tensor)

    weights = {}
    for layer, scope in GRAPH_SCOPES.items():
        quantized = constant(f"{scope}/weights_quint8_const")
        quantized = quantized.view(np.uint8) if quantized.dtype.fields else quantized
        weights[f"{layer}/kernel"] = dequantize_min_first(
            quantized.astype(np.uint8),
            float(constant(f"{scope}/weights_min")),
            float(constant(f"{scope}/weights_max")),
        )
        for name in ("gamma", "beta"):
            weights[f"{layer}_norm/{name}"] = constant(f"{scope}/InstanceNorm/{name}").astype(
                np.float32
            )
    return weights


def read_weights(path: str | os.PathLike | None = None) -> dict[str, np.ndarray]:
    """Every weight of the graph as float32, named as stlib's layers are.

    ``"<layer>/kernel"`` [k, k, C_in, C_out] (dequantised), ``"<layer>_norm/gamma"`` and
    ``"<layer>_norm/beta"`` [26, C_out], for the 18 layers of :data:`GRAPH_SCOPES`
    (``contract_conv1`` ... ``expand_conv3``): 54 arrays. ``path``: the ``.pb`` file, or None for
    :func:`frozen_graph_path`. The parsed file is kept (keyed by path, size and modification
    time); every call returns fresh copies.
    """
    file = _resolve(path)
    return {name: array.copy() for name, array in _weights(_file_key(file)).items()}


def load_magenta26(path: str | os.PathLike | None = None):
    """A new :class:`~stlib.cin.transformer.MultiStyleTransformer` (SLIM26, 26 styles named
    ``"magenta-26 #0"`` ...) holding the graph's weights. Call it as ``model([images, weights])``
    with images [B, H, W, 3] in [0, 1] and weights [B, 26].

    ``path``: the ``.pb`` file, or None for :func:`frozen_graph_path`. Each call builds a new
    model (the file is parsed once per process); :func:`stlib.cin.api.load` keeps one.
    """
    from stlib.cin.transformer import SLIM26, MultiStyleTransformer

    weights = read_weights(path)
    model = MultiStyleTransformer(NUM_STYLES, spec=SLIM26, style_names=STYLE_NAMES)
    model.build([(None, None, None, 3), (None, NUM_STYLES)])
    pairs = [*model.contract, *(p for block in model.residual for p in block), *model.expand]
    used = set()
    for conv, norm in pairs:
        for variable, key in (
            (conv.kernel, f"{conv.name}/kernel"),
            (norm.gamma, f"{conv.name}_norm/gamma"),
            (norm.beta, f"{conv.name}_norm/beta"),
        ):
            value = weights.get(key)
            if value is None or tuple(value.shape) != tuple(variable.shape):
                found = "nothing" if value is None else f"shape {tuple(value.shape)}"
                raise ValueError(
                    f"{key}: the model expects shape {tuple(variable.shape)}, the graph gives "
                    f"{found}"
                )
            variable.assign(value)
            used.add(key)
    if used != set(weights):
        raise ValueError(f"weights left unused: {sorted(set(weights) - used)}")
    return model


# ----------------------------------------------------------------------------- the original


@functools.lru_cache(maxsize=2)
def _session(key: tuple[str, int, int]):
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(_graph_def(key), name="")
    session = tf.compat.v1.Session(graph=graph)
    tensors = [graph.get_tensor_by_name(n) for n in (INPUT_TENSOR, STYLE_TENSOR, OUTPUT_TENSOR)]
    return session, *tensors


def run_frozen_graph(
    images: Any, style_weights: Any, path: str | os.PathLike | None = None
) -> np.ndarray:
    """The original quantised graph on one image: float32 [1, H, W, 3] in [0, 1].

    images: [1, H, W, 3] (or [H, W, 3]) float in [0, 1], a tensor or an array, H, W >= 5;
    style_weights: 26 weights ([26] or [1, 26]), applied as given (the graph does not normalise
    them). The graph paints ``4 * ceil(H / 4)`` rows (likewise columns); the extra ones are cut
    off, as stlib's model does. ``path``: the ``.pb`` file, or None for
    :func:`frozen_graph_path`. The graph is imported into a ``tf.compat.v1.Session`` once per
    file and process.
    """
    pixels = np.asarray(images, dtype=np.float32)
    if pixels.ndim == 3:
        pixels = pixels[None]
    if pixels.ndim != 4 or pixels.shape[0] != 1 or pixels.shape[-1] != 3:
        raise ValueError(
            f"images of shape {pixels.shape}: the frozen graph takes one RGB image, "
            "[1, H, W, 3] or [H, W, 3]"
        )
    height, width = pixels.shape[1:3]
    if min(height, width) < 5:
        raise ValueError(f"an image of {height}x{width} px: the 9x9 reflect padding needs >= 5 px")
    weights = np.asarray(style_weights, dtype=np.float32).reshape(-1)
    if weights.shape != (NUM_STYLES,):
        raise ValueError(
            f"style_weights of shape {np.shape(style_weights)}: give {NUM_STYLES} weights, "
            f"[{NUM_STYLES}] or [1, {NUM_STYLES}]"
        )
    session, image_in, style_in, output = _session(_file_key(_resolve(path)))
    painted = session.run(output, {image_in: pixels, style_in: weights})
    return painted[:, :height, :width, :]
