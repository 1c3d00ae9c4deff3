"""Sensitivity sweeps (MODEL.md section 5): vary scenario parameters by a design, run
every parameter set with seeded replications, store one row per run, and summarise
which outcomes each parameter leads to.

    result = sim.sweep("scenarios/sweeps/baseline_sobol.yaml", jobs=2)
    result.rows, result.indices
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import ScenarioError
from ..loading import load_scenario
from .execute import execute, run_count
from .spec import Sweep, load_sweep
from .store import RunStore

__all__ = ["Sweep", "SweepResult", "load_sweep", "sweep", "sweep_report"]


@dataclass
class SweepResult:
    rows: pd.DataFrame  # one row per run
    summary: dict  # what summary.json holds
    folder: Path

    @property
    def indices(self) -> dict:
        return self.summary["indices"]


def fingerprint(sweep: Sweep) -> str:
    """What makes two sweeps the same: the sweep itself and the base scenario's content."""
    base = load_scenario(sweep.base).digest
    described = {**dataclasses.asdict(sweep), "base": base, "source": None}
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def sweep(
    spec: Sweep | str | Path,
    *,
    jobs: int | None = None,
    out: str | Path = "results",
    resume: bool = False,
    dask: str | None = None,
    progress: bool = False,
    command_line: list[str] | None = None,
) -> SweepResult:
    """Run a sweep into `out/<name>/` (finishing an interrupted one with `resume`), then
    write summary.json and sweep.html."""
    spec = spec if isinstance(spec, Sweep) else load_sweep(spec)
    folder = Path(out) / spec.name
    store = RunStore(folder)
    manifest_path = folder / "sweep.json"
    identity = fingerprint(spec)
    if store.parts() or manifest_path.exists():
        recorded = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        if recorded.get("sweep_sha256") != identity:
            raise ScenarioError(
                str(folder), 0, "(results)", "holds runs of a different sweep: use another --out"
            )
        if not resume and len(store.done()) < recorded.get("runs", 0):
            raise ScenarioError(
                str(folder), 0, "(results)", "holds an unfinished sweep: add --resume to finish it"
            )
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(_manifest(spec, identity, command_line), indent=2) + "\n")
    execute(spec, store, jobs or os.cpu_count() or 1, dask, progress)
    return sweep_report(folder, spec)


def sweep_report(folder: str | Path, spec: Sweep | None = None) -> SweepResult:
    """(Re)build summary.json and sweep.html from the stored rows."""
    from .page import write_sweep_page
    from .summary import summarize

    folder = Path(folder)
    if spec is None:
        recorded = json.loads((folder / "sweep.json").read_text())
        spec = _sweep_from_manifest(recorded)
    rows = RunStore(folder).read()
    summary = summarize(spec, rows)
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    write_sweep_page(spec, rows, summary, folder / "sweep.html")
    return SweepResult(rows, summary, folder)


def _manifest(spec: Sweep, identity: str, command_line) -> dict:
    from ..output import versions

    return {
        "sweep": spec.name,
        "sweep_file": spec.source,
        "sweep_sha256": identity,
        "spec": dataclasses.asdict(spec) | {"base": str(spec.base)},
        "seed": spec.seed,
        "runs": run_count(spec),
        "versions": versions(),
        "command_line": command_line or [],
    }


def _sweep_from_manifest(recorded: dict) -> Sweep:
    from .spec import Design, Parameter

    spec = recorded["spec"]
    parameters = tuple(Parameter(**{**p, "values": tuple(p["values"])}) for p in spec["parameters"])
    return Sweep(
        name=spec["name"],
        base=Path(spec["base"]),
        parameters=parameters,
        design=Design(**spec["design"]),
        replications=spec["replications"],
        seed=spec["seed"],
        outputs=tuple(spec["outputs"]),
        source=spec["source"],
    )
