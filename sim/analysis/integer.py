"""Valid texts by integer programming: one yes/no variable per option (scipy's `milp`,
HiGHS), exactly one option per point, and per link `x[a, x] <= sum of x[b, allowed]`.

Used by the ZOPA test, and by the frontier and the weighted optima where links are too
intricate for the exact sweep (`sweep.TooLarge`). HiGHS accepts a solution that misses a
constraint by up to about 1e-6, so every text it returns is checked again here: its links
exactly, its utility floors by `at_least`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

from ..negotiation.tolerance import TOLERANCE, at_least
from .problem import Problem


@dataclass(frozen=True)
class Floor:
    """A linear requirement on a text: sum of `weights` over its options >= `floor`."""

    weights: np.ndarray  # (points, options)
    floor: float


def text_constraints(problem: Problem) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """Rows, lower and upper bounds of 'one option per point' and of every link."""
    points, width = problem.space.exists.shape
    rows, cols, vals = [], [], []
    for point in range(points):
        rows += [point] * width
        cols += range(point * width, (point + 1) * width)
        vals += [1.0] * width
    for index, (a, x, b, allowed) in enumerate(problem.space.rules):
        row = points + index
        terms = {a * width + x: 1.0}
        for option in allowed:
            terms[b * width + option] = terms.get(b * width + option, 0.0) - 1.0
        rows += [row] * len(terms)
        cols += list(terms)
        vals += list(terms.values())
    n_rules = len(problem.space.rules)
    matrix = coo_matrix((vals, (rows, cols)), shape=(points + n_rules, points * width))
    low = np.concatenate([np.ones(points), np.full(n_rules, -np.inf)])
    high = np.concatenate([np.ones(points), np.zeros(n_rules)])
    return matrix.tocsr(), low, high


def solve(
    problem: Problem,
    allowed: np.ndarray,
    objective: np.ndarray | None = None,
    floors: list[Floor] = (),
    time_limit: float = 30.0,
) -> np.ndarray | None:
    """The valid text among `allowed` options (points, options) that maximises the sum of
    `objective` over its options (any, without one) and meets every floor; None if there
    is none. A text within the solver's tolerance but not exactly valid is cut off and the
    program solved again."""
    points, width = problem.space.exists.shape
    if not allowed.any(axis=1).all():
        return None
    matrix, low, high = text_constraints(problem)
    extra = [np.where(allowed, f.weights, 0.0).ravel() for f in floors]
    lows = [f.floor - TOLERANCE for f in floors]
    cost = np.zeros(points * width) if objective is None else -np.where(allowed, objective, 0.0)
    cuts: list[np.ndarray] = []
    while True:
        rows = extra + cuts
        a = vstack([matrix, csr_matrix(np.array(rows))]) if rows else matrix
        result = milp(
            c=np.ravel(cost),
            constraints=LinearConstraint(
                a,
                np.concatenate([low, lows, np.full(len(cuts), -np.inf)]),
                np.concatenate(
                    [high, np.full(len(floors), np.inf), np.full(len(cuts), points - 1)]
                ),
            ),
            integrality=np.ones(points * width),
            bounds=Bounds(0, allowed.ravel().astype(float)),
            options={"time_limit": time_limit, "mip_rel_gap": 0.0},
        )
        if result.x is None:
            return None
        package = result.x.reshape(points, width).argmax(axis=1)
        chosen = np.arange(points), package
        if problem.space.is_valid(package) and all(
            at_least(f.weights[chosen].sum(), f.floor) for f in floors
        ):
            return package
        cut = np.zeros((points, width))
        cut[chosen] = 1.0
        cuts.append(cut.ravel())
