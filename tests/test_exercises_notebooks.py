"""The exercise convention, read from the committed notebooks and checked by running them untouched.

In every notebook (01-08 have exercises) each exercise's student cell holds a placeholder
and ends with its check (a bare expression, so Jupyter shows the verdict once); no cell defines a
solution or imports ``stlib.exercises.solutions``; where later cells need the exercise's name, the
next cell binds it to stlib's own version; each exercise's text states the tolerance its check
uses. Run All on an untouched notebook shows "not attempted" once per exercise and no ✓ anywhere.

That Run All is the one execution of each notebook in ``make test`` (quick mode; nbmake no longer
runs them a second time): a cell that raises fails it.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_exercises_solutions import EXERCISES

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
# Every numbered notebook, by the name of its exercises module: {"nb01": .../01_....ipynb, ...}.
NOTEBOOKS = {f"nb{path.name[:2]}": path for path in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))}
BY_CHECK = {(exercise.notebook, exercise.check): exercise for exercise in EXERCISES}


def _python(source: str) -> ast.Module:
    """A code cell's source as Python: IPython magics (%pip, !ls) become ``pass``."""
    lines = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in source.splitlines()]
    return ast.parse("\n".join(lines))


@dataclass
class Cell:
    index: int
    kind: str
    source: str

    @functools.cached_property
    def tree(self) -> ast.Module:
        return _python(self.source)


def _cells(path: Path) -> list[Cell]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [
        Cell(index, cell["cell_type"], "".join(cell["source"]))
        for index, cell in enumerate(notebook["cells"])
    ]


@dataclass
class StudentCell:
    cell: Cell
    call: ast.Call  # nb02.check_gram_matrix(gram_matrix)
    check: str  # "check_gram_matrix"
    answer: str  # "gram_matrix"
    markdown: Cell  # the exercise's text: the nearest markdown cell above


def _check_calls(tree: ast.AST, module: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == module
        and node.func.attr.startswith("check_")
    ]


def _student_cells(notebook: str, cells: list[Cell]) -> list[StudentCell]:
    found = []
    for cell in cells:
        if cell.kind != "code":
            continue
        for call in _check_calls(cell.tree, notebook):
            markdown = next(c for c in reversed(cells[: cell.index]) if c.kind == "markdown")
            first = call.args[0] if call.args else None
            assert isinstance(first, ast.Name), f"cell {cell.index}: check the student's name"
            found.append(StudentCell(cell, call, call.func.attr, first.id, markdown))
    return found


def _defined_names(tree: ast.AST) -> dict[str, list[ast.AST]]:
    """{name: [nodes that bind it]} for defs, classes, assignments and imports at any depth."""
    names: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            targets = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                targets += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            targets = [(alias.asname or alias.name).split(".")[0] for alias in node.names]
        elif isinstance(node, (ast.For, ast.comprehension, ast.withitem, ast.NamedExpr)):
            target = getattr(node, "target", None) or getattr(node, "optional_vars", None)
            targets = [n.id for n in ast.walk(target) if isinstance(n, ast.Name)] if target else []
        for name in targets:
            names.setdefault(name, []).append(node)
    return names


def _is_placeholder(node: ast.AST) -> bool:
    """``name = None``, or a function whose every way out returns None or raises
    NotImplementedError (comments, a docstring and local set-up allowed)."""
    if isinstance(node, ast.Assign):
        return isinstance(node.value, ast.Constant) and node.value.value is None
    if isinstance(node, ast.FunctionDef):
        exits = [n for n in ast.walk(node) if isinstance(n, (ast.Return, ast.Raise))]
        last = node.body[-1]
        return (
            bool(exits)
            and last in exits
            and all(
                (isinstance(n, ast.Return) and (n.value is None or ast.unparse(n.value) == "None"))
                or (isinstance(n, ast.Raise) and "NotImplementedError" in ast.unparse(n))
                for n in exits
            )
        )
    return False


def _binds_stlib(node: ast.AST, cells: list[Cell]) -> bool:
    """``name = module.attribute`` of a module imported from stlib, or ``from stlib... import``."""
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").startswith("stlib") and "solutions" not in node.module
    if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute)):
        return False
    root = node.value
    while isinstance(root, ast.Attribute):
        root = root.value
    stlib_modules = {
        alias.asname or alias.name
        for cell in cells
        if cell.kind == "code"
        for imported in ast.walk(cell.tree)
        if isinstance(imported, ast.ImportFrom) and (imported.module or "").startswith("stlib")
        for alias in imported.names
    }
    return isinstance(root, ast.Name) and root.id in stlib_modules


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_student_cells_hold_a_placeholder_and_end_with_their_check(notebook):
    cells = _cells(NOTEBOOKS[notebook])
    students = _student_cells(notebook, cells)
    expected = sorted(e.check for e in EXERCISES if e.notebook == notebook)
    assert sorted(s.check for s in students) == expected, "each check called exactly once"
    for student in students:
        exercise = BY_CHECK[(notebook, student.check)]
        body = student.cell.tree.body
        last = body[-1]
        assert isinstance(last, ast.Expr) and last.value is student.call, (
            f"cell {student.cell.index}: the check must be the cell's last expression"
        )
        assert not student.cell.source.rstrip().endswith(";"), (
            f"cell {student.cell.index}: no trailing ';', or Jupyter shows nothing"
        )
        assert student.answer == exercise.answer
        definitions = _defined_names(ast.Module(body=body[:-1], type_ignores=[]))
        if exercise.kind == "debug":  # the code with bugs, marked for the student to repair
            assert len(definitions[exercise.answer]) == 1 and "# FIX ME" in student.cell.source
            continue
        assert [_is_placeholder(node) for node in definitions[exercise.answer]] == [True], (
            f"cell {student.cell.index}: {exercise.answer} must be a placeholder"
        )


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_no_cell_defines_a_solution_and_later_cells_use_stlib(notebook):
    cells = _cells(NOTEBOOKS[notebook])
    students = {s.cell.index: s for s in _student_cells(notebook, cells)}
    module = f"stlib.exercises.solutions.{notebook}"
    answers = importlib.import_module(module).__all__ if importlib.util.find_spec(module) else []
    for cell in cells:
        assert "#@title Solution" not in cell.source, f"cell {cell.index} is a solution cell"
        if cell.kind != "code":
            continue
        assert "solutions" not in cell.source, f"cell {cell.index} mentions the solutions"
        for name, nodes in _defined_names(cell.tree).items():
            if name not in answers or cell.index in students:
                continue
            assert all(_binds_stlib(node, cells) for node in nodes), (
                f"cell {cell.index} defines {name}: only stlib's own version may be bound there"
            )
            assert cell.index - 1 in students and students[cell.index - 1].answer == name, (
                f"cell {cell.index}: bind {name} right after its exercise"
            )
            assert "# the library's version from here on" in cell.source
    for index, student in students.items():
        later = [
            cell
            for cell in cells[index + 1 :]
            if cell.kind == "code"
            and any(
                isinstance(n, ast.Name) and n.id == student.answer and isinstance(n.ctx, ast.Load)
                for n in ast.walk(cell.tree)
            )
        ]
        if later:  # later cells use the name: the next cell must make it stlib's
            following = _defined_names(cells[index + 1].tree).get(student.answer, [])
            assert following and all(_binds_stlib(node, cells) for node in following), (
                f"cell {later[0].index} uses {student.answer}: bind stlib's version in cell "
                f"{index + 1}"
            )


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_each_exercise_states_the_tolerance_of_its_check(notebook):
    cells = _cells(NOTEBOOKS[notebook])
    for student in _student_cells(notebook, cells):
        exercise = BY_CHECK[(notebook, student.check)]
        tolerance = exercise.run(None).tolerance
        assert "### Exercise" in student.markdown.source
        assert "**Check:**" in student.markdown.source
        assert tolerance in student.markdown.source, (
            f"the text of {exercise} must state the check's tolerance: {tolerance}"
        )


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS.values():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


# --- Run All on the untouched notebooks ----------------------------------------------------------


def _output_text(output: dict) -> str:
    if output["output_type"] == "stream":
        return output["text"]
    if output["output_type"] == "error":
        return "\n".join(output["traceback"])
    return "\n".join(
        value if isinstance(value, str) else "".join(value)
        for mime, value in output.get("data", {}).items()
        if mime.startswith("text/")
    )


@pytest.mark.slow
@pytest.mark.weights
@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_an_untouched_notebook_reports_each_exercise_not_attempted_once(
    notebook, vgg_weights, samples_available, monkeypatch, request
):
    import nbclient  # dev dependencies: a missing one must fail, not skip, the only notebook run
    import nbformat

    if notebook in ("nb04", "nb07"):
        pytest.importorskip("ipywidgets")
    if notebook in ("nb07", "nb08"):  # they paint with the official TFLite files
        request.getfixturevalue("tflite_models")
    if notebook in ("nb06", "nb08"):  # they paint with the pretrained 26-style graph
        request.getfixturevalue("magenta26_available")
    monkeypatch.setenv("STLIB_QUICK", "1")
    path = NOTEBOOKS[notebook]
    executed = nbformat.read(
        path, as_version=4
    )  # a copy in memory: the committed file is untouched
    start = time.perf_counter()
    nbclient.NotebookClient(
        executed,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    print(f"{path.name}: executed in {seconds:.0f} s")

    students = {s.cell.index: s for s in _student_cells(notebook, _cells(path))}
    assert len(students) == sum(e.notebook == notebook for e in EXERCISES)
    reported = []
    for index, cell in enumerate(executed.cells):
        texts = [_output_text(output) for output in cell.get("outputs", [])]
        for text in texts:
            assert "✓" not in text and "✅" not in text, f"cell {index} passed an exercise"
        attempts = sum("not attempted" in text for text in texts)
        if index in students:
            assert attempts == 1, f"cell {index} ({students[index].check}): {texts}"
            assert any("✗ " in text for text in texts)
            reported.append(index)
        else:
            assert attempts == 0, f"cell {index} reports an exercise: {texts}"
    assert sorted(reported) == sorted(students)


def test_a_debugging_cell_as_committed_is_not_attempted():
    """The buggy code in the notebook is the code its check knows: untouched, it is "not
    attempted" (not a ✗ with numbers, which would read as the student's mistake)."""
    import tensorflow as tf

    for exercise in (e for e in EXERCISES if e.kind == "debug"):
        cells = _cells(NOTEBOOKS[exercise.notebook])
        (student,) = [
            s for s in _student_cells(exercise.notebook, cells) if s.check == exercise.check
        ]
        definition = next(
            node
            for node in student.cell.tree.body
            if isinstance(node, ast.FunctionDef) and node.name == exercise.answer
        )
        namespace = {"tf": tf}
        exec(compile(ast.Module(body=[definition], type_ignores=[]), "<cell>", "exec"), namespace)
        verdict = exercise.run(namespace[exercise.answer])
        assert not verdict and not verdict.attempted, str(verdict)
        assert exercise.run(exercise.solution()), "the repaired version passes"
