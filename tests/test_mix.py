"""The outcome mix of a scenario over many seeds (`sim.mix`, `negsim mix`)."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.negotiation.runner import outcomes
from sim.reporting.mix import STATUSES, mix_of, wilson_interval

TINY = "tests/scenarios/tiny.yaml"
BASELINE = "scenarios/baseline.yaml"


def test_the_wilson_interval_matches_its_textbook_values():
    # Wilson (1927), worked by hand with z = 1.96: centre (p + z^2/2n) / (1 + z^2/n)
    assert wilson_interval(0, 50) == pytest.approx((0.0, 0.0713), abs=1e-4)
    assert wilson_interval(34, 50) == pytest.approx((0.5419, 0.7924), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)


@given(runs=st.integers(1, 10_000), data=st.data())
def test_an_interval_holds_its_share_and_narrows_with_more_runs(runs, data):
    hits = data.draw(st.integers(0, runs))
    low, high = wilson_interval(hits, runs)
    assert 0 <= low <= hits / runs <= high <= 1
    more_low, more_high = wilson_interval(4 * hits, 4 * runs)
    assert more_high - more_low < high - low


def test_the_mix_counts_each_seeds_run_once():
    scenario = sim.load_scenario(BASELINE)
    seeds = range(3, 13)
    found = sim.mix(BASELINE, seeds)
    runs = [sim.run(scenario, seed=s).outcome for s in seeds]
    deals = [o for o in runs if o.status == "agreement"]
    assert found.counts == dict(Counter(o.status for o in runs))
    assert found.seeds == tuple(seeds)
    assert found.agreement_round == pytest.approx(sum(o.round for o in deals) / len(deals))
    ukraine = [o.utilities["ukraine"] for o in deals]
    assert found.agreement_utility["ukraine"] == pytest.approx(sum(ukraine) / len(ukraine))
    for point, (option, count) in found.settled.items():
        chosen = Counter(o.package[point] for o in deals)
        assert count == max(chosen.values()) and chosen[option] == count


def test_outcomes_on_workers_are_the_outcomes_in_this_process():
    scenario = sim.load_scenario(TINY)
    seeds = range(1, 25)
    assert outcomes(scenario, seeds, jobs=2) == outcomes(scenario, seeds, jobs=1)


def test_a_mix_without_agreements_settles_nothing():
    scenario = sim.load_scenario("scenarios/no_zopa.yaml", {"deadline": 5})
    found = mix_of(scenario, outcomes(scenario, range(1, 4)))
    assert found.counts == {"no_deal": 3}
    assert found.agreement_round is None and found.settled == {} and found.agreement_utility == {}


def negsim(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_negsim_mix_prints_each_ending_with_its_interval():
    result = negsim("mix", TINY, "--seeds", "1-12")
    assert result.exit_code == 0, result.output
    assert "12 runs (seeds 1-12)" in result.output
    expected = sim.mix(TINY, range(1, 13))
    for status in STATUSES:
        low, high = expected.interval(status)
        assert f"(95%: {low:.1%}-{high:.1%})" in result.output


def test_negsim_mix_json_is_the_mix_and_takes_the_variant_options():
    result = negsim("mix", TINY, "--seeds", "6", "--json", "--protocol", "alternating")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    expected = sim.mix(sim.load_scenario(TINY, ["protocol.name=alternating"]), range(1, 7))
    assert found == json.loads(json.dumps(expected.as_dict()))
    assert found["seeds"] == [1, 6] and found["runs"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seeds", "9-3"], "expected 0 <= A <= B"),
        (["--seeds", "many"], "expected A-B or N"),
        (["--seeds", "1-2000000"], "at most 1,000,000 seeds"),
        (["--set", "parties.a.reservaton=0.5"], "did you mean 'reservation'"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_negsim_mix_refuses_bad_input_in_one_line(args, message):
    result = negsim("mix", TINY, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_outcome_mix_by_the_batch_engine_loads_no_mesa():
    """`negsim mix` answers in seconds partly because the batch engine's modules import
    neither Mesa nor pandas; the Mesa engine still does."""
    program = (
        "import sys, sim\n"
        "from sim.negotiation.runner import outcomes\n"
        "scenario = sim.load_scenario('scenarios/baseline.yaml')\n"
        "outcomes(scenario, range(3))\n"
        "print(sorted({'mesa', 'pandas'} & set(sys.modules)))\n"
        "outcomes(scenario, range(1), engine='mesa')\n"
        "print(sorted({'mesa', 'pandas'} & set(sys.modules)))\n"
    )
    root = Path(__file__).resolve().parent.parent
    shown = subprocess.run(
        [sys.executable, "-c", program], cwd=root, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert shown == ["[]", "['mesa', 'pandas']"]
