"""Designs: the parameter sets a sweep runs, SALib's (grid and Sobol rows computed from
their index, a chunk at a time), and the seed of every run, so that results never depend
on the executor or the order."""

from __future__ import annotations

import warnings

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
    design = sweep.design
    if design.method in COMPUTED:
        return COMPUTED[design.method](sweep, np.arange(parameter_set_count(sweep)))
    problem = salib_problem(sweep)
    _need_salib(design.method)
    if design.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, design.samples, num_levels=design.levels, seed=sweep.seed)
    from SALib.sample import latin

    return latin.sample(problem, design.samples, seed=sweep.seed)


def _need_salib(method: str) -> None:
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise RuntimeError(f"a {method} design needs SALib: pip install 'negsim[sweep]'") from None


def sobol_rows(sweep: Sweep, samples: np.ndarray) -> np.ndarray:
    """Rows `samples` of SALib's `sobol.sample` (Saltelli's scheme), computed from the
    Sobol' points they use alone. Point i of a scrambled 2D-dimensional sequence gives
    matrices A (its first D coordinates) and B (the last D); parameter sets i*(D+2) to
    i*(D+2)+D+1 are A, then A with column k from B for each k, [then B with column k from
    A, with second order], then B."""
    from scipy.stats import qmc

    _need_salib("sobol")
    from SALib.util import scale_samples

    samples = np.asarray(samples, dtype=np.int64)
    d = len(sweep.parameters)
    per_point = 2 * d + 2 if sweep.design.second_order else d + 2
    point, k = np.divmod(samples, per_point)
    first = int(point.min()) if len(samples) else 0
    engine = qmc.Sobol(d=2 * d, scramble=True, seed=sweep.seed)  # as SALib makes it
    if first:
        engine.fast_forward(first)
    with warnings.catch_warnings():  # a block of points need not be a power of two long
        warnings.simplefilter("ignore", UserWarning)
        drawn = engine.random(int(point.max()) - first + 1 if len(samples) else 0)
    a, b = drawn[point - first, :d], drawn[point - first, d:]
    column = np.arange(d)
    from_b = (k[:, None] - 1 == column) | (k[:, None] == per_point - 1)
    if sweep.design.second_order:
        crossed = (k > d) & (k <= 2 * d)
        from_b[crossed] = k[crossed, None] - d - 1 != column
    return scale_samples(np.where(from_b, b, a), salib_problem(sweep))


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


COMPUTED = {"grid": grid_rows, "sobol": sobol_rows}  # rows computed from their index


class ParameterSets:
    """A sweep's parameter sets, counted without drawing them. Grid and Sobol rows are
    computed from their indices as they are needed; a Latin hypercube or Morris design
    (whose rows SALib draws all together) is drawn whole once, then shared."""

    def __init__(self, sweep: Sweep):
        self.sweep = sweep
        self._matrix: np.ndarray | None = None

    def __len__(self) -> int:
        return parameter_set_count(self.sweep)

    def rows(self, samples: np.ndarray) -> np.ndarray:
        if self.sweep.design.method in COMPUTED:
            return COMPUTED[self.sweep.design.method](self.sweep, samples)
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
