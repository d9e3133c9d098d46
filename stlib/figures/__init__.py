"""Every figure of the report and the slides, made by code: ``python -m stlib.figures``.

One function per figure, registered by name (``FIGURES``); each is deterministic (seeded),
shows progress, and returns the numbers the text quotes, which go to ``numbers.tex`` as LaTeX
macros. ``core`` holds the machinery (files, cache, numbers); the figures live by method:
``gatys_figures``, ``cin_figures``, ``arbitrary_figures``, ``speed_figures``,
``spatial_figures``.

    python -m stlib.figures --quick                 # CI: small images, few steps, stamped
    python -m stlib.figures --only style_grid       # one figure
    make report                                     # full mode, then the PDFs (latexmk)
"""

from importlib import import_module

from stlib.figures.core import FIGURES, Context, Made, figure, make, numbers_tex

__all__ = ["FIGURES", "Context", "Made", "figure", "make", "numbers_tex"]

# The modules whose figures are registered on import, in the report's order.
FIGURE_MODULES = (
    "gatys_figures",
    "cin_figures",
    "arbitrary_figures",
    "speed_figures",
    "spatial_figures",
)

for _module in FIGURE_MODULES:
    import_module(f"stlib.figures.{_module}")
