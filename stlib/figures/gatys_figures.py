"""The report's figures on Gatys et al.'s method: what VGG19's layers keep, the method on the
course's images, its trade-off, its optimisers, colour preservation and coarse-to-fine.

Every pastiche is ``stlib.gatys.stylize`` with the ``stlib`` preset (L-BFGS from the content
image; the reconstructions use ``gatys2016``, the paper's normalised network, from noise), seeded
from ``ctx.seed``. Each figure shows one progress bar counting its optimiser steps.

The sizes and step counts of both modes are the ``ctx.pick(full, quick)`` calls at the top of each
function. ``FULL_MODE_MINUTES`` is the full mode's estimate that the report quotes; the measured
times are in the README (Speed).

VGG19 is loaded once per process (``stlib.vgg`` caches the pretrained base); ``stylize`` has no
argument to pass an extractor in, and wires a truncated model on that base at each call (the
normalised network copies its weights) and traces its loss function once per scale: a fixed cost
per pastiche that quick mode feels and full mode does not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from stlib.figures.core import Context, Latex, Made, figure

__all__ = [
    "color",
    "multiscale",
    "optimizers",
    "reconstructions",
    "style_grid",
    "tradeoff",
    "vgg_numbers",
]

FULL_MODE_MINUTES = 35  # all of these figures in full mode on an idle 2-core CPU (estimated)

PHOTO = "tuebingen"  # Gatys et al.'s photograph
PAINTING = "starry_night"  # and their best-known painting
GRID_PHOTOS = ("tuebingen", "turtle", "rainier")
GRID_PAINTINGS = ("starry_night", "the_scream", "great_wave")
COLOR_PAINTING = "the_scream"  # a palette far from the photograph's: the effect shows
PHOTO_ASPECT = 4 / 3  # photographs are centre-cropped to this width / height

TITLES = {
    "tuebingen": "Tübingen",
    "turtle": "sea turtle",
    "rainier": "Mount Rainier",
    "starry_night": "The Starry Night",
    "the_scream": "The Scream",
    "great_wave": "The Great Wave",
}

CONTENT_RECON_LAYERS = (
    "block1_conv2",
    "block2_conv2",
    "block3_conv2",
    "block4_conv2",
    "block5_conv2",
)
STYLE_RECON_LAYERS = (
    "block1_conv1",
    "block2_conv1",
    "block3_conv1",
    "block4_conv1",
    "block5_conv1",
)


# --- helpers ---------------------------------------------------------------------------------


def _paper_name(layer: str) -> str:
    """``block3_conv2`` -> ``conv3_2`` (the paper's Caffe names)."""
    block, conv = layer.removeprefix("block").split("_conv")
    return f"conv{block}_{conv}"


def _title(name: str) -> str:
    return TITLES.get(name, name.replace("_", " "))


def _photo(name: str, size: int, aspect: float | None = PHOTO_ASPECT):
    """Sample ``name`` centre-cropped to ``aspect`` (width / height; None: as it is) and resized
    to longest side ``size``: [1, H, W, 3] in [0, 1]."""
    from stlib import data, images

    image = data.load(name)
    if aspect is not None:
        height, width = (int(n) for n in image.shape[1:3])
        if width / height > aspect:  # too wide: crop the sides
            keep = round(height * aspect)
            left = (width - keep) // 2
            image = image[:, :, left : left + keep, :]
        else:  # too tall: crop top and bottom
            keep = round(width / aspect)
            top = (height - keep) // 2
            image = image[:, top : top + keep, :, :]
    return images.resize(image, size)


def _painting(name: str, size: int):
    """A painting, whole, longest side ``size`` (the engine resizes the style to the output)."""
    return _photo(name, size, aspect=None)


class _Steps:
    """One progress bar per figure, counting optimiser steps over all its pastiches."""

    def __init__(self, total: int, desc: str) -> None:
        from stlib.progress import ProgressBar

        self.bar = ProgressBar(total, desc, "step", keep=False)

    def run(self, content: Any, style: Any, config, label: str = "", callbacks=()):
        """``stlib.gatys.transfer(content, style, config)`` with this bar; the Result."""
        from stlib.gatys import transfer

        if label:
            self.bar.label(label)
        start = self.bar.done
        result = transfer(
            content,
            style,
            config,
            progress=False,
            callbacks=[lambda step: self.bar.advance(), *callbacks],
        )
        self.bar.advance(start + config.total_steps - self.bar.done)  # a run may stop early
        return result

    def close(self) -> None:
        self.bar.close()


def _base(ctx: Context, size: int, steps, **changes):
    """The configuration of the pastiches: the ``stlib`` preset at this size, seeded."""
    from stlib.gatys import preset

    return preset("stlib", size=size, steps=steps, seed=ctx.seed, **changes)


def _show(ax, image, title: str | None = None, fontsize: float = 8) -> None:
    from stlib import plotting

    ax.imshow(plotting.as_array(image), vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=fontsize)


def _padded(array: np.ndarray, aspect: float) -> np.ndarray:
    """[H, W, 3] padded with white to width / height = ``aspect``, centred (whole, not cropped)."""
    height, width = array.shape[:2]
    if abs(width / height - aspect) < 0.02 * aspect:
        return array
    if width / height < aspect:  # too narrow: white left and right
        extra = round(height * aspect) - width
        pad = ((0, 0), (extra // 2, extra - extra // 2), (0, 0))
    else:  # too flat: white above and below
        extra = round(width / aspect) - height
        pad = ((extra // 2, extra - extra // 2), (0, 0), (0, 0))
    return np.pad(array, pad, constant_values=1.0)


def _table(
    cells: Sequence[Sequence[Any]],
    titles: Sequence[Sequence[str | None]] | None = None,
    row_labels: Sequence[str] | None = None,
    width: float = 7.0,
    fontsize: float = 8,
):
    """A figure of images ``cells[r][c]`` (None: an empty cell), ``width`` inches wide, each cell
    titled ``titles[r][c]`` and each row labelled on the left. Every cell has the images' median
    aspect; an image of another aspect is shown whole in it, on white."""
    import matplotlib.pyplot as plt

    from stlib import plotting

    nrows, ncols = len(cells), max(len(row) for row in cells)
    arrays = [[None if c is None else plotting.as_array(c) for c in row] for row in cells]
    aspect = float(
        np.median([a.shape[1] / a.shape[0] for row in arrays for a in row if a is not None])
    )
    label_room = 0.25 if row_labels else 0.0
    cell_width = (width - label_room) / ncols
    lines = [max((t or "").count("\n") + 1 for t in row) if any(row) else 0 for row in titles or []]
    title_room = sum(lines) * fontsize * 1.45 / 72
    height = nrows * cell_width / aspect + title_room + 0.05
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width, height), squeeze=False, constrained_layout=True
    )
    fig.get_layout_engine().set(w_pad=0.01, h_pad=0.02, wspace=0.01, hspace=0.01)
    for r in range(nrows):
        for c in range(ncols):
            ax = axes[r][c]
            array = arrays[r][c] if c < len(arrays[r]) else None
            if array is None:
                ax.axis("off")
                continue
            _show(ax, _padded(array, aspect), titles[r][c] if titles else None, fontsize)
            if c == 0 and row_labels:
                ax.set_ylabel(row_labels[r], fontsize=fontsize + 1)
    return fig, axes


def _power_of_ten(value: float) -> Latex:
    return Latex(f"$10^{{{round(math.log10(value))}}}$")


# --- 1. numbers about VGG19 --------------------------------------------------------------------


@figure("vgg_numbers", "VGG19: receptive fields and the cost of a forward pass at 512 px")
def vgg_numbers(ctx: Context) -> Made:
    """Receptive fields (px) of the first convolution of blocks 1, 3, 4 and 5, and the forward
    GFLOP of VGG19 up to block5_conv1 on a 512 x 512 image."""
    from stlib import vgg

    fields = vgg.receptive_fields()
    flops = sum(vgg.forward_flops(512, 512, "block5_conv1").values())
    return Made(
        None,
        {
            "rfBlockOne": fields["block1_conv1"][0],
            "rfBlockThree": fields["block3_conv1"][0],
            "rfBlockFour": fields["block4_conv1"][0],
            "rfBlockFive": fields["block5_conv1"][0],
            "flopsFiveTwelve": round(flops / 1e9),
        },
    )


# --- 2. content and style reconstructions ------------------------------------------------------


@figure("reconstructions", "Content and style reconstructions from noise (Gatys et al. Fig. 1)")
def reconstructions(ctx: Context) -> Made:
    """Top: images whose features at one layer match the photograph's. Bottom: images whose Gram
    matrices at growing layer sets match the painting's. L-BFGS from the same faint noise
    (``noise_std`` 0.05: what the content layers cannot see of the start stays faint), the paper's
    normalised VGG19 (``gatys2016``).

    The style targets come from the painting at twice the output's size (``style_scale=2``): at the
    same size, a deep layer has fewer positions than channels (block5_conv1: 512 channels, 16 x 12
    positions at 256 px), its Gram matrix then pins down the painting's layout, and the
    "texture" copies the painting.
    """
    from stlib.gatys import preset

    size, steps = ctx.pick((256, 150), (64, 20))
    photo = _photo(PHOTO, size)
    painting = _photo(PAINTING, size)
    painting_large = _photo(PAINTING, 2 * size)
    base = preset("gatys2016", size=size, steps=steps, init="noise", noise_std=0.05, seed=ctx.seed)
    bar = _Steps(2 * len(CONTENT_RECON_LAYERS) * steps, "reconstructions")
    content_row, style_row = [photo], [painting]
    for layer in CONTENT_RECON_LAYERS:
        config = base.replace(content_layers={layer: 1.0}, style_layers={})
        content_row.append(bar.run(photo, [], config, _paper_name(layer)).image)
    for depth in range(1, len(STYLE_RECON_LAYERS) + 1):
        layers = STYLE_RECON_LAYERS[:depth]
        config = base.replace(
            content_layers={}, style_layers={name: 1 / depth for name in layers}, style_scale=2.0
        )
        style_row.append(bar.run(painting, painting_large, config, f"{depth} style layers").image)
    bar.close()
    content_titles = ["photograph"] + [_paper_name(name) for name in CONTENT_RECON_LAYERS]
    style_titles = ["painting", "conv1_1"] + [
        f"conv1_1 … conv{depth}_1" for depth in range(2, len(STYLE_RECON_LAYERS) + 1)
    ]
    fig, _ = _table(
        [content_row, style_row],
        [content_titles, style_titles],
        row_labels=["content", "style"],
        width=7.5,
        fontsize=7.5,
    )
    return Made(fig, {"reconSize": size, "reconSteps": steps})


# --- 3. photographs x paintings ----------------------------------------------------------------


@figure("style_grid", "Photographs x paintings by the optimisation")
def style_grid(ctx: Context) -> Made:
    """The photographs (first column) in the style of each painting (first row)."""
    size, steps = ctx.pick((256, 100), (64, 15))
    photos = GRID_PHOTOS if not ctx.quick else GRID_PHOTOS[:2]
    config = _base(ctx, size, steps)
    bar = _Steps(len(photos) * len(GRID_PAINTINGS) * steps, "style_grid")
    paintings = [_painting(name, size) for name in GRID_PAINTINGS]
    cells = [[None, *paintings]]
    titles = [[None, *(_title(name) for name in GRID_PAINTINGS)]]
    for name in photos:
        photo = _photo(name, size)
        row = [photo]
        for painting, painting_name in zip(paintings, GRID_PAINTINGS):
            row.append(bar.run(photo, painting, config, f"{name} x {painting_name}").image)
        cells.append(row)
        titles.append([_title(name)] + [None] * len(paintings))
    bar.close()
    fig, _ = _table(cells, titles, width=6.0, fontsize=8)
    return Made(fig, {"gridSize": size, "gridSteps": steps})


# --- 4. the content/style trade-off ------------------------------------------------------------


@figure("tradeoff", "The content/style trade-off: pastiches and distances along beta/alpha")
def tradeoff(ctx: Context) -> Made:
    """Pastiches of one pair for style/content weight ratios beta/alpha from 1e-5 to 1e-1 (the
    ``stlib`` preset: mean-normalised losses, its default is 1e-2), and the style distance to the
    painting (mean over the five style layers) and the content distance to the photograph."""
    import matplotlib.pyplot as plt

    from stlib import metrics

    size, steps = ctx.pick((256, 100), (64, 15))
    exponents = ctx.pick((-5, -4, -3, -2, -1), (-5, -3, -1))
    ratios = [10.0**k for k in exponents]
    photo, painting = _photo(PHOTO, size), _painting(PAINTING, size)
    base = _base(ctx, size, steps)
    bar = _Steps(len(ratios) * steps, "tradeoff")
    pastiches = []
    for ratio in ratios:
        config = base.replace(content_weight=1.0, style_weight=ratio)
        pastiches.append(bar.run(photo, painting, config, f"beta/alpha = {ratio:g}").image)
    bar.close()
    network = metrics.measuring_network()
    style = [metrics.style_distance(p, painting, network=network)["mean"] for p in pastiches]
    content = [metrics.content_distance(p, photo, network=network) for p in pastiches]

    n = len(ratios)
    image_aspect = photo.shape[2] / photo.shape[1]
    width = 7.0
    fig = plt.figure(figsize=(width, width / n / image_aspect + 0.3 + 2.6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[width / n / image_aspect + 0.3, 2.6])
    axes = top.subplots(1, n)
    for ax, image, k in zip(axes, pastiches, exponents):
        _show(ax, image, rf"$\beta/\alpha = 10^{{{k}}}$", fontsize=9)
    ax = bottom.subplots()
    ax.plot(ratios, style, "o-", color="tab:orange", label="style distance to the painting")
    ax.plot(ratios, content, "s-", color="tab:blue", label="content distance to the photograph")
    ax.set_xscale("log")
    ax.set_xlabel(r"style weight / content weight $\beta/\alpha$")
    ax.set_ylabel("relative distance")
    ax.set_ylim(bottom=0)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return Made(
        fig,
        {
            "tradeoffLowRatio": _power_of_ten(ratios[0]),
            "tradeoffHighRatio": _power_of_ten(ratios[-1]),
        },
    )


# --- 5. L-BFGS against Adam, float32 against bfloat16 ------------------------------------------


def _stop_at(loss: float):
    """A callback that ends the run once its total loss is at or below ``loss``."""
    from stlib.gatys import StopTransfer

    def stop(step) -> None:
        if step.losses["total"] <= loss:
            raise StopTransfer

    return stop


@figure(
    "optimizers",
    "Loss against seconds: L-BFGS and Adam, float32 and bfloat16",
    times_the_machine=True,
)
def optimizers(ctx: Context) -> Made:
    """Time to quality on this machine. One objective (the ``stlib`` preset, from the content
    image), minimised by Adam (learning rate 0.02) in float32 for a fixed number of steps; its
    final loss is the target at which L-BFGS, and both optimisers with VGG19 in bfloat16, stop
    (or at twice Adam's step count). A two-step run in each precision first warms the process
    up, so that no curve pays for it. The bfloat16 losses are the bfloat16 network's (within
    about 1 %); L-BFGS goes on in float32 once bfloat16 rounding stalls its line search."""
    import matplotlib.pyplot as plt

    size, adam_steps = ctx.pick((256, 300), (64, 20))
    most = 2 * adam_steps
    photo, painting = _photo(PHOTO, size), _painting(PAINTING, size)
    base = _base(ctx, size, 1)
    adam = base.replace(optimizer="adam", steps=adam_steps)
    lbfgs_tf = base.replace(optimizer="lbfgs-tf", steps=most)  # stlib's default L-BFGS
    others = {
        ("L-BFGS", "float32"): lbfgs_tf,
        ("L-BFGS", "bfloat16"): lbfgs_tf.replace(precision="bfloat16"),
        ("Adam", "bfloat16"): adam.replace(steps=most, precision="bfloat16"),
    }
    warm_ups = [base.replace(steps=2, precision=p) for p in ("float32", "bfloat16")]
    total = sum(c.total_steps for c in [*warm_ups, adam, *others.values()])
    bar = _Steps(total, "optimizers")
    for config in warm_ups:
        bar.run(photo, painting, config, f"warm-up {config.precision}")
    histories = {("Adam", "float32"): bar.run(photo, painting, adam, "Adam float32").history}
    target = histories[("Adam", "float32")].total[-1]
    for key, config in others.items():
        result = bar.run(photo, painting, config, " ".join(key), callbacks=[_stop_at(target)])
        histories[key] = result.history
    bar.close()

    adam_seconds = histories[("Adam", "float32")].seconds_total
    lbfgs = histories[("L-BFGS", "float32")]
    lbfgs_seconds = lbfgs.seconds_to_reach(target)

    fig, ax = plt.subplots(figsize=(6.0, 3.6), layout="constrained")
    colors = {"L-BFGS": "tab:blue", "Adam": "tab:orange"}
    lines = {"float32": "-", "bfloat16": "--"}
    order = [
        ("L-BFGS", "float32"),
        ("L-BFGS", "bfloat16"),
        ("Adam", "float32"),
        ("Adam", "bfloat16"),
    ]
    for key in order:
        method, precision = key
        history = histories[key]
        reached = history.total[-1] <= target
        ax.plot(
            history.seconds,
            history.total,
            lines[precision],
            color=colors[method],
            label=f"{method}, {precision}: {len(history)} steps, {history.seconds_total:.3g} s"
            + ("" if reached or key == ("Adam", "float32") else " (target not reached)"),
        )
        ax.plot(history.seconds[-1:], history.total[-1:], "o", color=colors[method], ms=4)
    ax.axhline(target, color="gray", lw=0.8, ls=":")
    ax.annotate(
        f"Adam's final loss in float32 ({adam_steps} steps)",
        (0, target),
        xytext=(3, -9),
        textcoords="offset points",
        fontsize=7,
        color="gray",
    )
    ax.set_yscale("log")
    ax.set_xlim(left=0)
    ax.set_xlabel("seconds (loss targets and compilation included)")
    ax.set_ylabel("loss")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7.5)
    ax.set_title(f"{size} px, {_title(PHOTO)} in the style of {_title(PAINTING)}", fontsize=9)
    return Made(
        fig,
        {
            "optSize": size,
            "optLbfgsSeconds": (
                lbfgs_seconds
                if lbfgs_seconds is not None
                else Latex(f"more than {lbfgs.seconds_total:.3g}")
            ),
            "optAdamSeconds": adam_seconds,
        },
    )


# --- 6. colour preservation --------------------------------------------------------------------


@figure("color", "Colour preservation: plain, luminance only, histogram matched")
def color(ctx: Context) -> Made:
    """The photograph, the painting, and three pastiches: plain, ``preserve_color="luminance"``
    and ``"histogram"``, each titled with its colour distance to the photograph."""
    from stlib import metrics

    size, steps = ctx.pick((256, 100), (64, 15))
    photo, painting = _photo(PHOTO, size), _painting(COLOR_PAINTING, size)
    base = _base(ctx, size, steps)
    modes = {"plain": None, "luminance only": "luminance", "histogram matched": "histogram"}
    bar = _Steps(len(modes) * steps, "color")
    pastiches = {
        label: bar.run(photo, painting, base.replace(preserve_color=mode), label).image
        for label, mode in modes.items()
    }
    bar.close()
    distances = {label: metrics.color_distance(image, photo) for label, image in pastiches.items()}
    cells = [[photo, painting, *pastiches.values()]]
    titles = [
        [
            "photograph",
            "painting",
            *(f"{label}\ncolour distance {distances[label]:.3f}" for label in pastiches),
        ]
    ]
    fig, _ = _table(cells, titles, width=7.5, fontsize=8)
    return Made(
        fig,
        {
            "colorSize": size,
            "colorDistanceOff": distances["plain"],
            "colorDistanceLuminance": distances["luminance only"],
            "colorDistanceHistogram": distances["histogram matched"],
        },
    )


# --- 7. coarse to fine -------------------------------------------------------------------------


@figure("multiscale", "One scale against coarse-to-fine at the same final size")
def multiscale(ctx: Context) -> Made:
    """The pastiche optimised at the final size only, against one started at a quarter of it and
    refined at each doubling (``scales``), with a crop of each enlarged to show the strokes."""
    import matplotlib.patches as patches
    import matplotlib.pyplot as plt

    size, steps = ctx.pick((512, 100), (128, 15))
    scales = (0.25, 0.5, 1.0)
    per_scale = (steps, steps, steps // 2)
    photo, painting = _photo(PHOTO, size), _painting(PAINTING, size)
    single = _base(ctx, size, steps)
    coarse_to_fine = _base(ctx, size, per_scale, scales=scales)
    bar = _Steps(single.total_steps + coarse_to_fine.total_steps, "multiscale")
    results = {
        f"one scale, {size} px\n{steps} steps": bar.run(photo, painting, single, "one scale").image,
        f"{' → '.join(f'{s:g}' for s in scales)}\n{' + '.join(map(str, per_scale))} steps": bar.run(
            photo, painting, coarse_to_fine, "coarse to fine"
        ).image,
    }
    bar.close()

    height, width = (int(n) for n in photo.shape[1:3])
    crop_h, crop_w = round(0.3 * height), round(0.3 * width)  # enlarged: sky and trees
    top, left = round(0.1 * height), round(0.06 * width)
    fig, axes = plt.subplots(
        1, 4, figsize=(7.5, 7.5 / 4 * height / width + 0.45), layout="constrained"
    )
    for (label, image), (whole, crop) in zip(results.items(), (axes[:2], axes[2:])):
        _show(whole, image, label, fontsize=8)
        whole.add_patch(
            patches.Rectangle(
                (left - 0.5, top - 0.5), crop_w, crop_h, fill=False, edgecolor="white", lw=1.0
            )
        )
        array = np.asarray(image)[0, top : top + crop_h, left : left + crop_w]
        _show(crop, array, f"enlarged ({crop_w} × {crop_h} px)", fontsize=8)
    return Made(
        fig,
        {
            "multiscaleSize": size,
            "multiscaleScales": Latex(r"$" + r"\to".join(f"{s:g}" for s in scales) + r"$"),
        },
    )
