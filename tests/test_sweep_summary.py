"""Sweep summaries: sensitivity indices against functions whose indices are known, status
probabilities with their intervals, and the self-contained sweep page."""

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plotly.offline import get_plotlyjs
from SALib.test_functions import Ishigami

from sim.sweeps import parallel_coordinates
from sim.sweeps.design import design_matrix, parameter_set
from sim.sweeps.indices import output_values, sample_means, sensitivity
from sim.sweeps.page import sweep_page_html, write_sweep_page
from sim.sweeps.parallel_coordinates import runs_figure
from sim.sweeps.spec import Design, Parameter, Sweep
from sim.sweeps.summary import summarize, wilson

STATUSES = ("agreement", "no_deal", "walkout", "escalation")
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)  # Ishigami and Homma (1990), a = 7, b = 0.1
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def a_sweep(method="sobol", samples=16, **fields) -> Sweep:
    """Three parameters, one of each kind; 4 levels (Morris wants an even number)."""
    parameters = (
        Parameter("parties.a.reservation", low=0.0, high=1.0),
        Parameter("protocol.name", values=("mediated", "alternating", "<i>odd</i>")),
        Parameter("deadline", low=10, high=40, integer=True),
    )
    defaults = {"replications": 2, "seed": 3, "outputs": ("agreement", "round", "utility.a")}
    design = Design(method, samples, levels=4)
    return Sweep("toy", Path("unused"), parameters, design, **(defaults | fields))


def design_rows(sweep: Sweep, y_of=None) -> pd.DataFrame:
    """Rows as a sweep records them: the design's values, and outputs that depend on the
    first parameter (P(agreement) = its value) and on the run's own random draw."""
    rows = []
    for sample, row in enumerate(design_matrix(sweep)):
        values = parameter_set(sweep, row)
        for replication in range(sweep.replications):
            run = sample * sweep.replications + replication
            rng = np.random.default_rng(run)
            x = next(iter(values.values()))
            status = "agreement" if rng.random() < x else str(rng.choice(STATUSES[1:]))
            rows.append(
                {
                    "run": run,
                    "sample": sample,
                    "replication": replication,
                    "seed": run,
                    **values,
                    "status": status,
                    "round": int(rng.integers(1, 60)),
                    "utility.a": float(rng.random()),
                    "utility.b": 0.5,
                    "point.border": "line" if x < 0.5 else "river",
                    "point.<script>": str(rng.choice(["one", "two"])),
                }
            )
            if y_of is not None:
                rows[-1]["y"] = y_of(row, replication)
    return pd.DataFrame(rows)


def ishigami() -> Sweep:
    parameters = tuple(Parameter(f"x{i}", low=-math.pi, high=math.pi) for i in (1, 2, 3))
    return Sweep(
        "ishigami",
        Path("unused"),
        parameters,
        Design("sobol", 1024),
        replications=1,
        outputs=("y",),
    )


def ishigami_rows(sweep: Sweep) -> pd.DataFrame:
    matrix = design_matrix(sweep)
    n = len(matrix)
    columns = {p.path: matrix[:, j] for j, p in enumerate(sweep.parameters)}
    return pd.DataFrame(
        {
            "run": np.arange(n),
            "sample": np.arange(n),
            "replication": 0,
            **columns,
            "y": Ishigami.evaluate(matrix),
        }
    )


# -- sensitivity ----------------------------------------------------------------------


def test_sobol_indices_of_the_ishigami_function_contain_the_known_values():
    sweep = ishigami()
    found = sensitivity(sweep, ishigami_rows(sweep))["outputs"]["y"]
    # no slack needed: every known index lies inside its 95% bootstrap interval
    for j in range(3):
        assert abs(found["S1"][j] - ISHIGAMI_S1[j]) <= found["S1_conf"][j]
        assert abs(found["ST"][j] - ISHIGAMI_ST[j]) <= found["ST_conf"][j]
    assert found["note"] is None


def test_sobol_indices_do_not_depend_on_the_order_of_the_rows():
    sweep = ishigami()
    rows = ishigami_rows(sweep)
    shuffled = rows.sample(frac=1, random_state=7)
    assert not shuffled["sample"].is_monotonic_increasing
    assert sensitivity(sweep, shuffled) == sensitivity(sweep, rows)


def test_replications_are_averaged_before_the_indices():
    once = ishigami()
    twice = replace(once, replications=2)
    noise = (0.9, -0.9)  # cancels in the mean of each parameter set
    rows = design_rows(twice, lambda x, r: float(Ishigami.evaluate(x[None])[0]) + noise[r])
    found = sensitivity(twice, rows)["outputs"]["y"]
    expected = sensitivity(once, ishigami_rows(once))["outputs"]["y"]
    assert found["ST"] == pytest.approx(expected["ST"], abs=1e-9)


def test_sobol_indices_are_reproducible_with_seed_zero():
    # SALib's sobol.analyze treats seed=0 as no seed; summary.json must not change
    sweep = replace(ishigami(), seed=0, design=Design("sobol", 64))
    rows = ishigami_rows(sweep)
    assert sensitivity(sweep, rows) == sensitivity(sweep, rows)


def test_morris_ranks_the_terms_of_a_linear_function():
    parameters = (
        Parameter("x1", low=0.0, high=2.0),
        Parameter("x2", low=0.0, high=1.0),
        Parameter("x3", low=-1.0, high=1.0),
    )
    sweep = Sweep(
        "linear", Path("unused"), parameters, Design("morris", 20, levels=4), outputs=("y",)
    )
    rows = design_rows(sweep, lambda x, r: 5 * x[0] - 3 * x[1] + 0 * x[2])
    found = sensitivity(sweep, rows)["outputs"]["y"]
    # an elementary effect of a linear term is its slope times the parameter's range
    assert found["mu_star"] == pytest.approx([10, 3, 0], abs=1e-9)
    assert found["mu"] == pytest.approx([10, -3, 0], abs=1e-9)
    assert found["sigma"] == pytest.approx([0, 0, 0], abs=1e-9)


@pytest.mark.parametrize(
    "design",
    [Design("sobol", 8), Design("sobol", 8, second_order=True), Design("morris", 4, levels=4)],
)
def test_a_constant_output_gives_zero_indices_and_a_note(design):
    sweep = replace(a_sweep(), design=design)
    rows = design_rows(sweep).assign(status="agreement")
    indices = sensitivity(sweep, rows)
    json.dumps(indices, allow_nan=False)
    found = indices["outputs"]["agreement"]
    assert "constant" in found["note"]
    assert set(found["ST" if design.method == "sobol" else "mu_star"]) == {0.0}
    assert ("S2" in found) == design.second_order
    assert indices["outputs"]["round"]["note"] is None


def test_second_order_indices_are_a_matrix_without_nan():
    sweep = replace(a_sweep(), design=Design("sobol", 16, second_order=True))
    found = sensitivity(sweep, design_rows(sweep))["outputs"]["utility.a"]
    assert len(found["S2"]) == 3 and found["S2"][1][0] is None and found["S2"][0][1] is not None
    json.dumps(found, allow_nan=False)


def test_missing_parameter_sets_give_an_explanation_instead_of_indices():
    sweep = a_sweep()
    rows = design_rows(sweep)
    indices = sensitivity(sweep, rows[rows["sample"] != 5])
    assert indices["outputs"] == {}
    assert "1 of the design's 80 parameter sets have no run" in indices["note"]
    assert "--resume" in indices["note"]


def test_rows_of_another_design_give_an_explanation_instead_of_indices():
    rows = design_rows(a_sweep())
    indices = sensitivity(replace(a_sweep(), seed=4), rows)
    assert indices["outputs"] == {}
    assert "parties.a.reservation" in indices["note"] and "changed" in indices["note"]


@pytest.mark.parametrize("method", ["grid", "lhs"])
def test_grid_and_lhs_designs_give_no_indices(method):
    sweep = a_sweep(method, samples=10)
    indices = sensitivity(sweep, design_rows(sweep))
    assert indices["outputs"] == {} and "no sensitivity indices" in indices["note"]


def test_output_values_are_status_indicators_or_columns():
    rows = pd.DataFrame({"status": ["agreement", "walkout"], "round": [3, 9]})
    assert output_values(rows, "agreement").tolist() == [1.0, 0.0]
    assert output_values(rows, "walkout").tolist() == [0.0, 1.0]
    assert output_values(rows, "round").tolist() == [3.0, 9.0]


# -- probabilities --------------------------------------------------------------------


def test_wilson_interval_contains_the_estimate_and_shrinks_with_n():
    assert wilson(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(10, 10)[1] == 1.0 and wilson(0, 0) == (None, None)
    widths = []
    for n in (10, 100, 1000, 10000):
        for count in range(0, n + 1, max(n // 10, 1)):
            low, high = wilson(count, n)
            assert 0 <= low <= count / n <= high <= 1
        low, high = wilson(3 * n // 10, n)
        widths.append(high - low)
    assert widths == sorted(widths, reverse=True)


def test_status_probabilities_sum_to_one_in_every_bin():
    sweep = a_sweep("lhs", samples=60)
    rows = design_rows(sweep)
    summary = summarize(sweep, rows)
    json.dumps(summary, allow_nan=False)
    assert summarize(sweep, rows.sample(frac=1, random_state=1)) == summary
    assert summary["runs"] == 120
    assert sum(s["p"] for s in summary["status"].values()) == pytest.approx(1)
    for name, described in summary["parameters"].items():
        assert sum(b["n"] for b in described["bins"]) == 120, name
        for b in described["bins"]:
            if b["n"]:
                assert sum(s["p"] for s in b["status"].values()) == pytest.approx(1)
                assert sum(s["count"] for s in b["status"].values()) == b["n"]
    assert [b["label"] for b in summary["parameters"]["protocol.name"]["bins"]] == [
        "mediated",
        "alternating",
        "<i>odd</i>",
    ]
    assert len(summary["parameters"]["parties.a.reservation"]["bins"]) == 8


def test_the_leading_parameter_is_the_one_agreement_depends_on():
    sweep = a_sweep("lhs", samples=60)
    summary = summarize(sweep, design_rows(sweep))
    assert summary["leading"]["by"] == "P(agreement) spread"
    assert summary["leading"]["ranking"][0]["parameter"] == "parties.a.reservation"
    pairs = summary["pairs"]
    assert len(pairs) == 3 and pairs[0]["x"] == "parties.a.reservation"
    assert np.sum(pairs[0]["n"]) == 120


def test_the_leading_parameter_follows_the_indices_when_there_are_some():
    sweep = a_sweep("morris", samples=10, outputs=("agreement",))
    rows = design_rows(sweep)
    rows["status"] = np.where(rows["parties.a.reservation"] > 0.5, "agreement", "no_deal")
    summary = summarize(sweep, rows)
    assert summary["leading"]["by"] == "mu_star/sd"
    assert summary["leading"]["ranking"][0]["parameter"] == "parties.a.reservation"
    assert summary["indices"]["method"] == "morris"


def test_settled_options_count_agreements_only():
    sweep = a_sweep("lhs", samples=60)
    rows = design_rows(sweep)
    border = summarize(sweep, rows)["points"]["border"]
    agreed = rows[rows["status"] == "agreement"]
    assert border["agreements"] == len(agreed)
    assert border["share"]["river"] == pytest.approx((agreed["point.border"] == "river").mean())
    assert sum(border["share"].values()) == pytest.approx(1)
    for b in border["bins"]:
        if b["n"]:
            assert sum(b["share"].values()) == pytest.approx(1)


# -- the page -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sobol_sweep() -> tuple[Sweep, pd.DataFrame, dict]:
    sweep = a_sweep("sobol", samples=16)
    rows = design_rows(sweep)
    return sweep, rows, summarize(sweep, rows)


def test_sweep_page_fetches_nothing_and_embeds_plotlyjs_once(sobol_sweep, tmp_path):
    write_sweep_page(*sobol_sweep, tmp_path / "sweep.html")
    text = (tmp_path / "sweep.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.IGNORECASE)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?:", text, re.IGNORECASE)
    assert not re.search(r"<iframe|<img", text, re.IGNORECASE)
    bundle = get_plotlyjs()
    assert bundle in text and text.count(bundle[:60]) == 1
    for div in ("status", "pairs", "options", "runs", "indices"):
        assert f'id="{div}"' in text


def test_sweep_page_is_byte_identical_for_the_same_inputs(sobol_sweep, tmp_path):
    sweep, rows, summary = sobol_sweep
    write_sweep_page(sweep, rows, summary, tmp_path / "first.html")
    again = json.loads(json.dumps(summary))  # as rebuilt from summary.json
    write_sweep_page(sweep, rows.sample(frac=1, random_state=2), again, tmp_path / "second.html")
    assert (tmp_path / "first.html").read_bytes() == (tmp_path / "second.html").read_bytes()


def test_sweep_page_escapes_values_and_ids(sobol_sweep):
    text = sweep_page_html(*sobol_sweep)
    body = text.split("<script")[0] + text.rsplit("</script>", 1)[-1]
    assert "<i>odd</i>" not in body and "&lt;i&gt;odd&lt;/i&gt;" in body
    assert "&lt;script&gt;" in text  # the point named <script>, as a panel title


def test_parallel_coordinates_draw_a_fixed_sample_of_the_runs(sobol_sweep, monkeypatch):
    sweep, rows, summary = sobol_sweep
    monkeypatch.setattr(parallel_coordinates, "RUNS_SHOWN", 50)
    first = runs_figure(sweep, rows, summary["statuses"])
    second = runs_figure(sweep, rows.iloc[::-1], summary["statuses"])
    assert len(first.data[0].dimensions[0]["values"]) == 50
    assert first.to_json() == second.to_json()


def test_sweep_page_without_indices_says_why(tmp_path):
    sweep = a_sweep("lhs", samples=20)
    rows = design_rows(sweep)
    text = sweep_page_html(sweep, rows, summarize(sweep, rows))
    assert 'id="indices"' not in text
    assert "gives no sensitivity indices" in text


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_summary_is_the_same_for_rows_read_back_from_a_part_file(suffix, tmp_path):
    sweep = a_sweep("morris", samples=6)
    rows = design_rows(sweep)
    part = tmp_path / f"part.{suffix}"
    if suffix == "parquet":
        rows.to_parquet(part, index=False)
        back = pd.read_parquet(part)
    else:
        rows.to_csv(part, index=False)
        back = pd.read_csv(part)
    assert summarize(sweep, back) == summarize(sweep, rows)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=False), st.just(-0.0)),
        min_size=1,
        max_size=40,
    ),
    st.randoms(use_true_random=False),
    st.sampled_from([np.int32, np.int64]),
)
def test_one_run_a_set_gives_the_means_bincount_gives(values, random, dtype):
    """With one run a set, `sample_means` skips the counts; the means are those of the
    general path (NaN where missing, -0.0 made 0.0 as bincount's sum makes it)."""
    values = np.array(values)
    sample = np.array(random.sample(range(len(values)), len(values)), dtype=dtype)
    known = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.bincount(sample[known], values[known], minlength=len(values)) / (
            np.bincount(sample[known], minlength=len(values))
        )
    found = sample_means(values, sample, len(values))
    np.testing.assert_array_equal(found, expected)  # NaN where expected NaN
    known_mean = ~np.isnan(expected)
    assert (np.signbit(found) == np.signbit(expected))[known_mean].all()
