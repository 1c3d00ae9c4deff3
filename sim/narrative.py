"""A finished run told in plain sentences, round by round, for readers new to the model.

Quiet rounds (the text stood and no signatory changed its answer) are folded into one
line such as "Rounds 5-11: no change." so the reader still sees time passing.
"""

from __future__ import annotations

from collections.abc import Iterable

from .scenario import Scenario

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
    lines: list[str] = []
    quiet: list[int] = []
    quiet_influence: dict[str, float] = {}
    previous = before = None
    for number, rows in table.groupby("round", sort=True):
        rows = rows.set_index("party")
        text = {p.id: rows[p.id].iloc[0] for p in scenario.points}
        answers = {p: (bool(rows.at[p, "accepted"]), rows.at[p, "why"]) for p in signatories}
        changed = split_ids(rows["changed"].iloc[0])
        if previous is not None and not changed and answers == previous:
            quiet.append(int(number))
            for party, delta in influence_by_party(rows).items():
                quiet_influence[party] = quiet_influence.get(party, 0.0) + delta
        else:
            if quiet:
                lines.append(quiet_line(scenario, quiet, quiet_influence))
                quiet, quiet_influence = [], {}
            lines.append(round_line(scenario, int(number), rows, text, before, changed))
        previous, before = answers, text
    if quiet:
        lines.append(quiet_line(scenario, quiet, quiet_influence))
    lines.append(closing_line(result.outcome))
    return lines


def round_line(
    scenario: Scenario,
    number: int,
    rows,
    text: dict[str, str],
    before: dict[str, str] | None,
    changed: list[str],
) -> str:
    """'Round 3: M revised Border (West line -> Middle line). A accepted. B rejected: ...'
    `text` and `before` are this round's and the last round's (point -> option)."""
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
    sentences += response_sentences(scenario, rows)
    sentences += [
        influence_sentence(scenario, party, delta)
        for party, delta in influence_by_party(rows).items()
    ]
    return " ".join(sentences)


def response_sentences(scenario: Scenario, rows) -> list[str]:
    """Acceptances grouped in one sentence, then one sentence per rejecting signatory."""
    accepted, rejected = [], []
    for party in scenario.signatories:
        row = rows.loc[party.id]
        if row["accepted"]:
            accepted.append(party.name)
            continue
        crossed = split_ids(row["red_lines_crossed"])
        why = f"red line on {point_titles(scenario, crossed)}" if crossed else row["why"]
        pushes = [p for p in split_ids(row["objections"]) if p not in crossed]
        more = f"; it pushes {point_titles(scenario, pushes)}" if pushes else ""
        rejected.append(f"{party.name} rejected: {why}{more}.")
    return ([f"{joined(accepted)} accepted."] if accepted else []) + rejected


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
        effect = f"{verb} {name}'s concessions by {abs(delta):.2f} of the deadline"
    else:
        what = "reservation value" if channels <= {"reservation"} else "position"
        effect = f"moved {name}'s {what} by {delta:+.2f}"
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
