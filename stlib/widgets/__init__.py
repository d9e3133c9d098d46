"""ipywidgets explorers for the notebooks: change a setting, press Run, watch the pastiche form.

    from stlib.widgets import GatysExplorer
    explorer = GatysExplorer("tuebingen", "starry_night")
    explorer                  # shows the controls; Run starts Gatys' optimisation in a thread
    result = explorer.run()   # or run it here and now, without a thread (scripts, tests)

One module per explorer, over two shared ones:

* ``gatys_explorer``: ``GatysExplorer`` (notebook 04), every knob of Gatys et al.'s method; the
  run goes through ``stlib.background.BackgroundTransfer``, as in the app. How its controls map
  to ``GatysConfig`` is written in that module.
* ``arbitrary_explorer``: ``ArbitraryExplorer`` (notebook 07), the arbitrary style network of
  Ghiasi et al. (2017): a photo, two paintings, a strength slider and a mixing slider, repainted
  in a fraction of a second whenever a control is released.
* ``pickers``: ``ImagePicker``, a sample or an upload, and the FileUpload helpers.
* ``common``: PNG bytes, the loss curve, layout helpers, tooltips, the status line and the
  static copy.

Works with ipywidgets 7.7 (Colab) and 8. After each run an explorer also leaves a static copy
(status line, pastiche and loss curve as an HTML image) under the widget, for viewers without a
kernel (an exported HTML page, a notebook opened without running it); the live widget hides it.
"""

from stlib.widgets.arbitrary_explorer import (
    ARBITRARY_QUICK_SIZE,
    ARBITRARY_SIZE,
    ArbitraryExplorer,
    arbitrary_snapshot_html,
)
from stlib.widgets.common import (
    LOSS_FIGURE_DPI,
    LOSS_FIGURE_INCHES,
    draw_loss_terms,
    loss_curve_png,
    png_bytes,
    set_tooltip,
)
from stlib.widgets.gatys_explorer import (
    DEFAULT_LAYER_WEIGHT,
    NOISE_START_STEPS,
    QUICK_RATIOS,
    QUICK_SIZE,
    QUICK_STEPS,
    RATIO_DECADES,
    GatysExplorer,
    noise_start_warning,
    paper_layer_name,
    ratio_of,
    snapshot_html,
    with_ratio,
)
from stlib.widgets.pickers import (
    PREVIEW_SIDE,
    ImagePicker,
    clear_upload,
    decode_upload,
    uploaded_files,
)

__all__ = [
    "ARBITRARY_QUICK_SIZE",
    "ARBITRARY_SIZE",
    "ArbitraryExplorer",
    "DEFAULT_LAYER_WEIGHT",
    "GatysExplorer",
    "ImagePicker",
    "LOSS_FIGURE_DPI",
    "LOSS_FIGURE_INCHES",
    "NOISE_START_STEPS",
    "PREVIEW_SIDE",
    "QUICK_RATIOS",
    "QUICK_SIZE",
    "QUICK_STEPS",
    "RATIO_DECADES",
    "clear_upload",
    "decode_upload",
    "draw_loss_terms",
    "loss_curve_png",
    "noise_start_warning",
    "paper_layer_name",
    "png_bytes",
    "ratio_of",
    "set_tooltip",
    "snapshot_html",
    "uploaded_files",
    "arbitrary_snapshot_html",
    "with_ratio",
]
