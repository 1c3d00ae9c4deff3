"""The protocol's texts on a scenario's outcome space: the start text, and any text with
the fixed points set and its links repaired. Both engines start from these."""

from __future__ import annotations

import numpy as np

from ..scenario.data import Scenario
from ..scenario.limits import MAX_LINK_STEPS
from .outcome_space import OutcomeSpace


def fixed_text(
    scenario: Scenario, space: OutcomeSpace, locked: np.ndarray, text: np.ndarray
) -> np.ndarray:
    """The text with the protocol's fixed points set and links repaired."""
    text = text.copy()
    for point_id, option_id in scenario.protocol.fixed:
        index = scenario.point_index(point_id)
        text[index] = scenario.points[index].option_index(option_id)
    if space.is_valid(text):
        return text
    unranked = np.zeros(space.exists.shape)
    repaired = space.repair(text, unranked, locked)
    if repaired is None:  # the text validation found, from the first options, exists
        first = np.where(locked, text, 0)
        repaired = space.repair(first, unranked, locked, MAX_LINK_STEPS)
    if repaired is None:
        raise ValueError("no text satisfies every link with the fixed points as they are")
    return repaired


def start_text(scenario: Scenario, space: OutcomeSpace, locked: np.ndarray) -> np.ndarray:
    """The protocol's start text with the fixed points set (all first options without one)."""
    start = np.zeros(len(scenario.points), dtype=int)
    for point_id, option_id in scenario.protocol.start:
        index = scenario.point_index(point_id)
        start[index] = scenario.points[index].option_index(option_id)
    return fixed_text(scenario, space, locked, start)
