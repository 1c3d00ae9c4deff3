"""The sweep commands of `negsim` (`sweep`, `sweep-report`, `discover`): a thin shell over
`sim.sweeps`, registered on the `negsim` group by `sim.cli`."""

from __future__ import annotations

import sys

import click

from .cli_shared import SEED, BadInput, cannot_write, engine_option, load_or_fail
from .scenario.errors import ScenarioError


@click.command()
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


@click.command("sweep-report")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def sweep_report(folder):
    """Rebuild summary.json and sweep.html of a sweep from its stored rows."""
    result = rebuilt(folder)
    click.echo(f"{folder}: {result.summary['runs']} runs summarised in sweep.html")


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--case",
    "cases",
    multiple=True,
    metavar="CASE",
    help="A case of interest: status=agreement, territory=freeze_line, utility.ukraine>=0.6, "
    "or several joined by '&' (repeat --case for more; default: the sweep file's cases).",
)
def discover(folder, cases):
    """Scenario discovery over a sweep's stored rows: in which regions of the parameters
    each case happens (PRIM boxes, tree rules, feature scores), in summary.json and sweep.html."""
    result = rebuilt(folder, cases)
    for found in result.summary.get("discovery", []):
        click.echo(f"{found['case']}: {found['sentence']}")
    click.echo(f"{folder}: written to summary.json and sweep.html")


def rebuilt(folder: str, cases=()):
    """summary.json and sweep.html rebuilt from a sweep folder's rows, damage reported."""
    from .sweeps import sweep_report as rebuild

    try:
        result = rebuild(folder, cases=list(cases) or None)
    except ScenarioError as err:
        raise BadInput(str(err)) from None
    except OSError as err:  # summary.json or sweep.html cannot be written
        raise click.ClickException(f"{folder}: cannot write ({err.strerror or err})") from None
    for part, problem in result.damaged.items():
        click.echo(f"{part}: damaged ({problem}); its runs are left out", err=True)
    if result.damaged:
        click.echo("  run the sweep again with --resume to re-run them", err=True)
    return result
