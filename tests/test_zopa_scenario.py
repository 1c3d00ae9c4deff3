"""A scenario built without a zone of possible agreement: the analysis says so, with the
reason, and the model never reaches agreement on it."""

from pathlib import Path

import sim
from sim.analysis import Problem, analyze, zopa

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def test_no_zopa_is_reported_with_the_conflicting_red_lines():
    problem = Problem.from_scenario(sim.load_scenario(SCENARIOS / "no_zopa.yaml"))
    found = zopa(problem)
    assert not found.exists
    assert found.witness is None
    assert "Ukraine's red lines" in found.reason and "Russia's red lines" in found.reason
    result = analyze(problem)
    assert result["pareto"]["points"] == []
    assert result["nash"]["package"] is None


def test_no_zopa_never_ends_in_agreement_over_50_seeds():
    scenario = sim.load_scenario(SCENARIOS / "no_zopa.yaml")
    statuses = {sim.run(scenario, seed=seed).outcome.status for seed in range(1, 51)}
    assert "agreement" not in statuses
    assert statuses <= {"no_deal", "walkout", "escalation"}


def test_the_baseline_has_a_zopa_and_its_witness_is_acceptable_to_both():
    scenario = sim.load_scenario(SCENARIOS / "baseline.yaml")
    problem = Problem.from_scenario(scenario)
    found = zopa(problem)
    assert found.exists
    for column in problem.signatories:
        assert problem.utilities(found.witness, [column])[0] >= problem.reservations[column]
        assert not problem.red[range(len(found.witness)), found.witness, column].any()
    assert problem.space.is_valid(found.witness)
