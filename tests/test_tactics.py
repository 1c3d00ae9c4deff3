"""Concession tactics: Faratin et al.'s time-dependent formula and tit-for-tat."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.analysis import Problem, zopa
from sim.negotiation.tactics import TACTICS, Situation, aspiration, register_tactic
from sim.scenario.data import PROTOCOLS, TACTIC_NAMES, Tactic
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


# -- every tactic under every protocol (issue 11) -----------------------------------------
LIBRARY = sorted(Path(__file__).parent.parent.joinpath("scenarios").glob("*.yaml"))
FOUR = "tests/scenarios/tit_for_tat_four.yaml"
TIT_FOR_TAT_RUSSIA = {"parties.russia.tactic.name": "tit_for_tat"}


def agreements(path, overrides, seeds) -> int:
    scenario = sim.load_scenario(path, overrides)
    return sum(sim.run(scenario, seed=s).outcome.status == "agreement" for s in seeds)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("tactic", sorted(TACTIC_NAMES - {"stubborn_for_test"}))
@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_every_tactic_can_agree_under_every_protocol_where_a_deal_exists(path, tactic, protocol):
    """The last signatory (Russia in the library) plays the tactic; where the scenario has
    a ZOPA some seed agrees, and where it has none no seed does."""
    scenario = sim.load_scenario(path)
    last = scenario.signatories[-1].id
    settings = {f"parties.{last}.tactic.name": tactic, "protocol.name": protocol}
    found = agreements(path, settings, range(1, 6))
    assert (found > 0) == zopa(Problem.from_scenario(scenario)).exists


@pytest.mark.parametrize("learning", [True, False])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_tit_for_tat_returns_acceptances_under_a_single_text(protocol, learning):
    """Four parties, one on tit-for-tat (0 of 30 seeds agreed under the single text when
    the tactic returned changes of the text): the others' acceptances are the concessions
    it returns, so all 30 seeds agree, with or without a listening mediator."""
    settings = {"protocol.name": protocol, "protocol.learning": learning}
    assert agreements(FOUR, settings, range(1, 31)) == 30


def test_a_mediator_that_does_not_listen_leaves_a_tit_for_tat_holdout_waiting():
    """first_lesson's text gives Russia less than Ukraine has conceded: only a mediator
    that answers a lone holdout moves it within the ten rounds."""
    deaf = {"protocol.learning": False}
    lesson = "scenarios/first_lesson.yaml"
    assert agreements(lesson, TIT_FOR_TAT_RUSSIA, range(1, 6)) == 5
    assert agreements(lesson, {**TIT_FOR_TAT_RUSSIA, **deaf}, range(1, 6)) == 0


def test_tit_for_tat_concedes_what_the_others_showed_by_accepting():
    """In first_lesson Ukraine accepts a text worth 0.65 to it (a concession of 0.35 from
    the aspiration of 1 every party starts with); tit-for-tat Russia returns exactly that."""
    scenario = sim.load_scenario("scenarios/first_lesson.yaml", TIT_FOR_TAT_RUSSIA)
    rounds = sim.run(scenario, seed=1).rounds.set_index(["round", "party"])
    first = int(rounds.xs("ukraine", level="party").query("accepted").index[0])
    ukraine_gave = 1 - rounds.loc[(first, "ukraine"), "utility"]
    assert rounds.loc[(first, "russia"), "aspiration"] == 1.0
    assert rounds.loc[(first + 1, "russia"), "aspiration"] == pytest.approx(1 - ukraine_gave)
