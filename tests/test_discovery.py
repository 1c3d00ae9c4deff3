"""Scenario discovery over a sweep's rows: cases of interest, `sim.discover`, the CART rules
and feature scores, and `negsim discover` rebuilding summary.json and sweep.html. PRIM
itself is pinned in tests/test_prim.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.cli import main
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.sweeps import fingerprint, sweep
from sim.sweeps.cases import CaseError, parse_case
from sim.sweeps.discovery import box_sentence, discovery_summary, number
from sim.sweeps.spec import load_sweep
from sim.sweeps.store import RunStore
from sim.sweeps.trees import feature_scores, tree_rules

ROOT = Path(__file__).parent.parent
BASELINE = load_scenario(ROOT / "scenarios" / "baseline.yaml")
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"


def known_box_rows(n: int = 6000, noise: float = 0.0, seed: int = 1) -> pd.DataFrame:
    """Rows of a made-up sweep: agreement exactly where a < 0.3 and d > 0.6 (6 parameters,
    one of them a set), labels flipped at random in a share `noise` of the runs."""
    rng = np.random.default_rng(seed)
    x = {name: rng.uniform(0, 1, n) for name in "abcde"}
    x["protocol.name"] = rng.choice(["mediated", "alternating"], n)
    inside = (x["a"] < 0.3) & (x["d"] > 0.6)
    flip = rng.uniform(0, 1, n) < noise
    agreed = inside ^ flip
    rows = pd.DataFrame(
        {"run": np.arange(n), "sample": np.arange(n), "replication": 0, "seed": 1, **x}
    )
    rows["status"] = np.where(agreed, "agreement", "no_deal")
    rows["round"] = np.where(agreed, 30, 60)
    rows["utility.ukraine"] = np.where(agreed, 0.6, 0.5) + 0.1 * x["b"]
    rows["point.territory"] = np.where(x["c"] < 0.5, "freeze_line", "donetsk_dmz")
    return rows


@pytest.mark.parametrize(
    "text, column, expected",
    [
        ("status=agreement", "status", lambda r: r.status == "agreement"),
        ("status != no_deal", "status", lambda r: r.status != "no_deal"),
        (
            "territory=freeze_line",
            "point.territory",
            lambda r: r["point.territory"] == "freeze_line",
        ),
        ("utility.ukraine>=0.6", "utility.ukraine", lambda r: r["utility.ukraine"] >= 0.6),
        ("round<45", "round", lambda r: r["round"] < 45),
    ],
)
def test_a_case_holds_exactly_where_its_condition_does(text, column, expected):
    rows = known_box_rows(500)
    case = parse_case(text, BASELINE)
    assert case.columns == [column]
    assert (case.holds(rows) == expected(rows).to_numpy()).all()


def test_a_combined_case_holds_where_all_its_parts_do_and_reads_as_words():
    rows = known_box_rows(500)
    case = parse_case(
        "status=agreement & territory=freeze_line and utility.ukraine>=0.65", BASELINE
    )
    wanted = (
        (rows.status == "agreement")
        & (rows["point.territory"] == "freeze_line")
        & (rows["utility.ukraine"] >= 0.65)
    )
    assert (case.holds(rows) == wanted.to_numpy()).all()
    assert (
        case.words.startswith("agreement and Territory at '") and "Ukraine's utility" in case.words
    )


@pytest.mark.parametrize(
    "text, said",
    [
        ("status=agreemnt", "did you mean 'agreement'"),
        ("territory=freeze", "one of its options"),
        ("teritory=freeze_line", "did you mean 'territory'"),
        ("utility.ukraine>=high", "compared with a number"),
        ("status", "write NAME=VALUE"),
        ("territory>=freeze_line", "is =, or !="),
    ],
)
def test_a_wrong_case_says_what_would_be_right(text, said):
    with pytest.raises(CaseError, match=said):
        parse_case(text, BASELINE)


def test_without_a_scenario_a_case_is_checked_against_the_rows_columns():
    rows = known_box_rows(200)
    case = parse_case("territory=anything", None, list(rows.columns))
    assert not case.holds(rows).any()
    with pytest.raises(CaseError):
        parse_case("army=small", None, list(rows.columns))


def test_discover_finds_the_known_box_and_says_it_in_a_sentence():
    rows = known_box_rows(20_000, noise=0.1)
    found = sim.discover(rows, "status=agreement", parameters=[*"abcde", "protocol.name"])
    box = found.boxes[0].box
    assert set(box.limits) == {"a", "d"}  # limits that noise alone drew are dropped
    assert abs(box.limits["a"][1] - 0.3) < 0.05 and abs(box.limits["d"][0] - 0.6) < 0.05
    inside = np.ones(len(rows), bool)
    for name, (low, high) in box.limits.items():
        inside &= rows[name].between(low, high).to_numpy()
    agreed = (rows.status == "agreement").to_numpy()
    assert box.count == inside.sum() and box.cases == (inside & agreed).sum()
    assert box.coverage == pytest.approx((inside & agreed).sum() / agreed.sum())
    sentence = found.sentence
    assert sentence.startswith(f"Agreement in {box.density:.0%} of runs (covering ")
    assert f"{box.coverage:.0%} of all agreements) when " in sentence
    assert re.search(r"when a is below 0\.(29|3|31) and d is above 0\.(59|6|61)\.$", sentence)
    assert found.boxes[0].quasi_p["a"] < 1e-6 and found.boxes[0].quasi_p["d"] < 1e-6
    summary = json.loads(json.dumps(discovery_summary(found)))
    assert summary["boxes"][0]["sentence"] == sentence
    assert summary["boxes"][0]["trajectory"][0]["coverage"] == 1.0
    assert (
        summary["feature_scores"]
        and max(summary["feature_scores"], key=summary["feature_scores"].get) in "ad"
    )


def test_the_tree_rules_lead_to_the_box_and_the_scores_rank_its_parameters_first():
    rows = known_box_rows(8000)
    x, y = rows[[*"abcde", "protocol.name"]], (rows.status == "agreement").to_numpy()
    (best, *_) = tree_rules(x, y)
    assert best.density == 1.0
    assert {c[0] for c in best.conditions} == {"a", "d"}
    limits = {c[0]: (c[1], c[2]) for c in best.conditions}
    assert limits["a"][0] == "<=" and abs(limits["a"][1] - 0.3) < 0.01
    scores = feature_scores(x, y)
    assert sorted(scores, key=scores.get)[-2:] in (["a", "d"], ["d", "a"])
    assert sum(scores.values()) == pytest.approx(1.0)


def test_no_region_is_claimed_when_the_case_never_or_always_holds():
    rows = known_box_rows(500)
    rows["status"] = "no_deal"
    assert sim.discover(rows, "status=agreement").sentence == "No run ends with agreement."
    rows["status"] = "agreement"
    assert sim.discover(rows, "status=agreement").sentence == "Every run ends with agreement."


def test_limits_are_rounded_to_the_ranges_second_significant_digit():
    assert number(0.0021234, 0.004) == "0.0021"
    assert number(0.58321, 0.4) == "0.58"
    assert number(37.0, 60) == "37"


def tiny_sweep(tmp_path: Path, cases: str = "") -> Path:
    path = tmp_path / "tiny_sweep.yaml"
    path.write_text(
        f"name: tiny_sweep\nbase: {TINY}\n"
        "parameters:\n"
        "  parties.a.reservation: {range: [0.1, 0.7]}\n"
        "  parties.b.tactic.beta: {range: [0.3, 3.0]}\n"
        "  protocol.name: {values: [mediated, alternating]}\n"
        "design: {method: lhs, samples: 200}\nseed: 11\n" + cases
    )
    return path


def test_a_wrong_case_in_a_sweep_file_names_the_file_line_and_path(tmp_path):
    path = tiny_sweep(tmp_path, "cases:\n  - status=agreement\n  - border=wst\n")
    with pytest.raises(ScenarioError) as err:
        load_sweep(path)
    message = str(err.value)
    assert message.startswith(f"{path}:11: cases[1]: ")
    assert "did you mean 'west'" in message


def test_negsim_discover_rebuilds_the_page_with_a_section_per_case(tmp_path):
    path = tiny_sweep(tmp_path, "cases: [status=agreement]\n")
    result = sweep(path, out=tmp_path / "out", jobs=1)
    (entry,) = result.summary["discovery"]
    assert entry["case"] == "status=agreement" and entry["sentence"].endswith(".")
    cli = CliRunner().invoke(main, ["discover", str(result.folder), "--case", "border=west"])
    assert cli.exit_code == 0, cli.output
    summary = json.loads((result.folder / "summary.json").read_text())
    assert [e["case"] for e in summary["discovery"]] == ["border=west"]
    assert cli.output.startswith("border=west: ")
    page = (result.folder / "sweep.html").read_text()
    assert "When does it end with border at 'West line'?" in page
    bad = CliRunner().invoke(main, ["discover", str(result.folder), "--case", "border=wst"])
    assert bad.exit_code == 2 and "did you mean 'west'" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    assert json.loads((result.folder / "summary.json").read_text()) == summary


def test_cases_of_interest_do_not_change_which_runs_a_sweep_is(tmp_path):
    plain = load_sweep(tiny_sweep(tmp_path))
    with_cases = load_sweep(tiny_sweep(tmp_path, "cases: [border=west]\n"))
    assert with_cases.cases == ("border=west",)
    assert fingerprint(plain) == fingerprint(with_cases)


def test_box_sentences_name_parameters_as_a_reader_would():
    rows = known_box_rows(4000)
    rows = rows.rename(columns={"a": "parties.ukraine.domestic.threshold"})
    found = sim.discover(
        rows, "status=agreement", BASELINE, ["parties.ukraine.domestic.threshold", "d"]
    )
    assert "Ukraine's referendum threshold is below" in box_sentence(found, found.boxes[0].box)


def test_rows_read_a_column_at_a_time_give_the_same_discovery(tmp_path):
    result = sweep(tiny_sweep(tmp_path), out=tmp_path / "out", jobs=1)
    scenario = load_scenario(TINY)
    parameters = [p.path for p in load_sweep(tiny_sweep(tmp_path)).parameters]
    stored = RunStore(result.folder).rows(whole_up_to=1)  # a million runs' way of reading
    assert not isinstance(stored, pd.DataFrame)
    whole = RunStore(result.folder).read()
    case = f"utility.a>={whole['utility.a'].median()}"  # every tiny run agrees: split them
    found = [sim.discover(r, case, scenario, parameters) for r in (stored, whole)]
    assert discovery_summary(found[0]) == discovery_summary(found[1])
    assert 0 < found[0].cases < found[0].runs == len(whole)
