"""Figures for notebooks, the app and the report: image grids, loss curves, feature maps, Grams.

Every function returns a matplotlib ``Figure`` (and draws into ``ax`` when one is given), so a
notebook shows it, the report saves it, and nothing here calls ``plt.show``. Images are stlib
images ([1, H, W, 3] in [0, 1]) or anything ``numpy.asarray`` turns into [H, W, 3] / [H, W].

In a notebook, assign the result (``fig = show_images(...)``) so that it is drawn once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "TERM_COLORS",
    "as_array",
    "bar_chart",
    "embedding_map",
    "feature_maps",
    "gram_heatmap",
    "image_grid",
    "line_chart",
    "loss_curves",
    "loss_terms",
    "pca_2d",
    "show_images",
]

TERM_COLORS = {"content": "tab:blue", "style": "tab:orange", "tv": "tab:green", "total": "black"}


def as_array(image: Any) -> np.ndarray:
    """[1, H, W, C], [H, W, C] or [H, W] -> [H, W, 3] or [H, W] float in [0, 1].

    Takes a tensor, an array or a PIL image.
    """
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 4:
        if array.shape[0] != 1:
            raise ValueError(f"expected one image, got a batch of shape {array.shape}")
        array = array[0]
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] != 3):
        raise ValueError(
            f"cannot show an array of shape {array.shape}; expected [1,H,W,3], [H,W,3] or [H,W]"
        )
    if array.max(initial=0.0) > 1.0 + 1e-3:  # uint8-like values
        array = array / 255.0
    return np.clip(array, 0.0, 1.0)


def _hide_axes(ax: Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def show_images(
    images: Sequence[Any],
    titles: Sequence[str] | None = None,
    ncols: int | None = None,
    size: float = 3.5,
    suptitle: str | None = None,
) -> Figure:
    """A row (or grid, with ``ncols``) of images with titles, each ``size`` inches tall."""
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(titles)} titles for {len(images)} images")
    ncols = ncols or len(images)
    nrows = math.ceil(len(images) / ncols)
    arrays = [as_array(im) for im in images]
    aspect = max(a.shape[1] / a.shape[0] for a in arrays)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * aspect * ncols, size * nrows + (0.4 if suptitle else 0)),
        squeeze=False,
        constrained_layout=True,
    )
    for index, ax in enumerate(axes.flat):
        _hide_axes(ax)
        if index < len(arrays):
            ax.imshow(
                arrays[index], cmap="gray" if arrays[index].ndim == 2 else None, vmin=0, vmax=1
            )
            if titles:
                ax.set_title(titles[index], fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def image_grid(
    grid: Sequence[Sequence[Any]],
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    size: float = 2.5,
    suptitle: str | None = None,
) -> Figure:
    """A table of images, ``grid[r][c]``, labelled by row (left) and column (top): Gatys Fig. 3."""
    nrows, ncols = len(grid), max(len(row) for row in grid)
    first = as_array(grid[0][0])
    aspect = first.shape[1] / first.shape[0]
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * aspect * ncols + 0.6, size * nrows + 0.4),
        squeeze=False,
        constrained_layout=True,
    )
    for r, row in enumerate(grid):
        for c in range(ncols):
            ax = axes[r][c]
            _hide_axes(ax)
            if c < len(row) and row[c] is not None:
                ax.imshow(as_array(row[c]), vmin=0, vmax=1)
            if r == 0 and col_labels:
                ax.set_title(col_labels[c], fontsize=10)
            if c == 0 and row_labels:
                ax.set_ylabel(row_labels[r], fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def _histories(histories) -> dict[str, Any]:
    return dict(histories) if isinstance(histories, Mapping) else {"": histories}


def _x_values(history, x: str) -> list[float]:
    if x == "step":
        return history.steps
    if x == "seconds":
        return history.seconds
    if x == "evaluations":
        return history.evaluations
    raise ValueError(f"unknown x axis {x!r}; choose 'step', 'seconds' or 'evaluations'")


def loss_curves(
    histories: Any,
    terms: Sequence[str] = ("total",),
    x: str = "step",
    logy: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Loss per step (or per second) of one ``History`` or of several, ``{label: history}``.

    Comparing optimisers by ``x="seconds"`` is the fair comparison: an L-BFGS step can cost
    more than one loss evaluation.
    """
    fig, ax = _figure(ax, (6.5, 4))
    runs = _histories(histories)
    styles = ["-", "--", ":", "-."]
    for index, (label, history) in enumerate(runs.items()):
        for term in terms:
            name = " ".join(
                part for part in (label, term if len(terms) > 1 or not label else "") if part
            )
            color = TERM_COLORS.get(term) if len(runs) == 1 else None
            ax.plot(
                _x_values(history, x),
                history.terms[term],
                styles[index % 4] if len(terms) > 1 else "-",
                color=color,
                label=name or term,
            )
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel({"step": "step", "seconds": "seconds", "evaluations": "loss evaluations"}[x])
    ax.set_ylabel("loss (weighted)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def loss_terms(history: Any, x: str = "step", logy: bool = True, ax: Axes | None = None) -> Figure:
    """Each weighted term of one run (content, style, tv) and their total."""
    terms = [
        t for t in ("content", "style", "tv", "total") if any(v != 0 for v in history.terms[t])
    ]
    return loss_curves(history, terms=terms, x=x, logy=logy, ax=ax)


def feature_maps(
    features: Any,
    channels: int | Sequence[int] = 16,
    ncols: int = 8,
    size: float = 1.3,
    title: str | None = None,
) -> Figure:
    """Channels of a layer's feature map [1, h, w, C] as gray images, each on its own range."""
    array = np.asarray(features, dtype=np.float32)
    if array.ndim == 4:
        array = array[0]
    if array.ndim != 3:
        raise ValueError(
            f"feature maps must be [1, h, w, C] or [h, w, C], got shape {np.shape(features)}"
        )
    indices = (
        list(range(min(channels, array.shape[-1]))) if isinstance(channels, int) else list(channels)
    )
    nrows = math.ceil(len(indices) / ncols)
    aspect = array.shape[1] / array.shape[0]
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * aspect * ncols, size * nrows + 0.4),
        squeeze=False,
        constrained_layout=True,
    )
    for ax, index in zip(axes.flat, indices + [None] * (nrows * ncols - len(indices))):
        _hide_axes(ax)
        if index is not None:
            ax.imshow(array[..., index], cmap="viridis")
            ax.set_title(str(index), fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


def gram_heatmap(
    gram: Any, max_channels: int = 64, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """A Gram matrix [1, N, N] or [N, N] as a heatmap (the first ``max_channels`` channels)."""
    array = np.asarray(gram, dtype=np.float32)
    if array.ndim == 3:
        array = array[0]
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"a Gram matrix is [N, N] or [1, N, N], got shape {np.shape(gram)}")
    fig, ax = _figure(ax, (4.2, 3.6))
    shown = array[:max_channels, :max_channels]
    image = ax.imshow(shown, cmap="magma")
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_xlabel("channel")
    ax.set_ylabel("channel")
    if title:
        ax.set_title(title)
    return fig


def bar_chart(
    values: Mapping[str, float],
    ylabel: str,
    logy: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Named values as bars with their numbers on top (FLOPs per layer, seconds per method, ...)."""
    fig, ax = _figure(ax, (max(4.0, 0.6 * len(values) + 1.5), 3.6))
    names, numbers = list(values), [float(v) for v in values.values()]
    bars = ax.bar(names, numbers, color="tab:blue")
    ax.bar_label(bars, labels=[f"{v:.3g}" for v in numbers], fontsize=8)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.tick_params(axis="x", rotation=45 if len(names) > 5 else 0)
    if title:
        ax.set_title(title)
    return fig


def line_chart(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    xlabel: str,
    ylabel: str,
    logy: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
    marker: str = "o",
) -> Figure:
    """Named series over one x axis (receptive field per layer, time per image size, ...)."""
    fig, ax = _figure(ax, (6, 3.8))
    for label, values in series.items():
        ax.plot(x, values, marker=marker, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    if len(series) > 1:
        ax.legend()
    if title:
        ax.set_title(title)
    return fig


def _figure(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return fig, ax


def pca_2d(vectors: Any) -> tuple[np.ndarray, np.ndarray]:
    """The first two principal components of N vectors: ``[N, D]`` -> (``[N, 2]``, ``[2]``).

    Returns the coordinates of each (centred) vector along the two directions of largest variance,
    and the fraction of the total variance each direction explains. Each direction's sign is fixed
    so that its largest loading is positive: the same vectors always give the same picture.
    """
    array = np.asarray(vectors, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] < 2:
        raise ValueError(f"pca_2d needs at least two vectors as [N, D], got shape {array.shape}")
    centred = array - array.mean(axis=0)
    # Rows of vt are the principal directions, singular values s in decreasing order.
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    directions = np.zeros((2, array.shape[1]))
    count = min(2, vt.shape[0])
    directions[:count] = vt[:count]
    for direction in directions:
        if direction[np.argmax(np.abs(direction))] < 0:
            direction *= -1
    variance = s**2
    total = variance.sum()
    explained = np.zeros(2)
    if total > 0:
        explained[:count] = variance[:count] / total
    return centred @ directions.T, explained


def embedding_map(
    embeddings: Mapping[str, Any],
    thumbnails: Mapping[str, Any] | None = None,
    groups: Mapping[str, str] | None = None,
    thumbnail_px: int = 44,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Named vectors (style embeddings) on their 2-D PCA plane, each drawn as its thumbnail.

    Args:
        embeddings: ``{name: vector [D]}``, at least two.
        thumbnails: ``{name: image}`` drawn at each point (about ``thumbnail_px`` px on the
            longest side; pass small images, e.g. ``data.load(name, 64)``); None: points only.
        groups: ``{name: group}`` ("content", "style", ...): one colour per group, for the
            point, the thumbnail's frame and the legend.
        thumbnail_px: displayed size of the thumbnails.

    The axes say how much of the variance each component explains (``pca_2d``).
    """
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    names = list(embeddings)
    points, explained = pca_2d([np.asarray(embeddings[n], np.float64).ravel() for n in names])
    groups = dict(groups or {})
    palette = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]
    colors: dict[str, str] = {}
    for name in names:
        group = groups.get(name, "")
        colors.setdefault(group, palette[len(colors) % len(palette)])
    fig, ax = _figure(ax, (10, 7.5))
    for group, color in colors.items():
        members = [i for i, n in enumerate(names) if groups.get(n, "") == group]
        # Beneath the thumbnails (each is centred on its point): seen only where none is drawn.
        ax.scatter(
            points[members, 0], points[members, 1], s=18, color=color, label=group or None, zorder=1
        )
    for index, name in enumerate(names):
        color = colors[groups.get(name, "")]
        x, y = points[index]
        if thumbnails is not None and name in thumbnails:
            array = as_array(thumbnails[name])
            zoom = thumbnail_px / max(array.shape[:2])
            box = AnnotationBbox(
                OffsetImage(array, zoom=zoom),
                (x, y),
                frameon=True,
                pad=0.15,
                bboxprops={"edgecolor": color, "linewidth": 2},
                zorder=2,
            )
            box.set_gid(f"thumbnail:{name}")
            ax.add_artist(box)
        ax.annotate(
            name,
            (x, y),
            xytext=(0, -thumbnail_px * 0.55 if thumbnails is not None else -6),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=7,
            color=color,
            zorder=4,  # above every thumbnail, on a pale box so that it reads over a neighbour
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "alpha": 0.75, "lw": 0},
        )
    # Room for the thumbnails at the edges: pad the data limits by a sixth of their range.
    span = np.ptp(points, axis=0)
    span = np.where(span > 0, span, 1.0)
    low, high = points.min(axis=0) - span / 6, points.max(axis=0) + span / 6
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel(f"principal component 1 ({100 * explained[0]:.0f} % of the variance)")
    ax.set_ylabel(f"principal component 2 ({100 * explained[1]:.0f} % of the variance)")
    ax.grid(True, alpha=0.3)
    if any(colors):
        ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig
