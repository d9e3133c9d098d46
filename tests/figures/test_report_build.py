"""The report and the slides build from the figures command's quick output: every figure file,
every macro and every reference is there, and the PDFs have their pages and sections.

Needs latexmk and TeX Live (Debian: latexmk texlive-latex-recommended texlive-latex-extra
texlive-fonts-recommended) and poppler-utils; skips saying what is missing elsewhere, while CI
installs them (.ci/run), so a broken figure or reference fails CI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Building the report runs the quick figures (VGG19, three methods) and LaTeX twice: minutes.
pytestmark = [pytest.mark.slow, pytest.mark.weights]

REPORT = Path(__file__).resolve().parents[2] / "report"
REPORT_SECTIONS = (
    "Introduction",
    "What the layers of VGG19 see",
    "The method of Gatys et al.",
    "Optimisation and speed",
    "Feed-forward networks",
    "Experiments",
    "Discussion and limits",
    "References",
)
SLIDE_TITLES = ("What a pastiche is", "Conditional instance normalisation", "Speed")


@pytest.fixture(scope="module")
def built(quick_report, figures_lock):
    """The quick figures, numbers.tex and both PDFs, built in a copy of report/ (figures that
    the figure tests made already are kept by the command, not made again)."""
    missing = [
        tool for tool in ("latexmk", "pdflatex", "pdftotext", "pdfinfo") if not shutil.which(tool)
    ]
    if missing:
        pytest.skip(f"the report build needs {', '.join(missing)} (see this module's docstring)")
    with figures_lock():  # the other worker may be making figures in the same folder
        return _build(quick_report)


def _build(folder: Path) -> Path:
    for source in REPORT.glob("*.tex"):
        shutil.copy(source, folder)
    shutil.copy(REPORT / "references.bib", folder)
    figures = subprocess.run(
        [sys.executable, "-m", "stlib.figures", "--quick", "--out", str(folder / "figures-quick")],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert figures.returncode == 0, figures.stderr[-3000:]
    latex = subprocess.run(
        [
            "latexmk",
            "-pdf",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-outdir=build",
            r"-usepretex=\def\stlibmode{-quick}",
            "report.tex",
            "slides.tex",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    logs = {
        name: (folder / "build" / f"{name}.log").read_text(errors="replace")
        for name in ("report", "slides")
    }
    assert latex.returncode == 0, latex.stdout[-3000:] + "\n".join(logs.values())[-3000:]
    return folder


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])


def test_every_figure_the_tex_files_include_was_made(built):
    sources = (built / "report.tex").read_text() + (built / "slides.tex").read_text()
    for name in set(re.findall(r"includegraphics(?:\[[^\]]*\])?\{(\w+)\}", sources)):
        for suffix in (".pdf", ".png"):
            assert (built / "figures-quick" / f"{name}{suffix}").is_file(), f"{name}{suffix}"


def test_no_undefined_macro_reference_or_citation(built):
    for name in ("report", "slides"):
        log = (built / "build" / f"{name}.log").read_text(errors="replace")
        assert not re.search(r"undefined", log, re.IGNORECASE), re.findall(r".*undefined.*", log)


def test_every_number_written_is_quoted(built):
    """(A macro the text uses and nobody defines already stopped the build: -halt-on-error.)"""
    numbers = (built / "generated-quick" / "numbers.tex").read_text()
    defined = set(re.findall(r"\\newcommand\{\\(\w+)\}", numbers))
    assert r"\newcommand{\figuremode}{quick}" in numbers
    sources = (built / "report.tex").read_text() + (built / "slides.tex").read_text()
    used = set(re.findall(r"\\([a-zA-Z]+)", sources))
    assert not defined - used, f"numbers nobody quotes: {sorted(defined - used)}"


def test_the_pdfs_have_their_pages_and_sections(built):
    report, slides = built / "build" / "report.pdf", built / "build" / "slides.pdf"
    assert 10 <= _pages(report) <= 24
    assert 15 <= _pages(slides) <= 25
    text = _text(report)
    for title in REPORT_SECTIONS:
        assert title in text, title
    assert "Quick-mode build" in text  # a quick copy says so on its first page
    slide_text = _text(slides)
    for title in SLIDE_TITLES:
        assert title in slide_text, title
