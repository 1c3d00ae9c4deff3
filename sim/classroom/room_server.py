"""Serving rooms (`negsim app --room`): the teacher's page, the students' pages and their
JSON calls, over Python's own threaded HTTP server, with no front-end framework and
nothing fetched from outside (the pages are files of the package, `room_site/`).

    /                         join a room by its code
    /room/CODE                a student's page: pick a seat, then play it
    /teacher?key=KEY          the teacher's page: open rooms, start, pause, reset, reveal
    /room/CODE/debrief.html   the debrief, a standalone page (plotly.js inside)
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario
from .page_data import library
from .player_turn import InvalidAnswer
from .room import Room

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O, read aloud without doubt
CODE_LENGTH = 4
SITE = resources.files("sim.classroom") / "room_site"
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
MAX_BODY = 64 * 1024
MAX_ROOMS = 50


class Classroom:
    """The rooms a teacher has opened, over the scenario files of one folder."""

    def __init__(self, scenario_file: str | Path, seed: int = 1, timer: float | None = None):
        self.start = Path(scenario_file)
        self.seed, self.timer = seed, timer
        self.key = secrets.token_urlsafe(9)  # the teacher's: printed on the terminal only
        self.rooms: dict[str, Room] = {}
        self.lock = threading.Lock()

    def scenario_names(self) -> list[str]:
        return [path.name for path in library(self.start.parent)] or [self.start.name]

    def open_room(self, name: str = "", seed: int | None = None, timer=None) -> Room:
        """A new room on a scenario file of the folder (by default the one served)."""
        name = name or self.start.name
        if name not in self.scenario_names():
            raise InvalidAnswer(f"No scenario file '{name}' in {self.start.parent.name}/.")
        try:
            scenario = load_scenario(self.start.parent / name)
        except ScenarioError as err:
            raise InvalidAnswer(str(err)) from None
        with self.lock:
            if len(self.rooms) >= MAX_ROOMS:
                raise InvalidAnswer(f"At most {MAX_ROOMS} rooms at once.")
            code = new_code(self.rooms)
            timer = self.timer if timer is None else timer
            room = Room(scenario, code, self.seed if seed is None else seed, timer or None)
            self.rooms[code] = room
        return room

    def room(self, code: str) -> Room | None:
        return self.rooms.get(code.upper())


def new_code(taken) -> str:
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


class NotFound(Exception):
    """No such page or room."""


class Forbidden(Exception):
    """A teacher's call without the teacher's key."""


def handler_for(classroom: Classroom):
    """The request handler class of a server over `classroom`."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "negsim"

        def log_message(self, format, *args):  # a quiet log: requests are not news
            pass

        def do_GET(self):
            self.route("GET")

        def do_POST(self):
            self.route("POST")

        def route(self, method: str) -> None:
            url = urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            try:
                body = self.body() if method == "POST" else {}
                if parts and parts[0] == "api":
                    address = self.server.student_address
                    self.send_json(api(classroom, address, method, parts[1:], query, body))
                elif method == "GET":
                    self.send_page(parts)
                else:
                    raise NotFound
            except InvalidAnswer as err:
                self.send_json({"error": str(err)}, HTTPStatus.BAD_REQUEST)
            except Forbidden:
                self.send_json({"error": "the teacher's key is wrong"}, HTTPStatus.FORBIDDEN)
            except NotFound:
                self.send_json({"error": "no such page or room"}, HTTPStatus.NOT_FOUND)

        def body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise InvalidAnswer("That request is too large.")
            try:
                data = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                raise InvalidAnswer("That request is not JSON.") from None
            if not isinstance(data, dict):
                raise InvalidAnswer("That request is not a JSON object.")
            return data

        def send_page(self, parts: list[str]) -> None:
            if not parts:
                self.send_file("join.html")
            elif parts == ["teacher"]:
                self.send_file("teacher.html")
            elif parts[0] == "site" and len(parts) == 2:
                self.send_file(parts[1])
            elif parts[0] == "room" and len(parts) == 2 and classroom.room(parts[1]):
                self.send_file("room.html")
            elif parts[0] == "room" and parts[2:] == ["debrief.html"]:
                room = classroom.room(parts[1])
                if room is None:
                    raise NotFound
                self.send_bytes(debrief_page(room).encode(), "text/html")
            else:
                raise NotFound

        def send_file(self, name: str) -> None:
            path = SITE / name
            if "/" in name or not path.is_file() or Path(name).suffix not in TYPES:
                raise NotFound
            self.send_bytes(path.read_bytes(), TYPES[Path(name).suffix])

        def send_json(self, data, status=HTTPStatus.OK) -> None:
            self.send_bytes(json.dumps(data).encode(), "application/json", status)

        def send_bytes(self, data: bytes, kind: str, status=HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler


def api(classroom: Classroom, address: str, method: str, parts, query, body) -> dict:
    """The JSON calls: a room's state, taking a seat, answering; the teacher's calls."""
    if parts[:1] == ["teacher"]:
        given = str(body.get("key") or query.get("key") or "")
        if not secrets.compare_digest(given, classroom.key):
            raise Forbidden
        return teacher_api(classroom, address, method, parts[1:], body)
    if len(parts) < 2 or parts[0] != "rooms" or classroom.room(parts[1]) is None:
        raise NotFound
    room = classroom.room(parts[1])
    action = parts[2] if len(parts) > 2 else ""
    if method == "GET" and not action:
        return room.state(query.get("token", ""))
    if method == "POST" and action == "seat":
        return {"token": room.take_seat(str(body.get("party", "")), str(body.get("name", "")))}
    if method == "POST" and action == "answer":
        points = [str(p) for p in body.get("points") or []]
        changes = {str(k): str(v) for k, v in (body.get("changes") or {}).items()}
        room.answer(str(body.get("token", "")), str(body.get("kind", "")), points, changes)
        return {"ok": True}
    raise NotFound


def teacher_api(classroom: Classroom, address: str, method: str, parts, body) -> dict:
    if method == "GET" and not parts:
        rooms = [
            room.state() | {"link": f"{address}/room/{code}"}
            for code, room in list(classroom.rooms.items())
        ]
        names = classroom.scenario_names()
        return {"rooms": rooms, "scenarios": names, "first": classroom.start.name, "join": address}
    if method == "POST" and parts == ["rooms"]:
        timer = body.get("timer")
        seconds = float(timer) if isinstance(timer, int | float) and timer > 0 else None
        seed = body.get("seed") if isinstance(body.get("seed"), int) else None
        room = classroom.open_room(str(body.get("scenario") or ""), seed, seconds)
        return {"code": room.code}
    if method == "POST" and len(parts) == 3 and parts[0] == "rooms":
        room = classroom.room(parts[1])
        if room is None:
            raise NotFound
        actions = {
            "start": room.start,
            "pause": lambda: room.pause(True),
            "resume": lambda: room.pause(False),
            "reset": room.reset,
            "reveal": room.reveal,
        }
        if parts[2] not in actions:
            raise NotFound
        actions[parts[2]]()
        return {"ok": True}
    raise NotFound


def debrief_page(room: Room) -> str:
    """The room's debrief once its game has ended (built once, then kept)."""
    from .debrief import debrief_html  # plotly and the model's 50 runs, only when asked

    with room.lock:
        result, seats = room.result, list(room.seats.values())
        if result is None:
            raise InvalidAnswer("The debrief appears when the game has ended.")
        if room.debrief_html is None:
            room.debrief_html = debrief_html(room.scenario, result, seats)
        return room.debrief_html


def classroom_address(host: str, port: int) -> str:
    """The address students type: the machine's own on the classroom network when the
    server listens on every address (found without sending a packet)."""
    if host in ("0.0.0.0", "::", ""):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect(("10.255.255.255", 1))  # UDP: chooses a route, sends nothing
                host = probe.getsockname()[0]
            except OSError:
                host = socket.gethostname()
    return f"http://{host}:{port}"


def make_server(classroom: Classroom, host: str, port: int) -> ThreadingHTTPServer:
    """The server (on a free port when `port` is 0); `student_address` is the address
    students are told to open."""
    server = ThreadingHTTPServer((host, port), handler_for(classroom))
    server.daemon_threads = True
    server.student_address = classroom_address(host, server.server_address[1])
    return server


def serve_rooms(scenario_file, host: str, port: int, seed: int, timer, say) -> int:
    """Serve rooms until Ctrl-C, opening the first on `scenario_file`; `say` prints the
    teacher's address (with its key) and the students'."""
    classroom = Classroom(scenario_file, seed, timer)
    room = classroom.open_room()
    server = make_server(classroom, host, port)
    address = server.student_address
    say(f"negsim rooms: the teacher's page is {address}/teacher?key={classroom.key}")
    say(f"  students open {address}/ and type the code {room.code} (Ctrl-C stops it)")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        say("negsim rooms: stopped")
    finally:
        server.server_close()
    return 0
