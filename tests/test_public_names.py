"""Notebooks use only public names: every stlib name a notebook cell reads is in its module's
``__all__`` (so a refactor that keeps ``__all__`` keeps the notebooks working)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
# The short names notebooks import modules as, and where those modules live.
MODULES = {
    name: f"stlib.{name}"
    for name in (
        "data",
        "images",
        "losses",
        "plotting",
        "settings",
        "vgg",
        "color",
        "gatys",
        "hardware",
        "startup",
        "arbitrary",
        "cin",
        "metrics",
        "widgets",
    )
}
# Every exercises module: nb01 ... nb05, nb07, ...
MODULES.update(
    {
        module.name: f"stlib.exercises.{module.name}"
        for module in pkgutil.iter_modules(importlib.import_module("stlib.exercises").__path__)
        if module.name.startswith("nb")
    }
)


def _code(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _used_names(code: str) -> set[tuple[str, str]]:
    """(module, name) for every `module.name` and `from stlib.module import name` in the code.

    A `from stlib.a.b import c` line is read as an import only (``stlib.a.b``'s ``c``): a
    submodule named in its dotted path (`from stlib.arbitrary.tiling import ramp`) is not
    itself a name the notebook reads from ``stlib.arbitrary``."""
    short = "|".join(MODULES)
    dotted = re.sub(
        r"^[ \t]*from[ \t]+stlib(\.\w+)*[ \t]+import\b.*$", "", code, flags=re.MULTILINE
    )
    used = {(MODULES[m], n) for m, n in re.findall(rf"\b({short})\.([A-Za-z_]\w*)", dotted)}
    for module, names in re.findall(r"from (stlib(?:\.\w+)*) import ([\w, ]+)", code):
        used |= {(module, name.strip()) for name in names.split(",")}
    return used


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebooks_use_only_public_names(notebook):
    private = []
    for module_name, name in sorted(_used_names(_code(notebook))):
        module = importlib.import_module(module_name)
        public = getattr(module, "__all__", None)
        # `from stlib import data`, `from stlib.exercises import nb01`: modules meant to be imported
        imports_a_module = module_name in ("stlib", "stlib.exercises")
        if not imports_a_module and (public is None or name not in public):
            private.append(f"{module_name}.{name}")
    assert not private, f"{notebook.name} uses names outside __all__: {private}"


def test_the_check_finds_a_private_name(tmp_path):
    notebook = tmp_path / "private.ipynb"
    cell = {"cell_type": "code", "source": ["x = gatys.engine.IMAGENET_MEAN_RGB\n"]}
    notebook.write_text(json.dumps({"cells": [cell]}))
    with pytest.raises(AssertionError, match=r"stlib.gatys.engine"):
        test_notebooks_use_only_public_names(notebook)


def test_every_submodule_is_an_attribute_of_stlib_and_the_old_names_say_where_they_went():
    """``stlib.<module>`` works for every module in the folder (a hand-kept list forgot
    ``color``, ``limits`` and others), without importing TensorFlow for the light ones."""
    import subprocess
    import sys

    probe = (
        "import stlib, sys\n"
        "assert stlib.limits.MIN_SIDE == 32 and stlib.folders.plan_folder\n"
        "assert stlib.cin.__name__ == 'stlib.cin'\n"
        "assert 'tensorflow' not in sys.modules\n"
        "names = set(dir(stlib))\n"
        "assert {'color', 'limits', 'folders', 'cin', 'metrics', 'widgets', 'cli'} <= names\n"
        "assert 'colour' not in names\n"
        "try:\n"
        "    from stlib import fast\n"
        "except ImportError as error:\n"
        "    assert 'stlib.fast is now stlib.cin' in str(error), error\n"
        "else:\n"
        "    raise AssertionError('stlib.fast imported')\n"
        "try:\n"
        "    stlib.colour\n"
        "except AttributeError as error:\n"
        "    assert \"no attribute 'colour'\" in str(error)\n"
        "else:\n"
        "    raise AssertionError('stlib.colour still there')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
