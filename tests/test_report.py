"""report.html: self-contained, complete, and faithful to the round table."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from html import escape
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from plotly.offline import get_plotlyjs

import sim
from sim.analysis import Problem, kalai_smorodinsky, nash_solution, pareto_frontier
from sim.cli import main
from sim.reporting.belief_figure import TRACES as BELIEF_TRACES
from sim.reporting.belief_figure import belief_figure
from sim.reporting.narrative import narrative
from sim.reporting.report import agreement_rows, report_html, trajectory_figure, write_report
from sim.reporting.utility_space import TRACES, sample_packages, utility_space_figure

TINY = Path(__file__).parent / "scenarios" / "tiny.yaml"
BASELINE = Path(__file__).parents[1] / "scenarios" / "baseline.yaml"
# Markup in names must be shown, not obeyed; troops fixed on B's red line ends in a walkout.
MARKUP = [
    'title=Talks <b>now</b> & "aid"',
    "points.border.title=Line <of> control",
    "parties.b.name=B & Co",
]
RED_LINE = [*MARKUP, "protocol.fixed.troops=force"]


def run(overrides=(), seed=1):
    return sim.run(sim.load_scenario(TINY, list(overrides)), seed=seed)


@pytest.fixture(scope="module", params=["agreement", "walkout"])
def result(request):
    return run() if request.param == "agreement" else run(RED_LINE)


@pytest.fixture(scope="module")
def baseline():
    return sim.run(sim.load_scenario(BASELINE), seed=1)


@pytest.fixture(scope="module")
def page(result, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(result, path)
    return path.read_text(encoding="utf-8")


def test_report_fetches_nothing_from_the_network(page):
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?:", page, re.IGNORECASE)
    assert not re.search(r"<iframe|<img", page, re.IGNORECASE)


def test_report_embeds_plotlyjs_once(page):
    bundle = get_plotlyjs()
    assert bundle in page
    assert page.count(bundle[:60]) == 1


def test_report_names_every_point_and_shows_the_outcome(result, page):
    scenario, outcome = result.model.spec, result.outcome
    for point in scenario.points:
        assert f"<td>{html.escape(point.title)}</td>" in page
        label = point.options[point.option_index(outcome.package[point.id])].label
        assert html.escape(label) in page
    assert html.escape(outcome.reason) in page
    assert outcome.status.replace("_", " ") in page
    assert f"in round {outcome.round}" in page


def test_report_escapes_names_and_titles():
    result = run(MARKUP)
    page = report_html(result)
    body = page.split("<script>")[0] + page.rsplit("</script>", 1)[-1]  # the page, not plotly.js
    assert "Talks &lt;b&gt;now&lt;/b&gt; &amp; &quot;aid&quot;" in body
    assert "<b>now</b>" not in body and "<of>" not in body and "B & Co" not in body
    assert "Line &lt;of&gt; control" in body and "B &amp; Co" in body


def test_report_lists_the_narrative_in_order(result, page):
    items = re.findall(r"<li>(.*?)</li>", page, re.DOTALL)
    assert items == [html.escape(line) for line in narrative(result)]


def test_objection_counts_match_the_round_table(result):
    table = result.rounds
    signatories = {p.id for p in result.model.spec.signatories}
    expected = Counter()
    for _, row in table[table["party"].isin(signatories)].iterrows():
        for point in filter(None, row["objections"].split(";")):
            expected[point, row["party"]] += 1
    got = Counter(
        {
            (r["point_id"], party): n
            for r in agreement_rows(result)
            for party, n in r["objections"].items()
        }
    )
    assert got == expected
    assert sum(expected.values()) > 0


def test_agreement_rows_follow_the_final_text(result):
    rows = agreement_rows(result)
    scenario, outcome = result.model.spec, result.outcome
    assert [r["point_id"] for r in rows] == [p.id for p in scenario.points]
    for row in rows:
        assert row["option_id"] == outcome.package[row["point_id"]]
        crossed = [
            p for p, points in outcome.red_lines_crossed.items() if row["point_id"] in points
        ]
        assert row["red_lines"] == crossed


def test_a_final_text_across_a_red_line_is_flagged():
    result = run(RED_LINE)
    assert result.outcome.red_lines_crossed["b"] == ["troops"]
    troops = next(r for r in agreement_rows(result) if r["point_id"] == "troops")
    assert troops["red_lines"] == ["b"] and troops["option"] == "Armed force"
    row = re.search(r"<tr class='crossed'>(.*?)</tr>", report_html(result))
    assert row and "troops" in row[1] and "B &amp; Co" in row[1]


def test_trajectory_figure_has_a_panel_per_signatory_with_the_round_values(result):
    figure = trajectory_figure(result)
    signatories = result.model.spec.signatories
    assert len(figure.data) == 3 * len(signatories)
    # plotly reads HTML in titles, so names are escaped (a "&" shows as "&")
    assert [a.text for a in figure.layout.annotations] == [escape(p.name) for p in signatories]
    table = result.rounds
    for index, party in enumerate(signatories):
        own = table[table["party"] == party.id].sort_values("round")
        for offset, column in enumerate(("utility", "aspiration", "reservation")):
            trace = figure.data[3 * index + offset]
            assert trace.name == column
            assert list(trace.x) == list(own["round"])
            assert list(trace.y) == pytest.approx(list(own[column]))


def test_same_run_gives_the_same_page(tmp_path):
    first, second = tmp_path / "1.html", tmp_path / "2.html"
    write_report(run(), first)
    write_report(run(), second)
    assert first.read_bytes() == second.read_bytes()


def test_negsim_run_writes_the_four_files(tmp_path):
    outcome = CliRunner().invoke(main, ["run", str(TINY), "--out", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output
    (folder,) = (tmp_path / "tiny").iterdir()
    names = {"outcome.json", "rounds.csv", "manifest.json", "report.html"}
    assert {p.name for p in folder.iterdir()} == names
    record = json.loads((folder / "outcome.json").read_text(encoding="utf-8"))
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert html.escape(record["reason"]) in page
    assert get_plotlyjs()[:60] in page


def traces_by_name(figure) -> dict:
    return {trace.name: trace for trace in figure.data}


def frontier_of(result):
    problem = Problem.from_scenario(result.model.spec)
    columns = problem.signatories[:2]
    return problem, columns, pareto_frontier(problem, columns)


def test_utility_space_figure_has_every_trace(result):
    problem, _, frontier = frontier_of(result)
    names = set(traces_by_name(utility_space_figure(result)))
    always = {"cloud", "frontier", "start", "end", "path"}
    assert {TRACES[role] for role in always} <= names
    assert f"outcome: {result.outcome.status.replace('_', ' ')}" in names
    for role, solve in (("nash", nash_solution), ("ks", kalai_smorodinsky)):
        assert (TRACES[role] in names) == (solve(problem, frontier).package is not None)


def test_utility_space_shows_the_exact_frontier_sorted_by_the_first_party(result, baseline):
    for run_result in (result, baseline):
        _, _, frontier = frontier_of(run_result)
        trace = traces_by_name(utility_space_figure(run_result))[TRACES["frontier"]]
        expected = frontier.utilities[np.argsort(frontier.utilities[:, 0])]
        assert np.allclose(np.column_stack([trace.x, trace.y]), expected)
        assert np.all(np.diff(trace.x) > 0)


def test_utility_space_marks_the_nash_and_ks_packages():
    result = run()
    problem, _, frontier = frontier_of(result)
    traces = traces_by_name(utility_space_figure(result))
    for role, solve in (("nash", nash_solution), ("ks", kalai_smorodinsky)):
        found = solve(problem, frontier)
        assert [*traces[TRACES[role]].x, *traces[TRACES[role]].y] == pytest.approx(
            list(found.utilities)
        )


def test_utility_space_path_has_one_point_per_round(result):
    trace = traces_by_name(utility_space_figure(result))[TRACES["path"]]
    table = result.rounds
    first, second = (p.id for p in result.model.spec.signatories[:2])
    rounds = sorted(table["round"].unique())
    assert list(trace.customdata) == rounds
    for axis, party in ((trace.x, first), (trace.y, second)):
        own = table[table["party"] == party].sort_values("round")
        assert list(axis) == pytest.approx(list(own["utility"]))


def test_utility_space_outcome_star_sits_at_the_outcome(result):
    figure = utility_space_figure(result)
    (star,) = [t for t in figure.data if t.name.startswith(TRACES["outcome"])]
    first, second = (p.id for p in result.model.spec.signatories[:2])
    utilities = result.outcome.utilities
    assert (star.x[0], star.y[0]) == pytest.approx((utilities[first], utilities[second]))
    assert star.marker.symbol == "star"
    (label,) = figure.layout.annotations
    assert (label.x, label.y) == (star.x[0], star.y[0])
    assert label.text == f"{result.outcome.status.replace('_', ' ')}, round {result.outcome.round}"


def test_utility_space_reservation_lines_start_and_end(result):
    traces = traces_by_name(utility_space_figure(result))
    problem, columns, _ = frontier_of(result)
    parties = [p.id for p in result.model.spec.signatories[:2]]
    ended = [result.outcome.reservations[p] for p in parties]
    for role, values, dash in (
        ("start", problem.reservations[columns], "dash"),
        ("end", ended, "dot"),
    ):
        trace = traces[TRACES[role]]
        assert trace.line.dash == dash
        assert trace.x[0] == trace.x[1] == pytest.approx(values[0])
        assert trace.y[3] == trace.y[4] == pytest.approx(values[1])


def test_no_sampled_text_dominates_the_frontier(baseline):
    for result in (run(), baseline):
        _, _, frontier = frontier_of(result)
        cloud = traces_by_name(utility_space_figure(result))[TRACES["cloud"]]
        points = np.column_stack([cloud.x, cloud.y])
        assert len(points) > 0
        tolerance = 1e-9
        at_least = (points[:, None, :] >= frontier.utilities[None, :, :] - tolerance).all(-1)
        better = (points[:, None, :] > frontier.utilities[None, :, :] + tolerance).any(-1)
        assert not (at_least & better).any()


def test_sampled_texts_are_valid_and_cross_no_red_line():
    problem = Problem.from_scenario(sim.load_scenario(BASELINE))
    columns = problem.signatories[:2]
    packages = sample_packages(problem, columns)
    assert len(packages) > 1000
    allowed = problem.allowed(columns)
    for package in packages:
        assert problem.space.is_valid(package)
        assert allowed[np.arange(len(package)), package].all()


def test_a_walkout_with_no_valid_text_still_has_a_path_and_a_star():
    result = run(RED_LINE)  # troops fixed across B's red line: no valid text for both
    traces = traces_by_name(utility_space_figure(result))
    assert len(traces[TRACES["cloud"]].x) == len(traces[TRACES["frontier"]].x) == 0
    assert TRACES["nash"] not in traces and TRACES["ks"] not in traces
    assert len(traces[TRACES["path"]].x) == result.outcome.round


def test_report_places_the_utility_space_after_the_trajectories(page):
    assert page.index('id="trajectories"') < page.index('id="utility-space"')
    assert page.index('id="utility-space"') < page.index("point by point</h2>")


def test_a_single_signatory_report_has_no_utility_space():
    page = report_html(run(["parties.b.role=stakeholder"]))
    assert "utility-space" not in page and 'id="trajectories"' in page


THIN = Path(__file__).parent / "scenarios" / "thin_zopa.yaml"
FIRST_LESSON = Path(__file__).parents[1] / "scenarios" / "first_lesson.yaml"


@pytest.fixture(scope="module", params=["mediated", "alternating"])
def noisy(request):
    """thin_zopa (belief noise 0.05) under each protocol."""
    return sim.run(sim.load_scenario(THIN, [f"protocol.name={request.param}"]), seed=1)


def belief_traces(figure, party_id: str) -> dict:
    """role -> the party's trace of the belief figure."""
    own = [t for t in figure.data if t.legendgroup == party_id]
    return {
        role: next(t for t in own if t.name.endswith(f": {name}"))
        for role, name in BELIEF_TRACES.items()
    }


def test_belief_figure_has_one_believed_trace_per_signatory(noisy):
    figure = belief_figure(noisy)
    signatories = noisy.model.spec.signatories
    believed = [t for t in figure.data if t.name.endswith(f": {BELIEF_TRACES['believed']}")]
    assert [t.name for t in believed] == [f"{p.name}: believed" for p in signatories]
    assert len(figure.data) == 4 * len(signatories)


def test_belief_figure_follows_the_round_table(noisy):
    figure = belief_figure(noisy)
    table = noisy.rounds
    colours = set()
    for party in noisy.model.spec.signatories:
        own = table[table["party"] == party.id].sort_values("round")
        assert not own["red_lines_crossed"].any()  # thin_zopa has no red lines
        traces = belief_traces(figure, party.id)
        for role, column, dash in (
            ("truth", "utility", "solid"),
            ("believed", "believed_utility", "dash"),
            ("reservation", "reservation", "dot"),
        ):
            assert list(traces[role].x) == list(own["round"])
            assert list(traces[role].y) == pytest.approx(list(own[column]))
            assert traces[role].line.dash == dash
        colour = {traces[role].line.color for role in ("truth", "believed", "reservation")}
        assert len(colour) == 1
        colours |= colour
        band = traces["band"]
        assert band.fill == "toself"
        n = len(own)
        upper = own["believed_utility"] + own["belief_sd"]
        lower = own["believed_utility"] - own["belief_sd"]
        assert list(band.x) == [*own["round"], *own["round"][::-1]]
        assert list(band.y) == pytest.approx([*upper, *lower[::-1]])
        assert len(band.y) == 2 * n
    assert len(colours) == len(noisy.model.spec.signatories)
    # the figure is worth drawing: the beliefs were off and unsure at the start
    first = table[table["round"] == 1]
    assert (first["belief_sd"] > 0).any()
    assert ((first["believed_utility"] - first["utility"]).abs() > 1e-3).any()


def test_report_shows_what_the_author_of_the_text_believed(noisy):
    page = report_html(noisy)
    author = "proposer" if noisy.model.spec.protocol.name == "alternating" else "mediator"
    assert f"<h2>What the {author} believed</h2>" in page
    assert page.index('id="trajectories"') < page.index('id="beliefs"')
    assert page.index('id="beliefs"') < page.index('id="utility-space"')
    assert page.count(get_plotlyjs()[:60]) == 1


def test_a_belief_across_a_red_line_is_a_utility_like_the_truth(baseline, result):
    """What the author believed a text across a party's red line gives it is measured as
    `utility` is (no red-line penalty), so the two lines of the figure compare; without
    belief noise they coincide there too."""
    table = baseline.rounds
    crossed = table[table["red_lines_crossed"].fillna("") != ""]
    assert len(crossed) > 0
    assert (crossed["believed_utility"] >= 0).all()
    assert ((crossed["believed_utility"] - crossed["utility"]).abs() < 0.25).all()
    exact = result.rounds
    assert np.allclose(exact["believed_utility"], exact["utility"])


def test_exact_beliefs_draw_no_belief_figure(result):
    """tiny has no belief noise: the mediator knows every utility."""
    assert (result.rounds["belief_sd"] == 0).all()
    assert belief_figure(result) is None
    page = report_html(result)
    assert 'id="beliefs"' not in page and " believed</h2>" not in page


def test_first_lesson_and_a_noiseless_thin_zopa_draw_no_belief_figure():
    for path, overrides in ((FIRST_LESSON, []), (THIN, ["protocol.belief_noise=0"])):
        result = sim.run(sim.load_scenario(path, overrides), seed=1)
        table = result.rounds
        assert (table["belief_sd"] == 0).all()
        assert np.allclose(table["believed_utility"], table["utility"])
        assert belief_figure(result) is None
        assert 'id="beliefs"' not in report_html(result)


def test_a_mediator_that_does_not_listen_keeps_its_beliefs():
    result = sim.run(sim.load_scenario(THIN, ["protocol.learning=false"]), seed=1)
    figure = belief_figure(result)
    for party in result.model.spec.signatories:
        own = result.rounds[result.rounds["party"] == party.id]
        band = belief_traces(figure, party.id)["band"]
        assert own["belief_sd"].nunique() == 1 and own["belief_sd"].iloc[0] > 0
        assert band.y[0] - band.y[-1] == pytest.approx(2 * own["belief_sd"].iloc[0])
    assert "does not listen" in report_html(result)
