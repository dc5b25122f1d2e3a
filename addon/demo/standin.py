"""Jira, for the demo site: a stand-in inside the app that answers what the app and its pages ask Jira.

Two ways in, one table of answers (ROUTES):
- the app's own calls (the permission check, the open-issue counts, the issues' properties) reach it through its `transport()`, a requests adapter mounted on the Connect front's Jira client
  for the demo site's base URL: nothing leaves the process. They are checked as Jira checks them:
  an HS256 JWT signed with the demo site's secret, `iss` the app key, `qsh` of the call.
- the pages' calls (people's names, an issue's assignee) come through GET /demo/jira/<path>
  (views.py), as the signed-in person.

A feature that makes a new call to Jira adds its answer here: one function and one line of ROUTES.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qs, quote, urlsplit

import requests
import requests.adapters
from requests.structures import CaseInsensitiveDict

from ..connect.jwt import TokenError, check_qsh, request_query_string_hash, unverified_parts, verify_hs256
from .site import DemoSite, Person

# Where the demo site's Jira is, as far as the app knows: the tenant's base URL. A reserved name
# (RFC 2606) that resolves nowhere, so that no call for the demo site can leave the process.
BASE_URL = "https://jira.demo.invalid"


@dataclass(frozen=True)
class Call:
    """One request to the stand-in: its path's parameters, query, JSON body and who asks."""

    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    viewer: str | None  # the signed-in person for the pages' calls; None for the app's own


Answer = tuple[int, Any]  # HTTP status and the JSON body


def _error(status: int, message: str) -> Answer:
    return status, {"errorMessages": [message], "errors": {}}


def _avatar(person: Person) -> str:
    """A picture of the person's initials, as a data URL (the pages allow data: images)."""
    initials = "".join(part[0] for part in person.display_name.split()[:2]).upper()
    hue = int(person.account_id[:6], 16) % 360
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='48' height='48'>"
           f"<rect width='48' height='48' fill='hsl({hue},55%,40%)'/>"
           f"<text x='24' y='31' font-family='sans-serif' font-size='18' text-anchor='middle' fill='white'>"
           f"{initials}</text></svg>")
    return "data:image/svg+xml," + quote(svg)


def user_json(person: Person) -> dict[str, Any]:
    """A user as Jira's REST API shows one."""
    avatar = _avatar(person)
    return {"accountId": person.account_id, "accountType": "atlassian", "active": True,
            "displayName": person.display_name,
            "avatarUrls": {size: avatar for size in ("16x16", "24x24", "32x32", "48x48")}}


# ---------------------------------------------------------------------------------------------
# The answers, one function a call

def permissions_check(jira: StandInJira, call: Call) -> Answer:
    """POST /rest/api/3/permissions/check: ADMINISTER for the site's administrators; on the demo's
    issues everyone has every project permission asked for (a site with one open project)."""
    site = jira.site
    body = call.body if isinstance(call.body, dict) else {}
    person = site.person(body.get("accountId"))
    asked = body.get("globalPermissions") or []
    granted = ["ADMINISTER"] if person is not None and person.admin and "ADMINISTER" in asked else []
    projects = []
    for entry in body.get("projectPermissions") or []:
        issues = [i for i in entry.get("issues") or [] if person is not None and site.issue(str(i))]
        projects += [{"permission": p, "issues": issues, "projects": []} for p in entry.get("permissions") or []]
    return 200, {"globalPermissions": granted, "projectPermissions": projects}


def users_bulk(jira: StandInJira, call: Call) -> Answer:
    """GET /rest/api/3/user/bulk?accountId=...: the people of the site among those asked for."""
    ids = call.query.get("accountId", [])
    limit_text = (call.query.get("maxResults") or ["10"])[0]
    if not ids or not (limit_text.isascii() and limit_text.isdigit()) or not 1 <= int(limit_text) <= 200:
        return _error(400, "accountId is required, and maxResults must be 1 to 200.")
    limit = int(limit_text)
    people = [p for p in (jira.site.person(i) for i in ids) if p is not None][:limit]
    return 200, {"startAt": 0, "maxResults": limit, "total": len(people), "isLast": True,
                 "values": [user_json(p) for p in people]}


NO_ISSUE = "Issue does not exist or you do not have permission to see it."


def user_search(jira: StandInJira, call: Call) -> Answer:
    """GET /rest/api/3/user/search?query=...: the people with a word of their name starting with the query."""
    query = (call.query.get("query") or [""])[0].casefold().strip()
    limit_text = (call.query.get("maxResults") or ["50"])[0]
    if not (limit_text.isascii() and limit_text.isdigit()) or not 1 <= int(limit_text) <= 1000:
        return _error(400, "maxResults must be 1 to 1000.")
    found = [p for p in sorted(jira.site.people, key=lambda p: p.display_name)
             if query and any(word.startswith(query) for word in p.display_name.casefold().split())]
    return 200, [user_json(p) for p in found[:int(limit_text)]]


def issue(jira: StandInJira, call: Call) -> Answer:
    """GET /rest/api/3/issue/{issue}: its key, summary and assignee."""
    found = jira.site.issue(call.params["issue"])
    if found is None:
        return _error(404, NO_ISSUE)
    assignee = jira.site.person(found.assignee)
    return 200, {"id": found.id, "key": found.key,
                 "fields": {"summary": found.summary, "assignee": user_json(assignee) if assignee else None}}


def my_permissions(jira: StandInJira, call: Call) -> Answer:
    """GET /rest/api/3/mypermissions?issueId=...&permissions=...: on the demo's issues the signed-in
    person has every permission asked for (one open project), on anything else none."""
    asked = [p for text in call.query.get("permissions", []) for p in text.split(",") if p]
    if not asked:
        return _error(400, "The permissions parameter is required.")
    ids = call.query.get("issueId", []) + call.query.get("issueKey", [])
    granted = call.viewer is not None and all(jira.site.issue(i) is not None for i in ids)
    return 200, {"permissions": {p: {"key": p, "havePermission": granted} for p in asked}}


def get_property(jira: StandInJira, call: Call) -> Answer:
    """GET /rest/api/3/issue/{issue}/properties/{key}: what the app wrote there."""
    found = jira.site.issue(call.params["issue"])
    value = jira.issue_property(found.id, call.params["key"]) if found else None
    if value is None:
        return _error(404, NO_ISSUE if found is None else "The property was not found.")
    return 200, {"key": call.params["key"], "value": value}


def put_property(jira: StandInJira, call: Call) -> Answer:
    """PUT /rest/api/3/issue/{issue}/properties/{key}: 201 when made, 200 when replaced (as Jira)."""
    found = jira.site.issue(call.params["issue"])
    if found is None:
        return _error(404, NO_ISSUE)
    if call.body is None:
        return _error(400, "The property's value must be JSON.")
    return (200 if jira.set_issue_property(found.id, call.params["key"], call.body) else 201), None


def delete_property(jira: StandInJira, call: Call) -> Answer:
    """DELETE /rest/api/3/issue/{issue}/properties/{key}: 204, or 404 when there is none."""
    found = jira.site.issue(call.params["issue"])
    if found is None or not jira.set_issue_property(found.id, call.params["key"], None):
        return _error(404, NO_ISSUE if found is None else "The property was not found.")
    return 204, None


_ASSIGNEE = re.compile(r'^assignee = "([^"]+)" AND resolution = EMPTY$')


def approximate_count(jira: StandInJira, call: Call) -> Answer:
    """POST /rest/api/3/search/approximate-count for a person's open assigned issues: the demo's
    issues assigned to them, plus open work in projects the demo does not show (0 to 6, the same
    for a person at every start), so that suggestions show who is busy."""
    jql = call.body.get("jql") if isinstance(call.body, dict) else None
    found = _ASSIGNEE.match(jql) if isinstance(jql, str) else None
    if found is None:
        return _error(400, "The demo's Jira counts only a person's open assigned issues.")
    account = found.group(1)
    elsewhere = hashlib.sha256(account.encode()).digest()[0] % 7 if jira.site.person(account) else 0
    return 200, {"count": sum(1 for i in jira.site.issues if i.assignee == account) + elsewhere}


ROUTES: list[tuple[str, str, Callable[[StandInJira, Call], Answer]]] = [
    ("POST", "/rest/api/3/permissions/check", permissions_check),
    ("GET", "/rest/api/3/user/bulk", users_bulk),
    ("GET", "/rest/api/3/user/search", user_search),
    ("GET", "/rest/api/3/issue/{issue}", issue),
    ("GET", "/rest/api/3/mypermissions", my_permissions),
    ("GET", "/rest/api/3/issue/{issue}/properties/{key}", get_property),
    ("PUT", "/rest/api/3/issue/{issue}/properties/{key}", put_property),
    ("DELETE", "/rest/api/3/issue/{issue}/properties/{key}", delete_property),
    ("POST", "/rest/api/3/search/approximate-count", approximate_count),
]


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")


_COMPILED = [(method, _pattern(path), answer) for method, path, answer in ROUTES]


class StandInJira:
    """The demo site's Jira: who its people are, which of them administer it, its issues."""

    def __init__(self, site: DemoSite, shared_secret: str, app_key: str, leeway: int) -> None:
        self.site = site
        self.shared_secret = shared_secret
        self.app_key = app_key
        self.leeway = leeway
        self._properties: dict[tuple[str, str], Any] = {}  # (issue id, property key) -> value
        self._lock = threading.Lock()

    def issue_property(self, issue_id: str, key: str) -> Any:
        with self._lock:
            return self._properties.get((issue_id, key))

    def set_issue_property(self, issue_id: str, key: str, value: Any) -> bool:
        """Set (or with None, delete) a property of an issue; whether it existed before."""
        with self._lock:
            existed = (issue_id, key) in self._properties
            if value is None:
                self._properties.pop((issue_id, key), None)
            else:
                self._properties[(issue_id, key)] = value
            return existed

    def forget_properties(self) -> None:
        with self._lock:
            self._properties.clear()

    def answer(self, method: str, path: str, query: str, body: Any, viewer: str | None) -> Answer:
        for route_method, pattern, respond in _COMPILED:
            match = pattern.match(path)
            if match and route_method == method:
                return respond(self, Call(match.groupdict(), parse_qs(query), body, viewer))
        return _error(404, f"The demo's stand-in for Jira does not answer {method} {path}.")

    def app_call(self, method: str, path: str, query: str, authorization: str, body: Any) -> Answer:
        """A call the app makes, checked as Jira checks a Connect app's call, then answered."""
        try:
            if not authorization.startswith("JWT "):
                raise TokenError("The call carries no JWT.")
            token = authorization[4:]
            claims = verify_hs256(token, self.shared_secret, self.leeway, unverified_parts(token))
            if claims.get("iss") != self.app_key:
                raise TokenError("The JWT was not issued by the app.")
            check_qsh(claims, request_query_string_hash(method, path, query), allow_context=False)
        except TokenError as err:
            return _error(401, str(err))
        return self.answer(method, path, query, body, None)

    def transport(self) -> requests.adapters.BaseAdapter:
        return _Transport(self)


class _Transport(requests.adapters.BaseAdapter):
    """Answers the app's requests to BASE_URL from the stand-in, in process."""

    def __init__(self, standin: StandInJira) -> None:
        super().__init__()
        self.standin = standin

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url or "")
        raw = request.body or b""
        body = json.loads(raw) if raw else None
        status, answer = self.standin.app_call(request.method or "GET", url.path, url.query,
                                               request.headers.get("Authorization", ""), body)
        response = requests.Response()
        response.status_code = status
        response.reason = "OK" if status < 400 else "Error"
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response._content = b"" if answer is None else json.dumps(answer).encode()
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass
