"""What an optimisation leaves behind: losses per step and time.

``Step``, ``every``, ``StopTransfer`` and ``Callback``, how a run is watched, are every method's
(``stlib.results``); they are imported here because the optimisation is what calls them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from stlib.results import Callback, Step, StopTransfer, every
from stlib.validation import SettingError

__all__ = ["TERMS", "Callback", "History", "Step", "StopTransfer", "TransferError", "every"]

TERMS = ("content", "style", "tv", "total")


class TransferError(SettingError):
    """The optimisation could not do what was asked (nothing to optimize, a loss that overflowed).

    Found during the run, but caused by the settings or images: a ``SettingError`` whose message
    names settings as ``{style_weight}`` so that each front end words them its own way.
    """

    def __init__(self, problem: str) -> None:
        super().__init__({}, problem)

    def __reduce__(self):
        return (type(self), (self.problem,))


@dataclass
class History:
    """Per-step record of an optimisation. Lists are aligned: entry i describes step ``steps[i]``.

    ``terms`` holds the weighted loss terms (content, style, tv) and their sum (total), so that
    ``plotting`` can draw each term's share; ``seconds`` is the wall time since the optimisation
    began (targets and compilation included); ``evaluations`` counts loss+gradient evaluations
    (L-BFGS may use more than one per step for its line search), counted from the start of each
    scale. With ``precision="bfloat16"`` the losses are the bfloat16 network's (within about 1 %);
    ``precision_switches`` lists the steps after which L-BFGS went on in float32.

    Taught in notebook 03, section 3.
    """

    steps: list[int] = field(default_factory=list)
    scale: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    evaluations: list[int] = field(default_factory=list)
    terms: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in TERMS})
    sizes: list[tuple[int, int]] = field(default_factory=list)  # (H, W) per scale
    stopped_early: bool = False
    precision_switches: list[int] = field(default_factory=list)

    def record(
        self, step: int, scale: int, seconds: float, evaluations: int, losses: dict[str, float]
    ) -> None:
        self.steps.append(step)
        self.scale.append(scale)
        self.seconds.append(seconds)
        self.evaluations.append(evaluations)
        for name in TERMS:
            self.terms[name].append(float(losses[name]))

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def total(self) -> list[float]:
        return self.terms["total"]

    @property
    def final_losses(self) -> dict[str, float]:
        """The loss terms after the last step; empty when no step was taken."""
        return {name: values[-1] for name, values in self.terms.items()} if self.steps else {}

    @property
    def seconds_total(self) -> float:
        """Wall seconds until the last step (0.0 when no step was taken)."""
        return self.seconds[-1] if self.seconds else 0.0

    def seconds_to_reach(self, loss: float, scale: int | None = None) -> float | None:
        """Wall seconds until total loss first fell to ``loss`` (at the given scale), or None."""
        for s, sc, total in zip(self.seconds, self.scale, self.total):
            if total <= loss and (scale is None or sc == scale):
                return s
        return None

    def seconds_per_step(self) -> float:
        """Median seconds per step over the last scale, after its first step (compilation excluded).

        NaN when there are fewer than two steps to time.
        """
        if not self.steps:
            return float("nan")
        last = self.scale[-1]
        times = [t for t, sc in zip(self.seconds, self.scale) if sc == last]
        gaps = sorted(b - a for a, b in zip(times, times[1:]))
        return gaps[len(gaps) // 2] if gaps else float("nan")

    def to_dict(self) -> dict:
        return {
            "steps": self.steps,
            "scale": self.scale,
            "seconds": self.seconds,
            "evaluations": self.evaluations,
            "terms": self.terms,
            "sizes": self.sizes,
            "stopped_early": self.stopped_early,
            "precision_switches": self.precision_switches,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())
