"""End to end: `negsim app` serves the classroom page; a headless chromium (Debian's, driven
by Playwright) moves a slider, resets, steps, and sees the round count, the plotted
rounds and the standing text change, with no request leaving the machine.

Skipped where no chromium is installed, unless NEGSIM_REQUIRE_BROWSER is set (as `.ci/run`
does after installing Debian's chromium), in which case a missing browser fails."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FLAGS += ["--disable-component-update", "--no-first-run", "--disable-sync"]

if not CHROMIUM.exists() and not os.environ.get("NEGSIM_REQUIRE_BROWSER"):
    pytest.skip("no /usr/bin/chromium (apt install chromium)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def page_server(tmp_path):
    """`negsim app scenarios/baseline.yaml` on a free loopback port; yields its URL."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    negsim = Path(sys.executable).with_name("negsim")
    server = subprocess.Popen(
        [str(negsim), "app", "scenarios/baseline.yaml", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(
                    f"the page server did not start: {(tmp_path / 'server.log').read_text()}"
                )
            time.sleep(0.5)
    yield url, tmp_path / "server.log"
    os.killpg(server.pid, 15)
    server.wait(timeout=30)
    log.close()


def read_round(page) -> tuple[int, int]:
    text = page.locator(".talks-status").inner_text()
    found = re.search(r"Round (\d+) of (\d+)", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


def wait_for_status(page, words: str) -> None:
    """Wait until the status line holds `words` (the panel is redrawn, so it may vanish
    for a moment)."""
    page.wait_for_function(
        "words => (document.querySelector('.talks-status') || {innerText: ''})"
        ".innerText.includes(words)",
        arg=words,
        timeout=60_000,
    )


def plotted_rounds(page) -> int:
    """Rounds on the x axis of the first trajectory trace (0 if no figure is drawn yet)."""
    return page.evaluate(
        """() => {
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const withData = plots.filter(p => p.data && p.data.length);
            return withData.length ? withData[0].data[0].x.length : 0;
        }"""
    )


def test_the_page_steps_a_negotiation_after_a_slider_moves(page_server, tmp_path):
    url, server_log = page_server
    outside: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})

        def only_loopback(route):
            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_loopback)
        page.goto(url, timeout=120_000)
        page.locator(".talks-status").wait_for(timeout=120_000)
        assert read_round(page) == (0, 60)
        text_before = page.locator(".standing-text").inner_text()

        deadline_slider = page.locator(".v-input", has_text="Deadline [60]").get_by_role("slider")
        deadline_slider.focus()
        for _ in range(10):
            deadline_slider.press("ArrowLeft")
        page.get_by_role("button", name=re.compile("^reset$", re.I)).click()
        wait_for_status(page, "Round 0 of 50")
        assert read_round(page) == (0, 50)
        assert plotted_rounds(page) == 0

        step = page.get_by_role("button", name=re.compile("^step$", re.I))
        for expected in range(1, 6):
            step.click()
            wait_for_status(page, f"Round {expected} of 50")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot')]"
            ".some(p => p.data && p.data.length && p.data[0].x.length === 5)"
        )
        assert read_round(page) == (5, 50)
        assert plotted_rounds(page) == 5
        text_after = page.locator(".standing-text").inner_text()
        assert text_after != text_before
        page.screenshot(path=str(tmp_path / "classroom-page.png"), full_page=True)
        browser.close()
    assert outside == []
    assert "Could not load URL" not in server_log.read_text()  # the server fetched nothing
