"""Global sensitivity indices (SALib) of a sweep's outputs: Sobol (S1, ST, S2) or
Morris (mu*, sigma), from each output's mean over the replications of every parameter set,
with the check that the rows are those of the design. Memory stays bounded at a million
runs: the rows are read a column at a time and the Sobol bootstrap in blocks.

    sensitivity(sweep, rows)["outputs"]["agreement"]["ST"]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .design import ParameterSets, salib_problem, value_of
from .heap import release_freed_memory
from .spec import STATUS_OUTPUTS, Parameter, Sweep
from .store import Rows, in_run_order

Z95 = 1.959963984540054  # the two-sided 95% normal quantile
MISMATCH_BLOCK = 16_384  # parameter sets of the design made at a time to check the rows
BOOTSTRAP = 100  # resamples for the Sobol indices' intervals, as SALib draws by default
BOOTSTRAP_CELLS = 262_144  # base samples times resamples a block of them draws (~18 MB)
DESIGN_NAMES = {"grid": "grid", "lhs": "Latin hypercube", "sobol": "Sobol", "morris": "Morris"}
INDEX_KEYS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "mu_star_conf", "sigma"),
}


def output_values(rows: Rows, output: str) -> pd.Series:
    """One number per run: 1.0/0.0 for a status (`agreement`, `walkout`, ...), else the
    numeric column of that name (`round`, `utility.ukraine`)."""
    if output in STATUS_OUTPUTS:
        return (rows["status"] == output).astype(float)
    return rows[output].astype(float)


def sensitivity(sweep: Sweep, rows: Rows, sets: ParameterSets | None = None) -> dict:
    """Sobol (S1, ST, S2) or Morris (mu*, sigma) indices of each output, from its mean
    over the replications of every parameter set of the design (`sets`, made if not
    given); a `note` says why not."""
    method = sweep.design.method
    result = {
        "method": method,
        "parameters": [p.path for p in sweep.parameters],
        "outputs": {},
        "note": None,
    }
    if method not in INDEX_KEYS:
        result["note"] = (
            f"a {DESIGN_NAMES[method]} design gives no sensitivity indices; "
            "use a sobol or morris design for them"
        )
        return result
    rows = in_run_order(rows)
    sets = ParameterSets(sweep) if sets is None else sets
    sample = set_numbers(rows)
    if (problem := coverage_problem(sweep, rows, sets, sample)) is not None:
        result["note"] = problem
        return result
    salib = salib_problem(sweep)
    for output in sweep.outputs:
        release_freed_memory()  # each output's arrays are as large as the last one's
        if output in STATUS_OUTPUTS or output in rows.columns:
            y = sample_means(output_values(rows, output).to_numpy(), sample, len(sets))
            result["outputs"][output] = _indices(sweep, salib, sets, y)
        else:
            result["outputs"][output] = {"note": f"the rows have no column '{output}'"}
    return result


def set_numbers(rows: Rows) -> np.ndarray:
    """Each run's parameter set (`sample`), in 4 bytes a run where the numbers fit."""
    sample = rows["sample"].to_numpy() if len(rows) else np.array([], np.int64)
    small = np.iinfo(np.int32)
    if len(sample) and small.min <= sample.min() and sample.max() <= small.max:
        return sample.astype(np.int32)
    return sample


def sample_means(values: np.ndarray, sample: np.ndarray, n: int) -> np.ndarray:
    """One output averaged over the replications of each of the `n` parameter sets (its
    runs' `sample`, which holds every set: `coverage_problem` has said so), missing values
    left out (NaN where a set has none)."""
    if len(sample) == n:  # one run a set: its value is its mean, with no counts made
        means = np.empty(n)
        means[sample] = values
        means += 0.0  # as bincount's 0.0 + value: -0.0 becomes 0.0, all else stays
        return means
    known = ~np.isnan(values)
    if not known.all():  # no copies of a million values when none is missing
        sample, values = sample[known], values[known]
    runs = np.bincount(sample, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(sample, values, minlength=n) / runs


def coverage_problem(sweep: Sweep, rows: Rows, sets: ParameterSets, sample) -> str | None:
    """Why the rows do not cover exactly the design's parameter sets, if they do not."""
    n = len(sets)
    present, first = first_runs(sample)
    foreign = present[(present < 0) | (present >= n)]
    if foreign.size:
        return (
            f"the rows hold parameter sets {_few(foreign)} outside this design's {n}: "
            "was the sweep file changed after the runs?"
        )
    complete = len(present) == n  # sorted, distinct and within the design: all of it
    missing = np.array([], np.int64) if complete else np.setdiff1d(np.arange(n), present)
    del present
    if missing.size:
        return (
            f"{missing.size} of the design's {n} parameter sets have no run yet (sets "
            f"{_few(missing)}); the indices need all of them: finish the sweep with --resume"
        )
    return design_mismatch(sweep, rows, sets, first)


def first_runs(sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(sample, return_index=True)`: the parameter sets present and the row of
    each one's first run; without a sort where the rows are in run order, as a store's
    are (a million rows: a few MB, not some 40 of sorting)."""
    if not len(sample) or not (sample[1:] >= sample[:-1]).all():
        return np.unique(sample, return_index=True)
    first = np.flatnonzero(np.concatenate([[True], sample[1:] != sample[:-1]]))
    return sample[first], first


def design_mismatch(sweep: Sweep, rows: Rows, sets: ParameterSets, first) -> str | None:
    """Whether the recorded parameter values (those of each set's first run, `first`)
    are those of the design (a sweep file edited between the runs and the report would
    otherwise give silently wrong indices). One parameter's column at a time, against
    the design made MISMATCH_BLOCK sets at a time."""
    for j, parameter in enumerate(sweep.parameters):
        if parameter.path not in rows.columns:
            continue
        column = rows[parameter.path].to_numpy()
        for start in range(0, len(sets), MISMATCH_BLOCK):
            block = np.arange(start, min(start + MISMATCH_BLOCK, len(sets)))
            raw = sets.rows(block)[:, j]
            found = _mismatch(parameter, column[first[block]], raw)
            if found is not None:
                s, given = found
                return (
                    f"{parameter.path} is {given!r} in the runs of parameter set "
                    f"{start + s} but {value_of(parameter, raw[s])!r} in the design: "
                    "was the sweep file changed after the runs?"
                )
        del column  # freed before the next parameter's values are read
    return None


def _mismatch(parameter: Parameter, given: np.ndarray, raw: np.ndarray):
    """(position, recorded value) of the first set whose value is not the design's."""
    if parameter.values:
        expected = [value_of(parameter, x) for x in raw]
        bad = [
            s
            for s, (a, b) in enumerate(zip(given, expected, strict=True))
            if not (a == b or str(a) == str(b))
        ]
    else:
        expected = np.round(raw) if parameter.integer else raw
        bad = np.flatnonzero(~np.isclose(given.astype(float), expected, rtol=1e-9)).tolist()
    return (bad[0], given[bad[0]]) if bad else None


def _indices(sweep: Sweep, problem: dict, sets: ParameterSets, y: np.ndarray) -> dict:
    method, d = sweep.design.method, len(sweep.parameters)
    stats = {"mean": _clean(y.mean()), "sd": _clean(y.std()), "note": None}
    if np.isnan(y).any():
        return stats | {"note": f"missing values in {int(np.isnan(y).sum())} parameter sets"}
    if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
        # SALib would divide by the zero variance; nothing moves the output, so every
        # index is zero
        keys = INDEX_KEYS[method] + (("S2", "S2_conf") if _second_order(sweep) else ())
        zeros = {k: [0.0] * d for k in keys if k not in ("S2", "S2_conf")}
        if _second_order(sweep):
            square = [[0.0 if k > j else None for k in range(d)] for j in range(d)]
            zeros |= {"S2": square, "S2_conf": square}
        return (
            stats
            | zeros
            | {
                "note": f"constant ({y[0]:.6g}) over the whole design: "
                "no parameter moves it, so every index is 0"
            }
        )
    # SALib's sobol.analyze ignores seed=0 (`if seed:`) and draws its bootstrap from the
    # global numpy state; a Generator seeded alike gives the same draws as seed=k, k > 0,
    # and keeps seed 0 reproducible too.
    rng = np.random.default_rng(sweep.seed)
    if method == "sobol":
        found = sobol_indices(problem, y, _second_order(sweep), rng)
        keys = INDEX_KEYS["sobol"] + (("S2", "S2_conf") if _second_order(sweep) else ())
    else:
        from SALib.analyze import morris

        found = morris.analyze(problem, sets.matrix(), y, num_levels=sweep.design.levels, seed=rng)
        keys = INDEX_KEYS["morris"]
    return stats | {k: _clean(found[k]) for k in keys}


def sobol_indices(problem: dict, y: np.ndarray, second_order: bool, rng) -> dict:
    """SALib's `sobol.analyze` with its 100 bootstrap resamples drawn in blocks of at
    most BOOTSTRAP_CELLS base samples in all, so that its memory stays bounded (a block of
    all 100 at N = 65,536 takes 430 MB): S1 and ST intervals from every block's resamples,
    S2's from the blocks' pooled variances. Up to N = 5,242 it is one call, SALib's own."""
    from SALib.analyze import sobol

    n = len(y) // (len(problem["names"]) * (2 if second_order else 1) + 2)
    per_block = max(2, min(BOOTSTRAP, BOOTSTRAP_CELLS // n))
    sizes = [min(per_block, BOOTSTRAP - start) for start in range(0, BOOTSTRAP, per_block)]
    if sizes[-1] < 2:  # SALib's interval needs two resamples a block
        sizes[-2:] = [sizes[-2] + sizes[-1]]
    blocks = [
        sobol.analyze(
            problem,
            y,
            calc_second_order=second_order,
            num_resamples=size,
            keep_resamples=len(sizes) > 1,
            seed=rng,
        )
        for size in sizes
    ]
    found = blocks[0]
    if len(blocks) == 1:
        return found
    for key in ("S1", "ST"):
        resampled = np.concatenate([block[f"{key}_conf_all"] for block in blocks])
        found[f"{key}_conf"] = Z95 * np.ascontiguousarray(resampled.T).std(axis=1, ddof=1)
    if second_order:
        freedom = np.array(sizes, dtype=float)[:, None, None] - 1
        spread = np.stack([block["S2_conf"] for block in blocks]) ** 2
        found["S2_conf"] = np.sqrt((freedom * spread).sum(axis=0) / freedom.sum())
    return found


def _second_order(sweep: Sweep) -> bool:
    return sweep.design.method == "sobol" and sweep.design.second_order


def _few(numbers: np.ndarray) -> str:
    shown = ", ".join(str(int(n)) for n in numbers[:5])
    return shown + (", ..." if len(numbers) > 5 else "")


def _clean(value):
    """Plain JSON: Python floats and lists, None for NaN."""
    if isinstance(value, np.ndarray | list | tuple):
        return [_clean(v) for v in value]
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value
