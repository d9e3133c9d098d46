"""The factors of the normalised VGG19 of Gatys et al. 2016, and the command that makes them.

Gatys et al. (CVPR 2016, section 2) "normalized the network by scaling the weights such that the
mean activation of each convolutional filter over images and positions is equal to one". This
module measures those means on a fixed set of photos that any machine has offline, and stores them
as text in ``stlib/vgg19_normalization.json`` with their provenance:

    python -m stlib.vgg_normalization            # needs scikit-image and scikit-learn installed

The photos: the course's sample images (``STLIB_DATA_DIR``, content and style), the photographs
that ship inside scikit-image (astronaut, chelsea, coffee, rocket, camera, the left motorcycle, and
the brick, grass and gravel textures), inside scikit-learn (china, flower) and inside matplotlib
(grace_hopper). Each is resized to a longest side of 512 px (the paper's size).

The means are measured layer by layer on Keras' VGG19, once with max pooling (as trained) and once
with average pooling (the paper's choice), because the poolings change the means of later layers.
The rescaled network's feature at a layer is the original one divided by that layer's mean, channel
by channel (ReLUs and poolings commute with positive scaling), so the means of the original network
are exactly the factors. A filter that never fires on the photos (mean 0) keeps factor 1: its
output is 0 either way, and dividing by 0 would be unbounded.
"""

from __future__ import annotations

import argparse
import datetime
import json
from collections.abc import Iterable, Sequence

import numpy as np
import tensorflow as tf

from stlib import images, vgg
from stlib.vgg_layers import CONV_LAYERS

__all__ = ["PHOTO_SIDE", "mean_activations", "offline_photos", "main"]

PHOTO_SIDE = 512  # longest side of every photo, in pixels (the paper's images are 512 px)


def offline_photos() -> list[tuple[str, tf.Tensor]]:
    """(name, [1, H, W, 3] image) for every photo of the fixed set (see the module docstring)."""
    import matplotlib.cbook
    import skimage.data
    import sklearn.datasets

    from stlib import data

    arrays: list[tuple[str, np.ndarray]] = []
    for sample in data.samples():
        arrays.append((f"stlib:{sample.name}", None))
    for name in ("astronaut", "chelsea", "coffee", "rocket", "camera", "brick", "grass", "gravel"):
        arrays.append((f"skimage:{name}", getattr(skimage.data, name)()))
    arrays.append(("skimage:stereo_motorcycle[0]", skimage.data.stereo_motorcycle()[0]))
    china, flower = sklearn.datasets.load_sample_images().images
    arrays += [("sklearn:china.jpg", china), ("sklearn:flower.jpg", flower)]
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as file:
        arrays.append(("matplotlib:grace_hopper.jpg", np.asarray(_pil_open(file))))

    photos = []
    for name, array in arrays:
        source = data.path(name.split(":", 1)[1]) if array is None else array
        photos.append((name, images.load(source, PHOTO_SIDE)))
    return photos


def _pil_open(file):
    from PIL import Image

    return Image.open(file).convert("RGB")


def mean_activations(
    photos: Iterable[tf.Tensor], pooling: str, weights="imagenet"
) -> dict[str, np.ndarray]:
    """{conv layer: [C] mean activation over the photos and all positions} of Keras' VGG19.

    photos: images [1, H, W, 3] in [0, 1]; every photo counts with its number of positions.
    """
    features = vgg.VGGFeatures(CONV_LAYERS, pooling=pooling, weights=weights)
    sums = {layer: np.zeros(vgg.CHANNELS[layer], np.float64) for layer in CONV_LAYERS}
    counts = dict.fromkeys(CONV_LAYERS, 0)
    for photo in photos:
        maps = features(photo)
        for layer in CONV_LAYERS:
            values = maps[layer].numpy().astype(np.float64)
            sums[layer] += values.sum(axis=(0, 1, 2))
            counts[layer] += values.shape[0] * values.shape[1] * values.shape[2]
    return {layer: sums[layer] / counts[layer] for layer in CONV_LAYERS}


def factors_from(means: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rescaling factors: the means, with 1 for filters that never fired (mean 0)."""
    return {layer: np.where(m > 0, m, 1.0).astype(np.float32) for layer, m in means.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m stlib.vgg_normalization",
        description="Measure VGG19's mean activation per filter on the fixed offline photos and "
        "store the normalisation factors (Gatys et al. 2016) with their provenance.",
    )
    parser.add_argument("--out", default=str(vgg.NORMALIZATION_FILE), help="the .json to write")
    args = parser.parse_args(argv)

    from stlib import outputs, weights

    out = outputs.check_output_path(args.out, what="factors", suffixes=(".json",))
    photos = offline_photos()
    factors: dict[str, dict[str, list[float]]] = {}
    dead = {}
    for pooling in ("max", "avg"):
        means = mean_activations((image for _, image in photos), pooling)
        dead[pooling] = {layer: int((m <= 0).sum()) for layer, m in means.items() if (m <= 0).any()}
        factors[pooling] = {  # 6 significant digits: float32's precision, in readable text
            layer: [float(f"{value:.6g}") for value in factor]
            for layer, factor in factors_from(means).items()
        }
    provenance = {
        "what": "mean activation of every VGG19 convolution filter (after its ReLU) over the "
        "photos and all positions; 1 where a filter never fired",
        "photos": [name for name, _ in photos],
        "photo_side_px": PHOTO_SIDE,
        "weights": weights.VGG19_FILE,
        "weights_md5": weights.VGG19_MD5,
        "dead_filters": dead,
        "made_by": "python -m stlib.vgg_normalization",
        "date": datetime.date.today().isoformat(),
        "tensorflow": tf.__version__,
    }
    outputs.write_text(out, json.dumps({"provenance": provenance, "factors": factors}) + "\n")
    print(
        f"wrote {out}: {len(CONV_LAYERS)} layers x 2 poolings from {len(photos)} photos; "
        f"filters that never fired: {dead}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
