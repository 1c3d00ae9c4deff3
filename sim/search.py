"""Finding good texts without enumerating the space: hill climbing over one- and
two-point changes of the standing text, scored on additive utilities in numpy.

A score maps an array of utility vectors (..., parties) to (...) numbers; the table it
is used with is (parties, points, options) of weighted values with red lines folded in.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .space import OutcomeSpace, utilities

Score = Callable[[np.ndarray], np.ndarray]
FLOOR = 1e-3  # below this surplus the log is continued linearly, so the score stays finite


def soft_log(surplus: np.ndarray) -> np.ndarray:
    """log(surplus), continued by its tangent below FLOOR so that deficits are ranked too."""
    clipped = np.maximum(surplus, FLOOR)
    return np.where(surplus >= FLOOR, np.log(clipped), np.log(FLOOR) + (surplus - FLOOR) / FLOOR)


def nash_score(reservations: np.ndarray, weights: np.ndarray) -> Score:
    """Weighted log Nash product: sum_j lambda_j log(U_j - r_j) / sum_j lambda_j."""
    share = weights / weights.sum()

    def score(u: np.ndarray) -> np.ndarray:
        return soft_log(u - reservations) @ share

    return score


def hill_climb(space: OutcomeSpace, table: np.ndarray, score: Score, package: np.ndarray,
               locked: np.ndarray, max_changes: int = 0) -> np.ndarray:
    """Apply the best improving one-point change (or two-point change along a link) until
    none improves or `max_changes` points have changed (0: no limit)."""
    package = package.copy()
    rows = np.arange(space.n_points)
    changed = 0
    while max_changes == 0 or changed < max_changes:
        current = table[:, rows, package]  # (parties, points)
        totals = current.sum(axis=1)
        here = float(score(totals))
        # one-point changes: swap row i's entry for option k
        moved = totals[:, None, None] - current[:, :, None] + table
        singles = score(np.moveaxis(moved, 0, -1))
        singles[~space.single_moves(package) | locked[:, None]] = -np.inf
        best = np.unravel_index(int(np.argmax(singles)), singles.shape)
        best_value, best_move = singles[best], ((best[0], best[1]),)
        budget_left = max_changes == 0 or max_changes - changed >= 2
        for a, b in _linked_pairs(space) if budget_left else ():
            if locked[a] or locked[b]:
                continue
            pair = (totals - current[:, a] - current[:, b])[:, None, None] \
                + table[:, a, :, None] + table[:, b, None, :]
            values = score(np.moveaxis(pair, 0, -1))
            values[~space.pair_is_valid(package, a, b)] = -np.inf
            ka, kb = np.unravel_index(int(np.argmax(values)), values.shape)
            if values[ka, kb] > best_value:
                best_value, best_move = values[ka, kb], ((a, ka), (b, kb))
        if not best_value > here + 1e-12:
            break
        for point, option in best_move:
            changed += int(package[point] != option)
            package[point] = option
    return package


def _linked_pairs(space: OutcomeSpace) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in zip(space.link_if, space.link_then, strict=True)
            if a != b}


def best_text(space: OutcomeSpace, table: np.ndarray, score: Score,
              starts: list[np.ndarray], locked: np.ndarray) -> np.ndarray:
    """The best local optimum of `score` reached from the starts and from each party's own
    best text; used where a whole new text is drafted rather than one revised."""
    candidates = list(starts)
    for party_table in table:
        own = np.where(space.exists, party_table, -np.inf).argmax(axis=1)
        repaired = space.repair(np.where(locked, starts[0], own), party_table)
        if repaired is not None:
            candidates.append(repaired)
    climbed = [hill_climb(space, table, score, c, locked) for c in candidates]
    values = [float(score(utilities(table, p))) for p in climbed]
    return climbed[int(np.argmax(values))]
