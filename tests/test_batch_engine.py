"""The batch engine's contract: run i of a batch ends as `sim.run(scenario_i, seed_i)` does,
with the same status, round, party, package, sentence, utilities and reservations, on
every scenario of the library and the tests, under both protocols, with the numbers
differing from run to run within one batch (docs/engine.md)."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


def test_texts_too_many_to_number_in_62_bits_are_remembered_whole():
    """30 points of 5 options: the tabu list keeps whole texts, not their codes."""
    from sim.negotiation.batch.memory import Memory

    rng = np.random.default_rng(30)
    scenario = random_scenario(rng, n_points=(30, 30), n_options=(5, 5), domestic=True)
    scenario = with_protocol(scenario, belief_noise=0.1, exploration=5.0)
    model = sim.negotiation.model.NegotiationModel(scenario, 0)
    assert not Memory(model.space).packed
    assert_same_runs([scenario] * 6, list(range(6)))


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


# -- the kernels, number for number: a difference in the last bit decides a near tie ----
KERNEL_SHAPES = [(20, 5, 5, [0, 1, 4, 2]), (7, 3, 4, [2, 0]), (30, 12, 9, [0, 3, 4, 5, 6, 7, 8, 1])]


@pytest.mark.parametrize(("points", "width", "columns", "picked"), KERNEL_SHAPES)
def test_batch_scores_are_the_models_scores_to_the_last_bit(points, width, columns, picked):
    """Whole arrays, single vectors and any scattering of cells score as the model's
    `log_score` scores them in its whole array."""
    from sim.negotiation import text_search
    from sim.negotiation.batch import search

    rng = np.random.default_rng(points)
    runs = 5
    u = rng.random((runs, points, width, columns))
    pairs = rng.random((runs, 2, width, width, columns))
    reservations = rng.random((runs, len(picked))) * 0.5
    reservations[0, 0] = 0.9  # surpluses below the log's floor: its tangent
    weights = rng.random((runs, len(picked)))
    batch = search.LogScore(picked, reservations, weights)
    cells = rng.random((runs, points, width)) < 0.4
    run, point, option = np.nonzero(cells)
    scattered = batch.cells(lambda c: u[run, point, option, c], lambda values: values.take(run))
    for r in range(runs):
        model = text_search.log_score(picked, reservations[r], weights[r])
        assert np.array_equal(batch(u)[r], model(u[r]))
        assert np.array_equal(batch(pairs)[r], model(pairs[r]))
        assert batch(u[:, 0, 0])[r] == model(u[r, 0, 0])
        assert np.array_equal(scattered[run == r], model(u[r])[cells[r]])


def test_a_climbs_changes_score_as_the_models_whole_array_to_the_last_bit():
    """`ColumnTable.singles` and `.pairs` against the model's arrays of every change."""
    from sim.negotiation import text_search
    from sim.negotiation.batch import search
    from sim.negotiation.batch.moves import Moves

    scenario = random_scenario(np.random.default_rng(5), n_points=(9, 9), n_options=(4, 4))
    model = sim.negotiation.model.NegotiationModel(scenario, 0)
    space, runs = model.space, 6
    assert len(space.pair_points[0])  # linked pairs to score
    rng = np.random.default_rng(6)
    table = rng.random((runs, *model.values.shape))
    columns, reservations, weights = [0, 2, 1], rng.random((runs, 3)) * 0.4, rng.random((runs, 3))
    score = search.LogScore(columns, reservations, weights)
    packages = np.stack([model.text] * runs)
    index = np.arange(runs)
    held = search.ColumnTable.of(table)
    standing = held.standing(packages, index)
    everything = np.ones((runs, *space.exists.shape), dtype=bool)
    first, second = space.pair_points
    every_pair = np.ones((runs, len(first), space.exists.shape[1], space.exists.shape[1]), bool)
    singles = held.singles(score, index, standing, everything)
    pairs = held.pairs(score, index, standing, every_pair, Moves(space, model.locked))
    for r in range(runs):
        mine = text_search.log_score(columns, reservations[r], weights[r])
        rows = table[r][np.arange(space.n_points), packages[r]]
        assert np.array_equal(np.stack([row[:, r] for row in standing.rows], axis=-1), rows)
        whole = rows.sum(axis=0)
        assert np.array_equal([total[r] for total in standing.totals], whole)
        expected = mine(table[r] + (whole - rows)[:, None, :])
        assert np.array_equal(singles[r], expected.reshape(-1))
        rest = whole - rows[first] - rows[second]
        both = table[r][first][:, :, None, :] + table[r][second][:, None, :, :]
        assert np.array_equal(pairs[r], mine(both + rest[:, None, None]).reshape(-1))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 7))
def test_top_gains_are_the_models_stable_sort_of_kept_objections(seed, points):
    """Kept picks are the model's `argsort(-gain, kind="stable")[:3]` filtered by
    TOLERANCE, with ties, red lines (inf) and points without options (-inf)."""
    from sim.negotiation.batch.responses import top_gains
    from sim.negotiation.tolerance import TOLERANCE

    rng = np.random.default_rng(seed)
    gain = rng.choice([-np.inf, 0.0, TOLERANCE, 0.1, 0.2, np.inf], size=(40, points))
    ranked, kept = top_gains(gain.copy())
    for run in range(len(gain)):
        model = [i for i in np.argsort(-gain[run], kind="stable")[:3] if gain[run][i] > TOLERANCE]
        assert ranked[run][kept[run]].tolist() == model
        assert kept[run].tolist() == sorted(kept[run].tolist(), reverse=True)  # kept first


def test_what_listeners_believe_a_text_gives_a_party_is_the_models_sum():
    from sim.negotiation.batch.beliefs import BatchBeliefs

    scenario = with_protocol(
        sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), belief_noise=0.2
    )
    models = [sim.negotiation.model.NegotiationModel(scenario, seed) for seed in range(4)]
    model = models[0]
    beliefs = BatchBeliefs(
        np.stack([model.values] * 4),
        np.stack([model.salience] * 4),
        model.red,
        np.stack([model.domestic_weights] * 4),
        [n.row for n in model.ratifiers],
        model.space.exists,
        np.full(4, 0.2),
        np.zeros((4, 4, *model.values.shape)),
        [0, 1, 2, 3],
    )
    beliefs.mean[:] = np.stack([m.beliefs.mean for m in models])
    texts = np.random.default_rng(1).integers(0, 2, (4, len(model.point_ids)))
    rows = np.arange(len(model.point_ids))
    for party in range(4):
        got = beliefs.of_text(texts, party)
        for run, m in enumerate(models):
            assert np.array_equal(
                got[run], m.beliefs.tables[:, rows, texts[run], party].sum(axis=1)
            )


def test_a_sweep_like_spread_of_numbers_runs_as_the_mesa_model():
    """Wide ranges (belief noise to 0.2, exploration to 10, slow and fast concession):
    where a last-bit difference first showed, in a 917,504-run sweep's first 896 runs."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    rng = np.random.default_rng(2027)
    scenarios = []
    for _ in range(24):
        scenario = varied(base, rng)
        scenarios.append(
            with_protocol(
                scenario,
                belief_noise=float(rng.uniform(0, 0.2)),
                exploration=float(rng.uniform(0, 10)),
                max_changes=2,
            )
        )
    assert_same_runs(scenarios, [int(s) for s in rng.integers(0, 2**32, len(scenarios))])
    found = [
        "parties.usa.influence.ukraine.strength=0.0021142061669379474",
        "parties.usa.influence.russia.strength=0.000772413220256567",
        "parties.europe.influence.ukraine.strength=0.0004374501220881939",
        "parties.europe.influence.russia.strength=0.00016451938357204198",
        "parties.russia.reservation=0.6047426149249077",
        "parties.ukraine.reservation=0.5547508487477899",
        "parties.russia.tactic.beta=1.7691540399566292",
        "parties.ukraine.tactic.beta=1.61330355592072",
        "parties.ukraine.domestic.threshold=0.508794403448701",
        "protocol.bias=0.08771644672378898",
        "protocol.belief_noise=0.17119661439210176",
        "protocol.exploration=9.17567614465952",
    ]
    assert_same_runs([sim.load_scenario(ROOT / "scenarios" / "baseline.yaml", found)], [2830982286])


def test_a_ratifying_bodys_utility_is_the_models_to_the_last_bit():
    from sim.negotiation.batch.responses import ratification_utility

    scenario = sim.load_scenario(ROOT / "scenarios" / "two_level_ratification.yaml")
    model = sim.negotiation.model.NegotiationModel(scenario, 0)
    rng = np.random.default_rng(3)
    model.values = rng.random(model.values.shape)  # numbers with every bit in use
    model.domestic_weights = rng.random(model.domestic_weights.shape)
    ukraine = model.negotiators["ukraine"]
    texts = np.stack([rng.integers(0, model.space.n_options) for _ in range(40)])
    rows = np.arange(len(model.point_ids))
    values = model.values[rows[None, :], texts]  # (runs, points, parties)
    weights = np.broadcast_to(model.domestic_weights, (40, *model.domestic_weights.shape)).copy()
    got = ratification_utility(weights, values, ukraine.row)
    assert [ukraine.ratification_utility(text) for text in texts] == got.tolist()
