"""Browser-test helpers: a loopback server for the stand-in all.js, and Jira's side of the iframe.

The stand-in all.js (tests/standin/all.js) asks the test, through a Playwright binding, for what the
real all.js asks Jira: context tokens (signed here with the tenant's shared secret, as Jira signs
them) and answers to AP.request (Jira's REST API for users and issues, faked here).
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import Browser, sync_playwright

from .conftest import JiraActions, LoopbackServer, Tenant, jira_token
from .loopback import answer

STANDIN_DIR = os.path.join(os.path.dirname(__file__), "standin")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# What Jira adds to every iframe URL (and signs with the rest of the query).
JIRA_PARAMS = "xdm_e=https%3A%2F%2Ftenant-a.atlassian.net&xdm_c=channel-skills&cp=&lic=none&cv=1001.0.0"


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, under Playwright: the one browser of the page tests."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test does) to run the page tests.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def close_all(opened: list[Any]) -> None:
    """Close the browser contexts a test opened; any problem one recorded (`.problems`) fails the test."""
    problems = [p for u in opened for p in u.problems]
    for made in opened:
        made.close()
    assert problems == []


def give(jira: JiraActions, tenant: Tenant, account_id: str, skills: list[str]) -> None:
    """Set a user's skills through the API, as that user."""
    response = jira.request(tenant, "PUT", f"/api/user-skills?accountId={account_id}", sub=account_id,
                            json={"skills": skills})
    assert response.status_code == 200, response.get_data(as_text=True)


def rate(jira: JiraActions, tenant: Tenant, account_id: str, levels: dict[str, Any]) -> None:
    """Set a user's levels through the API, as that user (skills they lack are added)."""
    response = jira.request(tenant, "PATCH", f"/api/user-skill-levels?accountId={account_id}", sub=account_id,
                            json={"levels": levels})
    assert response.status_code == 200, response.get_data(as_text=True)


def levels_of(jira: JiraActions, tenant: Tenant, account_id: str) -> list[tuple[str, Any]]:
    """A user's (skill, level) in the order added, as the API answers them."""
    response = jira.request(tenant, "GET", f"/api/user-skill-levels?accountId={account_id}", sub=account_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(entry["name"], entry["level"]) for entry in response.json["skills"]]


class StandInServer(LoopbackServer):
    """Serves the stand-in all.js on loopback, from another origin than the app, as the CDN would."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests.append(self.path)
                name = self.path.split("?")[0].lstrip("/")
                path = os.path.join(STANDIN_DIR, name)
                types = {"all.js": "application/javascript", "host.html": "text/html"}
                if name not in types or not os.path.isfile(path):
                    answer(self, 404)
                    return
                with open(path, "rb") as fh:
                    answer(self, 200, fh.read(), {"Content-Type": types[name] + "; charset=utf-8"})

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)
        self.port = self.httpd.server_address[1]
        self.url += "/all.js"


def avatar(initial: str) -> str:
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='48' height='48'><rect width='48' height='48' fill='#0052CC'/>"
           f"<text x='24' y='31' font-size='20' text-anchor='middle' fill='white'>{initial}</text></svg>")
    return "data:image/svg+xml," + quote(svg)


class JiraFrame:
    """Jira around the iframe, for one viewer of one tenant: tokens, REST answers, navigation."""

    def __init__(self, tenant: Tenant, viewer: str) -> None:
        self.tenant = tenant
        self.viewer = viewer
        self.users: dict[str, str] = {}           # accountId -> displayName Jira shows this viewer
        self.issues: dict[str, str | None] = {}   # issue key -> assignee accountId
        self.editable: set[str] = set()           # issue ids this viewer may edit (GET /rest/api/3/mypermissions)
        self.tokens_signed = 0
        self.bulk_calls: list[list[str]] = []
        self.rest_calls: list[str] = []
        self.navigations: list[dict[str, Any]] = []

    def user_json(self, account_id: str) -> dict[str, Any]:
        name = self.users[account_id]
        return {"accountId": account_id, "accountType": "atlassian", "active": True, "displayName": name,
                "avatarUrls": {size: avatar(name[0]) for size in ("16x16", "24x24", "32x32", "48x48")}}

    def handle(self, source: Any, kind: str, payload: Any) -> Any:
        if kind == "token":
            self.tokens_signed += 1
            return jira_token("GET", "/", self.tenant.client_key, self.tenant.secret, sub=self.viewer, context=True)
        if kind == "context":
            return {"accountId": self.viewer}
        if kind == "navigate":
            self.navigations.append(payload)
            return None
        if kind == "request":
            return self.rest(payload["type"], payload["url"])
        raise ValueError(kind)

    def rest(self, method: str, url: str) -> dict[str, Any]:
        self.rest_calls.append(url)
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        if method == "GET" and parts.path == "/rest/api/3/user/bulk":
            ids = query.get("accountId", [])
            self.bulk_calls.append(ids)
            limit = int(query.get("maxResults", ["10"])[0])
            if not ids:
                return {"status": 400, "body": json.dumps({"errorMessages": ["accountId is required"]})}
            # Jira leaves out the people this viewer may not see (or who no longer exist).
            values = [self.user_json(i) for i in ids if i in self.users][:limit]
            return {"status": 200, "body": json.dumps({"startAt": 0, "maxResults": limit, "total": len(values),
                                                       "isLast": True, "values": values})}
        if method == "GET" and parts.path == "/rest/api/3/mypermissions":
            # The viewer's own permissions on an issue, as Jira answers them.
            issue_id = query.get("issueId", [""])[0]
            wanted = query.get("permissions", [""])[0].split(",")
            if not issue_id or wanted == [""]:
                return {"status": 400, "body": json.dumps({"errorMessages": ["permissions is required"]})}
            return {"status": 200, "body": json.dumps({"permissions": {
                key: {"key": key, "havePermission": key == "EDIT_ISSUES" and issue_id in self.editable}
                for key in wanted}})}
        if method == "GET" and parts.path.startswith("/rest/api/3/issue/"):
            key = parts.path.rsplit("/", 1)[1]
            if key not in self.issues:
                return {"status": 404, "body": json.dumps({"errorMessages": ["Issue does not exist"]})}
            assignee = self.issues[key]
            fields = {"assignee": self.user_json(assignee) if assignee else None}
            return {"status": 200, "body": json.dumps({"key": key, "fields": fields})}
        return {"status": 404, "body": json.dumps({"errorMessages": ["not faked"]})}


def signed_page_url(tenant: Tenant, path: str, sub: str | None, **token_args: Any) -> str:
    """The iframe URL as Jira builds it: the module URL, Jira's parameters, and a jwt bound to them."""
    url = path + ("&" if "?" in path else "?") + JIRA_PARAMS
    token = jira_token("GET", url, tenant.client_key, tenant.secret, sub=sub, **token_args)
    return url + "&jwt=" + token


def add_needed_skill(page: Any, name: str, level: str | None = None) -> None:
    """On the issue panel (either front), add a skill the issue needs, at a minimum level's label if given."""
    field = page.get_by_label("Add a needed skill")
    field.fill(name)
    if level is not None:
        page.get_by_label("Minimum level of the new skill").select_option(label=level)
    field.press("Enter")


def search_skills(page: Any, *names: str) -> None:
    """In the expert finder (either front), add each skill to the ranked search."""
    search = page.get_by_label("Skill", exact=True)
    for name in names:
        search.fill(name)
        search.press("Enter")
