"""Bargaining solutions over the signatories: the Nash and Kalai-Smorodinsky packages.

With two signatories both are exact: each lies on the exact Pareto frontier, so it is
found by scanning it. With more, or where links are too intricate for the exact frontier,
the Nash package is the best found by hill climbing on the log Nash product from every
supported frontier point (the method is reported). A gain within TOLERANCE of zero counts
as none, as a text at a reservation value meets it (`sim.negotiation.tolerance`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..negotiation import text_search as search
from ..negotiation.tolerance import TOLERANCE, at_least
from .frontier import Frontier, approximate_frontier, pareto_frontier
from .problem import Problem

NASH_STARTS = 10  # hill climbs for a best-found Nash package, from the frontier points of
# highest product; fewer where one climb is dear (below)
CLIMB_CELLS = 2_500_000  # moves scored per climbing step times starts: a step scores every
# option of every point and every pair of options of every linked pair


@dataclass(frozen=True)
class Solution:
    package: np.ndarray | None  # None when no package gives every party a positive gain
    utilities: np.ndarray | None
    product: float  # prod_j (U_j - r_j); 0 when there is no such package
    method: str


def signatory_frontier(problem: Problem) -> Frontier:
    """The signatories' frontier: exact for two, supported points for more."""
    columns = problem.signatories
    if len(columns) == 2:
        return pareto_frontier(problem, columns)
    return approximate_frontier(problem, columns)


def nash_product(utilities: np.ndarray, reservations: np.ndarray) -> np.ndarray:
    """prod_j (U_j - r_j) where every factor is positive (beyond TOLERANCE), else 0 (rows
    of utilities)."""
    gains = np.atleast_2d(utilities) - reservations
    positive = (gains > TOLERANCE).all(axis=1)
    return np.where(positive, np.prod(np.clip(gains, 0, None), axis=1), 0.0)


def nash_solution(
    problem: Problem, frontier: Frontier, reservations: np.ndarray | None = None
) -> Solution:
    """The valid package maximising prod_j (U_j - r_j) with every factor positive."""
    r = problem.reservations[frontier.columns] if reservations is None else reservations
    if len(frontier.utilities) == 0:
        return Solution(None, None, 0.0, "no valid package")
    products = nash_product(frontier.utilities, r)
    if len(frontier.columns) == 2 and frontier.exact:
        method = "exact: maximum over the exact two-party Pareto frontier"
        best = int(np.argmax(products))
        package, utilities = frontier.packages[best], frontier.utilities[best]
    else:
        method = (
            f"best found: hill climbing on the log Nash product from the {nash_starts(problem)} "
            "supported Pareto points (weighted-sum scalarisation) of highest product"
        )
        package, utilities = _climb_nash(problem, frontier, r)
    product = float(nash_product(utilities, r)[0])
    if product <= 0:
        return Solution(None, None, 0.0, method)
    return Solution(package, utilities, product, method)


def _climb_nash(problem: Problem, frontier: Frontier, r: np.ndarray):
    columns = frontier.columns
    table = np.where(
        problem.red[..., columns].any(axis=-1)[..., None], -1.0, problem.utility[..., columns]
    )
    score = search.nash_score(list(range(len(columns))), r, np.ones(len(columns)))
    locked = np.zeros(problem.space.n_points, dtype=bool)
    locked[list(problem.fixed)] = True
    products = nash_product(frontier.utilities, r)
    scores = score(frontier.utilities)
    starts = np.lexsort((-scores, -products))[: nash_starts(problem)]
    best, best_rank = None, (-np.inf, -np.inf)
    for start in frontier.packages[starts]:
        climbed = search.hill_climb(problem.space, table, score, start, locked)
        # rank by the true product first: the smoothed log may prefer a zero factor
        utilities = problem.utilities(climbed, columns)
        rank = (float(nash_product(utilities, r)[0]), float(score(utilities)))
        if rank > best_rank:
            best, best_rank = climbed, rank
    return best, problem.utilities(best, columns)


def nash_starts(problem: Problem) -> int:
    """NASH_STARTS, or fewer (at least one) where the linked pairs make a step dear."""
    width = problem.space.exists.shape[1]
    cells = len(problem.space.linked_pairs) * width * width + problem.space.exists.size
    return int(np.clip(CLIMB_CELLS // cells, 1, NASH_STARTS))


def kalai_smorodinsky(
    problem: Problem, frontier: Frontier, reservations: np.ndarray | None = None
) -> Solution:
    """Two parties: the frontier package maximising min_j (U_j - r_j) / (ideal_j - r_j),
    with ideal_j each party's best utility among individually rational packages."""
    r = problem.reservations[frontier.columns] if reservations is None else reservations
    rational = at_least(frontier.utilities, r).all(axis=1)
    method = (
        "exact: maximum over the exact two-party Pareto frontier"
        if frontier.exact
        else "approximate: maximum over the supported Pareto points found"
    )
    if not rational.any():
        return Solution(None, None, 0.0, method)
    candidates = frontier.utilities[rational]
    ideal = candidates.max(axis=0)
    spread = np.where(ideal > r + TOLERANCE, ideal - r, 1.0)
    fairness = ((candidates - r) / spread).min(axis=1)
    best = np.flatnonzero(rational)[int(np.argmax(fairness))]
    utilities = frontier.utilities[best]
    return Solution(
        frontier.packages[best], utilities, float(nash_product(utilities, r)[0]), method
    )
