"""The `negsim` command as a user runs it: outputs, reproducibility, bad input."""

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
FILES = {"outcome.json", "rounds.csv", "manifest.json", "report.html"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def only_folder(root: Path) -> Path:
    (scenario,) = root.iterdir()
    (folder,) = scenario.iterdir()
    return folder


def test_run_twice_with_the_same_seed_gives_identical_outcome_and_rounds(tmp_path):
    first = run("run", BASELINE, "--seed", 1, "--out", tmp_path / "a")
    second = run("run", BASELINE, "--seed", 1, "--out", tmp_path / "b")
    assert first.exit_code == second.exit_code == 0
    a, b = only_folder(tmp_path / "a"), only_folder(tmp_path / "b")
    assert {p.name for p in a.iterdir()} == FILES
    for name in ("outcome.json", "rounds.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["seed"] == 1
    assert len(manifest["scenario_sha256"]) == 64
    assert manifest["versions"]["mesa"].startswith("3.")
    assert manifest["command_line"][:2] == ["negsim", "run"]


def test_rounds_csv_bytes_do_not_depend_on_the_step_dtype_mesa_gives(tmp_path, monkeypatch):
    from mesa import DataCollector

    run("run", BASELINE, "--seed", 1, "--out", tmp_path / "int")
    as_given = DataCollector.get_agent_vars_dataframe

    def float_steps(collector):  # as Mesa 3.5 gives them
        table = as_given(collector).reset_index()
        table["Step"] = table["Step"].astype(float)
        return table.set_index(["Step", "AgentID"])

    monkeypatch.setattr(DataCollector, "get_agent_vars_dataframe", float_steps)
    run("run", BASELINE, "--seed", 1, "--out", tmp_path / "float")
    rounds = (only_folder(tmp_path / "float") / "rounds.csv").read_bytes()
    assert rounds == (only_folder(tmp_path / "int") / "rounds.csv").read_bytes()
    assert rounds.splitlines()[1].startswith(b"1,ukraine,")


def test_summary_names_status_reason_parties_and_every_point(tmp_path):
    result = run("run", BASELINE, "--seed", 2, "--out", tmp_path)
    outcome = json.loads((only_folder(tmp_path) / "outcome.json").read_text())
    assert outcome["status"].upper() in result.output
    assert outcome["reason"] in result.output
    for name in ("Ukraine", "Russia", "United States", "European allies", "Territory", "Amnesty"):
        assert name in result.output
    assert set(outcome["package"]) >= {"territory", "peacekeepers", "legal_form"}
    assert len(outcome["package"]) == 20
    for key in (
        "scenario",
        "seed",
        "status",
        "round",
        "reason",
        "utilities",
        "reservations",
        "red_lines_crossed",
    ):
        assert key in outcome


def test_json_flag_prints_outcome_json(tmp_path):
    result = run("run", BASELINE, "--seed", 3, "--json", "--out", tmp_path)
    printed = json.loads(result.output)
    stored = json.loads((only_folder(tmp_path) / "outcome.json").read_text())
    assert printed == stored


def test_set_and_protocol_change_the_run(tmp_path):
    plain = json.loads(run("run", BASELINE, "--json", "--out", tmp_path / "p").output)
    changed = json.loads(
        run(
            "run",
            BASELINE,
            "--json",
            "--out",
            tmp_path / "c",
            "--set",
            "parties.ukraine.reservation=0.95",
            "--protocol",
            "alternating",
        ).output
    )
    assert changed["protocol"] == "alternating"
    assert changed["status"] != "agreement"
    assert changed["reservations"]["ukraine"] > plain["reservations"]["ukraine"]
    # a changed scenario gets its own folder
    assert only_folder(tmp_path / "p").name != only_folder(tmp_path / "c").name


@pytest.mark.parametrize("extra", [[], ["--set", "parties.ukraine.reservaton=0.5"]])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, extra):
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"extends: {BASELINE}\ndeadline: soon\n")
    scenario = BASELINE if extra else broken
    result = CliRunner().invoke(
        main, ["run", str(scenario), "--out", str(tmp_path / "out"), *extra]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert (
        "--set:1: parties.ukraine.reservaton"
        if extra
        else f"{broken}:2: deadline: expected a number"
    ) in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_failing_report_leaves_no_partial_folder(tmp_path, monkeypatch):
    import sim.reporting.report

    def broken_report(result, path):
        path.write_text("half a page")
        raise RuntimeError("disk full")

    monkeypatch.setattr(sim.reporting.report, "write_report", broken_report)
    with pytest.raises(RuntimeError):
        run("run", BASELINE, "--out", tmp_path)
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []


@pytest.mark.parametrize("out", ["results", "new/results"])
def test_a_crashed_run_leaves_no_empty_folder_it_made(tmp_path, monkeypatch, out):
    import sim.reporting.report

    def broken_report(result, path):
        raise RuntimeError("crash")

    monkeypatch.setattr(sim.reporting.report, "write_report", broken_report)
    (tmp_path / "results" / "other").mkdir(parents=True)  # another scenario's: it stays
    with pytest.raises(RuntimeError):
        run("run", BASELINE, "--out", tmp_path / out)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "results",
        "results/other",
    ]


def test_outcome_json_carries_the_efficiency_of_the_final_text(tmp_path):
    run("run", BASELINE, "--seed", 1, "--out", tmp_path)
    outcome = json.loads((only_folder(tmp_path) / "outcome.json").read_text())
    efficiency = outcome["efficiency"]
    assert efficiency["parties"] == ["ukraine", "russia"]
    assert efficiency["exact"] is True
    assert efficiency["agreement"] == (outcome["status"] == "agreement")
    assert efficiency["dominated"] == (efficiency["dominated_by"] is not None)
    if efficiency["nash_share"] is not None:
        assert 0 <= efficiency["nash_share"] <= 1 + 1e-9
    if efficiency["gain_shares"] is not None:
        assert abs(sum(efficiency["gain_shares"].values()) - 1) < 1e-6


def test_analyze_prints_zopa_frontier_nash_and_ks(tmp_path):
    data = json.loads(run("analyze", BASELINE, "--json").output)
    assert data["zopa"]["exists"] is True
    assert len(data["zopa"]["witness"]) == 20
    assert data["pareto"]["parties"] == ["ukraine", "russia"]
    points = data["pareto"]["points"]
    assert len(points) == len(data["pareto"]["packages"]) > 10
    assert all(a[0] >= b[0] and a[1] <= b[1] for a, b in itertools.pairwise(points))
    for key in ("nash", "ks"):
        assert set(data[key]["utilities"]) == {"ukraine", "russia"}
        assert list(data[key]["utilities"].values()) in points
    text = run("analyze", BASELINE).output
    assert "ZOPA: yes" in text and "Nash package" in text


def test_analyze_rejects_unknown_parties():
    result = CliRunner().invoke(main, ["analyze", BASELINE, "--parties", "ukraine,mars"])
    assert result.exit_code == 2
    assert "--parties" in result.output


@pytest.mark.parametrize(
    ("extra", "parties", "exact"),
    [
        ("parties: {b: {role: stakeholder}}\n", ["a"], False),
        (
            "parties: {c: {role: signatory, position: 0.3, reservation: 0.2}}\n",
            ["a", "b", "c"],
            False,
        ),
    ],
)
def test_one_or_three_signatories_run_and_analyze(tmp_path, extra, parties, exact):
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {ROOT / 'tests' / 'scenarios' / 'tiny.yaml'}\n{extra}")
    result = run("run", path, "--json", "--out", tmp_path / "out")
    assert result.exit_code == 0
    efficiency = json.loads(result.output)["efficiency"]
    assert efficiency["parties"] == parties
    assert efficiency["exact"] is exact
    assert {p.name for p in only_folder(tmp_path / "out").iterdir()} == FILES
    analysis = json.loads(run("analyze", path, "--json").output)
    assert len(analysis["pareto"]["parties"]) == 2
