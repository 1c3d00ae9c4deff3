"""The classroom page (`negsim app`): one negotiation to step through on a projector, with
the scenario picker, Reset / Step / Play, a slider per teachable parameter, and two tabs:
"The talks" (where they stand, the rounds in sentences, the standing text, the concession
trajectories and the utility space) and "Compare" (the outcome mix of the sliders'
settings beside the file's, live). Needs the `app` extra (Solara).

`negsim app` serves it with solara (`sim.classroom.server`); the page reads the scenario it
starts with from the NEGSIM_APP_SCENARIO environment variable. The layout is the page's
own rather than Mesa's SolaraViz, whose speed and threading controls are not a student's.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import solara
import solara.lab

from ..scenario.data import Scenario
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario
from .page_data import ClassroomModel, Setting, library, teachable_settings
from .page_parts import CSS, Compare, Control, Talks
from .server import SCENARIO_VARIABLE

PLAY_PAUSE = 0.4  # seconds between rounds under Play: time to read the newest sentence


def opened(scenario_file: str) -> Scenario | str:
    """The scenario of a file, or why it cannot be opened (a broken file in the folder)."""
    try:
        return load_scenario(scenario_file)
    except ScenarioError as err:
        return str(err)


@solara.component
def Page():
    """The scenario picker above the classroom of the chosen file; picking a file rebuilds it."""
    start = Path(os.environ.get(SCENARIO_VARIABLE, "scenarios/baseline.yaml"))
    names = [path.name for path in library(start.parent)] or [start.name]
    chosen = solara.use_reactive(start.name)
    scenario_file = str(start.parent / chosen.value)
    scenario = solara.use_memo(lambda: opened(scenario_file), [scenario_file])
    title = (scenario.title or scenario.name) if isinstance(scenario, Scenario) else "negsim"
    solara.Style(CSS)
    solara.Title(title)
    with solara.Div(classes=["classroom"]):
        with solara.Div(classes=["header"]):
            solara.Text(title, classes=["title"])
            solara.Select("Scenario file", value=chosen, values=names, classes=["picker"])
        if isinstance(scenario, Scenario):
            Classroom(scenario_file, scenario).key(scenario_file)
        else:
            solara.Error(scenario)


@solara.component
def Classroom(scenario_file: str, scenario: Scenario):
    """The controls beside the two tabs, over one model rebuilt at each Reset."""
    settings = solara.use_memo(lambda: teachable_settings(scenario), [scenario])
    values = solara.use_reactive({setting.path: setting.value for setting in settings})
    seed = solara.use_reactive(scenario.seed)
    first = solara.use_memo(lambda: ClassroomModel(scenario_file, scenario.seed), [scenario_file])
    model = solara.use_reactive(first)
    rounds = solara.use_reactive(0)  # the model's round: the panels redraw when it moves
    tab = solara.use_reactive(0)
    with solara.Div(classes=["body"]):
        Controls(scenario_file, scenario, settings, values, seed, model, rounds)
        with solara.Div(classes=["main"]):
            with solara.lab.Tabs(value=tab):
                solara.lab.Tab("The talks")
                solara.lab.Tab("Compare")
            if tab.value == 0:
                Talks(model, rounds)
            else:
                Compare(scenario_file, scenario, values)


@solara.component
def Controls(scenario_file, scenario, settings, values, seed, model, rounds):
    """Reset / Step / Play, the seed and one control per setting. Moved controls apply at
    the next Reset; the Compare tab follows them at once."""
    playing = solara.use_reactive(False)
    problem = solara.use_reactive("")

    def play():
        current = model.value
        while playing.value and current is model.value and current.running:
            current.step()
            rounds.set(current.steps)
            time.sleep(PLAY_PAUSE)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value])

    def step():
        model.value.step()
        rounds.set(model.value.steps)

    def reset():
        playing.set(False)
        try:
            model.set(ClassroomModel(scenario_file, seed.value, values.value))
        except ScenarioError as err:  # settings the file's checks refuse: say so
            problem.set(str(err))
            return
        problem.set("")
        rounds.set(0)

    def set_value(path, value):
        values.set({**values.value, path: value})

    running = model.value.running
    with solara.Div(classes=["controls"]):
        with solara.Row(classes=["buttons"]):
            solara.Button("Reset", on_click=reset, color="primary")
            solara.Button(
                "Step", on_click=step, color="primary", disabled=playing.value or not running
            )
            solara.Button(
                "Pause" if playing.value else "Play",
                on_click=lambda: playing.set(not playing.value),
                color="primary",
                disabled=not running,
            )
        if problem.value:
            solara.Error(problem.value)
        solara.Text("Moved controls apply at the next Reset.", classes=["hint"])
        seeds = max(100, scenario.seed)
        seed_setting = Setting("seed", "Seed (the run's luck)", scenario.seed, 1, seeds, 1)
        Control(seed_setting, seed.value, seed.set)
        for setting in settings:
            Control(
                setting, values.value[setting.path], lambda v, p=setting.path: set_value(p, v)
            ).key(setting.path)
