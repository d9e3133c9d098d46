"""Gatys et al. 2016 style transfer by optimising the pixels of the pastiche.

    from stlib.gatys import transfer, preset
    image, history, config = transfer("tuebingen", "starry_night", preset("gatys2016", size=256))

Modules: ``config`` (GatysConfig), ``presets`` (published settings), ``objective`` (the loss with
fixed targets), ``optimizers`` (L-BFGS and Adam), ``history`` (losses per step, callbacks),
``engine`` (``transfer``: images in, pastiche out; multi-scale, colour preservation, style blending).
"""

from stlib.gatys.config import GatysConfig
from stlib.gatys.history import History, Step, StopTransfer, every
from stlib.gatys.objective import Objective, feature_extractor
from stlib.gatys.presets import PRESETS, preset
from stlib.gatys.engine import TransferResult, as_image, transfer

__all__ = [
    "GatysConfig",
    "History",
    "Objective",
    "PRESETS",
    "Step",
    "StopTransfer",
    "TransferResult",
    "as_image",
    "every",
    "feature_extractor",
    "preset",
    "transfer",
]
