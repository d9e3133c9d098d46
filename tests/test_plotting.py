"""Plotting returns figures with the content asked for, and refuses what it cannot draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from stlib import plotting  # noqa: E402
from stlib.gatys.history import History  # noqa: E402


def history(n=5, scale=1.0) -> History:
    h = History()
    for i in range(1, n + 1):
        h.record(
            i,
            0,
            0.1 * i,
            i,
            {
                "content": scale * i,
                "style": scale * 10 / i,
                "tv": 0.0,
                "total": scale * (i + 10 / i),
            },
        )
    return h


def test_as_array_accepts_stlib_images_uint8_and_gray():
    image = tf.random.uniform((1, 4, 5, 3))
    np.testing.assert_allclose(plotting.as_array(image), image.numpy()[0])
    np.testing.assert_allclose(plotting.as_array(np.full((2, 2, 3), 255, np.uint8)), 1.0)
    assert plotting.as_array(np.zeros((1, 4, 4, 1))).shape == (4, 4)
    with pytest.raises(ValueError, match=r"batch of shape \(2, 4, 4, 3\)"):
        plotting.as_array(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"shape \(4, 4, 5\)"):
        plotting.as_array(np.zeros((4, 4, 5)))


def test_show_images_draws_each_image_with_its_title():
    images = [np.full((8, 10, 3), v) for v in (0.0, 0.5, 1.0)]
    fig = plotting.show_images(images, titles=["a", "b", "c"], ncols=2)
    drawn = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in drawn] == ["a", "b", "c"] and len(fig.axes) == 4
    np.testing.assert_allclose(drawn[1].images[0].get_array(), 0.5)
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        plotting.show_images(images, titles=["a", "b"])


def test_image_grid_labels_rows_and_columns():
    cell = np.zeros((6, 6, 3))
    fig = plotting.image_grid(
        [[cell, cell], [cell, cell]], row_labels=["conv1", "conv2"], col_labels=["1e-4", "1e-3"]
    )
    axes = np.array(fig.axes).reshape(2, 2)
    assert axes[0][1].get_title() == "1e-3" and axes[1][0].get_ylabel() == "conv2"


def test_loss_curves_plot_each_run_and_term():
    fig = plotting.loss_curves(
        {"adam": history(), "lbfgs": history(scale=0.5)}, terms=("content", "style"), x="seconds"
    )
    lines = fig.axes[0].get_lines()
    assert len(lines) == 4 and fig.axes[0].get_xlabel() == "seconds"
    np.testing.assert_allclose(lines[0].get_xdata(), [0.1, 0.2, 0.3, 0.4, 0.5])
    assert fig.axes[0].get_yscale() == "log"
    # loss_terms leaves out a term that is zero throughout (tv here).
    assert len(plotting.loss_terms(history()).axes[0].get_lines()) == 3
    with pytest.raises(ValueError, match="unknown x axis 'time'"):
        plotting.loss_curves(history(), x="time")


def test_feature_maps_and_gram_heatmap():
    features = np.random.default_rng(0).random((1, 6, 7, 20))
    fig = plotting.feature_maps(features, channels=10, ncols=5)
    assert sum(1 for ax in fig.axes if ax.images) == 10
    gram = np.eye(8)[None]
    fig = plotting.gram_heatmap(gram, title="relu1_1")
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), np.eye(8))
    with pytest.raises(ValueError, match=r"\[N, N\]"):
        plotting.gram_heatmap(np.zeros((3, 4)))


def test_bar_and_line_charts_show_the_numbers():
    fig = plotting.bar_chart({"conv1": 1.0, "conv2": 2.5}, ylabel="GFLOP")
    assert [t.get_text() for t in fig.axes[0].texts] == ["1", "2.5"]
    fig = plotting.line_chart([1, 2, 3], {"rf": [3, 5, 7]}, "layer", "pixels")
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [3, 5, 7])


def test_pca_2d_finds_the_directions_of_largest_variance():
    rng = np.random.default_rng(3)
    # Six points spread along two known orthogonal directions of R^10 with uncorrelated
    # coordinates (a . b = 0, both of mean 0), wider along the first.
    u = np.zeros(10)
    u[2] = 1.0
    v = np.zeros(10)
    v[7] = -1.0  # its largest loading is negative: pca_2d flips it
    a, b = np.array([-3.0, -1.5, 0.0, 1.5, 3.0, 0.0]), np.array([1.0, -1.0, 0.0, -1.0, 1.0, 0.0])
    offset = rng.normal(size=10)
    vectors = offset + a[:, None] * u + b[:, None] * v
    points, explained = plotting.pca_2d(vectors)
    assert points.shape == (6, 2)
    np.testing.assert_allclose(points[:, 0], a, atol=1e-9)
    np.testing.assert_allclose(points[:, 1], -b, atol=1e-9)  # along +e7, not v
    variance_a, variance_b = np.sum(a**2), np.sum(b**2)
    np.testing.assert_allclose(explained, [variance_a, variance_b] / (variance_a + variance_b))
    # The same vectors in another order give the same coordinates, point for point.
    order = [3, 0, 5, 1, 4, 2]
    np.testing.assert_allclose(plotting.pca_2d(vectors[order])[0], points[order], atol=1e-9)
    with pytest.raises(ValueError, match=r"at least two vectors as \[N, D\]"):
        plotting.pca_2d(np.zeros((1, 4)))


def test_pca_2d_of_points_on_a_line_explains_everything_with_one_component():
    t = np.linspace(-1, 1, 5)
    points, explained = plotting.pca_2d(np.outer(t, [1.0, 2.0, 2.0]))
    np.testing.assert_allclose(points[:, 0], 3 * t, atol=1e-9)  # |(1, 2, 2)| = 3
    np.testing.assert_allclose(points[:, 1], 0, atol=1e-9)
    np.testing.assert_allclose(explained, [1, 0], atol=1e-12)


def test_embedding_map_puts_each_thumbnail_at_its_pca_point():
    from matplotlib.offsetbox import AnnotationBbox

    rng = np.random.default_rng(4)
    names = ["photo_a", "photo_b", "painting_a", "painting_b"]
    embeddings = {name: rng.normal(size=100) for name in names}
    thumbnails = {name: np.full((8, 12, 3), i / 4) for i, name in enumerate(names)}
    groups = {n: n.split("_")[0] for n in names}
    fig = plotting.embedding_map(embeddings, thumbnails, groups, title="embeddings")
    ax = fig.axes[0]
    boxes = {a.get_gid(): a for a in ax.artists if isinstance(a, AnnotationBbox)}
    assert sorted(boxes) == sorted(f"thumbnail:{n}" for n in names)
    points, explained = plotting.pca_2d([embeddings[n] for n in names])
    for name, point in zip(names, points):
        np.testing.assert_allclose(boxes[f"thumbnail:{name}"].xy, point)
        thumbnail = boxes[f"thumbnail:{name}"].offsetbox.get_data()
        np.testing.assert_allclose(thumbnail, thumbnails[name])
    # The axes say how much variance each component explains; the legend names the groups.
    assert f"{100 * explained[0]:.0f} % of the variance" in ax.get_xlabel()
    assert f"{100 * explained[1]:.0f} % of the variance" in ax.get_ylabel()
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["painting", "photo"]
    assert {t.get_text() for t in ax.texts} == set(names) and ax.get_title() == "embeddings"
    # Without thumbnails: points and names only.
    bare = plotting.embedding_map(embeddings)
    assert not [a for a in bare.axes[0].artists if isinstance(a, AnnotationBbox)]
    assert len(bare.axes[0].collections) == 1
