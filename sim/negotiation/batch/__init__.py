"""The batch engine: many runs of one scenario structure stepped together as arrays,
run for run equal to the Mesa model (docs/engine.md)."""

from __future__ import annotations

from collections.abc import Sequence

from ...scenario.data import Scenario
from ..outcome import Outcome
from .engine import BatchNegotiation
from .runs import RunSet, structure_of

MAX_BATCH = 1024  # runs stepped together: enough to share each numpy call (docs/engine.md)
BATCH_BYTES = 256_000_000  # about what one batch's arrays may take, whatever the sweep's size


def batch_size(scenario: Scenario) -> int:
    """Runs of this scenario in one batch: MAX_BATCH, or fewer where a run's arrays (its
    belief draws, means and variances, tables and the hill climb's scores) are large."""
    parties = len(scenario.parties)
    columns = parties + sum(1 for p in scenario.parties if p.domestic)
    cells = len(scenario.points) * max(len(p.options) for p in scenario.points)
    per_run = 8 * cells * (3 * parties * parties + 16 * columns)
    return max(1, min(MAX_BATCH, BATCH_BYTES // per_run))


def batch_outcomes(scenarios: Sequence[Scenario], seeds: Sequence[int]) -> list[Outcome]:
    """Outcome i is `sim.run(scenarios[i], seed=seeds[i]).outcome`: runs are grouped by
    structure (`structure_of`) and stepped in batches of at most `batch_size` runs."""
    scenarios, seeds = list(scenarios), list(seeds)
    if len(scenarios) != len(seeds):
        raise ValueError("one seed per scenario")
    groups: dict[tuple, list[int]] = {}
    structures: dict[int, tuple] = {}  # an outcome mix repeats one scenario over its seeds
    for i, scenario in enumerate(scenarios):
        if id(scenario) not in structures:
            structures[id(scenario)] = structure_of(scenario)
        groups.setdefault(structures[id(scenario)], []).append(i)
    found: list[Outcome | None] = [None] * len(scenarios)
    for members in groups.values():
        size = batch_size(scenarios[members[0]])
        for start in range(0, len(members), size):
            part = members[start : start + size]
            runs = RunSet([scenarios[i] for i in part], [seeds[i] for i in part])
            for i, outcome in zip(part, BatchNegotiation(runs).run(), strict=True):
                found[i] = outcome
    return found
