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
