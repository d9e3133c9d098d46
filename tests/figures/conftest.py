"""One scratch report folder for the whole test run: its ``figures-quick/`` is shared by every
figure test and the report build, and the figures command keeps a figure whose inputs are
unchanged, so each quick figure is made once per test run (about 3 minutes of CI, not 6).

Under ``make test``'s two workers (pytest-xdist) the root conftest.py sends these tests to one
worker together; should they ever run on two, the folder is the same for both and a lock on it
lets one make figures (or build the report) while the other waits, then keeps them."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def quick_report(tmp_path_factory) -> Path:
    """A scratch copy-to folder for report/; quick figures go to its ``figures-quick/``."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # gw0, gw1: their base folders share a parent
        base = base.parent
    folder = base / "report"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def figures_lock(quick_report):
    """``with figures_lock():`` the shared folder to this worker alone (a no-op without fcntl)."""

    @contextlib.contextmanager
    def hold():
        try:
            import fcntl
        except ImportError:  # Windows: one process runs the tests there
            yield
            return
        with open(quick_report / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    return hold


@pytest.fixture(scope="session")
def make_quick_figures(quick_report, figures_lock):
    """``make(names)``: those figures made (or kept) in quick mode in the shared folder; returns
    (folder, numbers)."""
    from stlib.figures import core

    out = quick_report / "figures-quick"

    def make(names) -> tuple[Path, dict]:
        with figures_lock():
            return out, core.make(
                list(names), core.Context(out=out, quick=True), say=lambda _: None
            )

    return make
