"""Analysis of a scenario as a bargaining problem, independent of any run (MODEL.md 4):
is a deal possible (ZOPA), what the efficient deals are (Pareto frontier), the Nash and
Kalai-Smorodinsky packages, and how efficient a run's outcome was. Imports the scenario
and the negotiation's outcome space and text search; never a report.

    problem = Problem.from_scenario(scenario)
    analyze(problem) -> dict   # what `negsim analyze --json` prints
"""

from __future__ import annotations

import numpy as np

from .bargaining import Solution, kalai_smorodinsky, nash_product, nash_solution, signatory_frontier
from .efficiency import efficiency, run_efficiency
from .frontier import Frontier, approximate_frontier, pareto_frontier, supported_frontier
from .problem import Problem
from .zopa import Zopa, ratified, zopa

__all__ = [
    "Frontier",
    "Problem",
    "Solution",
    "Zopa",
    "analyze",
    "approximate_frontier",
    "efficiency",
    "kalai_smorodinsky",
    "nash_product",
    "nash_solution",
    "pareto_frontier",
    "run_efficiency",
    "signatory_frontier",
    "supported_frontier",
    "zopa",
]


def analyze(problem: Problem, parties: list[str] | None = None) -> dict:
    """ZOPA, the two parties' exact frontier, and the Nash and KS packages, as plain data.
    `parties` defaults to the first two signatories (see `default_pair`)."""
    columns = [problem.column(p) for p in parties] if parties else default_pair(problem)
    found = zopa(problem)
    frontier = pareto_frontier(problem, columns)
    nash, ks = nash_solution(problem, frontier), kalai_smorodinsky(problem, frontier)
    names = [problem.scenario.parties[c].id for c in columns]

    def solution(found: Solution) -> dict:
        return {
            "package": None if found.package is None else problem.package_dict(found.package),
            "utilities": None if found.utilities is None else _named(names, found.utilities),
            "product": round(found.product, 9),
            "method": found.method,
            "ratified": None if found.package is None else ratified(problem, found.package),
        }

    return {
        "scenario": problem.scenario.name,
        "zopa": {
            "exists": found.exists,
            "witness": None if found.witness is None else problem.package_dict(found.witness),
            "reason": found.reason,
        },
        "pareto": {
            "parties": names,
            "reservations": _named(names, problem.reservations[columns]),
            "points": np.round(frontier.utilities, 9).tolist(),
            "packages": [problem.package_dict(p) for p in frontier.packages],
            "exact": frontier.exact,
            "why": frontier.why,
        },
        "nash": solution(nash),
        "ks": solution(ks),
    }


def default_pair(problem: Problem) -> list[int]:
    """The first two signatories; with fewer, the next parties in the scenario's order."""
    others = [c for c in range(len(problem.scenario.parties)) if c not in problem.signatories]
    return (problem.signatories + others)[:2]


def _named(names: list[str], values: np.ndarray) -> dict[str, float]:
    return dict(zip(names, np.round(values, 9).tolist(), strict=True))
