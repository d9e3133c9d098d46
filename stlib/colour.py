"""The old, British spelling of ``stlib.color`` (identifiers are American); kept so that older
notebooks and scripts run. ``import stlib.colour`` gives the very same module, with a
DeprecationWarning."""

import sys
import warnings

from stlib import color

warnings.warn(
    "stlib.colour is now stlib.color; the old name will be removed in a later version",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = color
