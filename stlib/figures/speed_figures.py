r"""The report's experiments: seconds per image of the three methods (``speed``) and the five
measurements of ``stlib.metrics`` applied to their pastiches of one photograph (``metrics``).

**How ``speed`` times.** As ``benchmarks/cin_speed.py`` and ``benchmarks/arbitrary_speed.py`` do:
the photo (Tübingen, longest side 256, 512 and 1024 px) and the painting are loaded first; each
feed-forward network is called once to warm up (tracing, interpreter sizing), then timed
``repeats`` times, and the median is kept. The multi-style network's time is ``cin.stylize``; the
arbitrary network's is ``Stylizer.stylize`` with the painting embedded in every call (a user's one
image needs it). The optimisation (``gatys.transfer``, "stlib" preset, its 300 L-BFGS steps) is far
too slow to run whole at 1024 px on a CPU: one run of 10 steps (quick mode: 2) is timed (VGG19
built, targets computed, the first steps with their line searches), and the remaining steps are
added at that run's median time per step. In quick mode 256 and 512 px are run (2 steps each),
and 1024 px is scaled from 512 px by the number of pixels (its number carries a dagger and
``speedGatysNote`` says so).

**What ``metrics`` compares.** Gatys et al. ("stlib" preset), the arbitrary network with the same
painting, and the multi-style network with the one of its 26 styles whose pastiche is closest to
the painting in style distance (searched at the table's size): style distance and colour distance to
the painting, content distance and SSIM to the photograph. Beside them, measured the same way, four
images that are no pastiche (``stlib.metrics.baselines``): the photograph, the painting, a flat grey
image and uniform noise (seeded with the run's seed). A flat grey image scores about 1 on both
distances, so a pastiche's distances are read against these rows, not against 0.

Full mode is dominated by the 300 L-BFGS steps at 384 px of ``metrics``; quick mode takes about a
minute for both (the measured times: the README, Speed).
"""

from __future__ import annotations

import os
import statistics
import time

from stlib.figures.core import Context, Latex, Made, figure, format_number

PHOTO = "tuebingen"
PAINTING = "starry_night"
SIZES = (256, 512, 1024)
SIZE_WORDS = {256: "TwoFiveSix", 512: "FiveOneTwo", 1024: "OneZeroTwoFour"}  # macro names
CIN_STYLE = 19  # the multi-style network's style for the timings (any: all cost the same)
GATYS_PRESET = "stlib"
PAUSE = 0.05  # seconds between two timed calls, as in the benchmarks
METHODS = ("Gatys", "Cin", "Arbitrary")
LABELS = {
    "Gatys": "Gatys et al. (L-BFGS)",
    "Cin": "multi-style network",
    "Arbitrary": "arbitrary network (TFLite)",
}


def machine_name() -> str:
    """The CPU's name without trademarks, its core count, and the GPUs' names if any:
    ``"Intel Xeon Processor (2 cores)"``."""
    import re

    from stlib import hardware

    cpu = re.sub(r"\((R|TM|tm|r)\)", "", hardware.cpu_name())
    cpu = re.sub(r"\s+", " ", cpu).strip()
    text = f"{cpu} ({os.cpu_count()} cores)"
    gpus = hardware.gpu_names()
    if gpus:
        text += ", " + ", ".join(gpus)
    return text


def median_seconds(call, repeats: int) -> float:
    """The median wall time of ``call()`` over ``repeats`` runs, after one warm-up run."""
    call()
    times = []
    for _ in range(repeats):
        time.sleep(PAUSE)
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def gatys_seconds(photo, painting, size: int, timed_steps: int, seed: int) -> tuple[float, float]:
    """(seconds for the preset's full step count, seconds per step) at ``size``: one run of
    ``timed_steps`` steps, plus the remaining steps at its median time per step."""
    from stlib import gatys

    config = gatys.preset(GATYS_PRESET, size=size, steps=timed_steps, seed=seed)
    total_steps = gatys.preset(GATYS_PRESET).total_steps
    start = time.perf_counter()
    result = gatys.transfer(photo, painting, config, progress=False)
    measured = time.perf_counter() - start
    per_step = result.history.seconds_per_step()
    return measured + (total_steps - timed_steps) * per_step, per_step


def duration(seconds: float) -> str:
    """Seconds in the unit a reader takes in at a glance: ``0.058 s``, ``12.4 min``, ``3.31 h``.

    >>> duration(0.0581), duration(744.0), duration(11906.0)
    ('0.0581 s', '12.4 min', '3.31 h')
    """
    if seconds < 100:
        return f"{seconds:.3g} s"
    if seconds < 6000:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


COLORS = {
    "Gatys": "tab:red",
    "Cin": "tab:blue",
    "Arbitrary": "tab:green",
    "Photo": "tab:gray",
    "Painting": "tab:olive",
    "Grey": "#c8c8c8",
    "Noise": "#303030",
}
# The rows of the metrics table that are no pastiche: what the pastiches' numbers are read against.
BASELINES = ("Photo", "Painting", "Grey", "Noise")
# Where each method's value labels go (points, alignment): clear of its own rising line and of
# the other lines.
LABEL_PLACES = {
    "Gatys": ((7, -9), "left"),
    "Cin": ((7, -9), "left"),
    "Arbitrary": ((-7, 5), "right"),
}


def _draw_speed(seconds: dict[str, dict[int, float]], measured: dict[str, set[int]], steps: int):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.6, 4.2), layout="constrained")
    for method in METHODS:
        color = COLORS[method]
        xs = list(seconds[method])
        ys = [seconds[method][x] for x in xs]
        label = LABELS[method] + (f", {steps} steps" if method == "Gatys" else "")
        ax.plot(xs, ys, color=color, lw=1.5, label=label)
        offset, align = LABEL_PLACES[method]
        for x, y in zip(xs, ys):
            hollow = x not in measured[method]
            ax.plot(
                x, y, "o", color=color, markerfacecolor="white" if hollow else color, markersize=6
            )
            ax.annotate(
                duration(y),
                (x, y),
                xytext=offset,
                textcoords="offset points",
                ha=align,
                va="center",
                fontsize=8,
                color=color,
            )
    if any(set(seconds[m]) - measured[m] for m in METHODS):
        ax.plot([], [], "o", color="gray", markerfacecolor="white", label="scaled by pixel count")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(list(SIZES), [str(s) for s in SIZES])
    ax.minorticks_off()
    ax.set_xlim(SIZES[0] / 1.6, SIZES[-1] * 1.6)
    ax.set_xlabel("longest side of the image (px)")
    ax.set_ylabel("seconds per image")
    ax.margins(y=0.12)  # room for the value labels at the top and bottom
    ax.grid(True, which="major", alpha=0.3)
    fig.legend(loc="outside upper center", ncol=2, fontsize=8, frameon=False)  # clear of the data
    return fig


@figure(
    "speed", "Seconds per image of the three methods against the image size", times_the_machine=True
)
def speed(ctx: Context) -> Made:
    from stlib import arbitrary, cin, data, gatys
    from stlib.progress import each

    repeats = ctx.pick(7, 2)
    repeats_large = ctx.pick(5, 1)  # above 512 px
    timed_steps = ctx.pick(10, 2)
    gatys_sizes = ctx.pick(SIZES, (256, 512))
    steps = gatys.preset(GATYS_PRESET).total_steps
    network = cin.load("magenta-26")
    stylizer = arbitrary.load("tflite")
    seconds: dict[str, dict[int, float]] = {m: {} for m in METHODS}
    measured: dict[str, set[int]] = {m: set() for m in METHODS}
    inputs = {size: (data.load(PHOTO, size), data.load(PAINTING, size)) for size in SIZES}
    for size in each(SIZES, "speed: networks", "size"):
        photo, painting = inputs[size]
        count = repeats if size <= 512 else repeats_large
        seconds["Cin"][size] = median_seconds(
            lambda photo=photo: cin.stylize(photo, CIN_STYLE, model=network).image.numpy(), count
        )
        seconds["Arbitrary"][size] = median_seconds(
            lambda photo=photo, painting=painting: stylizer.stylize(photo, painting).numpy(), count
        )
        measured["Cin"].add(size)
        measured["Arbitrary"].add(size)
    # Warm up the optimisation's route once (VGG19 weights read, functions traced) at a small size.
    warm = gatys.preset(GATYS_PRESET, size=64, steps=2)
    gatys.transfer(*inputs[SIZES[0]], warm, progress=False)
    for size in each(gatys_sizes, "speed: optimisation", "size"):
        photo, painting = inputs[size]
        seconds["Gatys"][size], _ = gatys_seconds(photo, painting, size, timed_steps, ctx.seed)
        measured["Gatys"].add(size)
    base = max(measured["Gatys"])
    pixels = {size: int(inputs[size][0].shape[1]) * int(inputs[size][0].shape[2]) for size in SIZES}
    for size in SIZES:
        if size not in measured["Gatys"]:
            seconds["Gatys"][size] = seconds["Gatys"][base] * pixels[size] / pixels[base]

    numbers: dict[str, object] = {"speedMachine": machine_name()}
    for method in METHODS:
        for size in SIZES:
            value = seconds[method][size]
            if size in measured[method]:
                numbers[f"speed{method}{SIZE_WORDS[size]}"] = value
            else:
                numbers[f"speed{method}{SIZE_WORDS[size]}"] = Latex(
                    format_number(value) + r"$^{\dagger}$"
                )
    numbers["speedGatysSteps"] = steps
    numbers["speedGatysTimedSteps"] = timed_steps
    numbers["speedRatio"] = seconds["Gatys"][256] / max(
        seconds["Cin"][256], seconds["Arbitrary"][256]
    )
    scaled = [s for s in SIZES if s not in measured["Gatys"]]
    numbers["speedGatysNote"] = Latex(
        " $^{\\dagger}$Scaled from the "
        + f"{base} px time by the number of pixels, not measured (quick mode)."
        if scaled
        else ""
    )
    return Made(_draw_speed(seconds, measured, steps), numbers)


# ----------------------------------------------------------------------------- metrics


def closest_style(photo, painting, network, measuring) -> tuple[int, list[float]]:
    """The index of the multi-style network's style whose pastiche of ``photo`` is closest to
    ``painting`` in style distance, and every style's distance."""
    from stlib import cin, metrics
    from stlib.progress import each

    distances = [
        metrics.style_distance(
            cin.stylize(photo, k, model=network).image, painting, network=measuring
        )["mean"]
        for k in each(range(network.num_styles), "metrics: closest style", "style")
    ]
    return min(range(len(distances)), key=distances.__getitem__), distances


def _draw_metrics(
    pictures: dict[str, object], table: dict[str, dict[str, float]], legend: dict[str, str]
):
    import matplotlib.pyplot as plt

    from stlib import plotting

    fig = plt.figure(figsize=(9.5, 5.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[2.2, 3.4])
    for ax, (title, image) in zip(top.subplots(1, len(pictures)), pictures.items()):
        ax.imshow(plotting.as_array(image), vmin=0, vmax=1)
        ax.set_axis_off()
        ax.set_title(title, fontsize=10)
    panels = (
        ("style", "style distance to the painting", "lower: the painting's textures"),
        ("content", "content distance to the photo", "lower: more of the photo"),
        ("ssim", "SSIM with the photo", "higher: more of the photo's edges"),
        ("color", "colour distance to the painting", "lower: the painting's palette"),
    )
    rows = list(table)
    for ax, (key, ylabel, hint) in zip(bottom.subplots(1, len(panels)), panels):
        values = [table[row][key] for row in rows]
        bars = ax.bar(range(len(rows)), values, color=[COLORS[r] for r in rows])
        ax.bar_label(
            bars, labels=[f"{v:.3g}" for v in values], fontsize=7.5, rotation=90, padding=2
        )
        ax.set_xticks([])
        ax.set_ylabel(ylabel)
        ax.set_title(hint, fontsize=9)
        ax.set_ylim(min(0, min(values) * 1.3), max(values) * 1.35)
        # The pastiches on the left, the baselines (no pastiche) right of a thin line.
        first = next((k for k, row in enumerate(rows) if row in BASELINES), len(rows))
        ax.axvline(first - 0.5, color="0.6", lw=0.6, ls=":")
    bottom.legend(
        bars,
        [legend[row] for row in rows],
        loc="outside lower center",
        ncol=4,
        fontsize=9,
        frameon=False,
    )
    return fig


@figure("metrics", "Style, content, SSIM and colour measurements of the three methods")
def metrics_figure(ctx: Context) -> Made:
    from stlib import arbitrary, cin, data, gatys, metrics

    size = ctx.pick(384, 96)
    steps = ctx.pick(gatys.preset(GATYS_PRESET).total_steps, 15)
    photo = data.load(PHOTO, size)
    painting = data.load(PAINTING, size)
    measuring = metrics.measuring_network()
    network = cin.load("magenta-26")

    index, _ = closest_style(photo, painting, network, measuring)  # at the table's size
    config = gatys.preset(GATYS_PRESET, size=size, steps=steps, seed=ctx.seed)
    pastiches = {
        "Gatys": gatys.transfer(photo, painting, config).image,
        "Cin": cin.stylize(photo, index, model=network).image,
        "Arbitrary": arbitrary.load("tflite").stylize(photo, painting),
    }
    # What the pastiches are read against: images that are no pastiche, measured the same way.
    blank = metrics.baselines(photo, seed=ctx.seed)
    rows = {
        **pastiches,
        "Photo": photo,
        "Painting": painting,
        "Grey": blank["grey"],
        "Noise": blank["noise"],
    }
    table = {}
    for row, image in rows.items():
        table[row] = {
            "style": metrics.style_distance(image, painting, network=measuring)["mean"],
            "content": metrics.content_distance(image, photo, network=measuring),
            "ssim": metrics.ssim(image, photo),
            "color": metrics.color_distance(image, painting),
        }
    legend = {
        "Gatys": f"Gatys et al. ({steps} steps)",
        "Cin": f"multi-style network, #{index}",
        "Arbitrary": "arbitrary network",
        "Photo": "the photograph itself",
        "Painting": "the painting itself",
        "Grey": "flat grey (0.5)",
        "Noise": f"uniform noise (seed {ctx.seed})",
    }
    pictures = {
        "photograph": photo,
        PAINTING: painting,
        **{legend[method]: pastiches[method] for method in METHODS},
    }
    numbers: dict[str, object] = {"metricsSize": size}
    names = {"style": "Style", "content": "Content", "ssim": "Ssim", "color": "Color"}
    for method in METHODS:
        for key, word in names.items():
            numbers[f"metrics{method}{word}"] = table[method][key]
    numbers["metricsPhotoStyle"] = table["Photo"]["style"]
    numbers["metricsPhotoColor"] = table["Photo"]["color"]
    numbers["metricsPaintingContent"] = table["Painting"]["content"]
    numbers["metricsPaintingSsim"] = table["Painting"]["ssim"]
    for row in ("Grey", "Noise"):
        for key, word in names.items():
            numbers[f"metrics{row}{word}"] = table[row][key]
    numbers["metricsNoiseSeed"] = ctx.seed
    numbers["metricsCinStyleIndex"] = index
    numbers["metricsGatysSteps"] = steps
    return Made(_draw_metrics(pictures, table, legend), numbers)
