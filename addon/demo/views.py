"""/demo/: the four pages outside Jira, framed by a page that stands in for Jira around them.

- `/demo/`, `/demo/<page>`: the shell around a page, standing in for Jira's: the person signed in
  (`as`) to pick and the pages to go to; the page itself is in an iframe, as in Jira.
- `/demo/pages/<page>`: the page, from the very templates and scripts Jira frames (templates/*.html,
  addon/pages/static), with the demo's host adapter (static/host-demo.js) in place of Connect's.
- `POST /demo/token`: a Connect context JWT for a person of the demo site, signed with the site's
  shared secret as Jira signs AP.context.getToken()'s; the pages call the real /api with it.
- `GET /demo/jira/<path>`: the pages' calls to Jira's REST API, answered by the stand-in.
"""
from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from ..auth import caller, require_auth
from ..connect.jwt import CONTEXT_QSH, sign_hs256
from ..errors import ApiError, error_response
from ..skills.names import valid_account_id
from .site import DemoSite, Person
from .standin import StandInJira

bp = Blueprint("demo", __name__, url_prefix="/demo", static_folder="static")

CLIENT_KEY = "demo"
TOKEN_SECONDS = 900  # as long as Jira's context tokens live

# Each page: its template (the one Jira frames), its title, and the label of the shell's link to it.
PAGES = {
    "finder": ("finder.html", "Skills", "Find experts"),
    "user": ("user.html", "My skills", "My skills"),
    "panel": ("issue_panel.html", "Assignee skills", "An issue's panel"),
    "admin": ("admin.html", "User Skills administration", "Administration"),
}
# The demo's pages may be framed only by the demo's shell, and load nothing from elsewhere.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@bp.before_request
def loopback_only() -> None:
    """Only for pages of this machine: a page of another site whose name was pointed at 127.0.0.1
    (DNS rebinding) is same-origin to the browser, but names its own host, and gets nothing here."""
    if not is_loopback(urlsplit("//" + request.host).hostname or ""):
        raise ApiError(403, "The demo answers only at a loopback address, such as http://127.0.0.1.")


def standin() -> StandInJira:
    return current_app.extensions["demo"]


def site() -> DemoSite:
    return standin().site


def viewer() -> Person:
    """The person signed in (`as`): by default the site's first administrator."""
    wanted = request.args.get("as")
    person = site().person(wanted) if wanted else next(p for p in site().people if p.admin)
    if person is None:
        raise ApiError(400, "Pick a person of the demo site to sign in as.")
    return person


def page_args(page: str, who: Person, shown: bool = True) -> dict[str, str]:
    """The query of a page: who is signed in, and what it shows (for the page shown, what this
    request asks for; for a link of the shell's bar, the viewer's own skills or the first issue)."""
    args = {"as": who.account_id}
    if page == "user":
        args["accountId"] = (shown and request.args.get("accountId")) or who.account_id
    if page == "panel":
        args["issueKey"] = (shown and request.args.get("issueKey")) or site().issues[0].key
    return args


@bp.get("/", defaults={"page": "finder"})
@bp.get("/<page>")
def shell(page: str) -> str:
    if page not in PAGES:
        raise ApiError(404, "The demo has no such page.")
    who = viewer()
    args = page_args(page, who)
    people = sorted(site().people, key=lambda p: (not p.admin, p.display_name))
    links = [(name, label, url_for("demo.shell", page=name, **page_args(name, who, shown=name == page == "panel")))
             for name, (_, _, label) in PAGES.items()]
    # Signing in as someone else keeps the page and what it shows, but one's own skills become theirs.
    keep = {name: value for name, value in args.items()
            if name != "as" and not (name == "accountId" and value == who.account_id)}
    return render_template("demo/shell.html", page=page, viewer=who, people=people, links=links, keep=keep,
                           issues=site().issues, args=args, page_url=url_for("demo.page", page=page, **args))


@bp.get("/pages/<page>")
def page(page: str) -> Any:
    """One page as Jira frames it; what depends on the viewer is decided here, as the Connect views do."""
    if page not in PAGES:
        raise ApiError(404, "The demo has no such page.")
    template, title, _ = PAGES[page]
    who = viewer()
    data: dict[str, Any] = {"apiBase": request.script_root + "/api", "demoBase": request.script_root + "/demo",
                            "viewer": who.account_id}
    if page == "user":
        account_id = page_args(page, who)["accountId"]
        if not valid_account_id(account_id):
            raise ApiError(400, "This page needs a valid Atlassian account ID.")
        own = account_id == who.account_id
        data.update(accountId=account_id, own=own, canEdit=own or who.admin)
        title = title if own else "Skills"
    elif page == "panel":
        data["issueKey"] = page_args(page, who)["issueKey"]
        if site().issue(data["issueKey"]) is None:
            raise ApiError(404, "The demo site has no such issue.")
    elif page == "admin" and not who.admin:
        raise ApiError(403, "Only Jira administrators may manage User Skills: sign in as an administrator "
                            "of the demo site to see this page.")
    return render_template(template, title=title, data=data, connect_js_url=None,
                           host_script=url_for("demo.static", filename="host-demo.js"))


@bp.post("/token")
def token() -> Response:
    """A context JWT for the person named: JSON only, so a page of another site cannot ask for one."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    body = request.get_json(silent=True)
    person = site().person(body.get("accountId")) if isinstance(body, dict) else None
    if person is None:
        raise ApiError(400, "'accountId' must name a person of the demo site.")
    jwt = sign_hs256("GET", "/", CLIENT_KEY, standin().shared_secret, ttl_seconds=TOKEN_SECONDS,
                     sub=person.account_id, qsh=CONTEXT_QSH)
    return jsonify(token=jwt, expiresIn=TOKEN_SECONDS)


@bp.get("/jira/<path:path>")
@require_auth(api_tokens=False)
def jira(path: str) -> tuple[Response, int]:
    """Jira's REST API for the pages (AP.request in Jira), as the person the token names."""
    if caller().tenant.client_key != CLIENT_KEY:
        raise ApiError(403, "Only the demo site's pages ask the demo's stand-in for Jira.")
    status, body = standin().answer("GET", "/" + path, request.query_string.decode("latin-1"), None,
                                    caller().account_id)
    return jsonify(body), status


@bp.errorhandler(ApiError)
def page_error(err: ApiError) -> Any:
    """A browser opening a demo page that cannot be shown is told why in a page; fetch() gets JSON."""
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html":
        return error_response(err)
    html = render_template("error.html", title="Skills", status=err.status, message=err.message,
                           hint="Pick another person or page in the demo's bar.", connect_js_url=None,
                           host_script=url_for("demo.static", filename="host-demo.js"))
    return html, err.status, err.headers


@bp.after_request
def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint != "demo.static":
        response.headers["Cache-Control"] = "no-store"
    return response
