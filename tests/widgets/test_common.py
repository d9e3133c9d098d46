"""stlib.widgets.common: the loss curve drawn for the explorer (the total beneath the terms,
whole-step ticks). PNG bytes, tooltips, layout and the static copy are checked through the
explorers, in test_gatys_explorer.py, test_pickers.py and test_arbitrary_explorer.py."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from matplotlib.figure import Figure  # noqa: E402

from stlib.gatys import History  # noqa: E402
from stlib.widgets import draw_loss_terms  # noqa: E402


def test_loss_plot_draws_the_total_beneath_the_terms_with_whole_step_ticks():
    history = History()
    for step in (1, 2, 3):
        style = 1e3 / step
        losses = {"content": 10.0 * step, "style": style, "tv": 0.0, "total": 10.0 * step + style}
        history.record(step, 0, 0.1 * step, 1, losses)
    ax = Figure().add_subplot()
    draw_loss_terms(history, ax)
    lines = {line.get_label(): line for line in ax.get_lines()}
    total, style = lines["total"], lines["style"]
    assert total.get_zorder() < style.get_zorder() and total.get_linestyle() == "--"
    assert total.get_linewidth() > style.get_linewidth()
    legend = {
        text.get_text(): line
        for text, line in zip(ax.get_legend().get_texts(), ax.get_legend().get_lines())
    }
    assert legend["total"].get_linestyle() == "--"  # the legend shows the new styles
    ticks = [t for t in ax.get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks)  # not 1.0, 1.5, 2.0, ...
