"""Pareto frontiers of additive utilities.

Two parties, exact: the sweep (`sweep.py`) decides the points one by one and keeps only
the partial texts that no other one beats on both utilities among those with the same
links still open; a beaten partial text can never recover, since both receive the same
later options. Where the links are too intricate for the sweep, integer programs find
the frontier's supported points instead, and the frontier says it is not exact and why.
Three or more parties: weighted-sum scalarisation (exact for each weight vector), which
finds the supported frontier points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..negotiation.tolerance import TOLERANCE
from . import integer
from . import link_sweep as sweep
from .problem import Problem

CORNER_SHARE = 1e-6  # weight a corner gives the other parties: a party's best package is
# Pareto-optimal only if its ties go to the one the others prefer
SUPPORTED_PROGRAMS = 15  # integer programs for a frontier the sweep cannot do (~0.2 s each
# at the bounds: 100 points of 50 options, 500 links)
WEIGHTS_BY_PROGRAMS = 12  # weight vectors (besides the corners) for three or more parties
# when the sweep cannot do them


@dataclass(frozen=True)
class Frontier:
    """Non-dominated utility vectors (rows) and one package for each, sorted by the
    first party's utility, highest first. `exact` is False, with the reason in `why`,
    when the frontier holds only the points a weighted-sum search found."""

    columns: list[int]
    utilities: np.ndarray  # (frontier points, parties)
    packages: np.ndarray  # (frontier points, points) option indices
    exact: bool = True
    why: str = ""


def nondominated_2d(points: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of an (n, 2) array, by first column descending."""
    order = np.argsort(-points[:, 0])  # ties in the first column: the tie window below
    a, b = points[order, 0], points[order, 1]
    best_b = np.maximum.accumulate(b)
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = b[1:] > best_b[:-1] + TOLERANCE
    if (a[:-1] - a[1:] <= TOLERANCE).any():
        # rows sorted after this one whose first value ties with it can dominate it too
        last_tie = np.searchsorted(-a, -a + TOLERANCE, side="right") - 1
        keep &= best_b[last_tie] <= b + TOLERANCE
    return order[keep]


def pareto_prune(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The rows of (n, 2) values non-dominated within their group (small non-negative
    integers): groups are moved apart, each next one right of and below the last by more
    than the values' spread, so that no row of one dominates a row of another."""
    if len(groups) == 0 or groups.min() == groups.max():
        return nondominated_2d(values)
    a, b = values[:, 0], values[:, 1]
    a = a - a.min() + groups * (np.ptp(a) + 1.0)
    b = b - b.min() - groups * (np.ptp(b) + 1.0)
    return nondominated_2d(np.column_stack([a, b]))


def pareto_frontier(problem: Problem, columns: list[int]) -> Frontier:
    """The exact Pareto frontier of two parties over valid packages that cross neither's
    red lines (nor move a fixed point); where the links are too intricate for the exact
    sweep, its supported points (`supported_frontier`)."""
    if len(columns) != 2:
        raise ValueError("the exact frontier is for two parties")
    try:
        found = sweep.optimise(problem, columns, problem.allowed(columns), pareto_prune)
    except sweep.TooLarge as large:
        return supported_frontier(problem, columns, str(large))
    if found is None:
        return _empty(problem, columns)
    return _frontier(problem, columns, found[1])


def supported_frontier(problem: Problem, columns: list[int], cause: str = "") -> Frontier:
    """The supported points of two parties' frontier (those on its outer convex hull), by
    dichotomic search: each party's best text, then for two neighbours found the best text
    for the weights normal to the segment between them, until none lies beyond its segment
    or SUPPORTED_PROGRAMS integer programs have run. Each program is exact; texts between
    the supported points are missed, so the frontier is marked inexact."""
    allowed = problem.allowed(columns)
    table = problem.utility[..., columns]

    def best(weights) -> np.ndarray | None:
        return integer.solve(problem, allowed, table @ np.asarray(weights, dtype=float))

    ends = [best([1.0, CORNER_SHARE]), best([CORNER_SHARE, 1.0])]
    programs = 2
    why = (
        f"{cause + ': ' if cause else ''}the frontier holds the supported points found by "
        "{programs} integer programs (weighted sums of the two utilities); texts between "
        "them may be missing"
    )
    if ends[0] is None:
        return _empty(problem, columns, why.format(programs=programs))
    found = list(ends)
    pending = [(ends[0], ends[1])]
    while pending and programs < SUPPORTED_PROGRAMS:
        left, right = pending.pop(0)
        ul, ur = problem.utilities(left, columns), problem.utilities(right, columns)
        normal = np.array([ur[1] - ul[1], ul[0] - ur[0]])
        if (normal <= TOLERANCE).any():
            continue
        middle = best(normal)
        programs += 1
        if middle is not None and normal @ problem.utilities(middle, columns) > (
            normal @ ul + TOLERANCE
        ):
            found.append(middle)
            pending += [(left, middle), (middle, right)]
    frontier = _frontier(problem, columns, np.unique(np.array(found), axis=0))
    return Frontier(
        columns, frontier.utilities, frontier.packages, False, why.format(programs=programs)
    )


def _frontier(problem: Problem, columns: list[int], packages: np.ndarray) -> Frontier:
    """The non-dominated ones among these texts, first party's utility highest first."""
    # summed point by point like everywhere else (the sweep adds in another order), so
    # that a reported utility is the very number a run computes for that text
    utilities = problem.utility[np.arange(problem.space.n_points), packages][..., columns].sum(
        axis=1
    )
    keep = nondominated_2d(utilities)
    return Frontier(columns, utilities[keep], packages[keep])


def _empty(problem: Problem, columns: list[int], why: str = "") -> Frontier:
    return Frontier(
        columns,
        np.zeros((0, len(columns))),
        np.zeros((0, problem.space.n_points), int),
        not why,
        why,
    )


def best_for_each(weights: np.ndarray) -> sweep.Prune:
    """A prune keeping, within each group, the first row that maximises sum_j w_j U_j for
    some weight vector w (rows of `weights`)."""
    weights = np.asarray(weights, dtype=float)

    def prune(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
        order = np.argsort(groups, kind="stable")
        sorted_groups = groups[order]
        starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
        group = np.cumsum(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]) - 1
        index = np.arange(len(order))[:, None]
        keep = np.zeros(len(order), dtype=bool)
        chunk = max(1, 2_000_000 // max(len(order), 1))
        for first in range(0, len(weights), chunk):
            scores = values[order] @ weights[first : first + chunk].T  # (rows, weights)
            top = np.maximum.reduceat(scores, starts, axis=0)[group]
            winner = np.minimum.reduceat(np.where(scores >= top, index, len(order)), starts, 0)
            keep[np.unique(winner)] = True
        return order[keep]

    prune.cost = len(weights) / 30  # measured: a row and a weight vector take 13 ns
    return prune


def best_weighted_packages(
    problem: Problem, columns: list[int], weights: np.ndarray
) -> list[np.ndarray | None]:
    """For each weight vector w (rows), the valid package maximising sum_j w_j U_j with no
    red line of these parties crossed (None without one). The sum splits over the
    components of the link graph: an unlinked point takes its best option, a linked
    component is swept keeping per state only the partial texts best for some w.
    TooLarge where the links are too intricate."""
    weights = np.asarray(weights, dtype=float)
    allowed, rules = sweep.prepare(problem, problem.allowed(columns))
    if not allowed.any(axis=1).all():
        return [None] * len(weights)
    table = problem.utility[..., columns]
    score = np.where(allowed[..., None], table @ weights.T, -np.inf)  # (points, options, w)
    found = score.argmax(axis=1).T  # (w, points): each point's best option
    for component in sweep.components(problem.space.n_points, rules):
        if len(component) == 1:
            continue
        swept = sweep.sweep_points(table, allowed, rules, [component], best_for_each(weights))
        if swept is None:
            return [None] * len(weights)
        sums, packages = swept
        best = (sums @ weights.T).argmax(axis=0)  # (w,)
        found[:, component] = packages[best][:, component]
    return list(found)


def approximate_frontier(
    problem: Problem, columns: list[int], n_weights: int = 400, seed: int = 0
) -> Frontier:
    """Supported Pareto points of three or more parties: the best package for each of
    `n_weights` weight vectors (the corners, then uniform on the simplex); where the links
    are too intricate for the sweep, the corners and WEIGHTS_BY_PROGRAMS of the vectors by
    integer programs."""
    rng = np.random.default_rng(seed)
    corners = np.eye(len(columns)) + CORNER_SHARE
    weights = np.vstack([corners, rng.dirichlet(np.ones(len(columns)), size=n_weights)])
    why = "supported points only: the best texts for weighted sums of the utilities"
    try:
        packages = best_weighted_packages(problem, columns, weights)
    except sweep.TooLarge as large:
        weights = weights[: len(columns) + WEIGHTS_BY_PROGRAMS]
        allowed = problem.allowed(columns)
        table = problem.utility[..., columns]
        packages = [integer.solve(problem, allowed, table @ w) for w in weights]
        why = f"{large}: {why}, {len(weights)} of them by integer programs"
    packages = np.unique(np.array([p for p in packages if p is not None]), axis=0)
    if len(packages) == 0:
        return _empty(problem, columns, why)
    values = np.array([problem.utilities(p, columns) for p in packages])
    keep = [i for i in range(len(values)) if not _dominated(values[i], values)]
    order = sorted(keep, key=lambda i: -values[i, 0])
    return Frontier(columns, values[order], packages[order], False, why)


def _dominated(point: np.ndarray, others: np.ndarray) -> bool:
    at_least = (others >= point - TOLERANCE).all(axis=1)
    better = (others > point + TOLERANCE).any(axis=1)
    return bool((at_least & better).any())
