"""The demo in a real browser, as a newcomer walks it: the front door, the expert finder, their own
skills, the admin page and an issue's panel, all the pages' own code over the demo's host adapter,
with no stand-in but the demo's own for Jira. A write made there is seen with the printed API token."""
from __future__ import annotations

import os
import re
from typing import Any, Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from addon.demo.site import ADMIN, EXAMPLE_PEOPLE

from .conftest import LiveServer
from .demo_support import demo, demo_database, made  # noqa: F401 (fixtures)

ALEX, MARIA, SAM = (p.account_id for p in EXAMPLE_PEOPLE)
SCREENSHOTS = os.environ.get("PAGE_SCREENSHOTS", "")  # a folder to keep screenshots in, when set


@pytest.fixture
def server(demo: Any) -> Iterator[LiveServer]:
    live = LiveServer(demo[0])
    yield live
    live.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    opened.on("pageerror", lambda err: problems.append(str(err)))
    opened.problems = problems  # type: ignore[attr-defined]
    yield opened
    context.close()
    # A console error is a failure: a script error, or a CSP violation (Chromium logs those as errors).
    assert problems == []


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"demo-{name}.png"), full_page=True)


def go(page: Page, label: str) -> None:
    """Follow a link of the demo's bar (the shell's stand-in for Jira's navigation), and wait for the
    new shell to load: its pickers submit on change only once its script has run."""
    with page.expect_navigation():
        page.get_by_role("navigation", name="The app's pages").get_by_role("link", name=label).click()


def test_a_newcomer_walks_the_demo(page: Page, server: LiveServer, demo: Any) -> None:
    _, started = demo
    page.goto(server.url + "/")
    expect(page).to_have_url(server.url + "/demo/")  # the front door points to the demo
    expect(page.locator("#demo-as option:checked")).to_have_text(re.compile(r"Dana Reyes \(Jira administrator\)"))

    # The expert finder, framed as in Jira: the seed's tree, and people's names from the stand-in.
    finder = page.frame_locator("#demo-page")
    expect(finder.locator("#tree > ul > li")).to_have_count(8)  # 5 categories, 3 skills in none
    finder.get_by_role("button", name="Design").click()
    finder.get_by_role("button", name="UX").click()
    finder.get_by_role("button", name=re.compile(r"^Usability Testing")).click()
    people = finder.get_by_role("list", name="People who know Usability Testing")
    expect(people.get_by_text("Alex Kim")).to_be_visible()
    expect(people.get_by_text("Maria Lopez")).to_be_visible()
    screenshot(page, "finder")
    # A person in the finder opens their page (the host adapter's navigate), where the admin may edit.
    people.get_by_role("button", name="Maria Lopez").click()
    expect(page).to_have_url(re.compile(rf"/demo/user\?as={ADMIN.account_id}&accountId={MARIA}$"))
    theirs = page.frame_locator("#demo-page")
    expect(theirs.locator("h1")).to_have_text("Skills of Maria Lopez")
    expect(theirs.get_by_label("Add a skill")).to_be_visible()

    # Sign in as Alex Kim, one of the seed's people, and add a skill on their own page.
    page.locator("#demo-as").select_option(ALEX)
    expect(page).to_have_url(re.compile(rf"as={ALEX}"))
    go(page, "My skills")
    mine = page.frame_locator("#demo-page")
    expect(mine.locator("h1")).to_have_text("My skills")
    expect(mine.locator("#skill-list li .name")).to_have_text(
        ["Engineering - Beginner", "JavaScript", "HTML/CSS", "User Flows", "Usability Testing"])
    mine.get_by_label("Add a skill").fill("Rust")
    mine.get_by_label("Add a skill").press("Enter")
    expect(mine.locator("#status")).to_have_text("Added Rust.")
    screenshot(page, "my-skills")
    # The API token printed at the start sees the write (the README's first curl line).
    answer = requests.get(f"{server.url}/api/user-skills?accountId={ALEX}",
                          headers={"Authorization": f"Bearer {started.token}"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["skills"][-1] == "Rust"

    # Alex is no administrator: the admin page says so, as in Jira.
    go(page, "Administration")
    refused = page.frame_locator("#demo-page")
    expect(refused.locator("[role=alert]")).to_contain_text("Only Jira administrators may manage User Skills")
    assert [p for p in page.problems if "403" not in p] == []  # type: ignore[attr-defined]
    page.problems.clear()  # type: ignore[attr-defined]

    # As the administrator: the tree editor, and the demo's API token in its tab.
    page.locator("#demo-as").select_option(ADMIN.account_id)
    admin = page.frame_locator("#demo-page")
    expect(admin.locator("#tree-editor")).to_have_attribute("aria-busy", "false")
    expect(admin.locator("#tree-editor")).to_contain_text("Programming languages")
    screenshot(page, "admin")
    admin.get_by_role("tab", name="API tokens").click()
    expect(admin.locator("#token-rows tr td").first).to_have_text("demo")
    screenshot(page, "admin-tokens")

    # An issue's panel: the assignee of DEMO-3 (Sam Patel, the seed's QA person) and their skills.
    go(page, "An issue's panel")
    page.locator("#demo-issue").select_option("DEMO-3")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^DEMO-3: "))
    panel = page.frame_locator("#demo-page")
    expect(panel.locator("#assignee .person-name")).to_have_text("Sam Patel")
    expect(panel.locator("#skill-list li")).to_have_count(4)
    screenshot(page, "panel")
