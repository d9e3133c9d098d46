"""Colour preservation for style transfer (Gatys et al. 2017, section 5).

Gatys, Ecker, Bethge, Hertzmann, Shechtman, "Controlling perceptual factors in neural style
transfer", CVPR 2017, give two ways to keep the content image's colours:

1. Luminance-only transfer: stylise the luminance (Y of YIQ) only, after matching the style's
   luminance mean and standard deviation to the content's, then put back the content's colour
   channels (I, Q). See ``luminance_transfer_inputs`` and ``combine_luminance``.
2. Colour histogram matching: before stylising, transform the style image's colours with an
   affine map ``p -> A p + b`` so that their mean and covariance equal the content's. See
   ``match_histogram``.

Every method applies them the same way: ``prepare(mode, content, styles)`` before it paints,
``finish(mode, pastiche, content)`` after.

All images are float32 tensors [1, H, W, 3] (RGB in [0, 1]) or [1, H, W, 1] for luminance.
Statistics are computed in numpy float64 for precision; results are float32 tensors.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from stlib.images import ImageError, resize_to, validate

__all__ = [
    "finish",
    "prepare",
    "RGB_TO_YIQ",
    "YIQ_TO_RGB",
    "rgb_to_yiq",
    "yiq_to_rgb",
    "luminance",
    "match_luminance",
    "luminance_transfer_inputs",
    "combine_luminance",
    "match_histogram",
    "HISTOGRAM_METHODS",
]

# NTSC YIQ (FCC 1953) to three decimals; rows give Y, I, Q from R, G, B. The I and Q rows sum
# to 0, so grey pixels (R = G = B) have no chroma; the Y row sums to 1, so white has Y = 1.
# (tf.image.rgb_to_yiq writes I and Q with more decimals; the results differ by < 1e-3.)
RGB_TO_YIQ = np.array(
    [
        [0.299, 0.587, 0.114],
        [0.596, -0.274, -0.322],
        [0.211, -0.523, 0.312],
    ],
    dtype=np.float64,
)
# The exact inverse (not the rounded textbook one), so that a round trip is lossless.
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)

HISTOGRAM_METHODS = ("symmetric", "cholesky")

# Eigenvalues of a covariance are floored here: a flat or grey style image has (near) zero
# colour variance, and its inverse square root would otherwise be infinite.
_COVARIANCE_EPS = 1e-8
# A luminance standard deviation below this counts as a flat image (nothing to scale).
_STD_EPS = 1e-8


def _apply_matrix(image: tf.Tensor, matrix: np.ndarray) -> tf.Tensor:
    """Apply a 3x3 colour matrix to every pixel: [1, H, W, 3] -> [1, H, W, 3]."""
    # pixel_out = matrix @ pixel_in, i.e. pixels (row vectors) times matrix^T.
    return tf.tensordot(image, tf.constant(matrix.T, dtype=tf.float32), axes=[[3], [0]])


def _check_channels(image: tf.Tensor, channels: int, name: str) -> tf.Tensor:
    tensor = tf.convert_to_tensor(image, dtype=tf.float32)
    if tensor.shape.rank != 4 or tensor.shape[0] != 1 or tensor.shape[3] != channels:
        shape = tensor.shape.as_list() if tensor.shape.rank is not None else "unknown"
        raise ImageError(f"{name} has shape {shape}; expected [1, H, W, {channels}]")
    return tensor


def rgb_to_yiq(image: tf.Tensor) -> tf.Tensor:
    """RGB -> YIQ: [1, H, W, 3] -> [1, H, W, 3].

    Y (luminance) lies in [0, 1]; I and Q (chroma) are signed, about [-0.6, 0.6] and [-0.53, 0.53].

    Taught in notebook 05, section 1a.
    """
    return _apply_matrix(_check_channels(image, 3, "image"), RGB_TO_YIQ)


def yiq_to_rgb(image: tf.Tensor) -> tf.Tensor:
    """YIQ -> RGB: [1, H, W, 3] -> [1, H, W, 3], the exact inverse of ``rgb_to_yiq``.

    Not clipped: a YIQ triple assembled from two images may fall outside the RGB cube.

    Taught in notebook 05, section 1a.
    """
    return _apply_matrix(_check_channels(image, 3, "image"), YIQ_TO_RGB)


def luminance(image: tf.Tensor) -> tf.Tensor:
    """The Y channel of an RGB image: [1, H, W, 3] in [0, 1] -> [1, H, W, 1] in [0, 1].

    Taught in notebook 05, section 1a.
    """
    return rgb_to_yiq(validate(image))[..., :1]


def match_luminance(style_y: tf.Tensor, content_y: tf.Tensor) -> tf.Tensor:
    """Match the style luminance's mean and standard deviation to the content's.

    The paper's luminance matching: ``L_s' = sigma_c / sigma_s * (L_s - mu_s) + mu_c``.

    Args:
        style_y: style luminance [1, Hs, Ws, 1].
        content_y: content luminance [1, Hc, Wc, 1] (the sizes may differ).

    Returns:
        float32 [1, Hs, Ws, 1], not clipped, so its mean and std equal the content's exactly
        (a flat style image, std 0, is only shifted to the content's mean).

    Taught in notebook 05, section 1a.
    """
    style = _check_channels(style_y, 1, "style_y").numpy().astype(np.float64)
    content = _check_channels(content_y, 1, "content_y").numpy().astype(np.float64)
    mu_s, sigma_s = style.mean(), style.std()
    mu_c, sigma_c = content.mean(), content.std()
    scale = sigma_c / sigma_s if sigma_s > _STD_EPS else 1.0
    matched = scale * (style - mu_s) + mu_c
    return tf.constant(matched, dtype=tf.float32)


def _gray3(luma: tf.Tensor) -> tf.Tensor:
    """[1, H, W, 1] -> [1, H, W, 3], clipped to [0, 1] (VGG expects an RGB image)."""
    return tf.clip_by_value(tf.tile(luma, [1, 1, 1, 3]), 0.0, 1.0)


def luminance_transfer_inputs(content: tf.Tensor, style: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The two inputs of luminance-only style transfer.

    Args:
        content: float32 [1, Hc, Wc, 3] in [0, 1].
        style: float32 [1, Hs, Ws, 3] in [0, 1].

    Returns:
        ``(content_gray3, style_gray3)``: the content's luminance and the style's luminance
        matched to the content's mean and std, each repeated to 3 channels and clipped:
        [1, Hc, Wc, 3] and [1, Hs, Ws, 3]. Stylise these, then call ``combine_luminance``.

    Taught in notebook 05, section 1a.
    """
    content_y = luminance(validate(content, "content"))
    style_y = match_luminance(luminance(validate(style, "style")), content_y)
    return _gray3(content_y), _gray3(style_y)


def combine_luminance(stylised_luminance_rgb: tf.Tensor, content: tf.Tensor) -> tf.Tensor:
    """Put the content's colours back on a luminance-only stylised result.

    Args:
        stylised_luminance_rgb: the stylised (grayscale-ish) result, float32 [1, H, W, 3].
        content: the original content image, float32 [1, Hc, Wc, 3]; resized to H x W if needed.

    Returns:
        float32 [1, H, W, 3] in [0, 1]: Y from the stylised result, I and Q from the content,
        converted back to RGB and clipped.

    Taught in notebook 05, section 1a.
    """
    stylised = validate(stylised_luminance_rgb, "stylised_luminance_rgb")
    content = validate(content, "content")
    height, width = int(stylised.shape[1]), int(stylised.shape[2])
    if tuple(content.shape[1:3]) != (height, width):
        content = resize_to(content, height, width)
    y = rgb_to_yiq(stylised)[..., :1]
    iq = rgb_to_yiq(content)[..., 1:]
    return tf.clip_by_value(yiq_to_rgb(tf.concat([y, iq], axis=-1)), 0.0, 1.0)


def _mean_and_covariance(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[N, 3] float64 pixels -> mean [3] and covariance [3, 3], eigenvalues floored at eps."""
    mean = pixels.mean(axis=0)
    centred = pixels - mean
    covariance = centred.T @ centred / len(pixels)
    # Floor the eigenvalues so that inverse roots and Cholesky exist for flat or grey images;
    # a well-conditioned covariance is returned unchanged.
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    eigenvalues = np.maximum(eigenvalues, _COVARIANCE_EPS)
    return mean, (eigenvectors * eigenvalues) @ eigenvectors.T


def _symmetric_power(covariance: np.ndarray, power: float) -> np.ndarray:
    """Sigma^power for a symmetric positive-definite 3x3 matrix, via its eigendecomposition."""
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    eigenvalues = np.maximum(eigenvalues, _COVARIANCE_EPS)
    return (eigenvectors * eigenvalues**power) @ eigenvectors.T


def match_histogram(
    style: tf.Tensor, content: tf.Tensor, *, method: str = "symmetric"
) -> tf.Tensor:
    """Give the style image the content's colour mean and covariance (colour histogram matching).

    Each style pixel p (an RGB column vector) becomes ``A p + b`` with ``b = mu_c - A mu_s``,
    where A satisfies ``A Sigma_s A^T = Sigma_c``:

    - ``"symmetric"``: ``A = Sigma_c^(1/2) Sigma_s^(-1/2)`` with symmetric matrix square roots
      (the image analogies formulation; the paper's choice);
    - ``"cholesky"``: ``A = L_c L_s^(-1)`` with ``Sigma = L L^T``.

    Args:
        style: float32 [1, Hs, Ws, 3] in [0, 1].
        content: float32 [1, Hc, Wc, 3] in [0, 1] (the sizes may differ).
        method: ``"symmetric"`` or ``"cholesky"``.

    Returns:
        float32 [1, Hs, Ws, 3], clipped to [0, 1] (so the statistics match exactly only when
        no pixel is clipped).

    Taught in notebook 05, section 1b.
    """
    if method not in HISTOGRAM_METHODS:
        raise ValueError(
            f"unknown histogram matching method {method!r}; "
            f"choose from {', '.join(HISTOGRAM_METHODS)}"
        )
    style = validate(style, "style")
    content = validate(content, "content")
    style_pixels = style.numpy().reshape(-1, 3).astype(np.float64)
    content_pixels = content.numpy().reshape(-1, 3).astype(np.float64)

    mu_s, sigma_s = _mean_and_covariance(style_pixels)
    mu_c, sigma_c = _mean_and_covariance(content_pixels)
    if method == "symmetric":
        transform = _symmetric_power(sigma_c, 0.5) @ _symmetric_power(sigma_s, -0.5)
    else:
        chol_c = np.linalg.cholesky(sigma_c)
        chol_s = np.linalg.cholesky(sigma_s)
        # A = L_c L_s^-1, computed with a solve: (L_s^-T L_c^T)^T.
        transform = np.linalg.solve(chol_s.T, chol_c.T).T
    offset = mu_c - transform @ mu_s

    matched = style_pixels @ transform.T + offset
    matched = np.clip(matched, 0.0, 1.0).reshape(style.shape)
    return tf.constant(matched, dtype=tf.float32)


def prepare(
    mode: str | None, content: tf.Tensor, styles: list[tf.Tensor] | tuple[tf.Tensor, ...]
) -> tuple[tf.Tensor, list[tf.Tensor]]:
    """The content and style images a method paints with, for colour mode ``mode``.

    None: as they are. ``"histogram"``: each style recoloured to the content's colour mean and
    covariance. ``"luminance"``: the content's luminance and each style's (matched to the
    content's), as gray RGB images; :func:`finish` puts the colours back. Images [1, H, W, 3].
    """
    if mode == "histogram":
        return content, [match_histogram(style, content) for style in styles]
    if mode == "luminance":
        pairs = [luminance_transfer_inputs(content, style) for style in styles]
        gray_content = pairs[0][0] if pairs else _gray3(luminance(content))
        return gray_content, [gray_style for _, gray_style in pairs]
    return content, list(styles)


def finish(mode: str | None, pastiche: tf.Tensor, content: tf.Tensor) -> tf.Tensor:
    """The pastiche as the user sees it: with ``content``'s colours in ``"luminance"`` mode."""
    if mode == "luminance":
        return combine_luminance(pastiche, content)
    return pastiche
