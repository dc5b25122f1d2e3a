"""The Forge Custom UI pages in a real browser, against the app on loopback.

The pages are the Forge build (forge/build.mjs) with tests/standin/forge-bridge.js in place of
@forge/bridge, served from the app's own origin (as Forge's proxy makes /api calls same-site). The
test plays Forge: it signs FITs with its own RSA key, published by a JWKS server on loopback that the
app is configured to trust, and answers requestJira from fixture data. The end-to-end tests need the
backend's Forge support (addon.forge) and skip only when it is absent.
"""
from __future__ import annotations

import importlib.util
import mimetypes
import os
import re
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import JiraActions, Tenant
from .fits import JwksServer, fit_claims, sign_fit
from .forge_support import build
from .pages_support import STANDIN_DIR, JiraFrame, add_needed_skill, close_all, give, levels_of, rate, search_skills

APP_ID = "ari:cloud:ecosystem::app/5d2c7a1e-8b3f-4c6d-9e0a-1b2c3d4e5f60"
CLOUD_ID = "0c5a3e7f-1d2b-4a6c-8e9f-a0b1c2d3e4f5"
INSTALLATION = "ari:cloud:ecosystem::installation/7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
ADMIN, ALICE, BOB = "acc-admin", "acc-alice", "acc-bob"
FORGE_BACKEND = importlib.util.find_spec("addon.forge") is not None
needs_forge_backend = pytest.mark.skipif(not FORGE_BACKEND, reason="the backend has no Forge support (addon.forge)")


class ForgeKeys(JwksServer):
    """Forge's token-signing keys as a JWKS document on loopback (tests/fits.py), and FITs signed with them."""

    def __init__(self) -> None:
        super().__init__()
        self.kid, self.key = self.new_key()

    def fit(self, principal: str, api_base_url: str, module: str) -> str:
        """A FIT with the claims the Forge docs show for a UI module's remote call."""
        claims = fit_claims(INSTALLATION, api_base_url, CLOUD_ID, principal, exp_in=25, audience=APP_ID)
        claims["app"].update(id=APP_ID, module={"type": module, "key": "skills"})
        return sign_fit(claims, self.key, self.kid)


@pytest.fixture(scope="module")
def forge_keys() -> Iterator[ForgeKeys]:
    keys = ForgeKeys()
    yield keys
    keys.stop()


@pytest.fixture(scope="module")
def forge_pages(tmp_path_factory) -> str:
    return build(out=str(tmp_path_factory.mktemp("forge-static")),
                 bridge=os.path.join(STANDIN_DIR, "forge-bridge.js"))


@pytest.fixture
def app_config(app_config: dict[str, Any], forge_keys: ForgeKeys) -> dict[str, Any]:
    return {**app_config, "FORGE_APP_ID": APP_ID, "FORGE_JWKS_URL": forge_keys.url}




class ForgeUi:
    """One browser context in which Forge (the stand-in bridge) shows one resource to one viewer."""

    RESOURCES = {"global": "jira:globalPage", "user": "jira:personalSettingsPage",
                 "panel": "jira:issueContext", "admin": "jira:adminPage"}

    def __init__(self, browser: Browser, live_server: Any, pages: str, keys: ForgeKeys, jira_url: str,
                 tenant: Tenant, viewer: str) -> None:
        self.live_server, self.pages, self.keys, self.jira_url = live_server, pages, keys, jira_url
        self.viewer = viewer
        self.jira = JiraFrame(tenant, viewer)  # its users and issues answer requestJira
        self.fits_signed = 0
        self.navigations: list[Any] = []
        self.api_authorizations: list[str] = []
        self.extension: dict[str, Any] = {}
        self.route = "/"
        self.module = ""
        self.context = browser.new_context(viewport={"width": 1100, "height": 800})
        self.context.expose_binding("__forgeHost", self.handle)
        self.context.route(live_server.url + "/__forge/**", self.serve)
        self.page: Page = self.context.new_page()
        self.page.on("request", lambda r: self.api_authorizations.append(r.headers.get("authorization", ""))
                     if "/api/" in r.url else None)
        self.problems: list[str] = []
        self.page.on("pageerror", lambda err: self.problems.append(str(err)))

    def serve(self, route: Any) -> None:
        relative = route.request.url.split("/__forge/", 1)[1].split("?")[0]
        path = os.path.normpath(os.path.join(self.pages, relative))
        if not path.startswith(self.pages) or not os.path.isfile(path):
            route.fulfill(status=404, body="")
            return
        route.fulfill(path=path, content_type=mimetypes.guess_type(path)[0] or "application/octet-stream")

    def handle(self, source: Any, kind: str, payload: Any) -> Any:
        if kind == "fit":
            self.fits_signed += 1
            return {"token": self.keys.fit(self.viewer, self.jira_url, self.RESOURCES[self.module]),
                    "systemToken": "forge-system-token-for-tests", "baseUrl": self.live_server.url}
        if kind == "context":
            return {"accountId": self.viewer, "cloudId": CLOUD_ID, "moduleKey": self.module,
                    "extension": {"type": self.RESOURCES[self.module], **self.extension}, "route": self.route}
        if kind == "requestJira":
            return self.jira.rest(payload["method"], payload["path"])
        if kind == "navigate":
            self.navigations.append(payload)
            return None
        raise ValueError(kind)

    def open(self, resource: str, route: str = "/", **extension: Any) -> Page:
        self.module, self.route, self.extension = resource, route, extension
        self.page.goto(f"{self.live_server.url}/__forge/{resource}/index.html")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tenant(jira: JiraActions) -> Tenant:
    # The site's Connect install (same cloudId) holds the data its Forge app sees.
    return jira.install("tenant-a", admins={ADMIN}, cloud_id=CLOUD_ID)


@pytest.fixture
def forge_ui(browser, live_server, forge_pages, forge_keys, fake_jira, tenant) -> Iterator[Any]:
    opened: list[ForgeUi] = []

    def make(viewer: str) -> ForgeUi:
        # The FITs' app.apiBaseUrl: the site's API as the fake Jira serves it to Forge remotes.
        api_base_url = fake_jira.forge_site(CLOUD_ID, "forge-system-token-for-tests", {ADMIN})
        made = ForgeUi(browser, live_server, forge_pages, forge_keys, api_base_url, tenant, viewer)
        opened.append(made)
        return made

    yield make
    close_all(opened)


def test_forge_pages_call_the_app_with_a_fit_through_the_bridge(forge_ui):
    """The build and the stand-in together: the global page picks its view and calls /api with a FIT."""
    me = forge_ui(ALICE)
    page = me.open("global")
    expect(page.locator("#skills-view #tree")).to_have_count(1)   # the finder's view, stamped
    expect(page.locator("#skills-view #skill-list")).to_have_count(0)
    for _ in range(200):
        if me.api_authorizations:
            break
        page.wait_for_timeout(25)
    assert me.fits_signed >= 1
    assert me.api_authorizations and all(a.startswith("Bearer ey") for a in me.api_authorizations)


# --- End to end: need the backend's Forge support --------------------------------------------------

@needs_forge_backend
def test_forge_finder_finds_experts(forge_ui, jira, tenant):
    # The Connect install of the same site (cloudId) holds the data the Forge app sees.
    give(jira, tenant, ALICE, ["Python", "Go"])
    give(jira, tenant, BOB, ["Python"])
    me = forge_ui(BOB)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder"})
    page = me.open("global")
    search = page.get_by_label("Skill", exact=True)
    expect(page.locator("#tree > ul > li")).to_have_count(2)
    search.fill("python")
    search.press("Enter")
    search.fill("GO")
    search.press("Enter")
    expect(page.locator(".search-summary")).to_have_text("2 people match; 1 has all of: Python, Go.")
    people = page.get_by_role("list", name="People for Python, Go")
    expect(people.locator(".person-name")).to_have_text(["Alice Example", "Bob Builder"])
    people.get_by_role("button", name="Alice Example").click()  # the person's view, in the same page
    expect(page.locator("#skills-view #skill-list li .name")).to_have_text(["Python", "Go"])
    expect(page.locator("h1")).to_have_text("Skills of Alice Example")


@needs_forge_backend
def test_forge_user_edits_own_skills(forge_ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python"])
    me = forge_ui(ALICE)
    page = me.open("user")
    expect(page.locator("h1")).to_have_text("My skills")
    expect(page.locator("#skill-list li .name")).to_have_text(["Python"])
    page.get_by_label("Add a skill").fill("straße")
    page.get_by_label("Add a skill").press("Enter")
    expect(page.locator("#status")).to_have_text("Added straße.")
    page.get_by_role("button", name="Remove Python").click()
    expect(page.locator("#skill-list li .name")).to_have_text(["straße"])
    response = jira.request(tenant, "GET", f"/api/user-skills?accountId={ALICE}", sub=ALICE)
    assert response.json["skills"] == ["straße"]


@needs_forge_backend
def test_forge_admin_page_refuses_a_non_admin(forge_ui, jira, tenant):
    me = forge_ui(ALICE)
    page = me.open("admin")
    expect(page.get_by_role("alert")).to_have_text("Only Jira administrators may manage User Skills.")
    expect(page.locator("#tree-editor")).to_have_count(0)
    expect(page.locator("#token-form")).to_have_count(0)
    assert jira.request(tenant, "GET", "/api/tokens", sub=ADMIN).json["tokens"] == []


# --- The issue panel's needed skills and the ranked finder, through Forge (issue 22) ----------------

@pytest.fixture
def skilled(app, jira, tenant, fake_jira):
    """People with levels; on the Forge site's Jira, ALICE may edit issue 10001 and BOB may browse it."""
    from .issue_support import grant, set_levels
    from .test_issue_skills import tenant_id

    holdings = {ALICE: ["Python", "Go"], BOB: ["Python", "Go", "Figma"], "acc-dan": ["Go"]}
    assert jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN,
                        json={"skillsByAccountId": holdings}).status_code == 200
    set_levels(app, tenant_id(app), ALICE, {"Python": 4, "Go": 2})
    set_levels(app, tenant_id(app), BOB, {"Python": 2, "Go": 3})
    fake_jira.forge_site(CLOUD_ID, "forge-system-token-for-tests", {ADMIN})
    site = fake_jira.site_data(CLOUD_ID)
    grant(site, ALICE, "BROWSE_PROJECTS", 10001)
    grant(site, ALICE, "EDIT_ISSUES", 10001)
    grant(site, BOB, "BROWSE_PROJECTS", 10001)
    site["open_issues"] = {ALICE: 3, BOB: 0}
    return site


NAMES = {ALICE: "Alice Example", BOB: "Bob Builder", "acc-dan": "Dan Diaz"}


@needs_forge_backend
def test_forge_issue_panel_editor_sets_needed_skills_and_sees_the_ranking(forge_ui, skilled, fake_jira):
    me = forge_ui(ALICE)
    me.jira.users.update(NAMES)
    me.jira.issues["PRJ-1"] = BOB
    me.jira.editable.add("10001")
    page = me.open("panel", issue={"key": "PRJ-1", "id": "10001"})
    add_needed_skill(page, "Go", "at least Proficient")
    expect(page.locator("#needed-status")).to_have_text("Added Go.")
    add_needed_skill(page, "Python")
    ranked = page.get_by_role("list", name="Who could take this issue")
    # Bob meets both (Go 3 >= 3); Alice's Go 2 is below Proficient; Dan's Go is not rated.
    expect(ranked.locator(".person-name")).to_have_text(["Bob Builder", "Alice Example"])
    expect(ranked.locator(".why")).to_have_text(["covers all 2", "covers 1 of 2, missing Go"])
    expect(ranked.locator(".open-issues")).to_have_text(["no open issues", "3 open issues"])
    assert fake_jira.issue_property(CLOUD_ID, "10001") == {"skills": ["Go", "Python"]}
    if os.environ.get("PAGE_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["PAGE_SCREENSHOTS"], "forge-issue-panel.png"), full_page=True)


@needs_forge_backend
def test_forge_issue_panel_is_read_only_for_a_non_editor(forge_ui, jira, tenant, skilled):
    assert jira.request(tenant, "PUT", "/api/issue-skills?issueId=10001", sub=ADMIN,
                        json={"skills": [{"name": "Python", "minLevel": 4}]}).status_code == 200
    me = forge_ui(BOB)
    me.jira.users.update(NAMES)
    me.jira.issues["PRJ-1"] = ALICE
    page = me.open("panel", issue={"key": "PRJ-1", "id": "10001"})
    expect(page.locator("#needed-list li .name")).to_have_text(["Python"])
    expect(page.locator("#needed-list .min-level")).to_have_text(["at least Expert"])
    expect(page.locator("#needed-form")).to_be_hidden()
    expect(page.locator("#needed-list button, #needed-list select")).to_have_count(0)
    ranked = page.get_by_role("list", name="Who could take this issue")
    expect(ranked.locator(".person-name")).to_have_text(["Alice Example"])
    expect(ranked.locator(".levels")).to_have_text(["Python: Expert"])


@needs_forge_backend
def test_forge_finder_ranks_people_with_minimum_levels(forge_ui, skilled):
    me = forge_ui(BOB)
    me.jira.users.update(NAMES)
    page = me.open("global")
    expect(page.locator("#tree > ul > li")).to_have_count(3)
    search_skills(page, "Go", "Python")
    page.get_by_label("Minimum level of Go").select_option(label="at least Proficient")
    ranked = page.get_by_role("list", name="People for Go, Python")
    # Dan's Go is not rated: it does not meet "at least Proficient", and he holds nothing else asked.
    expect(ranked.locator(".person-name")).to_have_text(["Bob Builder", "Alice Example"])
    expect(ranked.locator(".why")).to_have_text(["covers all 2", "covers 1 of 2, missing Go"])
    if os.environ.get("PAGE_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["PAGE_SCREENSHOTS"], "forge-finder-ranked.png"), full_page=True)


# --- Levels on the Forge front: the same page code over host-forge.js -------------------------------

SCREENSHOTS = os.environ.get("PAGE_SCREENSHOTS", "")


def shot(ui: ForgeUi, name: str) -> None:
    if SCREENSHOTS:
        ui.page.screenshot(path=os.path.join(SCREENSHOTS, name + ".png"), full_page=True)


@needs_forge_backend
def test_forge_my_skills_rate_with_the_keyboard_and_add_at_a_level(forge_ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python"])
    me = forge_ui(ALICE)
    page = me.open("user")
    picker = page.get_by_label("Level of Python")
    expect(picker).to_have_value("")
    picker.focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#status")).to_have_text("Python: Beginner.")
    page.get_by_label("Add a skill").fill("Go")
    page.get_by_label("Level", exact=True).select_option(label="Proficient")
    page.get_by_label("Add a skill").press("Enter")
    expect(page.locator("#status")).to_have_text("Added Go (Proficient).")
    assert levels_of(jira, tenant, ALICE) == [("Python", 1), ("Go", 3)]
    shot(me, "forge-user-levels")


@needs_forge_backend
def test_forge_finder_lists_levels_filters_and_a_persons_levels_are_read_only(forge_ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python"])
    give(jira, tenant, BOB, ["Python"])
    rate(jira, tenant, BOB, {"Python": 4})
    me = forge_ui(ALICE)
    me.jira.users.update({ALICE: "Alice Example", BOB: "Bob Builder"})
    page = me.open("global")
    page.get_by_role("button", name=re.compile(r"^Python")).click()
    people = page.get_by_role("list", name="People who know Python")
    expect(people.locator("li")).to_have_text(["Bob BuilderExpert", "Alice Example"])
    page.get_by_label("Level", exact=True).select_option(label="At least Proficient")
    expect(people.locator(".person-name")).to_have_text(["Bob Builder"])
    shot(me, "forge-finder-levels")
    people.get_by_role("button", name="Bob Builder").click()  # the person's view, in the same page
    expect(page.locator("h1")).to_have_text("Skills of Bob Builder")
    expect(page.locator("#skill-list li")).to_have_text(["PythonExpert"])
    expect(page.locator("#skill-list select")).to_have_count(0)


@needs_forge_backend
def test_forge_issue_panel_shows_the_assignees_levels(forge_ui, jira, tenant):
    give(jira, tenant, ALICE, ["Python", "Go"])
    rate(jira, tenant, ALICE, {"Go": 2})
    me = forge_ui(BOB)
    me.jira.users[ALICE] = "Alice Example"
    me.jira.issues["PRJ-7"] = ALICE
    page = me.open("panel", issue={"key": "PRJ-7", "id": "10007"})
    expect(page.locator("#assignee .person-name")).to_have_text("Alice Example")
    expect(page.locator("#skill-list li")).to_have_text(["Python", "GoCompetent"])
    shot(me, "forge-issue-panel-levels")


@needs_forge_backend
def test_forge_admin_edits_the_scale_and_splits_suffixes(forge_ui, jira, tenant):
    give(jira, tenant, ALICE, ["Go - Expert", "SQL"])
    rate(jira, tenant, BOB, {"Rust": 4})
    me = forge_ui(ADMIN)
    page = me.open("admin")
    expect(page.locator("#tree-editor")).to_have_attribute("aria-busy", "false")  # the page's script runs
    page.get_by_role("tab", name="Levels").click()
    expect(page.get_by_label("Name of level 4")).to_have_value("Expert")
    page.get_by_role("button", name="Preview the split").click()
    expect(page.locator("#split-heading")).to_have_text("1 skill becomes a level; 2 holdings change.")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("#split-applied")).to_have_text("Done: 1 skill became a level; 2 holdings changed.")
    assert levels_of(jira, tenant, ALICE) == [("Go", 4), ("SQL", None)]
    page.get_by_role("button", name="Remove level 4").click()
    expect(page.locator("#scale-effect")).to_have_text(
        "Saving 3 levels moves 2 ratings at Expert (level 4) down to Proficient (level 3). "
        "Skills that issues need above level 3 will need Proficient.")
    page.get_by_role("button", name="Save levels").click()
    expect(page.locator("#status")).to_have_text("Saved: 3 levels; experts from Proficient up.")
    assert levels_of(jira, tenant, ALICE) == [("Go", 3), ("SQL", None)]
    shot(me, "forge-admin-levels")
    page.get_by_role("tab", name="People's skills (CSV)").click()
    page.get_by_label("CSV file").set_input_files(files=[{
        "name": "s.csv", "mimeType": "text/csv", "buffer": f"accountId,skill,level\n{ALICE},SQL,beginner\n".encode()}])
    page.get_by_role("button", name="Preview changes").click()
    expect(page.locator("#csv-preview-heading")).to_have_text(
        "Preview: 1 person changes (0 skills added, 1 removed, 1 levels changed); 0 unchanged.")
    page.get_by_role("button", name="Apply changes").click()
    expect(page.locator("#csv-applied")).to_be_visible()
    assert levels_of(jira, tenant, ALICE) == [("SQL", 1)]
