"""The figure machinery: files written whole, quick mode stamped, unchanged figures kept, numbers
written as LaTeX macros and refused when they would break the build."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from stlib.figures import core  # noqa: E402

CALLS: list[str] = []


def _line_figure(ctx):
    CALLS.append("line")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [3, 1, 2])
    return core.Made(fig, {"lineMax": 3.0, "lineName": "a_b & c", "lineTex": core.Latex("$x^2$")})


def _table(ctx):
    CALLS.append("table")
    return core.Made(None, {"tableSeconds": 1234.5 if not ctx.quick else 0.01234})


@pytest.fixture
def registry(monkeypatch):
    """Two figures registered in place of the report's."""
    monkeypatch.setattr(core, "FIGURES", {})
    core.figure("line", "a line")(_line_figure)
    core.figure("table", "numbers only")(_table)
    CALLS.clear()
    return core.FIGURES


def test_make_writes_pdf_and_png_and_the_numbers(tmp_path, registry):
    ctx = core.Context(out=tmp_path / "figures")
    numbers = core.make(None, ctx, say=lambda _: None)
    assert (tmp_path / "figures" / "line.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "figures" / "line.png").read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "figures" / "table.pdf").exists()
    assert numbers == {
        "line": {"lineMax": "3", "lineName": r"a\_b \& c", "lineTex": "$x^2$"},
        "table": {"tableSeconds": "1{,}234"},
    }
    tex = core.numbers_tex(numbers, quick=False)
    assert r"\newcommand{\figuremode}{full}" in tex
    assert r"\newcommand{\lineName}{a\_b \& c}" in tex


def test_an_unchanged_figure_is_kept_and_a_missing_file_or_another_mode_remakes_it(
    tmp_path, registry
):
    ctx = core.Context(out=tmp_path)
    core.make(None, ctx, say=lambda _: None)
    assert CALLS == ["line", "table"]
    core.make(None, ctx, say=lambda _: None)
    assert CALLS == ["line", "table"]  # nothing remade
    (tmp_path / "line.png").unlink()
    core.make(None, ctx, say=lambda _: None)
    assert CALLS == ["line", "table", "line"]
    quick = core.Context(out=tmp_path, quick=True)
    numbers = core.make(["table"], quick, say=lambda _: None)
    assert CALLS[-1] == "table"
    assert numbers == {"table": {"tableSeconds": "0.0123"}}  # the full-mode line is not mixed in
    core.make(["table"], ctx, force=True, say=lambda _: None)
    assert CALLS[-1] == "table" and len(CALLS) == 5


def test_the_cache_key_follows_the_figure_source_the_mode_and_the_machine(tmp_path, registry):
    spec = registry["line"]
    key = core.cache_key(spec, core.Context(out=tmp_path), "package-a")
    assert key == core.cache_key(spec, core.Context(out=tmp_path), "package-a")
    assert key != core.cache_key(spec, core.Context(out=tmp_path), "package-b")
    assert key != core.cache_key(spec, core.Context(out=tmp_path, quick=True), "package-a")
    assert key != core.cache_key(registry["table"], core.Context(out=tmp_path), "package-a")


def test_quick_figures_say_so(tmp_path, registry, monkeypatch):
    texts = []
    original = core._stamp_quick
    monkeypatch.setattr(core, "_stamp_quick", lambda fig: (original(fig), texts.append(fig.texts)))
    core.make(["line"], core.Context(out=tmp_path, quick=True), say=lambda _: None)
    assert any("quick mode" in t.get_text() for t in texts[0])


def test_bad_names_and_macros_are_refused(tmp_path, registry):
    with pytest.raises(ValueError, match="unknown figure 'lin'.*did you mean 'line'"):
        core.make(["lin"], core.Context(out=tmp_path), say=lambda _: None)
    with pytest.raises(ValueError, match="letters only"):
        core.numbers_tex({"f": {"speed256": "1"}}, quick=False)
    with pytest.raises(ValueError, match="given by f and g"):
        core.numbers_tex({"f": {"same": "1"}, "g": {"same": "2"}}, quick=False)
    with pytest.raises(ValueError, match="registered twice"):
        core.figure("line", "again")(_table)


def test_numbers_are_formatted_for_latex():
    assert core.format_number(0.012345) == "0.0123"
    assert core.format_number(123.4) == "123"
    assert core.format_number(26) == "26"
    assert core.format_number(1_684_050) == "1{,}684{,}050"
    assert core.format_number("Intel(R) Xeon 50%") == r"Intel(R) Xeon 50\%"
