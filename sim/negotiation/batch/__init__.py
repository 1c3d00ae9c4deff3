"""The batch engine: many runs of one scenario structure stepped together as arrays,
run for run equal to the Mesa model (docs/engine.md)."""

from __future__ import annotations

from collections.abc import Sequence

from ...scenario.data import Scenario
from ..outcome import Outcome
from .engine import BatchNegotiation
from .runs import RunSet, structure_of

MAX_BATCH = 1024  # runs stepped together: enough to share each numpy call, few enough
# that a batch's arrays stay within tens of megabytes (docs/engine.md)


def batch_outcomes(scenarios: Sequence[Scenario], seeds: Sequence[int]) -> list[Outcome]:
    """Outcome i is `sim.run(scenarios[i], seed=seeds[i]).outcome`: runs are grouped by
    structure (`structure_of`) and stepped in batches of at most MAX_BATCH."""
    scenarios, seeds = list(scenarios), list(seeds)
    if len(scenarios) != len(seeds):
        raise ValueError("one seed per scenario")
    groups: dict[tuple, list[int]] = {}
    for i, scenario in enumerate(scenarios):
        groups.setdefault(structure_of(scenario), []).append(i)
    found: list[Outcome | None] = [None] * len(scenarios)
    for members in groups.values():
        for start in range(0, len(members), MAX_BATCH):
            part = members[start : start + MAX_BATCH]
            runs = RunSet([scenarios[i] for i in part], [seeds[i] for i in part])
            for i, outcome in zip(part, BatchNegotiation(runs).run(), strict=True):
                found[i] = outcome
    return found
