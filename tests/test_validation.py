"""Scenario validation: each broken file gives one `file:line: dotted.path: message` line."""

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).parent.parent
BROKEN = Path("tests/broken")  # relative to ROOT, as a user would type it
TINY = ROOT / "tests/scenarios/tiny.yaml"
LINE = re.compile(r"^\S+:\d+: \S+: .+$")

# (file, line, dotted path, message fragment): the lines are read off the files by hand
CASES = [
    ("unknown_top_key.yaml", 3, "deadlne", "unknown key 'deadlne' (did you mean 'deadline'?)"),
    ("unknown_party_key.yaml", 18, "parties.a.reservaton", "did you mean 'reservation'?"),
    ("wrong_type.yaml", 18, "parties.a.reservation", "expected a number, got text 'high'"),
    ("negative_salience.yaml", 16, "parties.a.salience.troops", "-2 is outside [0, inf]"),
    ("zero_salience.yaml", 23, "parties.b.salience", "salience is zero on every point"),
    (
        "red_line_unknown_option.yaml",
        20,
        "parties.a.red_lines.border[1]",
        "unknown option 'cede_all'",
    ),
    (
        "red_line_unknown_point.yaml",
        24,
        "parties.b.red_lines.troop",
        "unknown point 'troop' (did you mean 'troops'?)",
    ),
    ("link_unknown_point.yaml", 14, "links[0].then.mony", "unknown point 'mony'"),
    ("link_unknown_option.yaml", 13, "links[0].if.troops", "unknown option 'observers'"),
    ("influence_unknown_party.yaml", 31, "parties.m.influence.c", "unknown party 'c'"),
    ("empty_points.yaml", 3, "points", "empty proposal space"),
    ("links_exclude_every_text.yaml", 7, "links", "no text satisfies every link"),
    ("one_option.yaml", 11, "points.money.options", "at least 2 options, got 1"),
    ("position_out_of_range.yaml", 22, "parties.b.position", "1.4 is outside [0, 1]"),
    ("reservation_out_of_range.yaml", 25, "parties.b.reservation", "1.2 is outside [0, 1]"),
    ("reservation_nan.yaml", 18, "parties.a.reservation", "expected a finite number"),
    ("option_value_out_of_range.yaml", 19, "parties.a.values.money.lots", "1.5 is outside [0, 1]"),
    ("threshold_out_of_range.yaml", 25, "parties.b.domestic.threshold", "1.3 is outside [0, 1]"),
    ("unknown_evidence.yaml", 9, "points.border.evidence[1]", "unknown evidence id 'a-2'"),
    (
        "party_unknown_evidence.yaml",
        23,
        "parties.a.evidence.red_lines.border",
        "unknown evidence id 'a-9'",
    ),
    (
        "unknown_tactic.yaml",
        26,
        "parties.b.tactic.name",
        "unknown value 'tit_for_tap' (did you mean 'tit_for_tat'?)",
    ),
    ("duplicate_key.yaml", 27, "parties.b.reservation", "duplicate key"),
    ("syntax_error.yaml", 28, "(syntax)", "mapping values are not allowed here"),
    ("extends_unknown_key.yaml", 7, "parties.b.beta", "unknown key 'beta'"),
    ("extends_zero_salience.yaml", 5, "parties.a.salience", "salience is zero on every point"),
]
EVIDENCE_BASE = "positions.yaml"  # not a scenario: the records unknown_evidence.yaml names


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def validate(*files: str) -> subprocess.CompletedProcess:
    """Run `negsim validate FILES` as a user would, from the repository root."""
    found = shutil.which("negsim", path=str(Path(sys.executable).parent)) or shutil.which("negsim")
    if found is None:
        pytest.skip("the negsim command is not installed")
    return subprocess.run(
        [found, "validate", *files], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_every_broken_file_is_a_case_and_says_which_rule_it_breaks():
    names = {p.name for p in (ROOT / BROKEN).glob("*.yaml")} - {EVIDENCE_BASE}
    assert names == {name for name, *_ in CASES}
    for name in names:
        assert (ROOT / BROKEN / name).read_text().startswith("# Breaks: ")


@pytest.mark.parametrize(("name", "line", "path", "fragment"), CASES)
def test_broken_file_is_rejected_at_its_file_line_and_path(name, line, path, fragment):
    file = BROKEN / name
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(file)
    err = caught.value
    assert (err.file, err.line, err.path) == (str(file), line, path)
    assert fragment in err.message
    assert str(err) == f"{file}:{line}: {path}: {err.message}"
    assert LINE.match(str(err)) and "\n" not in str(err)


def test_validate_prints_one_line_per_broken_file_and_exits_2():
    files = [str(BROKEN / name) for name, *_ in CASES]
    done = validate(*files)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == len(CASES)
    for text, (name, line, path, fragment) in zip(lines, CASES, strict=True):
        assert LINE.match(text), text
        assert text.startswith(f"{BROKEN / name}:{line}: {path}: ")
        assert fragment in text


def test_validate_accepts_valid_scenarios_with_status_0():
    done = validate(str(TINY), *map(str, sorted((ROOT / "scenarios").glob("*.yaml"))))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "tiny.yaml: ok (3 points, 3 parties)" in done.stdout


def test_validate_reports_a_missing_file_in_one_line():
    done = validate("tests/broken/no_such_file.yaml")
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["tests/broken/no_such_file.yaml:1: (file): no such file"]


@pytest.mark.parametrize(
    ("content", "line", "path", "fragment"),
    [
        (b"name: t\nseed: caf\xe9\n", 2, "(file)", "not UTF-8 text"),
        (b"name: t\nseed: \x07\n", 2, "(syntax)", "unacceptable character #x0007"),
        (b"name: t\n---\nname: u\n", 2, "(syntax)", "but found another document"),
        (b"- a list\n", 1, "(top)", "must be a mapping"),
    ],
)
def test_unreadable_yaml_is_one_located_error(tmp_path, content, line, path, fragment):
    file = tmp_path / "bad.yaml"
    file.write_bytes(content)
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(file)
    assert (caught.value.line, caught.value.path) == (line, path)
    assert fragment in caught.value.message and "\n" not in str(caught.value)


def test_extends_overrides_one_value_and_keeps_the_rest(tmp_path):
    child = tmp_path / "variant.yaml"
    child.write_text(f"extends: {TINY}\nparties:\n  a:\n    reservation: 0.6\n")
    tiny, variant = sim.load_scenario(TINY), sim.load_scenario(child)
    assert variant.party("a").reservation == 0.6
    assert variant.party("a") == dataclasses.replace(tiny.party("a"), reservation=0.6)
    assert variant.party("b") == tiny.party("b") and variant.party("m") == tiny.party("m")
    assert (variant.points, variant.links, variant.protocol) == (
        tiny.points,
        tiny.links,
        tiny.protocol,
    )
    assert (variant.deadline, variant.seed) == (tiny.deadline, tiny.seed)
    assert variant.name == "variant"  # a variant is its own scenario unless it names itself


def test_an_inherited_evidence_base_is_found_next_to_the_file_that_names_it(tmp_path):
    child = tmp_path / "variant.yaml"
    child.write_text(f"extends: {ROOT / 'scenarios/baseline.yaml'}\n")
    assert any(point.evidence for point in sim.load_scenario(child).points)


def test_override_sets_a_value():
    scenario = sim.load_scenario(TINY, overrides=["parties.a.reservation=0.5"])
    assert scenario.party("a").reservation == 0.5
    assert scenario.party("b").reservation == 0.3


def test_bad_override_is_located_at_the_setting():
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(TINY, overrides=["deadline=10", "parties.a.reservaton=0.5"])
    err = caught.value
    assert (err.file, err.line, err.path) == ("overrides", 2, "parties.a.reservaton")
    assert "did you mean 'reservation'?" in err.message


def test_override_of_a_misspelt_party_suggests_the_party():
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(TINY, overrides=["parties.b.reservation=0.5", "parties.aa.reservation=1"])
    err = caught.value
    assert (err.file, err.line, err.path) == ("overrides", 2, "parties.aa.reservation")
    assert err.message == "unknown party 'aa' (did you mean 'a'?)"


def test_a_point_left_out_of_salience_weighs_nothing(tmp_path):
    file = tmp_path / "s.yaml"
    file.write_text(
        TINY.read_text().replace("{border: 3, troops: 2, money: 1}", "{border: 3, money: 1}")
    )
    assert sim.load_scenario(file).party("a").salience == (0.75, 0.0, 0.25)


def digest_of(tmp_path, text: str) -> str:
    file = tmp_path / "d.yaml"
    file.write_text(text)
    return sim.load_scenario(file).digest


def test_digest_changes_with_a_value_but_not_with_comments(tmp_path):
    text = TINY.read_text()
    digest = digest_of(tmp_path, text)
    assert digest == sim.load_scenario(TINY).digest
    commented = "# another comment\n" + text.replace("seed: 3", "seed: 3  # why three")
    assert digest_of(tmp_path, commented) == digest
    assert digest_of(tmp_path, text.replace("reservation: 0.3", "reservation: 0.4", 1)) != digest


def test_digest_changes_when_options_are_reordered(tmp_path):
    # option order sets the default positions, so the reordered file is another scenario
    text = TINY.read_text()
    flipped = text.replace(
        "{west: West line, middle: Middle line, east: East line}",
        "{east: East line, middle: Middle line, west: West line}",
    )
    assert digest_of(tmp_path, flipped) != digest_of(tmp_path, text)
