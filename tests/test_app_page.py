"""End to end: `negsim app` serves the classroom page; a headless chromium (Debian's, driven
by Playwright) moves a slider, resets, steps and plays, and sees the round count, the
plotted rounds and the standing text change; every panel shows all it holds at the sizes
of a projector; the Compare tab's mix follows the sliders; no request leaves the machine
and the server logs no warning.

Skipped where no chromium is installed, unless NEGSIM_REQUIRE_BROWSER is set (as `.ci/run`
does after installing Debian's chromium), in which case a missing browser fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import CHROMIUM, FLAGS, free_port, require_browser

ROOT = Path(__file__).parent.parent
PROJECTORS = [{"width": 1400, "height": 1000}, {"width": 1920, "height": 1080}]
SHOTS = Path(os.environ.get("NEGSIM_PAGE_SHOTS", Path(tempfile.gettempdir()) / "page-shots"))

playwright = require_browser()


@pytest.fixture(scope="module")
def page_server(tmp_path_factory):
    """`negsim app scenarios/baseline.yaml` on a free loopback port; yields its URL and log."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("app") / "server.log"
    log = log_path.open("w")
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
                pytest.fail(f"the page server did not start: {log_path.read_text()}")
            time.sleep(0.5)
    yield url, log_path
    os.killpg(server.pid, 15)
    server.wait(timeout=30)
    log.close()


@contextmanager
def classroom_page(page_server, viewport):
    """A browser tab on the page, with every request that would leave loopback refused and
    recorded; on leaving, none may have been made and the server may have logged no warning."""
    url, server_log = page_server
    outside: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        page = browser.new_page(viewport=viewport)

        def only_loopback(route):
            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_loopback)
        page.goto(url, timeout=120_000)
        page.locator(".talks-status").wait_for(timeout=120_000)
        yield page
        browser.close()
    assert outside == []
    log = server_log.read_text()
    assert "Could not load URL" not in log  # the server fetched nothing
    assert [line for line in log.splitlines() if "warning" in line.lower()] == []


def read_round(page) -> tuple[int, int]:
    text = page.locator(".talks-status").inner_text()
    found = re.search(r"Round (\d+) of (\d+)", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


def wait_for_text(page, selector: str, words: str) -> None:
    """Wait until the element holds `words` (a panel is redrawn, so it may vanish for a
    moment)."""
    page.wait_for_function(
        "([selector, words]) => (document.querySelector(selector) || {innerText: ''})"
        ".innerText.includes(words)",
        arg=[selector, words],
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


def control(page, label: str):
    return page.locator(".setting", has_text=label)


def move(page, label: str, key: str, presses: int) -> None:
    slider = control(page, label).get_by_role("slider")
    slider.focus()
    for _ in range(presses):
        slider.press(key)


def step_to(page, rounds: int) -> None:
    step = page.get_by_role("button", name=re.compile("^step$", re.I))
    for expected in range(read_round(page)[0] + 1, rounds + 1):
        step.click()
        wait_for_text(page, ".talks-status", f"Round {expected} of")


HIDDEN_PARTS = """selector => {
    // every element of `selector` outside the visible box of its panel or of the window
    const inside = (inner, outer) => inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1
        && inner.left >= outer.left - 1 && inner.right <= outer.right + 1;
    const window_ = {top: 0, left: 0, bottom: innerHeight, right: innerWidth};
    return [...document.querySelectorAll(selector)].filter(element => {
        const box = element.getBoundingClientRect();
        const panel = element.closest('.panel').getBoundingClientRect();
        return !(inside(box, panel) && inside(box, window_));
    }).map(element => element.innerText.slice(0, 40));
}"""


FIGURE_SIZES = """() => [...document.querySelectorAll('.figure .js-plotly-plot')].map(plot => {
    // each figure drawn at its box's size, neither cut off nor leaving the box half empty
    const box = plot.closest('.figure-box').getBoundingClientRect();
    const drawn = plot.getBoundingClientRect();
    return [Math.abs(drawn.width - box.width) <= 2, Math.abs(drawn.height - box.height) <= 2];
})"""


MIX_OF = """([what, wanted]) => {
    // the compare table's row `what` holds `wanted` in the column of your settings
    const row = [...document.querySelectorAll('.mix-table tr')]
        .find(row => row.cells[0].innerText === what);
    if (!row) return false;
    const yours = row.cells[2].innerText;
    return wanted.startsWith('<= ') ? parseFloat(yours) <= parseFloat(wanted.slice(3))
        : yours.includes(wanted);
}"""


def mix_table(page) -> dict[str, list[str]]:
    """The compare table's rows: what -> [as the file has it, your settings]."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.mix-table tr')]
            .map(row => [...row.cells].map(cell => cell.innerText))
            .map(cells => [cells[0], cells.slice(1)]))"""
    )


def test_the_page_steps_a_negotiation_after_a_slider_moves(page_server):
    with classroom_page(page_server, PROJECTORS[0]) as page:
        assert read_round(page) == (0, 60)
        tabs = [tab.lower() for tab in page.get_by_role("tab").all_inner_texts()]
        assert tabs == ["the talks", "compare"]
        for mesa_control in ("Play Interval", "Render Interval", "Use Threads"):
            assert page.get_by_text(mesa_control).count() == 0
        text_before = page.locator(".standing-text").inner_text()
        deadline = control(page, "Deadline")
        assert deadline.locator(".setting-value").inner_text() == "60"
        move(page, "Deadline", "ArrowLeft", 10)
        playwright.expect(deadline.locator(".setting-value")).to_have_text("50")
        assert deadline.locator(".setting-file").inner_text() == "file 60"
        page.get_by_role("button", name=re.compile("^reset$", re.I)).click()
        wait_for_text(page, ".talks-status", "Round 0 of 50")
        assert plotted_rounds(page) == 0
        assert "Deadline (rounds): 50 (file 60)" in page.locator(".talks-status").inner_text()

        step_to(page, 1)
        newest = page.locator(".latest-rounds p.newest")
        assert newest.inner_text().startswith(
            "Round 1: United States tabled the first text (20 points)."
        )
        step_to(page, 5)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot')]"
            ".some(p => p.data && p.data.length && p.data[0].x.length === 5)"
        )
        assert plotted_rounds(page) == 5
        assert newest.inner_text().startswith("Round 5:")
        assert page.locator(".standing-text").inner_text() != text_before

        page.get_by_role("button", name=re.compile("^play$", re.I)).click()
        wait_for_text(page, ".talks-status", "Round 8 of 50")
        page.get_by_role("button", name=re.compile("^pause$", re.I)).click()
        page.get_by_role("button", name=re.compile("^play$", re.I)).wait_for()
        legends = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot =>
                [...plot.querySelectorAll('.legendtext')].map(text => text.textContent))"""
        )
        assert len(legends) == 2 and all(legend for legend in legends)
        assert all(len(set(legend)) == len(legend) for legend in legends), legends


@pytest.mark.parametrize("viewport", PROJECTORS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_every_panel_shows_all_it_holds_on_a_projector(page_server, viewport):
    with classroom_page(page_server, viewport) as page:
        step_to(page, 12)
        page.locator(".figure .js-plotly-plot").nth(1).wait_for()
        points = page.locator(".standing-text tr.point")
        assert points.count() == 20
        assert page.evaluate(HIDDEN_PARTS, ".standing-text tr.point") == []
        assert page.evaluate(HIDDEN_PARTS, ".latest-rounds p.newest") == []
        assert page.locator(".latest-rounds p.newest").inner_text().startswith("Round 12:")
        fits = page.evaluate(
            """() => [...document.querySelectorAll('.standing-text, .talks-status')]
                .map(panel => panel.scrollHeight <= panel.clientHeight)"""
        )
        assert fits == [True, True]
        assert page.evaluate(FIGURE_SIZES) == [[True, True], [True, True]]
        SHOTS.mkdir(parents=True, exist_ok=True)
        size = f"{viewport['width']}x{viewport['height']}"
        page.screenshot(path=str(SHOTS / f"talks-{size}.png"))
        page.get_by_role("tab", name=re.compile("compare", re.I)).click()
        page.locator(".compare .legend").wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / f"compare-{size}.png"))
        assert page.evaluate(HIDDEN_PARTS, ".compare .settled tr.point") == []


def test_the_compare_tab_follows_the_sliders_with_a_labelled_legend(page_server):
    with classroom_page(page_server, PROJECTORS[0]) as page:
        page.get_by_role("tab", name=re.compile("compare", re.I)).click()
        legend = page.locator(".compare .legend text", has_text="no deal")
        legend.wait_for(timeout=60_000)
        assert legend.is_visible()
        for status in ("agreement", "walkout", "escalation"):
            assert page.locator(".compare .legend text", has_text=status).is_visible()
        assert page.locator(".compare .gtitle").text_content() == "How 100 runs end"

        seeds = control(page, "Seeds")
        assert seeds.locator(".setting-value").inner_text() == "100"
        move(page, "Seeds", "ArrowLeft", 2)
        playwright.expect(seeds.locator(".setting-value")).to_have_text("90")
        wait_for_text(page, ".compare", "The outcome mix over 90 seeds")
        page.wait_for_function(MIX_OF, arg=["agreement", "of 90"], timeout=60_000)
        before = mix_table(page)
        assert float(before["mean round"][1]) > 30

        move(page, "Deadline", "ArrowLeft", 30)  # 60 -> 30 rounds: the talks end sooner
        wait_for_text(page, ".compare", "Deadline (rounds): 30 (file 60)")
        page.wait_for_function(MIX_OF, arg=["mean round", "<= 30"], timeout=60_000)
        after = mix_table(page)
        assert [after[what][0] for what in after] == [before[what][0] for what in before]
        assert float(after["mean round"][1]) <= 30 < float(before["mean round"][1])
