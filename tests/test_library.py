"""The classroom library: every scenario file teaches one idea, states it in a `# Lesson:` /
`# Claim:` / `# Compare:` header, and its claim holds over seeds 1-50.

Each scenario's 50 runs (and those of each comparison) are made once per module and shared
by the tests that need them. Same seed, same shocks and beliefs: claims compare two
versions of the talks seed by seed.
"""

from __future__ import annotations

import shlex
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pytest

import sim
from sim.analysis import Problem, run_efficiency, zopa

SCENARIOS = Path(__file__).parent.parent / "scenarios"
SEEDS = range(1, 51)
FIELDS = ("Lesson", "Claim", "Compare")
COMMANDS = {"run", "explain", "play", "app", "analyze", "sweep", "validate"}

CONCEDERS = ("parties.russia.tactic.beta=3", "parties.ukraine.tactic.beta=3")
HARD_PRESSURE = "parties.usa.influence.ukraine.strength=0.02"
NO_TREND = "parties.russia.batna_drift.trend=0"
WEAK_SUPPORT = "parties.europe.influence.ukraine.strength=0.001"
NO_REFERENDUM = "parties.ukraine.domestic.threshold=0"
UN_MISSION = "protocol.fixed.peacekeepers=non_nato_mission"


# -- the header ---------------------------------------------------------------------------


def library() -> list[Path]:
    return sorted(SCENARIOS.glob("*.yaml"))


def header(path: Path) -> dict[str, str]:
    """The field block at the top of a scenario file: `# Field: text`, continued on lines
    that start with `#` and two or more spaces; it ends at the first other line."""
    fields: dict[str, str] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.removeprefix("# ").partition(": ")
        if line.startswith("# ") and sep and key in FIELDS and key not in fields:
            current, fields[key] = key, value.strip()
        elif current and line.startswith("#  ") and line[3:].strip():
            fields[current] += " " + line.strip("# ")
        else:
            break
    return fields


def compare_commands(fields: dict[str, str]) -> list[list[str]]:
    """The Compare field's commands, split on `;` and then as a shell would."""
    commands = [shlex.split(text) for text in fields.get("Compare", "").split(";")]
    return [command for command in commands if command]


@pytest.mark.parametrize("path", library(), ids=lambda p: p.name)
def test_every_scenario_loads_and_opens_with_lesson_and_claim(path):
    sim.load_scenario(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# Lesson: "), "the first line must be '# Lesson: <the idea>'"
    assert lines[1].startswith("# Claim: "), "the lesson takes one line, the claim follows"
    assert not lines[3].startswith("#  "), "the claim takes one or two lines"
    fields = header(path)
    assert list(fields)[:2] == ["Lesson", "Claim"]
    assert all(len(text.split()) >= 4 for text in fields.values())


@pytest.mark.parametrize("path", library(), ids=lambda p: p.name)
def test_compare_commands_run_on_library_files_with_valid_settings(path):
    """A student can paste each Compare command: a negsim command on a library file, with
    `--set` paths that exist in it."""
    for command in compare_commands(header(path)):
        assert command[0] == "negsim" and command[1] in COMMANDS, command
        file = SCENARIOS.parent / command[2]
        assert file.parent == SCENARIOS and file.is_file(), command
        settings = [command[i + 1] for i, word in enumerate(command) if word == "--set"]
        sim.load_scenario(file, settings)


def test_every_scenario_file_has_a_lesson_test():
    assert sorted(LESSONS) == [path.name for path in library()]


# -- runs, made once per module -------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seed: int
    status: str
    round: int
    package: dict[str, str]
    utilities: dict[str, float]
    ended_by: str
    dominated: bool | None  # Pareto-dominated for the signatories (agreements, when asked)

    @property
    def agreed(self) -> bool:
        return self.status == "agreement"


@cache
def runs(name: str, *settings: str, efficiency: bool = False) -> tuple[Run, ...]:
    """The scenario's runs over seeds 1-50, with `path=value` settings applied."""
    scenario = sim.load_scenario(SCENARIOS / name, list(settings))
    made = []
    for seed in SEEDS:
        result = sim.run(scenario, seed=seed)
        o = result.outcome
        asked = efficiency and o.status == "agreement"
        dominated = run_efficiency(result)["dominated"] if asked else None
        made.append(Run(seed, o.status, o.round, o.package, o.utilities, o.ended_by, dominated))
    return tuple(made)


def same_negotiation(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """(file, *settings) pairs that differ in name and title only make the same runs, so a
    claim about one Compare command may be checked on the other's cached runs."""
    blank = {"name": "", "title": "", "description": "", "source": "", "digest": ""}
    a, b = (replace(sim.load_scenario(SCENARIOS / f, s), **blank) for f, *s in (first, second))
    return a == b


def agreements(made) -> list[Run]:
    return [r for r in made if r.agreed]


def agreeing_seeds(made) -> set[int]:
    return {r.seed for r in agreements(made)}


def mean_utility(made, party: str) -> float:
    return statistics.mean(r.utilities[party] for r in agreements(made))


def mean_round(made) -> float:
    return statistics.mean(r.round for r in agreements(made))


def both_agree(first, second) -> list[tuple[Run, Run]]:
    """Same-seed pairs in which both versions of the talks agree."""
    return [(a, b) for a, b in zip(first, second, strict=True) if a.agreed and b.agreed]


LESSONS: dict[str, Callable[[], None]] = {}


def lesson(file: str):
    """Register the test that checks the Claim of a library file."""

    def register(test):
        LESSONS[file] = test
        return test

    return register


# -- one test per lesson ---------------------------------------------------------------------


@lesson("first_lesson.yaml")
def test_first_lesson_agrees_on_the_nash_text_when_demands_meet_it():
    nash = {"territory": "freeze_line", "guarantees": "bilateral_us", "sanctions": "lifted"}
    linear = runs("first_lesson.yaml")
    fast_russia = runs("first_lesson.yaml", "parties.russia.tactic.beta=3")
    for made, round_ in ((linear, 9), (fast_russia, 6)):
        assert {(r.status, r.round) for r in made} == {("agreement", round_)}
        assert all(r.package == nash for r in made)
        assert all(r.utilities["ukraine"] == pytest.approx(0.65) for r in made)
        assert all(r.utilities["russia"] == pytest.approx(0.5) for r in made)


@lesson("baseline.yaml")
def test_baseline_deals_come_in_the_last_quarter_whatever_the_deadline():
    made, shorter = runs("baseline.yaml"), runs("baseline.yaml", "deadline=30")
    assert 25 <= len(agreements(made)) <= 40
    assert min(r.round for r in agreements(made)) > 45
    assert agreements(shorter) and min(r.round for r in agreements(shorter)) > 22
    assert {r.status for r in made + shorter} <= {"agreement", "no_deal"}


@lesson("no_zopa.yaml")
def test_no_zopa_no_pressure_or_patience_makes_a_deal():
    assert not zopa(Problem.from_scenario(sim.load_scenario(SCENARIOS / "no_zopa.yaml"))).exists
    assert not agreements(runs("no_zopa.yaml"))
    assert not agreements(runs("no_zopa.yaml", HARD_PRESSURE, *CONCEDERS))


@lesson("batna_shift.yaml")
def test_a_falling_batna_brings_deals_sooner_and_more_often():
    assert same_negotiation(("batna_shift.yaml", NO_TREND), ("baseline.yaml",))
    shifted, flat = runs("batna_shift.yaml"), runs("baseline.yaml")
    assert len(agreements(shifted)) >= len(agreements(flat)) + 5
    assert agreeing_seeds(flat) <= agreeing_seeds(shifted)
    assert all(after.round <= before.round for before, after in both_agree(flat, shifted))


@lesson("boulware_conceder.yaml")
def test_conceders_agree_sooner_but_on_similar_terms():
    boulware = runs("boulware_conceder.yaml")
    conceder = runs("boulware_conceder.yaml", *CONCEDERS)
    assert len(agreements(conceder)) >= len(agreements(boulware))
    assert mean_round(conceder) <= mean_round(boulware) - 15
    assert all(c.round < b.round for b, c in both_agree(boulware, conceder))
    for party in ("ukraine", "russia"):
        assert abs(mean_utility(conceder, party) - mean_utility(boulware, party)) < 0.03


@lesson("mediator_bias.yaml")
def test_a_biased_mediator_leaves_value_on_the_table():
    biased = runs("mediator_bias.yaml", efficiency=True)
    fair = runs("mediator_bias.yaml", "protocol.bias=0", efficiency=True)
    assert sum(r.dominated for r in agreements(biased)) >= 28
    assert sum(r.dominated for r in agreements(fair)) <= 20
    pairs = both_agree(fair, biased)
    assert all(b.utilities["usa"] >= f.utilities["usa"] for f, b in pairs)
    assert sum(b.utilities["usa"] > f.utilities["usa"] for f, b in pairs) >= 28
    assert abs(len(agreements(biased)) - len(agreements(fair))) <= 3


@lesson("strong_us_pressure.yaml")
def test_pressure_buys_an_earlier_deal_at_the_pressed_partys_cost():
    pressed, baseline = runs("strong_us_pressure.yaml"), runs("baseline.yaml")
    assert len(agreements(pressed)) >= 45
    assert agreeing_seeds(baseline) <= agreeing_seeds(pressed)
    for before, after in both_agree(baseline, pressed):
        assert after.round < before.round
        assert after.utilities["ukraine"] < before.utilities["ukraine"]


@lesson("europe_united.yaml")
def test_support_buys_better_terms_and_fewer_deals():
    united, baseline = runs("europe_united.yaml"), runs("baseline.yaml")
    assert len(agreements(united)) <= len(agreements(baseline)) - 5
    assert agreeing_seeds(united) <= agreeing_seeds(baseline)
    for before, after in both_agree(baseline, united):
        assert after.round > before.round
        assert after.utilities["ukraine"] > before.utilities["ukraine"]


@lesson("pressure_vs_support.yaml")
def test_equal_pressure_and_support_cancel_and_the_stronger_wins():
    assert same_negotiation(
        ("pressure_vs_support.yaml", WEAK_SUPPORT), ("strong_us_pressure.yaml",)
    )
    both, baseline = runs("pressure_vs_support.yaml"), runs("baseline.yaml")
    pressed = runs("strong_us_pressure.yaml")
    assert abs(len(agreements(both)) - len(agreements(baseline))) <= 5
    assert abs(mean_utility(both, "ukraine") - mean_utility(baseline, "ukraine")) < 0.03
    assert len(agreements(pressed)) >= len(agreements(both)) + 10
    assert mean_utility(pressed, "ukraine") <= mean_utility(both, "ukraine") - 0.05


@lesson("two_level_ratification.yaml")
def test_a_referendum_removes_texts_the_negotiator_would_sign():
    voted = runs("two_level_ratification.yaml")
    free = runs("two_level_ratification.yaml", NO_REFERENDUM)
    assert agreements(voted)
    assert all(r.package["territory"] == "freeze_line" for r in agreements(voted))
    zone = [r for r in agreements(free) if r.package["territory"] == "donetsk_free_zone"]
    assert len(zone) >= 8
    assert agreeing_seeds(voted) <= agreeing_seeds(free)


@lesson("peacekeepers_in_text.yaml")
def test_western_troops_in_the_text_bring_escalation():
    made, mission = runs("peacekeepers_in_text.yaml"), runs("peacekeepers_in_text.yaml", UN_MISSION)
    assert {(r.status, r.round, r.ended_by) for r in made} == {("escalation", 3, "russia")}
    assert "escalation" not in {r.status for r in mission}
    assert len(agreements(mission)) >= 25


@lesson("issue_linkage.yaml")
def test_a_link_changes_the_terms_and_makes_no_new_deal():
    linked, baseline = runs("issue_linkage.yaml"), runs("baseline.yaml")
    kept = [r for r in agreements(linked) if r.package["guarantee_mechanism"] == "bilateral_us"]
    assert all(r.package["guarantee_mechanism"] == "bilateral_us" for r in agreements(baseline))
    assert len(kept) <= 20
    assert agreeing_seeds(linked) <= agreeing_seeds(baseline)
    assert mean_utility(linked, "russia") < mean_utility(baseline, "russia")
