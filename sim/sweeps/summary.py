"""What a sweep's runs say: the probability of each status and the settled options as
functions of the parameters, and global sensitivity indices (SALib) of the outputs.

Pure functions of the sweep and its rows (one per run), returning plain JSON data:

    summary = summarize(sweep, rows)      # what summary.json holds
    sensitivity(sweep, rows)["outputs"]["agreement"]["ST"]
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from .design import ParameterSets, salib_problem, value_of
from .spec import STATUS_OUTPUTS, Parameter, Sweep, parameter_set_count
from .store import StoredRows

Rows = pd.DataFrame | StoredRows  # one row per run; a DataFrame, or read column by column

BINS = 8  # bins per numeric parameter; fewer distinct values get one bin each
PAIRS = 3  # heatmaps of P(agreement) for the pairs among this many leading parameters
Z95 = 1.959963984540054
MISMATCH_BLOCK = 65_536  # parameter sets of the design made at a time to check the rows
MISMATCH_BYTES = 16 * 2**20  # recorded parameter values held at a time for that check
BOOTSTRAP = 100  # resamples for the Sobol indices' intervals, as SALib draws by default
BOOTSTRAP_CELLS = 524_288  # base samples times resamples a block of them draws (~35 MB)
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


def wilson(count: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval of the proportion p = count/n:
    (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    if n == 0:
        return None, None
    p, shrink = count / n, 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / shrink
    # at p = 0 (or 1) the bound is 0 (or 1) exactly; rounding would leave 1e-18
    return (0.0 if count == 0 else centre - half), (1.0 if count == n else centre + half)


def proportion(count: int, n: int) -> dict:
    low, high = wilson(count, n)
    return {"p": count / n if n else None, "low": low, "high": high, "count": int(count)}


# -- global sensitivity ---------------------------------------------------------------


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
    sample = rows["sample"].to_numpy() if len(rows) else np.array([], np.int64)
    if (problem := coverage_problem(sweep, rows, sets, sample)) is not None:
        result["note"] = problem
        return result
    salib = salib_problem(sweep)
    for output in sweep.outputs:
        if output in STATUS_OUTPUTS or output in rows.columns:
            y = sample_means(output_values(rows, output).to_numpy(), sample, len(sets))
            result["outputs"][output] = _indices(sweep, salib, sets, y)
        else:
            result["outputs"][output] = {"note": f"the rows have no column '{output}'"}
    return result


def sample_means(values: np.ndarray, sample: np.ndarray, n: int) -> np.ndarray:
    """One output averaged over the replications of each of the `n` parameter sets (its
    runs' `sample`), missing values left out (NaN where a set has none)."""
    known = ~np.isnan(values)
    runs = np.bincount(sample[known], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(sample[known], values[known], minlength=n) / runs


def coverage_problem(sweep: Sweep, rows: Rows, sets: ParameterSets, sample) -> str | None:
    """Why the rows do not cover exactly the design's parameter sets, if they do not."""
    n = len(sets)
    present, first = np.unique(sample, return_index=True)
    foreign = present[(present < 0) | (present >= n)]
    if foreign.size:
        return (
            f"the rows hold parameter sets {_few(foreign)} outside this design's {n}: "
            "was the sweep file changed after the runs?"
        )
    missing = np.setdiff1d(np.arange(n), present)
    if missing.size:
        return (
            f"{missing.size} of the design's {n} parameter sets have no run yet (sets "
            f"{_few(missing)}); the indices need all of them: finish the sweep with --resume"
        )
    return design_mismatch(sweep, rows, sets, first)


def design_mismatch(sweep: Sweep, rows: Rows, sets: ParameterSets, first) -> str | None:
    """Whether the recorded parameter values (those of each set's first run, `first`)
    are those of the design (a sweep file edited between the runs and the report would
    otherwise give silently wrong indices). The design's rows are made a block at a
    time, for as many parameters at a time as MISMATCH_BYTES of their values hold."""
    indexed = [(j, p) for j, p in enumerate(sweep.parameters) if p.path in rows.columns]
    group = max(1, MISMATCH_BYTES // (8 * max(1, len(first))))
    for at in range(0, len(indexed), group):
        checked = indexed[at : at + group]
        recorded = {p.path: rows[p.path].to_numpy()[first] for _, p in checked}
        for start in range(0, len(sets), MISMATCH_BLOCK):
            block = np.arange(start, min(start + MISMATCH_BLOCK, len(sets)))
            raw = sets.rows(block)
            for j, parameter in checked:
                found = _mismatch(parameter, recorded[parameter.path][block], raw[:, j])
                if found is not None:
                    s, given = found
                    return (
                        f"{parameter.path} is {given!r} in the runs of parameter set "
                        f"{start + s} but {value_of(parameter, raw[s, j])!r} in the design: "
                        "was the sweep file changed after the runs?"
                    )
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


# -- probabilities across the parameters ----------------------------------------------


def summarize(sweep: Sweep, rows: Rows, sets: ParameterSets | None = None) -> dict:
    """Everything summary.json holds: status probabilities overall and per bin of each
    parameter (95% Wilson intervals), the leading parameters and pairs, the settled
    options per point, and the sensitivity indices (from the design's `sets`, made if
    not given). Columns are read one at a time: `rows` may be a store's `StoredRows`."""
    rows = in_run_order(rows)
    summary = {
        "sweep": sweep.name,
        "design": sweep.design.method,
        "parameter_sets": parameter_set_count(sweep),
        "replications": sweep.replications,
        "seed": sweep.seed,
        "runs": len(rows),
    }
    if not len(rows):
        return summary | {"note": "no runs stored yet", "indices": sensitivity(sweep, rows, sets)}
    status = as_text(rows["status"])
    statuses = [*STATUS_OUTPUTS, *sorted(set(status) - set(STATUS_OUTPUTS))]
    parameters = {}
    for p in sweep.parameters:
        bins, index = parameter_bins(p, rows[p.path])
        for b, described in enumerate(bins):
            inside = status[index == b]
            described["n"] = len(inside)
            described["status"] = {
                s: proportion((inside == s).sum(), len(inside)) for s in statuses
            }
        parameters[p.path] = {"kind": "values" if p.values else "numeric", "bins": bins}
    indices = sensitivity(sweep, rows, sets)
    leading = leading_parameters(sweep, indices, parameters)
    ranked = [entry["parameter"] for entry in leading["ranking"]]
    by_path = {p.path: p for p in sweep.parameters}
    binned = {path: parameter_bins(by_path[path], rows[path]) for path in ranked[:PAIRS]}
    pairs = [
        agreement_grid(status, binned[a], binned[b], a, b)
        for a, b in itertools.combinations(ranked[:PAIRS], 2)
    ]
    return summary | {
        "statuses": statuses,
        "status": {s: proportion((status == s).sum(), len(status)) for s in statuses},
        "parameters": parameters,
        "leading": leading,
        "pairs": pairs,
        "points": settled_options(rows, status, ranked[0], binned[ranked[0]]),
        "indices": indices,
    }


def in_run_order(rows: Rows) -> Rows:
    """The rows sorted by run (a frame handed over in another order is copied sorted; a
    store's rows are in run order already)."""
    if isinstance(rows, pd.DataFrame) and len(rows) and not rows["run"].is_monotonic_increasing:
        return rows.sort_values("run", ignore_index=True)
    return rows


def parameter_bins(parameter: Parameter, column: pd.Series) -> tuple[list[dict], np.ndarray]:
    """The bins of one parameter (label, bounds or value) and each run's bin (-1: none).
    Listed values and numbers with few distinct values get a bin each; a range is cut
    into equal widths, a distribution at its quantiles (equal counts)."""
    if parameter.values:
        index = np.full(len(column), -1)
        for b, value in enumerate(parameter.values):
            index[matches(column, value)] = b
        return [{"label": _label(v), "value": v} for v in parameter.values], index
    x = column.to_numpy(dtype=float)
    distinct = np.unique(x)
    if len(distinct) <= BINS:
        labels = [_label(int(v) if parameter.integer else float(v)) for v in distinct]
        return (
            [{"label": t, "value": float(v)} for t, v in zip(labels, distinct, strict=True)],
            np.searchsorted(distinct, x),
        )
    if parameter.distribution == "uniform":
        edges = np.linspace(parameter.low, parameter.high, BINS + 1)
    else:
        edges = np.unique(np.quantile(x, np.linspace(0, 1, BINS + 1)))
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    bins = [
        {"label": f"{_label(lo)}\u2013{_label(hi)}", "low": float(lo), "high": float(hi)}
        for lo, hi in itertools.pairwise(edges)
    ]
    return bins, index


def leading_parameters(sweep: Sweep, indices: dict, parameters: dict) -> dict:
    """Parameters ranked by their largest index over the outputs (Sobol ST, or Morris
    mu* in units of the output's standard deviation), else by the spread of
    P(agreement) across their bins."""
    names = [p.path for p in sweep.parameters]
    scores = _index_scores(indices)
    by = {"sobol": "ST", "morris": "mu_star/sd"}.get(indices["method"])
    if scores is None:
        by, scores = "P(agreement) spread", []
        for name in names:
            p = [b["status"]["agreement"]["p"] for b in parameters[name]["bins"] if b["n"]]
            scores.append(max(p) - min(p) if p else 0.0)
    order = sorted(range(len(names)), key=lambda j: (-scores[j], j))
    return {"by": by, "ranking": [{"parameter": names[j], "score": scores[j]} for j in order]}


def _index_scores(indices: dict) -> list[float] | None:
    key = {"sobol": "ST", "morris": "mu_star"}.get(indices["method"])
    per_output = []
    for found in indices["outputs"].values():
        if found.get(key) is None or (key == "mu_star" and not found["sd"]):
            continue
        scale = found["sd"] if key == "mu_star" else 1.0
        per_output.append([(v or 0.0) / scale for v in found[key]])
    if not per_output:
        return None
    return [max(column) for column in zip(*per_output, strict=True)]


def agreement_grid(status: np.ndarray, first, second, x: str, y: str) -> dict:
    """P(agreement) with its Wilson interval and run count in every cell of two
    parameters' bins (a row per bin of `y`, a column per bin of `x`)."""
    (x_bins, x_index), (y_bins, y_index) = first, second
    agreed = status == "agreement"
    grid = {
        "x": x,
        "y": y,
        "x_bins": [b["label"] for b in x_bins],
        "y_bins": [b["label"] for b in y_bins],
        "p": [],
        "low": [],
        "high": [],
        "n": [],
    }
    for j in range(len(y_bins)):
        cells = [(x_index == i) & (y_index == j) for i in range(len(x_bins))]
        found = [proportion(agreed[cell].sum(), cell.sum()) for cell in cells]
        for key in ("p", "low", "high"):
            grid[key].append([f[key] for f in found])
        grid["n"].append([int(cell.sum()) for cell in cells])
    return grid


def settled_options(rows: Rows, status: np.ndarray, leading: str, binned) -> dict:
    """Per point, the share of each option in the agreements reached, overall and per bin
    of the leading parameter. (A run without agreement settles nothing: its `point.`
    columns hold the last text on the table.) Counted on codes, a point at a time."""
    bins, index = binned
    agreed = status == "agreement"
    where = index[agreed]
    points = {}
    for column in [c for c in rows.columns if c.startswith("point.")]:
        codes, labels = text_codes(rows[column])
        settled = codes[agreed]
        counts = np.bincount(settled, minlength=len(labels))
        order = sorted(np.flatnonzero(counts), key=lambda k: (-counts[k], labels[k]))
        points[column.removeprefix("point.")] = {
            "agreements": int(agreed.sum()),
            "options": [labels[k] for k in order],
            "share": {labels[k]: counts[k] / len(settled) for k in order},
            "by": leading,
            "bins": [
                _shares(settled[where == b], labels, order) | {"label": bin_["label"]}
                for b, bin_ in enumerate(bins)
            ],
        }
    return points


def _shares(codes: np.ndarray, labels: list[str], order: list[int]) -> dict:
    n = len(codes)
    counts = np.bincount(codes, minlength=len(labels))
    return {"n": n, "share": {labels[k]: counts[k] / n if n else None for k in order}}


# -- small helpers --------------------------------------------------------------------


def matches(column: pd.Series, value) -> np.ndarray:
    """Which runs used a listed value (CSV parts may hand back 1 for "1", or the reverse)."""
    exact = (column == value).to_numpy(dtype=bool, na_value=False)
    return exact | (as_text(column) == _label(value))


def as_text(column: pd.Series) -> np.ndarray:
    """`column.astype(str)` as an object array that shares one string per distinct value
    (a million rows: 8 MB, not 60 of strings made one by one)."""
    codes, labels = text_codes(column)
    return np.array(labels, dtype=object)[codes]


def text_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """`column.astype(str)` as codes into its distinct texts (values that print alike,
    such as 1 and "1", share one; a missing value is "nan", as astype(str) says)."""
    codes, distinct = pd.factorize(column)
    code_of: dict[str, int] = {}
    recoded = [code_of.setdefault(str(value), len(code_of)) for value in distinct]
    recoded.append(code_of.setdefault("nan", len(code_of)))  # code -1 picks the last
    return np.array(recoded)[codes], list(code_of)


def _label(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value)


def _few(numbers: np.ndarray) -> str:
    shown = ", ".join(str(int(n)) for n in numbers[:5])
    return shown + (", ..." if len(numbers) > 5 else "")


def _clean(value):
    """Plain JSON: Python floats and lists, None for NaN."""
    if isinstance(value, np.ndarray | list | tuple):
        return [_clean(v) for v in value]
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value
