"""The classroom page's pure parts: its settings, its model, the standing text table and
the compare view's outcome mixes."""

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
    standing_text,
    teachable_settings,
)
from sim.negotiation.outcome import Outcome
from sim.reporting.mix import mix as outcome_mix

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
    model = ClassroomModel(BASELINE, seed=3, **settings)
    while model.running:
        model.step()
    expected = sim.run(sim.load_scenario(BASELINE, as_overrides(settings)), seed=3).outcome
    assert Outcome.of(model) == expected
    assert model.deadline == 40
    assert model.changed_from_file == [
        "parties.ukraine.reservation = 0.45",
        "protocol.bias = 0.5",
        "deadline = 40",
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
        "parties.russia.reservation = 0.5",
        "deadline = 50",
    ]


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
