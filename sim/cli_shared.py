"""What the `negsim` commands share: one-line errors with their exit status, the seed
type, the options that pick a variant of a scenario, and SIGTERM handled as Ctrl-C."""

from __future__ import annotations

import contextlib
import errno
import signal

import click

from .scenario.data import ENGINES, PROTOCOLS
from .scenario.errors import ScenarioError
from .scenario.limits import MAX_SEED, MAX_SWEEP_RUNS
from .scenario.loader import load_scenario

# numpy and Mesa take any whole number >= 0; sweeps store seeds as 64-bit integers
SEED = click.IntRange(0, MAX_SEED)


class BadInput(click.ClickException):
    """A scenario problem the user can fix: one line, exit status 2."""

    exit_code = 2


def cannot_write(out: str, err: OSError) -> click.ClickException:
    """One line for a results folder that cannot be written: exit status 2 if the folder
    named is unusable (read-only, not a folder), 1 if the disk failed (full, I/O error)."""
    where = f" {err.filename}" if err.filename else ""
    problem = click.ClickException(f"--out {out}: cannot write{where} ({err.strerror or err})")
    unusable = isinstance(err, PermissionError | NotADirectoryError | FileExistsError)
    problem.exit_code = 2 if unusable or err.errno == errno.EROFS else 1
    return problem


@contextlib.contextmanager
def sigterm_as_ctrl_c():
    """SIGTERM stops the command as Ctrl-C does (KeyboardInterrupt): files being written
    are removed, and a player at the prompt leaves the table and the game is saved."""
    try:
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def load_or_fail(path: str, overrides=()):
    """The scenario, or its problem as one line and exit status 2."""
    try:
        return load_scenario(path, overrides, overrides_name="--set")
    except ScenarioError as err:
        raise BadInput(str(err)) from None


def engine_option(same: str):
    """--engine: the batch engine (the default) or one Mesa model per run; `same` says
    what comes out the same either way."""
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="batch",
        show_default=True,
        help=f"The batch engine, or one Mesa model per run (the same {same}).",
    )


def setting_options(command):
    """--protocol and --set: which variant of the scenario."""
    command = click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="PATH=VALUE",
        help="Override a scenario value, e.g. parties.ukraine.reservation=0.5.",
    )(command)
    return click.option(
        "--protocol", type=click.Choice(list(PROTOCOLS)), help="Override the scenario's protocol."
    )(command)


def variant_options(command):
    """--seed, --protocol and --set: which run of which variant of the scenario (for run,
    play and explain)."""
    command = setting_options(command)
    return click.option("--seed", type=SEED, help="Random seed (default: the scenario's).")(command)


class SeedRange(click.ParamType):
    """`A-B` (seeds A to B) or `N` (seeds 1 to N), at most MAX_SWEEP_RUNS of them."""

    name = "A-B"

    def convert(self, value, param, ctx):
        if isinstance(value, range):
            return value
        first, dash, last = str(value).partition("-")
        try:
            low, high = (int(first), int(last)) if dash else (1, int(first))
        except ValueError:
            self.fail(f"expected A-B or N, got {value!r}", param, ctx)
        if not 0 <= low <= high <= MAX_SEED:
            self.fail(f"expected 0 <= A <= B <= {MAX_SEED}, got {value!r}", param, ctx)
        if high - low + 1 > MAX_SWEEP_RUNS:
            self.fail(f"at most {MAX_SWEEP_RUNS:,} seeds, got {high - low + 1:,}", param, ctx)
        return range(low, high + 1)


def variant_overrides(protocol: str | None, settings) -> list[str]:
    """The `path=value` settings of --set and --protocol."""
    return [*settings, *([f"protocol.name={protocol}"] if protocol else [])]
