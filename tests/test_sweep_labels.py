"""Readable sweep pages: parameters, outputs, points and options named as a reader would
say them, rounded ticks, no empty panel or column, and a parallel-coordinates figure that
draws a fixed sample which keeps each ending's share."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.scenario.loader import load_scenario
from sim.sweeps import sweep
from sim.sweeps.figures import number_format, options_figure, status_figure
from sim.sweeps.labels import (
    option_label,
    output_label,
    parameter_label,
    parameter_labels,
    point_label,
    status_label,
)
from sim.sweeps.parallel_coordinates import RUNS_SHOWN, runs_figure, sample_runs
from sim.sweeps.spec import Design, Parameter, Sweep

ROOT = Path(__file__).parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("parties.usa.influence.ukraine.strength", "United States pressure on Ukraine"),
        ("parties.europe.influence.ukraine.strength", "European allies support for Ukraine"),
        ("parties.europe.influence.russia.cost", "cost of European allies pressure on Russia"),
        ("parties.russia.reservation", "Russia's reservation value"),
        ("parties.russia.batna_drift.trend", "Russia's reservation drift per round"),
        ("parties.ukraine.domestic.threshold", "Ukraine's referendum threshold"),
        ("parties.ukraine.tactic.beta", "Ukraine's concession beta"),
        ("parties.ukraine.salience.territory", "Ukraine's salience of Territory"),
        ("protocol.bias", "United States' bias as mediator"),
        ("protocol.belief_noise", "United States' error about the parties' values"),
        ("protocol.name", "protocol"),
        ("deadline", "deadline (rounds)"),
        ("points.territory.options.cede_donbas.position", "cede donbas position"),
    ],
)
def test_every_kind_of_parameter_reads_as_a_reader_would_say_it(baseline, path, label):
    assert parameter_label(baseline, path) == label


def test_without_the_scenario_the_labels_read_with_the_ids():
    assert parameter_label(None, "parties.usa.influence.ukraine.strength") == (
        "usa influence on ukraine"
    )
    assert parameter_label(None, "parties.russia.reservation") == "russia's reservation value"
    assert parameter_label(None, "protocol.bias") == "the mediator's bias"
    assert option_label(None, "territory", "cede_donbas") == "cede_donbas"


def test_labels_that_would_read_alike_are_spelt_out(baseline):
    paths = [
        "points.territory.options.none.position",
        "points.reconstruction.options.none.position",
    ]
    labels = parameter_labels(baseline, paths)
    assert len(set(labels.values())) == 2
    assert labels[paths[0]] == "points Territory options none position"


def test_outputs_points_options_and_endings_have_their_names(baseline):
    assert output_label(baseline, "utility.ukraine") == "Ukraine's utility"
    assert output_label(baseline, "round") == "rounds played"
    assert output_label(baseline, "no_deal") == status_label("no_deal") == "no deal"
    assert point_label(baseline, "territory") == "Territory"
    assert option_label(baseline, "territory", "freeze_line") == (
        "Frozen on the line of contact without recognition"
    )


def test_ticks_show_two_significant_digits_of_the_span_and_no_more():
    assert number_format(0.0, 0.006) == ",.4~f"
    assert number_format(0.45, 0.75) == ",.2~f"
    assert number_format(10, 40, integer=True) == ",.0~f"
    assert number_format(0, 3, integer=True) == ",.1~f"  # a tick may fall between two


# -- a sweep page of the baseline -----------------------------------------------------


@pytest.fixture(scope="module")
def baseline_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labels")
    path = folder / "small.yaml"
    path.write_text(
        f"name: small\nbase: {BASELINE}\n"
        "parameters:\n"
        "  parties.usa.influence.ukraine.strength: {range: [0.0, 0.006]}\n"
        "  parties.russia.reservation: {range: [0.45, 0.75]}\n"
        "  parties.ukraine.domestic.threshold: {range: [0.4, 0.8]}\n"
        "  protocol.bias: {range: [0.0, 0.5]}\n"
        "  protocol.name: {values: [mediated, alternating]}\n"
        "design: {method: lhs, samples: 12}\nseed: 5\n"
        "outputs: [agreement, round, utility.ukraine]\n"
    )
    result = sweep(path, out=folder / "out", jobs=1)
    return folder, result


def figure_texts(page: str) -> list[str]:
    """Every title, axis title, annotation and parallel-coordinates label in the page's
    figures (the JSON inside its scripts)."""
    scripts = "".join(re.findall(r"<script[^>]*>(.*?)</script>", page, re.DOTALL)[1:])
    return re.findall(r'"(?:text|label)":"((?:[^"\\]|\\.)*)"', scripts)


def test_the_page_names_parameters_and_outputs_and_shows_no_dotted_path(baseline_sweep):
    _, result = baseline_sweep
    page = (result.folder / "sweep.html").read_text(encoding="utf-8")
    texts = figure_texts(page)
    for label in (
        "United States pressure on Ukraine",
        "Russia's reservation value",
        "Ukraine's referendum threshold",
        "United States' bias as mediator",
        "Ukraine's utility",
    ):
        assert any(label in t.replace("\\u003cbr\\u003e", " ") for t in texts), label
    for path in result.summary["parameters"]:
        assert not any(path in t for t in texts), path
    assert not any(re.search(r"\b(parties|protocol)\.\w", t) for t in texts)


def test_the_page_header_shows_file_names_not_the_machines_paths(baseline_sweep):
    folder, result = baseline_sweep
    page = (result.folder / "sweep.html").read_text(encoding="utf-8")
    header = page.split("<h2>")[0]
    assert "small.yaml" in header and "baseline.yaml" in header
    for place in (str(folder), str(ROOT), str(folder.resolve()), str(ROOT.resolve())):
        assert place not in header


def test_summary_json_keeps_its_keys_and_adds_labels(baseline_sweep):
    _, result = baseline_sweep
    summary = json.loads((result.folder / "summary.json").read_text(encoding="utf-8"))
    strength = summary["parameters"]["parties.usa.influence.ukraine.strength"]
    assert strength["label"] == "United States pressure on Ukraine"
    assert {"kind", "bins"} <= set(strength)
    assert summary["outputs"]["utility.ukraine"] == {"label": "Ukraine's utility"}
    for point, found in summary["points"].items():
        assert {"agreements", "options", "share", "by", "bins"} <= set(found)
        assert found["title"] == point_label(load_scenario(BASELINE), point)
        assert set(found["labels"]) == set(found["options"])


# -- figures --------------------------------------------------------------------------


def test_an_odd_number_of_panels_leaves_no_empty_cell(baseline_sweep):
    _, result = baseline_sweep
    figure = status_figure(result.summary)
    axes = [key for key in figure.layout.to_plotly_json() if key.startswith("xaxis")]
    assert len(axes) == len(result.summary["parameters"]) == 5
    assert figure.layout.legend.yref == "container"  # in the top margin, over no title
    assert figure.layout.xaxis.tickformat == number_format(0.0, 0.006)


def test_the_options_figure_names_options_and_leaves_out_bins_without_agreements():
    summary = {
        "parameters": {"x": {"label": "Russia's reservation value"}},
        "points": {
            "border": {
                "title": "The border",
                "agreements": 3,
                "options": ["west", "east"],
                "labels": {"west": "West line", "east": "East line"},
                "share": {"west": 2 / 3, "east": 1 / 3},
                "by": "x",
                "bins": [
                    {"label": "0\u20130.5", "n": 3, "share": {"west": 2 / 3, "east": 1 / 3}},
                    {"label": "0.5\u20131", "n": 0, "share": {"west": None, "east": None}},
                ],
            }
        },
    }
    heatmap = options_figure(summary).data[0]
    assert list(heatmap.x) == ["all agreements", "0\u20130.5"]
    assert list(heatmap.y) == ["West line", "East line"]


def many_runs(count: int, rare: int) -> tuple[Sweep, pd.DataFrame, list[str]]:
    """`count` runs of a two-parameter sweep, `rare` of them escalations."""
    rng = np.random.default_rng(1)
    status = rng.choice(np.array(["agreement", "no_deal"], dtype=object), count, p=[0.3, 0.7])
    status[rng.choice(count, rare, replace=False)] = "escalation"
    rows = pd.DataFrame(
        {
            "run": np.arange(count),
            "a": rng.random(count),
            "b": rng.choice(["mediated", "alternating"], count),
            "status": status,
            "round": rng.integers(1, 60, count),
        }
    )
    parameters = (
        Parameter("a", low=0.0, high=1.0),
        Parameter("b", values=("mediated", "alternating")),
    )
    spec = Sweep("many", Path("unused"), parameters, Design("lhs", count), outputs=("round",))
    return spec, rows, ["agreement", "no_deal", "walkout", "escalation"]


def test_parallel_coordinates_draw_at_most_the_sample_with_each_endings_share():
    spec, rows, statuses = many_runs(12_000, rare=3)
    figure = runs_figure(spec, rows, statuses)
    dimensions = figure.data[0].dimensions
    assert all(len(d["values"]) == RUNS_SHOWN for d in dimensions)
    assert figure.layout.title.text.startswith(f"{RUNS_SHOWN:,} of 12,000 runs shown")
    ending = dimensions[-1]
    assert list(ending["ticktext"]) == ["agreement", "no deal", "escalation"]  # no walkout
    drawn = pd.Series(ending["ticktext"]).iloc[list(ending["values"])].value_counts()
    expected = rows["status"].value_counts() * RUNS_SHOWN / 12_000
    assert abs(drawn["agreement"] - expected["agreement"]) < 1
    assert abs(drawn["no deal"] - expected["no_deal"]) < 2  # it gave the rare one its place
    assert drawn["escalation"] == 1  # too rare for a place of its own, and still shown
    assert figure.to_json() == runs_figure(spec, rows.iloc[::-1], statuses).to_json()


def test_a_sample_of_the_runs_is_every_run_when_they_are_few():
    ending = np.array([0, 1, 1, 0, 3])
    assert sample_runs(ending, 10).tolist() == [0, 1, 2, 3, 4]
    drawn = sample_runs(np.repeat([0, 1], [900, 100]), 100)
    assert len(drawn) == 100 and (drawn >= 900).sum() == 10
