"""Sensitivity sweeps (MODEL.md section 5): vary scenario parameters by a design, run
every parameter set with seeded replications, store one row per run, and summarise
which outcomes each parameter leads to. Imports every stage up to reporting (runs, their
analysis, the report's page style); never the classroom.

    result = sim.sweep("scenarios/sweeps/baseline_sobol.yaml", jobs=2)
    result.rows, result.indices
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..negotiation.batch import MAX_BATCH
from ..scenario.data import ENGINES
from ..scenario.errors import ScenarioError
from ..scenario.limits import MAX_JOBS, SWEEP_CONFIRM_RUNS
from ..scenario.loader import load_scenario
from ..scenario.names import name_problem
from .design import ParameterSets, run_count
from .execute import block_size, execute, run_chunk
from .heap import release_freed_memory
from .spec import (
    Sweep,
    check_cases,
    load_sweep,
    parameter_set_count,
    replications_text,
    size_problem,
)
from .store import FolderLock, RunStore, remove_temporaries, write_atomic

__all__ = ["Sweep", "SweepResult", "load_sweep", "sweep", "sweep_report"]

MEASURED_RUNS = {"batch": 64, "mesa": 3}  # timed for the estimate, after one to warm up
PARALLEL_EFFICIENCY = 0.9  # measured: 2 jobs run 1.84x-1.98x as fast as one (docs/sweeps.md)


@dataclass
class SweepResult:
    summary: dict  # what summary.json holds
    folder: Path
    damaged: dict[str, str] = field(default_factory=dict)  # part file -> what is wrong
    reused: bool = False  # every run was already stored: nothing was run

    @property
    def indices(self) -> dict:
        return self.summary["indices"]

    @functools.cached_property
    def rows(self) -> pd.DataFrame:
        """One row per run, read from the store when first asked for (a million runs'
        rows are some 550 MB: the report itself reads them a column at a time)."""
        return RunStore(self.folder).read()


def fingerprint(sweep: Sweep) -> str:
    """What makes two sweeps the same: the sweep itself and the base scenario's content."""
    base = load_scenario(sweep.base).digest
    # the cases of interest change what the report says, not the runs
    described = {**dataclasses.asdict(sweep), "base": base, "source": None}
    described.pop("cases")
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
    yes: bool = False,
    echo: Callable[[str], None] | None = None,
    engine: str = "batch",
) -> SweepResult:
    """Run a sweep into `out/<name>/` (finishing an interrupted one with `resume`), then
    write summary.json and sweep.html. `echo` gets the run count and time estimate before
    the first run; past SWEEP_CONFIRM_RUNS runs to do, the sweep starts only with `yes`.
    `engine` runs the negotiations: "batch" (many at once) or "mesa" (one at a time), with
    the same rows."""
    spec = spec if isinstance(spec, Sweep) else load_sweep(spec)
    where = spec.source or str(spec.base)
    for problem, path in ((name_problem(spec.name), "name"), (size_problem(spec), "design")):
        if problem is not None:
            raise ScenarioError(where, 0, path, problem)
    jobs = worker_count(jobs)
    if engine not in ENGINES:
        raise ScenarioError("--engine", 1, str(engine), f"choose {' or '.join(ENGINES)}")
    say = echo or (lambda line: None)
    folder = Path(out) / spec.name
    total = run_count(spec)
    plan = _Plan(spec, jobs, dask, engine)
    if not folder.exists():  # refuse a huge sweep before making its folder
        plan.check(total, yes)
    identity = fingerprint(spec)
    with FolderLock(folder):
        remove_temporaries(folder)  # left by a killed writer; nobody else writes now
        store = RunStore(folder, total)
        manifest_path = folder / "sweep.json"
        recorded = read_manifest(folder) if manifest_path.exists() else None
        stored = recorded is not None or bool(store.parts())
        if stored and (recorded or {}).get("sweep_sha256") != identity:
            why = "holds runs of a different sweep" if recorded else "holds runs but no sweep.json"
            raise ScenarioError(str(folder), 0, "(results)", f"{why}: use another --out")
        done = store.done()
        if stored and len(done) < total and not resume:
            damaged = f"; {len(store.damaged)} damaged part(s)" if store.damaged else ""
            raise ScenarioError(
                str(folder),
                0,
                "(results)",
                f"holds an unfinished sweep ({len(done):,} of {total:,} runs stored{damaged}): "
                "add --resume to finish it",
            )
        for part, problem in store.set_aside_damaged():
            say(f"{part}: damaged ({problem}); set aside as {part.name}.damaged, re-running it")
        todo = total - len(done)
        if todo:
            say(plan.check(todo, yes))
        if recorded is None:
            text = json.dumps(_manifest(spec, identity, command_line, engine), indent=2) + "\n"
            write_atomic(manifest_path, text)
        sets = ParameterSets(spec)
        if todo:
            execute(spec, store, jobs, dask, progress, sets, done, engine)
        else:
            say(
                f"{spec.name}: all {total:,} runs were already stored in {folder}; reused them "
                "(delete the folder to run the sweep again)"
            )
        result = sweep_report(folder, spec, sets)
    result.reused = not todo
    return result


def worker_count(jobs: int | None) -> int:
    """Worker processes: `jobs` if from 1 to MAX_JOBS, by default one per core."""
    if jobs is None:
        return min(os.cpu_count() or 1, MAX_JOBS)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise ScenarioError("--jobs", 1, str(jobs), f"give 1 to {MAX_JOBS} worker processes")
    return jobs


class _Plan:
    """How long the runs to do will take: their number times the time of a run of the
    base scenario, measured here, over the jobs."""

    def __init__(self, spec: Sweep, jobs: int, dask: str | None, engine: str):
        self.spec, self.jobs, self.dask, self.engine = spec, jobs, dask, engine
        self._seconds_per_run: float | None = None

    def check(self, todo: int, yes: bool) -> str:
        """The plan line; past SWEEP_CONFIRM_RUNS runs to do without `yes`, a refusal."""
        spec, total = self.spec, run_count(self.spec)
        count = f"{todo:,} runs" if todo == total else f"{todo:,} of {total:,} runs"
        sets = (
            f"{parameter_set_count(spec):,} parameter sets x {replications_text(spec.replications)}"
        )
        line = f"{spec.name}: {count} to do ({sets}), {self.estimate(todo)}"
        if todo > SWEEP_CONFIRM_RUNS and not yes:
            raise ScenarioError(
                spec.source or str(spec.base),
                0,
                "design",
                f"{count} to do, {self.estimate(todo)}: past {SWEEP_CONFIRM_RUNS:,} runs a "
                "sweep starts only with --yes",
            )
        return line

    def estimate(self, todo: int) -> str:
        if self._seconds_per_run is None:
            self._seconds_per_run = self._measure()
            release_freed_memory()  # the timed batches' arrays, before the sweep runs
        work = todo * self._seconds_per_run
        if self.dask is not None:
            return f"about {duration(work)} of one core's work"
        cores = min(self.jobs, os.cpu_count() or 1)
        speed = cores * PARALLEL_EFFICIENCY if cores > 1 else 1
        jobs = f"{self.jobs} job" + ("s" if self.jobs > 1 else "")
        return f"about {duration(work / speed)} with {jobs}"

    def _measure(self) -> float:
        """Seconds per run: the first run (with the warm-up) if slow; else a few more
        together on the Mesa engine; on the batch engine a batch of MEASURED_RUNS runs and
        one four times as large, whose difference parts a run's own cost from the batch's,
        priced at the size of the sweep's batches."""
        base, seed = str(self.spec.base), self.spec.seed
        first = self._time(base, seed, 0, 1)
        if first > 0.5:  # a slow scenario: one run tells enough
            return first
        runs = MEASURED_RUNS[self.engine]
        small = self._time(base, seed, 1, runs)
        if self.engine != "batch":
            return small / runs
        large = self._time(base, seed, 1 + runs, 4 * runs)
        per_run = (large - small) / (3 * runs)
        if per_run <= 0:  # a noisy machine: the larger batch alone
            return large / (4 * runs)
        batch = min(block_size(run_count(self.spec)), MAX_BATCH)
        return per_run + max(0.0, small - runs * per_run) / batch

    def _time(self, base: str, seed: int, first: int, runs: int) -> float:
        start = time.perf_counter()
        run_chunk(base, seed, [(run, 0, 0, {}) for run in range(first, first + runs)], self.engine)
        return time.perf_counter() - start


def duration(seconds: float) -> str:
    """3 s, 12 min, 5.5 h, 3.2 days."""
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def sweep_report(
    folder: str | Path,
    spec: Sweep | None = None,
    sets: ParameterSets | None = None,
    cases: Sequence[str] | None = None,
) -> SweepResult:
    """(Re)build summary.json and sweep.html from the stored rows; damaged parts are left
    out and listed in `damaged` (and in summary.json). `cases` replaces the sweep's cases
    of interest for scenario discovery (`negsim discover`)."""
    from .page import write_sweep_page
    from .summary import summarize

    folder = Path(folder)
    if spec is None:
        spec = _sweep_from_manifest(read_manifest(folder), folder)
    if cases:
        spec = dataclasses.replace(spec, cases=tuple(cases))
        check_cases(spec)
    release_freed_memory()  # what the runs left, before the report's largest stages
    store = RunStore(folder, run_count(spec))
    rows = store.rows()
    damaged = {str(part): problem for part, problem in store.damaged.items()}
    summary = summarize(spec, rows, sets)
    if damaged:
        summary["damaged"] = damaged
    write_atomic(folder / "summary.json", json.dumps(summary, indent=2) + "\n")
    release_freed_memory()
    write_sweep_page(spec, rows, summary, folder / "sweep.html")
    return SweepResult(summary, folder, damaged)


def read_manifest(folder: Path) -> dict:
    """sweep.json of a sweep folder, or one clear line on why there is none."""
    folder = Path(folder)
    path = folder / "sweep.json"
    if not path.is_file():
        kind = (
            "a run's folder, not a sweep's"
            if (folder / "manifest.json").is_file()
            else "not a sweep's folder"
        )
        raise ScenarioError(
            str(path),
            0,
            "(sweep)",
            f"not found: {folder} is {kind}; give one that `negsim sweep` wrote "
            "(results/<sweep name>)",
        )
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ScenarioError(
            str(path),
            getattr(err, "lineno", 0),
            "(sweep)",
            f"damaged ({getattr(err, 'msg', err)}): it no longer says which sweep the runs "
            "are of; delete the folder to run the sweep again",
        ) from None
    if not isinstance(recorded, dict) or "sweep_sha256" not in recorded:
        raise ScenarioError(str(path), 1, "(sweep)", "not the manifest of a sweep")
    return recorded


def _manifest(spec: Sweep, identity: str, command_line, engine: str) -> dict:
    from ..reporting.run_folder import versions

    return {
        "sweep": spec.name,
        "sweep_file": spec.source,
        "sweep_sha256": identity,
        "spec": dataclasses.asdict(spec) | {"base": str(spec.base)},
        "seed": spec.seed,
        "runs": run_count(spec),
        "engine": engine,  # of the first command: either engine makes the same rows
        "versions": versions(),
        "command_line": command_line or [],
    }


def _sweep_from_manifest(recorded: dict, folder: Path) -> Sweep:
    try:
        return _sweep_of(recorded["spec"])
    except (KeyError, TypeError, ValueError) as err:
        raise ScenarioError(
            str(folder / "sweep.json"), 1, "spec", f"not a sweep's description ({err!r})"
        ) from None


def _sweep_of(spec: dict) -> Sweep:
    from .spec import Design, Parameter

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
        cases=tuple(spec.get("cases", ())),  # sweeps written before scenario discovery
    )
