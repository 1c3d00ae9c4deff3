"""The classroom page's pure parts: its settings and how it shows them, its model, the
standing text table, the rounds in sentences and the compare view's outcome mixes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import sim
from sim.classroom.page_data import (
    ClassroomModel,
    as_overrides,
    changed_settings,
    library,
    mix_rows,
    rounds_newest_first,
    settled_rows,
    standing_text,
    teachable_settings,
)
from sim.negotiation.outcome import Outcome
from sim.negotiation.runner import RunResult
from sim.reporting.mix import mix as outcome_mix
from sim.reporting.narrative import narrative

ROOT = Path(__file__).parent.parent
LIBRARY = library(ROOT / "scenarios")
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_the_settings_start_at_the_scenarios_own_values(path):
    """Setting every control to the value it starts at rebuilds the same scenario."""
    scenario = sim.load_scenario(path)
    values = {setting.path: setting.value for setting in teachable_settings(scenario)}
    assert sim.load_scenario(path, as_overrides(values)).digest == scenario.digest


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_every_slider_can_show_its_files_value(path):
    for setting in teachable_settings(sim.load_scenario(path)):
        if setting.kind == "Select":
            continue
        assert setting.low <= setting.value <= setting.high, setting
        notches = (setting.value - setting.low) / setting.step
        assert abs(notches - round(notches)) < 1e-6, setting


def test_the_baseline_offers_the_levers_of_the_lessons():
    paths = {s.path for s in teachable_settings(sim.load_scenario(BASELINE))}
    assert {
        "parties.ukraine.reservation",
        "parties.russia.reservation",
        "parties.ukraine.tactic.beta",
        "parties.russia.tactic.beta",
        "parties.usa.influence.ukraine.strength",
        "parties.europe.influence.ukraine.strength",
        "protocol.bias",
        "deadline",
        "protocol.name",
    } <= paths


def test_the_page_model_runs_as_negsim_run_with_the_same_settings():
    settings = {"parties.ukraine.reservation": 0.45, "protocol.bias": 0.5, "deadline": 40}
    model = ClassroomModel(BASELINE, seed=3, settings=settings)
    while model.running:
        model.step()
    expected = sim.run(sim.load_scenario(BASELINE, as_overrides(settings)), seed=3).outcome
    assert Outcome.of(model) == expected
    assert model.deadline == 40
    assert model.changed_from_file == [
        "Ukraine reservation value: 0.45 (file 0.55)",
        "United States bias as mediator: 0.50 (file 0.20)",
        "Deadline (rounds): 40 (file 60)",
    ]
    assert ClassroomModel(BASELINE).changed_from_file == []


def test_slider_float_noise_is_rounded_away_but_real_changes_are_kept():
    assert as_overrides({"parties.ukraine.tactic.beta": 0.1 + 5 * 0.1}) == [
        "parties.ukraine.tactic.beta=0.6"
    ]
    scenario = sim.load_scenario(BASELINE)
    unchanged = {s.path: s.value for s in teachable_settings(scenario)}
    noisy = {**unchanged, "parties.ukraine.tactic.beta": 0.6000000000000001}
    assert changed_settings(scenario, noisy) == []
    moved = {**unchanged, "deadline": 50, "parties.russia.reservation": 0.5}
    assert changed_settings(scenario, moved) == [
        "Russia reservation value: 0.50 (file 0.62)",
        "Deadline (rounds): 50 (file 60)",
    ]


def test_the_controls_name_the_parties_as_the_scenario_does():
    scenario = sim.load_scenario(BASELINE)
    labels = {s.path: s.label for s in teachable_settings(scenario)}
    assert labels["parties.ukraine.reservation"] == "Ukraine reservation value"
    assert labels["parties.usa.influence.ukraine.strength"] == (
        "United States pressure on Ukraine (per 100 rounds)"
    )
    assert labels["parties.europe.influence.ukraine.strength"] == (
        "European allies support on Ukraine (per 100 rounds)"
    )
    assert labels["protocol.bias"] == "United States bias as mediator"
    ids = {p.id for p in scenario.parties}
    assert not any(word in ids for label in labels.values() for word in label.split())


def test_a_pressure_per_round_is_shown_per_100_rounds():
    settings = {s.path: s for s in teachable_settings(sim.load_scenario(BASELINE))}
    pressure = settings["parties.usa.influence.russia.strength"]  # 0.0005 a round in the file
    assert (pressure.shown(pressure.value), pressure.shown(pressure.high)) == ("0.050", "0.150")
    assert settings["parties.usa.influence.ukraine.strength"].shown(0.001) == "0.10"
    assert settings["parties.ukraine.reservation"].shown(0.55) == "0.55"
    assert settings["parties.ukraine.tactic.beta"].shown(0.1 + 5 * 0.1) == "0.6"
    assert settings["deadline"].shown(50) == "50"
    assert settings["protocol.name"].shown("alternating") == "alternating"


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_every_notch_of_a_slider_shows_its_own_number_and_the_files_exactly(path):
    for setting in teachable_settings(sim.load_scenario(path)):
        if setting.kind == "Select":
            continue
        notches = round((setting.high - setting.low) / setting.step)
        shown = [setting.shown(setting.low + i * setting.step) for i in range(notches + 1)]
        assert len(set(shown)) == len(shown), setting
        assert float(setting.shown(setting.value)) == pytest.approx(setting.value * setting.per)


def test_the_standing_text_table_says_who_objects_to_what():
    model = ClassroomModel(BASELINE, seed=1)
    for _ in range(4):
        model.step()
    rows = standing_text(model)
    scenario = model.spec
    assert [row.title for row in rows] == [p.title for p in scenario.points]
    for index, (row, point) in enumerate(zip(rows, scenario.points, strict=True)):
        assert row.option == point.options[model.text[index]].label
        assert row.changed == (point.id in model.changed)
        objectors = {n.spec.name for n in model.signatories if point.id in n.objections}
        assert set(row.objectors) == objectors
    assert sum(len(row.objectors) for row in rows) == sum(
        len(n.objections) for n in model.signatories
    )


def test_an_outcome_mix_counts_each_seeds_run_once():
    scenario = sim.load_scenario(BASELINE)
    seeds = range(1, 9)
    mix = outcome_mix(scenario, seeds)
    outcomes = [sim.run(scenario, seed=s).outcome for s in seeds]
    assert mix.counts == dict(Counter(o.status for o in outcomes))
    assert mix.runs == len(seeds)
    assert mix.mean_round == pytest.approx(sum(o.round for o in outcomes) / len(seeds))
    assert mix.mean_utility["ukraine"] == pytest.approx(
        sum(o.utilities["ukraine"] for o in outcomes) / len(seeds)
    )


def test_the_rounds_are_told_newest_first_with_the_first_text_summarised():
    model = ClassroomModel(BASELINE, seed=1)
    for _ in range(4):
        model.step()
    result = RunResult(Outcome.of(model), model)
    told = rounds_newest_first(result)
    story = narrative(result)[:-1]  # the closing line is the page's status line
    assert told[:-1] == story[:0:-1]  # the later rounds, newest first, as told
    assert told[0].startswith("Round 4:")
    opening = told[-1]
    assert opening.startswith("Round 1: United States tabled the first text (20 points). ")
    assert story[0].endswith(opening.split(" (20 points)", 1)[1])  # the answers as told
    assert "Territory:" not in opening  # the twenty points are not listed


def test_the_compare_table_counts_each_ending_and_the_mean_rounds():
    scenario = sim.load_scenario(BASELINE)
    written = outcome_mix(scenario, range(1, 11))
    shorter = outcome_mix(sim.load_scenario(BASELINE, ["deadline=30"]), range(1, 11))
    rows = {what: (a, b) for what, a, b in mix_rows(scenario, written, shorter)}
    assert list(rows)[:4] == ["agreement", "no deal", "walkout", "escalation"]
    deals = written.counts.get("agreement", 0)
    assert rows["agreement"][0] == f"{deals} of 10 ({deals / 10:.0%})"
    assert rows["walkout"] == ("0 of 10 (0%)", "0 of 10 (0%)")
    assert rows["mean round"] == (f"{written.mean_round:.1f}", f"{shorter.mean_round:.1f}")
    assert float(rows["mean round"][1]) <= 30
    assert rows["Ukraine's utility of the agreements"] == (
        f"{written.agreement_utility['ukraine']:.2f}",
        f"{shorter.agreement_utility['ukraine']:.2f}",
    )
    none = outcome_mix(sim.load_scenario(ROOT / "scenarios" / "no_zopa.yaml"), range(1, 3))
    rows = {what: (a, b) for what, a, b in mix_rows(scenario, none, none)}
    assert rows["Russia's utility of the agreements"] == ("none", "none")
    assert rows["mean round of the agreements"] == ("none", "none")


def test_the_settled_option_of_each_point_is_the_agreements_commonest():
    scenario = sim.load_scenario(BASELINE)
    seeds = range(1, 11)
    written = outcome_mix(scenario, seeds)
    pressed = outcome_mix(sim.load_scenario(BASELINE, ["protocol.bias=1.0"]), seeds)
    outcomes = [sim.run(scenario, seed=s).outcome for s in seeds]
    deals = [o for o in outcomes if o.status == "agreement"]
    rows = settled_rows(scenario, written, pressed)
    assert [row.title for row in rows] == [p.title for p in scenario.points]
    for row, point in zip(rows, scenario.points, strict=True):
        chosen = Counter(o.package[point.id] for o in deals)
        runs = max(chosen.values())
        assert point.options[point.option_index(written.settled[point.id][0])].label == (
            row.as_written
        )
        assert chosen[written.settled[point.id][0]] == runs
        assert row.as_written_runs == f"{runs} of {len(deals)}"
        assert row.differs == (row.as_written != row.yours)


def test_a_mix_without_agreements_settles_nothing():
    scenario = sim.load_scenario(ROOT / "scenarios" / "no_zopa.yaml")
    none = outcome_mix(scenario, range(1, 4))
    rows = settled_rows(scenario, none, none)
    assert {(row.as_written, row.yours_runs, row.differs) for row in rows} == {
        ("no agreement", "", False)
    }
