"""The package's layout rules (docs/architecture.md), read from the source without importing it.

Every ``import`` statement counts, the ones inside functions too: a lazy import hides a circle
from Python, not from the reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "stlib"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(package: Path) -> dict[str, set[tuple[str, str]]]:
    """Each module of ``package`` -> the (module, name) pairs it imports from the same package.

    ``from stlib import data`` is an import of the module ``stlib.data``; ``from stlib.x import
    y`` where y is no module is the pair (``stlib.x``, ``y``).
    """
    files = {module_name(path, package.parent): path for path in package.rglob("*.py")}
    found: dict[str, set[tuple[str, str]]] = {name: set() for name in files}
    for name, path in files.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found[name] |= {(alias.name, "") for alias in node.names if alias.name in files}
            elif isinstance(node, ast.ImportFrom):
                parts = here.split(".")
                source = ".".join(parts[: len(parts) - node.level + 1] if node.level else [])
                source = ".".join(filter(None, [source, node.module or ""]))
                for alias in node.names:
                    if f"{source}.{alias.name}" in files:
                        found[name].add((f"{source}.{alias.name}", ""))
                    elif source in files:
                        found[name].add((source, alias.name))
        found[name] = {(module, what) for module, what in found[name] if module != name}
    return found


def first_circle(edges: dict[str, set[str]]) -> list[str] | None:
    """A path a -> b -> ... -> a through ``edges``, or None when the graph has no circle."""
    done: set[str] = set()

    def walk(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        if node in done:
            return None
        for after in sorted(edges.get(node, ())):
            circle = walk(after, [*path, node])
            if circle:
                return circle
        done.add(node)
        return None

    for start in sorted(edges):
        circle = walk(start, [])
        if circle:
            return circle
    return None


def test_no_module_of_stlib_imports_itself_back_through_others():
    edges = {name: {module for module, _ in pairs} for name, pairs in imports_of(PACKAGE).items()}
    assert first_circle(edges) is None, " -> ".join(first_circle(edges))


def test_no_private_name_is_imported_from_another_module():
    private = sorted(
        f"{name} imports {what} from {module}"
        for name, pairs in imports_of(PACKAGE).items()
        for module, what in pairs
        if what.startswith("_")
    )
    assert private == []


def test_the_checks_find_a_lazy_circle_and_a_private_import(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import _helper\n")
    (package / "b.py").write_text("def _helper():\n    from pkg import a  # lazy\n")
    imports = imports_of(package)
    assert imports["pkg.a"] == {("pkg.b", "_helper")}
    assert imports["pkg.b"] == {("pkg.a", "")}
    circle = first_circle({name: {m for m, _ in pairs} for name, pairs in imports.items()})
    assert circle in (["pkg.a", "pkg.b", "pkg.a"], ["pkg.b", "pkg.a", "pkg.b"])
    assert first_circle({"pkg.a": {"pkg.b"}, "pkg.b": set()}) is None


@pytest.mark.parametrize("relative", ["from . import b", "from .b import thing"])
def test_relative_imports_are_resolved(tmp_path, relative):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(relative + "\n")
    (package / "b.py").write_text("thing = 1\n")
    assert {module for module, _ in imports_of(package)["pkg.a"]} == {"pkg.b"}
