"""The round-by-round story: every round accounted for, names not ids, the reason last."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sim
from sim.reporting.narrative import apart_from, narrative, split_ids

TINY = Path(__file__).parent / "scenarios" / "tiny.yaml"

# Every id differs from its name, title or label, so a leaked id is easy to spot.
LABELLED = """
name: labelled
title: Ceasefire <talks> & "aid"
deadline: 12
seed: 5
points:
  border:
    title: Line of control
    options:
      west: {label: Western boundary, position: 0.0}
      middle: {label: Middle boundary, position: 0.5}
      east: {label: Eastern boundary, position: 1.0}
  troops:
    title: Foreign forces
    options:
      none: {label: No foreign soldiers, position: 0.0}
      monitors: {label: Unarmed observers, position: 0.5}
      force: {label: Armed contingent, position: 1.0}
  money:
    title: Reconstruction
    options:
      none: {label: Zero funding, position: 0.0}
      some: {label: Modest grant, position: 0.5}
      lots: {label: Large trust fund, position: 1.0}
parties:
  north:
    name: Northland
    role: signatory
    position: 0.0
    salience: {border: 3, troops: 2, money: 1}
    red_lines: {border: [east]}
    reservation: 0.45
    tactic: {name: time_dependent, beta: 0.5}
  south:
    name: Southland
    role: signatory
    position: 1.0
    salience: {border: 2, troops: 3, money: 1}
    red_lines: {troops: [none]}
    reservation: 0.45
    tactic: {name: time_dependent, beta: 0.5}
  broker:
    name: Broker State
    role: mediator
    position: 0.5
    influence:
      south: {kind: pressure, strength: 0.02}
protocol:
  start: {border: west, troops: none, money: none}
"""
IDS = (
    "north",
    "south",
    "broker",
    "border",
    "troops",
    "money",
    "west",
    "middle",
    "east",
    "monitors",
    "force",
    "lots",
)
RUNS = {
    "tiny": ([], 1),
    "labelled": ([], 1),
    "labelled-alternating": (["protocol.name=alternating"], 2),
    "labelled-fixed-red-line": (["protocol.fixed.troops=none"], 1),
}


@pytest.fixture(scope="module")
def labelled_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "labelled.yaml"
    path.write_text(LABELLED, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=sorted(RUNS))
def result(request, labelled_file):
    overrides, seed = RUNS[request.param]
    path = TINY if request.param == "tiny" else labelled_file
    return sim.run(sim.load_scenario(path, overrides), seed=seed)


def span(line: str) -> range:
    """The rounds a line speaks for ('Round 3:' or 'Rounds 5-11:'); empty for the closing."""
    match = re.match(r"Rounds? (\d+)(?:-(\d+))?:", line)
    if not match:
        return range(0)
    return range(int(match[1]), int(match[2] or match[1]) + 1)


def covered_rounds(lines: list[str]) -> list[int]:
    return [number for line in lines for number in span(line)]


def test_last_sentence_carries_the_outcome_reason(result):
    last = narrative(result)[-1]
    assert last.endswith(result.outcome.reason)
    assert f"round {result.outcome.round}" in last


def test_every_round_is_told_once_and_in_order(result):
    assert covered_rounds(narrative(result)) == list(range(1, result.outcome.round + 1))


def test_every_round_in_which_the_text_changed_has_its_own_line(result):
    lines = narrative(result)
    table = result.rounds.drop_duplicates("round")
    changed = [int(r) for r, c in zip(table["round"], table["changed"], strict=True) if c]
    for number in [1, *changed]:
        assert any(line.startswith(f"Round {number}: ") for line in lines), number
    for number in [n for n in changed if n != 1]:  # round 1 tables a whole text
        line = next(line for line in lines if line.startswith(f"Round {number}: "))
        assert " revised " in line


def test_quiet_stretches_are_folded():
    result = sim.run(sim.load_scenario(TINY), seed=1)
    lines = narrative(result)
    table = result.rounds.drop_duplicates("round")
    quiet = [line for line in lines if "no change" in line]
    assert quiet, "tiny keeps the same text for several rounds"
    assert len(lines) < result.outcome.round
    for line in quiet:
        assert not table[table["round"].isin(span(line))]["changed"].any(), line


def test_narrative_uses_names_titles_and_labels_not_ids(labelled_file):
    for overrides in ([], ["protocol.name=alternating"], ["protocol.fixed.troops=none"]):
        result = sim.run(sim.load_scenario(labelled_file, overrides), seed=1)
        story = " ".join(narrative(result))
        leaked = [word for word in IDS if re.search(rf"\b{word}\b", story)]
        assert not leaked, (overrides, leaked)
        assert "Northland" in story and "Southland" in story


def test_rejection_names_the_red_line_by_its_title(labelled_file):
    result = sim.run(sim.load_scenario(labelled_file), seed=1)
    first = narrative(result)[0]
    assert first.startswith("Round 1: Broker State tabled the first text")
    assert "No foreign soldiers" in first
    assert "Southland rejected: red line on Foreign forces" in first


def test_pressure_is_told_with_its_size(labelled_file):
    result = sim.run(sim.load_scenario(labelled_file), seed=1)
    south = result.rounds[result.rounds["party"] == "south"].set_index("round")["influence"]
    for line in narrative(result)[:-1]:
        applied = south.loc[list(span(line))].sum()
        said = re.search(
            r"Pressure from Broker State moved Southland's reservation value by "
            r"([-+]\d\.\d\d)",
            line,
        )
        if abs(applied) > 1e-9:
            assert said and float(said[1]) == pytest.approx(applied, abs=0.005), line
        else:
            assert not said, line


def test_answers_are_given_per_signatory(labelled_file):
    result = sim.run(sim.load_scenario(labelled_file), seed=1)
    for line in narrative(result)[:-1]:
        if "no change" in line:
            continue
        number = span(line)[0]
        rows = result.rounds[result.rounds["round"] == number].set_index("party")
        for party, name in (("north", "Northland"), ("south", "Southland")):
            if rows.at[party, "accepted"]:
                assert re.search(rf"{name}( and \w+)? accepted", line)
            else:
                why = re.search(rf"{name} rejected: ([^.]*)\.", line)[1]
                crossed = split_ids(rows.at[party, "red_lines_crossed"])
                assert why.startswith("red line on") == bool(crossed), line


def test_pressure_on_the_concession_clock_is_told_as_hurrying(labelled_file):
    overrides = ["parties.broker.influence.south.channel=concession"]
    result = sim.run(sim.load_scenario(labelled_file, overrides), seed=1)
    story = " ".join(narrative(result))
    assert (
        "Pressure from Broker State hurried Southland's concessions by 0.02 of the deadline"
        in story
    )
    assert "reservation value" not in story


def test_a_rejection_tells_by_how_much_and_what_it_wants_on_the_first_point_it_pushes(
    labelled_file,
):
    result = sim.run(sim.load_scenario(labelled_file), seed=1)
    model, told = result.model, 0
    for line in narrative(result)[:-1]:
        number = span(line)[0]
        rows = result.rounds[result.rounds["round"] == number].set_index("party")
        for found in re.finditer(
            r"(\w+) rejected: below its (aspiration|reservation value) \(the text gives it "
            r"(\d\.\d{3}); (?:it holds out for|no deal is worth) (\d\.\d{3})[^)]*\)"
            r"; it pushes ([^(]+) \(it wants ([^)]+)\)",
            line,
        ):
            name, test, utility, bar, title, wanted = found.groups()
            party = next(p for p in model.spec.parties if p.name == name)
            row = rows.loc[party.id]
            column = "aspiration" if test == "aspiration" else "reservation"
            assert float(utility) == pytest.approx(row["utility"], abs=5e-4)
            assert float(bar) == pytest.approx(row[column], abs=5e-4)
            assert row["utility"] < row[column]
            point = next(p for p in model.spec.points if p.title == title)
            assert point.id == split_ids(row["objections"])[0]
            values = party.values[model.point_ids.index(point.id)]
            barred = dict(party.red_lines).get(point.id, ())
            allowed = [k for k, o in enumerate(point.options) if o.id not in barred]
            assert wanted == point.options[max(allowed, key=values.__getitem__)].label
            told += 1
    assert told >= 2


def test_a_red_line_rejection_names_the_option_that_crosses_it(labelled_file):
    result = sim.run(sim.load_scenario(labelled_file), seed=1)
    assert (
        "Southland rejected: red line on Foreign forces (No foreign soldiers)"
        in narrative(result)[0]
    )


def test_ratification_refusals_and_domestic_events_are_told_with_their_numbers(tmp_path):
    path = tmp_path / "domestic.yaml"
    path.write_text(
        f"extends: {TINY.resolve()}\n"
        "protocol: {start: {border: middle, troops: force, money: none}}\n"
        "parties:\n"
        "  a:\n"
        "    tactic: {name: time_dependent, beta: 5}\n"
        "    domestic:\n"
        "      body: referendum\n"
        "      points: [border]\n"
        "      threshold: 0.6\n"
        "      events: [{round: 4, shift: 0.3, why: an election}]\n",
        encoding="utf-8",
    )
    result = sim.run(sim.load_scenario(path), seed=1)
    lines = narrative(result)
    refused = [line for line in lines if "the referendum would not ratify it" in line]
    assert refused
    assert all(
        re.search(r"would not ratify it \(it values border at 0\.500 and needs 0\.(600|900)\)", x)
        for x in refused
    )
    (event,) = [line for line in lines if "an election" in line]
    assert event.startswith("Round 4: ")
    assert "In A, an election: its referendum now needs 0.90 to ratify." in event


EXACT = Path(__file__).parent / "scenarios" / "exact_reservation.yaml"


def test_a_shortfall_smaller_than_the_shown_decimals_is_told_with_more_of_them(tmp_path):
    """West's best text is worth 0.767 and no deal 0.7672: '0.77 below 0.77' would hide
    why it walks out, so both numbers get the decimals that tell them apart."""
    path = tmp_path / "short.yaml"
    path.write_text(
        f"extends: {EXACT.resolve()}\nparties: {{west: {{reservation: 0.7672}}}}\n",
        encoding="utf-8",
    )
    result = sim.run(sim.load_scenario(path), seed=1)
    story = " ".join(narrative(result))
    assert "(the text gives it 0.7670; no deal is worth 0.7672 to it)" in story
    assert result.outcome.status == "walkout"
    assert "best possible text (0.7670) stayed below what no deal is worth to it (0.7672)" in (
        result.outcome.reason
    )


def test_no_sentence_shows_a_number_below_an_equal_looking_one():
    """A text worth the reservation value and the referendum's threshold in decimal (one
    ulp short in floating point) is accepted, never 'below' them (issue 9, item 8)."""
    result = sim.run(sim.load_scenario(EXACT), seed=1)
    story = " ".join(narrative(result))
    pairs = re.findall(
        r"gives it (\d\.\d+); (?:no deal is worth|it holds out for) (\d\.\d+)", story
    )
    pairs += re.findall(r"values [^)]* at (\d\.\d+) and needs (\d\.\d+)", story)
    assert pairs
    for low, high in pairs:
        assert low != high
    assert "below its reservation value" not in story
    assert "would not ratify" not in story
    assert result.outcome.status == "agreement"


THIN = Path(__file__).parent / "scenarios" / "thin_zopa.yaml"
SURPRISE = re.compile(
    r"The rejection surprised (the mediator|[\w ]+): it believed the text gave (\w+) "
    r"(\d\.\d+), (above|at) its reservation value of (\d\.\d+) \(\2's utility is "
    r"(\d\.\d+)\)\."
)


def surprises(result) -> list[tuple[int, str]]:
    """(round, party) of every rejection below the reservation value of a text the author
    believed gave the party at least its reservation value."""
    table = result.rounds
    found = table[
        (table["why"] == "below its reservation value")
        & (table["believed_utility"] >= table["reservation"])
    ]
    return list(zip(found["round"], found["party"], strict=True))


def told_alone(lines: list[str]) -> dict[int, str]:
    """round -> its own line (rounds folded into 'no change' lines left out)."""
    return {span(line)[0]: line for line in lines if re.match(r"Round \d+: ", line)}


@pytest.mark.parametrize(
    ("protocol", "seed"),
    [("mediated", 1), ("alternating", 3)],  # seed 3: A proposes a text B rejects in round 2
)
def test_a_rejection_the_author_did_not_expect_is_told_as_a_surprise(protocol, seed):
    result = sim.run(sim.load_scenario(THIN, [f"protocol.name={protocol}"]), seed=seed)
    scenario = result.model.spec
    lines = narrative(result)
    alone = told_alone(lines)
    expected = [(r, p) for r, p in surprises(result) if r in alone]
    assert expected, "thin_zopa should surprise its author with a rejection"
    told = []
    for number, line in alone.items():
        rows = result.rounds[result.rounds["round"] == number].set_index("party")
        for found in SURPRISE.finditer(line):
            author, name, believed, where, reservation, utility = found.groups()
            party = next(p for p in scenario.parties if p.name == name)
            row = rows.loc[party.id]
            proposer = scenario.party(row["proposer"]).name
            assert author == ("the mediator" if protocol == "mediated" else proposer)
            assert f"{name} rejected: below its reservation value" in line
            assert float(believed) == pytest.approx(row["believed_utility"], abs=5e-4)
            assert float(reservation) == pytest.approx(row["reservation"], abs=5e-4)
            assert float(utility) == pytest.approx(row["utility"], abs=5e-4)
            assert float(utility) < float(reservation) <= float(believed)
            assert where == ("above" if float(believed) > float(reservation) else "at")
            told.append((number, party.id))
    assert told == expected
    assert not any("surprised" in line for line in lines if "no change" in line)
    if protocol == "alternating":
        assert any(author == "A" for author in re.findall(r"surprised (\w+):", " ".join(lines)))


def test_the_first_surprise_names_the_party_and_both_numbers():
    result = sim.run(sim.load_scenario(THIN), seed=1)
    number, party = surprises(result)[0]
    row = result.rounds[(result.rounds["round"] == number) & (result.rounds["party"] == party)]
    row = row.iloc[0]
    name = result.model.spec.party(party).name
    believed, reservation, utility = (
        f"{row[c]:.3f}" for c in ("believed_utility", "reservation", "utility")
    )
    assert len({believed, reservation, utility}) == 3  # three decimals tell them apart
    line = next(line for line in narrative(result) if line.startswith(f"Round {number}: "))
    assert (
        f"The rejection surprised the mediator: it believed the text gave {name} {believed}, "
        f"above its reservation value of {reservation} ({name}'s utility is {utility})."
    ) in line


@pytest.mark.parametrize("protocol", ["mediated", "alternating"])
def test_an_author_that_knows_every_utility_is_never_surprised(protocol):
    overrides = [f"protocol.name={protocol}", "protocol.learning=false", "protocol.belief_noise=0"]
    for seed in (1, 2, 3):
        result = sim.run(sim.load_scenario(THIN, overrides), seed=seed)
        table = result.rounds
        assert (table["why"] == "below its reservation value").any()
        assert not surprises(result)
        assert "surprised" not in " ".join(narrative(result))


def test_a_surprise_shows_its_numbers_with_the_decimals_that_tell_them_apart():
    """A belief a hair above the reservation value shows both with more decimals, and the
    party's utility with as many, so that the sentence never reads '0.625 above 0.625'."""
    assert apart_from(0.625, 0.62504, 0.605) == (["0.62504", "0.60500"], "0.62500")
    assert apart_from(0.625, 0.640, 0.605) == (["0.640", "0.605"], "0.625")
