"""The classroom page's two tabs, as Solara components over the model and the settings:
"The talks" (status, the rounds newest first, the standing text, the concession
trajectories, the utility space) and "Compare" (the outcome mix of the current settings
beside the file's), with the page's style sheet. Laid out by CSS grid and flex in
viewport units, so that every panel grows with the window.
"""

from __future__ import annotations

from html import escape

import ipyvuetify
import plotly.graph_objects as go
import solara
import solara.lab
import traitlets

from ..negotiation.outcome import Outcome
from ..negotiation.runner import RunResult
from ..reporting.mix import Mix
from ..reporting.mix import mix as outcome_mix
from ..reporting.narrative import STATUS_WORDS
from ..reporting.report import trajectory_figure
from ..reporting.utility_space import utility_space_figure
from ..scenario.data import PROTOCOLS, Scenario
from ..scenario.loader import load_scenario
from .page_data import (
    ClassroomModel,
    Setting,
    as_overrides,
    changed_settings,
    mix_rows,
    rounds_newest_first,
    settled_rows,
    standing_text,
)

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]  # one per signatory
STATUS_COLOURS = {
    "agreement": "#2ca02c",
    "no_deal": "#7f7f7f",
    "walkout": "#ff7f0e",
    "escalation": "#d62728",
}
SEEDS = Setting("seeds", "Seeds (runs in each mix)", 100, 5, 100, 5)
LEGEND_ABOVE = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
SIZE_TEMPLATE = """
<template><div class="panel-size"></div></template>
<script>
module.exports = {
  mounted() {
    this.observer = new ResizeObserver(() => {
      const size = [Math.floor(this.$el.clientWidth), Math.floor(this.$el.clientHeight)];
      if (size[0] !== this.size[0] || size[1] !== this.size[1]) this.size = size;
    });
    this.observer.observe(this.$el);
  },
  beforeDestroy() { this.observer.disconnect(); },
};
</script>
"""
CSS = """
.classroom { height: 100vh; display: flex; flex-direction: column; font-size: 15px;
  line-height: 1.35; }
.classroom .header { flex: none; display: flex; align-items: center; gap: 24px;
  padding: 0 16px; border-bottom: 1px solid #ddd; }
.classroom .body { flex: 1 1 0; min-height: 0; display: grid;
  grid-template-columns: 340px minmax(0, 1fr); }
.classroom .header .title { flex: 1; font-size: 1.4em; font-weight: 500; }
.classroom .header .picker { flex: 0 0 260px; }
.classroom .controls { overflow-y: auto; padding: 8px 16px; border-right: 1px solid #ddd; }
.controls .buttons { gap: 8px; flex-wrap: nowrap; }
.controls .hint { display: block; font-size: 0.8em; color: #666; margin: 4px 0; }
.setting { margin: 6px 0; }
.setting-head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px;
  font-size: 0.88em; }
.setting-value { font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; }
.setting-value.moved { color: #c62828; }
.setting-body { display: grid; grid-template-columns: minmax(0, 1fr) 5.5em; align-items: center;
  column-gap: 8px; min-height: 32px; }
.setting-body .v-input { margin: 0; padding: 0; }
.setting-file { font-size: 0.78em; color: #666; text-align: right; white-space: nowrap; }
.main { display: flex; flex-direction: column; min-height: 0; min-width: 0; }
.main > .v-tabs { flex: none; }
.talks, .compare { flex: 1 1 0; min-height: 0; display: grid; gap: 10px; padding: 8px 12px; }
.talks { grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); }
.compare { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); }
.column { display: flex; flex-direction: column; min-height: 0; gap: 10px; }
.panel { border: 1px solid #ddd; border-radius: 4px; padding: 6px 10px; background: white; }
.panel h3 { font-size: 0.95em; font-weight: 600; margin: 0 0 4px; }
.panel p { margin: 0 0 6px; }
.talks-status p:first-child { font-size: 1.15em; font-weight: 600; }
.latest-rounds { flex: 1 1 0; min-height: 5em; overflow-y: auto; }
.latest-rounds p.newest { border-left: 4px solid #1976d2; padding-left: 6px; }
.standing-text, .settled { flex: 0 1 auto; min-height: 0; overflow-y: auto; }
.panel table { border-collapse: collapse; width: 100%; font-size: 0.85em; }
.panel td, .panel th { padding: 1px 6px; vertical-align: top; text-align: left; }
.panel th { font-weight: 600; border-bottom: 1px solid #ccc; }
.panel small { color: #666; }
.mix-table td + td { white-space: nowrap; }
.panel tr.crossed { background: #fde2e2; }
.panel tr.differs { background: #fff3cd; }
.stripe { display: inline-block; width: 6px; height: 1.1em; margin-right: 2px;
  vertical-align: middle; }
.figure { flex: 1 1 0; min-height: 0; display: flex; flex-direction: column; }
.figure-box { flex: 1 1 0; min-height: 0; position: relative; overflow: hidden; }
.panel-size { position: absolute; inset: 0; pointer-events: none; }
.updating { opacity: 0.6; }
"""


def result_so_far(model: ClassroomModel) -> RunResult:
    """The run as it stands, in the shape the report's figures take."""
    return RunResult(Outcome.of(model), model)


def paragraphs(*lines: str, newest: bool = False) -> str:
    """Plain text as HTML paragraphs, the first marked as the newest round if asked
    (solara's Markdown would fetch a maths font online)."""
    html = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return html.replace("<p>", '<p class="newest">', 1) if newest else html


def panel(title: str, html: str, *classes: str):
    heading = f"<h3>{escape(title)}</h3>" if title else ""
    return solara.HTML(tag="div", unsafe_innerHTML=heading + html, classes=["panel", *classes])


# -- the talks ------------------------------------------------------------------------------
@solara.component
def Talks(model, rounds):
    """Where the talks stand, the rounds newest first and the standing text on the left;
    the concession trajectories and the utility space on the right."""
    current, steps = model.value, rounds.value
    result = solara.use_memo(lambda: result_so_far(current) if steps else None, [current, steps])
    drawn = solara.use_memo(lambda: (trajectories(result), utility_space(result)), [result])
    with solara.Div(classes=["talks"]):
        with solara.Div(classes=["column"]):
            panel("", status_html(current), "talks-status")
            rounds_told = rounds_newest_first(result) if result else []
            told = paragraphs(*rounds_told, newest=True) or paragraphs("Press Step to start.")
            panel("The rounds, newest first", told, "latest-rounds")
            title = "The text on the table (* changed this round; red: crosses a red line)"
            panel(title, standing_text_html(current), "standing-text")
        with solara.Div(classes=["column"]):
            figure_panel("Concession trajectories", drawn[0], [current, steps])
            figure_panel("Utility space", drawn[1], [current, steps])


def status_html(model: ClassroomModel) -> str:
    status = STATUS_WORDS.get(model.status, model.status)
    lines = [f"Round {model.steps} of {model.deadline}. Status: {status}."]
    if model.reason:
        lines.append(model.reason)
    elif model.steps == 0:
        lines.append("The first draft is on the table. Press Step to start.")
    lines.append(f"Changed from the file: {'; '.join(model.changed_from_file) or 'nothing'}.")
    return paragraphs(*lines)


def standing_text_html(model: ClassroomModel) -> str:
    """The standing text, each point marked by the signatories that object to it."""
    colours = {n.spec.name: COLOURS[i % len(COLOURS)] for i, n in enumerate(model.signatories)}
    legend = " ".join(
        f'<span class="stripe" style="background:{c}"></span>{escape(name)} objects&emsp;'
        for name, c in colours.items()
    )
    body = []
    for row in standing_text(model):
        stripes = "".join(
            f'<span class="stripe" title="{escape(name)} objects" '
            f'style="background:{colours[name]}"></span>'
            for name in row.objectors
        )
        crossed = f" (red line of {escape(', '.join(row.crossed))})" if row.crossed else ""
        mark = " *" if row.changed else ""
        body.append(
            f'<tr class="point{" crossed" if row.crossed else ""}">'
            f'<td style="white-space:nowrap">{stripes}</td><td>{escape(row.title)}</td>'
            f"<td>{escape(row.option)}{mark}{crossed}</td></tr>"
        )
    return f"<p>{legend}</p><table>{''.join(body)}</table>"


def figure_panel(title: str, figure: go.Figure | str, dependencies: list, classes=()):
    """A figure (or why there is none) filling its share of the column, redrawn only when
    its dependencies change."""
    with solara.Div(classes=["panel", "figure", *classes]):
        if title:
            solara.HTML(tag="h3", unsafe_innerHTML=escape(title))
        if isinstance(figure, str):
            solara.Text(figure)
        else:
            FittedFigure(figure, dependencies)


class PanelSize(ipyvuetify.VuetifyTemplate):
    """An empty layer over its box that tells Python the box's size in pixels, at once and
    whenever the window changes it. Plotly's widget draws before the browser has laid its
    panel out (at 700 x 360 pixels, plotly.py issue 5370), so the page gives it the size."""

    template = traitlets.Unicode(SIZE_TEMPLATE).tag(sync=True)
    size = traitlets.List([0, 0]).tag(sync=True)


@solara.component
def FittedFigure(figure: go.Figure, dependencies: list):
    """A plotly figure drawn at its box's size, redrawn when the box or its data change."""
    size = solara.use_reactive((0, 0))
    width, height = size.value
    drawn = [*dependencies, width, height]
    sized = solara.use_memo(
        lambda: go.Figure(figure).update_layout(width=width, height=height) if width else None,
        drawn,
    )
    with solara.Div(classes=["figure-box"]):
        PanelSize.element(on_size=lambda new: size.set(tuple(new)))
        if sized is not None:
            solara.FigurePlotly(sized, dependencies=drawn)


def fill_panel(figure: go.Figure, top: int = 10) -> go.Figure:
    """The figure sized by its panel (`FittedFigure`), its legend above the plot."""
    return figure.update_layout(
        height=None,
        autosize=False,
        margin={"t": top, "b": 40, "l": 60, "r": 10},
        legend=LEGEND_ABOVE,
    )


def trajectories(result) -> go.Figure | str:
    """The report's concession trajectories, the y axes naming the parties (in place of
    the subplot titles, which the legend above would cover)."""
    if result is None:
        return "The concession trajectories appear after the first round."
    figure = trajectory_figure(result)
    figure.layout.annotations = ()
    for row, party in enumerate(result.model.spec.signatories, start=1):
        figure.update_yaxes(title_text=f"{escape(party.name)}'s utility", row=row, col=1)
    return fill_panel(figure)


def utility_space(result) -> go.Figure | str:
    if result is None:
        return "The utility space appears after the first round."
    if len(result.model.spec.signatories) < 2:
        return "The utility space needs two signatories."
    figure = fill_panel(utility_space_figure(result))
    return figure.update_layout(legend={"font": {"size": 10}})


# -- compare --------------------------------------------------------------------------------
@solara.component
def Compare(scenario_file: str, scenario: Scenario, values):
    """The outcome mix of the controls' settings, as they are now, beside the file's, over
    the first N seeds: endings, mean rounds and what the agreements settle on each point."""
    seeds = solara.use_reactive(SEEDS.value)
    now = values.value
    chosen = range(1, seeds.value + 1)
    changes = changed_settings(scenario, now)
    written = solara.use_memo(lambda: outcome_mix(scenario, chosen), [scenario, seeds.value])

    def yours():
        moved = load_scenario(scenario_file, as_overrides(now)) if changes else scenario
        return outcome_mix(moved, chosen)

    task = solara.lab.use_task(
        yours, dependencies=[tuple(now.items()), seeds.value], raise_error=False
    )
    mixes = (written, task.latest) if task.latest is not None else None
    updating = ["updating"] if task.pending else []
    with solara.Div(classes=["compare"]):
        with solara.Div(classes=["column"]):
            with solara.Div(classes=["panel"]):
                solara.HTML(tag="h3", unsafe_innerHTML=f"The outcome mix over {seeds.value} seeds")
                Control(SEEDS, seeds.value, seeds.set, file_value=False)
                yours_now = "; ".join(changes) or "as the file has them"
                solara.HTML(tag="p", unsafe_innerHTML=escape(f"Your settings: {yours_now}."))
            if task.error:
                solara.Error(str(task.exception))
            elif mixes is None:
                solara.Text("Working out the mix of your settings...")
            else:
                panel("", mix_table_html(scenario, *mixes), "mix-table", *updating)
                figure_panel("", mix_figure(*mixes), [id(m) for m in mixes], updating)
        with solara.Div(classes=["column"]):
            if mixes is not None:
                title = "What the agreements settle on (the commonest option on each point)"
                panel(title, settled_html(scenario, *mixes), "settled", *updating)


def mix_table_html(scenario: Scenario, written: Mix, yours: Mix) -> str:
    rows = "".join(
        f"<tr><td>{escape(what)}</td><td>{escape(a)}</td><td>{escape(b)}</td></tr>"
        for what, a, b in mix_rows(scenario, written, yours)
    )
    return (
        f"<table><tr><th></th><th>as the file has it</th><th>your settings</th></tr>{rows}</table>"
    )


def settled_html(scenario: Scenario, written: Mix, yours: Mix) -> str:
    def runs(share: str) -> str:
        return f"({share})" if share else ""

    rows = "".join(
        f'<tr class="point{" differs" if row.differs else ""}"><td>{escape(row.title)}</td>'
        f"<td>{escape(row.as_written)} <small>{runs(row.as_written_runs)}</small></td>"
        f"<td>{escape(row.yours)} <small>{runs(row.yours_runs)}</small></td></tr>"
        for row in settled_rows(scenario, written, yours)
    )
    return (
        "<p><small>Yellow rows: your settings settle the point differently.</small></p>"
        "<table><tr><th>point</th><th>as the file has it</th><th>your settings</th></tr>"
        f"{rows}</table>"
    )


def mix_figure(written: Mix, yours: Mix) -> go.Figure:
    """Two stacked bars of how the runs end, the endings named in a legend above them."""
    labels = ["as the file has it", "your settings"]
    figure = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        counts = [written.counts.get(status, 0), yours.counts.get(status, 0)]
        figure.add_trace(
            go.Bar(
                y=labels, x=counts, name=STATUS_WORDS[status], marker_color=colour, orientation="h"
            )
        )
    figure.update_layout(
        barmode="stack",
        template="plotly_white",
        xaxis_title="runs",
        yaxis={"autorange": "reversed"},
    )
    fill_panel(figure, top=100)
    return figure.update_layout(
        title={"text": f"How {written.runs} runs end", "x": 0, "y": 1, "yanchor": "top"},
        legend={"traceorder": "normal"},
        margin={"l": 120},
    )


# -- one control ----------------------------------------------------------------------------
@solara.component
def Control(setting: Setting, value, on_value, file_value: bool = True):
    """One setting: its name, its value now (and in the file) and a slider across the
    controls' width, or a menu for the protocol."""
    moved = file_value and setting.shown(value) != setting.shown(setting.value)
    with solara.Div(classes=["setting"]):
        with solara.Div(classes=["setting-head"]):
            solara.Text(setting.label, classes=["setting-label"])
            solara.Text(setting.shown(value), classes=["setting-value", "moved" if moved else ""])
        with solara.Div(classes=["setting-body"]):
            if setting.kind == "Select":
                solara.Select("", values=list(PROTOCOLS), value=value, on_value=on_value)
            else:
                cast = int if setting.kind == "SliderInt" else float
                solara.v.Slider(
                    v_model=value,
                    on_v_model=lambda v: on_value(cast(v)),
                    min=setting.low,
                    max=setting.high,
                    step=setting.step,
                    hide_details=True,
                    dense=True,
                )
            file_note = f"file {setting.shown(setting.value)}" if file_value else ""
            solara.Text(file_note, classes=["setting-file"])  # an empty cell keeps the width
