"""The thin-ZOPA scenarios (issue 11): by brute force over every valid text, exactly one
gives both signatories at least their reservation value, with the stated margin, and
every other text leaves one of them short by more than the tolerance."""

import itertools
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.analysis import Problem, zopa
from sim.negotiation.tolerance import TOLERANCE, at_least

SCENARIOS = Path(__file__).parent / "scenarios"

ACCEPTABLE = {"border": "middle", "troops": "peacekeepers", "aid": "loans", "timing": "open_ended"}
# file -> (each signatory's surplus at the acceptable text, smallest shortfall elsewhere)
CASES = {
    "thin_zopa.yaml": ({"a": 0.01, "b": 0.01}, 0.005),
    "thin_zopa_tight.yaml": ({"a": 0.0, "b": 0.01}, 0.005),
}


def acceptable_texts(problem: Problem) -> tuple[list[tuple[int, ...]], np.ndarray, list[float]]:
    """Every valid text meeting every signatory's reservation value; each valid text's
    signatory utilities; and for each other valid text, how far it leaves its worst-off
    signatory short."""
    columns = problem.signatories
    reservations = problem.reservations[columns]
    sizes = [len(point.options) for point in problem.scenario.points]
    found, shortfalls, table = [], [], []
    for package in itertools.product(*map(range, sizes)):
        text = np.array(package)
        assert problem.space.is_valid(text)  # no links: every package is a valid text
        utilities = problem.utilities(text, columns)
        table.append(utilities)
        if at_least(utilities, reservations).all():
            found.append(package)
        else:
            shortfalls.append(float((reservations - utilities).max()))
    return found, np.array(table), shortfalls


@pytest.mark.parametrize("name", sorted(CASES))
def test_exactly_one_text_is_acceptable_with_the_stated_margin(name):
    margins, nearest_miss = CASES[name]
    scenario = sim.load_scenario(SCENARIOS / name)
    problem = Problem.from_scenario(scenario)
    ids = [problem.scenario.parties[c].id for c in problem.signatories]
    assert ids == ["a", "b"]
    assert not problem.red.any()

    found, table, shortfalls = acceptable_texts(problem)
    assert len(table) == 3 * 4 * 3 * 4
    assert len(found) == 1
    assert problem.package_dict(found[0]) == ACCEPTABLE
    surplus = (
        problem.utilities(np.array(found[0]), problem.signatories)
        - problem.reservations[problem.signatories]
    )
    for party, value in zip(ids, surplus, strict=True):
        assert value == pytest.approx(margins[party], abs=1e-12)
    assert min(surplus) == pytest.approx(min(margins.values()), abs=1e-12)
    # every other text fails someone by far more than the tolerance
    assert min(shortfalls) > TOLERANCE
    assert min(shortfalls) == pytest.approx(nearest_miss, abs=1e-12)

    # the same utilities from the scenario's own data: normalised salience times values
    for party, column in zip(ids, problem.signatories, strict=True):
        spec = scenario.party(party)
        assert sum(spec.salience) == pytest.approx(1)
        own = sum(
            weight * values[option]
            for weight, values, option in zip(spec.salience, spec.values, found[0], strict=True)
        )
        assert own == pytest.approx(surplus[ids.index(party)] + spec.reservation, abs=1e-12)
        assert at_least(own, problem.reservations[column])

    # the exact analysis agrees: a ZOPA exists, and its witness is that text
    exact = zopa(problem)
    assert exact.exists
    assert tuple(int(k) for k in exact.witness) == found[0]


def test_the_mediator_is_neutral_and_the_two_files_differ_only_in_a_reservation():
    thin = sim.load_scenario(SCENARIOS / "thin_zopa.yaml")
    tight = sim.load_scenario(SCENARIOS / "thin_zopa_tight.yaml")
    for scenario in (thin, tight):
        mediator = scenario.party("m")
        assert mediator.role == "mediator"
        assert {v for row in mediator.values for v in row} == {0.5}
        assert scenario.protocol.name == "mediated"
        assert scenario.protocol.mediator == "m"
        assert scenario.protocol.belief_noise == 0.05
        assert scenario.deadline == 60
        assert not scenario.links
        for party in scenario.signatories:
            assert (party.tactic.name, party.tactic.beta) == ("time_dependent", 1.0)
    assert [p.values for p in thin.parties] == [p.values for p in tight.parties]
    assert (thin.party("a").reservation, tight.party("a").reservation) == (0.68, 0.69)
    assert thin.party("b").reservation == tight.party("b").reservation == 0.625
