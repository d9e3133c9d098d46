"""stlib.widgets is a package, one explorer per module: every name of its ``__all__`` is there,
and each is the very object of the module that defines it (one definition, no copies)."""

from __future__ import annotations

import importlib

import pytest

pytest.importorskip("ipywidgets")

import stlib.widgets as widgets  # noqa: E402

MODULES = ("common", "pickers", "gatys_explorer", "arbitrary_explorer")


def test_every_public_name_is_re_exported_from_the_module_that_defines_it():
    homes = {}
    for name in MODULES:
        module = importlib.import_module(f"stlib.widgets.{name}")
        for public in module.__all__:
            assert public not in homes, f"{public} is in both {homes.get(public)} and {name}"
            homes[public] = name
            assert getattr(widgets, public) is getattr(module, public)
    assert sorted(homes) == sorted(widgets.__all__)
    assert widgets.GatysExplorer.__module__ == "stlib.widgets.gatys_explorer"
    assert widgets.ArbitraryExplorer.__module__ == "stlib.widgets.arbitrary_explorer"
    assert widgets.ImagePicker.__module__ == "stlib.widgets.pickers"
