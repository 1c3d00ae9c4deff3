"""The edges of the `negsim` command: out-of-range numbers, folders it cannot write, a busy
port, signals, help. Each is one clear line, never a traceback, and never loses work."""

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main

ROOT = Path(__file__).parent.parent
TINY = str(ROOT / "tests" / "scenarios" / "tiny.yaml")
FILES = {"outcome.json", "rounds.csv", "manifest.json", "report.html"}


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, prog_name="negsim")


def error_lines(result) -> list[str]:
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


# -- numbers out of range -------------------------------------------------------------------
@pytest.mark.parametrize("seed", ["-1", str(2**63)])
@pytest.mark.parametrize(
    "command", [["run", TINY], ["explain", TINY], ["play", TINY, "--as", "a"], ["sweep", TINY]]
)
def test_a_seed_below_zero_or_past_64_bits_is_a_usage_error(tmp_path, command, seed):
    result = invoke(
        *command, "--seed", seed, *(["--out", tmp_path] if command[0] != "explain" else [])
    )
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "--seed" in line and seed in line
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_zero_or_negative_jobs_is_a_usage_error(tmp_path, jobs):
    result = invoke("sweep", TINY, "--jobs", jobs, "--out", tmp_path)
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "--jobs" in line
    assert not any(tmp_path.iterdir())


# -- help --------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [[], *([name] for name in main.commands)])
def test_dash_h_is_help_for_every_command(command):
    result = invoke(*command, "-h")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: negsim {' '.join(command)}".rstrip())
    assert "-h, --help" in result.output


# -- folders that cannot be written ------------------------------------------------------------
@pytest.fixture
def a_file(tmp_path) -> Path:
    """A file where --out expects a folder: unwritable whoever runs the tests (even root)."""
    path = tmp_path / "a_file"
    path.write_text("not a folder\n")
    return path


def test_run_into_an_unwritable_folder_is_one_line_and_exit_2(a_file):
    result = invoke("run", TINY, "--out", a_file / "results")
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert f"--out {a_file / 'results'}: cannot write {a_file}" in line
    assert a_file.read_text() == "not a folder\n"


@pytest.mark.parametrize(
    ("number", "reason", "status"),
    [(errno.EROFS, "Read-only file system", 2), (errno.ENOSPC, "No space left on device", 1)],
)
def test_a_run_that_fails_to_write_is_one_line_and_leaves_no_folder(
    tmp_path, monkeypatch, number, reason, status
):
    import sim.reporting.run_folder

    def refuse(*args, dir=None, **kwargs):
        raise OSError(number, reason, dir)

    monkeypatch.setattr(sim.reporting.run_folder.tempfile, "mkdtemp", refuse)
    result = invoke("run", TINY, "--out", tmp_path / "results")
    assert result.exit_code == status
    (line,) = error_lines(result)
    assert f"cannot write {tmp_path / 'results' / 'tiny'} ({reason})" in line
    assert list(tmp_path.iterdir()) == []  # not even the empty results/tiny/ it made


@pytest.mark.parametrize("checked_first", [True, False])
def test_a_game_that_cannot_be_written_to_out_is_kept_in_a_temporary_folder(
    a_file, tmp_path, monkeypatch, checked_first
):
    import sim.reporting.run_folder

    if not checked_first:  # the folder looked writable, and writing failed at the end
        monkeypatch.setattr(sim.reporting.run_folder, "unwritable", lambda root: None)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = invoke("play", TINY, "--as", "a", "--seed", 1, "--out", a_file / "out", input="q\n")
    assert result.exit_code == 1
    (kept,) = tmp_path.glob("negsim-play-*/tiny/play-a-seed-1-*")
    assert {p.name for p in kept.iterdir()} == FILES
    (line,) = error_lines(result)
    assert f"cannot write {a_file}" in line
    assert line.endswith(f"the game is kept in {kept}/")
    assert f"report: {kept / 'report.html'}" in result.output
    assert ("the game will be kept in a temporary folder" in result.output) is checked_first


# -- the classroom page's server ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_busy_port_is_one_line_before_any_url_or_server(monkeypatch):
    import sim.classroom.server

    served = []
    monkeypatch.setattr(sim.classroom.server, "serve", lambda *args: served.append(args) or 0)
    fake = types.ModuleType("sim.classroom.page")
    monkeypatch.setitem(sys.modules, "sim.classroom.page", fake)  # and no solara import either
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke("app", TINY, "--port", port)
    assert result.exit_code == 2
    assert (
        result.output.strip() == f"Error: --port {port}: in use on 127.0.0.1 (choose another port)"
    )
    assert served == []


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is POSIX's")
def test_sigterm_to_negsim_app_leaves_no_server_serving(tmp_path):
    port = free_port()
    negsim = Path(sys.executable).with_name("negsim")
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [str(negsim), "app", TINY, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while not listening(port):
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the page server did not start"
            time.sleep(0.2)
        server.send_signal(signal.SIGTERM)  # to negsim alone, as a process manager does
        server.wait(timeout=30)
        deadline = time.monotonic() + 10
        while listening(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not listening(port)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the server, had it outlived negsim
            os.killpg(server.pid, signal.SIGKILL)


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is POSIX's")
def test_sigterm_during_a_game_leaves_the_table_and_saves_the_game(tmp_path):
    negsim = Path(sys.executable).with_name("negsim")
    game = subprocess.Popen(
        [str(negsim), "play", TINY, "--as", "a", "--seed", "1", "--out", str(tmp_path)],
        stdin=subprocess.PIPE,  # kept open: the player is thinking
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        shown = b""
        while not shown.endswith(b"> "):  # the first question
            byte = game.stdout.read(1)
            assert byte, shown.decode()
            shown += byte
        game.send_signal(signal.SIGTERM)
        shown += game.communicate(timeout=60)[0]
    finally:
        game.kill()
    assert game.returncode == 0, shown.decode()
    (folder,) = (tmp_path / "tiny").iterdir()
    assert {p.name for p in folder.iterdir()} == FILES
    assert b"you leave the table" in shown
