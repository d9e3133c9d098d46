"""The spatial-control figure (``spatial_figures``) in quick mode: it writes its PDF and PNG and
every macro the report and the slides use for it; its numbers are the measured ones (the
photograph's and the feed-forward networks' distances recomputed here, the count of regions
nearer their own painting recounted), and its helpers are checked without any model."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from stlib.figures import core, spatial_figures  # noqa: E402

REPORT = Path(__file__).resolve().parents[2] / "report"
ROWS = ("Photo", "Gatys", "Cin", "Arbitrary")
DISTANCES = {
    f"spatial{row}{region}{painting}"
    for row in ROWS
    for region in ("Top", "Bottom")
    for painting in ("A", "B")
}
MACROS = {
    "spatialSize",
    "spatialSteps",
    "spatialPaintingA",
    "spatialPaintingB",
    "spatialRegionA",
    "spatialRegionB",
    "spatialCinStyleA",
    "spatialCinStyleB",
    "spatialMargin",
    "spatialGatysSeconds",
    "spatialCinSeconds",
    "spatialArbitrarySeconds",
    *DISTANCES,
    "spatialOwnNearer",
    "spatialRegions",
}
FAMILY = re.compile(r"spatial[A-Z]")


def _used_in_tex() -> set[str]:
    used = set()
    for tex in ("report.tex", "slides.tex"):
        path = REPORT / tex
        if path.is_file():
            used |= set(re.findall(r"\\([A-Za-z]+)", path.read_text()))
    return used


def _number(text: str) -> float:
    return float(text.replace("{,}", ""))


# ----------------------------------------------------------------------------- no models


def test_the_figure_is_registered_after_the_experiments_and_times_the_machine():
    names = list(core.FIGURES)
    assert "spatial" in names
    assert names.index("spatial") > names.index("metrics")  # the report's order
    assert core.FIGURES["spatial"].times_the_machine  # its titles and numbers give seconds


def test_every_spatial_macro_the_tex_files_use_is_made_and_every_one_made_is_used():
    used = _used_in_tex()
    if not used:
        pytest.skip("report/report.tex and slides.tex are not in this checkout")
    wanted = {m for m in used if FAMILY.match(m)}
    assert wanted <= MACROS, f"used by the .tex but not made: {wanted - MACROS}"
    assert MACROS <= used, f"made but used nowhere: {MACROS - used}"
    assert all(m.isalpha() for m in MACROS)


def test_region_crops_are_the_halves_of_the_masks_less_the_seam_band():
    from stlib import masks

    image = np.arange(1 * 9 * 10 * 3, dtype=np.float32).reshape(1, 9, 10, 3)
    # No margin: the crops are exactly the rows / columns where stlib.masks.split is 1.
    for split in masks.SPLITS:
        crop = spatial_figures.region_crop(image, split, margin=0.0)
        mask = masks.split(split, 9, 10).astype(bool)
        assert crop.size == image[0][mask].size, split
        assert np.array_equal(np.sort(crop.ravel()), np.sort(image[0][mask].ravel())), split
    # A margin of 0.2 leaves out round(0.2 * side) rows or columns next to the seam.
    assert spatial_figures.region_crop(image, "top", 0.2).shape == (1, 5 - 2, 10, 3)
    assert spatial_figures.region_crop(image, "bottom", 0.2).shape == (1, 4 - 2, 10, 3)
    assert spatial_figures.region_crop(image, "left", 0.2).shape == (1, 9, 5 - 2, 3)
    assert spatial_figures.region_crop(image, "right", 0.2).shape == (1, 9, 5 - 2, 3)
    with pytest.raises(ValueError, match="choose from left, right, top, bottom"):
        spatial_figures.region_crop(image, "middle")


def test_own_nearer_counts_each_region_against_its_own_painting():
    distances = {
        "one": {"top": (0.5, 0.9), "bottom": (0.9, 0.5)},  # both right
        "two": {"top": (0.9, 0.5), "bottom": (0.5, 0.9)},  # both wrong
        "three": {"top": (0.4, 0.6), "bottom": (0.7, 0.7)},  # a tie is not nearer
    }
    assert spatial_figures.own_nearer(distances) == 3


def test_the_choices_are_consistent():
    from stlib import masks

    assert len(spatial_figures.PAINTINGS) == len(spatial_figures.MASKS) == 2
    assert len(set(spatial_figures.CIN_STYLES)) == 2
    assert all(0 <= k < 26 for k in spatial_figures.CIN_STYLES)
    # The masks are a partition of the photo, as every method requires.
    masks.resolve(list(spatial_figures.MASKS), 2, 96, 128)
    assert set(spatial_figures.TITLES) == set(spatial_figures.PAINTINGS)


# ----------------------------------------------------------------------------- quick mode


@pytest.fixture(scope="module")
def made(make_quick_figures, vgg_weights, samples_available):
    """The figure made once in quick mode (about 20 s on an idle 2-core CPU)."""
    out, numbers = make_quick_figures(["spatial"])
    return out, numbers["spatial"]


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_writes_the_figure_and_its_macros(made):
    out, numbers = made
    assert set(numbers) == MACROS
    assert (out / "spatial.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "spatial.png").read_bytes().startswith(b"\x89PNG")
    core.numbers_tex({"spatial": numbers}, quick=True)  # letters-only names, no clash
    assert numbers["spatialSize"] == "96" and numbers["spatialSteps"] == "15"
    assert numbers["spatialPaintingA"] == "The Starry Night"
    assert (numbers["spatialRegionA"], numbers["spatialRegionB"]) == ("top", "bottom")
    for method in ("Gatys", "Cin", "Arbitrary"):
        assert re.fullmatch(r"[0-9.]+ (s|min|h)", numbers[f"spatial{method}Seconds"]), method


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_distances_are_consistent(made):
    """The count of regions nearer their own painting is the table's; the optimisation and the
    arbitrary network each put both halves nearer their own painting (with a wide margin in
    quick mode already); every distance is positive."""
    _, numbers = made
    values = {m: _number(numbers[m]) for m in DISTANCES}
    assert all(v > 0 for v in values.values())
    table = {
        row: {
            region: (values[f"spatial{row}{region}A"], values[f"spatial{row}{region}B"])
            for region in ("Top", "Bottom")
        }
        for row in ("Gatys", "Cin", "Arbitrary")
    }
    assert int(numbers["spatialOwnNearer"]) == spatial_figures.own_nearer(table)
    assert int(numbers["spatialRegions"]) == 6
    for row in ("Gatys", "Arbitrary"):
        assert table[row]["Top"][0] < table[row]["Top"][1], row
        assert table[row]["Bottom"][1] < table[row]["Bottom"][0], row


@pytest.mark.slow
@pytest.mark.weights
def test_quick_mode_distances_are_the_measured_ones(made):
    """The photograph's and the two networks' rows recomputed (both networks are deterministic;
    the optimisation is not run again)."""
    from stlib import arbitrary, cin, data, metrics

    _, numbers = made
    size = int(numbers["spatialSize"])
    photo = data.load(spatial_figures.PHOTO, size)
    paintings = [data.load(name, size) for name in spatial_figures.PAINTINGS]
    regions = list(spatial_figures.MASKS)
    mix = {k: 1.0 for k in spatial_figures.CIN_STYLES}
    rows = {
        "Photo": photo,
        "Cin": cin.stylize(photo, mix, masks=regions).image,
        "Arbitrary": arbitrary.stylize(photo, paintings, backend="tflite", masks=regions).image,
    }
    network = metrics.measuring_network()
    for row, image in rows.items():
        for split in regions:
            crop = spatial_figures.region_crop(image, split)
            for word, painting in zip("AB", paintings):
                expected = metrics.style_distance(crop, painting, network=network)["mean"]
                got = _number(numbers[f"spatial{row}{split.title()}{word}"])
                assert got == pytest.approx(expected, rel=0.01, abs=1e-3), (row, split, word)


@pytest.mark.slow
@pytest.mark.weights
def test_the_multi_style_networks_styles_are_the_nearest_to_the_paintings(
    vgg_weights, samples_available
):
    """CIN_STYLES: of the 26 styles' pastiches of the photo (128 px), the one nearest to each
    painting in style distance (the mean relative Gram distance of ``stlib.metrics``)."""
    import tensorflow as tf

    from stlib import cin, data, losses, metrics

    network = cin.load("magenta-26")
    measuring = metrics.measuring_network()
    layers = metrics.STYLE_LAYERS
    photo = data.load(spatial_figures.PHOTO, 128)

    def grams(image):
        features = measuring(image)
        return [losses.gram_matrix(features[layer])[0] for layer in layers]

    pastiches = [grams(cin.stylize(photo, k, model=network).image) for k in range(26)]
    for name, chosen in zip(spatial_figures.PAINTINGS, spatial_figures.CIN_STYLES):
        target = grams(data.load(name, 128))
        distances = [
            np.mean([float(tf.norm(g - t) / tf.norm(t)) for g, t in zip(pastiche, target)])
            for pastiche in pastiches
        ]
        assert int(np.argmin(distances)) == chosen, (name, np.argsort(distances)[:3])
