"""The sweep store: a killed sweep resumes to the rows of an uninterrupted one, a second
writer is refused, a damaged part or manifest is found, reported and re-run, and every
file is written whole."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_sweep_run import TINY, sweep_file

import sim.sweeps.store
from sim.scenario.errors import ScenarioError
from sim.sweeps import sweep, sweep_report
from sim.sweeps.execute import execute
from sim.sweeps.spec import load_sweep
from sim.sweeps.store import FolderLock, RunStore

NEGSIM = shutil.which("negsim", path=str(Path(sys.executable).parent))
needs_cli = pytest.mark.skipif(NEGSIM is None, reason="the negsim command is not installed")


def negsim(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([NEGSIM, *map(str, args)], capture_output=True, text=True, **kw)


def reference(path: Path, tmp_path: Path):
    """The rows and part names of the same sweep run whole in this process."""
    store = RunStore(tmp_path / "reference", None)
    execute(load_sweep(path), store, jobs=1)
    return store.read(), [p.name for p in store.parts()]


def wait_for(condition, process=None, seconds=60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return
        time.sleep(0.01)


@needs_cli
def test_a_sweep_killed_five_times_and_resumed_ends_with_the_rows_of_an_uninterrupted_one(
    tmp_path,
):
    path = sweep_file(tmp_path, samples=300)  # 600 runs, 12 parts of 50
    out = tmp_path / "out"
    store = RunStore(out / "tiny_sweep")
    rng = random.Random(2026)
    caught_midway = 0
    for kill, jobs in enumerate((2, 1, 2, 1, 2)):
        # the Mesa engine, slow enough for the kills to land while runs are running
        command = [NEGSIM, "sweep", path, "--engine", "mesa", "--jobs", jobs, "--out", out]
        command += ["--quiet", "--resume"] if kill else ["--quiet"]
        process = subprocess.Popen(
            list(map(str, command)),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if kill == 0:  # anywhere in the start: loading, locking, sweep.json, first runs
            time.sleep(rng.uniform(0.2, 1.5))
        else:  # at a random moment after the next part is stored
            before = len(store.parts())
            wait_for(lambda before=before: len(store.parts()) > before, process)
            time.sleep(rng.uniform(0.0, 0.15))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        caught_midway += 0 < len(store.done()) < 600

    assert caught_midway >= 3, "the kills did not land while the sweep ran"
    resumed = negsim("sweep", path, "--jobs", 2, "--out", out, "--quiet", "--resume")
    assert resumed.returncode == 0, resumed.stderr

    rows, parts = reference(path, tmp_path)
    assert list(store.read()["run"]) == list(range(600))  # none lost, none doubled
    assert store.read().equals(rows)
    assert [p.name for p in store.parts()] == parts  # whole blocks, whatever the chunking
    assert not list((out / "tiny_sweep").rglob("*.tmp"))


@needs_cli
def test_a_second_writer_is_refused_with_one_line(tmp_path):
    path = sweep_file(tmp_path, samples=10)
    folder = tmp_path / "out" / "tiny_sweep"
    with FolderLock(folder):
        second = negsim("sweep", path, "--out", tmp_path / "out", "--quiet")
        with pytest.raises(ScenarioError, match="another sweep"):
            sweep(path, out=tmp_path / "out", jobs=1)
    assert second.returncode == 2
    assert second.stderr.strip().count("\n") == 0, second.stderr
    assert f"another sweep (pid {os.getpid()}) is writing this folder" in second.stderr
    assert not (folder / "runs").exists() and not (folder / "sweep.json").exists()
    # the lock ends with its holder, so the sweep can start now
    assert len(sweep(path, out=tmp_path / "out", jobs=1).rows) == 20


def truncate(path: Path, keep: float = 0.6) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_a_truncated_part_is_reported_and_re_run_on_resume(tmp_path, monkeypatch, kind):
    if kind == "parquet":
        pytest.importorskip("pyarrow")
    monkeypatch.setattr(sim.sweeps.store, "default_format", lambda: kind)
    path = sweep_file(tmp_path, samples=75)  # 150 runs: parts 0-49, 50-99, 100-149
    whole = sweep(path, out=tmp_path / "out", jobs=1)
    folder = whole.folder
    part = folder / "runs" / f"part-000000050-000000099.{kind}"
    truncate(part)

    report = sweep_report(folder)  # no crash: the part is reported and left out
    assert list(report.damaged) == [str(part)]
    assert len(report.rows) == 100 and 50 not in set(report.rows["run"])
    assert report.summary["damaged"] == {str(part): report.damaged[str(part)]}
    assert f"{part.name} is damaged" in (folder / "sweep.html").read_text()
    if NEGSIM is not None and kind == "parquet":
        told = negsim("sweep-report", folder)
        assert told.returncode == 0 and "Traceback" not in told.stderr
        assert f"{part}: damaged (unreadable" in told.stderr and "--resume" in told.stderr
    with pytest.raises(ScenarioError, match=r"unfinished sweep \(100 of 150 runs.*--resume"):
        sweep(path, out=tmp_path / "out", jobs=1)

    said = []
    resumed = sweep(path, out=tmp_path / "out", jobs=2, resume=True, echo=said.append)
    assert resumed.rows.equals(whole.rows)
    assert not resumed.damaged
    assert (part.parent / (part.name + ".damaged")).exists()  # kept for inspection
    assert any("damaged" in line and part.name in line for line in said)
    assert any("50 of 150 runs to do" in line for line in said)


def test_a_csv_part_cut_at_a_row_boundary_is_damaged_too(tmp_path):
    store = RunStore(tmp_path, runs=100)
    store.format = "csv"
    store.write([row(r) for r in range(10)])
    part = store.parts()[0]
    lines = part.read_text().splitlines(keepends=True)
    part.write_text("".join(lines[:-3]))  # whole rows, no NaN: only the count shows it
    assert store.done().size == 0
    assert "not runs 0 to 9" in store.damaged[part]
    part.write_text("".join(lines).replace("agreement", "", 1))  # a row without status
    assert store.done().size == 0 and "status" in store.damaged[part]


def row(run: int, status: str = "agreement") -> dict:
    return {"run": run, "sample": run, "replication": 0, "seed": 1, "status": status, "round": 3}


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_a_run_is_stored_once_whatever_the_chunking(tmp_path, kind):
    """Overlapping parts (two chunkings of the same runs) read back as one row a run."""
    if kind == "parquet":
        pytest.importorskip("pyarrow")
    store = RunStore(tmp_path, runs=100)
    store.format = kind
    store.write([row(r) for r in range(0, 70)])
    store.write([row(r) for r in range(50, 100)])
    store.write([row(r) for r in range(60, 80)])
    assert store.done().tolist() == list(range(100))
    assert list(store.read()["run"]) == list(range(100))


def test_a_part_of_runs_outside_the_sweep_is_damaged(tmp_path):
    store = RunStore(tmp_path, runs=20)
    store.write([row(r) for r in range(15, 25)])
    assert store.done().size == 0 and "0 to 19" in next(iter(store.damaged.values()))


@needs_cli
def test_a_damaged_sweep_json_gives_one_line(tmp_path):
    path = sweep_file(tmp_path, samples=10)
    folder = sweep(path, out=tmp_path / "out", jobs=1).folder
    truncate(folder / "sweep.json", 0.5)
    with pytest.raises(ScenarioError, match=r"sweep\.json.*damaged"):
        sweep(path, out=tmp_path / "out", jobs=1, resume=True)
    for args in (["sweep-report", folder], ["sweep", path, "--out", tmp_path / "out"]):
        result = negsim(*args)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert "sweep.json" in result.stderr and "damaged" in result.stderr


@needs_cli
def test_sweep_report_on_a_folder_that_is_not_a_sweep_gives_one_line(tmp_path):
    from sim.negotiation.runner import run
    from sim.reporting.run_folder import run_folder, write_run

    ran = run(TINY)
    result = negsim("sweep-report", write_run(ran, run_folder(ran, tmp_path), ["negsim"]))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "a run's folder, not a sweep's" in result.stderr


def test_sweep_json_is_written_once_and_never_half(tmp_path, monkeypatch):
    path = sweep_file(tmp_path, samples=10)
    folder = sweep(path, out=tmp_path / "out", jobs=1, command_line=["first"]).folder
    written = (folder / "sweep.json").read_bytes()
    said = []
    again = sweep(path, out=tmp_path / "out", jobs=2, command_line=["second"], echo=said.append)
    assert (folder / "sweep.json").read_bytes() == written
    assert json.loads(written)["command_line"] == ["first"]
    # a finished sweep rerun without --resume says it reused the stored rows
    assert again.reused and any("reused" in line for line in said)

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)  # a kill between writing and renaming
    (folder / "summary.json").unlink()
    with pytest.raises(KeyboardInterrupt):
        sweep(path, out=tmp_path / "out", jobs=1)
    assert not (folder / "summary.json").exists()  # not there at all rather than half
    assert not list(folder.rglob("*.tmp"))


def test_leftovers_of_a_killed_writer_are_removed_on_the_next_start(tmp_path):
    path = sweep_file(tmp_path, samples=10)
    folder = sweep(path, out=tmp_path / "out", jobs=1).folder
    (folder / "runs" / ".part-000000000-000000019.parquet.123.tmp").write_bytes(b"PAR1")
    (folder / ".summary.json.123.tmp").write_text("{")
    sweep(path, out=tmp_path / "out", jobs=1)
    assert not list(folder.rglob("*.tmp"))


@needs_cli
def test_ctrl_c_says_how_to_resume(tmp_path):
    path = sweep_file(tmp_path, samples=1500)  # 3,000 runs: seconds of work after the first part
    out = tmp_path / "out"
    # the Mesa engine, slow enough that the interrupt comes while runs are still running
    command = [NEGSIM, "sweep", str(path), "--engine", "mesa", "--jobs", "2"]
    command += ["--out", str(out), "--quiet"]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    store = RunStore(out / "tiny_sweep")
    wait_for(lambda: store.parts(), process)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.count("\n") == 1, stderr
    assert "Resume with: " in stderr and stderr.strip().endswith("--quiet --resume")
    again = stderr.strip().split("Resume with: ")[1].split()
    resumed = subprocess.run([NEGSIM, *again[1:]], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert list(store.read()["run"]) == list(range(3000))
