"""Running a sweep's negotiations: in this process, on local worker processes, or on a
Dask cluster, in chunks whose rows are stored as they finish.

Every run's seed comes from (sweep seed, run index) alone, so the rows are the same
whatever the executor, the number of jobs or the order in which chunks finish.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import signal
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np

from ..negotiation.runner import outcomes_each
from .design import ParameterSets, parameter_set, run_count, run_seed
from .spec import Sweep
from .store import RunStore
from .variants import Variants

CHUNK = 50  # fewest runs per part (about a second of work on the Mesa engine)
MAX_CHUNK = 5000  # most runs per part: one batch of the batch engine
PARTS = 200  # big sweeps use bigger parts, so that they leave a few hundred part files,
# not thousands (reading thousands of small files back costs time and memory)
_VARIANTS: dict = {}  # per worker process: (base, parameter paths) -> Variants, read once


def run_chunk(base: str, sweep_seed: int, tasks: list[tuple], engine: str = "batch") -> list[dict]:
    """Run (run, sample, replication, values) tasks on the base scenario, all in one call
    of the batch engine or one by one on the Mesa engine; one row each."""
    scenarios = [_variants(base, tuple(values)).build(values) for *_, values in tasks]
    seeds = [run_seed(sweep_seed, task[0]) for task in tasks]
    outcomes = outcomes_each(scenarios, seeds, engine)
    return [
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
        for (run, sample, replication, values), seed, outcome in zip(
            tasks, seeds, outcomes, strict=True
        )
    ]


def stored_chunk(
    folder: str, kind: str, base: str, sweep_seed: int, tasks, engine: str = "batch"
) -> int:
    """`run_chunk`, its rows written to the sweep's store as one part by the worker that
    ran them: only their count goes back, so the main process never holds a chunk's rows
    (a local worker shares the store's disk; a Dask worker may not, and sends its rows)."""
    rows = run_chunk(base, sweep_seed, tasks, engine)
    RunStore(Path(folder), kind=kind).write(rows)
    return len(rows)


def _variants(base: str, paths: tuple[str, ...]) -> Variants:
    if (base, paths) not in _VARIANTS:
        _VARIANTS[base, paths] = Variants(base, paths)
    return _VARIANTS[base, paths]


def block_size(runs: int) -> int:
    """Runs per part, from the sweep's size alone (never the number of jobs or the
    engine), so that every chunking of one sweep stores the same blocks of runs."""
    return min(MAX_CHUNK, max(CHUNK, runs // PARTS))


def pending_chunks(sweep: Sweep, done: np.ndarray, size: int = CHUNK, sets=None):
    """The runs still to do (`done`: the sorted indices of those stored), as argument
    tuples for `run_chunk`, in run order: for each block of `size` runs, each unbroken
    stretch of its runs not yet done."""
    sets = sets if sets is not None else ParameterSets(sweep)
    total = run_count(sweep)
    for start in range(0, total, size):
        stop = min(start + size, total)
        stored = done[np.searchsorted(done, start) : np.searchsorted(done, stop)]
        todo = np.setdiff1d(np.arange(start, stop), stored, assume_unique=True).tolist()
        for stretch in _stretches(todo):
            yield (str(sweep.base), sweep.seed, _tasks(sweep, sets, stretch))


def _stretches(runs: list[int]):
    """[1, 2, 3, 7, 8] -> [1, 2, 3], [7, 8]: a part holds consecutive runs."""
    for _, group in itertools.groupby(enumerate(runs), lambda pair: pair[1] - pair[0]):
        yield [run for _, run in group]


def _tasks(sweep: Sweep, sets: ParameterSets, runs: list[int]) -> list[tuple]:
    replications = sweep.replications
    rows = sets.rows(np.array(runs) // replications)
    return [
        (run, run // replications, run % replications, parameter_set(sweep, row))
        for run, row in zip(runs, rows, strict=True)
    ]


def execute(
    sweep: Sweep,
    store: RunStore,
    jobs: int = 1,
    dask: str | None = None,
    progress: bool = False,
    sets: ParameterSets | None = None,
    done: np.ndarray | None = None,
    engine: str = "batch",
) -> None:
    """Run every run not yet in the store (`done`, if already known), writing rows as
    chunks finish, on the `engine` ("batch" or "mesa"); `sets` shares a design already
    drawn."""
    from tqdm import tqdm

    done = store.done() if done is None else done
    total = run_count(sweep)
    bar = tqdm(
        total=total,
        initial=len(done),
        unit="run",
        disable=not progress,
        smoothing=0.05,
        file=sys.stderr,
    )
    chunks = pending_chunks(sweep, done, block_size(total), sets)
    work = functools.partial(run_chunk, engine=engine)  # a chunk is one batch
    try:
        if dask is not None:
            _on_dask(work, chunks, store, bar, dask, jobs)
        elif jobs <= 1:
            for args in chunks:
                _finish(work(*args), store, bar)
        else:
            where = str(store.folder.parent), store.format
            _on_processes(functools.partial(stored_chunk, *where, engine=engine), chunks, bar, jobs)
    finally:
        bar.close()


def _on_processes(work, chunks, bar, jobs: int) -> None:
    """Local workers run the chunks and store their rows; the bar counts them."""
    context = multiprocessing.get_context("forkserver")
    # the server imports the model once and forks each worker from it, ready to run
    context.set_forkserver_preload([__name__])
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_ignore_interrupt)
    try:
        _drain((pool.submit(work, *args) for args in chunks), bar.update, window=2 * jobs)
    except BaseException:  # Ctrl-C or a failed run: stop now, not after the queued chunks
        _stop(pool)
        raise
    pool.shutdown()


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the main process, which stops them (no traceback each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Drop the queued chunks and end the workers; their runs in flight are re-run on
    --resume."""
    if hasattr(pool, "terminate_workers"):  # Python 3.14
        pool.terminate_workers()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()


def _finish(rows: list[dict], store: RunStore, bar) -> None:
    store.write(rows)
    bar.update(len(rows))


def _drain(submissions, finish, window: int) -> None:
    """Keep at most `window` chunks in flight; `finish` each one's result as it completes."""
    running = set(itertools.islice(submissions, window))
    while running:
        finished, running = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            finish(future.result())
        running |= set(itertools.islice(submissions, len(finished)))


def _on_dask(work, chunks, store: RunStore, bar, address: str, jobs: int) -> None:
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
            [client.submit(work, *args, pure=False) for args in itertools.islice(chunks, window)]
        )
        for future in futures:
            _finish(future.result(), store, bar)
            for args in itertools.islice(chunks, 1):
                futures.add(client.submit(work, *args, pure=False))
    if cluster is not None:
        cluster.close()
