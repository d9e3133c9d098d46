"""The Gatys figures in quick mode: each writes its PDF and PNG and returns every macro that the
report and the slides use for it; the numbers it gives are the measured ones."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from stlib.figures import core, gatys_figures  # noqa: E402

REPORT = Path(__file__).resolve().parents[2] / "report"

# figure -> the macros it owns (those the .tex files use are checked against this below)
MACROS = {
    "vgg_numbers": {"rfBlockOne", "rfBlockThree", "rfBlockFour", "rfBlockFive", "flopsFiveTwelve"},
    "reconstructions": {"reconSize", "reconSteps"},
    "style_grid": {"gridSize", "gridSteps"},
    "tradeoff": {"tradeoffLowRatio", "tradeoffHighRatio"},
    "optimizers": {"optSize", "optLbfgsSeconds", "optAdamSeconds"},
    "color": {"colorSize", "colorDistanceOff", "colorDistanceLuminance", "colorDistanceHistogram"},
    "multiscale": {"multiscaleSize", "multiscaleScales"},
}
FILES = {name for name in MACROS if name != "vgg_numbers"}


def _used_in_tex() -> set[str]:
    """Every macro the report and the slides use (\\name{} or \\name followed by a non-letter)."""
    used = set()
    for tex in ("report.tex", "slides.tex"):
        path = REPORT / tex
        if path.is_file():
            used |= set(re.findall(r"\\([A-Za-z]+)", path.read_text()))
    return used


def test_the_figures_are_registered_in_the_reports_order():
    names = list(core.FIGURES)
    ours = [name for name in names if name in MACROS]
    assert ours == list(MACROS)
    assert core.FIGURES["optimizers"].times_the_machine
    assert not core.FIGURES["style_grid"].times_the_machine


def test_every_macro_the_tex_files_use_from_these_figures_is_made():
    """The macros of these figures' families (rfBlock..., colorSize, ...) that the .tex files use
    are all made, and every macro made is used."""
    used = _used_in_tex()
    if not used:
        pytest.skip("report/report.tex and slides.tex are not in this checkout")
    family = re.compile(r"(rfBlock|flops|recon|grid|tradeoff|opt|color|multiscale)[A-Z]")
    ours = set().union(*MACROS.values())
    wanted = {m for m in used if family.match(m)}
    assert wanted <= ours, f"used by the .tex but made by no Gatys figure: {wanted - ours}"
    assert ours <= used, f"made but used nowhere: {ours - used}"


def test_vgg_numbers_are_the_receptive_fields_and_flops():
    made = gatys_figures.vgg_numbers(core.Context(out=Path("."), quick=True))
    assert made.figure is None
    assert made.numbers == {
        "rfBlockOne": 3,
        "rfBlockThree": 24,
        "rfBlockFour": 68,
        "rfBlockFive": 156,
        "flopsFiveTwelve": 189,
    }


def test_paper_names_and_crops():
    assert gatys_figures._paper_name("block3_conv2") == "conv3_2"
    assert gatys_figures._power_of_ten(1e-5) == "$10^{-5}$"


@pytest.fixture(scope="module")
def made(make_quick_figures, vgg_weights, samples_available):
    """Every Gatys figure made once in quick mode (about a minute on an idle 2-core CPU)."""
    return make_quick_figures(MACROS)  # shared: a figure another test made is kept


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_writes_each_figure_and_its_macros(made):
    out, numbers = made
    for name, macros in MACROS.items():
        assert set(numbers[name]) == macros, name
        for suffix in (".pdf", ".png"):
            path = out / f"{name}{suffix}"
            assert path.is_file() == (name in FILES), path
    assert (out / "style_grid.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "style_grid.png").read_bytes().startswith(b"\x89PNG")
    core.numbers_tex(numbers, quick=True)  # no clash with another figure's macro names


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_numbers_are_plausible(made):
    _, numbers = made
    assert numbers["reconstructions"] == {"reconSize": "64", "reconSteps": "20"}
    assert numbers["tradeoff"] == {
        "tradeoffLowRatio": "$10^{-5}$",
        "tradeoffHighRatio": "$10^{-1}$",
    }
    assert numbers["multiscale"]["multiscaleScales"] == r"$0.25\to0.5\to1$"
    colours = numbers["color"]
    off, luminance, histogram = (
        float(colours[m])
        for m in ("colorDistanceOff", "colorDistanceLuminance", "colorDistanceHistogram")
    )
    assert 0 <= luminance < off and 0 <= histogram < off  # both keep the photograph's colours
    adam = float(numbers["optimizers"]["optAdamSeconds"].replace("{,}", ""))
    assert adam > 0
