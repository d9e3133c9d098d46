"""stlib.progress: the one progress bar (steps, images, training)."""

from __future__ import annotations

from stlib.progress import ProgressBar


def test_the_bar_counts_shows_losses_and_prints_lines_above_it(capsys):
    with ProgressBar(3, "style transfer", "step") as bar:
        bar.advance(losses={"loss": 1.234567})
        bar.say("photo 2 failed")
        bar.advance(2)
    err = capsys.readouterr().err
    assert "style transfer" in err and "3/3" in err and "loss=1.235" in err
    assert "photo 2 failed\n" in err


def test_a_hidden_bar_prints_nothing_and_a_resumed_one_starts_at_its_step(capsys):
    with ProgressBar(4, "training", "step", show=False) as bar:
        bar.advance()
    assert capsys.readouterr().err == ""
    with ProgressBar(10, "training", "step", initial=6) as bar:
        bar.advance()
    assert "7/10" in capsys.readouterr().err


def test_each_counts_the_items_and_a_label_names_the_one_under_way(capsys):
    from stlib.progress import each

    assert list(each(["a", "b", "c"], "figures", "figure")) == ["a", "b", "c"]
    assert "figures" in (err := capsys.readouterr().err) and "3/3" in err
    with ProgressBar(2, "figures", "figure") as bar:
        bar.label("speed")
        bar.advance()
        assert bar.done == 1 and bar.total == 2
    assert "1/2" in (err := capsys.readouterr().err) and "speed" in err


def test_each_closes_its_bar_when_the_loop_stops_early(capsys):
    from stlib.progress import each

    for item in each(range(5), "sizes", "size"):
        if item == 1:
            break
    assert "2/5" not in capsys.readouterr().err  # stopped after one counted item


def test_a_byte_bar_scales_its_unit_and_can_be_cleared(capsys):
    with ProgressBar(None, "thing.bin", "B", keep=False) as bar:
        bar.advance(2048)
        bar.restart()
        assert bar.done == 0
    err = capsys.readouterr().err
    assert "thing.bin" in err and err.rsplit("\r", 2)[-2].strip() == ""  # cleared at the end
