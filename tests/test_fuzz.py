"""The fuzz suite of issue 9: thousands of mutants of the library's scenario and sweep
files (see tests/fuzz.py). Each mutant must either load, and then run a short deadline,
analyse and place its run folder inside --out, or be refused with the project's own
`ScenarioError` in one located line; never another exception, never a hang, never a file
outside the output folder. A CLI subset must exit 2 with one line and no results folder.

The mutants are made and tried once per module (in two processes where there are two
cores); each test checks one of these promises over all of them and lists what breaks
it, grouped by root cause (exception type and the frame in sim/ that let it through),
with the smallest mutant of each group as reproducer.

    NEGSIM_FUZZ_SCENARIOS=20000 pytest tests/test_fuzz.py -s   # a longer campaign
    python benchmarks/fuzz_stats.py --scenarios 20000            # counts and causes only
"""

from __future__ import annotations

import dataclasses
import faulthandler
import json
import math
import multiprocessing
import os
import re
import resource
import signal
import subprocess
import sys
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz import BASELINE, TINY, TINY_SWEEP, Mutant, scenario_mutant, sweep_mutant, write_library

import sim
from sim.analysis import Problem, analyze, run_efficiency
from sim.cli import main
from sim.reporting.run_folder import outcome_record, run_folder, write_run
from sim.reporting.terminal_summary import summary
from sim.scenario import limits, names
from sim.sweeps.spec import load_sweep

N_SCENARIOS = int(os.environ.get("NEGSIM_FUZZ_SCENARIOS", "2000"))
N_SWEEPS = int(os.environ.get("NEGSIM_FUZZ_SWEEPS", "300"))
FIRST_SEED = int(os.environ.get("NEGSIM_FUZZ_SEED", "0"))
JOBS = int(os.environ.get("NEGSIM_FUZZ_JOBS", str(min(2, os.cpu_count() or 1))))
CHUNK = 50  # mutants per task of a worker process
N_CLI = 50  # in-process (click's runner); a few of them also as real processes
N_PROCESSES = 4
# Validation may take 2 s of CPU (CPU time, so that a busy machine does not fail it) and
# 20 s of wall time (a wait that burns no CPU); a short run with its analysis and report 10 s.
VALIDATION_SECONDS = 2.0
WALL_FACTOR = 10
RUN_SECONDS = 10.0
MEMORY_BYTES = 6 * 2**30  # address space of a worker process (the campaign needs ~0.4 GB)
HARD_SECONDS = 120  # past this a mutant is stuck where no signal reaches: dump and exit
SHORT_DEADLINE = 3
WRITES_PER_CHUNK = 1  # run folders really written (a report takes 0.2 s), odd names first
LOCATED = re.compile(r"[^\n]+:\d+: [^\n]+: [^\n]+")  # file:line: dotted.path: message
SIM = Path(sim.__file__).resolve().parent


class Timeout(BaseException):
    """A step ran past its time (a BaseException, so that no `except Exception` hides it)."""


@contextmanager
def time_limit(seconds: float):
    """Raise Timeout after `seconds` of CPU time or ten times that of wall time."""

    def ring(signum, frame):
        raise Timeout("CPU" if signum == signal.SIGPROF else "wall")

    previous = signal.signal(signal.SIGPROF, ring), signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * WALL_FACTOR)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous[0])
        signal.signal(signal.SIGALRM, previous[1])


@dataclass
class Trial:
    """What one mutant did. `problems` holds (check, root cause, detail) of each broken
    promise; the check is one of exception, message, slow, limits, run, outside."""

    kind: str
    seed: int
    description: str
    operator: str  # the first operator's kind ("rename", "truncate", ...)
    entry: Path
    size: int  # bytes of the mutant's files: the smallest of a group is its example
    status: str = ""  # loaded | clean (a located ScenarioError) | other | timeout
    seconds: float = 0.0  # CPU time of the validation
    wall: float = 0.0
    error: str = ""  # the message of a refused mutant
    settings: list[str] = field(default_factory=list)  # `--set` overrides
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, mutant: Mutant, entry: Path) -> Trial:
        first = mutant.operators[0] if mutant.operators else ""
        size = sum(map(len, mutant.files.values())) + sum(map(len, mutant.settings))
        operator = re.sub(r"[^a-z].*", "", first)
        return cls(mutant.kind, mutant.seed, mutant.describe()[:300], operator, entry, size)


def root_cause(err: BaseException) -> str:
    """The type, the innermost frame in sim/ and the innermost frame of all, as in
    `RecursionError in sim/scenario/located_yaml.py:read_located (via
    composer.py:compose_node)`. A Timeout is named by the outermost frame in sim/ (where
    it happens to stop is chance; `chain` shows the way there)."""
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(SIM)]
    text = type(err).__name__
    if ours:
        frame = ours[0] if isinstance(err, Timeout) else ours[-1]
        text += f" in {Path(frame.filename).resolve().relative_to(SIM.parent)}:{frame.name}"
    if frames and (not ours or frames[-1] is not ours[-1]) and not isinstance(err, Timeout):
        text += f" (via {Path(frames[-1].filename).name}:{frames[-1].name})"
    return text


def chain(err: BaseException) -> str:
    """The frames in sim/ from the outermost in, one per function: `report.write_report >
    utility_space.sample_packages > space.repair > links.nearest_valid`."""
    names = []
    for f in traceback.extract_tb(err.__traceback__):
        if Path(f.filename).resolve().is_relative_to(SIM):
            name = f"{Path(f.filename).stem}.{f.name}"
            if not names or names[-1] != name:
                names.append(name)
    return " > ".join(names)


def first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0][:160] if text else ''}"


def validate(trial: Trial, load):
    """Load the mutant under the time limit; the loaded value, or None when refused."""
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        with time_limit(VALIDATION_SECONDS):
            value = load(trial.entry)
        trial.status = "loaded"
        return value
    except sim.ScenarioError as err:
        trial.status, trial.error = "clean", str(err)
        # the error is ONE line `file:line: dotted.path: message`, with line >= 1
        text, cause = str(err), root_cause(err).removeprefix("ScenarioError in ")
        shown = repr(text[:160])
        if not LOCATED.fullmatch(text):
            trial.problems.append(
                ("message", f"not 'file:line: path: message' from {cause}", shown)
            )
        elif len(text.splitlines()) != 1:
            trial.problems.append(("message", f"a line break in the message from {cause}", shown))
        if not isinstance(err.line, int) or err.line < 1:
            trial.problems.append(("message", f"line {err.line!r} from {cause}", shown))
    except Timeout as err:
        # validation finishes within VALIDATION_SECONDS, whatever the input
        trial.status = "timeout"
        cause = f"over the {err} time limit: {root_cause(err)}"
        trial.problems.append(("slow", cause, chain(err)))
    except Exception as err:
        # any exception other than ScenarioError is a bug
        trial.status = "other"
        trial.problems.append(("exception", root_cause(err), first_line(err)))
    finally:
        trial.seconds = time.process_time() - cpu
        trial.wall = time.perf_counter() - wall
    return None


def past_limits(scenario) -> list[tuple[str, str]]:
    """(bound, detail) of each sim.scenario.limits bound or slug rule a loaded scenario breaks."""
    counts = [
        ("deadline", scenario.deadline, limits.MAX_DEADLINE),
        ("seed", abs(scenario.seed), getattr(limits, "MAX_SEED", limits.MAX_NUMBER)),
        ("points", len(scenario.points), limits.MAX_POINTS),
        ("parties", len(scenario.parties), limits.MAX_PARTIES),
        ("links", len(scenario.links), limits.MAX_LINKS),
        *(("options of a point", len(p.options), limits.MAX_OPTIONS) for p in scenario.points),
        *(("a party's deadline", p.deadline or 0, limits.MAX_DEADLINE) for p in scenario.parties),
    ]
    broken = [(what, f"{_short(n)} > {bound}") for what, n, bound in counts if n > bound]
    if problem := names.name_problem(scenario.name):
        broken.append(("the name is a slug", problem))
    ids = [p.id for p in scenario.points] + [p.id for p in scenario.parties]
    ids += [o.id for p in scenario.points for o in p.options]
    broken += [("ids are slugs", problem) for i in ids if (problem := names.id_problem(i))]
    for value in _leaves(scenario):
        if isinstance(value, str) and len(value) > limits.MAX_TEXT_CHARS:
            broken.append(("text length", f"{len(value)} > {limits.MAX_TEXT_CHARS} characters"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                broken.append(("finite numbers", repr(value)))
            elif abs(value) > limits.MAX_NUMBER:
                broken.append(("number size", f"|{_short(value)}| > {limits.MAX_NUMBER:g}"))
    return broken


def _leaves(value):
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            if f.name not in ("source", "digest", "seed"):  # the seed has its own bound
                yield from _leaves(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _short(number) -> str:
    if isinstance(number, int) and number.bit_length() > 64:
        return f"{'-' if number < 0 else ''}2**{number.bit_length()}"
    return repr(number)


def inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def exercise(trial: Trial, scenario, out: Path, write: bool) -> None:
    """Run a loaded scenario for a short deadline, report and analyse it, place (and maybe
    write) its run folder: none of it may raise or hang; the folder is inside `out`."""
    short = dataclasses.replace(scenario, deadline=min(scenario.deadline, SHORT_DEADLINE))
    stage = "run"
    try:
        with time_limit(RUN_SECONDS):
            result = sim.run(short)
            stage = "outcome"
            json.dumps(outcome_record(result))
            summary(result.outcome, short, run_efficiency(result))
            len(result.rounds)
            stage = "analysis"
            analyze(Problem.from_scenario(short), None)
            stage = "run folder"
            folder = run_folder(result, out)
            if not inside(folder, out):
                trial.problems.append(("outside", "run folder outside --out", str(folder)))
            elif write:
                stage = "write_run"
                written = write_run(result, folder, ["negsim", "run", str(trial.entry)])
                if not inside(written, out):
                    trial.problems.append(("outside", "write_run outside --out", str(written)))
    except (Exception, Timeout) as err:
        detail = chain(err) if isinstance(err, Timeout) else first_line(err)
        trial.problems.append(("run", f"{stage}: {root_cause(err)}", detail))


def try_scenario(mutant: Mutant, lib: Path, out: Path, write: Callable[[str], bool]) -> Trial:
    trial = Trial.of(mutant, mutant.write(lib))
    trial.settings = mutant.overrides(lib)
    scenario = validate(trial, lambda entry: sim.load_scenario(entry, trial.settings))
    if scenario is not None:
        # a loaded scenario keeps the bounds of sim.scenario.limits and the slug rules
        trial.problems += [("limits", what, detail) for what, detail in past_limits(scenario)]
        exercise(trial, scenario, out, write(scenario.name))
    return trial


def try_sweep(mutant: Mutant, lib: Path, out: Path) -> Trial:
    trial = Trial.of(mutant, mutant.write(lib))
    spec = validate(trial, load_sweep)
    if spec is not None:
        # a loaded sweep's name becomes the folder out/<name>: a slug, inside --out
        if problem := names.name_problem(spec.name):
            trial.problems.append(("limits", "a sweep's name is a slug", problem))
        if not inside(out / spec.name, out):
            trial.problems.append(("outside", "sweep folder outside --out", repr(spec.name)))
    return trial


# -- the campaign --------------------------------------------------------------------------


@dataclass
class Campaign:
    scenarios: list[Trial]
    sweeps: list[Trial]
    stray: list[str]  # files that appeared outside the output folder
    seconds: float
    folder: Path


def layout(base: Path) -> tuple[Path, Path, Path]:
    """The library copy, the output folder (deep, so that `../..` stays in base) and an
    empty working folder, where relative paths that escape would land."""
    return base / "lib", base / "runs" / "a" / "b" / "c" / "out", base / "cwd"


def run_campaign(
    base: Path, n_scenarios: int, n_sweeps: int, first_seed: int = 0, jobs: int = 1
) -> Campaign:
    """Try the mutants, then list every file that appeared under `base` but in the library
    copy, the mutants' own files and the output folder."""
    start = time.perf_counter()
    lib, out, cwd = layout(base)
    out.mkdir(parents=True)
    cwd.mkdir()
    known = {str(p) for p in write_library(lib)}
    _warm_up(lib)
    seeds = range(first_seed, first_seed + n_scenarios)
    tasks = [("scenario", seeds[i : i + CHUNK]) for i in range(0, len(seeds), CHUNK)]
    seeds = range(first_seed, first_seed + n_sweeps)
    tasks += [("sweep", seeds[i : i + CHUNK]) for i in range(0, len(seeds), CHUNK)]
    jobs_of = [(base, kind, chunk) for kind, chunk in tasks]
    if jobs > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_bound_memory) as pool:
            done = list(pool.map(_try_chunk, jobs_of))
    else:
        done = [_try_chunk(job) for job in jobs_of]
    trials = {"scenario": [], "sweep": []}
    for (_, kind, _), (chunk_trials, files) in zip(jobs_of, done, strict=True):
        trials[kind] += chunk_trials
        known |= files
    stray = []
    for folder, _, files in os.walk(base):
        for name in files:
            path = Path(folder, name)
            ours = str(path) in known or name.startswith("current-")
            if not ours and not path.is_relative_to(out):
                stray.append(str(path.relative_to(base)))
    return Campaign(trials["scenario"], trials["sweep"], stray, time.perf_counter() - start, base)


def _bound_memory() -> None:
    """A worker may use at most MEMORY_BYTES: a blow-up is a MemoryError, not a swamped
    machine (the test process itself is left unbounded)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _try_chunk(job) -> tuple[list[Trial], set[str]]:
    """Try one chunk of mutants (in a worker process or not); the trials and the files the
    mutants wrote. Relative paths resolve against the empty working folder."""
    base, kind, seeds = job
    lib, out, cwd = layout(base)
    here, trials, files, writes = Path.cwd(), [], set(), []

    def write(name: str) -> bool:
        # the first loaded mutant of the chunk, or one whose name is not a library name
        odd = not re.fullmatch(r"tiny|baseline|m\d+|[a-z_]+", name)
        if len(writes) < WRITES_PER_CHUNK and (odd or seeds[0] % (5 * CHUNK) == 0):
            writes.append(name)
            return True
        return False

    os.chdir(cwd)
    try:
        for seed in seeds:
            with _stuck_guard(base, f"{kind} mutant {seed}"):
                mutant = scenario_mutant(seed) if kind == "scenario" else sweep_mutant(seed)
                files |= {str(lib / rel) for rel in [*mutant.files, *mutant.links]}
                if kind == "scenario":
                    trials.append(try_scenario(mutant, lib, out, write))
                else:
                    trials.append(try_sweep(mutant, lib, out))
    finally:
        os.chdir(here)
    return trials, files


def _warm_up(lib: Path) -> None:
    """Import and cache what the first mutant would otherwise pay for."""
    scenario = sim.load_scenario(lib / TINY)
    analyze(Problem.from_scenario(scenario), None)
    run_efficiency(sim.run(dataclasses.replace(scenario, deadline=2)))
    sim.load_scenario(lib / BASELINE)
    load_sweep(lib / TINY_SWEEP)


@contextmanager
def _stuck_guard(base: Path, name: str):
    """Name the mutant in base/current-<pid>.txt and end the process with a traceback if it
    is stuck where no signal reaches it (inside C code)."""
    (base / f"current-{os.getpid()}.txt").write_text(name)
    faulthandler.dump_traceback_later(HARD_SECONDS, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def counts(trials: list[Trial]) -> dict:
    slowest = max(trials, key=lambda t: t.seconds)
    status = [t.status for t in trials]
    located = [
        t.status == "clean" and not any(p[0] == "message" for p in t.problems) for t in trials
    ]
    return {
        "tried": len(trials),
        "loaded": status.count("loaded"),
        "clean errors": sum(located),  # ScenarioErrors in one located line
        "other exceptions": status.count("other"),
        "timeouts": status.count("timeout"),
        "clean but badly located": sum(any(p[0] == "message" for p in t.problems) for t in trials),
        "loaded past a limit": sum(any(p[0] == "limits" for p in t.problems) for t in trials),
        "run or analysis failed": sum(any(p[0] == "run" for p in t.problems) for t in trials),
        "slowest validation cpu s": round(slowest.seconds, 3),
        "slowest validation wall s": round(max(t.wall for t in trials), 3),
        "slowest mutant": slowest.description[:200],
    }


def grouped(trials: list[Trial], checks: set[str]) -> dict[tuple[str, str], list]:
    groups = defaultdict(list)
    for trial in trials:
        for check, cause, detail in trial.problems:
            if check in checks:
                groups[(check, cause)].append((trial, detail))
    return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))


def report(trials: list[Trial], checks: set[str]) -> str:
    """Each root cause with its count and the smallest mutant that shows it."""
    lines = []
    for (check, cause), items in grouped(trials, checks).items():
        trial, detail = min(items, key=lambda item: item[0].size)
        lines += [
            f"{len(items)} x [{check}] {cause}: {detail}",
            f"    e.g. {trial.description}",
            f"    file: {trial.entry}",
            f"    again: python tests/fuzz.py {trial.kind} {trial.seed} /tmp/fuzz_repro/m",
        ]
    return "\n".join(lines)


def expect_none(trials: list[Trial], checks: set[str]) -> None:
    if grouped(trials, checks):
        pytest.fail("\n" + report(trials, checks), pytrace=False)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Campaign:
    base = tmp_path_factory.mktemp("fuzz")
    found = run_campaign(base, N_SCENARIOS, N_SWEEPS, FIRST_SEED, JOBS)
    stats = {"scenario": counts(found.scenarios), "sweep": counts(found.sweeps)}
    stats["seconds"], stats["jobs"] = round(found.seconds, 1), JOBS
    (base / "fuzz_stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    return found


def test_fuzz_counts(campaign, capsys):
    """Every mutant was tried; the mix both loads and fails (else it tests little)."""
    stats = json.loads((campaign.folder / "fuzz_stats.json").read_text())
    with capsys.disabled():
        print(f"\nfuzz: {json.dumps(stats, indent=2)}\n  ({campaign.folder})")
    assert stats["scenario"]["tried"] == N_SCENARIOS
    assert stats["sweep"]["tried"] == N_SWEEPS
    for kind in ("scenario", "sweep"):
        assert stats[kind]["loaded"] > 0.02 * stats[kind]["tried"]
        assert stats[kind]["clean errors"] > 0.3 * stats[kind]["tried"]


def test_scenario_mutants_raise_nothing_but_scenario_errors(campaign):
    """load_scenario either returns or raises ScenarioError, whatever the file holds."""
    expect_none(campaign.scenarios, {"exception"})


def test_refused_scenario_mutants_get_one_located_line(campaign):
    """str(ScenarioError) is one line `file:line: dotted.path: message`, with line >= 1."""
    expect_none(campaign.scenarios, {"message"})


def test_scenario_validation_finishes_within_two_seconds(campaign):
    """No input, however large, nested or aliased, keeps load_scenario past 2 s."""
    expect_none(campaign.scenarios, {"slow"})


def test_loaded_scenario_mutants_keep_the_limits(campaign):
    """What loads stays inside sim.scenario.limits (deadline, counts, text, numbers) with slug
    names and ids: the bounds are checked at load time, not found out later."""
    expect_none(campaign.scenarios, {"limits"})


def test_loaded_scenario_mutants_run_and_analyse(campaign):
    """What loads runs a short deadline, reports, analyses and writes without exception."""
    expect_none(campaign.scenarios, {"run"})


def test_nothing_is_written_outside_the_output_folder(campaign):
    """Run folders land inside --out, and no other file appears anywhere else."""
    expect_none(campaign.scenarios + campaign.sweeps, {"outside"})
    assert not campaign.stray, f"files outside the output folder: {campaign.stray[:20]}"


def test_sweep_mutants_load_or_raise_one_located_line(campaign):
    """load_sweep returns a sweep with a slug name or raises one located ScenarioError,
    within 2 s."""
    expect_none(campaign.sweeps, {"exception", "message", "slow", "limits"})


# -- the command line ----------------------------------------------------------------------


def cli_subset(trials: list[Trial], n: int) -> list[Trial]:
    """Up to n refused mutants, one per kind of operator in turn (diverse errors)."""
    by_kind = defaultdict(list)
    for trial in trials:
        if trial.status in ("clean", "other"):
            by_kind[trial.operator].append(trial)
    picked, queues = [], [by_kind[k] for k in sorted(by_kind)]
    while len(picked) < n and any(queues):
        picked += [queue.pop(0) for queue in queues if queue][: n - len(picked)]
    return picked


def cli_problem(exit_code: int, stderr: str, output: str, out: Path) -> str | None:
    # exit 2, exactly one line on stderr, no traceback, and no results folder
    lines = stderr.rstrip("\n").split("\n")
    if exit_code != 2:
        return f"exit {exit_code}"
    if len(lines) != 1 or not lines[0]:
        return f"{len(lines)} lines on stderr"
    if "Traceback" in output + stderr:
        return "a traceback"
    if out.exists() and any(out.iterdir()):
        return "a results folder"
    return None


def test_cli_refuses_bad_mutants_in_one_line(campaign, tmp_path):
    """`negsim run|validate|sweep` on a refused mutant: exit 2, one line, no traceback,
    no results folder (a few as real processes, the rest with click's runner)."""
    picked = cli_subset(campaign.scenarios, N_CLI - 10) + cli_subset(campaign.sweeps, 10)
    runner, failures = CliRunner(), []
    for i, trial in enumerate(picked):
        commands = ["sweep"] if trial.kind == "sweep" else ["run", "validate"]
        for command in commands:
            out = tmp_path / f"{command}-{i}"
            args = [command, str(trial.entry)]
            if command == "run":
                args += ["--out", str(out), *(f"--set={s}" for s in trial.settings)]
            elif trial.settings:
                continue  # validate takes no --set
            with time_limit(RUN_SECONDS):
                result = runner.invoke(main, args)
            problem = cli_problem(result.exit_code, result.stderr, result.output, out)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                problem = f"uncaught {root_cause(result.exception)}"
            if problem:
                failures.append((command, problem, trial, result.stderr))
    negsim = Path(sys.executable).parent / "negsim"
    odd = sorted(picked, key=lambda t: (t.error.isascii(), t.seed))[:N_PROCESSES]
    processes = []
    for i, trial in enumerate(odd):
        out = tmp_path / f"process-{i}"
        command = [str(negsim), "run", str(trial.entry), "--out", str(out)]
        command += [f"--set={s}" for s in trial.settings]
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        processes.append((trial, out, subprocess.Popen(command, cwd=tmp_path, **pipes)))
    for trial, out, process in processes:
        stdout, stderr = process.communicate(timeout=HARD_SECONDS)
        text = stderr.decode("utf-8", "backslashreplace")
        problem = cli_problem(process.returncode, text, stdout.decode(errors="replace"), out)
        if problem:
            failures.append(("run (a process)", problem, trial, text))
    assert len(picked) >= N_CLI * 0.8
    if failures:
        pytest.fail(
            "\n".join(
                f"negsim {command}: {problem}: {trial.description[:200]}\n"
                f"    file: {trial.entry}\n    stderr: {stderr[-300:]!r}"
                for command, problem, trial, stderr in failures
            ),
            pytrace=False,
        )
