r"""Figures of the arbitrary network (Ghiasi et al. 2017, the official TFLite files): style
strength, interpolation between two paintings, and the map of the paintings' style embeddings.

All three use the library's own routes, as notebook 07 does: ``Stylizer.prepare`` embeds a
painting once, ``Stylizer.stylize(..., strength=)`` interpolates towards the photo's own embedding,
``mix=`` mixes embeddings, and ``plotting.embedding_map`` projects embeddings on their first two
principal components. Seconds on a CPU in either mode.
"""

from __future__ import annotations

from stlib.figures.core import Context, Made, figure

PHOTO = "tuebingen"
STRENGTH_PAINTING = "the_scream"
INTERPOLATION = ("the_kiss", "great_wave")  # two palettes far apart: gold and blue


def _stylizer():
    from stlib import arbitrary

    return arbitrary.load("tflite")  # the backend that offers embeddings, offline


def fit_to(image, height: int, width: int):
    """The largest centred crop of ``image`` [1, h, w, 3] with the aspect ratio of ``height`` x
    ``width``, resized to that size: a painting shown beside a photo, as large as the photo."""
    import tensorflow as tf

    from stlib import images

    h, w = int(image.shape[1]), int(image.shape[2])
    if h * width > w * height:  # too tall: crop rows
        crop_h, crop_w = max(1, round(w * height / width)), w
    else:
        crop_h, crop_w = h, max(1, round(h * width / height))
    top, left = (h - crop_h) // 2, (w - crop_w) // 2
    cropped = tf.image.crop_to_bounding_box(image, top, left, crop_h, crop_w)
    return images.resize_to(cropped, height, width)


def _strip(row: list, labels: list[str], width: float = 7.5):
    """One row of images with a label above each, about ``width`` inches wide (the text width
    of the report, so that the labels print at their own size)."""
    from stlib import plotting

    first = plotting.as_array(row[0])
    aspect = first.shape[1] / first.shape[0]
    return plotting.image_grid([row], col_labels=labels, size=(width - 0.6) / (len(row) * aspect))


@figure("arbitrary_strength", "Style strength in the arbitrary network")
def arbitrary_strength(ctx: Context) -> Made:
    from stlib import data
    from stlib.progress import each

    size = ctx.pick(384, 160)
    strengths = ctx.pick((0.0, 0.25, 0.5, 0.75, 1.0), (0.0, 0.5, 1.0))
    stylizer = _stylizer()
    photo = data.load(PHOTO, size)
    style = stylizer.prepare(STRENGTH_PAINTING)  # embedded once
    strip = [
        stylizer.stylize(photo, style, strength=s)
        for s in each(strengths, "arbitrary_strength", "image")
    ]
    height, width = int(photo.shape[1]), int(photo.shape[2])
    painting = fit_to(data.load(STRENGTH_PAINTING, 2 * size), height, width)
    fig = _strip(
        [photo, *strip, painting],
        ["photograph", *(f"strength {s:g}" for s in strengths), STRENGTH_PAINTING],
    )
    return Made(
        fig,
        {
            "arbEmbeddingSize": int(style.embeddings[0].shape[0]),
            "arbStrengthPainting": STRENGTH_PAINTING,
            "arbStrengthSize": size,
        },
    )


@figure("arbitrary_interpolation", "Interpolation between two paintings' style embeddings")
def arbitrary_interpolation(ctx: Context) -> Made:
    from stlib import data
    from stlib.progress import each

    size = ctx.pick(384, 160)
    steps = ctx.pick(5, 3)
    fractions = [k / (steps - 1) for k in range(steps)]
    stylizer = _stylizer()
    photo = data.load(PHOTO, size)
    pair = stylizer.prepare(list(INTERPOLATION))  # both embedded once
    strip = [
        stylizer.stylize(photo, pair, mix=(1.0 - t, t))
        for t in each(fractions, "arbitrary_interpolation", "image")
    ]
    height, width = int(photo.shape[1]), int(photo.shape[2])
    first, last = (fit_to(data.load(name, 2 * size), height, width) for name in INTERPOLATION)
    labels = [f"{1 - t:.0%} / {t:.0%}".replace("%", " %") for t in fractions]
    fig = _strip([first, *strip, last], [INTERPOLATION[0], *labels, INTERPOLATION[1]])
    return Made(
        fig,
        {
            "arbInterpolationFrom": INTERPOLATION[0],
            "arbInterpolationTo": INTERPOLATION[1],
        },
    )


def spread_thumbnails(fig, margin_points: float = 3.0, iterations: int = 500) -> int:
    """Move the thumbnails of a ``plotting.embedding_map`` figure apart where they, or their
    names, overlap, with a thin line from each moved thumbnail to its point (the dot stays where
    the data put it).

    Each thumbnail and its name make one rectangle; overlapping rectangles are pushed apart along
    the axis of least overlap, a little at a time, inside the axes. Returns how many thumbnails
    moved. A generic helper for ``stlib.plotting`` (``embedding_map`` draws each thumbnail on its
    point, so near neighbours hide each other).
    """
    import numpy as np
    from matplotlib.offsetbox import AnnotationBbox

    ax = fig.axes[0]
    fig.draw_without_rendering()  # the layout fixes the axes, so display positions are final
    renderer = fig.canvas.get_renderer()
    boxes = [
        a
        for a in ax.artists
        if isinstance(a, AnnotationBbox) and str(a.get_gid()).startswith("thumbnail:")
    ]
    if len(boxes) < 2:
        return 0
    labels = {t.get_text(): t for t in ax.texts}
    to_display, to_data = ax.transData, ax.transData.inverted()
    start = np.array([to_display.transform(box.xybox) for box in boxes])
    margin = margin_points * fig.dpi / 72
    # Each thumbnail's rectangle (box and name) relative to its anchor: x0, y0, x1, y1.
    extents = []
    for box, anchor in zip(boxes, start):
        parts = [box.get_window_extent(renderer)]
        name = str(box.get_gid()).split(":", 1)[1]
        if name in labels:
            parts.append(labels[name].get_window_extent(renderer))
        x0 = min(p.x0 for p in parts) - anchor[0] - margin
        y0 = min(p.y0 for p in parts) - anchor[1] - margin
        x1 = max(p.x1 for p in parts) - anchor[0] + margin
        y1 = max(p.y1 for p in parts) - anchor[1] + margin
        extents.append((x0, y0, x1, y1))
    extents = np.array(extents)
    frame = ax.get_window_extent(renderer)
    low = np.array([frame.x0, frame.y0]) - extents[:, :2]
    high = np.array([frame.x1, frame.y1]) - extents[:, 2:]
    anchors = start.copy()
    for _ in range(iterations):
        moved = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                lo_i, hi_i = anchors[i] + extents[i, :2], anchors[i] + extents[i, 2:]
                lo_j, hi_j = anchors[j] + extents[j, :2], anchors[j] + extents[j, 2:]
                overlap = np.minimum(hi_i, hi_j) - np.maximum(lo_i, lo_j)
                if (overlap > 0).all():
                    axis = int(np.argmin(overlap))
                    gap = (lo_j + hi_j)[axis] - (lo_i + hi_i)[axis]
                    direction = np.sign(gap) or (1.0 if j % 2 else -1.0)
                    step = 0.5 * overlap[axis] + 0.5
                    anchors[i, axis] -= direction * step
                    anchors[j, axis] += direction * step
                    moved = True
        anchors = np.clip(anchors, low, high)
        if not moved:
            break
    count = 0
    for box, before, after in zip(boxes, start, anchors):
        if np.hypot(*(after - before)) < 1.0:
            continue
        count += 1
        point = tuple(to_data.transform(before))
        place = tuple(to_data.transform(after))
        box.xybox = place
        name = str(box.get_gid()).split(":", 1)[1]
        if name in labels:
            labels[name].xy = place
        ax.plot(*zip(point, place), color=box.patch.get_edgecolor(), lw=0.8, zorder=1.5)
    return count


@figure("arbitrary_embedding", "The style embeddings of the course's paintings (PCA)")
def arbitrary_embedding(ctx: Context) -> Made:
    from stlib import data, plotting
    from stlib.progress import each

    stylizer = _stylizer()
    names = data.sample_names("style")
    embeddings = {
        name: stylizer.embed(name) for name in each(names, "arbitrary_embedding", "image")
    }
    thumbnails = {name: data.load(name, ctx.pick(128, 64)) for name in names}
    fig = plotting.embedding_map(embeddings, thumbnails, thumbnail_px=44)
    fig.set_size_inches(6.4, 4.8)
    for text in fig.axes[0].texts:  # the names: legible at 0.75 of the text width
        text.set_fontsize(9)
    spread_thumbnails(fig)
    _, explained = plotting.pca_2d(list(embeddings.values()))
    return Made(
        fig,
        {
            "arbEmbeddingPaintings": len(names),
            "arbEmbeddingExplained": float(100 * explained.sum()),
        },
    )
