r"""Figures of the multi-style network (Dumoulin, Shlens, Kudlur 2017): the 26 pretrained styles
of TensorFlow's Android demo on one photograph, and styles mixed by mixing their CIN parameters.

Numbers: the size of a style (``cinNumbersPerStyle``, ``cinNumbersPerStyleMagenta``), the whole
network (``cinParams``), and how far the imported Keras model is from the original 8-bit graph
(``cinImportDiff``). Both figures take seconds on a CPU, in either mode.
"""

from __future__ import annotations

from stlib.figures.core import Context, Made, figure

PHOTO = "tuebingen"
# The style whose Keras pastiche is compared with the frozen graph's (cinImportDiff).
IMPORT_STYLE = 0
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


def _network():
    from stlib import cin

    return cin.load("magenta-26")


@figure("cin_gallery", "The 26 styles of the multi-style network on one photograph")
def cin_gallery(ctx: Context) -> Made:
    import numpy as np

    from stlib import cin, data
    from stlib.cin import magenta26
    from stlib.cin.transformer import MAGENTA, SLIM26
    from stlib.progress import each

    size = ctx.pick(384, 160)
    network = _network()
    photo = data.load(PHOTO, size)
    pastiches = [
        cin.stylize(photo, k, model=network).image
        for k in each(range(network.num_styles), "cin_gallery: styles", "style")
    ]
    # The import check: the same photo through the original quantised graph, one style.
    one_hot = np.eye(network.num_styles, dtype=np.float32)[IMPORT_STYLE]
    original = magenta26.run_frozen_graph(photo.numpy(), one_hot)
    import_diff = float(np.abs(pastiches[IMPORT_STYLE].numpy() - original).mean())

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
            "cinImportDiff": import_diff,
            "cinImportStyle": IMPORT_STYLE,
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
