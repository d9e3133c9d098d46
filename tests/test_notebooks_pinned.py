"""Every notebook installs, in Colab, the stlib version it was written for, from the repository
declared once in pyproject.toml, and states its run time in its first cell."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import stlib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _repository() -> str:
    urls = ROOT.joinpath("pyproject.toml").read_text().split("[project.urls]", 1)[1]
    return re.search(r'^Repository = "([^"]+)"', urls, re.MULTILINE).group(1)


def _cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text())["cells"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_first_code_cell_installs_this_version_in_colab(notebook):
    first_code = next("".join(c["source"]) for c in _cells(notebook) if c["cell_type"] == "code")
    pinned = f"git+{_repository()}@v{stlib.__version__}"
    assert pinned in first_code, f"{notebook.name}: the install cell must pin {pinned}"
    assert '"google.colab" in sys.modules' in first_code  # locally it installs nothing


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_first_markdown_cell_states_the_run_time(notebook):
    first_markdown = next(
        "".join(c["source"]) for c in _cells(notebook) if c["cell_type"] == "markdown"
    )
    line = re.search(r"^\*\*Runtime:\*\* .*$", first_markdown, re.MULTILINE)
    assert line, f"{notebook.name}: no '**Runtime:** ...' line in the first cell"
    assert re.search(r"quick mode about \d+(\.\d+)? min on a CPU", line.group(0)), line.group(0)
