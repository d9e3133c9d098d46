"""stlib.methods: the registry the app's method picker lists."""

from __future__ import annotations

import importlib.util

import pytest
from app_test_helpers import REPOSITORY

from stlib import cli
from stlib.methods import METHODS, method
from stlib.validation import SettingError


def test_every_method_names_a_real_sub_command_and_package():
    commands = {
        name
        for action in cli.build_parser()._actions
        if isinstance(getattr(action, "choices", None), dict)
        for name in action.choices
    }
    for entry in METHODS.values():
        program, command = entry.command.split()
        assert program == "stlib" and command in commands, entry.command
        assert importlib.util.find_spec(entry.package) is not None, entry.package
    assert len({m.label for m in METHODS.values()}) == len(METHODS)


def test_feed_forward_methods_are_live_and_optimisation_is_not():
    assert method("arbitrary").live and method("cin").live and not method("gatys").live


def test_the_multi_style_network_is_dumoulin_s_in_stlib_cin():
    cin = method("cin")
    assert (cin.label, cin.command) == ("Multi-style network", "stlib cin")
    assert cin.package == "stlib.cin"
    assert cin.reference == "Dumoulin, Shlens, Kudlur, ICLR 2017"
    assert "26 styles" in cin.summary


def test_the_app_has_a_panel_for_every_method():
    # A new method is an entry in stlib.methods and a module stlib/app/<name>_panel.py.
    for name in METHODS:
        assert (REPOSITORY / "stlib" / "app" / f"{name}_panel.py").is_file(), name


def test_an_unknown_method_is_refused_with_a_suggestion():
    with pytest.raises(SettingError, match=r"method='gatsy': choose from .*did you mean 'gatys'"):
        method("gatsy")
