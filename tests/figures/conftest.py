"""One scratch report folder for the whole session: its ``figures-quick/`` is shared by every
figure test and the report build, and the figures command keeps a figure whose inputs are
unchanged, so each quick figure is made once per test run (about 3 minutes of CI, not 6)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def quick_report(tmp_path_factory) -> Path:
    """A scratch copy-to folder for report/; quick figures go to its ``figures-quick/``."""
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="session")
def make_quick_figures(quick_report):
    """``make(names)``: those figures made (or kept) in quick mode in the shared folder; returns
    (folder, numbers)."""
    from stlib.figures import core

    out = quick_report / "figures-quick"

    def make(names) -> tuple[Path, dict]:
        return out, core.make(list(names), core.Context(out=out, quick=True), say=lambda _: None)

    return make
