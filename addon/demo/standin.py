"""Jira, for the demo site: a stand-in inside the app that answers what the app and its pages ask Jira.

Two ways in, one table of answers (ROUTES):
- the app's own calls (the permission check; later the open-issue counts and issue properties)
  reach it through its `transport()`, a requests adapter mounted on the Connect front's Jira client
  for the demo site's base URL: nothing leaves the process. They are checked as Jira checks them:
  an HS256 JWT signed with the demo site's secret, `iss` the app key, `qsh` of the call.
- the pages' calls (people's names, an issue's assignee) come through GET /demo/jira/<path>
  (views.py), as the signed-in person.

A feature that makes a new call to Jira adds its answer here: one function and one line of ROUTES.
"""
from __future__ import annotations

import json
import re
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

def permissions_check(site: DemoSite, call: Call) -> Answer:
    """POST /rest/api/3/permissions/check: ADMINISTER for the site's administrators; on the demo's
    issues everyone has every project permission asked for (a site with one open project)."""
    body = call.body if isinstance(call.body, dict) else {}
    person = site.person(body.get("accountId"))
    asked = body.get("globalPermissions") or []
    granted = ["ADMINISTER"] if person is not None and person.admin and "ADMINISTER" in asked else []
    projects = []
    for entry in body.get("projectPermissions") or []:
        issues = [i for i in entry.get("issues") or [] if person is not None and site.issue(str(i))]
        projects += [{"permission": p, "issues": issues, "projects": []} for p in entry.get("permissions") or []]
    return 200, {"globalPermissions": granted, "projectPermissions": projects}


def users_bulk(site: DemoSite, call: Call) -> Answer:
    """GET /rest/api/3/user/bulk?accountId=...: the people of the site among those asked for."""
    ids = call.query.get("accountId", [])
    limit_text = (call.query.get("maxResults") or ["10"])[0]
    if not ids or not (limit_text.isascii() and limit_text.isdigit()) or not 1 <= int(limit_text) <= 200:
        return _error(400, "accountId is required, and maxResults must be 1 to 200.")
    limit = int(limit_text)
    people = [p for p in (site.person(i) for i in ids) if p is not None][:limit]
    return 200, {"startAt": 0, "maxResults": limit, "total": len(people), "isLast": True,
                 "values": [user_json(p) for p in people]}


def issue(site: DemoSite, call: Call) -> Answer:
    """GET /rest/api/3/issue/{issue}: its key, summary and assignee."""
    found = site.issue(call.params["issue"])
    if found is None:
        return _error(404, "Issue does not exist or you do not have permission to see it.")
    assignee = site.person(found.assignee)
    return 200, {"id": found.id, "key": found.key,
                 "fields": {"summary": found.summary, "assignee": user_json(assignee) if assignee else None}}


ROUTES: list[tuple[str, str, Callable[[DemoSite, Call], Answer]]] = [
    ("POST", "/rest/api/3/permissions/check", permissions_check),
    ("GET", "/rest/api/3/user/bulk", users_bulk),
    ("GET", "/rest/api/3/issue/{issue}", issue),
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

    def answer(self, method: str, path: str, query: str, body: Any, viewer: str | None) -> Answer:
        for route_method, pattern, respond in _COMPILED:
            match = pattern.match(path)
            if match and route_method == method:
                return respond(self.site, Call(match.groupdict(), parse_qs(query), body, viewer))
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
        response._content = json.dumps(answer).encode()
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass
