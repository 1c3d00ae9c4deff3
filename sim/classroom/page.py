"""The classroom page (`negsim app`): Mesa's SolaraViz over one negotiation, with a
scenario picker, sliders for the teachable parameters, Step / Play / Reset, the
concession trajectories, the standing text, the utility space, the latest rounds told in
sentences, and a compare tab. Needs the `app` extra (Mesa's visualisation, Solara).

`negsim app` serves it with solara (`sim.classroom.server`); the page reads the scenario it
starts with from the NEGSIM_APP_SCENARIO environment variable.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import plotly.graph_objects as go
import solara
from mesa.visualization import SolaraViz

from ..negotiation.outcome import Outcome
from ..negotiation.runner import RunResult
from ..reporting.mix import mix as outcome_mix
from ..reporting.narrative import STATUS_WORDS, narrative
from ..reporting.report import trajectory_figure
from ..reporting.utility_space import utility_space_figure
from ..scenario.data import PROTOCOLS
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario
from .page_data import ClassroomModel, library, standing_text, teachable_settings
from .server import SCENARIO_VARIABLE

LATEST_ROUNDS = 6
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]  # one per signatory
STATUS_COLOURS = {
    "agreement": "#2ca02c",
    "no_deal": "#7f7f7f",
    "walkout": "#ff7f0e",
    "escalation": "#d62728",
}


def model_params(scenario_file: str) -> dict:
    """SolaraViz's parameter description: the scenario file (fixed), the seed and one
    control per teachable setting, each starting at the file's own value."""
    scenario = load_scenario(scenario_file)
    params: dict = {
        "scenario_file": scenario_file,
        "seed": {"type": "SliderInt", "label": "Seed", "value": 1, "min": 1, "max": 100, "step": 1},
    }
    for setting in teachable_settings(scenario):
        label = f"{setting.label} [{setting.value}]"
        control = {"type": setting.kind, "label": label, "value": setting.value}
        if setting.kind == "Select":
            control["values"] = list(PROTOCOLS)
        else:
            control |= {"min": setting.low, "max": setting.high, "step": setting.step}
        params[setting.path] = control
    return params


def result_so_far(model: ClassroomModel) -> RunResult:
    """The run as it stands, in the shape the report's figures take."""
    return RunResult(Outcome.of(model), model)


# -- components: each takes the model and is redrawn after every step ---------------------
PANEL = "height:330px;overflow-y:auto"  # Mesa's grid cells are about 350 pixels high
FIGURE_SIZE = {"height": 330, "width": 440}  # a plotly widget does not shrink to its cell


def panel(html: str, css_class: str):
    return solara.HTML(tag="div", unsafe_innerHTML=html, classes=[css_class], style=PANEL)


def paragraphs(*lines: str) -> str:
    """Plain text as HTML paragraphs (solara's Markdown would fetch a maths font online)."""
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


def talks(model: ClassroomModel):
    """Where the talks stand (round, status, settings of this run) and the latest rounds
    in sentences."""
    status = STATUS_WORDS.get(model.status, model.status)
    lines = [f"Round {model.steps} of {model.deadline}. Status: {status}."]
    if model.reason:
        lines.append(model.reason)
    elif model.steps == 0:
        lines.append("The first draft is on the table. Press Step to start.")
    changes = ", ".join(model.changed_from_file) or "nothing"
    lines.append(f"Changed from the file: {changes}.")
    story = narrative(result_so_far(model))[:-1] if model.steps else []
    return solara.Column(
        children=[
            solara.HTML(tag="div", unsafe_innerHTML=paragraphs(*lines), classes=["talks-status"]),
            panel(paragraphs(*story[-LATEST_ROUNDS:]), "latest-rounds"),
        ]
    )


def trajectories(model: ClassroomModel):
    if model.steps == 0:
        return panel(paragraphs("The concession trajectories appear after the first round."), "")
    figure = trajectory_figure(result_so_far(model))
    return solara.FigurePlotly(figure.update_layout(**FIGURE_SIZE))


def text_table(model: ClassroomModel):
    """The standing text, each point marked by the signatories that object to it."""
    colours = {n.spec.name: COLOURS[i % len(COLOURS)] for i, n in enumerate(model.signatories)}
    legend = " ".join(
        f'<span style="border-left:6px solid {c};padding-left:4px;margin-right:12px">'
        f"{escape(name)} objects</span>"
        for name, c in colours.items()
    )
    body = []
    for row in standing_text(model):
        stripes = "".join(
            f'<span title="{escape(name)} objects" style="display:inline-block;width:6px;'
            f'height:1.2em;background:{colours[name]};margin-right:2px"></span>'
            for name in row.objectors
        )
        crossed = f" (red line of {escape(', '.join(row.crossed))})" if row.crossed else ""
        style = "background:#fde2e2" if row.crossed else ""
        mark = " *" if row.changed else ""
        body.append(
            f'<tr style="{style}"><td style="white-space:nowrap">{stripes}</td>'
            f"<td>{escape(row.title)}</td><td>{escape(row.option)}{mark}{crossed}</td></tr>"
        )
    html = (
        f"<p>{legend}<br><small>* changed in the latest round; "
        "red rows cross a party's red line</small></p>"
        '<table style="border-collapse:collapse;font-size:0.85em">'
        f"{''.join(body)}</table>"
    )
    return panel(html, "standing-text")


def utility_space(model: ClassroomModel):
    if len(model.spec.signatories) < 2:
        return panel(paragraphs("The utility space needs two signatories."), "")
    if model.steps == 0:
        return panel(paragraphs("The utility space appears after the first round."), "")
    figure = utility_space_figure(result_so_far(model)).update_layout(
        **FIGURE_SIZE, legend={"orientation": "h", "y": -0.3, "font": {"size": 9}}, margin={"t": 20}
    )
    return solara.FigurePlotly(figure)


@solara.component
def Compare(model: ClassroomModel):
    """The file's parameter set against the page's (as at the latest Reset), over N seeds."""
    seeds = solara.use_reactive(100)  # the batch engine answers 100 seeds in well under a second
    mixes = solara.use_reactive(None)

    def compare():
        chosen = range(1, seeds.value + 1)
        mixes.set(
            (
                outcome_mix(model.as_written, chosen),
                outcome_mix(model.spec, chosen),
                model.changed_from_file,
            )
        )

    with solara.Column():
        solara.HTML(
            tag="div",
            unsafe_innerHTML=paragraphs(
                "Left: the scenario as its file has it. Right: with the sliders as they were "
                "at the latest Reset. Each runs once per seed."
            ),
        )
        solara.SliderInt("Seeds", value=seeds, min=5, max=100, step=5)
        solara.Button("Compare", on_click=compare, color="primary")
        if mixes.value is not None:
            written, changed, changes = mixes.value
            solara.FigurePlotly(mix_figure(written, changed))
            solara.Text("Changed from the file: " + (", ".join(changes) or "nothing"))


def mix_figure(written, changed) -> go.Figure:
    """Two stacked bars of outcome counts, with the mean round in the labels."""
    labels = [
        f"as written<br>(mean round {written.mean_round:.0f})",
        f"your settings<br>(mean round {changed.mean_round:.0f})",
    ]
    figure = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        counts = [written.counts.get(status, 0), changed.counts.get(status, 0)]
        figure.add_trace(go.Bar(x=labels, y=counts, name=STATUS_WORDS[status], marker_color=colour))
    figure.update_layout(
        barmode="stack", template="plotly_white", yaxis_title="runs", width=560, height=320
    )
    return figure


COMPONENTS = [(talks, 0), (text_table, 0), (trajectories, 0), (utility_space, 0), (Compare, 1)]


@solara.component
def Page():
    """The scenario picker above Mesa's page; picking a file rebuilds the page for it."""
    start = Path(os.environ.get(SCENARIO_VARIABLE, "scenarios/baseline.yaml"))
    names = [path.name for path in library(start.parent)] or [start.name]
    chosen = solara.use_reactive(start.name)
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("Scenario file", value=chosen, values=names)
    scenario_file = str(start.parent / chosen.value)

    def build():
        try:
            return model_params(scenario_file), ClassroomModel(scenario_file), ""
        except ScenarioError as err:  # a broken file in the folder: say so, keep the picker
            return None, None, str(err)

    params, model, problem = solara.use_memo(build, [scenario_file])
    if problem:
        solara.Error(problem)
    else:
        title = model.spec.title or model.spec.name
        SolaraViz(model, components=COMPONENTS, model_params=params, name=title).key(scenario_file)
