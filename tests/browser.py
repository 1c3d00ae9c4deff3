"""What the end-to-end browser tests share: Debian's chromium (Playwright never downloads a
browser here), the flags that keep it off the network, and a free loopback port.

A test module calls `require_browser()` at its top: it is skipped where no chromium is
installed, unless NEGSIM_REQUIRE_BROWSER is set (as `.ci/run` does), when it fails."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FLAGS += ["--disable-component-update", "--no-first-run", "--disable-sync"]


def require_browser():
    """Playwright's sync API, or the calling module skipped where there is no chromium."""
    if not CHROMIUM.exists() and not os.environ.get("NEGSIM_REQUIRE_BROWSER"):
        pytest.skip("no /usr/bin/chromium (apt install chromium)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
