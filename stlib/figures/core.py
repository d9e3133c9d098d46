r"""The machinery every report figure shares: registration, the run context, files, cache, numbers.

A figure is a function ``f(ctx) -> Made`` registered with :func:`figure`. It returns a matplotlib
figure (or none, for a table) and the numbers the report quotes, by macro name. :func:`make` runs
the registered figures and

* writes ``<out>/<name>.pdf`` (vector: lines and text stay sharp; photos are embedded at their own
  resolution) and ``<out>/<name>.png`` (150 dpi, for slides, notebooks and a quick look), each
  through ``stlib.outputs.atomic_write``;
* stamps "quick mode" on every figure made in quick mode, so a quick figure is never mistaken for
  a result;
* keeps ``<out>/.cache/<name>.json``: the key of what the figure was made from (its own source,
  the source of the whole ``stlib`` package, the mode, the seed, and the machine for figures that
  time things) and the numbers it gave. A figure whose key has not changed, and whose files are
  there, is not recomputed;
* writes every figure's numbers to ``numbers.tex`` as ``\newcommand{\name}{value}``, so the
  report and the slides type no measured number by hand.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stlib import outputs

__all__ = [
    "FIGURES",
    "Context",
    "FigureSpec",
    "Latex",
    "Made",
    "figure",
    "format_number",
    "make",
    "numbers_tex",
]

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the stlib folder


@dataclass(frozen=True)
class Context:
    """What a figure function may use: the mode, the seed, and where files go."""

    out: Path
    quick: bool = False
    seed: int = 0

    def pick(self, full: Any, quick: Any) -> Any:
        """``quick`` in quick mode, else ``full`` (sizes, steps, grid sizes)."""
        return quick if self.quick else full


@dataclass
class Made:
    """What a figure function returns: the figure (None for a numbers-only table) and the
    numbers the text quotes, ``{macro name: value}`` (strings are written as they are; numbers
    with ``format_number``)."""

    figure: Any = None
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FigureSpec:
    name: str
    function: Callable[[Context], Made]
    title: str
    times_the_machine: bool  # its numbers are timings: the machine is part of its cache key


FIGURES: dict[str, FigureSpec] = {}


def figure(name: str, title: str, *, times_the_machine: bool = False):
    """Register ``f(ctx) -> Made`` as the report figure ``name`` (files ``name.pdf``/``.png``)."""

    def register(function: Callable[[Context], Made]) -> Callable[[Context], Made]:
        if name in FIGURES:
            raise ValueError(f"figure {name!r} is registered twice")
        FIGURES[name] = FigureSpec(name, function, title, times_the_machine)
        return function

    return register


def _package_digest() -> str:
    """sha256 of every .py and .json file of the stlib package: a library change recomputes."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(spec: FigureSpec, ctx: Context, package: str) -> str:
    parts = [inspect.getsource(spec.function), package, f"quick={ctx.quick}", f"seed={ctx.seed}"]
    if spec.times_the_machine:
        from stlib import hardware

        parts.append(hardware.cpu_name())
        parts.extend(hardware.gpu_names())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class Latex(str):
    """A number's text that is LaTeX already (``Latex(r"$10^{3}$")``): written as it is."""


_SPECIAL = {c: "\\" + c for c in "&%$#_{}"}
_SPECIAL.update({"~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"})


def format_number(value: Any) -> str:
    """How a value appears in the text: numbers with 3 significant digits (thousands separated),
    plain strings with LaTeX's special characters escaped, :class:`Latex` strings as they are."""
    if isinstance(value, Latex):
        return str(value)
    if isinstance(value, str):
        return "".join(_SPECIAL.get(c, c) for c in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "{,}")
    magnitude = abs(float(value))
    if magnitude >= 1000:
        return f"{round(float(value)):,}".replace(",", "{,}")
    if magnitude >= 100:
        return f"{float(value):.0f}"
    return f"{float(value):.3g}"


def _stamp_quick(fig) -> None:
    # Below the figure (the tight bounding box grows to include it), clear of any axis label.
    fig.text(
        0.5,
        -0.01,
        "quick mode: small images, few steps (not a result)",
        ha="center",
        va="top",
        fontsize=7,
        color="#b00000",
        alpha=0.9,
    )


def _save(fig, out: Path, name: str, quick: bool) -> list[Path]:
    import matplotlib.pyplot as plt

    if quick:
        _stamp_quick(fig)
    written = []
    for suffix, options in ((".pdf", {}), (".png", {"dpi": 150})):
        target = out / f"{name}{suffix}"
        with outputs.atomic_write(target) as temporary:
            fig.savefig(temporary, format=suffix[1:], bbox_inches="tight", **options)
        written.append(target)
    plt.close(fig)
    return written


def _cache_file(ctx: Context, name: str) -> Path:
    return ctx.out / ".cache" / f"{name}.json"


def _cached(ctx: Context, spec: FigureSpec, key: str) -> dict[str, str] | None:
    """The numbers of the last run if it had this key and its files are there, else None."""
    file = _cache_file(ctx, spec.name)
    try:
        entry = json.loads(file.read_text())
    except (OSError, ValueError):
        return None
    if entry.get("key") != key:
        return None
    if entry.get("has_figure") and not all(
        (ctx.out / f"{spec.name}{s}").is_file() for s in (".pdf", ".png")
    ):
        return None
    return entry.get("numbers", {})


def make(
    names: Iterable[str] | None,
    ctx: Context,
    *,
    force: bool = False,
    say: Callable[[str], None] = print,
) -> dict[str, dict[str, str]]:
    """Make the figures ``names`` (None: all), reusing unchanged ones; returns their numbers,
    ``{figure: {macro: text}}``, for every registered figure that has numbers (made now or
    cached earlier)."""
    from stlib.progress import ProgressBar

    chosen = list(FIGURES) if names is None else list(names)
    unknown = [n for n in chosen if n not in FIGURES]
    if unknown:
        from stlib.validation import did_you_mean

        raise ValueError(
            f"unknown figure {unknown[0]!r}{did_you_mean(unknown[0], FIGURES)}; "
            f"choose from {', '.join(FIGURES)}"
        )
    package = _package_digest()
    with ProgressBar(len(chosen), "figures", "figure") as bar:
        for name in chosen:
            bar.label(name)
            _make_or_keep(FIGURES[name], ctx, package, force, say)
            bar.advance()
    return collected_numbers(ctx)


def _make_or_keep(
    spec: FigureSpec, ctx: Context, package: str, force: bool, say: Callable[[str], None]
) -> None:
    """One figure made and cached, or kept when its inputs have not changed."""
    name = spec.name
    key = cache_key(spec, ctx, package)
    if not force and _cached(ctx, spec, key) is not None:
        say(f"{name}: unchanged, kept")
        return
    start = time.perf_counter()
    made = spec.function(ctx)
    numbers = {macro: format_number(value) for macro, value in made.numbers.items()}
    if made.figure is not None:
        _save(made.figure, ctx.out, name, ctx.quick)
    entry = {
        "key": key,
        "quick": ctx.quick,
        "numbers": numbers,
        "has_figure": made.figure is not None,
    }
    outputs.write_text(_cache_file(ctx, name), json.dumps(entry, indent=1) + "\n")
    say(f"{name}: made in {time.perf_counter() - start:.1f} s")


def collected_numbers(ctx: Context) -> dict[str, dict[str, str]]:
    """Every figure's numbers from the cache folder, made in ``ctx``'s mode (what
    ``numbers.tex`` is written from)."""
    found = {}
    for name in FIGURES:
        try:
            entry = json.loads(_cache_file(ctx, name).read_text())
        except (OSError, ValueError):
            continue
        if entry.get("quick") == ctx.quick:
            found[name] = entry.get("numbers", {})
    return found


def numbers_tex(numbers: dict[str, dict[str, str]], quick: bool) -> str:
    r"""The ``\newcommand`` lines of every number, grouped by figure, and the mode."""
    lines = [
        "% Written by `python -m stlib.figures`: do not edit; every value is measured.",
        rf"\newcommand{{\figuremode}}{{{'quick' if quick else 'full'}}}",
    ]
    seen: dict[str, str] = {}
    for figure_name, values in numbers.items():
        lines.append(f"% {figure_name}")
        for macro, text in values.items():
            if not macro.isalpha():
                raise ValueError(f"macro name {macro!r} of {figure_name}: letters only (LaTeX)")
            if macro in seen:
                raise ValueError(f"macro {macro!r} is given by {seen[macro]} and {figure_name}")
            seen[macro] = figure_name
            lines.append(rf"\newcommand{{\{macro}}}{{{text}}}")
    return "\n".join(lines) + "\n"
