"""The pages Jira shows in iframes: the expert finder, a person's skills, the issue panel, the admin
page; and the front door, `/`, for a person who opens the server's address.

Each first load is a GET that Jira signs for its URL (URL-bound `qsh` in the `jwt` parameter); the
page's scripts then call /api with tokens from `AP.context.getToken()`. Templates live in the
top-level templates/ folder, scripts and styles in static/ here: no inline script, so the CSP can
forbid them.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request

from ..auth import caller, is_admin, require_admin, require_auth
from ..errors import ApiError, error_response
from ..extensions import db
from ..skills.names import valid_account_id
from .security import content_security_policy

bp = Blueprint("pages", __name__, static_folder="static", static_url_path="/pages/static")

# Module keys of atlassian-connect.json that the pages link to (AP.navigator.go "addonModule").
FINDER_MODULE = "skills-finder"
USER_MODULE = "user-skills"
ADMIN_MODULE = "skills-admin"

# Jira issue keys: a project key (a letter, then letters, digits or underscores) and a number.
_ISSUE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*$")
_ISSUE_ID = re.compile(r"^[1-9][0-9]{0,17}$")


def page_data(**extra: Any) -> dict[str, Any]:
    """What every page's script needs, handed over as JSON (never as inline script)."""
    data = {
        "apiBase": request.script_root + "/api",
        "appKey": current_app.config["APP_KEY"],
        "viewer": caller().account_id,
        "modules": {"finder": FINDER_MODULE, "user": USER_MODULE, "admin": ADMIN_MODULE},
    }
    data.update(extra)
    return data


def render(template: str, title: str, **data: Any) -> str:
    return render_template(template, title=title, data=page_data(**data),
                           connect_js_url=current_app.config["CONNECT_JS_URL"])


def viewer_is_admin() -> bool:
    """Whether Jira says the viewer is an administrator; if Jira cannot say, they are treated as not."""
    try:
        return is_admin(caller())
    except ApiError:
        return False


@bp.get("/")
def home() -> Any:
    """The front door: in demo mode the way to the demo's pages (addon.demo), otherwise what this is."""
    if current_app.config["DEMO_MODE"]:
        return redirect(request.script_root + "/demo/")
    return render_template("home.html", title="User Skills for Jira")


@bp.get("/pages/finder")
@require_auth(context=False, api_tokens=False)
def finder() -> str:
    return render("finder.html", "Skills")


@bp.get("/pages/user")
@require_auth(context=False, api_tokens=False)
def user() -> str:
    # From the profile menu the module URL carries an empty `accountId`: the viewer's own page.
    account_id = request.args.get("accountId") or caller().account_id
    if not valid_account_id(account_id):
        raise ApiError(400, "This page needs a valid Atlassian account ID.")
    own = account_id == caller().account_id
    can_edit = own or viewer_is_admin()
    return render("user.html", "My skills" if own else "Skills", accountId=account_id, own=own,
                  canEdit=can_edit)


@bp.get("/panels/issue")
@require_auth(context=False, api_tokens=False)
def issue_panel() -> str:
    issue_key = request.args.get("issueKey", "")
    if not _ISSUE_KEY.match(issue_key):
        raise ApiError(400, "This panel needs the key of an issue.")
    # The issue's id (the descriptor's URL names it) keys the skills it needs; a URL without it shows the assignee only.
    issue_id = request.args.get("issueId", "")
    if issue_id and not _ISSUE_ID.match(issue_id):
        raise ApiError(400, "This panel's issueId must be the issue's numeric id.")
    return render("issue_panel.html", "Assignee skills", issueKey=issue_key.upper(), issueId=issue_id or None)


@bp.get("/pages/admin")
@require_auth(context=False, api_tokens=False)
def admin() -> str:
    require_admin("Only Jira administrators may manage User Skills.")
    return render("admin.html", "User Skills administration")


@bp.errorhandler(ApiError)
def page_error(err: ApiError) -> Any:
    """A page that cannot be shown says why in the iframe, as HTML, with the error's status.

    Only for a browser loading the page (it prefers text/html); any other caller gets the
    contract's JSON error, as from every route.
    """
    db.session.rollback()
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html":
        return error_response(err)
    html = render_template("error.html", title="Skills", status=err.status, message=err.message,
                           connect_js_url=current_app.config["CONNECT_JS_URL"])
    return html, err.status, err.headers


@bp.after_request
def security_headers(response: Response) -> Response:
    config = current_app.config
    response.headers["Content-Security-Policy"] = content_security_policy(
        config["CONNECT_JS_URL"], config["TENANT_HOSTS"], config["TENANT_ALLOW_HTTP"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # the iframe URL carries a jwt
    if request.endpoint != "pages.static":
        response.headers["Cache-Control"] = "no-store"
    return response
