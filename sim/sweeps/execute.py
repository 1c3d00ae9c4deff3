"""Running a sweep's negotiations: in this process, on local worker processes, or on a
Dask cluster, in chunks whose rows are stored as they finish.

Every run's seed comes from (sweep seed, run index) alone, so the rows are the same
whatever the executor, the number of jobs or the order in which chunks finish.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from ..loading import build_scenario
from ..runner import run as run_negotiation
from ..yamlfile import read_with_extends, with_values
from .design import design_matrix, parameter_set, run_seed
from .spec import Sweep
from .store import RunStore

CHUNK = 50  # fewest runs per task (about a second of work)
MAX_CHUNK = 500
PARTS_PER_JOB = 40  # big sweeps use bigger tasks, so that they leave a few hundred part
# files, not thousands (reading thousands of small files back costs time and memory)
_BASES: dict = {}  # per worker process: the base scenario's data, read once


def run_chunk(base: str, sweep_seed: int, tasks: list[tuple]) -> list[dict]:
    """Run (run, sample, replication, values) tasks on the base scenario; one row each."""
    if base not in _BASES:
        _BASES[base] = read_with_extends(Path(base))
    located = _BASES[base]
    rows = []
    for run, sample, replication, values in tasks:
        scenario = build_scenario(with_values(located, values), Path(base))
        seed = run_seed(sweep_seed, run)
        outcome = run_negotiation(scenario, seed=seed).outcome
        rows.append(
            {
                "run": run,
                "sample": sample,
                "replication": replication,
                "seed": seed,
                **values,
                "status": outcome.status,
                "round": outcome.round,
                **{f"utility.{party}": u for party, u in outcome.utilities.items()},
                **{f"point.{point}": option for point, option in outcome.package.items()},
            }
        )
    return rows


def chunk_size(runs: int, jobs: int) -> int:
    return min(MAX_CHUNK, max(CHUNK, runs // (PARTS_PER_JOB * max(jobs, 1))))


def pending_chunks(sweep: Sweep, done: set[int], size: int = CHUNK):
    """The runs still to do, as argument tuples for `run_chunk`, in run order."""
    matrix = design_matrix(sweep)
    replications = sweep.replications
    runs = (r for r in range(len(matrix) * replications) if r not in done)
    while batch := list(itertools.islice(runs, size)):
        tasks = [
            (
                run,
                run // replications,
                run % replications,
                parameter_set(sweep, matrix[run // replications]),
            )
            for run in batch
        ]
        yield (str(sweep.base), sweep.seed, tasks)


def run_count(sweep: Sweep) -> int:
    return len(design_matrix(sweep)) * sweep.replications


def execute(
    sweep: Sweep, store: RunStore, jobs: int = 1, dask: str | None = None, progress: bool = False
) -> None:
    """Run every run not yet in the store, writing rows as chunks finish."""
    from tqdm import tqdm

    done = store.done()
    bar = tqdm(
        total=run_count(sweep),
        initial=len(done),
        unit="run",
        disable=not progress,
        smoothing=0.05,
        file=sys.stderr,
    )
    chunks = pending_chunks(sweep, done, chunk_size(run_count(sweep), jobs))
    try:
        if dask is not None:
            _on_dask(chunks, store, bar, dask, jobs)
        elif jobs <= 1:
            for args in chunks:
                _finish(run_chunk(*args), store, bar)
        else:
            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(jobs, mp_context=context) as pool:
                _drain(
                    (pool.submit(run_chunk, *args) for args in chunks), store, bar, window=2 * jobs
                )
    finally:
        bar.close()


def _finish(rows: list[dict], store: RunStore, bar) -> None:
    store.write(rows)
    bar.update(len(rows))


def _drain(submissions, store: RunStore, bar, window: int) -> None:
    """Keep at most `window` chunks in flight; store each as it completes."""
    running = set(itertools.islice(submissions, window))
    while running:
        finished, running = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            _finish(future.result(), store, bar)
        running |= set(itertools.islice(submissions, len(finished)))


def _on_dask(chunks, store: RunStore, bar, address: str, jobs: int) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise RuntimeError("--dask needs the dask extra: pip install 'negsim[dask]'") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, dashboard_address=None)
    with Client(cluster or address) as client:
        window = 2 * max(len(client.scheduler_info()["workers"]), 1)
        futures = as_completed(
            [
                client.submit(run_chunk, *args, pure=False)
                for args in itertools.islice(chunks, window)
            ]
        )
        for future in futures:
            _finish(future.result(), store, bar)
            for args in itertools.islice(chunks, 1):
                futures.add(client.submit(run_chunk, *args, pure=False))
    if cluster is not None:
        cluster.close()
