"""The TFLite backend: the official Magenta style predictor and transformer, run by an interpreter.

- The interpreter is ``ai_edge_litert``'s where that package is installed (TensorFlow's successor
  to ``tf.lite``), else ``tf.lite.Interpreter``; it uses every core this process may run on. Its
  deprecation warning and its C++ start-up line ("Created TensorFlow Lite XNNPACK delegate") are
  kept off the user's screen.
- The predictor maps a style image (the square the network was trained on, 256 px by default; other
  sides work, the network ends in a spatial mean) to a 100-number embedding.
- The ``dynamic`` transformer takes any size once its input is resized. It rounds each side up to a
  multiple of 4 (two stride-2 convolutions, then two 2x upsamplings), so the photo is padded by
  reflection to a multiple of 4 first and the result cropped back: the pastiche has exactly the
  photo's size and pixel (y, x) is painted from the photo's pixel (y, x).
- The ``int8`` and ``float16`` transformers accept a resized input but still answer 384x384, so
  they paint 384-px tiles that overlap and are blended smoothly (``stlib.arbitrary.tiling``).

Images are float32 [1, H, W, 3] in [0, 1]; embeddings float32 [100].
"""

from __future__ import annotations

import os
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from stlib.arbitrary import tiling
from stlib.arbitrary.config import DEFAULT_STYLE_SIZE
from stlib.arbitrary.stylizer import EmbeddingStylizer
from stlib.inputs import load_content
from stlib.startup import stderr_hidden

__all__ = [
    "EMBEDDING_SIZE",
    "TFLiteModel",
    "TFLiteStylizer",
    "as_embedding",
    "interpreter_class",
    "thread_count",
]

EMBEDDING_SIZE = 100  # the style bottleneck of Ghiasi et al. (sec. 3.2)
# Sides the dynamic transformer computes without rounding: two stride-2 convolutions.
_MULTIPLE = 4


def interpreter_class() -> tuple[type, str]:
    """The TFLite interpreter to use and where it comes from: ``(class, "ai_edge_litert")`` or
    ``(class, "tf.lite")``."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        return tf.lite.Interpreter, "tf.lite"
    return Interpreter, "ai_edge_litert"


def thread_count() -> int:
    """The cores this process may use (its CPU affinity where the system says, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return os.cpu_count() or 1


def _pixels(shape: tuple) -> int:
    """H * W of a [1, H, W, 3] shape."""
    return int(shape[1]) * int(shape[2])


class TFLiteModel:
    """One ``.tflite`` file and its interpreters, safe to call from several threads.

    ``run(image, *others)`` feeds the inputs in the model's order (the image input first) and
    returns the first output. Resizing an interpreter's input costs an ``allocate_tensors``, in
    which the XNNPACK delegate prepares the whole graph again (about a third of a pass at 1024 and
    2048 px when this was written). So an interpreter is kept per image shape, for the last
    ``shapes_kept`` shapes (default 2: a photo's full size and its ``compute_size`` alternate
    without that cost). Memory decides which: the dynamic transformer
    holds about 1.5 kB per pixel (4.7 GB at 2048 x 1536), so only shapes of at most
    ``keep_pixels`` pixels (default 512 x 512) are kept beside another: a new large shape takes
    over the large interpreter, any other the least recently used one.
    """

    def __init__(
        self, path: str | os.PathLike, shapes_kept: int = 2, keep_pixels: int = 512 * 512
    ) -> None:
        self.path = Path(path)
        self.shapes_kept = max(1, int(shapes_kept))
        self.keep_pixels = int(keep_pixels)
        self._class, self.runtime = interpreter_class()
        first = self._new_interpreter()
        details = first.get_input_details()
        # The image input is the one with 3 channels; the others (the embedding) keep their shape.
        details.sort(key=lambda d: 0 if d["shape"][-1] == 3 else 1)
        self._inputs = [d["index"] for d in details]
        self.input_shapes = [tuple(int(n) for n in d["shape"]) for d in details]
        self._output = first.get_output_details()[0]["index"]
        # image shape -> the interpreter allocated for it, least recently used first
        self._interpreters: OrderedDict[tuple, Any] = OrderedDict({self.input_shapes[0]: first})
        self._lock = threading.Lock()

    def _new_interpreter(self):
        # tf.lite.Interpreter warns that it is deprecated (a warning for stlib, not the user), and
        # the C++ runtime announces its CPU delegate on file descriptor 2.
        with warnings.catch_warnings(), stderr_hidden():
            warnings.simplefilter("ignore")
            interpreter = self._class(model_path=str(self.path), num_threads=thread_count())
            interpreter.allocate_tensors()
        return interpreter

    def _interpreter_for(self, shape: tuple) -> Any:
        """The interpreter allocated for a [1, H, W, 3] ``shape`` (called under the lock)."""
        interpreter = self._interpreters.pop(shape, None)
        if interpreter is None:
            large = [kept for kept in self._interpreters if _pixels(kept) > self.keep_pixels]
            if large and _pixels(shape) > self.keep_pixels:  # never two large ones: resize it
                interpreter = self._interpreters.pop(large[0])
            elif len(self._interpreters) >= self.shapes_kept:
                _, interpreter = self._interpreters.popitem(last=False)  # the least recent
            else:
                interpreter = self._new_interpreter()
            interpreter.resize_tensor_input(self._inputs[0], shape, strict=False)
            with stderr_hidden():
                interpreter.allocate_tensors()
        self._interpreters[shape] = interpreter  # now the most recent
        return interpreter

    def run(self, image: np.ndarray, *others: np.ndarray) -> np.ndarray:
        """The first output for float32 inputs: ``image`` [1, H, W, 3], then the others."""
        image = np.ascontiguousarray(image, np.float32)  # a tile is a view into the photo
        with self._lock:
            interpreter = self._interpreter_for(tuple(image.shape))
            for index, value in zip(self._inputs, (image, *others)):
                interpreter.set_tensor(index, value)
            interpreter.invoke()
            return interpreter.get_tensor(self._output)

    def __repr__(self) -> str:
        return f"TFLiteModel({self.path.name!r}, {self.runtime}, inputs {self.input_shapes})"


def as_embedding(embedding: Any) -> np.ndarray:
    """An embedding as the transformer takes it: float32 [1, 1, 1, 100], checked.

    Accepts 100 finite numbers in any shape that holds exactly them ([100], [1, 100],
    [1, 1, 1, 100]), as a list, array or tensor.
    """
    values = np.asarray(embedding.numpy() if hasattr(embedding, "numpy") else embedding)
    if values.size != EMBEDDING_SIZE or values.dtype.kind not in "fiu":
        raise ValueError(
            f"embedding has shape {values.shape} and dtype {values.dtype}; expected "
            f"{EMBEDDING_SIZE} numbers, as stlib.arbitrary.embed returns"
        )
    values = values.astype(np.float32).reshape(1, 1, 1, EMBEDDING_SIZE)
    if not np.all(np.isfinite(values)):
        raise ValueError("embedding contains NaN or infinite values")
    return values


class TFLiteStylizer(EmbeddingStylizer):
    """Ghiasi et al.'s arbitrary style network as the official TFLite pair.

    Args:
        predictor: path of ``style_predict_quantized_256.tflite``.
        transformer_path: path of the transformer file.
        transformer: its kind: ``"dynamic"`` (any size, one pass) or ``"int8"`` / ``"float16"``
            (384x384 only: painted in overlapping tiles).

    Usually made by ``stlib.arbitrary.load("tflite", transformer)``, which finds the files.
    """

    backend = "tflite"

    def __init__(
        self, predictor: str | os.PathLike, transformer_path: str | os.PathLike, transformer: str
    ) -> None:
        self.transformer = transformer
        self.predictor = TFLiteModel(predictor)
        self.transformer_model = TFLiteModel(transformer_path)
        self.tiled = transformer != "dynamic"

    def _embed_image(self, image: tf.Tensor) -> np.ndarray:
        pixels = np.asarray(image, np.float32)
        return self.predictor.run(pixels).reshape(EMBEDDING_SIZE)

    def embed(self, style: Any, *, style_size: int = DEFAULT_STYLE_SIZE) -> np.ndarray:
        """The 100-number embedding of a style image, float32 [100].

        A float32 array of shape [s, s, 3] (or [1, s, s, 3]) in [0, 1], with s = ``style_size``,
        goes to the predictor exactly as given; any other image (path, sample name, PIL, array) is
        centre-cropped to a square and resized to ``style_size`` (256: the predictor's own size).
        """
        return super().embed(style, style_size=style_size)

    def transform(self, content: Any, embedding: Any) -> tf.Tensor:
        """Paint ``content`` (any image form, any size) with a [100] ``embedding``.

        Returns float32 [1, H, W, 3] in [0, 1] at exactly the content's size.
        """
        return self._transform_image(load_content(content), as_embedding(embedding))

    def _transform_image(self, image: tf.Tensor, vector: np.ndarray) -> tf.Tensor:
        """``transform`` of a checked [1, H, W, 3] image and a [1, 1, 1, 100] embedding.

        ``stylize`` calls this directly: its content is loaded and checked once, not twice.
        """
        pixels = np.asarray(image, np.float32)[0]
        if self.tiled:
            painted = tiling.paint_tiled(
                pixels, lambda tile: self.transformer_model.run(tile[None], vector)[0]
            )
        else:
            painted = self._paint_whole(pixels, vector)
        # The transformer ends in a sigmoid; the clip guards the tiles' blending. In place: the
        # interpreter's output is already a copy.
        painted = np.clip(painted, 0.0, 1.0, out=np.ascontiguousarray(painted))
        return tf.constant(painted[None])

    def _paint_embedding(self, content: tf.Tensor, embedding: np.ndarray) -> tf.Tensor:
        return self._transform_image(content, as_embedding(embedding))

    def _paint_whole(self, pixels: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """[H, W, 3] -> [H, W, 3] in one pass of the dynamic transformer."""
        height, width = pixels.shape[:2]
        pad_y, pad_x = -height % _MULTIPLE, -width % _MULTIPLE
        if pad_y or pad_x:
            pixels = np.pad(pixels, ((0, pad_y), (0, pad_x), (0, 0)), mode="reflect")
        painted = self.transformer_model.run(pixels[None], vector)[0]
        return painted[:height, :width]
