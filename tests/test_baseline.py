"""The evidence base and the baseline: every stated position is sourced, every point
is either evidence or a marked assumption."""

from pathlib import Path

import yaml

import sim

ROOT = Path(__file__).parent.parent
SEED_FILES = {"000_a1087161ae1e5d04.txt", "002_971e816cdfee1bbd.txt"}


def records():
    return yaml.safe_load((ROOT / "seeds" / "positions.yaml").read_text())["positions"]


def test_every_record_names_a_seed_file_and_quotes_little():
    for record in records():
        sources = record["source"] if isinstance(record["source"], list) else [record["source"]]
        assert set(sources) <= SEED_FILES, record["id"]
        assert len(record.get("quote", "").split()) <= 12


def test_the_seeds_stated_positions_are_all_recorded():
    claims = {r["id"]: r["actor"] for r in records()}
    for needed, actor in [
        ("rus-guarantees-cover-russia", "russia"),
        ("rus-binding-treaty", "russia"),
        ("rus-no-peacekeepers", "russia"),
        ("ukr-no-territory", "ukraine"),
        ("ukr-no-authority", "ukraine"),
        ("eur-fear-us-pressure", "europe"),
        ("usa-realistic", "usa"),
        ("ukr-20-point-plan", "ukraine"),
    ]:
        assert claims[needed] == actor


def test_baseline_has_20_points_each_evidence_or_assumption():
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    assert len(scenario.points) == 20
    for point in scenario.points:
        assert point.evidence or point.assumption, point.id
    assert {p.id for p in scenario.parties} == {"russia", "ukraine", "usa", "europe"}
    roles = {p.id: p.role for p in scenario.parties}
    assert roles == {
        "russia": "signatory",
        "ukraine": "signatory",
        "usa": "mediator",
        "europe": "stakeholder",
    }


def test_the_seed_positions_are_encoded_with_their_evidence():
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    russia, ukraine = scenario.party("russia"), scenario.party("ukraine")
    assert dict(russia.red_lines)["guarantee_scope"] == ("ukraine_only",)
    assert dict(russia.red_lines)["peacekeepers"] == ("coalition_force",)
    assert dict(russia.red_lines)["legal_form"] == ("declaration",)
    assert russia.escalation.points == ("peacekeepers",)
    assert set(dict(ukraine.red_lines)["territory"]) == {"cede_donbas", "cede_four_regions"}
    assert ukraine.domestic.points == ("territory",)
    cited = dict(russia.evidence)
    assert "rus-no-peacekeepers" in cited["red_lines.peacekeepers"]
    assert "ukr-no-territory" in dict(ukraine.evidence)["red_lines.territory"]
