"""Designs: the parameter sets a sweep runs, drawn with SALib's samplers (or a grid), and
the seed of every run, so that results never depend on the executor or the order."""

from __future__ import annotations

import numpy as np

from .spec import Parameter, Sweep, parameter_set_count

SALIB_DISTRIBUTIONS = {
    "uniform": "unif",
    "normal": "norm",
    "truncnormal": "truncnorm",
    "lognormal": "lognorm",
    "triangular": "triang",
}


def salib_problem(sweep: Sweep) -> dict:
    """SALib's problem dict; a list of values is sampled as an index in [0, n)."""
    bounds, dists = [], []
    for p in sweep.parameters:
        if p.values:
            bounds.append([0.0, float(len(p.values))])
        elif p.distribution == "uniform":
            bounds.append([float(p.low), float(p.high)])
        elif p.distribution in ("normal", "lognormal"):
            bounds.append([float(p.mean), float(p.sd)])
        elif p.distribution == "truncnormal":
            bounds.append([float(p.low), float(p.high), float(p.mean), float(p.sd)])
        else:  # triangular: SALib wants [low, high, peak as a share of the width]
            bounds.append([float(p.low), float(p.high), (p.peak - p.low) / (p.high - p.low)])
        dists.append("unif" if p.values else SALIB_DISTRIBUTIONS[p.distribution])
    return {
        "num_vars": len(sweep.parameters),
        "names": [p.path for p in sweep.parameters],
        "bounds": bounds,
        "dists": dists,
    }


def run_count(sweep: Sweep) -> int:
    """Parameter sets times replications, without drawing the design."""
    return parameter_set_count(sweep) * sweep.replications


def design_matrix(sweep: Sweep) -> np.ndarray:
    """(parameter sets, parameters) raw samples, row i being parameter set i."""
    design, problem = sweep.design, salib_problem(sweep)
    if design.method == "grid":
        return grid_rows(sweep, np.arange(parameter_set_count(sweep)))
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise RuntimeError(
            f"a {design.method} design needs SALib: pip install 'negsim[sweep]'"
        ) from None
    if design.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, design.samples, calc_second_order=design.second_order, seed=sweep.seed
        )
    if design.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, design.samples, num_levels=design.levels, seed=sweep.seed)
    from SALib.sample import latin

    return latin.sample(problem, design.samples, seed=sweep.seed)


def grid_rows(sweep: Sweep, samples: np.ndarray) -> np.ndarray:
    """Rows `samples` of a grid design, computed from their indices alone: index i is the
    mixed-radix number whose digits pick each parameter's value, the last parameter
    changing fastest (the order of `itertools.product`)."""
    axes = [
        np.arange(len(p.values), dtype=float)
        if p.values
        else np.linspace(p.low, p.high, sweep.design.levels)
        for p in sweep.parameters
    ]
    rows = np.empty((len(samples), len(axes)))
    rest = np.asarray(samples, dtype=np.int64)
    for j in range(len(axes) - 1, -1, -1):
        rest, digit = np.divmod(rest, len(axes[j]))
        rows[:, j] = axes[j][digit]
    return rows


class ParameterSets:
    """A sweep's parameter sets, counted without drawing them and drawn at most once: a
    grid's rows come from their indices, a sampled design is drawn whole once (SALib's
    samplers draw all rows together) and then shared by the runs and the summary."""

    def __init__(self, sweep: Sweep):
        self.sweep = sweep
        self._matrix: np.ndarray | None = None

    def __len__(self) -> int:
        return parameter_set_count(self.sweep)

    def rows(self, samples: np.ndarray) -> np.ndarray:
        if self.sweep.design.method == "grid" and self._matrix is None:
            return grid_rows(self.sweep, samples)
        return self.matrix()[samples]

    def matrix(self) -> np.ndarray:
        if self._matrix is None:
            self._matrix = design_matrix(self.sweep)
        return self._matrix


def value_of(parameter: Parameter, raw: float):
    """The scenario value for one raw sample: a listed value, a whole number, or a float."""
    if parameter.values:
        return parameter.values[min(int(raw), len(parameter.values) - 1)]
    if parameter.integer:
        return round(float(raw))
    return float(raw)


def parameter_set(sweep: Sweep, row: np.ndarray) -> dict[str, object]:
    return {p.path: value_of(p, raw) for p, raw in zip(sweep.parameters, row, strict=True)}


def run_seed(sweep_seed: int, run: int) -> int:
    """The model seed of run `run`: from (sweep seed, run index) alone."""
    return int(np.random.SeedSequence([sweep_seed, run]).generate_state(1)[0])
