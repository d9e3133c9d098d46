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
