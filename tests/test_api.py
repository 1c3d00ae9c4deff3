"""`import sim` from Python or a notebook: what it offers and how it answers wrong calls."""

from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.mark.parametrize("path", [str(TINY), TINY], ids=["str", "Path"])
def test_run_takes_the_path_of_a_scenario_file(path):
    by_path = sim.run(path, seed=2)
    by_scenario = sim.run(sim.load_scenario(TINY), seed=2)
    assert by_path.outcome == by_scenario.outcome


@pytest.mark.parametrize("wrong", [42, None, {"name": "tiny"}, b"tiny.yaml"])
def test_run_of_anything_else_is_a_type_error_naming_what_it_takes(wrong):
    with pytest.raises(TypeError, match=r"takes a Scenario .* or the path of a scenario file"):
        sim.run(wrong)


def test_dir_lists_the_lazily_loaded_names():
    assert {"run", "sweep", "RunResult", "load_scenario", "ScenarioError"} <= set(dir(sim))
    assert set(sim.__all__) <= set(dir(sim))


def test_a_scenario_repr_is_one_short_line():
    scenario = sim.load_scenario(BASELINE)
    assert repr(scenario) == (
        "Scenario(name='baseline', points=20, parties=4, protocol='mediated', deadline=60)"
    )
