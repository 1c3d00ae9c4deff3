"""How good was the run's final text? Pareto dominance, Nash share, shares of the gains."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..negotiation.tolerance import TOLERANCE
from .bargaining import nash_product, nash_solution, signatory_frontier
from .frontier import Frontier
from .problem import Problem

if TYPE_CHECKING:  # the run's Mesa model is not needed to analyse a scenario
    from ..negotiation.runner import RunResult


def efficiency(
    problem: Problem,
    frontier: Frontier,
    package: np.ndarray,
    reservations: np.ndarray,
    agreement: bool,
) -> dict:
    """Efficiency of a final text for the signatories, against the reservation values the
    run ended with: dominated or not (and by which package), its Nash product as a share
    of the maximum, and each signatory's share of the gains."""
    columns = frontier.columns
    names = [problem.scenario.parties[c].id for c in columns]
    utilities = problem.utilities(package, columns)
    better = (frontier.utilities >= utilities - TOLERANCE).all(axis=1) & (
        frontier.utilities > utilities + TOLERANCE
    ).any(axis=1)
    crosses = problem.red[np.arange(len(package)), package][:, columns].any()
    dominated_by = None
    if better.any():
        gains = (frontier.utilities[better] - utilities).sum(axis=1)
        dominated_by = frontier.packages[np.flatnonzero(better)[int(np.argmax(gains))]]
    nash = nash_solution(problem, frontier, reservations)
    product = float(nash_product(utilities, reservations)[0])
    gains = utilities - reservations
    shares = None
    if agreement and gains.sum() > 0:
        shares = dict(zip(names, np.round(gains / gains.sum(), 6).tolist(), strict=True))
    return {
        "parties": names,
        "agreement": agreement,
        "exact": frontier.exact,
        "why": frontier.why,
        "dominated": dominated_by is not None,
        "dominated_by": None if dominated_by is None else problem.package_dict(dominated_by),
        "crosses_red_lines": bool(crosses),
        "nash_product": round(product, 9),
        "nash_share": round(product / nash.product, 6) if nash.product > 0 else None,
        "gain_shares": shares,
        "reservations": dict(zip(names, np.round(reservations, 6).tolist(), strict=True)),
    }


def run_efficiency(result: RunResult) -> dict:
    """`efficiency` of a run's final text, against the signatories' frontier and the
    reservation values they ended the run with (what outcome.json records)."""
    model = result.model
    problem = Problem.from_scenario(model.spec)
    reservations = np.array([n.reservation for n in model.signatories])
    agreement = result.outcome.status == "agreement"
    return efficiency(problem, signatory_frontier(problem), model.text, reservations, agreement)
