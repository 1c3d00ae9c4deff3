"""Rooms (`negsim app --room`, `sim.classroom.room`): students in the parties' seats, the
teacher's controls, the debrief, and the rooms' HTTP calls. The browser's side is in
tests/test_room_page.py."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from sim.classroom.debrief import debrief_html, moved_the_text
from sim.classroom.player_turn import InvalidAnswer
from sim.classroom.room import Room, Seat
from sim.classroom.room_server import Classroom, make_server
from sim.negotiation.agents import ModelChair
from sim.negotiation.chair import PLAYER_REJECTS, Answer
from sim.negotiation.model import NegotiationModel
from sim.negotiation.runner import run
from sim.scenario.loader import load_scenario

HERE = Path(__file__).parent
TINY = HERE / "scenarios" / "tiny.yaml"
SCENARIOS = HERE.parent / "scenarios"
FIRST_LESSON = SCENARIOS / "first_lesson.yaml"
BASELINE = SCENARIOS / "baseline.yaml"
PATIENCE = 60  # seconds a test waits for a game to end


def variant(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {TINY.resolve()}\n{text}", encoding="utf-8")
    return path


def wait_for(condition, what: str):
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {PATIENCE} s for {what}")
        time.sleep(0.005)


def play_out(room: Room, students: dict) -> None:
    """Start the room and let each student (token -> answer(state) giving the answer's
    keywords, or None to stay silent) answer every question put to them, to the end."""
    room.start()
    deadline = time.monotonic() + PATIENCE
    while room.phase != "ended":
        for token, student in students.items():
            state = room.state(token)
            if "question" in state and (answer := student(state)) is not None:
                room.answer(token, **answer)
        if time.monotonic() > deadline:
            pytest.fail("the game did not end")
        time.sleep(0.001)


def as_the_agent(room: Room, party: str):
    """A student who answers as the party's own rules would (asked while the model waits)."""

    def student(state):
        negotiator = room.model.negotiators[party]
        if state["question"]["kind"] == "answer":
            answer = ModelChair().respond(negotiator)
            return {"kind": "accept"} if answer.accept else {"kind": "reject"}
        text = ModelChair().propose(negotiator, room.model.text)
        points = room.scenario.points
        changes = {
            p.id: p.options[k].id
            for p, k, was in zip(points, text, room.model.text, strict=True)
            if k != was
        }
        return {"kind": state["question"]["kind"], "changes": changes}

    return student


@pytest.mark.parametrize(
    "path, seed, overrides",
    [(FIRST_LESSON, 1, []), (BASELINE, 2, []), (BASELINE, 5, ["protocol.name=alternating"])],
)
def test_a_room_without_students_plays_the_models_own_run(path, seed, overrides):
    scenario = load_scenario(path, overrides)
    room = Room(scenario, "TEST", seed)
    room.start()
    wait_for(lambda: room.phase == "ended", "the game's end")
    assert room.result.outcome == run(scenario, seed).outcome
    assert [e["round"] for e in room.history] == list(range(1, room.result.outcome.round + 1))


def test_a_student_mediator_who_drafts_as_the_agent_would_gives_the_models_run():
    scenario = load_scenario(BASELINE)
    room = Room(scenario, "TEST", 3)
    token = room.take_seat("usa", "Ann")
    play_out(room, {token: as_the_agent(room, "usa")})
    assert room.result.outcome == run(scenario, 3).outcome
    drafts = [a for a in room.seats["usa"].answers if a[1] == "draft"]
    assert len(drafts) == room.result.outcome.round


def test_a_seated_signatory_is_heard_as_a_player_and_the_game_matches_the_same_chair():
    """A student's answers reach the model as a chair's would: the same answers given by a
    chair to the model directly make the same run."""
    scenario = load_scenario(BASELINE)

    def rule(turn_utility: float, crossed: list[str], round_: int):
        if not crossed and turn_utility >= 0.62:
            return True, ()
        return False, tuple(crossed) or ("territory",) if round_ % 2 else ()

    room = Room(scenario, "TEST", 4)
    token = room.take_seat("ukraine", "Bo")

    def student(state):
        question = state["question"]
        accept, push = rule(question["utility"], question["crossed"], question["round"])
        return {"kind": "accept"} if accept else {"kind": "reject", "points": list(push)}

    play_out(room, {token: student})

    class SameChair:
        def respond(self, negotiator):
            utility = round(float(negotiator.utility), 3)
            accept, push = rule(utility, list(negotiator.crossed), negotiator.model.steps)
            return Answer(True) if accept else Answer(False, push)

    model = NegotiationModel(scenario, 4, chairs={"ukraine": SameChair()})
    while model.running:
        model.step()
    assert room.result.outcome.round == model.steps
    assert room.result.outcome.package == model.package()
    assert room.result.outcome.status == model.status


def test_red_lines_and_ratification_bind_a_student_as_they_bind_an_agent(tmp_path):
    strict = (
        "protocol: {start: {border: east}}\n"
        "parties:\n  a:\n    domestic: {body: parliament, points: [troops], threshold: 0.99}\n"
    )
    scenario = load_scenario(variant(tmp_path, strict))
    room = Room(scenario, "TEST", 1, timer=None)
    token = room.take_seat("a", "Cy")
    refused = []

    def always_accepts(state):
        if state["question"]["crossed"]:
            with pytest.raises(InvalidAnswer, match="red line") as err:
                room.answer(token, "accept")
            refused.append(str(err.value))
            return {"kind": "reject"}
        return {"kind": "accept"}

    play_out(room, {token: always_accepts})
    rows = room.result.rounds
    a = rows[rows.party == "a"].set_index("round")
    assert refused and a.loc[1, "red_lines_crossed"] == "border" and not a.loc[1, "accepted"]
    said_yes = a[a.red_lines_crossed == ""]
    parliament = [room.model.negotiators["a"].spec.domestic.body in why for why in said_yes.why]
    assert any(parliament)  # the parliament turned down a text the student accepted
    for _, row in said_yes.iterrows():
        assert row.accepted == (row.troops == room.scenario.points[1].options[0].id)


def test_when_the_timer_ends_a_silent_student_keeps_their_last_answer():
    scenario = load_scenario(FIRST_LESSON)
    room = Room(scenario, "TEST", 1, timer=0.02)
    token = room.take_seat("ukraine", "Di")
    answered = []

    def once(state):
        if answered:
            return None
        answered.append(state["question"]["round"])
        return {"kind": "reject", "points": ["territory"]}

    play_out(room, {token: once})
    rows = room.result.rounds
    ukraine = rows[rows.party == "ukraine"]
    assert len(ukraine) == room.result.outcome.round > 1
    assert not ukraine.accepted.any()
    assert set(ukraine.objections) == {"territory"}
    assert set(ukraine.why) == {PLAYER_REJECTS}


def test_before_any_answer_the_timer_rejects_with_the_partys_own_ranking():
    scenario = load_scenario(FIRST_LESSON)
    room = Room(scenario, "TEST", 1, timer=0.02)
    token = room.take_seat("russia", "Ed")
    play_out(room, {token: lambda state: None})
    rows = room.result.rounds
    russia = rows[rows.party == "russia"]
    assert not russia.accepted.any() and (russia.objections != "").all()


def test_a_pause_holds_the_round_and_a_reset_starts_a_new_game_on_the_same_seats():
    scenario = load_scenario(FIRST_LESSON)
    room = Room(scenario, "TEST", 1)
    token = room.take_seat("ukraine", "Flo")
    room.start()
    wait_for(lambda: "question" in room.state(token), "the first question")
    room.pause(True)
    room.answer(token, "accept")
    time.sleep(0.3)
    assert room.history == [] and room.state(token)["paused"]
    room.pause(False)
    wait_for(lambda: len(room.history) == 1, "round 1 to close")
    wait_for(lambda: "question" in room.state(token), "the second question")
    threads = threading.active_count()
    room.reset()
    wait_for(lambda: threading.active_count() == threads - 1, "the old game's thread to end")
    state = room.state(token)
    assert (state["phase"], state["rounds"], state["seat"]["student"]) == ("waiting", [], "Flo")
    play_out(room, {token: lambda state: {"kind": "accept"}})
    assert room.result.outcome.round >= 1 and room.history[0]["round"] == 1


def test_seats_are_taken_once_and_a_token_is_good_in_its_own_room_only():
    classroom = Classroom(FIRST_LESSON)
    first, second = classroom.open_room(), classroom.open_room()
    assert first.code != second.code and classroom.room(first.code.lower()) is first
    token = first.take_seat("ukraine", "  Gil  ")
    with pytest.raises(InvalidAnswer, match="taken by Gil"):
        first.take_seat("ukraine", "Hal")
    assert second.seat_of(token) is None and second.seats["ukraine"].student == ""
    first.start()
    second.start()
    wait_for(lambda: "question" in first.state(token), "the first question")
    wait_for(lambda: second.phase == "ended", "the second room's agents to finish")
    assert second.result.outcome == run(second.scenario, 1).outcome
    assert "seat" not in second.state(token)


def test_a_students_draft_keeps_every_link_and_leaves_fixed_points_alone(tmp_path):
    links = "links:\n  - if: {troops: monitors}\n    then: {money: [lots]}\n"
    scenario = load_scenario(variant(tmp_path, links + "protocol: {fixed: {border: middle}}\n"))
    room = Room(scenario, "TEST", 1)
    token = room.take_seat("m", "Ivy")
    room.start()
    wait_for(lambda: "question" in room.state(token), "the draft of round 2")
    assert len(room.history) == 1  # round 1's text is the opening draft
    assert room.state(token)["question"]["kind"] == "draft"
    with pytest.raises(InvalidAnswer, match="fixed by the protocol"):
        room.answer(token, "draft", changes={"border": "west"})
    with pytest.raises(InvalidAnswer, match="breaks a link"):
        room.answer(token, "draft", changes={"troops": "monitors", "money": "none"})
    room.answer(token, "draft", changes={"troops": "monitors", "money": "lots"})
    wait_for(lambda: len(room.history) >= 2, "round 2")
    assert set(room.history[1]["changed"]) == {"troops", "money"}
    assert room.table["points"][0]["option"] == "middle"
    room.reset()


def test_the_rounds_a_student_moved_are_those_whose_revision_took_up_a_pushed_point():
    seat = Seat("a", "A", "signatory", student="Jo")
    seat.answers = [(1, "reject", ("x", "y")), (2, "reject", ("z",)), (3, "accept", ())]
    changed = {2: ("y", "w"), 3: ("x",), 4: ("z",)}
    assert moved_the_text(seat, changed) == [(2, ("y",))]
    mediator = Seat("m", "M", "mediator", student="Kim")
    mediator.answers = [(2, "draft", ("x",)), (3, "draft", ())]
    assert moved_the_text(mediator, {}) == [(2, ("x",))]


def test_the_debrief_compares_each_student_with_the_model_and_opens_offline():
    scenario = load_scenario(FIRST_LESSON)
    room = Room(scenario, "TEST", 1)
    token = room.take_seat("russia", "Lee")
    play_out(room, {token: lambda state: {"kind": "accept"}})
    page = debrief_html(scenario, room.result, list(room.seats.values()))
    outcome = room.result.outcome  # a Russia that accepts at once: a deal sooner than the model's
    assert outcome.status == "agreement" and outcome.round < run(scenario, 1).outcome.round
    assert "Russia: Lee" in page and "seeds 1-50: agreement in 50 of 50 runs" in page
    assert "ranks" in page and "Nash package" in page and "Kalai-Smorodinsky" in page
    assert 'src="http' not in page and "plotly" in page and len(page) > 1_000_000


@pytest.fixture
def server():
    classroom = Classroom(FIRST_LESSON)
    http = make_server(classroom, "127.0.0.1", 0)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield classroom, f"http://127.0.0.1:{http.server_address[1]}"
    http.shutdown()
    http.server_close()


def call(url: str, body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_the_rooms_calls_answer_with_clear_errors(server):
    classroom, url = server
    assert call(f"{url}/api/rooms/ZZZZ")[0] == 404
    assert call(f"{url}/api/teacher")[0] == 403
    assert call(f"{url}/api/teacher", {"key": "wrong"})[0] == 403
    status, opened = call(f"{url}/api/teacher/rooms", {"key": classroom.key, "timer": 30})
    code = opened["code"]
    assert status == 200 and classroom.room(code).timer == 30
    status, seat = call(f"{url}/api/rooms/{code}/seat", {"party": "ukraine", "name": "Mo"})
    assert status == 200 and seat["token"]
    status, taken = call(f"{url}/api/rooms/{code}/seat", {"party": "ukraine", "name": "Ned"})
    assert status == 400 and "taken by Mo" in taken["error"]
    status, early = call(
        f"{url}/api/rooms/{code}/answer", {"token": seat["token"], "kind": "accept"}
    )
    assert status == 400 and "Nothing to answer" in early["error"]
    assert call(f"{url}/api/teacher/rooms/{code}/reveal", {"key": classroom.key})[0] == 400
    assert call(f"{url}/api/teacher/rooms/{code}/start", {"key": classroom.key})[0] == 200
    mine = call(f"{url}/api/rooms/{code}?token={seat['token']}")[1]
    assert mine["seat"]["party"] == "ukraine" and "values" in mine["seat"]
    assert "seat" not in call(f"{url}/api/rooms/{code}")[1]
    for path in ("/site/../room.py", "/site/room.py", "/room/ZZZZ", "/nothing"):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + path, timeout=10)
    assert np.isclose(mine["left"], 30, atol=5)


def test_under_alternating_offers_a_student_tables_a_counter_text_and_accepts_it(tmp_path):
    scenario = load_scenario(variant(tmp_path, "protocol: {name: alternating}\n"))
    room = Room(scenario, "TEST", 2)
    token = room.take_seat("a", "Pat")
    assert room.state(token)["table"]["round"] == 0  # the opening text shows before the start
    room.start()

    def asked():
        question = room.state(token).get("question")
        if question and question["kind"] == "answer":
            room.answer(token, "reject")  # until it is a's turn to propose
            return False
        return question is not None

    wait_for(asked, "a's turn to propose")
    with pytest.raises(InvalidAnswer, match="your own red line"):
        room.answer(token, "counter", changes={"border": "east"})
    room.answer(token, "counter", changes={"border": "west", "troops": "none"})
    proposed = room.state(token)["table"]["round"]
    wait_for(lambda: len(room.history) >= proposed, "the round of a's text")
    entry = room.history[proposed - 1]
    assert entry["proposer"] == "A" and entry["answers"][0]["accepted"]  # its own text
    assert entry["answers"][0]["why"] == ""
    room.reset()
