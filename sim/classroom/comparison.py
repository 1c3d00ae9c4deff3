"""How a player did against the model: the party's own agent in the same chair, 50 seeds.

A party's *result* is its utility of the agreement or, without one, its reservation value
at the end: what no deal is worth to it. The model's runs use seeds 1-50 whatever the
player's seed, so every player of a scenario is measured against the same 50 runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..negotiation.outcome import Outcome
from ..negotiation.runner import outcomes, run
from ..scenario.data import Scenario

SEEDS = tuple(range(1, 51))
TIE = 1e-9


def result_value(outcome: Outcome, party: str) -> float:
    """The party's utility of the agreement, or its reservation value without one."""
    if outcome.status == "agreement":
        return outcome.utilities[party]
    return outcome.reservations[party]


@dataclass(frozen=True)
class Comparison:
    """The player's outcome against the model's agent in the same chair."""

    party: str
    player: Outcome
    seeds: tuple[int, ...]
    model: tuple[Outcome, ...]  # the model-only run of each seed
    same_seed: Outcome  # the model-only run with the player's seed

    @property
    def player_value(self) -> float:
        return result_value(self.player, self.party)

    @property
    def values(self) -> list[float]:
        return [result_value(o, self.party) for o in self.model]

    @property
    def agreements(self) -> int:
        return sum(o.status == "agreement" for o in self.model)

    @property
    def mean_value(self) -> float:
        return sum(self.values) / len(self.values)

    @property
    def better_than(self) -> int:
        """Model runs whose result the player's beats."""
        return sum(v < self.player_value - TIE for v in self.values)

    @property
    def rank(self) -> int:
        """The player's place among the model's runs and theirs (1 = best, ties share)."""
        return 1 + sum(v > self.player_value + TIE for v in self.values)


def compare(scenario: Scenario, party: str, player: Outcome, seeds=SEEDS) -> Comparison:
    """Run the model without a player for each seed (and the player's own seed)."""
    model = tuple(outcomes(scenario, seeds))
    by_seed = dict(zip(seeds, model, strict=True))
    same = by_seed.get(player.seed) or run(scenario, player.seed).outcome
    return Comparison(party, player, tuple(seeds), model, same)


def describe(outcome: Outcome, party: str) -> str:
    """'agreement in round 56, result 0.689'"""
    status = outcome.status.replace("_", " ")
    return f"{status} in round {outcome.round}, result {result_value(outcome, party):.3f}"


def comparison_text(comparison: Comparison, scenario: Scenario) -> str:
    """A few lines for the terminal: the model's record in the chair and the player's place."""
    c = comparison
    name = scenario.party(c.party).name
    seeds = f"{c.seeds[0]}-{c.seeds[-1]}" if c.seeds == SEEDS else ", ".join(map(str, c.seeds))
    n = len(c.seeds)
    return "\n".join(
        [
            f"  You against the model's {name} in the same chair (seeds {seeds}):",
            f"    the model: agreement in {c.agreements} of {n} runs "
            f"({c.agreements / n:.0%}), mean result {c.mean_value:.3f}",
            f"    the model with your seed ({c.player.seed}): {describe(c.same_seed, c.party)}",
            f"    you: {describe(c.player, c.party)}; rank {c.rank} of {n + 1}, "
            f"better than {c.better_than} of the model's {n} runs",
            "    (a result is the utility of the agreement or, without one, the reservation "
            "value: what no deal is worth)",
        ]
    )
