"""Running one negotiation: the function behind `sim.run` and `negsim run`."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ..scenario.data import ENGINES, Scenario
from ..scenario.loader import load_scenario
from .outcome import Outcome

if TYPE_CHECKING:
    from .chair import Chair
    from .model import NegotiationModel


@dataclass
class RunResult:
    """A finished run: its outcome and the model, whose DataCollector holds every round."""

    outcome: Outcome
    model: NegotiationModel

    @cached_property
    def rounds(self):
        """One row per round and party, with the standing text's option on every point
        (a pandas DataFrame built from Mesa's DataCollector tables)."""
        collector = self.model.datacollector
        agents = collector.get_agent_vars_dataframe().reset_index()
        agents = agents.rename(columns={agents.columns[0]: "round"}).drop(columns="AgentID")
        # Mesa 3.5 gives the step as a float; the CSV must not depend on Mesa's version
        agents["round"] = agents["round"].astype("int64")
        texts = collector.get_model_vars_dataframe()
        texts.insert(0, "round", range(1, len(texts) + 1))
        points = texts["text"].str.split(",", expand=True)
        points.columns = self.model.point_ids
        table = agents.merge(texts.drop(columns="text").join(points), on="round")
        return table


def run(
    scenario: Scenario | str | os.PathLike,
    seed: int | None = None,
    chairs: Mapping[str, Chair] | None = None,
) -> RunResult:
    """Negotiate until agreement, walkout, escalation or the deadline. Same scenario and
    seed give the same run, bit for bit (all randomness comes from the model's rng).
    `scenario` is a Scenario or the path of a scenario file; `chairs` seats players in
    signatories' chairs (see `sim.negotiation.chair`, `sim.classroom.play`)."""
    if isinstance(scenario, str | os.PathLike):
        scenario = load_scenario(scenario)
    elif not isinstance(scenario, Scenario):
        raise TypeError(
            "run() takes a Scenario (sim.load_scenario) or the path of a scenario file, "
            f"not {type(scenario).__name__}"
        )
    from .model import NegotiationModel  # Mesa loads here: the batch engine needs none of it

    model = NegotiationModel(scenario, seed, chairs)
    while model.running:
        model.step()
    return RunResult(Outcome.of(model), model)


def outcomes(
    scenario: Scenario, seeds: Sequence[int], jobs: int = 1, engine: str = "batch"
) -> list[Outcome]:
    """The outcome of one run per seed, in seed order: the one place the many runs of one
    scenario are made (the outcome mix, the page's compare, a player's comparison), by
    the batch engine (or one Mesa model per run: `engine="mesa"`), on `jobs` worker
    processes when more than one. Same scenario and seeds, same outcomes, either engine."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    seeds = list(seeds)
    if jobs <= 1 or len(seeds) < 2 * jobs:
        return _outcomes_of(scenario, seeds, engine)
    parts = jobs if engine == "batch" else 4 * jobs  # Mesa: four a worker, none holds up
    share = -(-len(seeds) // parts)
    chunks = [seeds[i : i + share] for i in range(0, len(seeds), share)]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        done = pool.map(_outcomes_of, [scenario] * len(chunks), chunks, [engine] * len(chunks))
        return [outcome for chunk in done for outcome in chunk]


def _outcomes_of(scenario: Scenario, seeds: list[int], engine: str) -> list[Outcome]:
    return outcomes_each([scenario] * len(seeds), seeds, engine)


def outcomes_each(
    scenarios: Sequence[Scenario], seeds: Sequence[int], engine: str = "batch"
) -> list[Outcome]:
    """Outcome i of `scenarios[i]` run with `seeds[i]`: all stepped together by the batch
    engine, or one Mesa model each (the same outcomes); what a sweep's chunk runs."""
    if engine == "batch":
        from .batch import batch_outcomes  # a report, or the Mesa engine, needs none of it

        return batch_outcomes(scenarios, seeds)
    return [run(s, seed).outcome for s, seed in zip(scenarios, seeds, strict=True)]
