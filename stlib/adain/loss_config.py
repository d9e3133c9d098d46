"""The weights of the AdaIN training loss, as a frozen dataclass checked once (no TensorFlow).

The paper's loss is ``content + lambda * style`` with lambda = 10 (section 6.2). The numbers
assume stlib's encoder, the normalised VGG19 (``stlib.adain.network``), and the mean-squared form
of both terms (``stlib.adain.loss`` says why). :func:`stlib.adain.loss.training_step` reads only
``content_weight`` and ``style_weight``, so a training config with those two fields can be passed
in its place.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from stlib import validation as check

__all__ = ["CONTENT_WEIGHT", "STYLE_WEIGHT", "LossConfig"]

CONTENT_WEIGHT = 1.0
STYLE_WEIGHT = 10.0  # lambda of the paper (section 6.2)


@check.named_fields()
@dataclass(frozen=True, kw_only=True)
class LossConfig:
    """``content_weight`` (1 in the paper) and ``style_weight`` (lambda, 10 in the paper)."""

    content_weight: float = CONTENT_WEIGHT
    style_weight: float = STYLE_WEIGHT

    def __post_init__(self) -> None:
        for name in ("content_weight", "style_weight"):
            value = check.number(getattr(self, name), name, low=0.0, high=check.FLOAT32_MAX)
            object.__setattr__(self, name, value)
        if self.content_weight == 0 and self.style_weight == 0:
            raise check.SettingError(
                {"content_weight": 0.0, "style_weight": 0.0},
                "cannot both be 0: there would be nothing to learn",
            )

    def replace(self, **changes: Any) -> LossConfig:
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **check.field_names(LossConfig, changes))
