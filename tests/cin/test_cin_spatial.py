"""Spatial mixing in the multi-style network: a style weight vector per pixel, in one pass.

The layer against an independent numpy computation of CIN; ``stylize(..., masks=...)`` against
the network's one-style pastiches (a mask of ones is the unmasked result; each half of a
left/right pastiche is nearer its own style's pastiche, by pixels and by VGG Gram matrices).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from stlib import data, masks
from stlib.cin import api
from stlib.cin.layers import ConditionalInstanceNorm
from stlib.cin.mixing import spatial_weights
from stlib.cin.transformer import MultiStyleTransformer, TransformerSpec
from stlib.validation import SettingError

N, C, H, W = 4, 5, 16, 24
EPS = 1e-5
# Two of the 26 styles whose pastiches differ most (mean colour: a pale cyan one, a red one).
PALE, RED = 8, 20


def _layer(seed: int = 0) -> ConditionalInstanceNorm:
    rng = np.random.default_rng(seed)
    layer = ConditionalInstanceNorm(N, EPS)
    layer.build([(None, None, None, C), (None, N)])
    layer.gamma.assign(rng.uniform(0.5, 2.0, (N, C)).astype("float32"))
    layer.beta.assign(rng.normal(0.0, 1.0, (N, C)).astype("float32"))
    return layer


def _features(seed: int = 1, batch: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(2.0, 3.0, (batch, H, W, C)).astype("float32")


def _numpy_cin(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, style: int) -> np.ndarray:
    """gamma[s] * (x - mean) / sqrt(var + eps) + beta[s], the whole image's statistics."""
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    return gamma[style] * (x - mean) / np.sqrt(var + EPS) + beta[style]


def _left_right(styles: tuple[int, int], height: int, width: int) -> np.ndarray:
    """A hard left/right map [1, height, width, N]: styles[0] on the left, styles[1] right."""
    halves = np.stack([masks.split("left", height, width), masks.split("right", height, width)])
    return spatial_weights(halves, list(styles), N)


# --- the layer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("grid", [(H, W), (3, 4), (2 * H, 2 * W)])
def test_a_map_that_is_the_same_everywhere_is_the_vector_result(grid):
    layer, x = _layer(), _features(batch=2)
    vectors = np.array([[0.2, 0.3, 0.5, 0.0], [0.0, 1.0, 0.0, 0.0]], "float32")  # [B, N]
    expected = layer([x, vectors])
    per_pixel = np.broadcast_to(vectors[:, None, None, :], (2, *grid, N)).copy()
    np.testing.assert_allclose(layer([x, per_pixel]), expected, rtol=1e-5, atol=1e-5)


def test_a_left_right_map_gives_each_half_its_style_with_the_whole_images_statistics():
    layer, x = _layer(), _features()
    got = np.asarray(layer([x, _left_right((1, 3), H, W)]))
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    left = _numpy_cin(x, gamma, beta, 1)
    right = _numpy_cin(x, gamma, beta, 3)
    np.testing.assert_allclose(got[:, :, : W // 2], left[:, :, : W // 2], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[:, :, W // 2 :], right[:, :, W // 2 :], rtol=1e-5, atol=1e-5)
    # Not each half's own statistics: the left half normalised by itself is another result.
    half = x[:, :, : W // 2]
    own = (
        gamma[1]
        * (half - half.mean((1, 2), keepdims=True))
        / np.sqrt(half.var((1, 2), keepdims=True) + EPS)
        + beta[1]
    )
    assert np.abs(own - got[:, :, : W // 2]).max() > 0.05


def test_a_coarse_map_is_resized_to_the_layers_grid():
    """A 2 x 2 map (left column style 0, right style 2) on a 16 x 24 grid: away from the seam
    each side is its style's result; at the seam the styles blend, each pixel's weights
    summing to one."""
    layer, x = _layer(), _features()
    coarse = _left_right((0, 2), 2, 2)
    got = np.asarray(layer([x, coarse]))
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    quarter = W // 4
    left, right = _numpy_cin(x, gamma, beta, 0), _numpy_cin(x, gamma, beta, 2)
    np.testing.assert_allclose(got[:, :, :quarter], left[:, :, :quarter], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[:, :, -quarter:], right[:, :, -quarter:], rtol=1e-5, atol=1e-5)
    seam = got[:, :, W // 2 - 1 : W // 2 + 1]
    assert np.abs(seam - left[:, :, W // 2 - 1 : W // 2 + 1]).max() > 1e-3
    assert np.abs(seam - right[:, :, W // 2 - 1 : W // 2 + 1]).max() > 1e-3
    # A finer map is averaged by area: the 2x map of the same halves is the same hard split.
    fine = _left_right((0, 2), 2 * H, 2 * W)
    np.testing.assert_allclose(layer([x, fine]), layer([x, _left_right((0, 2), H, W)]), atol=1e-5)


def test_weights_of_another_rank_are_refused():
    layer, x = _layer(), _features()
    with pytest.raises(ValueError, match=r"give \[B, 4\] \(one vector per image\) or \[B, H, W"):
        layer([x, np.ones((1, H, N), "float32")])


def test_the_network_and_its_saved_file_take_a_map(tmp_path):
    """A whole (tiny, random) network: a constant map is the vector result, in memory and after
    a save and load; a left/right map paints each side as its style does."""
    model = MultiStyleTransformer(3, TransformerSpec((4, 4, 4), 1, (4, 4)))
    rng = np.random.default_rng(0)
    for norm in model.norm_layers():
        norm.gamma.assign(rng.uniform(0.2, 3.0, norm.gamma.shape).astype("float32"))
        norm.beta.assign(rng.normal(0.0, 1.0, norm.beta.shape).astype("float32"))
    model.save(tmp_path / "three.keras")
    loaded = api.load(tmp_path / "three.keras")
    photo = rng.random((1, 37, 45, 3), dtype="float32")  # odd sizes: the grids do not halve evenly
    vector = np.array([[0.0, 1.0, 0.0]], "float32")
    constant = np.broadcast_to(vector[:, None, None, :], (1, 37, 45, 3)).copy()
    for network in (model, loaded):
        np.testing.assert_allclose(network([photo, constant]), model([photo, vector]), atol=1e-5)
    painter = api._painter(loaded, spatial=True)
    np.testing.assert_allclose(painter(photo, constant), model([photo, vector]), atol=1e-5)


# --- stylize with masks ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def photo(magenta26_model):
    return data.load("tuebingen", max_side=128)  # 128 x 96


@pytest.fixture(scope="module")
def single(photo, magenta26_model):
    """The one-style pastiches of PALE and RED, [1, 96, 128, 3] each."""
    return {k: np.asarray(api.stylize(photo, k).image) for k in (PALE, RED)}


def test_a_mask_of_ones_or_one_style_twice_is_the_unmasked_result(photo, single):
    ones = np.ones(photo.shape[1:3], "float32")
    np.testing.assert_allclose(
        api.stylize(photo, PALE, masks=[ones]).image, single[PALE], atol=1e-5
    )
    twice = api.stylize(photo, [RED, RED], masks=["left", "right"]).image
    np.testing.assert_allclose(twice, single[RED], atol=1e-5)


def _halves(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The left and right parts of [1, H, W, 3], an eighth of the width away from the seam."""
    width = image.shape[2]
    margin = width // 8
    return image[:, :, : width // 2 - margin], image[:, :, width // 2 + margin :]


def _pixel_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


@pytest.mark.parametrize("order", [(PALE, RED), (RED, PALE)])
def test_each_half_is_nearest_its_own_styles_pastiche(photo, single, order):
    """{first: 1, second: 1} with masks left, right: the dict's order is the masks' order."""
    first, second = order
    masked = np.asarray(api.stylize(photo, {first: 1, second: 1}, masks=["left", "right"]).image)
    assert masked.shape == single[first].shape
    (left, right), a, b = _halves(masked), _halves(single[first]), _halves(single[second])
    assert _pixel_distance(left, a[0]) < 0.5 * _pixel_distance(left, b[0])
    assert _pixel_distance(right, b[1]) < 0.5 * _pixel_distance(right, a[1])


def test_each_half_has_the_gram_matrices_of_its_own_style(photo, single, vgg_weights):
    from stlib.losses import gram_matrix
    from stlib.vgg import VGGFeatures

    layers = ("block1_conv1", "block2_conv1", "block3_conv1")
    vgg = VGGFeatures(layers)

    def grams(image):
        features = vgg(tf.constant(image))
        return [gram_matrix(features[name]).numpy() for name in layers]

    def distance(x, target):
        """sum over layers of |G(x) - G(target)| / |G(target)| (Frobenius): relative, so that a
        darker pastiche, whose Gram matrices are smaller, is not nearer everything."""
        return sum(
            float(np.linalg.norm(g - h) / np.linalg.norm(h))
            for g, h in zip(grams(x), grams(target))
        )

    masked = np.asarray(api.stylize(photo, [PALE, RED], masks=["left", "right"]).image)
    (left, right), pale, red = _halves(masked), _halves(single[PALE]), _halves(single[RED])
    assert distance(left, pale[0]) < distance(left, red[0])
    assert distance(right, red[1]) < distance(right, pale[1])


def test_masks_files_names_and_auto_are_read_at_the_photos_size(photo, single, tmp_path):
    from PIL import Image

    left = (masks.split("left", 300, 400) * 255).astype("uint8")  # another size, same shape
    Image.fromarray(left).save(tmp_path / "left.png")
    by_file = api.stylize(photo, [PALE, "magenta-26 #20"], masks=[tmp_path / "left.png", "rest"])
    by_name = api.stylize(photo, {PALE: 1, RED: 1}, masks=["left", "right"])
    np.testing.assert_allclose(by_file.image, by_name.image, atol=2e-3)
    auto = api.stylize(photo, [PALE, RED], masks="auto").image
    assert auto.shape == photo.shape
    assert _pixel_distance(np.asarray(auto), single[PALE]) > 0.02  # not one style all over
    assert _pixel_distance(np.asarray(auto), single[RED]) > 0.02


@pytest.mark.parametrize(
    "style, given, error, message",
    [
        ({PALE: 1, RED: 1}, ["left"], masks.MaskError, "1 mask for 2 paintings"),
        (PALE, ["left", "right"], masks.MaskError, "2 masks for 1 painting"),
        ({PALE: 1, RED: 0}, ["left", "right"], SettingError, "style 20 has weight 0"),
        ([PALE, 26], ["left", "right"], SettingError, r"must be a whole number in \[0, 25\]"),
        ([PALE, "no such"], ["left", "right"], SettingError, "is not one of the network's 26"),
        ([PALE, RED], ["lft", "right"], masks.MaskError, "did you mean 'left'"),
        ([PALE, RED], ["left", "left"], masks.MaskError, "do not cover the photo"),
    ],
)
def test_bad_masks_and_styles_are_refused(photo, style, given, error, message):
    with pytest.raises(error, match=message):
        api.stylize(photo, style, masks=given)
