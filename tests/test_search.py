"""The mediator's text search and the space's move masks against brute force."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from random_scenarios import assert_moves_match_brute_force, random_scenario

from sim.negotiation import text_search as search
from sim.negotiation.model import NegotiationModel
from sim.negotiation.outcome_space import OutcomeSpace


def small_model(seed):
    """A random small scenario's model, or None when its links leave no valid text."""
    scenario = random_scenario(np.random.default_rng(seed))
    if len(OutcomeSpace.from_scenario(scenario).all_packages()) == 0:
        return None
    return NegotiationModel(scenario, seed)


def brute_force_best(model, score):
    table = model.beliefs.tables[model.mediator.row]
    packages = model.space.all_packages()
    values = np.array([float(score(search.utilities(table, p))) for p in packages])
    return packages, values


@pytest.mark.parametrize("block", range(6))
def test_mediator_draft_is_the_brute_force_optimum_on_small_spaces(block):
    checked = 0
    for seed in range(block * 50, block * 50 + 50):
        model = small_model(seed)
        if model is None:
            continue
        score = model.mediator.objective()
        _, values = brute_force_best(model, score)
        draft = model.mediator.draft_text(model.text)
        table = model.beliefs.tables[model.mediator.row]
        assert model.space.is_valid(draft)
        assert float(score(search.utilities(table, draft))) == pytest.approx(values.max(), abs=1e-9)
        checked += 1
    assert checked >= 45


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_revision_changes_at_most_max_changes_points_and_never_lowers_the_objective(seed, limit):
    model = small_model(seed)
    assume(model is not None)
    mediator = model.mediator
    score = mediator.objective()
    table = model.beliefs.tables[mediator.row]
    start = model.space.all_packages()[seed % len(model.space.all_packages())]
    revised = search.hill_climb(model.space, table, score, start, model.locked, limit)
    assert np.count_nonzero(revised != start) <= limit
    assert model.space.is_valid(revised)
    assert score(search.utilities(table, revised)) >= score(search.utilities(table, start))


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**6))
def test_single_and_pair_move_masks_match_brute_force_validity(seed):
    scenario = random_scenario(np.random.default_rng(seed))
    space = OutcomeSpace.from_scenario(scenario)
    valid = space.all_packages()
    assume(len(valid) > 0)
    package = valid[seed % len(valid)]
    assert_moves_match_brute_force(space, package)


def test_soft_log_is_the_log_above_the_floor_and_continuous_below():
    surplus = np.array([0.5, search.FLOOR, search.FLOOR / 2, -0.2])
    values = search.soft_log(surplus)
    assert values[0] == pytest.approx(np.log(0.5))
    assert values[1] == pytest.approx(np.log(search.FLOOR))
    assert values[2] < values[1]
    assert values[3] < values[2]
    assert search.soft_log(np.array([search.FLOOR - 1e-12]))[0] == pytest.approx(
        np.log(search.FLOOR), abs=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3) | st.sampled_from([search.FLOOR, 0.0]), min_size=1))
def test_soft_log_is_its_definition_to_the_last_bit(surplus):
    """The vectorised soft log equals log(s) at or above FLOOR and log(FLOOR) + (s -
    FLOOR) / FLOOR below it, element by element, whatever else the array holds."""
    floor = search.FLOOR
    expected = [np.log(s) if s >= floor else np.log(floor) + (s - floor) / floor for s in surplus]
    assert search.soft_log(np.array(surplus)).tolist() == expected


def test_nash_score_ranks_texts_like_the_weighted_nash_product():
    rng = np.random.default_rng(5)
    u = rng.uniform(0.4, 1.0, size=(200, 3))
    reservations = np.array([0.1, 0.2, 0.3])
    weights = np.array([1.0, 2.0, 1.5])
    product = np.prod((u - reservations) ** weights, axis=1)
    score = search.nash_score([0, 1, 2], reservations, weights)(u)
    assert np.array_equal(np.argsort(product), np.argsort(score))


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**6))
def test_repair_finds_a_valid_text_exactly_when_one_exists(seed):
    scenario = random_scenario(np.random.default_rng(seed))
    space = OutcomeSpace.from_scenario(scenario)
    start = np.zeros(space.n_points, dtype=int)
    repaired = space.repair(start, np.zeros(space.exists.shape))
    exists = len(space.all_packages()) > 0
    assert (repaired is not None) == exists
    if repaired is not None:
        assert space.is_valid(repaired)
        unlinked = [
            p for p in range(space.n_points) if p not in set(space.link_if) | set(space.link_then)
        ]
        assert np.array_equal(repaired[unlinked], start[unlinked])
