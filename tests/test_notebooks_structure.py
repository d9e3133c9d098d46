"""Each notebook says what it needs and sums up what it taught; none points to a notebook that
does not exist, and every cell has the id nbformat 4.5 requires."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text())["cells"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_prerequisites_first_and_a_summary_last(notebook):
    markdown = ["".join(c["source"]) for c in _cells(notebook) if c["cell_type"] == "markdown"]
    assert "**Prerequisites:**" in markdown[0]
    assert any(re.search(r"^## (Summary|What we saw)", m, re.MULTILINE) for m in markdown[-3:])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_references_only_to_notebooks_that_exist(notebook):
    existing = {int(n.name[:2]) for n in NOTEBOOKS}
    text = "".join("".join(c["source"]) for c in _cells(notebook))
    mentioned = {int(n) for n in re.findall(r"\bnotebooks? (\d\d)\b", text)}
    assert mentioned <= existing, sorted(mentioned - existing)
    assert "06+" not in text


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_every_cell_has_an_id(notebook):
    ids = [c.get("id") for c in _cells(notebook)]
    assert all(ids) and len(set(ids)) == len(ids)
