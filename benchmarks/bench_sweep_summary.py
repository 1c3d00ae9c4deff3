"""Peak memory and time of a sweep's summary at full size, without running the model:
a store of made-up rows for every run of a sweep file (its real design, parameter values
and part files; random statuses, rounds, utilities and options), then `sweep_report`.

    python benchmarks/bench_sweep_summary.py [SWEEP_FILE]   # default: baseline_million

Writing the rows happens in a child process, so the peak resident set printed is the
report's alone (imports included).
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sim.scenario.loader import load_scenario
from sim.sweeps import sweep_report
from sim.sweeps.design import ParameterSets, run_count
from sim.sweeps.execute import block_size, pending_chunks
from sim.sweeps.spec import load_sweep
from sim.sweeps.store import RunStore

ROOT = Path(__file__).resolve().parent.parent
STATUSES = np.array(["agreement", "no_deal", "walkout", "escalation"])


def write_made_up_rows(sweep_file: str, folder: Path) -> None:
    spec = load_sweep(sweep_file)
    scenario = load_scenario(spec.base)
    store, rng = RunStore(folder, run_count(spec)), np.random.default_rng(0)
    size = block_size(run_count(spec))
    for _, seed, tasks in pending_chunks(spec, np.array([], np.int64), size, ParameterSets(spec)):
        n = len(tasks)
        status = STATUSES[rng.choice(4, n, p=[0.55, 0.35, 0.07, 0.03])]
        rounds = rng.integers(1, scenario.deadline + 1, n)
        utilities = {f"utility.{p.id}": rng.random(n) for p in scenario.parties}
        options = {
            f"point.{point.id}": rng.choice([o.id for o in point.options], n)
            for point in scenario.points
        }
        store.write(
            [
                {
                    "run": run,
                    "sample": sample,
                    "replication": replication,
                    "seed": seed + run,
                    **values,
                    "status": str(status[i]),
                    "round": int(rounds[i]),
                    **{k: float(v[i]) for k, v in utilities.items()},
                    **{k: str(v[i]) for k, v in options.items()},
                }
                for i, (run, sample, replication, values) in enumerate(tasks)
            ]
        )


def main() -> None:
    sweep_file = (
        sys.argv[1] if len(sys.argv) > 1 else ROOT / "scenarios/sweeps/baseline_million.yaml"
    )
    spec = load_sweep(sweep_file)
    with tempfile.TemporaryDirectory() as out:
        folder = Path(out) / spec.name
        start = time.perf_counter()
        writer = multiprocessing.get_context("spawn").Process(
            target=write_made_up_rows, args=(str(sweep_file), folder)
        )
        writer.start()
        writer.join()
        parts = len(RunStore(folder).parts())
        took = time.perf_counter() - start
        print(f"{run_count(spec):,} made-up rows in {parts} parts: {took:.0f} s")
        start = time.perf_counter()
        result = sweep_report(folder, spec, ParameterSets(spec))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"sweep_report of {len(result.rows):,} runs: {time.perf_counter() - start:.0f} s, "
            f"peak memory {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
