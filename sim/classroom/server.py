"""Serving the classroom page: solara's server in the foreground, on a port checked first.
Kept apart from the page so that the command can check the port without a web framework."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

SCENARIO_VARIABLE = "NEGSIM_APP_SCENARIO"  # the scenario file the page starts with
# solara warns, on every page load over plain http to an address other than "localhost",
# that its session cookie falls back to samesite=lax: advice for pages embedded in another
# site's frame, which the classroom page never is, so lax is right and the warning noise
QUIET_COOKIE = "ignore:Cookies with samesite=none require https:UserWarning"


def serve(scenario: str, host: str = "127.0.0.1", port: int = 8521) -> int:
    """Serve the page in the foreground until Ctrl-C or SIGTERM. On POSIX this process
    becomes solara's server (exec), so that no signal can leave a server behind it;
    elsewhere the server is a child that a Ctrl-C or SIGTERM stops too. Its exit status."""
    warnings = [os.environ.get("PYTHONWARNINGS", ""), QUIET_COOKIE]  # the later filter wins
    environment = {
        **os.environ,
        SCENARIO_VARIABLE: str(Path(scenario).resolve()),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # nothing leaves the machine
        "SOLARA_THEME_SHOW_BANNER": "False",  # no "This website runs on Solara" on the projector
        "PYTHONWARNINGS": ",".join(filter(None, warnings)),
    }
    command = [sys.executable, "-m", "solara", "run", "sim.classroom.page:Page", "--production"]
    command += ["--host", host, "--port", str(port), "--no-open", "--log-level", "warning"]
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(sys.executable, command, environment)
    server = subprocess.Popen(command, env=environment)
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
        return 0


def port_problem(host: str, port: int) -> str | None:
    """Why the page's server could not listen on host:port, if it could not."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            if os.name == "posix":  # as uvicorn does, so that a closing port counts as free
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            return f"--port {port}: in use on {host} (choose another port)"
        return f"--host {host}: cannot listen there ({err.strerror or err})"
    return None
