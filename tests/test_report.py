"""report.html: self-contained, complete, and faithful to the round table."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from plotly.offline import get_plotlyjs

import sim
from sim.cli import main
from sim.narrative import narrative
from sim.report import agreement_rows, report_html, trajectory_figure, write_report

TINY = Path(__file__).parent / "scenarios" / "tiny.yaml"
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
    assert [a.text for a in figure.layout.annotations] == [p.name for p in signatories]
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
