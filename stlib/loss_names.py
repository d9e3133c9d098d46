"""The names of the loss variants, without TensorFlow: what ``stlib.losses`` computes and every
config accepts, written once so that a config is checked before TensorFlow starts."""

from __future__ import annotations

__all__ = ["CONTENT_REDUCTIONS", "TV_KINDS"]

# The content term over positions and channels: a mean (stlib, TF tutorial) or a sum (the paper).
CONTENT_REDUCTIONS = ("mean", "sum")
# Total variation: sum of absolute differences (tf.image.total_variation) or of squares.
TV_KINDS = ("l1", "squared")
