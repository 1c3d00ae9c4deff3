"""Is any deal possible? The zone of possible agreement, decided exactly.

A ZOPA exists if some valid package crosses no signatory's red line, gives every
signatory at least its reservation value and passes every ratification test, each
"at least" within the shared TOLERANCE (`sim.negotiation.tolerance`), as in a run. This is a
feasibility integer program over one binary variable per option (`integer.py`); a found
witness is re-checked, and one that fails the check (HiGHS accepts constraints violated
by up to about 1e-6) is cut off and the program solved again.
When none exists, a deletion filter finds a set of requirements that cannot be met
together and from which none can be dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..negotiation.outcome_space import ratification_weights
from ..negotiation.tolerance import at_least
from . import integer
from .problem import Problem


@dataclass(frozen=True)
class Requirement:
    """What one party needs of a text: none of `forbidden`, and utility >= floor."""

    party: str
    kind: str  # "red lines", "reservation" or "ratification"
    label: str  # e.g. "Ukraine's reservation value 0.55" or "Ukraine's referendum"
    weights: np.ndarray  # (points, options) utility of each option for this requirement
    floor: float
    forbidden: np.ndarray  # (points, options) options across its red lines


@dataclass(frozen=True)
class Zopa:
    exists: bool
    witness: np.ndarray | None
    reason: str


def requirements(problem: Problem) -> list[Requirement]:
    """Each signatory's red lines, its reservation value, and its ratifying body's test."""
    found = []
    nothing = np.zeros(problem.space.exists.shape, dtype=bool)
    for column in problem.signatories:
        party = problem.scenario.parties[column]
        found.append(
            Requirement(
                party.id,
                "red lines",
                f"{party.name}'s red lines",
                problem.utility[..., column],
                -np.inf,
                problem.red[..., column],
            )
        )
        found.append(
            Requirement(
                party.id,
                "reservation",
                f"{party.name}'s reservation value {problem.reservations[column]:.2f}",
                problem.utility[..., column],
                problem.reservations[column],
                nothing,
            )
        )
        if party.domestic is not None:
            weights = ratification_weights(problem.scenario)[:, column]
            found.append(
                Requirement(
                    party.id,
                    "ratification",
                    f"{party.name}'s {party.domestic.body} "
                    f"(threshold {party.domestic.threshold:.2f})",
                    problem.values[..., column] * weights[:, None],
                    party.domestic.threshold,
                    nothing,
                )
            )
    return found


def feasible_text(problem: Problem, needs: list[Requirement]) -> np.ndarray | None:
    """A valid package meeting every requirement, or None."""
    allowed = problem.allowed([])
    for need in needs:
        allowed &= ~need.forbidden
    floors = [integer.Floor(n.weights, n.floor) for n in needs if np.isfinite(n.floor)]
    return integer.solve(problem, allowed, floors=floors)


def zopa(problem: Problem) -> Zopa:
    """Exact ZOPA test with a witness, or an irreducible set of conflicting requirements."""
    needs = requirements(problem)
    witness = feasible_text(problem, needs)
    if witness is not None:
        return Zopa(
            True,
            witness,
            "a valid text meets every signatory's reservation value, "
            "red lines and ratification test",
        )
    # deletion filter: drop each requirement the conflict does not need, trying the
    # ratification tests first and red lines last, so red lines explain when they can
    order = {"ratification": 0, "reservation": 1, "red lines": 2}
    conflict = sorted(needs, key=lambda n: order[n.kind])
    for need in list(conflict):
        trial = [n for n in conflict if n is not need]
        if trial and feasible_text(problem, trial) is None:
            conflict = trial
    names = " and ".join(n.label for n in conflict)
    if len(conflict) == 1:
        reason = f"no valid text can satisfy {names}"
    else:
        reason = f"no valid text can satisfy {names} together"
    return Zopa(False, None, reason)


def ratified(problem: Problem, package: np.ndarray) -> dict[str, bool]:
    """For each signatory with a domestic constraint: would its ratifying body pass it?"""
    rows = np.arange(len(package))
    return {
        need.party: bool(at_least(need.weights[rows, package].sum(), need.floor))
        for need in requirements(problem)
        if need.kind == "ratification"
    }
