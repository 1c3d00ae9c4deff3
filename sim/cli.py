"""The `negsim` command: a thin shell over the `sim` API."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli_shared import (
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
from .cli_sweep import discover, sweep, sweep_report
from .scenario.errors import ScenarioError
from .scenario.limits import MAX_JOBS
from .scenario.loader import load_scenario


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="negsim")
def main():
    """Simulate multi-party negotiations from YAML scenario files."""


for command in (sweep, sweep_report, discover):
    main.add_command(command)


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
