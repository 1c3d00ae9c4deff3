"""Pareto frontiers of additive utilities.

Two parties, exact: the frontier is built point by point, merging each point's options
into the set of non-dominated partial sums and pruning the dominated ones; the linked
points are enumerated jointly at the end. Three or more parties: weighted-sum
scalarisation (exact for each weight vector), which finds the supported frontier points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import Problem

TOLERANCE = 1e-12  # utilities closer than this count as equal
CORNER_SHARE = 1e-6  # weight a corner gives the other parties: a party's best package is
# Pareto-optimal only if its ties go to the one the others prefer


@dataclass(frozen=True)
class Frontier:
    """Non-dominated utility vectors (rows) and one package for each, sorted by the
    first party's utility, highest first."""

    columns: list[int]
    utilities: np.ndarray  # (frontier points, parties)
    packages: np.ndarray  # (frontier points, points) option indices


def nondominated_2d(points: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of an (n, 2) array, by first column descending."""
    order = np.lexsort((-points[:, 1], -points[:, 0]))
    a, b = points[order, 0], points[order, 1]
    best_b = np.maximum.accumulate(b)
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = b[1:] > best_b[:-1] + TOLERANCE
    # rows sorted after this one whose first value ties with it can dominate it too
    last_tie = np.searchsorted(-a, -a + TOLERANCE, side="right") - 1
    keep &= best_b[last_tie] <= b + TOLERANCE
    return order[keep]


def pareto_frontier(problem: Problem, columns: list[int]) -> Frontier:
    """The exact Pareto frontier of two parties over valid packages that cross neither's
    red lines (nor move a fixed point)."""
    if len(columns) != 2:
        raise ValueError("the exact frontier is for two parties")
    allowed = problem.allowed(columns)
    utility = problem.utility[..., columns]
    linked = set(problem.linked_points)
    free = [p for p in range(problem.space.n_points) if p not in linked]
    sums = np.zeros((1, 2))
    history = []  # per free point: (parent row, option) of each kept partial sum
    for point in free:
        options = np.flatnonzero(allowed[point])
        if len(options) == 0:
            return _empty(problem, columns)
        merged = (sums[:, None, :] + utility[point, options][None, :, :]).reshape(-1, 2)
        keep = nondominated_2d(merged)
        parents, picks = np.divmod(keep, len(options))
        history.append((parents, options[picks]))
        sums = merged[keep]
    linked_texts = problem.linked_texts(allowed)
    if len(linked_texts) == 0:
        return _empty(problem, columns)
    linked_list = sorted(linked)
    linked_sums = utility[np.array(linked_list, int)[:, None], linked_texts.T].sum(axis=0)
    # a dominated combination of the linked points stays dominated whatever is added
    useful = nondominated_2d(linked_sums)
    linked_texts, linked_sums = linked_texts[useful], linked_sums[useful]
    merged = (sums[:, None, :] + linked_sums[None, :, :]).reshape(-1, 2)
    keep = nondominated_2d(merged)
    rows, combos = np.divmod(keep, len(linked_texts))
    packages = np.zeros((len(keep), problem.space.n_points), dtype=int)
    packages[:, linked_list] = linked_texts[combos]
    for (parents, picks), point in zip(reversed(history), reversed(free), strict=True):
        packages[:, point] = picks[rows]
        rows = parents[rows]
    # summed point by point like everywhere else (the merge adds in another order), so
    # that a utility equal to a reservation value compares the same here as in a run
    utilities = utility[np.arange(problem.space.n_points), packages].sum(axis=1)
    return Frontier(columns, utilities, packages)


def _empty(problem: Problem, columns: list[int]) -> Frontier:
    return Frontier(
        columns, np.zeros((0, len(columns))), np.zeros((0, problem.space.n_points), int)
    )


def best_weighted_package(problem: Problem, columns: list[int], weights: np.ndarray):
    """The valid package maximising sum_j w_j U_j (no red line of these parties crossed):
    each free point at its best option, the linked points enumerated jointly."""
    allowed = problem.allowed(columns)
    score = np.where(allowed, problem.utility[..., columns] @ weights, -np.inf)
    package = score.argmax(axis=1)
    linked = problem.linked_points
    if linked:
        texts = problem.linked_texts(allowed)
        if len(texts) == 0:
            return None
        totals = score[np.array(linked)[None, :], texts].sum(axis=1)
        package[linked] = texts[int(np.argmax(totals))]
    if not np.isfinite(score[np.arange(len(package)), package]).all():
        return None
    return package


def approximate_frontier(
    problem: Problem, columns: list[int], n_weights: int = 400, seed: int = 0
) -> Frontier:
    """Supported Pareto points of three or more parties: the best package for each of
    `n_weights` weight vectors (the corners, then uniform on the simplex)."""
    rng = np.random.default_rng(seed)
    corners = np.eye(len(columns)) + CORNER_SHARE
    weights = np.vstack([corners, rng.dirichlet(np.ones(len(columns)), size=n_weights)])
    packages = [best_weighted_package(problem, columns, w) for w in weights]
    packages = np.unique(np.array([p for p in packages if p is not None]), axis=0)
    if len(packages) == 0:
        return _empty(problem, columns)
    values = np.array([problem.utilities(p, columns) for p in packages])
    keep = [i for i in range(len(values)) if not _dominated(values[i], values)]
    order = sorted(keep, key=lambda i: -values[i, 0])
    return Frontier(columns, values[order], packages[order])


def _dominated(point: np.ndarray, others: np.ndarray) -> bool:
    at_least = (others >= point - TOLERANCE).all(axis=1)
    better = (others > point + TOLERANCE).any(axis=1)
    return bool((at_least & better).any())
