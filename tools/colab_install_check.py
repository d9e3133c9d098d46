"""Check the notebooks' Colab install cell against a Colab-like virtual environment.

Why: every notebook's first code cell runs, in Colab only,

    %pip install -q "stlib @ git+https://github.com/stlib-course/stlib@v<version>"

on top of what Colab preinstalls, most notably ipywidgets 7.7.1 (not the 8.x that the project's
own .venv and the ``notebooks`` extra use). Colab itself cannot be reached from the course's
machines, and the tag may not be published yet, so this script rebuilds the part of Colab that
matters in a fresh virtual environment and installs stlib from the local checkout the way the
cell does (plain ``stlib``, no extras, no ``--upgrade``):

1. create a venv (a temporary folder, or ``--venv PATH``) with Colab's Python minor version when
   one is found (3.12), install the Colab-like set: numpy, tensorflow (the version of the
   project's .venv unless ``--tensorflow``), ipywidgets==7.7.1, ipykernel, ipython, notebook 6,
   matplotlib, pillow, scipy, tqdm, pinned to Colab's versions as far as they are known here
   (``COLAB_PINS``; ``--pin NAME==VERSION`` overrides one);
2. ``pip install -q "stlib @ file://<checkout>"`` (or ``git+file://<checkout>@REF`` with
   ``--ref``, which installs a commit exactly as the cell installs a tag), then compare
   ``pip list`` before and after: dependency conflicts reported by pip or ``pip check``, any
   preinstalled package up- or downgraded (a failure for the Colab set: Colab would need a
   restart, and a changed ipywidgets or tensorflow breaks the notebooks) and whether jupyterlab
   was pulled in (it must not be: Colab has its own front end);
3. in that venv (with nbclient/nbconvert added for the check only, reported separately): import
   every stlib module and name that the notebooks' code cells import, build
   ``stlib.widgets.GatysExplorer`` with random VGG weights on tiny images and exercise it (run,
   preset, Stop, a FileUpload upload in ipywidgets 7's format: ``value`` is a dict
   {name: {"metadata", "content"}} in 7, a tuple of dicts in 8), then execute notebook 01 (or
   ``--notebook``) top to bottom in quick mode (STLIB_QUICK=1, STLIB_MODELS_DIR and
   STLIB_DATA_DIR from shared/) in a kernel of that venv;
4. print a JSON summary last; exit 1 when any check failed (each failure is a line of
   ``failures``), 2 when the check itself could not be set up.

    python tools/colab_install_check.py                 # temp venv, removed at the end
    python tools/colab_install_check.py --venv /tmp/colab --keep --notebook notebooks/04_*.ipynb

The same file is the probe that runs inside the venv (``--probe``/``--run-notebook``, internal):
it imports nothing but the standard library at top level.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_NOTEBOOK = "notebooks/01_*.ipynb"
KERNEL_NAME = "stlib-colab-check"
COLAB_PYTHON = "3.12"

# What a Colab runtime preinstalls that matters to stlib's notebooks, as far as known here (Colab's
# own package list cannot be reached from the course's machines). ipywidgets 7.7.1 is the one that
# matters most; notebook 6.5.7 keeps widgetsnbextension 3.6 (needed by ipywidgets 7) from pulling
# notebook 7 and with it jupyterlab, which Colab does not have. tensorflow is added at run time.
COLAB_PINS = {
    "pip": "24.1.2",
    "numpy": "2.0.2",
    "scipy": "1.16.3",
    "matplotlib": "3.10.0",
    "pillow": "11.3.0",
    "tqdm": "4.67.1",
    "ipywidgets": "7.7.1",
    "ipykernel": "6.17.1",
    "ipython": "7.34.0",
    "notebook": "6.5.7",
}
SOFT_CHECKS = {"checkbox_tooltip"}  # cosmetic on ipywidgets 7: reported in notes, not a failure
MUST_NOT_CHANGE = {"ipywidgets", "tensorflow"}  # named in the failure message first
CHECK_ONLY_PACKAGES = ["nbclient", "nbconvert"]  # for executing the notebook; not in Colab's cell
# This machine's pip configuration names a local index folder that may not exist: not pip's word
# on stlib, so left out of the reported warnings (counted in noise_lines).
NOISE = re.compile(r"Location 'file://.*' is ignored")


def log(message: str) -> None:
    print(f"[colab-check] {message}", file=sys.stderr, flush=True)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# -------------------------------------------------------------------------------------------------
# Outside the venv: building it, installing, comparing
# -------------------------------------------------------------------------------------------------


class SetupError(RuntimeError):
    """The check could not be set up (no Python, pip could not resolve the Colab-like set...)."""


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env.update(PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
    env.update(extra)
    return env


def run(cmd: list[str], *, cwd: Path | None = None, env=None, timeout: float | None = None):
    return subprocess.run(
        cmd, cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout
    )


def find_python(requested: str | None) -> str:
    """--python, else a Python of Colab's minor version, else the one running this script."""
    if requested:
        return requested
    candidates = [shutil.which(f"python{COLAB_PYTHON}")]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(
        glob.glob(f"{pyenv_root}/versions/{COLAB_PYTHON}*/bin/python{COLAB_PYTHON}")
    )
    for candidate in filter(None, candidates):
        if run([candidate, "-c", "import venv, ensurepip"]).returncode == 0:
            return candidate
    log(f"no Python {COLAB_PYTHON} found (Colab's); using {sys.executable}")
    return sys.executable


def project_tensorflow() -> str:
    """The tensorflow version installed in the project's .venv (read from metadata, no import)."""
    python = ROOT / ".venv" / "bin" / "python"
    code = "import importlib.metadata as m; print(m.version('tensorflow'))"
    result = run([str(python), "-c", code]) if python.exists() else None
    if result is None or result.returncode != 0:
        raise SetupError(f"cannot read tensorflow's version from {python}; pass --tensorflow")
    return result.stdout.strip()


def packages(python: Path) -> dict[str, str]:
    result = run([str(python), "-m", "pip", "list", "--format=json"])
    if result.returncode != 0:
        raise SetupError(f"pip list failed: {result.stderr.strip()}")
    return {normalise(p["name"]): p["version"] for p in json.loads(result.stdout)}


def pip_check(python: Path) -> list[str]:
    result = run([str(python), "-m", "pip", "check"])
    return [] if result.returncode == 0 else result.stdout.strip().splitlines()


def pip_install(python: Path, args: list[str], what: str) -> tuple[float, list[str], int]:
    """pip install -q ARGS; (seconds, pip's warning/error lines without this machine's noise,
    number of noise lines). Raises SetupError when pip fails."""
    start = time.monotonic()
    result = run([str(python), "-m", "pip", "install", "-q", *args])
    seconds = round(time.monotonic() - start, 1)
    lines = (result.stdout + result.stderr).splitlines()
    noise = [line for line in lines if NOISE.search(line)]
    messages = [line.rstrip() for line in lines if line.strip() and not NOISE.search(line)]
    if result.returncode != 0:
        tail = "\n".join(messages[-30:])
        raise SetupError(f"{what}: pip install failed (exit {result.returncode}):\n{tail}")
    return seconds, messages, len(noise)


def diff(before: dict[str, str], after: dict[str, str]) -> dict:
    return {
        "added": {n: v for n, v in sorted(after.items()) if n not in before},
        "removed": sorted(n for n in before if n not in after),
        "changed": {
            n: [before[n], after[n]] for n in sorted(before) if n in after and before[n] != after[n]
        },
    }


def conflicts_in(messages: list[str]) -> list[str]:
    """The dependency conflicts pip's resolver reported after an install."""
    return [
        m
        for m in messages
        if "which is incompatible" in m or re.search(r"requires .*, which is not installed", m)
    ]


def notebook_imports(paths: list[Path]) -> dict[str, list[str]]:
    """{module: [names]} of every ``import stlib...`` / ``from stlib... import`` in code cells."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            source = "\n".join(re.sub(r"^(\s*)[%!].*$", r"\1pass", s) for s in source.splitlines())
            for node in ast.walk(ast.parse(source)):
                if (
                    isinstance(node, ast.ImportFrom)
                    and (node.module or "").split(".")[0] == "stlib"
                ):
                    found.setdefault(node.module, set()).update(a.name for a in node.names)
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.split(".")[0] == "stlib":
                            found.setdefault(alias.name, set())
    return {module: sorted(names) for module, names in sorted(found.items())}


def colab_cell_line(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "".join(cells[1]["source"]) if len(cells) > 1 else ""
    match = re.search(r"^\s*(%pip install .*)$", source, re.MULTILINE)
    return match.group(1).strip() if match else ""


def source_state() -> dict:
    """Commit, and uncommitted changes under stlib/, pyproject.toml, data/ (not in a tag)."""
    head = run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).stdout.strip()
    status = run(
        ["git", "status", "--porcelain", "--", "stlib", "pyproject.toml", "data"], cwd=ROOT
    )
    return {"head": head, "uncommitted": status.stdout.splitlines()}


# -------------------------------------------------------------------------------------------------
# Inside the venv: the probe (imports and the explorer) and the notebook runner
# -------------------------------------------------------------------------------------------------


def check(results: dict, name: str, function) -> None:
    """Run one named check; record "ok" or the error with its traceback."""
    import traceback

    try:
        outcome = function()
        results[name] = "ok" if outcome is None else {"ok": True, **outcome}
    except BaseException as error:  # noqa: BLE001 - every failure is reported, none stops the rest
        results[name] = {
            "error": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc(),
        }


def probe(spec: dict) -> dict:
    """Imports, then the explorer on ipywidgets 7 (random weights, tiny images, full mode)."""
    import importlib
    import warnings

    out: dict = {"python": sys.version.split()[0], "executable": sys.executable}
    imports: dict = {}
    for module, names in spec["imports"].items():
        try:
            imported = importlib.import_module(module)
            missing = []
            for n in names:  # as ``from module import n`` does: an attribute, else a submodule
                if not hasattr(imported, n):
                    try:
                        importlib.import_module(f"{module}.{n}")
                    except ImportError:
                        missing.append(n)
            imports[module] = "ok" if not missing else f"missing names: {missing}"
        except BaseException as error:  # noqa: BLE001
            imports[module] = f"{type(error).__name__}: {error}"
    out["imports"] = imports

    import stlib

    out["stlib"] = {"version": stlib.__version__, "file": stlib.__file__}
    try:
        import ipywidgets
    except ImportError as error:
        out["explorer"] = {"construct": {"error": f"ImportError: {error}"}}
        return out
    out["ipywidgets"] = ipywidgets.__version__
    explorer_checks: dict = {}
    out["explorer"] = explorer_checks
    caught: list = []

    import numpy as np
    import tensorflow as tf

    from stlib import gatys, widgets

    rng = np.random.default_rng(0)
    content = tf.constant(rng.random((1, 48, 64, 3)), tf.float32)
    style = tf.constant(rng.random((1, 40, 40, 3)), tf.float32)
    state: dict = {}

    def construct():
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            explorer = widgets.GatysExplorer(
                content, style, size=48, steps=3, update_every=1, weights=None
            )
        caught.extend(seen)
        state["explorer"] = explorer
        assert isinstance(explorer.widget, ipywidgets.Box), type(explorer.widget)
        expected = gatys.preset("stlib", size=48, steps=3).to_dict()
        assert explorer.config().to_dict() == expected, "default controls != preset('stlib')"

    def run_adam():
        explorer = state["explorer"]
        explorer.optimizer.value = "adam"
        result = explorer.run()
        assert result.image.shape == (1, 36, 48, 3), result.image.shape
        assert explorer.pastiche.value[:8] == b"\x89PNG\r\n\x1a\n", "pastiche is not a PNG"
        assert explorer.loss_curve.value[:8] == b"\x89PNG\r\n\x1a\n", "loss curve is not a PNG"
        assert "done: 3 steps" in explorer.status.value, explorer.status.value

    def preset_dropdown():
        explorer = state["explorer"]
        explorer.preset.value = "tf-tutorial"
        assert abs(explorer.ratio.value / 1e6 - 1) < 1e-9, explorer.ratio.value
        assert explorer.optimizer.value == "adam" and explorer.pooling.value == "max"
        explorer.preset.value = "stlib"

    def stop_button():
        explorer = widgets.GatysExplorer(content, style, size=48, steps=500, weights=None)
        explorer.optimizer.value = "adam"
        thread = explorer.run_in_background()
        deadline = time.monotonic() + 120
        while "step" not in explorer.status.value and time.monotonic() < deadline:
            time.sleep(0.05)
        explorer.stop_button.click()
        thread.join(120)
        assert not thread.is_alive() and explorer.error is None, explorer.error
        assert explorer.result.history.stopped_early, "Stop did not stop the run"

    def display():
        state["explorer"]._ipython_display_()

    def tooltips():
        box = next(iter(state["explorer"].layer_boxes.values()))
        shown = getattr(box, "tooltip", None) or getattr(box, "description_tooltip", None)
        assert shown, (
            "the style-layer checkboxes have no tooltip: Checkbox(tooltip=...) is an ipywidgets 8 "
            "trait; ipywidgets 7 calls it description_tooltip and ignores tooltip="
        )

    def upload(picker_name: str, filename: str, payload: bytes):
        """Send one file the way the browser does in this ipywidgets version."""
        picker = getattr(state["explorer"], picker_name)
        field = picker.upload
        if ipywidgets.__version__.startswith("7."):
            # ipywidgets 7: the front end syncs metadata and data, then bumps _counter; the
            # kernel side then sets value = {name: {"metadata": {...}, "content": bytes}}.
            field.metadata = [
                {"name": filename, "type": "image/png", "size": len(payload), "lastModified": 0}
            ]
            field.data = [payload]
            field._counter = field._counter + 1
        else:  # ipywidgets 8: value = ({"name", "type", "size", "content", "last_modified"},)
            field.value = (
                {
                    "name": filename,
                    "type": "",
                    "size": len(payload),
                    "content": memoryview(payload),
                },
            )
        return picker

    def good_upload():
        picture = tf.constant(rng.random((1, 50, 40, 3)), tf.float32)
        picker = upload("style", "mine.png", widgets.png_bytes(picture))
        value = picker.upload.value
        shape = type(value).__name__
        assert tuple(picker.source().shape) == (1, 50, 40, 3), (
            f"the uploaded style is not used (FileUpload.value is a {shape})"
        )
        assert "style: using uploaded 'mine.png'" in state["explorer"].status.value

    def bad_upload():
        explorer = state["explorer"]
        before = explorer.content.source()
        upload("content", "notes.txt", b"not an image at all")
        assert "content upload refused" in explorer.status.value, explorer.status.value
        assert explorer.content.source() is before

    def samples():
        explorer = widgets.GatysExplorer(
            "tuebingen", "starry_night", size=48, steps=2, update_every=1, weights=None
        )
        assert explorer.content.source() == "tuebingen"
        assert explorer.content.preview.value[:8] == b"\x89PNG\r\n\x1a\n"

    check(explorer_checks, "construct", construct)
    if "explorer" in state:
        for name, function in [
            ("run_adam", run_adam),
            ("preset_dropdown", preset_dropdown),
            ("stop_button", stop_button),
            ("display", display),
            ("checkbox_tooltip", tooltips),
            ("upload_image", good_upload),
            ("upload_not_an_image", bad_upload),
        ]:
            check(explorer_checks, name, function)
    if spec.get("samples"):
        check(explorer_checks, "samples_by_name", samples)
    out["explorer_warnings"] = sorted(
        {
            f"{w.category.__name__}: {str(w.message).splitlines()[0]} ({Path(w.filename).name})"
            for w in caught
            if "ipywidgets" in w.filename or "traitlets" in w.filename or "stlib" in w.filename
        }
    )
    return out


PROBE_CELL = """\
import json, sys
import ipywidgets, stlib
print("COLAB-CHECK " + json.dumps({"executable": sys.executable, "stlib": stlib.__file__,
                                   "ipywidgets": ipywidgets.__version__}))
"""


def run_notebook(spec: dict) -> dict:
    """Execute one notebook in the venv's kernel; the first error, if any, with its cell."""
    import nbclient
    import nbformat

    path = Path(spec["notebook"])
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE_CELL))
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=spec["kernel"],
        timeout=spec["timeout"],
        resources={"metadata": {"path": spec["workdir"]}},
    )
    start = time.monotonic()
    out: dict = {
        "notebook": str(path),
        "code_cells": sum(c.cell_type == "code" for c in notebook.cells) - 1,
    }
    try:
        client.execute()
        out["ok"] = True
    except nbclient.exceptions.CellExecutionError as error:
        out["ok"] = False
        out["error"] = f"{error.ename}: {error.evalue}"
        failed = [
            i
            for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code"
            and any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        ]
        out["cell"] = failed[0] if failed else None
        out["traceback_tail"] = str(error)[-3000:]
    except BaseException as error:  # noqa: BLE001 - a timeout or a dead kernel is a result too
        out["ok"] = False
        out["error"] = f"{type(error).__name__}: {error}"
    out["seconds"] = round(time.monotonic() - start, 1)
    for output in notebook.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith("COLAB-CHECK "):
                out["kernel"] = json.loads(line.removeprefix("COLAB-CHECK "))
    # What a student would see as a pink box (stderr) under a cell: reported, not a failure.
    out["stderr_outputs"] = [
        {"cell": i, "text": output.get("text", "")[:300]}
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    ]
    executed = Path(spec["workdir"]) / f"executed_{path.name}"
    nbformat.write(notebook, executed)
    out["executed_copy"] = str(executed)
    return out


def inner_main(mode: str, spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    result = probe(spec) if mode == "probe" else run_notebook(spec)
    print("COLAB-CHECK-RESULT " + json.dumps(result))
    return 0


def run_inner(python: Path, mode: str, spec: dict, workdir: Path, env: dict, timeout: float):
    spec_path = workdir / f"{mode}_spec.json"
    spec_path.write_text(json.dumps(spec))
    # Run from workdir so that the checkout's stlib/ is not on sys.path: the venv's copy is tested.
    result = run(
        [str(python), str(Path(__file__).resolve()), f"--{mode}", str(spec_path)],
        cwd=workdir,
        env=env,
        timeout=timeout,
    )
    for line in result.stdout.splitlines():
        if line.startswith("COLAB-CHECK-RESULT "):
            return json.loads(line.removeprefix("COLAB-CHECK-RESULT "))
    tail = (result.stdout + result.stderr)[-4000:]
    raise SetupError(f"the {mode} step in the venv died (exit {result.returncode}):\n{tail}")


# -------------------------------------------------------------------------------------------------
# The check
# -------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="create the venv here (must not exist yet)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary venv")
    parser.add_argument("--python", help=f"the venv's Python (default: {COLAB_PYTHON}, Colab's)")
    parser.add_argument("--tensorflow", help="tensorflow version (default: the project's .venv's)")
    parser.add_argument(
        "--pin", action="append", default=[], metavar="NAME==VERSION", help="override a Colab pin"
    )
    parser.add_argument(
        "--ref", help="install git+file://<checkout>@REF (a commit, like the tag) not the worktree"
    )
    parser.add_argument(
        "--notebook",
        action="append",
        help=f"notebook(s) to execute in quick mode (default {DEFAULT_NOTEBOOK}); 'none' for none",
    )
    parser.add_argument("--cell-timeout", type=int, default=900, help="seconds per notebook cell")
    parser.add_argument("--models-dir", type=Path, default=SHARED / "models")
    parser.add_argument("--data-dir", type=Path, default=SHARED / "images")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--run-notebook", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        return inner_main("probe", args.probe)
    if args.run_notebook:
        return inner_main("run-notebook", args.run_notebook)

    started = time.monotonic()
    summary: dict = {"ok": False, "failures": []}
    failures: list[str] = summary["failures"]
    temp = Path(tempfile.mkdtemp(prefix="stlib-colab-check-"))
    venv = args.venv or temp / "venv"
    workdir = temp / "work"
    workdir.mkdir()
    try:
        code = check_all(args, summary, failures, venv, workdir)
    except SetupError as error:
        failures.append(f"setup: {error}")
        code = 2
    except subprocess.TimeoutExpired as error:
        failures.append(f"setup: timed out: {error}")
        code = 2
    finally:
        if args.keep or args.venv:
            summary["kept"] = [str(venv), str(workdir)]
        else:
            shutil.rmtree(temp, ignore_errors=True)
    summary["ok"] = code == 0 and not failures
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary, indent=2))
    if failures:
        shown = [f if f.startswith("setup:") else f.splitlines()[0] for f in failures]
        log("FAILED:\n  - " + "\n  - ".join(shown))
    else:
        log("all checks passed")
    return 0 if summary["ok"] else (code or 1)


def check_all(args, summary: dict, failures: list[str], venv: Path, workdir: Path) -> int:
    notebooks_all = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks_all:
        raise SetupError(f"no notebooks under {ROOT / 'notebooks'}")
    if args.notebook == ["none"]:
        to_run: list[Path] = []
    else:
        patterns = args.notebook or [DEFAULT_NOTEBOOK]
        to_run = [Path(p) for pattern in patterns for p in sorted(glob.glob(str(ROOT / pattern)))]
        to_run += [Path(p) for p in patterns if Path(p).is_file() and Path(p) not in to_run]
        if not to_run:
            raise SetupError(f"no notebook matches {patterns}")
    if args.venv and args.venv.exists():
        raise SetupError(f"--venv {args.venv} exists already; the check needs a fresh one")

    pins = dict(COLAB_PINS)
    pins["tensorflow"] = args.tensorflow or project_tensorflow()
    for pin in args.pin:
        name, _, version = pin.partition("==")
        pins[normalise(name)] = version
    cell = colab_cell_line(notebooks_all[0])
    if args.ref:  # a full commit id: pip would take "HEAD" or a short id for a branch name
        resolved = run(["git", "rev-parse", "--verify", f"{args.ref}^{{commit}}"], cwd=ROOT)
        if resolved.returncode != 0:
            raise SetupError(f"--ref {args.ref}: not a commit: {resolved.stderr.strip()}")
        requirement = f"stlib @ git+file://{ROOT}@{resolved.stdout.strip()}"
    else:
        requirement = f"stlib @ file://{ROOT}"
    summary.update(
        colab_cell=cell,
        install_line=f'pip install -q "{requirement}"',
        source={"path": str(ROOT), "ref": args.ref or "worktree", **source_state()},
        pins=pins,
    )

    # 1. the venv and the Colab-like set
    python_exe = find_python(args.python)
    log(f"creating the venv at {venv} with {python_exe}")
    result = run([python_exe, "-m", "venv", str(venv)])
    if result.returncode != 0:
        raise SetupError(f"python -m venv failed: {result.stderr.strip()}")
    python = venv / "bin" / "python"
    summary["python"] = run(
        [str(python), "-c", "import sys; print(sys.version.split()[0])"]
    ).stdout.strip()
    pip_pin = [f"pip=={pins['pip']}"] if pins.get("pip") else []
    pip_install(python, pip_pin, "pip itself")
    baseline = [f"{name}=={version}" for name, version in pins.items() if name != "pip" and version]
    log("installing the Colab-like set (tensorflow: a few minutes): " + " ".join(baseline))
    seconds, messages, noise = pip_install(python, baseline, "the Colab-like set")
    before = packages(python)
    check_before = pip_check(python)
    summary["baseline"] = {
        "seconds": seconds,
        "pip_messages": messages,
        "pip_check": check_before,
        "jupyterlab_present": "jupyterlab" in before,
        "versions": {n: before.get(n) for n in [*pins, "keras", "protobuf", "jupyterlab-widgets"]},
    }
    if "jupyterlab" in before:
        raise SetupError("the Colab-like set itself has jupyterlab: the jupyterlab check is moot")

    # 2. stlib, as the cell installs it
    log(f"installing stlib as the cell does: {summary['install_line']}")
    seconds, messages, noise2 = pip_install(python, [requirement], "stlib")
    after = packages(python)
    changes = diff(before, after)
    check_after = pip_check(python)
    preinstalled = {n: v for n, v in changes["changed"].items()}
    colab_changed = {n: v for n, v in preinstalled.items() if n in pins}
    summary["stlib_install"] = {
        "seconds": seconds,
        "pip_messages": messages,
        "noise_lines": noise + noise2,
        "conflicts": conflicts_in(messages),
        "pip_check_new": [line for line in check_after if line not in check_before],
        **changes,
        "jupyterlab_pulled": "jupyterlab" in after,
        "stlib": after.get("stlib"),
    }
    if summary["stlib_install"]["conflicts"]:
        failures.append("pip reported dependency conflicts: " + "; ".join(conflicts_in(messages)))
    if summary["stlib_install"]["pip_check_new"]:
        failures.append("pip check: " + "; ".join(summary["stlib_install"]["pip_check_new"]))
    for name in sorted(colab_changed, key=lambda n: (n not in MUST_NOT_CHANGE, n)):
        old, new = colab_changed[name]
        failures.append(f"installing stlib changed Colab's {name}: {old} -> {new}")
    if changes["removed"]:
        failures.append(f"installing stlib removed {changes['removed']}")
    if "jupyterlab" in after:
        failures.append(f"installing stlib pulled jupyterlab {after['jupyterlab']}")
    if after.get("stlib") is None:
        failures.append("stlib is not installed after the cell's pip install")
        return 1

    # 3a. check-only tools for executing notebooks
    if to_run:
        log(f"adding {' '.join(CHECK_ONLY_PACKAGES)} for the check only (not part of the cell)")
        seconds, messages, _ = pip_install(python, CHECK_ONLY_PACKAGES, "nbclient/nbconvert")
        with_tools = packages(python)
        tool_changes = diff(after, with_tools)
        summary["check_only_install"] = {"packages": CHECK_ONLY_PACKAGES, **tool_changes}
        if any(n in tool_changes["changed"] for n in MUST_NOT_CHANGE):
            raise SetupError(f"installing nbclient changed {tool_changes['changed']}")
        result = run(
            [str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL_NAME]
        )
        if result.returncode != 0:
            raise SetupError(f"ipykernel install failed: {result.stderr.strip()}")

    # The probe passes explicit sizes, so it runs in full mode (the explorer's defaults are
    # compared with the preset's, as in tests/test_widgets.py); the notebooks run in quick mode.
    env = clean_env(
        STLIB_MODELS_DIR=str(args.models_dir),
        STLIB_DATA_DIR=str(args.data_dir),
        TF_CPP_MIN_LOG_LEVEL="2",
        MPLBACKEND="Agg",
    )
    env.pop("STLIB_QUICK", None)
    # 3b. imports and the explorer
    imports = notebook_imports(notebooks_all)
    log(f"importing {len(imports)} stlib modules and testing GatysExplorer on ipywidgets 7")
    spec = {"imports": imports, "samples": args.data_dir.is_dir()}
    probed = run_inner(python, "probe", spec, workdir, env, timeout=1800)
    summary["probe"] = probed
    for module, verdict in probed["imports"].items():
        if verdict != "ok":
            failures.append(f"import {module}: {verdict}")
    if not probed["stlib"]["file"].startswith(str(venv)):
        failures.append(f"the probe imported stlib from {probed['stlib']['file']}, not the venv")
    summary["notes"] = []
    for name, verdict in probed.get("explorer", {}).items():
        if verdict != "ok" and not (isinstance(verdict, dict) and verdict.get("ok")):
            first = verdict["error"].splitlines()[0]
            line = f"GatysExplorer on ipywidgets {probed.get('ipywidgets')}: {name}: {first}"
            (summary["notes"] if name in SOFT_CHECKS else failures).append(line)

    # 3c. notebooks top to bottom in quick mode
    summary["notebooks"] = []
    notebook_env = dict(env, STLIB_QUICK="1")
    notebook_env.pop("MPLBACKEND")  # the kernel's inline backend, as in Colab
    for notebook in to_run:
        log(f"executing {notebook.relative_to(ROOT)} in quick mode")
        spec = {
            "notebook": str(notebook),
            "kernel": KERNEL_NAME,
            "timeout": args.cell_timeout,
            "workdir": str(workdir),
        }
        executed = run_inner(python, "run-notebook", spec, workdir, notebook_env, timeout=7200)
        summary["notebooks"].append(executed)
        if not executed["ok"]:
            failures.append(
                f"{notebook.name}: cell {executed.get('cell')}: {executed.get('error', '')[:300]}"
            )
        elif not executed.get("kernel", {}).get("stlib", "").startswith(str(venv)):
            failures.append(
                f"{notebook.name}: the kernel did not use the venv: {executed.get('kernel')}"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
