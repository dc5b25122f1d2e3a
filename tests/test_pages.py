"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright, against the app on
loopback. Jira's side (all.js) is the stand-in of tests/standin, whose tokens this test signs."""
from __future__ import annotations

import os
import re
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from .conftest import JiraActions, Tenant
from .pages_support import CHROMIUM, CHROMIUM_ARGS, JiraFrame, StandInServer, signed_page_url

ADMIN = "acc-admin"
ALICE = "acc-alice"
BOB = "acc-bob"
SCREENSHOTS = os.environ.get("PAGE_SCREENSHOTS", "")  # a folder to keep screenshots in, when set


@pytest.fixture(scope="session")
def standin() -> Iterator[StandInServer]:
    server = StandInServer()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config: dict[str, Any], standin: StandInServer) -> dict[str, Any]:
    return {**app_config, "CONNECT_JS_URL": standin.url}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test does) to run the page tests.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Ui:
    """One browser context in which Jira (the stand-in) frames our pages for one viewer."""

    def __init__(self, browser: Browser, live_server: Any, tenant: Tenant, viewer: str) -> None:
        self.live_server = live_server
        self.tenant = tenant
        self.jira = JiraFrame(tenant, viewer)
        self.context = browser.new_context(viewport={"width": 1100, "height": 800})
        self.context.expose_binding("__standInHost", self.jira.handle)
        self.page: Page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda msg: self.problems.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda err: self.problems.append(str(err)))

    def open(self, path: str) -> Page:
        self.page.goto(self.live_server.url + signed_page_url(self.tenant, path, self.jira.viewer))
        return self.page

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            self.page.screenshot(path=os.path.join(SCREENSHOTS, name + ".png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tenant(jira: JiraActions) -> Tenant:
    return jira.install("tenant-a", admins={ADMIN})


@pytest.fixture
def ui(browser: Browser, live_server: Any, tenant: Tenant) -> Iterator[Any]:
    opened: list[Ui] = []

    def make(viewer: str) -> Ui:
        made = Ui(browser, live_server, tenant, viewer)
        opened.append(made)
        return made

    yield make
    problems = [p for u in opened for p in u.problems]
    for made in opened:
        made.close()
    # A console error is a failure: a script error, or a CSP violation (Chromium logs those as errors).
    assert problems == []


def give(jira: JiraActions, tenant: Tenant, account_id: str, skills: list[str]) -> None:
    response = jira.request(tenant, "PUT", f"/api/user-skills?accountId={account_id}", sub=account_id,
                            json={"skills": skills})
    assert response.status_code == 200, response.get_data(as_text=True)


def skills_of(jira: JiraActions, tenant: Tenant, account_id: str) -> list[str]:
    response = jira.request(tenant, "GET", f"/api/user-skills?accountId={account_id}", sub=account_id)
    assert response.status_code == 200
    return response.json["skills"]


def skill_names(page: Page) -> list[str]:
    return page.locator("#skill-list li .name").all_inner_texts()


# ---------------------------------------------------------------------------------------------
# A person's skills

def test_my_skills_add_with_enter_and_remove(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python", "SQL"])
    jira.request(tenant, "PUT", f"/api/user-skills?accountId={BOB}", sub=BOB, json={"skills": ["Kubernetes"]})
    me = ui(ALICE)
    me.jira.users[ALICE] = "Alice Example"
    page = me.open("/pages/user?accountId=")  # the profile menu's link: {ac.accountId} is empty

    expect(page.locator("h1")).to_have_text("My skills")
    expect(page.locator("#skill-list li")).to_have_count(2)
    assert skill_names(page) == ["Python", "SQL"]
    # The catalogue suggests what the person does not have yet.
    expect(page.locator("#skill-suggestions option")).to_have_count(1)
    assert page.locator("#skill-suggestions option").get_attribute("value") == "Kubernetes"

    field = page.get_by_label("Add a skill")
    field.fill("  Rust  ")
    field.press("Enter")
    expect(page.locator("#skill-list li")).to_have_count(3)
    expect(page.locator("#status")).to_have_text("Added Rust.")
    assert skill_names(page) == ["Python", "SQL", "Rust"]
    assert skills_of(jira, tenant, ALICE) == ["Python", "SQL", "Rust"]
    expect(field).to_be_focused()
    expect(field).to_have_value("")

    # The same skill in another case is already there: nothing changes.
    field.fill("python")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#status")).to_have_text("Already listed: Python.")
    assert skills_of(jira, tenant, ALICE) == ["Python", "SQL", "Rust"]

    me.screenshot("user-own")
    page.get_by_role("button", name="Remove SQL").click()
    expect(page.locator("#skill-list li")).to_have_count(2)
    expect(page.locator("#status")).to_have_text("Removed SQL.")
    assert skills_of(jira, tenant, ALICE) == ["Python", "Rust"]
    # The keyboard stays in the list: focus moved to the next skill's remove button.
    expect(page.get_by_role("button", name="Remove Rust")).to_be_focused()
    assert me.jira.tokens_signed >= 4  # every API call asked Jira for a token
    assert page.evaluate("window.__standInResizes") > 0


def test_bad_skill_name_is_refused_and_nothing_changes(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python"])
    page = ui(ALICE).open("/pages/user")
    expect(page.locator("#skill-list li")).to_have_count(1)
    page.get_by_label("Add a skill").evaluate("(input) => input.removeAttribute('maxlength')")
    page.get_by_label("Add a skill").fill("x" * 101)
    page.get_by_label("Add a skill").press("Enter")
    expect(page.locator("#status")).to_have_text("A skill name has at most 100 characters.")
    assert skills_of(jira, tenant, ALICE) == ["Python"]


def test_someone_elses_skills_are_read_only(ui, jira, tenant):
    give(jira, tenant, BOB, ["Go", "Terraform"])
    me = ui(ALICE)
    me.jira.users[BOB] = "Bob Builder"
    page = me.open(f"/pages/user?accountId={BOB}")
    expect(page.locator("h1")).to_have_text("Skills of Bob Builder")
    expect(page.locator("#skill-list li")).to_have_count(2)
    assert skill_names(page) == ["Go", "Terraform"]
    expect(page.get_by_label("Add a skill")).to_have_count(0)
    expect(page.locator("button.remove")).to_have_count(0)
    expect(page.locator("#read-only-note")).to_be_visible()
    me.screenshot("user-other")


def test_admin_edits_someone_elses_skills(ui, jira, tenant):
    give(jira, tenant, BOB, ["Go"])
    page = ui(ADMIN).open(f"/pages/user?accountId={BOB}")
    # Jira does not show Bob to this viewer: the page falls back to the account id.
    expect(page.locator("h1")).to_have_text(f"Skills of {BOB}")
    page.get_by_label("Add a skill").fill("Helm")
    page.get_by_label("Add a skill").press("Enter")
    expect(page.locator("#skill-list li")).to_have_count(2)
    assert skills_of(jira, tenant, BOB) == ["Go", "Helm"]
    page.get_by_role("button", name="Remove Go").click()
    expect(page.locator("#skill-list li")).to_have_count(1)
    assert skills_of(jira, tenant, BOB) == ["Helm"]
