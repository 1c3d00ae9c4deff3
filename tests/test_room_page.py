"""End to end: `negsim app --room` in headless chromium (Debian's, driven by Playwright).
A teacher and two students, each in a browser context of their own, play scripted games
to an agreement and to a walkout; both students see the debrief; a closed tab rejoins
its seat; two rooms run at once without mixing; no request leaves loopback.

Skipped where no chromium is installed, unless NEGSIM_REQUIRE_BROWSER is set (as `.ci/run`
does), in which case a missing browser fails."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import CHROMIUM, FLAGS, free_port, require_browser

ROOT = Path(__file__).parent.parent
WAIT_MS = 30_000

playwright = require_browser()


@pytest.fixture(scope="module")
def rooms(tmp_path_factory):
    """`negsim app scenarios/first_lesson.yaml --room` on a free port: (teacher's URL, the
    first room's code)."""
    log_path = tmp_path_factory.mktemp("rooms") / "server.log"
    log = log_path.open("w")
    negsim = Path(sys.executable).with_name("negsim")
    server = subprocess.Popen(
        [str(negsim), "app", "scenarios/first_lesson.yaml", "--room", "--port", str(free_port())],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    started = re.compile(r"(http://\S+/teacher\?key=\S+).*?code ([A-Z]{4})", re.S)
    while not (found := started.search(log_path.read_text())):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"the room server did not start: {log_path.read_text()}")
        time.sleep(0.1)
    yield found.group(1), found.group(2)
    server.terminate()
    server.wait(10)
    assert "Traceback" not in log_path.read_text()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def hosts():
    return set()


def context(browser, hosts: set, width=1400, height=1000):
    """A new browser context (a device of its own) that records every host it asks."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    return ctx


def open_room(teacher, scenario="first_lesson.yaml") -> str:
    """The teacher opens a room on the page; its code."""
    before = set(teacher.locator("[data-room]").evaluate_all("els => els.map(e => e.dataset.room)"))
    teacher.select_option("#scenario", scenario)
    teacher.click("#open button[type=submit]")
    teacher.wait_for_function(
        "n => document.querySelectorAll('[data-room]').length > n", arg=len(before)
    )
    codes = teacher.locator("[data-room]").evaluate_all("els => els.map(e => e.dataset.room)")
    (code,) = set(codes) - before
    return code


def join(page, base: str, code: str, party: str, name: str) -> None:
    page.goto(f"{base}/")
    page.fill("#code", code)
    page.click("#join button[type=submit]")
    page.fill("#name", name)
    page.click(f"#seat-buttons button[data-seat={party}]")
    page.wait_for_selector("#you:has-text('you are')")


def start(teacher, code: str) -> None:
    teacher.click(f"[data-room={code}] [data-action=start]:not([disabled])")


def answer_until_the_end(students: dict, script) -> None:
    """Each round, every student answers as `script(party, round)` says ("accept",
    "reject", "leave"), until the debrief link shows."""
    deadline = time.monotonic() + 60
    while not all(page.locator("#ended").is_visible() for page in students.values()):
        for party, page in students.items():
            question = page.locator("#question-title")
            title = question.inner_text() if question.is_visible() else ""
            found = re.match(r"Round (\d+): accept", title)
            if not found:
                continue
            move = script(party, int(found.group(1)))
            if move == "accept" and page.locator("#accept").is_enabled():
                page.click("#accept")
            elif move == "leave":
                page.click("#leave")
                page.click("#leave")
            else:
                page.locator("input[name=push]").first.check()
                page.click("#reject")
            page.wait_for_function(
                "t => document.querySelector('#question-title').innerText !== t", arg=title
            )
        assert time.monotonic() < deadline, "the scripted game did not end"
        time.sleep(0.1)


def test_two_students_play_to_an_agreement_and_to_a_walkout_and_both_see_the_debrief(
    rooms, browser, hosts, tmp_path
):
    teacher_url, first_code = rooms
    base = teacher_url.split("/teacher")[0]
    teacher = context(browser, hosts).new_page()
    teacher.goto(teacher_url)
    teacher.wait_for_selector(f"[data-room={first_code}]")
    students = {
        "ukraine": context(browser, hosts).new_page(),
        "russia": context(browser, hosts, 900, 1000).new_page(),
    }
    join(students["ukraine"], base, first_code, "ukraine", "Ana")
    join(students["russia"], base, first_code, "russia", "Bo")
    teacher.wait_for_selector(f"[data-room={first_code}] [data-seat=russia]:has-text('Bo')")
    start(teacher, first_code)

    # to an agreement: Ukraine pushes a point in round 1, then both accept
    answer_until_the_end(
        students, lambda party, r: "reject" if (party, r) == ("ukraine", 1) else "accept"
    )
    for page in students.values():
        assert "agreement" in page.inner_text("#outcome")
        page.click("#debrief")
        page.wait_for_selector("text=Debrief:")
        body = page.inner_text("body")
        assert "Ukraine: Ana" in body and "Russia: Bo" in body
        assert "seeds 1-50" in body and "Nash package" in body
        page.go_back()
    with students["ukraine"].expect_download() as saving:
        students["ukraine"].click("#save-debrief")
    saved = tmp_path / "debrief.html"
    saving.value.save_as(saved)
    offline = browser.new_context(offline=True).new_page()  # the saved page, no network
    offline.goto(saved.as_uri())
    offline.wait_for_selector(".js-plotly-plot .main-svg")
    assert offline.evaluate("typeof Plotly") == "object" and "Ukraine: Ana" in offline.inner_text(
        "body"
    )
    teacher.wait_for_selector(f"[data-room={first_code}] a.debrief")
    teacher.click(f"[data-room={first_code}] [data-action=reveal]")
    students["russia"].wait_for_selector("#values-title:has-text('revealed')", timeout=WAIT_MS)
    assert students["russia"].locator("#values table").count() == 3  # every party's values

    # to a walkout, in a second room: Russia leaves the table in round 1
    code = open_room(teacher)
    join(students["ukraine"], base, code, "ukraine", "Ana")
    join(students["russia"], base, code, "russia", "Bo")
    start(teacher, code)
    answer_until_the_end(students, lambda party, r: "leave" if party == "russia" else "accept")
    for page in students.values():
        assert "walkout" in page.inner_text("#outcome")
        page.click("#debrief")
        page.wait_for_selector("text=Debrief:")
        assert "Walkout in round 1" in page.inner_text("#outcome")
    assert hosts == {"127.0.0.1"}, f"requests left loopback: {hosts}"


def test_a_closed_tab_rejoins_its_seat_and_two_rooms_do_not_mix(rooms, browser, hosts):
    teacher_url, _ = rooms
    base = teacher_url.split("/teacher")[0]
    teacher = context(browser, hosts).new_page()
    teacher.goto(teacher_url)
    first, second = open_room(teacher), open_room(teacher)
    device = context(browser, hosts)
    tab = device.new_page()
    join(tab, base, first, "ukraine", "Cleo")
    other = context(browser, hosts).new_page()
    join(other, base, second, "russia", "Dan")
    start(teacher, first)
    tab.wait_for_selector("#accept")
    tab.close()

    again = device.new_page()  # the same device: its seat is kept in the browser
    again.goto(f"{base}/room/{first}")
    again.wait_for_selector("#you:has-text('you are Ukraine')")
    assert not again.locator("#picker").is_visible()
    again.wait_for_selector("#accept")

    elsewhere = device.new_page()  # the same device in the second room has no seat there
    elsewhere.goto(f"{base}/room/{second}")
    elsewhere.wait_for_selector("#seat-buttons button[data-seat=ukraine]")
    assert elsewhere.locator("#seat-buttons button[data-seat=ukraine]").is_enabled()
    assert elsewhere.locator("#seat-buttons button[data-seat=russia]").is_disabled()
    card = teacher.locator(f"[data-room={second}]")
    teacher.wait_for_selector(f"[data-room={second}] [data-seat=russia]:has-text('Dan')")
    assert "Cleo" not in card.inner_text() and "not started" in card.inner_text()
    assert hosts == {"127.0.0.1"}, f"requests left loopback: {hosts}"
