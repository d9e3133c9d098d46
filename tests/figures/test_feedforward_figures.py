"""The figures of the feed-forward networks and of the experiments (``cin_figures``,
``arbitrary_figures``, ``speed_figures``) in quick mode: each writes its PDF and PNG and returns
every macro that the report and the slides use for it; the numbers are the measured ones. The
helpers they draw with are checked without any model."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from stlib.figures import arbitrary_figures, cin_figures, core, speed_figures  # noqa: E402

REPORT = Path(__file__).resolve().parents[2] / "report"

# figure -> the macros it makes (the .tex files' use of these families is checked below)
MACROS = {
    "cin_gallery": {
        "cinStyles",
        "cinNumbersPerStyle",
        "cinNumbersPerStyleMagenta",
        "cinParams",
        "cinImportDiff",
        "cinImportStyle",
        "cinImportDiffMin",
        "cinImportDiffMedian",
        "cinImportDiffMax",
        "cinImportBestStyle",
        "cinImportWorstStyle",
        "cinImportWorstOffShare",
        "cinImportOff",
        "cinGallerySize",
    },
    "cin_mixing": {"cinMixCorners"},
    "arbitrary_strength": {"arbEmbeddingSize", "arbStrengthPainting", "arbStrengthSize"},
    "arbitrary_interpolation": {"arbInterpolationFrom", "arbInterpolationTo"},
    "arbitrary_embedding": {"arbEmbeddingPaintings", "arbEmbeddingExplained"},
    "speed": {
        "speedMachine",
        *(
            f"speed{method}{size}"
            for method in ("Gatys", "Cin", "Arbitrary")
            for size in ("TwoFiveSix", "FiveOneTwo", "OneZeroTwoFour")
        ),
        "speedGatysSteps",
        "speedGatysTimedSteps",
        "speedRatio",
        "speedGatysNote",
    },
    "metrics": {
        "metricsSize",
        *(
            f"metrics{method}{measure}"
            for method in ("Gatys", "Cin", "Arbitrary")
            for measure in ("Style", "Content", "Ssim", "Color")
        ),
        "metricsPhotoStyle",
        "metricsPhotoColor",
        "metricsPaintingContent",
        "metricsPaintingSsim",
        *(
            f"metrics{row}{measure}"
            for row in ("Grey", "Noise")
            for measure in ("Style", "Content", "Ssim", "Color")
        ),
        "metricsNoiseSeed",
        "metricsCinStyleIndex",
        "metricsGatysSteps",
    },
}
FAMILY = re.compile(r"(cin|arb|speed|metrics)[A-Z]")


def _used_in_tex() -> set[str]:
    """Every macro the report and the slides use (\\name{} or \\name followed by a non-letter)."""
    used = set()
    for tex in ("report.tex", "slides.tex"):
        path = REPORT / tex
        if path.is_file():
            used |= set(re.findall(r"\\([A-Za-z]+)", path.read_text()))
    return used


def _number(text: str) -> float:
    """A number as ``format_number`` wrote it (thousands as ``{,}``, maybe a dagger) -> float."""
    return float(text.replace("{,}", "").replace(r"$^{\dagger}$", ""))


# ----------------------------------------------------------------------------- no models


def test_the_figures_are_registered_in_the_reports_order():
    ours = [name for name in core.FIGURES if name in MACROS]
    assert ours == list(MACROS)
    assert core.FIGURES["speed"].times_the_machine
    assert not core.FIGURES["metrics"].times_the_machine
    assert not core.FIGURES["cin_gallery"].times_the_machine


def test_every_macro_the_tex_files_use_from_these_figures_is_made():
    used = _used_in_tex()
    if not used:
        pytest.skip("report/report.tex and slides.tex are not in this checkout")
    ours = set().union(*MACROS.values())
    wanted = {m for m in used if FAMILY.match(m)}
    assert wanted <= ours, f"used by the .tex but made by none of these figures: {wanted - ours}"
    assert all(m.isalpha() for m in ours)


def test_bilinear_weights_are_convex_and_single_styles_at_the_corners():
    grid = cin_figures.bilinear_weights(5, 5)
    assert len(grid) == 5 and all(len(row) == 5 for row in grid)
    for row in grid:
        for weights in row:
            assert min(weights) >= 0 and sum(weights) == pytest.approx(1.0)
    assert grid[0][0] == (1.0, 0.0, 0.0, 0.0)
    assert grid[0][4] == (0.0, 1.0, 0.0, 0.0)
    assert grid[4][0] == (0.0, 0.0, 1.0, 0.0)
    assert grid[4][4] == (0.0, 0.0, 0.0, 1.0)
    assert grid[2][2] == (0.25, 0.25, 0.25, 0.25)


def test_titled_grid_places_every_image_with_its_title():
    images = [np.full((30, 40, 3), k / 10, np.float32) for k in range(9)]
    fig = cin_figures.titled_grid(images, [f"#{k}" for k in range(9)], ncols=4)
    assert [ax.get_title() for ax in fig.axes] == [f"#{k}" for k in range(9)]
    first, fifth = fig.axes[0].get_position(), fig.axes[4].get_position()
    assert fifth.x0 == pytest.approx(first.x0) and fifth.y1 < first.y0  # next row, same column
    width, height = fig.get_size_inches()
    assert width == pytest.approx(7.5)
    # Each cell keeps the images' 4:3 shape.
    assert first.width * width / (first.height * height) == pytest.approx(4 / 3)


def test_fit_to_crops_the_centre_to_the_photos_shape():
    import tensorflow as tf

    tall = tf.reshape(tf.range(100 * 50 * 3, dtype=tf.float32) / 15000.0, (1, 100, 50, 3))
    fitted = arbitrary_figures.fit_to(tall, 30, 40)
    assert tuple(fitted.shape) == (1, 30, 40, 3)
    wide = tf.zeros((1, 20, 200, 3))
    assert tuple(arbitrary_figures.fit_to(wide, 30, 40).shape) == (1, 30, 40, 3)


def test_spread_thumbnails_separates_overlapping_ones():
    from stlib import plotting

    rng = np.random.default_rng(0)
    names = [f"p{k}" for k in range(6)]
    embeddings = {name: rng.normal(size=8) for name in names}
    embeddings["p1"] = embeddings["p0"] + 0.01  # on top of each other
    thumbnails = {name: np.full((20, 30, 3), 0.5, np.float32) for name in names}
    fig = plotting.embedding_map(embeddings, thumbnails, thumbnail_px=40)
    assert arbitrary_figures.spread_thumbnails(fig) >= 1
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = [a for a in fig.axes[0].artists if str(a.get_gid()).startswith("thumbnail:")]
    extents = [box.get_window_extent(renderer) for box in boxes]
    for i, a in enumerate(extents):
        for b in extents[i + 1 :]:
            assert not a.overlaps(b)


def test_durations_are_written_in_a_readable_unit():
    assert speed_figures.duration(0.0581) == "0.0581 s"
    assert speed_figures.duration(59.0) == "59 s"
    assert speed_figures.duration(744.0) == "12.4 min"
    assert speed_figures.duration(11906.0) == "3.31 h"


def test_the_machine_is_named_with_its_cores():
    import os

    name = speed_figures.machine_name()
    assert f"({os.cpu_count()} cores)" in name
    assert "(R)" not in name and "(TM)" not in name


# ----------------------------------------------------------------------------- quick mode


@pytest.fixture(scope="module")
def made(make_quick_figures, vgg_weights, samples_available):
    """Every figure of these modules made once in quick mode (about a minute on an idle 2-core
    CPU), or skip when the pretrained networks are not offline."""
    from stlib.arbitrary import models
    from stlib.cin import magenta26

    try:
        magenta26.frozen_graph_path(download=False)
        models.model_path(models.PREDICTOR, download=False)
        models.model_path(models.TRANSFORMER_FILES["dynamic"], download=False)
    except models.ModelNotFoundError as error:
        pytest.skip(f"the feed-forward networks are not available offline: {error}")
    return make_quick_figures(MACROS)  # shared: a figure another test made is kept


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_writes_each_figure_and_its_macros(made):
    out, numbers = made
    for name, macros in MACROS.items():
        assert set(numbers[name]) == macros, name
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF"), name
        assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    core.numbers_tex(numbers, quick=True)  # no clash with another figure's macro names


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_numbers_of_the_networks(made):
    _, numbers = made
    gallery = numbers["cin_gallery"]
    assert gallery["cinStyles"] == "26"
    assert gallery["cinNumbersPerStyle"] == "990"
    assert gallery["cinNumbersPerStyleMagenta"] == "3{,}206"
    assert _number(gallery["cinParams"]) > 26 * 990  # the shared kernels come on top
    assert 0 < _number(gallery["cinImportDiff"]) < 0.05  # the same picture, not another one
    assert numbers["arbitrary_strength"]["arbEmbeddingSize"] == "100"
    assert numbers["arbitrary_embedding"]["arbEmbeddingPaintings"] == "9"
    assert 0 < _number(numbers["arbitrary_embedding"]["arbEmbeddingExplained"]) <= 100


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_import_difference_is_the_range_over_the_26_styles(made):
    """The import difference is given over every style: the ends and the median in order, style
    0 inside them, and the two styles named recomputed here, straight from ``cin.stylize`` and
    the frozen graph at the gallery's size."""
    from stlib import cin, data
    from stlib.cin import magenta26

    gallery = made[1]["cin_gallery"]
    low, middle, high = (
        _number(gallery[f"cinImportDiff{end}"]) for end in ("Min", "Median", "Max")
    )
    assert 0 < low < middle < high < 0.2
    assert low <= _number(gallery["cinImportDiff"]) <= high
    assert high > 2 * low  # the styles differ: one style's number is not the import's
    assert int(gallery["cinImportStyle"]) == cin_figures.IMPORT_STYLE
    best, worst = int(gallery["cinImportBestStyle"]), int(gallery["cinImportWorstStyle"])
    assert best != worst and {best, worst} <= set(range(26))
    assert 0 < _number(gallery["cinImportWorstOffShare"]) < 100
    assert _number(gallery["cinImportOff"]) == cin_figures.IMPORT_OFF

    network = cin.load("magenta-26")
    photo = data.load(cin_figures.PHOTO, int(_number(gallery["cinGallerySize"])))

    def gap(style):
        pastiche = cin.stylize(photo, style, model=network).image.numpy()
        weights = np.zeros(26, np.float32)
        weights[style] = 1
        return np.abs(pastiche - magenta26.run_frozen_graph(photo.numpy(), weights))

    for style, macro in (
        (worst, "cinImportDiffMax"),
        (best, "cinImportDiffMin"),
        (0, "cinImportDiff"),
    ):
        assert _number(gallery[macro]) == pytest.approx(gap(style).mean(), rel=0.01), macro
    share = 100 * (gap(worst) > cin_figures.IMPORT_OFF).mean()
    assert _number(gallery["cinImportWorstOffShare"]) == pytest.approx(share, rel=0.01)


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_speed_numbers(made):
    _, numbers = made
    speed = numbers["speed"]
    assert "cores)" in speed["speedMachine"]
    assert speed["speedGatysSteps"] == "300"
    seconds = {
        m: [_number(speed[f"speed{m}{s}"]) for s in ("TwoFiveSix", "FiveOneTwo", "OneZeroTwoFour")]
        for m in ("Gatys", "Cin", "Arbitrary")
    }
    for values in seconds.values():
        assert all(v > 0 for v in values)
    assert seconds["Gatys"][0] > 10 * max(seconds["Cin"][0], seconds["Arbitrary"][0])
    # Quick mode times the optimisation at 256 and 512 px and says that 1024 px is scaled.
    assert "dagger" not in speed["speedGatysTwoFiveSix"] + speed["speedGatysFiveOneTwo"]
    assert speed["speedGatysOneZeroTwoFour"].endswith(r"$^{\dagger}$")
    assert "dagger" in speed["speedGatysNote"]
    ratio = seconds["Gatys"][0] / max(seconds["Cin"][0], seconds["Arbitrary"][0])
    assert _number(speed["speedRatio"]) == pytest.approx(ratio, rel=0.01)


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_metrics_numbers(made):
    _, numbers = made
    table = numbers["metrics"]
    assert 0 <= int(table["metricsCinStyleIndex"]) < 26
    for method in ("Gatys", "Cin", "Arbitrary"):
        assert _number(table[f"metrics{method}Style"]) > 0
        assert _number(table[f"metrics{method}Content"]) > 0  # a pastiche is not the photo
        assert -1 <= _number(table[f"metrics{method}Ssim"]) < 1
        assert 0 <= _number(table[f"metrics{method}Color"]) < 1
    # The optimisation minimises (a weighted form of) the style distance: it beats the photo.
    assert _number(table["metricsGatysStyle"]) < _number(table["metricsPhotoStyle"])


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_metrics_baselines(made):
    """The rows that are no pastiche: a flat grey image about 1 on both distances, noise above
    it, the painting further from the photo than grey in content; grey's and noise's numbers
    recomputed here from images made without ``metrics.baselines``."""
    import tensorflow as tf

    from stlib import data, metrics

    table = made[1]["metrics"]
    for measure in ("Style", "Content"):
        assert 0.9 < _number(table[f"metricsGrey{measure}"]) < 1.05, measure
        assert _number(table[f"metricsNoise{measure}"]) > _number(table[f"metricsGrey{measure}"])
    assert _number(table["metricsPaintingContent"]) > _number(table["metricsGreyContent"])
    assert _number(table["metricsNoiseSsim"]) < 0.1  # noise keeps no structure of the photo

    size = int(table["metricsSize"])
    photo = data.load(speed_figures.PHOTO, size)
    painting = data.load(speed_figures.PAINTING, size)
    grey = tf.fill(photo.shape, 0.5)
    seed = int(table["metricsNoiseSeed"])
    noise = np.random.default_rng(seed).random(tuple(photo.shape), dtype=np.float32)
    for name, image in (("Grey", grey), ("Noise", noise)):
        expected = {
            "Style": metrics.style_distance(image, painting)["mean"],
            "Content": metrics.content_distance(image, photo),
            "Ssim": metrics.ssim(image, photo),
            "Color": metrics.color_distance(image, painting),
        }
        for measure, value in expected.items():
            got = _number(table[f"metrics{name}{measure}"])
            assert got == pytest.approx(value, rel=0.01, abs=1e-3), f"{name} {measure}"
