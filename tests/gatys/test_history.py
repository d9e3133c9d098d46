"""The History of a run (stlib/gatys/history.py): every term per step, adding up to the total,
serialised to JSON; a history of zero steps reads safely."""

from __future__ import annotations

import json
import math

import pytest

from stlib.gatys import GatysConfig, History, transfer


def test_history_records_every_term_per_step_and_serialises(content, style):
    result = transfer(
        content, style, GatysConfig(size=64, steps=4, tv_weight=1e-3), progress=False, weights=None
    )
    history = result.history
    assert history.steps == [1, 2, 3, 4]
    for i in range(4):
        parts = history.terms["content"][i] + history.terms["style"][i] + history.terms["tv"][i]
        assert history.terms["total"][i] == pytest.approx(parts, rel=1e-5)
    assert all(b >= a for a, b in zip(history.seconds, history.seconds[1:]))
    assert json.loads(history.to_json())["terms"]["total"] == history.total
    image, history_again, config = result  # unpacks as (image, history, config)
    assert config.steps == 4 and history_again is history


def test_a_history_of_zero_steps_reads_safely():
    history = History()
    assert history.final_losses == {} and history.seconds_total == 0.0
    assert math.isnan(history.seconds_per_step()) and history.seconds_to_reach(1.0) is None
