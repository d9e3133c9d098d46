r"""Figures of the multi-style network (Dumoulin, Shlens, Kudlur 2017): the 26 pretrained styles
of TensorFlow's Android demo on one photograph, and styles mixed by mixing their CIN parameters.

Numbers: the size of a style (``cinNumbersPerStyle``, ``cinNumbersPerStyleMagenta``), the whole
network (``cinParams``), and how far the imported Keras model is from the original 8-bit graph:
the mean absolute difference per pixel and channel for every one of the 26 styles, given as their
smallest, median and largest (``cinImportDiffMin``, ``cinImportDiffMedian``, ``cinImportDiffMax``,
and the styles of the ends, ``cinImportBestStyle``, ``cinImportWorstStyle``), the worst style's
share of pixel values more than ``IMPORT_OFF`` off (``cinImportWorstOffShare``, per cent), and
style ``IMPORT_STYLE`` alone (``cinImportDiff``). The difference depends on the style (a tenfold
range at either size), so one style's number does not describe the import. Both figures take
seconds on a CPU, in either mode (the 26 styles through both the Keras model and the frozen graph:
about 4 s at the quick size, 10 s at the full one, on 2 cores).
"""

from __future__ import annotations

from stlib.figures.core import Context, Made, figure

PHOTO = "tuebingen"
# The style whose import difference is quoted alone (cinImportDiff), beside the 26 styles' range.
IMPORT_STYLE = 0
# A pixel value this far (on the [0, 1] scale) from the frozen graph's counts as visibly off.
IMPORT_OFF = 0.1
# The corners of the mixing grid: top left, top right, bottom left, bottom right. Chosen by eye
# from the gallery for four different palettes and stroke sizes.
MIX_CORNERS = (3, 17, 19, 24)


def titled_grid(
    images: list, titles: list[str], ncols: int, width: float = 7.5, gap: float = 0.04, fontsize=9
):
    """Images in rows of ``ncols``, each with its title, packed without the empty bands that a
    constrained layout leaves around images of another aspect ratio (``plotting.show_images``):
    the figure is ``width`` inches wide and as tall as the images need. Returns the Figure; its
    axes are the cells in reading order (empty cells have no axes)."""
    import math

    import matplotlib.pyplot as plt

    from stlib import plotting

    arrays = [plotting.as_array(image) for image in images]
    aspect = arrays[0].shape[1] / arrays[0].shape[0]  # width / height
    nrows = math.ceil(len(arrays) / ncols)
    title = 1.6 * fontsize / 72  # inches for a title line
    cell = (width - gap * (ncols - 1)) / ncols
    height = nrows * (cell / aspect + title) + gap * (nrows - 1)
    fig = plt.figure(figsize=(width, height))
    for index, (array, text) in enumerate(zip(arrays, titles)):
        r, c = divmod(index, ncols)
        left = c * (cell + gap) / width
        top = 1 - (r * (cell / aspect + title + gap) + title) / height
        ax = fig.add_axes(
            (left, top - cell / aspect / height, cell / width, cell / aspect / height)
        )
        ax.imshow(array, vmin=0, vmax=1)
        ax.set_axis_off()
        ax.set_title(text, fontsize=fontsize, pad=2)
    return fig


def import_differences(
    photo, pastiches: list, off: float = IMPORT_OFF
) -> list[tuple[float, float]]:
    """How far each style's Keras pastiche is from the original 8-bit graph's on ``photo``: for
    style k (``pastiches[k]``, [1, H, W, 3] in [0, 1], as ``cin.stylize`` paints it), the mean
    absolute difference per pixel and channel, and the share (0-1) of pixel values more than
    ``off`` apart. ``photo``: [1, H, W, 3] float in [0, 1]."""
    import numpy as np

    from stlib.cin import magenta26

    pixels = np.asarray(photo, dtype=np.float32)
    one_hot = np.eye(len(pastiches), dtype=np.float32)
    found = []
    for k, pastiche in enumerate(pastiches):
        gap = np.abs(
            np.asarray(pastiche, np.float32) - magenta26.run_frozen_graph(pixels, one_hot[k])
        )
        found.append((float(gap.mean()), float((gap > off).mean())))
    return found


def _network():
    from stlib import cin

    return cin.load("magenta-26")


@figure("cin_gallery", "The 26 styles of the multi-style network on one photograph")
def cin_gallery(ctx: Context) -> Made:
    import numpy as np

    from stlib import cin, data
    from stlib.cin.transformer import MAGENTA, SLIM26
    from stlib.progress import each

    size = ctx.pick(384, 160)
    network = _network()
    photo = data.load(PHOTO, size)
    pastiches = [
        cin.stylize(photo, k, model=network).image
        for k in each(range(network.num_styles), "cin_gallery: styles", "style")
    ]
    # The import check: the same photo through the original quantised graph, every style.
    found = import_differences(photo, pastiches)
    means = [mean for mean, _ in found]
    best, worst = int(np.argmin(means)), int(np.argmax(means))

    fig = titled_grid(
        [photo, *pastiches], ["photograph", *(f"#{k}" for k in range(network.num_styles))], ncols=7
    )
    return Made(
        fig,
        {
            "cinStyles": network.num_styles,
            "cinNumbersPerStyle": SLIM26.numbers_per_style,
            "cinNumbersPerStyleMagenta": MAGENTA.numbers_per_style,
            "cinParams": int(network.count_params()),
            "cinImportDiff": means[IMPORT_STYLE],
            "cinImportStyle": IMPORT_STYLE,
            "cinImportDiffMin": means[best],
            "cinImportDiffMedian": float(np.median(means)),
            "cinImportDiffMax": means[worst],
            "cinImportBestStyle": best,
            "cinImportWorstStyle": worst,
            "cinImportWorstOffShare": 100 * found[worst][1],
            "cinImportOff": IMPORT_OFF,
            "cinGallerySize": size,
        },
    )


def bilinear_weights(rows: int, cols: int) -> list[list[tuple[float, float, float, float]]]:
    """The weights of the four corners (top left, top right, bottom left, bottom right) at each
    cell of a ``rows`` x ``cols`` grid: bilinear in the cell's position, summing to 1.

    >>> bilinear_weights(3, 3)[1][1]
    (0.25, 0.25, 0.25, 0.25)
    >>> bilinear_weights(3, 3)[0][2]
    (0.0, 1.0, 0.0, 0.0)
    """
    grid = []
    for r in range(rows):
        v = r / (rows - 1)
        row = []
        for c in range(cols):
            u = c / (cols - 1)
            row.append(((1 - u) * (1 - v), u * (1 - v), (1 - u) * v, u * v))
        grid.append(row)
    return grid


@figure("cin_mixing", "Four styles of the multi-style network mixed bilinearly")
def cin_mixing(ctx: Context) -> Made:
    from stlib import cin, data, plotting
    from stlib.progress import each

    side = ctx.pick(5, 3)
    size = ctx.pick(320, 128)
    network = _network()
    photo = data.load(PHOTO, size)
    cells = [
        (r, c, w) for r, row in enumerate(bilinear_weights(side, side)) for c, w in enumerate(row)
    ]
    grid = [[None] * side for _ in range(side)]
    for r, c, weights in each(cells, "cin_mixing: cells", "image"):
        mix = {k: w for k, w in zip(MIX_CORNERS, weights) if w > 0}
        grid[r][c] = cin.stylize(photo, mix, model=network).image
    fig = plotting.image_grid(grid, size=ctx.pick(0.9, 1.5))  # about 6.5 and 6.6 inches wide
    axes = fig.axes
    corners = {(0, 0): 0, (0, side - 1): 1, (side - 1, 0): 2, (side - 1, side - 1): 3}
    for (r, c), which in corners.items():
        axes[r * side + c].text(
            0.04 if c == 0 else 0.96,
            0.95 if r == 0 else 0.05,
            f"#{MIX_CORNERS[which]}",
            transform=axes[r * side + c].transAxes,
            ha="left" if c == 0 else "right",
            va="top" if r == 0 else "bottom",
            fontsize=8,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.85, "lw": 0},
        )
    return Made(fig, {"cinMixCorners": ", ".join(f"#{k}" for k in MIX_CORNERS)})
