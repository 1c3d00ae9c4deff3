"""Sweep files: which scenario parameters to vary, how, and what to analyse.

    name: baseline_sobol
    base: ../baseline.yaml
    parameters:
      parties.usa.influence.ukraine.strength: {range: [0, 0.006]}
      protocol.name: {values: [mediated, alternating]}
      parties.russia.reservation: {distribution: normal, mean: 0.6, sd: 0.05}
    design: {method: sobol, samples: 1024}      # grid | lhs | sobol | morris
    replications: 2
    seed: 1
    outputs: [agreement, round, utility.ukraine]

Validated like scenarios: every problem is one `file:line: dotted.path: message`, and
every parameter path is tried on the base scenario before any run starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..scenario.data import Scenario
from ..scenario.errors import ScenarioError
from ..scenario.fields import Checker
from ..scenario.limits import MAX_LEVELS, MAX_REPLICATIONS, MAX_SWEEP_PARAMETERS, MAX_SWEEP_RUNS
from ..scenario.loader import build_scenario
from ..scenario.located_yaml import (
    Located,
    named_file,
    read_located,
    read_with_extends,
)
from ..scenario.names import folder_name
from ..scenario.overrides import with_values
from .cases import CaseError, parse_case

SWEEP_KEYS = {"name", "base", "parameters", "design", "replications", "seed", "outputs", "cases"}
PARAMETER_KEYS = {"range", "values", "distribution", "mean", "sd", "low", "high", "peak"}
DESIGN_KEYS = {"method", "samples", "levels", "second_order"}
METHODS = ("grid", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("normal", "truncnormal", "lognormal", "triangular")
STATUS_OUTPUTS = ("agreement", "no_deal", "walkout", "escalation")


@dataclass(frozen=True)
class Parameter:
    """One varied scenario value: a range (uniform), a list of values, or a distribution."""

    path: str  # dotted path into the scenario, as for `--set`
    low: float | None = None  # range and truncnormal/triangular bounds
    high: float | None = None
    values: tuple = ()  # categorical (or explicit) values
    distribution: str = "uniform"  # uniform | normal | truncnormal | lognormal | triangular
    mean: float | None = None  # normal family
    sd: float | None = None
    peak: float | None = None  # triangular: the mode
    integer: bool = False  # a range of whole numbers (e.g. a deadline) gives whole numbers


@dataclass(frozen=True)
class Design:
    method: str = "sobol"
    samples: int = 256  # sobol: base N (a power of two); lhs: rows; morris: trajectories
    levels: int = 5  # grid: values per range; morris: grid levels
    second_order: bool = False  # sobol: also second-order indices (N(2D+2) rows)


@dataclass(frozen=True)
class Sweep:
    name: str
    base: Path  # the scenario file swept
    parameters: tuple[Parameter, ...]
    design: Design
    replications: int = 1  # seeds per parameter set
    seed: int = 0
    outputs: tuple[str, ...] = ("agreement", "round")
    source: str = ""  # the sweep file (empty when built from flags)
    cases: tuple[str, ...] = ()  # cases of interest for scenario discovery (`cases.py`)


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file, trying every parameter on the base scenario."""
    path = Path(path)
    located = read_located(path, str(path))
    check = Checker(located)
    check.mapping((), SWEEP_KEYS, {"base", "parameters"})
    base = named_file(located, ("base",)).resolve()  # absolute: workers may run elsewhere
    names = check.mapping(("parameters",), set())
    if len(names) > MAX_SWEEP_PARAMETERS:
        raise check.fail(
            ("parameters",), f"at most {MAX_SWEEP_PARAMETERS} parameters, got {len(names)}"
        )
    parameters = tuple(_parameter(check, name) for name in names)
    if not parameters:
        raise check.fail(("parameters",), "name at least one parameter to vary")
    design = _design(check, parameters)
    sweep = Sweep(
        name=check.name(("name",), folder_name(path.stem)),
        base=base,
        parameters=parameters,
        design=design,
        replications=check.number(("replications",), 1, 1, MAX_REPLICATIONS, integer=True),
        seed=check.number(("seed",), 0, 0, integer=True),
        outputs=check.names(("outputs",)) if check.has(("outputs",)) else Sweep.outputs,
        source=str(path),
        cases=check.names(("cases",), what="case") if check.has(("cases",)) else (),
    )
    if (problem := size_problem(sweep)) is not None:
        if check.has(("replications",)) and parameter_set_count(sweep) <= MAX_SWEEP_RUNS:
            raise check.fail(("replications",), problem)
        raise check.fail(("design",) if check.has(("design",)) else ("parameters",), problem)
    check_against_base(sweep, located)
    return sweep


def parameter_set_count(sweep: Sweep) -> int:
    """How many parameter sets the design makes, by arithmetic (D parameters, N samples):
    grid: the product of the values per parameter; lhs: N; sobol: N(D+2), or N(2D+2)
    with second-order indices; morris: N(D+1)."""
    design, d = sweep.design, len(sweep.parameters)
    if design.method == "grid":
        return math.prod(len(p.values) if p.values else design.levels for p in sweep.parameters)
    if design.method == "sobol":
        return design.samples * ((2 * d + 2) if design.second_order else (d + 2))
    if design.method == "morris":
        return design.samples * (d + 1)
    return design.samples


def size_problem(sweep: Sweep) -> str | None:
    """Why the sweep is too big to start, or None: its run count, by arithmetic."""
    sets = parameter_set_count(sweep)
    runs = sets * sweep.replications
    if runs <= MAX_SWEEP_RUNS:
        return None
    return (
        f"{sets:,} parameter sets x {replications_text(sweep.replications)} = {runs:,} runs, "
        f"past the limit of {MAX_SWEEP_RUNS:,} runs per sweep: use fewer samples, levels, "
        "values or replications, or split the study into sweeps"
    )


def _parameter(check: Checker, name: str) -> Parameter:
    path = ("parameters", name)
    check.mapping(path, PARAMETER_KEYS)
    given = [k for k in ("range", "values", "distribution") if check.has((*path, k))]
    if len(given) != 1:
        raise check.fail(path, "give exactly one of range, values or distribution")
    if given == ["range"]:
        bounds = check.get((*path, "range"))
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise check.fail((*path, "range"), "expected [low, high]")
        low = check.number((*path, "range", 0))
        high = check.number((*path, "range", 1))
        if not low < high:
            raise check.fail((*path, "range"), f"low {low} must be below high {high}")
        integer = isinstance(low, int) and isinstance(high, int)
        return Parameter(name, low=low, high=high, integer=integer)
    if given == ["values"]:
        values = check.get((*path, "values"))
        if not isinstance(values, list) or len(values) < 2:
            raise check.fail((*path, "values"), "expected a list of at least two values")
        return Parameter(name, values=tuple(values))
    kind = check.text((*path, "distribution"), None, DISTRIBUTIONS)
    number = lambda key, **k: check.number((*path, key), **k)  # noqa: E731
    if kind in ("normal", "lognormal"):
        return Parameter(name, distribution=kind, mean=number("mean"), sd=number("sd", low=0))
    if kind == "truncnormal":
        return Parameter(
            name,
            distribution=kind,
            mean=number("mean"),
            sd=number("sd", low=0),
            low=number("low"),
            high=number("high"),
        )
    return Parameter(
        name, distribution=kind, low=number("low"), high=number("high"), peak=number("peak")
    )


def default_levels(method: str) -> int:
    """Grid: values per range; Morris: grid levels (SALib wants an even number)."""
    return 4 if method == "morris" else 5


def _design(check: Checker, parameters: tuple[Parameter, ...]) -> Design:
    path = ("design",)
    if not check.has(path):
        return Design()
    check.mapping(path, DESIGN_KEYS)
    method = check.text((*path, "method"), "sobol", METHODS)
    design = Design(
        method=method,
        samples=check.number((*path, "samples"), 256, 1, integer=True),
        levels=check.number((*path, "levels"), default_levels(method), 2, MAX_LEVELS, integer=True),
        second_order=check.flag((*path, "second_order"), False),
    )
    if method == "morris" and design.levels % 2:
        raise check.fail((*path, "levels"), "Morris designs need an even number of levels")
    if design.method == "sobol" and design.samples & (design.samples - 1):
        lower = 1 << (design.samples.bit_length() - 1)
        raise check.fail(
            (*path, "samples"), f"a Sobol design needs a power of two, e.g. {lower} or {lower * 2}"
        )
    grid_unfit = [p.path for p in parameters if p.distribution != "uniform"]
    if method == "grid" and grid_unfit:
        raise check.fail(("parameters", grid_unfit[0]), "a grid design needs a range or values")
    return design


def check_against_base(sweep: Sweep, located: Located | None = None) -> Scenario:
    """Build the base scenario with each parameter at its extremes (or every value), so
    that a wrong path or value stops the sweep before its first run."""
    base = read_with_extends(sweep.base)
    scenario = build_scenario(base, sweep.base)
    for index, parameter in enumerate(sweep.parameters):
        for value in probe_values(parameter):
            try:
                build_scenario(with_values(base, {parameter.path: value}), sweep.base)
            except ScenarioError as err:
                where = ("parameters", parameter.path) if located else None
                message = f"on {sweep.base}: {err.path}: {err.message}"
                if located is not None and where is not None:
                    raise located.error(where, message) from None
                raise ScenarioError("--param", index + 1, parameter.path, message) from None
    for output in sweep.outputs:
        known = [*STATUS_OUTPUTS, "round", *(f"utility.{p.id}" for p in scenario.parties)]
        if output not in known:
            message = f"unknown output '{output}'; choose from {', '.join(known)}"
            if located is not None:
                raise located.error(("outputs",), message)
            raise ScenarioError("--output", 1, output, message)
    check_cases(sweep, scenario, located)
    return scenario


def check_cases(sweep: Sweep, scenario: Scenario | None = None, located=None) -> None:
    """Every case of interest names a status, point, option or output of the base
    scenario: a wrong one is bad input (`cases:` in the file, or `--case`)."""
    scenario = scenario or build_scenario(read_with_extends(sweep.base), sweep.base)
    for index, text in enumerate(sweep.cases):
        try:
            parse_case(text, scenario)
        except CaseError as err:
            if located is not None:
                raise located.error(("cases", index), str(err)) from None
            raise ScenarioError("--case", index + 1, text, str(err)) from None


def replications_text(replications: int) -> str:
    return f"{replications:,} replication" + ("s" if replications != 1 else "")


def probe_values(parameter: Parameter) -> list:
    if parameter.values:
        return list(parameter.values)
    if parameter.distribution in ("normal", "lognormal"):
        return [parameter.mean]
    return [parameter.low, parameter.high]


def sweep_from_flags(
    scenario: str | Path,
    params: list[str],
    method: str = "lhs",
    samples: int = 64,
    replications: int = 1,
    seed: int = 0,
    outputs: tuple[str, ...] = (),
) -> Sweep:
    """A quick sweep of a scenario file: `--param path=lo:hi` (a range) or
    `--param path=v1,v2,v3` (listed values, each read as YAML)."""
    parameters = []
    for index, text in enumerate(params, start=1):
        path, sep, spec = text.partition("=")
        if not sep or not path.strip() or not spec.strip():
            raise ScenarioError("--param", index, text, "expected path=lo:hi or path=v1,v2,...")
        if ":" in spec and "," not in spec:
            low, high = (yaml.safe_load(part) for part in spec.split(":", 1))
            numbers = all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)
            )
            if not numbers or not low < high:
                raise ScenarioError("--param", index, path, "a range needs numbers lo < hi")
            integer = isinstance(low, int) and isinstance(high, int)
            parameters.append(Parameter(path.strip(), low=low, high=high, integer=integer))
        else:
            values = tuple(yaml.safe_load(v) for v in spec.split(","))
            if len(values) < 2:
                raise ScenarioError("--param", index, path, "list at least two values")
            parameters.append(Parameter(path.strip(), values=values))
    if not parameters:
        raise ScenarioError("--param", 0, "(none)", "name at least one --param to vary")
    if len(parameters) > MAX_SWEEP_PARAMETERS:
        message = f"at most {MAX_SWEEP_PARAMETERS} parameters, got {len(parameters)}"
        raise ScenarioError("--param", len(parameters), parameters[-1].path, message)
    for flag, value, high in (
        ("--samples", samples, None),  # bounded by the run count below
        ("--replications", replications, MAX_REPLICATIONS),
        ("--seed", seed, None),
    ):
        low = 0 if flag == "--seed" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ScenarioError(flag, 1, str(value), f"expected a whole number >= {low}")
        if high is not None and value > high:
            raise ScenarioError(flag, 1, str(value), f"at most {high:,}")
    if method == "sobol" and samples & (samples - 1):
        raise ScenarioError("--samples", 1, str(samples), "a Sobol design needs a power of two")
    scenario_path = Path(scenario).resolve()
    sweep = Sweep(
        name=folder_name(f"{scenario_path.stem}_sweep"),
        base=scenario_path,
        parameters=tuple(parameters),
        design=Design(method, samples, default_levels(method)),
        replications=replications,
        seed=seed,
        outputs=tuple(outputs) or Sweep.outputs,
    )
    if (problem := size_problem(sweep)) is not None:
        flag = "--replications" if parameter_set_count(sweep) <= MAX_SWEEP_RUNS else "--samples"
        flag = "--param" if method == "grid" and flag == "--samples" else flag
        raise ScenarioError(
            flag, 1, str(replications if flag == "--replications" else samples), problem
        )
    check_against_base(sweep)
    return sweep


def is_sweep_file(path: str | Path) -> bool:
    """A sweep file names a `base:` scenario; a scenario file does not."""
    try:
        data = read_located(Path(path), str(path)).data
    except ScenarioError:
        return False
    return isinstance(data, dict) and "base" in data
