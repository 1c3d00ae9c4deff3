"""How big a sweep may be: runs counted by arithmetic, a design drawn once, huge designs
refused at once with one located line, big ones started only with --yes, and names and
--jobs checked before anything is written."""

import itertools
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_sweep_run import TINY

import sim.sweeps
import sim.sweeps.design
from sim.scenario.errors import ScenarioError
from sim.scenario.limits import MAX_SWEEP_RUNS, SWEEP_CONFIRM_RUNS
from sim.sweeps import sweep
from sim.sweeps.design import ParameterSets, design_matrix, grid_rows, run_count, salib_problem
from sim.sweeps.spec import Design, Parameter, Sweep, load_sweep, sweep_from_flags

NEGSIM = shutil.which("negsim", path=str(Path(sys.executable).parent))


def a_sweep(method: str, samples: int, levels: int = 4, second_order=False) -> Sweep:
    parameters = (
        Parameter("parties.a.reservation", low=0.1, high=0.6),
        Parameter("protocol.name", values=("mediated", "alternating", "mediated")),
        Parameter("deadline", low=10, high=30, integer=True),
    )
    design = Design(method, samples, levels, second_order)
    return Sweep("counted", TINY, parameters, design, replications=3)


@pytest.mark.parametrize(
    "method, samples, levels, second_order",
    [
        ("grid", 1, 2, False),
        ("grid", 1, 5, False),
        ("lhs", 7, 4, False),
        ("sobol", 8, 4, False),
        ("sobol", 16, 4, True),
        ("morris", 5, 4, False),
        ("morris", 3, 6, False),
    ],
)
def test_runs_are_counted_without_drawing_the_design(
    monkeypatch, method, samples, levels, second_order
):
    spec = a_sweep(method, samples, levels, second_order)
    drawn = len(design_matrix(spec)) * spec.replications  # the oracle: draw and count
    monkeypatch.setattr(sim.sweeps.design, "design_matrix", _never)
    assert run_count(spec) == drawn


def _never(*args):
    raise AssertionError("the design was drawn")


def test_grid_rows_computed_from_their_index_are_those_of_the_product():
    spec = a_sweep("grid", 1, levels=3)
    axes = [np.linspace(0.1, 0.6, 3), range(3), np.linspace(10, 30, 3)]
    product = np.array(list(itertools.product(*axes)), dtype=float)
    assert np.array_equal(grid_rows(spec, np.arange(len(product))), product)
    assert np.array_equal(grid_rows(spec, np.array([26, 0, 13])), product[[26, 0, 13]])


@pytest.mark.parametrize(
    "d, n, second_order, seed",
    [(1, 4, False, 0), (3, 8, True, 7), (5, 16, False, 2026), (12, 32, True, 1)],
)
def test_sobol_rows_computed_a_chunk_at_a_time_are_salibs(d, n, second_order, seed):
    from SALib.sample import sobol

    kinds = [
        {"low": -1.0, "high": 2.0},
        {"distribution": "normal", "mean": 0.5, "sd": 0.1},
        {"values": ("a", "b", "c")},
        {"distribution": "triangular", "low": 0.0, "high": 1.0, "peak": 0.2},
    ]
    parameters = tuple(Parameter(f"x{j}", **kinds[j % len(kinds)]) for j in range(d))
    spec = Sweep("sobol", TINY, parameters, Design("sobol", n, 4, second_order), seed=seed)
    salib = sobol.sample(salib_problem(spec), n, calc_second_order=second_order, seed=seed)
    sets = ParameterSets(spec)
    assert len(sets) == len(salib)
    chunks = np.array_split(np.arange(len(salib)), 7)  # chunks cut inside a point's rows
    assert np.array_equal(np.concatenate([sets.rows(c) for c in chunks]), salib)
    picked = np.array([len(salib) - 1, 0, 5])
    assert np.array_equal(sets.rows(picked), salib[picked])


@pytest.mark.parametrize("method, drawn", [("sobol", 0), ("morris", 1), ("lhs", 1), ("grid", 0)])
def test_a_sweep_draws_its_design_at_most_once(tmp_path, monkeypatch, method, drawn):
    """Sobol and grid rows are computed a chunk at a time, never drawn whole."""
    calls = []

    def counted(spec):
        calls.append(spec.name)
        return design_matrix(spec)

    monkeypatch.setattr(sim.sweeps.design, "design_matrix", counted)
    parameters = (Parameter("parties.a.reservation", low=0.1, high=0.6),)
    design = Design(method, 4 if method != "lhs" else 8, 4)
    spec = Sweep("once", TINY, parameters, design, outputs=("agreement", "utility.a"))
    result = sweep(spec, out=tmp_path, jobs=1)
    assert len(result.rows) == run_count(spec)
    assert len(calls) == drawn


def write_sweep(tmp_path: Path, design: str, replications: int = 1, name: str = "big") -> Path:
    path = tmp_path / "big.yaml"
    path.write_text(
        f"name: {name}\nbase: {TINY}\n"
        "parameters:\n"
        "  parties.a.reservation: {range: [0.1, 0.6]}\n"
        "  parties.b.reservation: {range: [0.1, 0.6]}\n"
        f"design: {design}\n"
        f"replications: {replications}\n"
    )
    return path


@pytest.mark.parametrize(
    "design, replications, line, where, message",
    [
        ("{method: grid, levels: 1000000}", 1, 6, "design.levels", "outside [2, 1000]"),
        ("{method: grid, levels: 1000}", 2, 7, "replications", "1,000,000 parameter sets x 2"),
        ("{method: lhs, samples: 100}", 10**12, 7, "replications", "outside [1, 10000]"),
        ("{method: lhs, samples: 200000}", 10, 7, "replications", "= 2,000,000 runs"),
        ("{method: morris, samples: 4, levels: 100000000000}", 1, 6, "design.levels", "1000]"),
        ("{method: sobol, samples: 1073741824}", 1, 6, "design", "4,294,967,296 parameter"),
        ("{method: lhs, samples: 100000000}", 1, 6, "design", "100,000,000 runs, past"),
    ],
)
def test_a_huge_design_is_refused_with_one_located_line(
    tmp_path, design, replications, line, where, message
):
    path = write_sweep(tmp_path, design, replications)
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert time.perf_counter() - start < 5  # refused, not drawn
    assert (caught.value.line, caught.value.path) == (line, where)
    assert message in caught.value.message
    if "runs" in message:
        assert f"past the limit of {MAX_SWEEP_RUNS:,} runs" in caught.value.message


@pytest.mark.skipif(NEGSIM is None, reason="the negsim command is not installed")
def test_ten_million_samples_are_refused_at_once_with_the_run_count(tmp_path):
    command = [NEGSIM, "sweep", TINY, "--param", "parties.a.reservation=0.1:0.5"]
    command += ["--samples", "10000000", "--out", tmp_path / "out"]
    result = subprocess.run(list(map(str, command)), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--samples:1: 10000000: 10,000,000 parameter sets" in result.stderr
    assert "= 10,000,000 runs, past the limit of 1,000,000" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_sweep_of_many_runs_starts_only_with_yes(tmp_path, monkeypatch):
    spec = sweep_from_flags(TINY, ["parties.a.reservation=0.1:0.5"], "lhs", 100_001)
    with pytest.raises(ScenarioError) as caught:
        sweep(spec, out=tmp_path, jobs=2)
    message = caught.value.message
    assert "100,001 runs to do, about " in message and " with 2 jobs" in message
    assert f"past {SWEEP_CONFIRM_RUNS:,} runs a sweep starts only with --yes" in message
    assert not (tmp_path / spec.name).exists()  # refused before making its folder

    monkeypatch.setattr(sim.sweeps, "SWEEP_CONFIRM_RUNS", 10)
    small = replace(spec, design=Design("lhs", 12))
    with pytest.raises(ScenarioError, match="--yes"):
        sweep(small, out=tmp_path, jobs=1)
    said = []
    result = sweep(small, out=tmp_path, jobs=1, yes=True, echo=said.append)
    assert len(result.rows) == 12
    assert said[0].startswith("tiny_sweep: 12 runs to do (12 parameter sets x 1 replication)")
    assert ", about " in said[0] and said[0].endswith(" with 1 job")


@pytest.mark.parametrize("jobs", [0, -3, 10**6, True, 2.5])
def test_jobs_must_be_a_number_of_worker_processes(tmp_path, jobs):
    spec = sweep_from_flags(TINY, ["parties.a.reservation=0.1:0.5"], "lhs", 4)
    with pytest.raises(ScenarioError, match=r"--jobs:1: .*: give 1 to 256 worker processes"):
        sweep(spec, out=tmp_path, jobs=jobs)
    assert not (tmp_path / spec.name).exists()


@pytest.mark.skipif(NEGSIM is None, reason="the negsim command is not installed")
@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_the_command_refuses_jobs_below_one(tmp_path, jobs):
    command = [NEGSIM, "sweep", TINY, "--param", "parties.a.reservation=0.1:0.5", "--jobs", jobs]
    result = subprocess.run(
        list(map(str, [*command, "--out", tmp_path])), capture_output=True, text=True
    )
    assert result.returncode == 2 and "--jobs" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "name",
    ["../../escaped", "/tmp/absolute", "''", ".", '"a\\nb"', '"a\\0b"', "x" * 300, "a/b"],
)
def test_a_sweep_name_must_be_a_folder_name(tmp_path, name):
    path = write_sweep(tmp_path, "{method: lhs, samples: 4}", name=name)
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert (caught.value.line, caught.value.path) == (1, "name")
    spec = load_sweep(write_sweep(tmp_path, "{method: lhs, samples: 4}", name="fine"))
    bad = {"''": "", '"a\\nb"': "a\nb", '"a\\0b"': "a\0b"}.get(name, name)
    with pytest.raises(ScenarioError, match="name"):
        sweep(replace(spec, name=bad), out=tmp_path / "out", jobs=1)
    assert not (tmp_path / "out").exists() and not (tmp_path.parent / "escaped").exists()


def test_a_sweep_without_a_name_is_named_for_its_file_made_safe(tmp_path):
    path = tmp_path / "my sweep (2).yaml"
    path.write_text(
        f"base: {TINY}\nparameters:\n  parties.a.reservation: {{range: [0.1, 0.6]}}\n"
        "design: {method: lhs, samples: 4}\n"
    )
    assert load_sweep(path).name == "my_sweep_2_"
    odd = tmp_path / "odd scenario.yaml"
    odd.write_text(TINY.read_text())
    assert sweep_from_flags(odd, ["parties.a.reservation=0.1:0.5"]).name == "odd_scenario_sweep"
