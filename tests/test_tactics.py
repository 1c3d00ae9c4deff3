"""Concession tactics: Faratin et al.'s time-dependent formula and tit-for-tat."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.negotiation.tactics import TACTICS, Situation, aspiration, register_tactic
from sim.scenario.data import TACTIC_NAMES, Tactic
from sim.scenario.errors import ScenarioError

TINY = "tests/scenarios/tiny.yaml"


def situation(time=0.0, reservation=0.3, previous=1.0, concession=0.0):
    return Situation(time, reservation, previous, concession)


@pytest.mark.parametrize(
    ("beta", "time", "expected"),
    [
        (1.0, 0.5, 0.3 + 0.7 * 0.5),  # linear
        (0.5, 0.5, 0.3 + 0.7 * (1 - 0.25)),  # Boulware: (t/T)^(1/beta) = 0.5^2
        (2.0, 0.5, 0.3 + 0.7 * (1 - 0.5**0.5)),  # Conceder
        (1.0, 0.0, 1.0),
        (1.0, 1.0, 0.3),
        (1.0, 1.7, 0.3),  # past the deadline: stays at the reservation value
    ],
)
def test_time_dependent_follows_faratin_formula(beta, time, expected):
    value = aspiration(Tactic("time_dependent", beta=beta), situation(time))
    assert value == pytest.approx(expected)


@given(st.floats(0.0, 1.0), st.floats(0.0, 0.9), st.floats(0.05, 10.0), st.floats(0.05, 10.0))
def test_time_dependent_lies_between_reservation_and_one_and_boulware_holds_out(
    time, reservation, beta_a, beta_b
):
    low, high = sorted((beta_a, beta_b))
    boulware = aspiration(Tactic(beta=low), situation(time, reservation))
    conceder = aspiration(Tactic(beta=high), situation(time, reservation))
    assert reservation - 1e-12 <= conceder <= boulware + 1e-12 <= 1.0 + 1e-12


def test_tit_for_tat_returns_the_others_concession_times_reciprocity():
    tactic = Tactic("tit_for_tat", reciprocity=0.5)
    assert aspiration(tactic, situation(previous=0.9, concession=0.1)) == pytest.approx(0.85)
    assert aspiration(tactic, situation(previous=0.9, concession=-0.2)) == pytest.approx(1.0)
    assert aspiration(tactic, situation(previous=0.32, reservation=0.3, concession=0.1)) == 0.3


def test_every_name_a_scenario_may_give_has_a_rule():
    assert set(TACTICS) == TACTIC_NAMES


def test_tactics_are_pluggable_by_name():
    naming_it = ["parties.a.tactic.name=stubborn_for_test"]
    with pytest.raises(ScenarioError, match="stubborn_for_test"):
        sim.load_scenario(TINY, naming_it)

    @register_tactic("stubborn_for_test")
    def stubborn(tactic, now):
        return 1.0

    try:
        assert aspiration(Tactic("stubborn_for_test"), situation(time=0.9)) == 1.0
        party = sim.load_scenario(TINY, naming_it).party("a")
        assert party.tactic.name == "stubborn_for_test"
    finally:
        del TACTICS["stubborn_for_test"]
        TACTIC_NAMES.discard("stubborn_for_test")
