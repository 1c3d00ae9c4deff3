"""A finished run told in plain sentences, round by round, for readers new to the model.

Quiet rounds (the text stood and no signatory changed its answer) are folded into one
line such as "Rounds 5-11: no change." so the reader still sees time passing.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..negotiation.chair import LEFT_TABLE
from ..negotiation.tolerance import apart, at_least, below
from ..scenario.data import Scenario

STATUS_WORDS = {
    "agreement": "agreement",
    "no_deal": "no deal",
    "walkout": "walkout",
    "escalation": "escalation",
}


def option_label(scenario: Scenario, point_id: str, option_id: str) -> str:
    point = scenario.points[scenario.point_index(point_id)]
    return point.options[point.option_index(option_id)].label


def point_titles(scenario: Scenario, point_ids: Iterable[str]) -> str:
    """'Territory, Security guarantees' from point ids ('' for none)."""
    return ", ".join(scenario.points[scenario.point_index(p)].title for p in point_ids)


def split_ids(cell) -> list[str]:
    """A ';'-joined cell of the round table as a list (empty cells give [])."""
    return [part for part in str(cell or "").split(";") if part]


def joined(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def narrative(result) -> list[str]:
    """One entry per reported round (a few sentences each), quiet stretches folded, and a
    closing sentence that carries the outcome's reason."""
    scenario = result.model.spec
    table = result.rounds
    signatories = [p.id for p in scenario.signatories]
    wanted = wanted_options(result.model)
    events = {e.round for p in scenario.parties if p.domestic for e in p.domestic.events}
    lines: list[str] = []
    quiet: list[int] = []
    quiet_influence: dict[str, float] = {}
    previous = before = None
    for number, rows in table.groupby("round", sort=True):
        rows = rows.set_index("party")
        text = {p.id: rows[p.id].iloc[0] for p in scenario.points}
        answers = {p: (bool(rows.at[p, "accepted"]), rows.at[p, "why"]) for p in signatories}
        changed = split_ids(rows["changed"].iloc[0])
        quiet_round = not changed and answers == previous and number not in events
        if previous is not None and quiet_round:
            quiet.append(int(number))
            for party, delta in influence_by_party(rows).items():
                quiet_influence[party] = quiet_influence.get(party, 0.0) + delta
        else:
            if quiet:
                lines.append(quiet_line(scenario, quiet, quiet_influence))
                quiet, quiet_influence = [], {}
            lines.append(round_line(result.model, int(number), rows, text, before, changed, wanted))
        previous, before = answers, text
    if quiet:
        lines.append(quiet_line(scenario, quiet, quiet_influence))
    lines.append(closing_line(result.outcome))
    return lines


def wanted_options(model) -> np.ndarray:
    """(points, parties) index of each party's best option on each point, red lines aside."""
    barred = model.red | ~model.space.exists[..., None]
    return np.where(barred, -np.inf, model.values).argmax(axis=1)


def round_line(
    model,
    number: int,
    rows,
    text: dict[str, str],
    before: dict[str, str] | None,
    changed: list[str],
    wanted: np.ndarray,
) -> str:
    """'Round 3: M revised Border (West line -> Middle line). A accepted. B rejected: ...'
    `text` and `before` are this round's and the last round's (point -> option)."""
    scenario = model.spec
    proposer = scenario.party(rows["proposer"].iloc[0]).name
    if before is None:
        terms = "; ".join(
            f"{p.title}: {option_label(scenario, p.id, text[p.id])}" for p in scenario.points
        )
        sentences = [f"Round {number}: {proposer} tabled the first text ({terms})."]
    elif changed:
        moves = [
            f"{point_titles(scenario, [p])} ({option_label(scenario, p, before[p])} -> "
            f"{option_label(scenario, p, text[p])})"
            for p in changed
        ]
        sentences = [f"Round {number}: {proposer} revised {joined(moves)}."]
    else:
        sentences = [f"Round {number}: the text stood."]
    sentences += domestic_sentences(model, number)
    sentences += response_sentences(model, number, rows, text, wanted)
    sentences += [
        influence_sentence(scenario, party, delta)
        for party, delta in influence_by_party(rows).items()
    ]
    return " ".join(sentences)


def response_sentences(model, number: int, rows, text: dict[str, str], wanted) -> list[str]:
    """Acceptances grouped in one sentence, then one sentence per rejecting signatory: the
    test the text failed, by how much, and the points it pushes (the first with the option
    it wants there)."""
    scenario = model.spec
    accepted, rejected = [], []
    for party in scenario.signatories:
        row = rows.loc[party.id]
        if row["accepted"]:
            accepted.append(party.name)
            continue
        if row["why"] == LEFT_TABLE:
            rejected.append(f"{party.name} left the table.")
            continue
        crossed = split_ids(row["red_lines_crossed"])
        why = red_line_phrase(scenario, crossed, text) if crossed else row["why"]
        why += shortfall(model, number, party, row, text) if not crossed else ""
        pushes = [p for p in split_ids(row["objections"]) if p not in crossed]
        rejected.append(
            f"{party.name} rejected: {why}{push_clause(model, party, pushes, text, wanted)}."
        )
        rejected += surprise_sentence(model, party, row, rows["proposer"].iloc[0])
    return ([f"{joined(accepted)} accepted."] if accepted else []) + rejected


def surprise_sentence(model, party, row, proposer: str) -> list[str]:
    """'The rejection surprised the mediator: it believed the text gave B 0.640, above its
    reservation value of 0.625 (B's utility is 0.605).' when a signatory rejects a text as
    below its reservation value that the text's author believed met it (under alternating
    offers the author is the round's proposer, named)."""
    believed, reservation = row["believed_utility"], row["reservation"]
    if row["why"] != "below its reservation value" or not at_least(believed, reservation):
        return []
    scenario = model.spec
    author = (
        "the mediator" if scenario.protocol.name == "mediated" else scenario.party(proposer).name
    )
    (shown, truth), worth = apart_from(reservation, believed, row["utility"])
    where = "above" if below(reservation, believed) else "at"
    return [
        f"The rejection surprised {author}: it believed the text gave {party.name} {shown}, "
        f"{where} its reservation value of {worth} ({party.name}'s utility is {truth})."
    ]


def apart_from(threshold: float, *values: float, decimals: int = 3) -> tuple[list[str], str]:
    """Several numbers and a threshold, all with one number of decimals, enough to tell
    each number from the threshold (see `apart`)."""
    needed = max(len(apart(value, threshold, decimals)[1].split(".")[1]) for value in values)
    return [apart(value, threshold, needed)[0] for value in values], f"{threshold:.{needed}f}"


def red_line_phrase(scenario: Scenario, crossed: list[str], text: dict[str, str]) -> str:
    """'red line on Territory (All four regions recognised as Russian)'"""
    return "red line on " + joined(
        [f"{point_titles(scenario, [p])} ({option_label(scenario, p, text[p])})" for p in crossed]
    )


def amount(value: float, sign: str = "") -> str:
    """Two decimals, or as many as show a small value (0.0005 is not 0.00)."""
    if abs(value) >= 0.005 or value == 0:
        return f"{value:{sign}.2f}"
    return f"{value:{sign}.4f}".rstrip("0")


def shortfall(model, number: int, party, row, text: dict[str, str]) -> str:
    """' (the text gives it 0.520; it holds out for 0.610 now)': the numbers behind the
    test the text failed (reservation value, aspiration or the ratifying body's threshold),
    with as many decimals as tell them apart."""
    utility = row["utility"]
    if row["why"] == "below its reservation value":
        gives, worth = apart(utility, row["reservation"], 3)
        return f" (the text gives it {gives}; no deal is worth {worth} to it)"
    if row["why"] == "below its aspiration":
        gives, holds = apart(utility, row["aspiration"], 3)
        return f" (the text gives it {gives}; it holds out for {holds} now)"
    negotiator = model.negotiators[party.id]
    if party.domestic is not None and row["why"] == negotiator.ratification_reason():
        package = np.array([p.option_index(text[p.id]) for p in model.spec.points])
        judged, needed = apart(
            negotiator.ratification_utility(package), party.domestic.threshold_at(number), 3
        )
        titles = point_titles(model.spec, party.domestic.points)
        return f" (it values {titles} at {judged} and needs {needed})"
    return ""


def push_clause(model, party, pushes: list[str], text: dict[str, str], wanted) -> str:
    """'; it pushes Territory (it wants Frozen line), then NATO membership and Amnesty'"""
    if not pushes:
        return ""
    scenario = model.spec
    first = scenario.points[scenario.point_index(pushes[0])]
    best = first.options[wanted[scenario.point_index(first.id), model.negotiators[party.id].row]]
    want = f" (it wants {best.label})" if best.id != text[first.id] else ""
    others = [scenario.points[scenario.point_index(p)].title for p in pushes[1:]]
    rest = f", then {joined(others)}" if others else ""
    return f"; it pushes {first.title}{want}{rest}"


def domestic_sentences(model, number: int) -> list[str]:
    """'In Ukraine, the corruption scandal weakens the president: its referendum now needs
    0.65 to ratify.'"""
    return [
        f"In {party.name}, {event.why}: its {party.domestic.body} now needs "
        f"{party.domestic.threshold_at(number):.2f} to ratify."
        for party in model.spec.parties
        if party.domestic
        for event in party.domestic.events
        if event.round == number
    ]


def influence_by_party(rows) -> dict[str, float]:
    """Net influence each party received this round (zero entries left out)."""
    return {party: float(value) for party, value in rows["influence"].items() if abs(value) > 1e-12}


def influence_sentence(scenario: Scenario, target: str, delta: float, total: bool = False) -> str:
    """'Pressure from the United States moved Ukraine's reservation value by -0.02.'"""
    links = [(p, link) for p in scenario.parties for link in p.influence if link.target == target]
    kinds = sorted({link.kind for _, link in links}) or ["influence"]
    who = joined([p.name for p, _ in links]) if links else "others"
    channels = {link.channel for _, link in links}
    name = scenario.party(target).name
    in_all = " in all" if total else ""
    if channels == {"concession"}:  # pressure (negative) moves the party's clock forward
        verb = "hurried" if delta < 0 else "slowed"
        effect = f"{verb} {name}'s concessions by {amount(abs(delta))} of the deadline"
    else:
        what = "reservation value" if channels <= {"reservation"} else "position"
        effect = f"moved {name}'s {what} by {amount(delta, '+')}"
    return f"{' and '.join(kinds).capitalize()} from {who} {effect}{in_all}."


def quiet_line(scenario: Scenario, rounds: list[int], influence: dict[str, float]) -> str:
    """'Rounds 5-11: no change.' plus the influence that kept working meanwhile."""
    span = f"Round {rounds[0]}" if len(rounds) == 1 else f"Rounds {rounds[0]}-{rounds[-1]}"
    extra = [
        influence_sentence(scenario, party, delta, total=len(rounds) > 1)
        for party, delta in influence.items()
        if abs(delta) > 1e-12
    ]
    return " ".join([f"{span}: no change.", *extra])


def closing_line(outcome) -> str:
    """'Outcome: agreement in round 16. <the reason>'"""
    status = STATUS_WORDS.get(outcome.status, outcome.status)
    return f"Outcome: {status} in round {outcome.round}. {outcome.reason}"
