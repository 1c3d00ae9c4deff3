"""The `negsim` command: a thin shell over the `sim` API."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli_shared import (
    SEED,
    BadInput,
    SeedRange,
    cannot_write,
    engine_option,
    load_or_fail,
    setting_options,
    sigterm_as_ctrl_c,
    variant_options,
    variant_overrides,
)
from .scenario.errors import ScenarioError
from .scenario.limits import MAX_JOBS
from .scenario.loader import load_scenario


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="negsim")
def main():
    """Simulate multi-party negotiations from YAML scenario files."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
def validate(files):
    """Check scenario files; print one line per problem (exit status 2 if any)."""
    failed = False
    for path in files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            click.echo(str(err), err=True)
            failed = True
        else:
            click.echo(
                f"{path}: ok ({len(scenario.points)} points, {len(scenario.parties)} parties)"
            )
    sys.exit(2 if failed else 0)


@main.command()
@click.argument("file", type=click.Path())
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    default="results",
    show_default=True,
    help="Results root; the run goes to OUT/<scenario>/<run-id>.",
)
@click.option("--json", "as_json", is_flag=True, help="Print outcome.json instead of a summary.")
@variant_options
@sigterm_as_ctrl_c()
def run(file, seed, out, as_json, protocol, settings):
    """Run one negotiation and write outcome, round table, manifest and report."""
    from .analysis import run_efficiency
    from .negotiation.runner import run as run_negotiation
    from .reporting.run_folder import outcome_record, run_folder, unwritable, write_run
    from .reporting.terminal_summary import summary

    overrides = variant_overrides(protocol, settings)
    scenario = load_or_fail(file, overrides)
    if problem := unwritable(Path(out)):
        raise cannot_write(out, problem)
    result = run_negotiation(scenario, seed=seed)
    # the command that reproduces this run, with the seed it used made explicit
    command = ["negsim", "run", file, "--seed", str(result.outcome.seed), "--out", out]
    command += [f"--set={setting}" for setting in overrides]
    try:
        folder = write_run(result, run_folder(result, Path(out)), command)
    except OSError as err:
        raise cannot_write(out, err) from None
    if as_json:
        click.echo(json.dumps(outcome_record(result), indent=2))
    else:
        click.echo(summary(result.outcome, scenario, run_efficiency(result)))
        click.echo(f"\n  written to {folder}/ (open report.html in a browser)")


@main.command()
@click.argument("file", type=click.Path())
@click.option(
    "--parties",
    metavar="A,B",
    help="The two parties of the frontier (default: the first two signatories).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario value, as for `run`.",
)
def analyze(file, parties, as_json, settings):
    """Is a deal possible? The ZOPA, the exact Pareto frontier, the Nash and KS packages."""
    from .analysis import Problem
    from .analysis import analyze as analyze_problem
    from .reporting.terminal_summary import analysis_summary

    scenario = load_or_fail(file, settings)
    problem = Problem.from_scenario(scenario)
    chosen = [p.strip() for p in parties.split(",")] if parties else None
    known = [p.id for p in scenario.parties]
    if chosen is not None and (len(chosen) != 2 or not set(chosen) <= set(known)):
        raise BadInput(f"--parties: name two of {', '.join(known)}")
    result = analyze_problem(problem, chosen)
    click.echo(json.dumps(result, indent=2) if as_json else analysis_summary(result, scenario))


@main.command()
@click.argument("file", type=click.Path())
@click.option("--as", "party", required=True, metavar="PARTY", help="The signatory you play.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="results",
    show_default=True,
    help="Results root; the game goes to OUT/<scenario>/play-<party>-<run-id>.",
)
@variant_options
@sigterm_as_ctrl_c()
def play(file, party, seed, out, protocol, settings):
    """Negotiate in a signatory's chair against the model's agents, round by round."""
    from .analysis import run_efficiency
    from .classroom.comparison import compare, comparison_text
    from .classroom.play import LineChair, NotPlayable, check_playable, save_game
    from .classroom.play import play as play_game
    from .reporting.run_folder import unwritable
    from .reporting.terminal_summary import summary

    overrides = variant_overrides(protocol, settings)
    scenario = load_or_fail(file, overrides)
    try:
        check_playable(scenario, party)
    except NotPlayable as err:
        raise BadInput(str(err)) from None
    if problem := unwritable(Path(out)):  # say so now, not after the game
        note = cannot_write(out, problem).message
        click.echo(f"Note: {note}; the game will be kept in a temporary folder", err=True)
    result = play_game(scenario, party, LineChair(_read_line, click.echo), seed=seed)
    command = ["negsim", "play", file, "--as", party, "--seed", str(result.outcome.seed)]
    command += ["--out", out, *[f"--set={setting}" for setting in overrides]]
    try:
        folder, failed = save_game(result, party, Path(out), command)
    except OSError as err:  # not even the temporary folder could be written
        raise cannot_write(out, err) from None
    click.echo("\n" + summary(result.outcome, scenario, run_efficiency(result)) + "\n")
    click.echo(comparison_text(compare(scenario, party, result.outcome), scenario))
    click.echo(f"\n  report: {folder / 'report.html'} (open it in a browser)")
    if failed:
        problem = cannot_write(out, failed)
        problem.message += f"; the game is kept in {folder}/"
        problem.exit_code = 1
        raise problem


def _read_line(prompt: str) -> str:
    """One line from the player; end of input raises EOFError and Ctrl-C KeyboardInterrupt
    (click's prompt would turn both into one Abort), so the chair can say which it was."""
    click.echo(prompt)
    return input("> ")


@main.command()
@click.argument("file", type=click.Path())
@click.option(
    "--seeds", type=SeedRange(), default="1-100", show_default=True, help="The runs' seeds."
)
@click.option("--jobs", type=click.IntRange(1, MAX_JOBS), default=1, show_default=True)
@engine_option("outcomes")
@click.option("--json", "as_json", is_flag=True, help="Print the mix as JSON.")
@setting_options
@sigterm_as_ctrl_c()
def mix(file, seeds, jobs, engine, as_json, protocol, settings):
    """Run a scenario once per seed and print its outcome mix: how often each ending comes
    (with a 95% interval), when, what the signatories get, what the agreements settle."""
    from .reporting.mix import mix as outcome_mix
    from .reporting.mix import mix_text

    scenario = load_or_fail(file, variant_overrides(protocol, settings))
    found = outcome_mix(scenario, seeds, jobs, engine)
    click.echo(json.dumps(found.as_dict(), indent=2) if as_json else mix_text(found, scenario))


@main.command()
@click.argument("file", type=click.Path())
@variant_options
def explain(file, seed, protocol, settings):
    """Tell a run in plain sentences: who moved, why each rejection, what pressure did,
    why it ended. Writes no files."""
    import textwrap

    from .negotiation.runner import run as run_negotiation
    from .reporting.narrative import narrative

    overrides = variant_overrides(protocol, settings)
    scenario = load_or_fail(file, overrides)
    result = run_negotiation(scenario, seed=seed)
    outcome = result.outcome
    click.echo(
        f"{scenario.title or scenario.name}, seed {outcome.seed}, {outcome.protocol} protocol:"
    )
    for line in narrative(result):
        click.echo("\n" + textwrap.fill(line, width=88, subsequent_indent="  "))


@main.command()
@click.argument("file", type=click.Path())
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="PATH=LO:HI|V1,V2",
    help="Vary a scenario value (scenario FILE only); repeatable.",
)
@click.option(
    "--design",
    type=click.Choice(["grid", "lhs", "sobol", "morris"]),
    default="lhs",
    show_default=True,
    help="Design for --param sweeps.",
)
@click.option(
    "--samples",
    type=int,
    default=64,
    show_default=True,
    help="Sobol N (a power of two), LHS rows or Morris trajectories.",
)
@click.option(
    "--replications", type=int, default=1, show_default=True, help="Seeds per parameter set."
)
@click.option("--seed", type=SEED, default=0, show_default=True, help="The sweep's seed.")
@click.option(
    "--output",
    "outputs",
    multiple=True,
    help="Outcome to analyse (agreement, round, utility.PARTY, ...); repeatable.",
)
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="results",
    show_default=True,
    help="Results root; the sweep goes to OUT/<sweep name>/.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--resume", is_flag=True, help="Finish an interrupted sweep in OUT.")
@click.option("--dask", metavar="ADDRESS", help="Run on a Dask cluster ('local' starts one).")
@click.option("--yes", is_flag=True, help="Start a sweep of over 100,000 runs to do.")
@engine_option("rows")
def sweep(
    file,
    params,
    design,
    samples,
    replications,
    seed,
    outputs,
    jobs,
    out,
    quiet,
    resume,
    dask,
    yes,
    engine,
):
    """Run a sweep file, or sweep a scenario FILE over --param ranges and values."""
    import shlex

    from .sweeps import sweep as run_sweep
    from .sweeps.spec import is_sweep_file, load_sweep, sweep_from_flags

    command = ["negsim", "sweep", *sys.argv[2:]]
    try:
        if is_sweep_file(file):
            if params:
                raise BadInput("--param is for scenario files; a sweep file names its own")
            spec = load_sweep(file)
        else:
            load_or_fail(file)  # a broken scenario is reported as such
            spec = sweep_from_flags(
                file, list(params), design, samples, replications, seed, tuple(outputs)
            )
        progress = not quiet and sys.stderr.isatty()
        result = run_sweep(
            spec,
            jobs=jobs,
            out=out,
            resume=resume,
            dask=dask,
            progress=progress,
            command_line=command,
            yes=yes,
            echo=click.echo,
            engine=engine,
        )
    except ScenarioError as err:
        raise BadInput(str(err)) from None
    except RuntimeError as err:  # a missing optional extra (SALib, distributed)
        raise click.ClickException(str(err)) from None
    except OSError as err:  # --out read-only, not a folder, or the disk full
        raise cannot_write(out, err) from None
    except KeyboardInterrupt:
        again = shlex.join(command + ([] if "--resume" in command else ["--resume"]))
        click.echo(f"interrupted; the finished runs are kept. Resume with: {again}", err=True)
        sys.exit(130)
    counts = {s: found["count"] for s, found in result.summary.get("status", {}).items()}
    click.echo(
        f"{spec.name}: {result.summary['runs']} runs; "
        + ", ".join(f"{status} {n}" for status, n in sorted(counts.items()) if n)
    )
    click.echo(f"  written to {result.folder}/ (open sweep.html in a browser)")


@main.command("sweep-report")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def sweep_report(folder):
    """Rebuild summary.json and sweep.html of a sweep from its stored rows."""
    from .sweeps import sweep_report as rebuild

    try:
        result = rebuild(folder)
    except ScenarioError as err:
        raise BadInput(str(err)) from None
    except OSError as err:  # summary.json or sweep.html cannot be written
        raise click.ClickException(f"{folder}: cannot write ({err.strerror or err})") from None
    for part, problem in result.damaged.items():
        click.echo(f"{part}: damaged ({problem}); its runs are left out", err=True)
    if result.damaged:
        click.echo("  run the sweep again with --resume to re-run them", err=True)
    click.echo(f"{folder}: {result.summary['runs']} runs summarised in sweep.html")


@main.command()
@click.argument("file", type=click.Path(), default="scenarios/baseline.yaml")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8521,
    show_default=True,
    help="Port of the page.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 shares the page with the classroom network).",
)
@click.option(
    "--room",
    is_flag=True,
    help="Open rooms instead: students play the parties from their own browsers.",
)
@click.option("--seed", type=click.IntRange(1), default=1, show_default=True, help="A room's seed.")
@click.option(
    "--timer",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="Seconds a room's round waits for students (default: until all have answered).",
)
def app(file, port, host, room, seed, timer):
    """Open the classroom page: step through a negotiation, move the sliders, compare.
    With --room: rooms where students take the parties' seats in their browsers."""
    load_or_fail(file)  # a broken scenario, or a busy port, is reported before the server starts
    from .classroom.server import port_problem, serve

    if problem := port_problem(host, port):
        raise BadInput(problem)
    if room:
        from .classroom.room_server import serve_rooms

        sys.exit(serve_rooms(file, host, port, seed, timer, click.echo))
    try:
        from .classroom import page  # noqa: F401  (the page, and the extra it needs, import)
    except ImportError:
        raise click.ClickException(
            "the page needs the app extra: pip install 'negsim[app]'"
        ) from None
    click.echo(f"negsim app: open http://{host}:{port}/ in a browser (Ctrl-C stops it)")
    sys.exit(serve(file, host, port))
