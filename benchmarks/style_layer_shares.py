"""How much each style layer really contributes to the style term, with and without the
normalised VGG19 of Gatys et al. 2016 (every filter's mean activation rescaled to one).

Two settings, each measured on the noise start (``init="noise"``) and on the content image:
* the ``stlib`` preset (five layers, equal w_l = 1/5, average pooling) on Tuebingen and
  The Starry Night;
* the rows B-E of the paper's Fig. 3 (``gatys2016``, w_l = 1/n) on Tuebingen / Composition VII.

Prints JSON: for each setting, image and network, the share (percent) of each layer in the style
term. Run: ``python benchmarks/style_layer_shares.py --size 256``. Takes about a minute on a CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from stlib import data, gatys  # noqa: E402
from stlib.gatys import inputs  # noqa: E402

ROWS = {"B": 2, "C": 3, "D": 4, "E": 5}


def shares(config, content, style, image) -> dict[str, float]:
    terms = gatys.Objective.from_images(config, content, style).style_layer_terms(image)
    total = sum(terms.values())
    return {layer: round(100 * value / total, 4) for layer, value in terms.items()}


def measure(config, content, style) -> dict:
    noise = inputs.initial_image(config.replace(init="noise"), content, [style])
    result = {}
    for normalized in (False, True):
        variant = config.replace(normalized_vgg=normalized)
        key = "normalized" if normalized else "keras weights"
        result[key] = {
            "noise start": shares(variant, content, style, noise),
            "content image": shares(variant, content, style, content),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    content = data.load("tuebingen", args.size)
    report = {"size": args.size, "machine": platform.processor() or platform.machine()}
    starry = data.load("starry_night", args.size)
    report["stlib preset, starry_night"] = measure(
        gatys.preset("stlib", size=args.size), content, starry
    )
    kandinsky = data.load("composition_vii", args.size)
    for row, count in ROWS.items():
        layers = gatys.STYLE_LAYERS_GATYS[:count]
        config = gatys.preset(
            "gatys2016", size=args.size, style_layers={layer: 1 / count for layer in layers}
        )
        report[f"Fig. 3 row {row}, composition_vii"] = measure(config, content, kandinsky)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
