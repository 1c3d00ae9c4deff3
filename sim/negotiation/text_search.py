"""Finding good texts without enumerating the space: hill climbing over one- and
two-point changes of the standing text, scored on additive utilities in numpy.

A table is (points, options, parties) of salience-weighted values with red lines folded
in, so the utility vector of a package is `table[range(points), package].sum(0)`. A score
maps an array of utility vectors (..., parties) to (...) numbers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .outcome_space import OutcomeSpace

Score = Callable[[np.ndarray], np.ndarray]
FLOOR = 1e-3  # below this surplus the log is continued linearly, so the score stays finite


def soft_log(surplus: np.ndarray) -> np.ndarray:
    """log(surplus) of an array, continued by its tangent below FLOOR so that deficits are
    ranked too. Where the surplus is below FLOOR the log is log(FLOOR) and the tangent's
    term negative; elsewhere the term is clipped to 0, and x + 0 is x: one pass for each
    step, no gather and scatter of the low cells."""
    logs = np.log(np.maximum(surplus, FLOOR))
    if (surplus < FLOOR).any():
        tangent = surplus - FLOOR
        tangent /= FLOOR
        logs += np.minimum(tangent, 0.0, out=tangent)
    return logs


def weighted_sum(terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """sum_j weights[..., j] * terms[..., j], added in the order of j. Each element's sum
    depends on its own numbers only, not on the array's shape or layout as a BLAS product's
    does: so the batch engine can score any subset of changes and match this to the bit."""
    total = terms[..., 0] * weights[..., 0]
    for j in range(1, terms.shape[-1]):
        total += terms[..., j] * weights[..., j]
    return total


def log_score(columns: list[int], reservations: np.ndarray, weights: np.ndarray) -> Score:
    """sum_j weight_j * log(U_j - r_j) over the table columns given."""

    def score(u: np.ndarray) -> np.ndarray:
        return weighted_sum(soft_log(u[..., columns] - reservations), weights)

    return score


def nash_score(columns: list[int], reservations: np.ndarray, weights: np.ndarray) -> Score:
    """Weighted log Nash product: sum_j lambda_j log(U_j - r_j) / sum_j lambda_j."""
    return log_score(columns, reservations, weights / weights.sum())


def utilities(table: np.ndarray, package: np.ndarray) -> np.ndarray:
    """The utility vector of one package."""
    return table[np.arange(table.shape[0]), package].sum(axis=0)


def hill_climb(
    space: OutcomeSpace,
    table: np.ndarray,
    score: Score,
    package: np.ndarray,
    locked: np.ndarray,
    max_changes: int = 0,
) -> np.ndarray:
    """Apply the best improving one-point change (or two-point change along a link) until
    none improves or `max_changes` points have changed (0: no limit)."""
    package = package.copy()
    rows = np.arange(space.n_points)
    first, second = space.pair_points
    changed = 0
    while max_changes == 0 or changed < max_changes:
        current = table[rows, package]  # (points, parties)
        totals = current.sum(axis=0)
        singles = score(table + (totals - current)[:, None, :])  # (points, options)
        here = singles[0, package[0]]  # "changing" a point to its own option
        single_ok, pair_ok = space.moves(package, locked)
        singles[~single_ok] = -np.inf
        best = np.unravel_index(int(np.argmax(singles)), singles.shape)
        best_value, best_move = singles[best], ((best[0], best[1]),)
        if len(first) and (max_changes == 0 or max_changes - changed >= 2):
            # every linked pair at once: (pairs, options of a, options of b, parties)
            rest = totals - current[first] - current[second]
            values = score(
                table[first][:, :, None, :] + table[second][:, None, :, :] + rest[:, None, None]
            )
            values[~pair_ok] = -np.inf
            p, ka, kb = np.unravel_index(int(np.argmax(values)), values.shape)
            if values[p, ka, kb] > best_value:
                best_value, best_move = values[p, ka, kb], ((first[p], ka), (second[p], kb))
        if not best_value > here + 1e-12:
            break
        for point, option in best_move:
            changed += int(package[point] != option)
            package[point] = option
    return package


def best_text(
    space: OutcomeSpace,
    table: np.ndarray,
    score: Score,
    starts: list[np.ndarray],
    locked: np.ndarray,
) -> np.ndarray:
    """The best local optimum of `score` reached from the starts and from each party's own
    best text; used where a whole new text is drafted rather than one revised."""
    candidates = list(starts)
    for party in range(table.shape[2]):
        own = own_best_text(space, table[:, :, party], starts[0], locked)
        if own is not None:
            candidates.append(own)
    climbed = [hill_climb(space, table, score, c, locked) for c in candidates]
    values = [float(score(utilities(table, p))) for p in climbed]
    return climbed[int(np.argmax(values))]


def own_best_text(
    space: OutcomeSpace, values: np.ndarray, start: np.ndarray, locked: np.ndarray
) -> np.ndarray | None:
    """Best option on every free point for one (points, options) table, links repaired."""
    own = np.where(space.exists, values, -np.inf).argmax(axis=1)
    return space.repair(np.where(locked, start, own), values, locked)


def best_change_avoiding(
    space: OutcomeSpace,
    table: np.ndarray,
    score: Score,
    package: np.ndarray,
    locked: np.ndarray,
    avoid,
) -> np.ndarray | None:
    """The best valid one-point change of the package whose result `avoid` rejects not,
    improving or not (None when every change is avoided): a way out of a text known to fail."""
    rows = np.arange(space.n_points)
    current = table[rows, package]
    totals = current.sum(axis=0)
    singles = score(table + (totals - current)[:, None, :])
    single_ok, _ = space.moves(package, locked)
    singles[~single_ok] = -np.inf
    singles[rows, package] = -np.inf
    for flat in np.argsort(-singles, axis=None, kind="stable"):
        point, option = np.unravel_index(flat, singles.shape)
        if not np.isfinite(singles[point, option]):
            return None
        changed = package.copy()
        changed[point] = option
        if not avoid(changed):
            return changed
    return None
