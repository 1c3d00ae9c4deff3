"""Concession tactics (Faratin, Sierra & Jennings 1998), pluggable by name.

A tactic maps a party's situation to its aspiration: the lowest utility it will accept now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..scenario.data import TACTIC_NAMES, Tactic


@dataclass(frozen=True)
class Situation:
    """What a tactic may look at in one round."""

    time: float  # t / T in [0, 1], pressure on concession included
    reservation: float
    previous_aspiration: float
    others_concession: float  # mean concession the other signatories revealed last round


TacticRule = Callable[[Tactic, Situation], float]
TACTICS: dict[str, TacticRule] = {}


def register_tactic(name: str) -> Callable[[TacticRule], TacticRule]:
    """Make a tactic available to scenarios under `tactic: {name: ...}`."""

    def add(rule: TacticRule) -> TacticRule:
        TACTICS[name] = rule
        TACTIC_NAMES.add(name)
        return rule

    return add


@register_tactic("time_dependent")
def time_dependent(tactic: Tactic, now: Situation) -> float:
    """aspiration(t) = r + (1 - r) * (1 - (t / T) ** (1 / beta)); beta < 1 Boulware."""
    r = now.reservation
    return r + (1 - r) * (1 - min(now.time, 1.0) ** (1 / tactic.beta))


@register_tactic("tit_for_tat")
def tit_for_tat(tactic: Tactic, now: Situation) -> float:
    """Relative tit-for-tat: give up what the others gave up, times `reciprocity`."""
    wanted = now.previous_aspiration - tactic.reciprocity * now.others_concession
    return min(1.0, max(now.reservation, wanted))


def aspiration(tactic: Tactic, now: Situation) -> float:
    return TACTICS[tactic.name](tactic, now)
