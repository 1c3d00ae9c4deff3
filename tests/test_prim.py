"""PRIM (sim/sweeps/prim.py): boxes found on synthetic runs whose true box is known, and
peeling and pasting checked step by step against brute force over small random runs."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from sim.sweeps.prim import box_of, covering, find_box, paste, peel, quasi_p_values

pytestmark = pytest.mark.filterwarnings("error")  # no division by an empty box, say

TRIVIAL = 0.9  # a cut the true box does not make keeps at least this share of [0, 1]


def meets(value, limit) -> bool:
    if isinstance(limit, frozenset):
        return value in limit
    return limit[0] <= value <= limit[1]


def rows_inside(x: pd.DataFrame, limits) -> list[int]:
    """The positions of the rows meeting every limit, by plain comparisons."""
    records = x.to_dict("records")
    return [i for i, r in enumerate(records) if all(meets(r[p], lim) for p, lim in limits.items())]


def density(y, rows) -> float:
    return sum(bool(y[i]) for i in rows) / len(rows) if rows else 0.0


def assert_counted(x: pd.DataFrame, y, box) -> None:
    """The box's statistics are those of a direct count of the rows inside its limits."""
    rows = rows_inside(x, box.limits)
    cases = sum(bool(y[i]) for i in rows)
    assert (box.count, box.cases) == (len(rows), cases)
    assert box.density == density(y, rows)
    assert box.mass == len(rows) / len(x)
    assert box.coverage == (cases / sum(map(bool, y)) if any(y) else 0.0)


def uniform_runs(seed: int, rows: int = 20_000, parameters: int = 6) -> pd.DataFrame:
    values = np.random.default_rng(seed).random((rows, parameters))
    return pd.DataFrame(values, columns=[f"x{i}" for i in range(parameters)])


def flipped(y: np.ndarray, share: float, seed: int) -> np.ndarray:
    """`y` with exactly `share` of its labels flipped, chosen at random."""
    flips = np.random.default_rng(seed).choice(len(y), int(share * len(y)), replace=False)
    y = y.copy()
    y[flips] = ~y[flips]
    return y


@pytest.fixture(scope="module")
def known_box():
    """20,000 runs of six uniform parameters; the case is x0 < 0.3 and x3 > 0.6, with 10% of
    the labels flipped."""
    x = uniform_runs(seed=1)
    y = ((x["x0"] < 0.3) & (x["x3"] > 0.6)).to_numpy()
    return x, flipped(y, 0.1, seed=2)


def test_find_box_recovers_a_known_box_despite_noisy_labels(known_box):
    x, y = known_box
    peeling = find_box(x, y)
    box = peeling.box
    assert abs(box.limits["x0"][1] - 0.3) < 0.05
    assert abs(box.limits["x3"][0] - 0.6) < 0.05
    assert box.limits["x0"][0] <= 1 - TRIVIAL and box.limits["x3"][1] >= TRIVIAL
    for p, (low, high) in box.limits.items():
        if p not in ("x0", "x3"):
            assert high - low >= TRIVIAL, p
    assert_counted(x, y, box)
    assert peeling.trajectory == tuple(paste(x, y, peeled) for peeled in peel(x, y))


def test_box_keeps_exactly_the_categorical_values_that_matter():
    x = uniform_runs(seed=3, rows=8_000, parameters=3)
    rng = np.random.default_rng(4)
    x["protocol"] = rng.choice(["a", "b", "c", "d"], len(x))
    x["mediated"] = rng.random(len(x)) < 0.5  # a bool column that does not matter
    y = (x["protocol"].isin(["a", "b"]) & (x["x1"] < 0.5)).to_numpy()
    box = find_box(x, flipped(y, 0.05, seed=5)).box
    assert box.limits["protocol"] == frozenset({"a", "b"})
    assert abs(box.limits["x1"][1] - 0.5) < 0.05
    assert "mediated" not in box.limits


@st.composite
def small_runs(draw, rows: int = 40):
    """Runs of an integer parameter with many ties, a float one and a categorical one."""

    def column(values):
        return draw(st.lists(values, min_size=rows, max_size=rows))

    x = pd.DataFrame(
        {
            "u": column(st.integers(0, 5)),
            "v": column(st.floats(0, 1, width=16)),
            "c": column(st.sampled_from("abc")),
        }
    )
    y = column(st.booleans())
    return x, y, draw(st.sampled_from([0.05, 0.1, 0.25]))


def brute_peels(x: pd.DataFrame, rows: list[int], alpha: float):
    """Every candidate peel of the box `rows`, in the documented order: the rows each keeps."""
    n, k = len(rows), int(alpha * (len(rows) - 1))
    for p in x.columns:
        value = {i: x[p].iloc[i] for i in rows}
        if p == "c":
            removals = [[i for i in rows if value[i] == c] for c in dict.fromkeys(x[p])]
        else:
            ordered = sorted(value.values())
            low, high = ordered[k], ordered[n - 1 - k]
            low_end = [i for i in rows if value[i] <= low]
            high_end = [i for i in rows if value[i] >= high]
            if len(low_end) == n:
                low_end = [i for i in rows if value[i] < ordered[-1]]
            if len(high_end) == n:
                high_end = [i for i in rows if value[i] > ordered[0]]
            removals = [low_end, high_end]
        for removed in map(set, removals):
            if 0 < len(removed) < n:
                yield [i for i in rows if i not in removed]


def best_of(candidates, y):
    """The candidate of highest density, then most rows, then first."""
    best = None
    for kept in candidates:
        if best is None or (density(y, kept), len(kept)) > (density(y, best), len(best)):
            best = kept
    return best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_runs())
def test_each_peel_is_the_best_candidate_found_by_brute_force(runs):
    x, y, alpha = runs
    min_mass = 0.05
    trajectory = peel(x, y, alpha=alpha, min_mass=min_mass)
    assert rows_inside(x, trajectory[0].limits) == list(range(len(x)))
    for i, box in enumerate(trajectory):
        assert_counted(x, y, box)
        rows = rows_inside(x, box.limits)
        best = best_of(brute_peels(x, rows, alpha), y)
        if i + 1 < len(trajectory):
            assert rows_inside(x, trajectory[i + 1].limits) == best
        else:  # peeling stopped: no peel raises density, or the best leaves too little mass
            assert best is None or density(y, best) <= box.density or len(best) / len(x) < min_mass


def brute_pastes(x: pd.DataFrame, box, alpha: float):
    """Every candidate paste of `box`: the rows it adds."""
    k = int(alpha * (box.count - 1))
    for p, limit in box.limits.items():
        others = {q: lim for q, lim in box.limits.items() if q != p}
        outside = [i for i in rows_inside(x, others) if not meets(x[p].iloc[i], limit)]
        value = {i: x[p].iloc[i] for i in outside}
        if isinstance(limit, frozenset):
            for c in set(value.values()):
                yield [i for i in outside if value[i] == c]
            continue
        below = sorted((v for v in value.values() if v < limit[0]), reverse=True)
        above = sorted(v for v in value.values() if v > limit[1])
        if below:
            yield [i for i in outside if below[min(k, len(below) - 1)] <= value[i] < limit[0]]
        if above:
            yield [i for i in outside if limit[1] < value[i] <= above[min(k, len(above) - 1)]]


@st.composite
def box_limits(draw, x: pd.DataFrame):
    """Limits over some of the runs' parameters, at values the runs take."""
    limits = {}
    for p in ("u", "v"):
        if draw(st.booleans()):
            low, high = sorted(draw(st.sampled_from(list(x[p]))) for _ in range(2))
            limits[p] = (float(low), float(high))
    if draw(st.booleans()):
        limits["c"] = frozenset(draw(st.sets(st.sampled_from("abc"), min_size=1)))
    return limits


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_single_paste_would_lower_the_density_of_a_pasted_box(data):
    x, y, alpha = data.draw(small_runs())
    box = box_of(x, y, data.draw(box_limits(x)))
    if box.count == 0:
        assert paste(x, y, box, alpha) == box
        return
    pasted = paste(x, y, box, alpha)
    assert_counted(x, y, pasted)
    assert pasted.density >= box.density
    assert set(rows_inside(x, box.limits)) <= set(rows_inside(x, pasted.limits))
    inside = rows_inside(x, pasted.limits)
    for added in brute_pastes(x, pasted, alpha):  # pasting goes on while density holds
        assert added
        assert density(y, inside + added) < pasted.density


def test_restrictions_that_matter_have_small_quasi_p_and_a_useless_one_large(known_box):
    x, y = known_box
    quasi_p = find_box(x, y).quasi_p
    assert quasi_p["x0"] < 1e-6 and quasi_p["x3"] < 1e-6
    useless = box_of(x, y, {"x0": (0.0, 0.3), "x3": (0.6, 1.0), "x5": (0.1, 0.9)})
    quasi_p = quasi_p_values(x, y, useless)
    assert quasi_p["x5"] > 0.01
    assert quasi_p["x0"] < 1e-6 and quasi_p["x3"] < 1e-6
    relaxed = rows_inside(x, {"x0": (0.0, 0.3), "x3": (0.6, 1.0)})
    p0 = density(y, relaxed)
    assert quasi_p["x5"] == pytest.approx(binom.sf(useless.cases - 1, useless.count, p0))


def test_covering_finds_two_disjoint_boxes_the_one_with_more_cases_first():
    # exact labels: with noisy ones the first box is the densest reaching min_coverage, a
    # part of the larger region, and the next search mixes its rest with the smaller one
    x = uniform_runs(seed=6, parameters=4)
    larger = (x["x0"] < 0.4) & (x["x1"] < 0.5)  # 20% of the runs
    smaller = (x["x0"] > 0.75) & (x["x2"] > 0.75)  # 6.25%
    y = (larger | smaller).to_numpy()
    first, second = covering(x, y, boxes=2)
    assert abs(first.box.limits["x0"][1] - 0.4) < 0.05
    assert abs(first.box.limits["x1"][1] - 0.5) < 0.05
    assert abs(second.box.limits["x0"][0] - 0.75) < 0.05
    assert abs(second.box.limits["x2"][0] - 0.75) < 0.05
    assert first.box.cases > second.box.cases
    # the second box is counted on the runs the first does not hold
    left = ~first.box.contains(x)
    assert_counted(x[left].reset_index(drop=True), y[left], second.box)


def test_covering_stops_when_no_box_is_denser_than_the_runs_left():
    rng = np.random.default_rng(8)
    x = pd.DataFrame({"level": rng.integers(0, 10, 5_000), "x1": rng.random(5_000)})
    y = (x["level"] <= 2).to_numpy()  # peels of whole levels find it exactly: no case is left
    (only,) = covering(x, y, boxes=3)
    assert only.box.limits == {"level": (0.0, 2.0)}
    noise = rng.random(len(x)) < 0.3
    assert covering(x, noise, boxes=3, min_density_gain=0.2) == []


@pytest.mark.parametrize("share", [0.0, 1.0], ids=["no case", "only cases"])
def test_with_no_case_or_only_cases_the_box_is_the_whole_space(share):
    x = uniform_runs(seed=10, rows=500, parameters=3)
    y = np.full(len(x), share == 1.0)
    peeling = find_box(x, y)
    assert len(peeling.trajectory) == 1 and peeling.chosen == 0
    assert peeling.box.limits == {} and peeling.quasi_p == {}
    assert (peeling.box.count, peeling.box.density, peeling.box.coverage) == (500, share, share)
    assert covering(x, y) == []


def test_constant_columns_and_uncut_sides_are_no_restriction():
    x = uniform_runs(seed=11, rows=2_000, parameters=3)
    # the extremes of the uncut sides and of x2 lie outside the box: none is a restriction
    x.loc[x["x0"].idxmin(), "x1"] = 0.1
    x.loc[x["x1"].idxmax(), "x0"] = 0.9
    x.loc[x["x2"].idxmin(), "x0"] = 0.9
    x["constant"] = 7
    x["always"] = "same"
    y = ((x["x0"] < 0.4) & (x["x1"] > 0.5)).to_numpy()
    box = find_box(x, y).box
    assert box.density == 1.0
    assert set(box.limits) == {"x0", "x1"}
    assert box.limits["x0"][0] == x["x0"].min() and box.limits["x1"][1] == x["x1"].max()


def test_a_peel_among_ties_removes_at_least_one_run_and_never_all():
    x = pd.DataFrame({"u": [0] + [1] * 39})  # the low end's quantile is the max
    y = x["u"] == 1
    assert [b.limits for b in peel(x, y)] == [{}, {"u": (1.0, 1.0)}]
    constant = pd.DataFrame({"u": [1] * 40})
    assert peel(constant, y) == [box_of(constant, y, {})]


def test_a_single_run_is_its_own_whole_space():
    x = pd.DataFrame({"x0": [0.5], "c": ["a"]})
    for case in (True, False):
        peeling = find_box(x, [case])
        assert peeling.trajectory == (box_of(x, [case], {}),)
        assert peeling.box.count == 1 and peeling.box.density == float(case)
        assert paste(x, [case], peeling.box) == peeling.box


def test_unreadable_runs_are_refused():
    x = pd.DataFrame({"x0": [0.1, None, 0.3]})
    with pytest.raises(ValueError, match="missing"):
        find_box(x, [True, False, True])
    with pytest.raises(ValueError, match="one case flag per run"):
        find_box(x.fillna(0.2), [True])
