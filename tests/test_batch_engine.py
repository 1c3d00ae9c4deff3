"""The batch engine's contract: run i of a batch ends as `sim.run(scenario_i, seed_i)` does,
with the same status, round, party, package, sentence, utilities and reservations, on
every scenario of the library and the tests, under both protocols, with the numbers
differing from run to run within one batch (docs/engine.md)."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from random_scenarios import random_scenario

import sim
from sim.negotiation.batch import batch_outcomes
from sim.negotiation.batch.runs import structure_of
from sim.negotiation.runner import outcomes

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "scenarios").glob("*.yaml")
)


def with_protocol(scenario, **settings):
    return replace(scenario, protocol=replace(scenario.protocol, **settings))


def assert_same_runs(scenarios, seeds):
    """Each run of one batch against its own Mesa model, field by field."""
    got = batch_outcomes(scenarios, seeds)
    for scenario, seed, outcome in zip(scenarios, seeds, got, strict=True):
        expected = sim.run(scenario, seed=seed).outcome
        assert outcome == expected, (scenario.name, seed)


@pytest.mark.parametrize("protocol", ["mediated", "alternating"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_scenario_runs_as_its_mesa_model(path, protocol):
    scenario = with_protocol(sim.load_scenario(path), name=protocol)
    seeds = list(range(6 if protocol == "alternating" else 10))
    assert_same_runs([scenario] * len(seeds), seeds)


@pytest.mark.parametrize("name", ["baseline", "two_level_ratification", "strong_us_pressure"])
def test_a_mediator_that_does_not_listen_runs_as_its_mesa_model(name):
    scenario = with_protocol(sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml"), learning=False)
    assert_same_runs([scenario] * 8, list(range(8)))


def varied(scenario, rng: np.random.Generator):
    """The scenario with many of its numbers drawn anew: what a sweep varies."""
    parties = []
    for party in scenario.parties:
        influence = tuple(
            replace(k, strength=float(rng.uniform(0, 0.01)), cost=float(rng.uniform(0, 0.002)))
            for k in party.influence
        )
        domestic = party.domestic and replace(
            party.domestic, threshold=float(rng.uniform(0.3, 0.8))
        )
        parties.append(
            replace(
                party,
                reservation=float(rng.uniform(0.1, 0.7)),
                reservation_noise=float(rng.choice([0.0, 0.02])),
                tactic=replace(party.tactic, beta=float(rng.uniform(0.3, 3))),
                influence=influence,
                domestic=domestic,
            )
        )
    protocol = replace(
        scenario.protocol,
        bias=float(rng.uniform(0, 0.5)),
        belief_noise=float(rng.choice([0.0, 0.05, 0.1])),
        max_changes=int(rng.integers(0, 4)),
        exploration=float(rng.uniform(0, 8)),
        lambda_growth=float(rng.uniform(0, 0.3)),
    )
    deadline = int(rng.integers(20, 61))
    return replace(scenario, parties=tuple(parties), protocol=protocol, deadline=deadline)


@pytest.mark.parametrize("protocol", ["mediated", "alternating"])
def test_runs_of_one_batch_may_differ_in_every_number(protocol):
    base = with_protocol(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), name=protocol)
    rng = np.random.default_rng(12)
    scenarios = [varied(base, rng) for _ in range(10)]
    assert len({structure_of(s) for s in scenarios}) == 1  # one batch
    assert_same_runs(scenarios, list(range(100, 110)))


@pytest.mark.parametrize("seed", range(8))
def test_random_scenarios_run_as_their_mesa_models(seed):
    rng = np.random.default_rng(seed)
    scenario = random_scenario(rng, domestic=seed % 2 == 1, fixed=seed % 4 == 3, grid=seed > 5)
    scenario = with_protocol(scenario, belief_noise=float(rng.choice([0.0, 0.05])))
    for protocol in ("mediated", "alternating"):
        alike = with_protocol(scenario, name=protocol)
        assert_same_runs([alike] * 6, list(range(6)))


def test_runs_of_different_structures_are_batched_apart_and_kept_in_order():
    tiny = sim.load_scenario(ROOT / "tests" / "scenarios" / "tiny.yaml")
    other = with_protocol(tiny, name="alternating")
    scenarios = [tiny, other, tiny, other]
    assert_same_runs(scenarios, [1, 2, 3, 4])


def test_outcomes_are_the_same_from_either_engine_and_any_number_of_workers():
    scenario = sim.load_scenario(ROOT / "scenarios" / "first_lesson.yaml")
    seeds = range(1, 13)
    mesa = outcomes(scenario, seeds, engine="mesa")
    assert outcomes(scenario, seeds) == mesa
    assert outcomes(scenario, seeds, jobs=2) == mesa
    with pytest.raises(ValueError, match="engine"):
        outcomes(scenario, seeds, engine="fast")


def test_a_long_list_of_runs_is_split_into_batches_bounded_by_memory(monkeypatch):
    import sim.negotiation.batch as batch

    tiny = sim.load_scenario(ROOT / "tests" / "scenarios" / "tiny.yaml")
    monkeypatch.setattr(batch, "MAX_BATCH", 3)
    assert batch.batch_size(tiny) == 3
    assert_same_runs([tiny] * 7, list(range(7)))  # batches of 3, 3 and 1
    monkeypatch.setattr(batch, "BATCH_BYTES", 1)
    assert batch.batch_size(tiny) == 1
    monkeypatch.setattr(batch, "MAX_BATCH", 1024)
    monkeypatch.setattr(batch, "BATCH_BYTES", 10_000_000)
    wide = random_scenario(np.random.default_rng(0), n_points=(12, 12), n_options=(4, 4))
    assert 1 < batch.batch_size(wide) < batch.batch_size(replace(wide, points=wide.points[:3]))
