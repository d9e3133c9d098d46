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
