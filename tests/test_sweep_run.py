"""Running sweeps: the same rows whatever the executor, and nothing lost or doubled when
a sweep is killed and resumed."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.scenario.errors import ScenarioError
from sim.sweeps import sweep
from sim.sweeps.execute import execute, run_count
from sim.sweeps.spec import load_sweep, sweep_from_flags
from sim.sweeps.store import RunStore

ROOT = Path(__file__).parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"


def sweep_file(tmp_path: Path, samples: int, replications: int = 2) -> Path:
    path = tmp_path / "tiny_sweep.yaml"
    path.write_text(
        f"name: tiny_sweep\nbase: {TINY}\n"
        "parameters:\n"
        "  parties.a.reservation: {range: [0.1, 0.6]}\n"
        "  parties.b.tactic.beta: {range: [0.3, 3.0]}\n"
        "  protocol.name: {values: [mediated, alternating]}\n"
        f"design: {{method: lhs, samples: {samples}}}\n"
        f"replications: {replications}\nseed: 11\n"
        "outputs: [agreement, round, utility.a]\n"
    )
    return path


def test_rows_are_identical_with_one_job_two_jobs_and_dask(tmp_path):
    pytest.importorskip("distributed")
    spec = load_sweep(sweep_file(tmp_path, samples=60))
    assert run_count(spec) == 120
    tables = []
    for jobs, dask in ((1, None), (2, None), (2, "local")):
        store = RunStore(tmp_path / f"out-{jobs}-{dask}")
        execute(spec, store, jobs=jobs, dask=dask)
        tables.append(store.read())
    assert len(tables[0]) == 120
    assert list(tables[0]["run"]) == list(range(120))
    assert tables[0].equals(tables[1])
    assert tables[0].equals(tables[2])
    assert set(tables[0]["protocol.name"]) == {"mediated", "alternating"}


def test_either_engine_makes_the_same_rows_and_the_same_sweep(tmp_path):
    """The engine is how the runs are made, not what they are: recorded in sweep.json,
    left out of the fingerprint, so a sweep made on one is finished or reused on the other."""
    spec = load_sweep(sweep_file(tmp_path, samples=30))
    made = {e: sweep(spec, out=tmp_path / e, jobs=1, engine=e) for e in ("batch", "mesa")}
    assert made["batch"].rows.equals(made["mesa"].rows)
    manifests = {e: json.loads((r.folder / "sweep.json").read_text()) for e, r in made.items()}
    assert [manifests[e]["engine"] for e in ("batch", "mesa")] == ["batch", "mesa"]
    assert manifests["batch"]["sweep_sha256"] == manifests["mesa"]["sweep_sha256"]
    assert sweep(spec, out=tmp_path / "mesa", jobs=1, engine="batch").reused


def test_the_engine_is_batch_or_mesa(tmp_path):
    spec = load_sweep(sweep_file(tmp_path, samples=4))
    with pytest.raises(ScenarioError, match=r"--engine.*choose batch or mesa"):
        sweep(spec, out=tmp_path / "out", engine="numba")
    result = CliRunner().invoke(
        main, ["sweep", str(TINY), "--engine", "numba", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2 and "'numba' is not one of 'batch', 'mesa'" in result.output
    assert not (tmp_path / "out").exists()


def test_a_wrong_parameter_path_stops_the_sweep_before_any_run(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"base: {TINY}\nparameters:\n  parties.m.influnce.a.strength: {{range: [0, 1]}}\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert caught.value.file == str(path) and caught.value.line == 3
    assert "did you mean 'influence'" in caught.value.message
    with pytest.raises(ScenarioError, match="did you mean 'reservation'"):
        sweep_from_flags(TINY, ["parties.a.reservaton=0:1"])


def row(run: int, status: str) -> dict:
    return {"run": run, "sample": run, "replication": 0, "seed": 7, "status": status, "round": 4}


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_store_keeps_whole_parts_and_reads_them_back_in_run_order(tmp_path, kind):
    if kind == "parquet":
        pytest.importorskip("pyarrow")
    store = RunStore(tmp_path)
    store.format = kind
    store.write([row(2, "agreement"), row(3, "no_deal")])
    store.write([row(0, "walkout")])
    (store.folder / ".part-x.tmp").write_text("half a part")  # what a kill leaves behind
    assert store.done().tolist() == [0, 2, 3]
    rows = store.read()
    assert list(rows["run"]) == [0, 2, 3]
    assert list(rows["status"]) == ["walkout", "agreement", "no_deal"]
    assert RunStore(tmp_path).format == kind  # a folder keeps the format it began with


def test_with_values_copies_only_what_it_changes():
    from sim.scenario.located_yaml import read_with_extends
    from sim.scenario.overrides import with_values

    base = read_with_extends(TINY)
    changed = with_values(base, {"parties.a.reservation": 0.5, "protocol.name": "alternating"})
    assert changed.data["parties"]["a"]["reservation"] == 0.5
    assert changed.data["protocol"] == {"name": "alternating"}
    assert base.data["parties"]["a"]["reservation"] == 0.3
    assert "protocol" not in base.data
    assert changed.data["parties"]["b"] is base.data["parties"]["b"]
