"""A player in a signatory's chair (`negsim play`, `sim.classroom.play`) and `negsim explain`."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.classroom.comparison import Comparison, compare, result_value
from sim.classroom.play import LineChair, play
from sim.classroom.player_turn import InvalidAnswer, parse_answer, parse_reply, turn_of
from sim.cli import main
from sim.negotiation.agents import ModelChair
from sim.negotiation.chair import LEFT_TABLE, PLAYER_REJECTS, Answer
from sim.negotiation.model import NegotiationModel

HERE = Path(__file__).parent
TINY = HERE / "scenarios" / "tiny.yaml"
BASELINE = HERE.parent / "scenarios" / "baseline.yaml"
FILES = {"outcome.json", "rounds.csv", "manifest.json", "report.html"}
LINKED = "links:\n  - if: {troops: monitors}\n    then: {money: [lots]}\n"


def variant(tmp_path: Path, text: str) -> Path:
    """tiny.yaml with the given YAML merged on top."""
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {TINY.resolve()}\n{text}", encoding="utf-8")
    return path


def play_cli(tmp_path: Path, *args, input: str):
    return CliRunner().invoke(
        main,
        ["play", *map(str, args), "--out", str(tmp_path / "out")],
        input=input,
        catch_exceptions=False,
    )


def the_game(tmp_path: Path) -> Path:
    (scenario,) = (tmp_path / "out").iterdir()
    (folder,) = scenario.iterdir()
    return folder


def rows_of(folder: Path, party: str) -> pd.DataFrame:
    rounds = pd.read_csv(folder / "rounds.csv", keep_default_na=False)
    return rounds[rounds.party == party].set_index("round")


def scripted(lines: list[str], width: int = 80):
    """A LineChair on a terminal `width` columns wide, reading the given lines (then end of
    input) and keeping what it shows, prompts included."""
    feed, shown = iter(lines), []

    def read(prompt: str) -> str:
        shown.append(prompt)
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    return LineChair(read, shown.append, width), shown


def flat(text: str) -> str:
    """The text as one line: sentences read whole wherever the terminal wrapped them."""
    return " ".join(text.split())


def questions(shown: list[str]) -> int:
    """How often the player was asked something."""
    return sum(text.startswith(("Your answer:", "Your text:", "Table this")) for text in shown)


# -- a whole game through the command line ----------------------------------------------------
def test_a_scripted_game_survives_invalid_answers_and_writes_the_outcome(tmp_path):
    answers = ["maybe", "r 9", "", "r border 3", *["a"] * 25]
    result = play_cli(tmp_path, TINY, "--as", "a", input="\n".join(answers) + "\n")
    assert result.exit_code == 0
    assert "'maybe' is not an answer" in result.output
    assert "No point '9'" in result.output
    assert "Please answer" in result.output
    folder = the_game(tmp_path)
    assert folder.name.startswith("play-a-seed-3-")
    assert {p.name for p in folder.iterdir()} == FILES
    outcome = json.loads((folder / "outcome.json").read_text())
    assert outcome["status"] == "agreement"
    a = rows_of(folder, "a")
    assert not a.at[1, "accepted"]
    assert a.at[1, "why"] == PLAYER_REJECTS
    assert a.at[1, "objections"] == "border;money"  # as typed: by id, then by number
    assert a.loc[2:, "accepted"].all()  # accepted every text from round 2 on
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["command_line"][:7] == ["negsim", "play", str(TINY), "--as", "a", "--seed", "3"]
    assert "You against the model's A in the same chair (seeds 1-50)" in result.output
    assert f"report: {folder / 'report.html'}" in result.output


@pytest.mark.parametrize(("answers", "last_round"), [("r\n", 2), ("", 1), ("r\nq\na\na\n", 2)])
def test_end_of_input_or_quit_is_a_walkout_by_the_players_party(tmp_path, answers, last_round):
    result = play_cli(tmp_path, TINY, "--as", "b", "--seed", 1, input=answers)
    assert result.exit_code == 0
    folder = the_game(tmp_path)
    assert {p.name for p in folder.iterdir()} == FILES
    outcome = json.loads((folder / "outcome.json").read_text())
    assert outcome["status"] == "walkout"
    assert outcome["ended_by"] == "b"
    assert outcome["round"] == last_round
    assert outcome["reason"].startswith(f"B walked out in round {last_round}: its player left")
    assert rows_of(folder, "b").at[last_round, "why"] == LEFT_TABLE
    assert "WALKOUT" in result.output


@pytest.mark.parametrize("party", ["m", "mars"])
def test_playing_a_party_that_is_not_a_signatory_is_bad_input(tmp_path, party):
    result = CliRunner().invoke(
        main, ["play", str(TINY), "--as", party, "--out", str(tmp_path / "out")], input="a\n"
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "--as" in lines[0] and "play one of a, b" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# -- the hook in the model ----------------------------------------------------------------------
class CountingChair(ModelChair):
    """The model's own rules, counting how often the model asked."""

    def __init__(self):
        self.responses = self.proposals = 0

    def respond(self, negotiator):
        self.responses += 1
        return super().respond(negotiator)

    def propose(self, negotiator, standing):
        self.proposals += 1
        return super().propose(negotiator, standing)


@pytest.mark.parametrize(
    ("path", "party", "protocol", "seed"),
    [
        (BASELINE, "ukraine", "mediated", 1),
        (BASELINE, "russia", "alternating", 3),
        (TINY, "a", "alternating", 2),
        (TINY, "b", "mediated", 4),
    ],
)
def test_a_chair_that_answers_as_the_agent_reproduces_the_run_bit_for_bit(
    path, party, protocol, seed
):
    scenario = sim.load_scenario(path, [f"protocol.name={protocol}"])
    alone = sim.run(scenario, seed)
    chair = CountingChair()
    seated = sim.run(scenario, seed, chairs={party: chair})
    assert chair.responses == alone.outcome.round  # asked once a round
    if protocol == "alternating":
        assert chair.proposals >= 1
    assert seated.outcome == alone.outcome
    pd.testing.assert_frame_equal(seated.rounds, alone.rounds)


def test_only_a_signatory_or_the_drafting_mediator_can_take_a_chair():
    alternating = sim.load_scenario(TINY, ["protocol.name=alternating"])  # m does not draft
    with pytest.raises(ValueError, match="only a signatory or the drafting mediator"):
        NegotiationModel(alternating, 1, chairs={"m": ModelChair()})


def test_a_chair_cannot_accept_across_its_red_line_nor_past_its_ratifying_body(tmp_path):
    class Yes:
        def respond(self, negotiator):
            return sim.negotiation.chair.Answer(True)

    path = variant(
        tmp_path,
        "protocol: {start: {border: east, troops: monitors, money: none}}\n"
        "parties: {b: {domestic: {body: parliament, points: [troops], threshold: 0.9}}}\n",
    )
    scenario = sim.load_scenario(path)
    model = NegotiationModel(scenario, 1, chairs={"a": Yes(), "b": Yes()})
    model.step()
    a, b = model.negotiators["a"], model.negotiators["b"]
    assert not a.accepted and a.why.startswith("red line on border")
    assert not b.accepted and b.why == "the parliament would not ratify it"


# -- answers, re-asked until valid ----------------------------------------------------------------
def test_points_to_push_are_named_by_number_or_id():
    scenario = sim.load_scenario(BASELINE)
    model = NegotiationModel(scenario, 1)
    model.step()
    turn = turn_of(model.negotiators["ukraine"], model.text)
    territory, mechanism = (
        scenario.point_index(p) + 1 for p in ("territory", "guarantee_mechanism")
    )
    by_number = parse_answer(f"r {territory}, {mechanism} {territory}", turn)
    assert by_number.objections == ("territory", "guarantee_mechanism")
    assert parse_answer("reject territory guarantee_mechanism", turn) == by_number
    assert parse_answer("A", turn).accept
    for wrong in (f"r {len(scenario.points) + 1}", "r 0", "r territorie", "accept 1", "yes", ""):
        with pytest.raises(InvalidAnswer):
            parse_answer(wrong, turn)


def test_accepting_a_text_across_a_red_line_is_refused_and_asked_again(tmp_path):
    path = variant(tmp_path, "protocol: {start: {border: east, troops: none, money: none}}\n")
    chair, shown = scripted(["a", "accept", "r"])
    result = play(sim.load_scenario(path), "a", chair, seed=1)
    said = "\n".join(shown)
    assert said.count("You cannot accept: the text crosses your red line on border") == 2
    assert "Your red lines crossed: border ('East line')" in said
    first = result.rounds[(result.rounds["round"] == 1) & (result.rounds.party == "a")].iloc[0]
    assert not first.accepted and first.why == "red line on border"
    assert result.outcome.status == "walkout"  # the script ran out in round 2


def test_an_acceptance_the_referendum_refuses_is_reported_to_the_player(tmp_path):
    path = variant(
        tmp_path,
        "protocol: {start: {border: middle, troops: none, money: none}}\n"
        "parties: {a: {domestic: {body: referendum, points: [border], threshold: 0.9}}}\n",
    )
    chair, shown = scripted(["a", "q"])
    result = play(sim.load_scenario(path), "a", chair, seed=1)
    said = flat("\n".join(shown))
    assert "Your referendum would NOT ratify it: it values border at 0.500 and needs 0.900." in said
    assert "Your acceptance did not stand: the referendum would not ratify it." in said
    a = result.rounds[result.rounds.party == "a"].set_index("round")
    assert not a.at[1, "accepted"] and a.at[1, "why"] == "the referendum would not ratify it"


def test_a_counter_text_is_checked_against_the_links_and_tabled(tmp_path):
    path = variant(tmp_path, LINKED)
    scenario = sim.load_scenario(path, ["protocol.name=alternating"])
    assert NegotiationModel(scenario, 1).proposers[0].party == "a"  # a proposes in round 1
    answers = ["troops=monitors money=1", "troops=8", "2=2 3=lots", "maybe", "y", *["a"] * 30]
    result = play_cli(
        tmp_path, path, "--as", "a", "--seed", 1, "--protocol", "alternating",
        input="\n".join(answers) + "\n",
    )  # fmt: skip
    assert result.exit_code == 0
    output = flat(result.output)
    assert (
        "That text breaks a link: if troops is 'Unarmed monitors', money must be 'Large fund'."
        in output
    )
    assert "troops has no option '8'" in output
    assert "Answer y (table it), n (change it again) or q (quit)." in output
    assert "You tabled this text: you accept it." in output
    folder = the_game(tmp_path)
    a = rows_of(folder, "a")
    assert a.at[1, "proposer"] == "a"
    assert (a.at[1, "border"], a.at[1, "troops"], a.at[1, "money"]) == ("west", "monitors", "lots")
    assert a.at[1, "accepted"]
    outcome = json.loads((folder / "outcome.json").read_text())
    assert outcome["status"] in {"agreement", "no_deal", "walkout", "escalation"}
    assert (
        "--set=protocol.name=alternating"
        in json.loads((folder / "manifest.json").read_text())["command_line"]
    )


def test_a_counter_text_across_the_players_own_red_line_is_asked_again(tmp_path):
    scenario = sim.load_scenario(variant(tmp_path, ""), ["protocol.name=alternating"])
    chair, shown = scripted(["border=east", "", "r"])
    result = play(scenario, "a", chair, seed=1)
    said = "\n".join(shown)
    assert "That text crosses your own red line on border" in said
    assert "You table the standing text again." in said
    first = result.rounds[result.rounds["round"] == 1]
    assert (first.border != "east").all()  # Enter kept the standing text


# -- what the player is told between answers -------------------------------------------------
def test_a_domestic_event_is_news_once_in_the_round_it_comes():
    chair, shown = scripted(["a"] * 16)
    play(sim.load_scenario(BASELINE), "ukraine", chair, seed=1)
    rounds = flat("\n".join(shown)).split("Round ")
    (news,) = [r for r in rounds if "News:" in r]
    assert news.startswith("15 of 60:")
    assert (
        "News: from this round, your referendum needs 0.65 (it needed 0.60): "
        "the corruption scandal weakens the president." in news
    )
    assert "it values Territory at 0.700 and needs 0.650" in news


def test_a_domestic_event_is_news_while_the_player_accepts_unasked():
    chair, shown = scripted(["a 20"])
    play(sim.load_scenario(BASELINE), "ukraine", chair, seed=1)
    lines = "\n".join(shown).splitlines()
    (news,) = [i for i, line in enumerate(lines) if "News:" in line]
    before, after = (
        next(i for i, line in enumerate(lines) if line.startswith(f"  Round {r}/60:"))
        for r in (14, 15)
    )
    assert before < news < after  # told in round 15, before its line


@pytest.mark.parametrize(
    ("answer", "changed", "kept", "said"),
    [
        (
            "r guarantee_scope territory",
            ["guarantee_scope"],
            ["territory"],
            "Of the points you pushed, the mediator changed Whom the security guarantees cover "
            "and left Territory as it was.",
        ),
        (
            "r",  # the party's own ranking pushes for the player
            [],
            ["territory", "peacekeepers", "frozen_assets"],
            "Of the points pushed for you (your largest gains), the mediator left Territory, "
            "Foreign troops on the ground and Frozen Russian assets as they were.",
        ),
    ],
)
def test_the_player_hears_which_pushed_points_the_next_text_changed(answer, changed, kept, said):
    chair, shown = scripted([answer, "q"])
    result = play(sim.load_scenario(BASELINE), "ukraine", chair, seed=1)
    ukraine = result.rounds[result.rounds.party == "ukraine"].set_index("round")
    pushed, revised = ukraine.at[1, "objections"].split(";"), ukraine.at[2, "changed"].split(";")
    assert [p for p in pushed if p in revised] == changed  # as the model recorded them
    assert [p for p in pushed if p not in revised] == kept
    assert said in flat("\n".join(shown))


def test_under_alternating_offers_the_next_proposer_is_named():
    scenario = sim.load_scenario(TINY, ["protocol.name=alternating"])
    chair, shown = scripted(["", "r border", "q"])  # a proposes in round 1, b in round 2
    result = play(scenario, "a", chair, seed=1)
    assert result.rounds[result.rounds["round"] == 2].changed.iloc[0] == "border;money"
    assert "Of the points you pushed, B changed border." in flat("\n".join(shown))


# -- letting rounds pass: a N and auto ------------------------------------------------------------
def test_accepting_for_n_rounds_is_accepting_each_round_unasked():
    scenario = sim.load_scenario(BASELINE)
    each, asked_each = scripted(["a"] * 60)
    at_once, asked_once = scripted(["a 60"])
    answered = play(scenario, "ukraine", each, seed=1)
    unasked = play(scenario, "ukraine", at_once, seed=1)
    assert unasked.outcome == answered.outcome
    assert unasked.outcome.status == "agreement"
    pd.testing.assert_frame_equal(unasked.rounds, answered.rounds)
    assert questions(asked_each) == answered.outcome.round
    assert questions(asked_once) == 1
    lines = "\n".join(asked_once).splitlines()
    told = [line for line in lines if re.match(r"  Round \d+/60: ", line)]
    assert len(told) == unasked.outcome.round  # one line a round, this one's too
    assert told[-1].endswith("accepted by you, Russia.")
    assert all(len(line) <= 80 for line in told)


def test_accepting_for_n_rounds_asks_again_at_a_text_across_a_red_line():
    scenario = sim.load_scenario(TINY)
    chair, shown = scripted(["a 5", "r"])
    model = NegotiationModel(scenario, 1, chairs={"a": chair})
    model.step()
    assert questions(shown) == 1
    # every option of border across a's red line from round 2 (the model reads them each round)
    model.red[scenario.point_index("border"), :, model.negotiators["a"].row] = True
    model.step()
    assert questions(shown) == 2
    assert "Round 2: the text crosses your red line; you answer it." in flat("\n".join(shown))
    assert not model.negotiators["a"].accepted


def test_a_number_of_rounds_must_be_one_or_more_and_red_lines_still_bind(tmp_path):
    model = NegotiationModel(sim.load_scenario(BASELINE), 1)
    model.step()
    turn = turn_of(model.negotiators["ukraine"], model.text)
    assert parse_reply("a 1", turn) == Answer(True)
    assert parse_reply("accept 7", turn).rounds == 7
    assert parse_reply("AUTO", turn).rounds is None
    assert parse_reply("r 14", turn) == parse_answer("r 14", turn)
    for wrong in ("a 0", "auto 3", "a 2 3"):
        with pytest.raises(InvalidAnswer):
            parse_reply(wrong, turn)
    path = variant(tmp_path, "protocol: {start: {border: east, troops: none, money: none}}\n")
    tiny = NegotiationModel(sim.load_scenario(path), 1)
    tiny.step()
    with pytest.raises(InvalidAnswer, match="You cannot accept"):
        parse_reply("a 5", turn_of(tiny.negotiators["a"], tiny.text))


class RejectsInRoundOne(ModelChair):
    """A player who rejects the first text and then hands the chair to the model."""

    def respond(self, negotiator):
        return Answer(False) if negotiator.model.steps == 1 else super().respond(negotiator)


class KeepsTheTextInRoundOne(ModelChair):
    """A player who tables the standing text in round 1, then hands the chair to the model."""

    def propose(self, negotiator, standing):
        return None if negotiator.model.steps == 1 else super().propose(negotiator, standing)


@pytest.mark.parametrize(
    ("path", "party", "protocol", "answers", "same_as"),
    [
        (BASELINE, "ukraine", "mediated", ["auto"], None),
        (BASELINE, "ukraine", "mediated", ["r", "auto"], RejectsInRoundOne),
        (TINY, "a", "alternating", ["", "auto"], KeepsTheTextInRoundOne),
    ],
)
def test_auto_plays_on_exactly_as_the_partys_own_rules(path, party, protocol, answers, same_as):
    scenario = sim.load_scenario(path, [f"protocol.name={protocol}"])
    chair, shown = scripted(answers)
    played = play(scenario, party, chair, seed=1)
    chairs = {party: same_as()} if same_as else None
    model = sim.run(scenario, 1, chairs=chairs)
    assert played.outcome == model.outcome
    pd.testing.assert_frame_equal(played.rounds, model.rounds)
    assert questions(shown) == len(answers)
    said = flat("\n".join(shown))
    assert "Your party's own rules (the model's agent) answer from now on." in said
    assert said.count(f"Round {played.outcome.round}/") == 1  # told in one line a round


# -- ? --------------------------------------------------------------------------------------------
def test_a_question_mark_gives_each_point_one_line_with_its_weight():
    scenario = sim.load_scenario(BASELINE)
    chair, shown = scripted(["?", "? territory", "q"])
    play(scenario, "ukraine", chair, seed=1)
    asked = next(i for i, text in enumerate(shown) if text.startswith("Your answer"))
    compact, full = shown[asked + 1], flat(shown[asked + 3])
    lines = compact.splitlines()
    points = [line for line in lines if re.match(r" [ !] +\d+\. ", line)]
    assert len(points) == len(scenario.points) and len(lines) <= len(scenario.points) + 3
    assert all(re.search(r" \d+%  now \d \(\d\.\d\d\)  (best \d|your best)", p) for p in points)
    ukraine = scenario.party("ukraine")
    territory = scenario.point_index("territory")
    weight = f"{ukraine.salience[territory]:.0%}"
    assert re.search(rf"Territory +{weight}  now 2 \(0.70\)  best 1 \(1.00\)$", points[territory])
    assert full.startswith(f"14. Territory (territory), {weight} of your utility:")
    assert full.count("RED LINE") == 2 and "(donetsk_free_zone): 0.45" in full


# -- the terminal ---------------------------------------------------------------------------------
def test_no_line_the_chair_writes_is_wider_than_the_terminal():
    chair, shown = scripted(["?", "? 14", "r 14 3", "a 20", "r", "q"], width=40)
    play(sim.load_scenario(BASELINE), "ukraine", chair, seed=1)
    lines = "\n".join(shown).splitlines()
    assert max(map(len, lines)) <= 40
    assert "-" * 40 in lines  # the rule fits too
    news = next(i for i, line in enumerate(lines) if line.startswith("  News: "))
    assert re.match(r"  \S", lines[news + 1])  # hanging under the start of its text
    assert "your referendum needs 0.65 (it needed 0.60)" in flat(" ".join(lines[news : news + 3]))
    item = next(i for i, line in enumerate(lines) if line.startswith("    16. Prisoners"))
    assert re.match(r" {8}\S", lines[item + 1])  # under the title, past the number


def test_the_command_wraps_to_the_terminal_width(tmp_path, monkeypatch):
    monkeypatch.setattr(
        shutil, "get_terminal_size", lambda fallback=None: os.terminal_size((50, 24))
    )
    result = play_cli(tmp_path, BASELINE, "--as", "ukraine", input="?\nr 14\na 3\n")
    game = result.output[: result.output.index("(end of input: you leave the table)")]
    assert "-" * 50 + "\n" in game
    assert max(len(line.removeprefix("> ")) for line in game.splitlines()) <= 50


@pytest.mark.parametrize(
    ("stop", "said", "not_said"),
    [
        (EOFError, "(end of input: you leave the table)", "Ctrl-C"),
        (KeyboardInterrupt, "(Ctrl-C: you leave the table)", "end of input"),
    ],
)
def test_ctrl_c_and_end_of_input_each_say_so_and_leave_the_table(stop, said, not_said):
    def read(prompt: str) -> str:
        raise stop

    shown = []
    result = play(sim.load_scenario(TINY), "a", LineChair(read, shown.append), seed=1)
    assert (result.outcome.status, result.outcome.ended_by) == ("walkout", "a")
    assert said in "\n".join(shown) and not_said not in "\n".join(shown)


@pytest.mark.parametrize("ctrl_c", [False, True])
def test_the_command_saves_a_game_left_by_ctrl_c_or_end_of_input(tmp_path, monkeypatch, ctrl_c):
    if ctrl_c:

        def interrupted(prompt=""):
            raise KeyboardInterrupt

        monkeypatch.setattr("builtins.input", interrupted)
    result = play_cli(tmp_path, TINY, "--as", "b", "--seed", 1, input="")
    assert result.exit_code == 0
    assert ("(Ctrl-C: you leave the table)" in result.output) is ctrl_c
    assert ("(end of input: you leave the table)" in result.output) is not ctrl_c
    assert "Traceback" not in result.output and "WALKOUT" in result.output
    folder = the_game(tmp_path)
    assert {p.name for p in folder.iterdir()} == FILES
    assert json.loads((folder / "outcome.json").read_text())["status"] == "walkout"


# -- the comparison with the model's agent --------------------------------------------------------
def test_the_players_result_is_ranked_among_the_models_runs():
    scenario = sim.load_scenario(TINY)
    base = sim.run(scenario, 1).outcome

    def outcome(status, utility, reservation=0.3, seed=1):
        return dataclasses.replace(
            base,
            seed=seed,
            status=status,
            utilities={**base.utilities, "a": utility},
            reservations={**base.reservations, "a": reservation},
        )

    model = (outcome("agreement", 0.7), outcome("no_deal", 0.9, 0.4), outcome("agreement", 0.5))
    player = outcome("agreement", 0.5)
    c = Comparison("a", player, (1, 2, 3), model, model[0])
    assert [result_value(o, "a") for o in model] == [0.7, 0.4, 0.5]  # no deal: reservation
    assert c.agreements == 2
    assert c.mean_value == pytest.approx(1.6 / 3)
    assert (c.rank, c.better_than) == (2, 1)  # 0.7 ahead; beats 0.4; ties 0.5


def test_the_comparison_runs_the_model_alone_over_seeds_one_to_fifty():
    scenario = sim.load_scenario(TINY)
    player = sim.run(scenario, 77).outcome
    c = compare(scenario, "a", player)
    assert c.seeds == tuple(range(1, 51))
    assert [o.seed for o in c.model] == list(c.seeds)
    assert c.same_seed.seed == 77
    assert c.same_seed == player  # the model alone is what `player` was
    assert c.agreements == sum(sim.run(scenario, s).outcome.status == "agreement" for s in c.seeds)


# -- explain --------------------------------------------------------------------------------------
def explain(*args):
    return CliRunner().invoke(main, ["explain", *map(str, args)], catch_exceptions=False)


def test_explain_tells_every_round_and_why_it_ended():
    printed = explain(TINY, "--seed", 1)
    assert printed.exit_code == 0
    outcome = sim.run(sim.load_scenario(TINY), 1).outcome
    flat = " ".join(printed.output.split())
    assert "Round 1: M tabled the first text" in flat
    assert flat.endswith(f"Outcome: agreement in round {outcome.round}. {outcome.reason}")
    assert "rejected: below its aspiration (the text gives it" in flat


def test_explain_is_the_same_for_the_same_seed_and_takes_overrides():
    assert explain(BASELINE, "--seed", 4).output == explain(BASELINE, "--seed", 4).output
    deadlocked = explain(
        TINY, "--set", "parties.a.reservation=0.75", "--set", "parties.b.reservation=0.75"
    )
    assert "Outcome: no deal in round 20." in " ".join(deadlocked.output.split())
    assert (
        explain(TINY, "--seed", 1).output
        != explain(TINY, "--seed", 1, "--protocol", "alternating").output
    )


@pytest.mark.parametrize("broken", ["wrong_type.yaml", "syntax_error.yaml"])
def test_explain_of_a_broken_scenario_is_one_line_and_exit_2(broken):
    result = CliRunner().invoke(main, ["explain", str(HERE / "broken" / broken)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and broken in lines[0]


def test_the_player_is_told_when_pressure_bites(tmp_path):
    path = variant(tmp_path, "parties: {m: {influence: {a: {kind: pressure, strength: 0.05}}}}\n")
    chair, shown = scripted(["r", "r"])
    play(sim.load_scenario(path), "a", chair, seed=1)
    rounds = "\n".join(shown).split("Round ")
    assert "pressure from M" not in rounds[1]  # round 1: nobody has rejected yet
    assert "This round, pressure from M moved your reservation value by -0.050." in rounds[2]
    assert "no deal is worth 0.250 to you" in rounds[2]


@pytest.mark.parametrize("text", [[0, 0], [0, 0, 3], [0, 1, 0]])  # short, no such option, link
def test_a_chair_that_proposes_an_invalid_text_is_a_programming_error(tmp_path, text):
    class Proposes(ModelChair):
        def propose(self, negotiator, standing):
            return np.array(text)

    scenario = sim.load_scenario(variant(tmp_path, LINKED), ["protocol.name=alternating"])
    model = NegotiationModel(scenario, 1, chairs={"a": Proposes()})  # a proposes first
    with pytest.raises(ValueError, match="the chair of a proposed an invalid text"):
        model.step()


def test_a_text_worth_the_reservation_in_decimal_is_not_shown_as_worse():
    from dataclasses import replace

    from sim.classroom.player_turn import ratification_line, utility_line

    scenario = sim.load_scenario("tests/scenarios/tiny.yaml")
    one_ulp_short = 0.5 * 0.7 + 0.5 * 0.834  # 0.7669999999999999, 0.767 in decimal
    turn = turn_of_tiny(scenario, utility=one_ulp_short, reservation=0.767)
    assert "LESS" not in utility_line(turn)
    assert "0.767 to you" in utility_line(turn)
    lower = replace(turn, utility=0.7668)
    assert "LESS" in utility_line(lower) and "0.7668" in utility_line(lower)
    ratifying = sim.load_scenario(
        "tests/scenarios/tiny.yaml", {"parties.a.domestic": {"threshold": 0.767}}
    )
    ratified = replace(turn, scenario=ratifying, ratification=("parliament", one_ulp_short, 0.767))
    assert "would ratify it" in ratification_line(ratified)
    assert "at 0.767 and needs 0.767" in ratification_line(ratified)


def turn_of_tiny(scenario, utility: float, reservation: float):
    from sim.classroom.player_turn import Turn

    return Turn(scenario, "a", 1, 20, (0, 0, 0), (), utility, reservation, None, ())
