"""The widths of the AdaIN decoder, and the paper's (no TensorFlow).

The decoder mirrors VGG19 from ``relu4_1`` back to the image (Huang and Belongie 2017, section
6.1): one convolution at relu4_1's grid, then three stages after a nearest x2 upsampling each,
with the channel counts of VGG's blocks 3, 2 and 1 (256, 128, 64). A narrower decoder trains and
runs faster and is what the tests and the quick preset use; its layout stays the paper's.

>>> PAPER.widths, PAPER.convolutions
((256, 128, 64), 9)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PAPER", "SPECS", "TINY", "DecoderSpec"]


@dataclass(frozen=True)
class DecoderSpec:
    """``widths``: the channels of the stages at 1/4, 1/2 and 1 of the image's side (VGG19's
    blocks 3, 2 and 1). The layout (convolutions per stage) is the paper's: see
    :class:`stlib.adain.network.AdaINDecoder`."""

    widths: tuple[int, int, int] = (256, 128, 64)

    def __post_init__(self):
        widths = tuple(self.widths)
        if len(widths) != 3 or not all(isinstance(w, int) and w >= 1 for w in widths):
            raise ValueError(
                f"a decoder has 3 positive whole widths (blocks 3, 2, 1), got widths={widths!r}"
            )
        object.__setattr__(self, "widths", widths)

    @property
    def convolutions(self) -> int:
        """How many 3x3 convolutions the decoder has (9, as the paper's)."""
        return 1 + 4 + 2 + 2


PAPER = DecoderSpec((256, 128, 64))
TINY = DecoderSpec((16, 8, 8))
SPECS = {"paper": PAPER, "tiny": TINY}
