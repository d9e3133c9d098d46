"""The widths of the multi-style transformer, and the two published sets (no TensorFlow).

A training config names its network by these widths; the command line checks them before
TensorFlow starts. :class:`stlib.cin.transformer.MultiStyleTransformer` builds the network.

>>> MAGENTA.numbers_per_style, SLIM26.numbers_per_style
(3206, 990)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAGENTA", "SLIM26", "SPECS", "TransformerSpec"]


@dataclass(frozen=True)
class TransformerSpec:
    """The widths: ``contract`` (3 convs), ``residual_blocks`` (their count), ``expand`` (2)."""

    contract: tuple[int, int, int] = (32, 64, 128)
    residual_blocks: int = 5
    expand: tuple[int, int] = (64, 32)

    def __post_init__(self):
        object.__setattr__(self, "contract", tuple(int(c) for c in self.contract))
        object.__setattr__(self, "expand", tuple(int(c) for c in self.expand))
        if len(self.contract) != 3 or len(self.expand) != 2:
            raise ValueError(
                f"a transformer has 3 contract and 2 expand widths, got contract={self.contract} "
                f"and expand={self.expand}"
            )
        if min(*self.contract, *self.expand) < 1 or int(self.residual_blocks) < 0:
            raise ValueError(f"widths must be positive and residual_blocks at least 0, got {self}")

    @property
    def norm_widths(self) -> list[int]:
        """The channel count of every normalised layer, in order (contract, residual, expand, 3)."""
        residual = [self.contract[-1]] * (2 * self.residual_blocks)
        return [*self.contract, *residual, *self.expand, 3]

    @property
    def numbers_per_style(self) -> int:
        """How many numbers one style owns: gamma and beta of every normalised layer."""
        return 2 * sum(self.norm_widths)


MAGENTA = TransformerSpec((32, 64, 128), 5, (64, 32))
SLIM26 = TransformerSpec((32, 32, 32), 6, (8, 4))
SPECS = {"magenta": MAGENTA, "slim26": SLIM26}
