"""Every /api route answers a Forge caller exactly as it answers a Connect caller: shapes, permissions, errors."""
from __future__ import annotations

import re
import uuid
from typing import Any, Callable

from flask import Flask
from flask.testing import FlaskClient

from addon.extensions import db
from addon.models import ApiToken, ForgeInstallation

from tests.conftest import JiraActions

from .conftest import ForgeActions, snapshot

ADMIN, USER, OTHER = "admin-1", "user-1", "user-2"
CATEGORY = "{category}"  # replaced by the key the first category creation answered
TOKEN = "{token}"  # replaced by the id the token creation answered

# (actor, method, url, body or None, content type): a session of a user and an admin through every route,
# refusals and bad input included.
SCRIPT: list[tuple[str, str, str, Any]] = [
    (USER, "GET", "/api/user-skills?accountId=user-1", None),
    (USER, "PUT", "/api/user-skills?accountId=user-1", {"skills": ["Python", "sql", "  Python "]}),
    (USER, "PUT", "/api/user-skills?accountId=user-1", {"skills": ["python", "Go"]}),
    (USER, "PUT", "/api/user-skills?accountId=user-2", {"skills": ["Go"]}),
    (USER, "DELETE", "/api/user-skills?accountId=user-2", {"skills": ["Go"]}),
    (ADMIN, "PUT", "/api/user-skills?accountId=user-2", {"skills": ["Rust", "Go"]}),
    (USER, "DELETE", "/api/user-skills?accountId=user-1", {"skills": ["GO", "Java"]}),
    (USER, "GET", "/api/user-skills?accountId=user-2", None),
    (USER, "PUT", "/api/user-skills?accountId=user-1", {"skills": [""]}),
    (USER, "PUT", "/api/user-skills?accountId=user-1", "not json"),
    (USER, "PUT", "/api/user-skills", {"skills": ["x"]}),
    (USER, "GET", "/api/skills-by-account", None),
    (USER, "POST", "/api/skills-by-account", {"skillsByAccountId": {"user-3": ["Go"]}}),
    (ADMIN, "POST", "/api/skills-by-account", {"skillsByAccountId": {"user-3": ["Go", "Kotlin"], "user-2": []}}),
    (ADMIN, "POST", "/api/skills-by-account", {"skillsByAccountId": {"user-3": [""]}}),
    (USER, "GET", "/api/skills-by-account", None),
    (USER, "GET", "/api/skill-tree/experts", None),
    (USER, "POST", "/api/skill-tree/categories", {"displayName": "Backend"}),
    (ADMIN, "POST", "/api/skill-tree/categories", {"displayName": "Backend", "description": "Servers"}),
    (ADMIN, "POST", "/api/skill-tree/categories", {"displayName": "backend"}),
    (ADMIN, "PUT", f"/api/skill-tree/categories/{CATEGORY}/skills", {"skills": ["Python", "Haskell"]}),
    (USER, "PATCH", f"/api/skill-tree/categories/{CATEGORY}", {"displayName": "Server"}),
    (ADMIN, "PATCH", f"/api/skill-tree/categories/{CATEGORY}", {"displayName": "Server"}),
    (ADMIN, "PATCH", "/api/skill-tree/categories/00000000-0000-4000-8000-000000000000", {"displayName": "X"}),
    (USER, "GET", "/api/skill-tree", None),
    (USER, "GET", "/api/skill-tree/experts", None),
    (USER, "PUT", "/api/skill-tree", {"skillTree": []}),
    (ADMIN, "PUT", "/api/skill-tree", {"skillTree": [{"type": "category", "displayName": "Data", "children": [
        {"type": "skill", "key": "SQL"}]}]}),
    (USER, "GET", "/api/skill-tree/experts", None),
    (USER, "GET", "/api/levels", None),
    (USER, "PUT", "/api/levels", {"levels": [{"name": "Low"}, {"name": "High"}], "expertLevel": 2}),
    (ADMIN, "PUT", "/api/levels", {"levels": [{"name": "Low"}, {"name": "Mid"}, {"name": "High"}], "expertLevel": 2}),
    (ADMIN, "PUT", "/api/levels", {"levels": [{"name": "Only"}], "expertLevel": 1}),
    (USER, "PATCH", "/api/user-skill-levels?accountId=user-1", {"levels": {"Python": 3, "Elixir": 1}}),
    (USER, "PATCH", "/api/user-skill-levels?accountId=user-2", {"levels": {"Go": 1}}),
    (USER, "PATCH", "/api/user-skill-levels?accountId=user-1", {"levels": {"Python": 4}}),
    (ADMIN, "PATCH", "/api/user-skill-levels?accountId=user-2", {"levels": {"Go": 2}}),
    (USER, "GET", "/api/user-skill-levels?accountId=user-1", None),
    (USER, "GET", "/api/skill-levels-by-account", None),
    (USER, "POST", "/api/skill-levels-by-account", {"levelsByAccountId": {"user-3": [{"name": "Go", "level": 3}]}}),
    (ADMIN, "POST", "/api/skill-levels-by-account", {"levelsByAccountId": {"user-3": [{"name": "Go", "level": 3}]}}),
    (USER, "GET", "/api/skill-tree/skill-experts?skill=go", None),
    (ADMIN, "PUT", "/api/user-skills?accountId=user-2", {"skills": ["Go - High"]}),
    (USER, "POST", "/api/levels/split-suffixes", {"apply": True}),
    (ADMIN, "POST", "/api/levels/split-suffixes", {"apply": False}),
    (ADMIN, "POST", "/api/levels/split-suffixes", {"apply": True}),
    (USER, "GET", "/api/skill-levels-by-account", None),
    (USER, "POST", "/api/tokens", {"name": "hr"}),
    (USER, "GET", "/api/tokens", None),
    (ADMIN, "POST", "/api/tokens", {"name": "hr"}),
    (ADMIN, "POST", "/api/tokens", {"name": ""}),
    (ADMIN, "GET", "/api/tokens", None),
    (USER, "DELETE", f"/api/tokens/{TOKEN}", None),
    (ADMIN, "DELETE", f"/api/tokens/{TOKEN}", None),
    (ADMIN, "DELETE", f"/api/tokens/{TOKEN}", None),
    (ADMIN, "DELETE", "/api/skill-tree/categories/00000000-0000-4000-8000-000000000000", None),
    (ADMIN, "GET", "/api/tokens", None),
]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def normalised(value: Any, names: dict[str, str]) -> Any:
    """An answer with what differs by nature between two tenants (new keys and ids, secrets, times) named by order."""
    if isinstance(value, dict):
        return {key: normalised(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item, names) for item in value]
    if isinstance(value, str):
        if _UUID.fullmatch(value):
            return names.setdefault(value, f"<id {len(names)}>")
        if value.startswith("jus_"):
            return "<secret>"
        if _TIME.fullmatch(value):
            return "<time>"
    return value


def play(send: Callable[[str, str, str, Any], Any]) -> list[tuple[int, Any]]:
    """Run SCRIPT through `send(actor, method, url, body)`; each answer's status and normalised JSON."""
    answers: list[tuple[int, Any]] = []
    names: dict[str, str] = {}
    found = {CATEGORY: "", TOKEN: ""}
    for actor, method, url, body in SCRIPT:
        for marker, value in found.items():
            url = url.replace(marker, value)
        response = send(actor, method, url, body)
        data = response.get_json(silent=True)
        if response.status_code == 201 and "token" in (data or {}):
            found[TOKEN] = data["id"]
        elif response.status_code == 201 and not found[CATEGORY]:
            found[CATEGORY] = data["key"]
        answers.append((response.status_code, normalised(data, names)))
    return answers


def body_args(body: Any) -> dict[str, Any]:
    if isinstance(body, str):
        return {"data": body, "content_type": "text/plain"}
    return {"json": body} if body is not None else {}


def test_every_route_answers_a_fit_exactly_as_a_connect_jwt(client: FlaskClient, jira: JiraActions,
                                                           forge: ForgeActions) -> None:
    connect = jira.install("tenant-c", admins={ADMIN})
    site = forge.site(admins={ADMIN})
    through_connect = play(lambda actor, method, url, body: jira.request(
        connect, method, url, sub=actor, **body_args(body)))
    through_forge = play(lambda actor, method, url, body: client.open(
        url, method=method, headers=forge.headers(site, principal=actor), **body_args(body)))
    assert through_forge == through_connect
    statuses = {status for status, _ in through_forge}
    assert {200, 201, 204, 400, 403, 404, 415} <= statuses  # the script did meet every kind of answer
    # The level routes' permissions, as the contract names them (the same through both fronts, above).
    levels = [status for (_, _, url, _), (status, _) in zip(SCRIPT, through_forge) if "level" in url]
    assert levels == [200, 403, 200, 400, 200, 403, 400, 200, 200, 200, 403, 200, 403, 200, 200, 200]


def test_a_fit_never_reaches_another_installations_data(app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    a, b = forge.site(admins={ADMIN}), forge.site(admins={ADMIN})
    as_b = forge.headers(b, principal=ADMIN)
    client.put(f"/api/user-skills?accountId={USER}", json={"skills": ["B-only"]}, headers=as_b)
    category = client.post("/api/skill-tree/categories", json={"displayName": "B's"}, headers=as_b).json["key"]
    token_id = client.post("/api/tokens", json={"name": "B's"}, headers=as_b).json["id"]
    as_a = forge.headers(a, principal=ADMIN)
    # Whatever the query and body name, A acts on A's tenant only.
    assert client.get(f"/api/user-skills?accountId={USER}", headers=as_a).json == {"skills": []}
    assert client.get("/api/tokens", headers=as_a).json == {"tokens": []}
    before = snapshot(app)  # A's installation provisioned, its system token stored once Jira accepted it
    assert client.get("/api/skills-by-account", headers=as_a).json == {"skillsByAccountId": {}}
    assert client.get("/api/skill-tree", headers=as_a).json == {"skillTree": []}
    assert client.patch(f"/api/skill-tree/categories/{category}", json={"displayName": "Mine"},
                        headers=as_a).status_code == 404
    assert client.delete(f"/api/skill-tree/categories/{category}", headers=as_a).status_code == 404
    assert client.delete(f"/api/tokens/{token_id}", headers=as_a).status_code == 404
    assert client.get("/api/tokens", headers=as_a).json == {"tokens": []}
    assert snapshot(app) == before
    # A's writes land in A's tenant.
    client.put(f"/api/user-skills?accountId={USER}", json={"skills": ["A-only"]}, headers=as_a)
    assert client.get(f"/api/user-skills?accountId={USER}", headers=as_b).json == {"skills": ["B-only"]}


def test_a_fit_admin_manages_tokens_that_serve_a_forge_only_tenant(app: Flask, client: FlaskClient,
                                                                  forge: ForgeActions) -> None:
    site = forge.site(admins={ADMIN})
    created = client.post("/api/tokens", json={"name": "HR sync"}, headers=forge.headers(site, principal=ADMIN))
    assert created.status_code == 201, created.get_data(as_text=True)
    bearer = {"Authorization": "Bearer " + created.json["token"]}
    # The token works on the Forge-only tenant (no Connect install), with administrator rights...
    assert client.put(f"/api/user-skills?accountId={USER}", json={"skills": ["Go"]}, headers=bearer).status_code == 200
    assert client.get(f"/api/user-skills?accountId={USER}", headers=forge.headers(site)).json == {"skills": ["Go"]}
    # ...but cannot manage tokens, nor can a FIT of a user who is not an administrator.
    assert client.get("/api/tokens", headers=bearer).status_code == 403
    assert client.post("/api/tokens", json={"name": "x"}, headers=forge.headers(site, principal=USER)).status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 1
    # Uninstalled everywhere (the Forge app was the site's only front): the token stops working.
    forge.event(site, "avi:forge:uninstalled:app")
    assert client.get(f"/api/user-skills?accountId={USER}", headers=bearer).status_code == 401
    # Installed again: it serves again.
    forge.event(site, "avi:forge:installed:app")
    assert client.get(f"/api/user-skills?accountId={USER}", headers=bearer).status_code == 200


def test_an_api_token_of_a_site_with_both_fronts_outlives_either_alone(client: FlaskClient, jira: JiraActions,
                                                                      forge: ForgeActions) -> None:
    cloud = str(uuid.uuid4())
    tenant = jira.install("tenant-c", admins={ADMIN}, cloud_id=cloud)
    site = forge.site(cloud_id=cloud, admins={ADMIN})
    forge.event(site, "avi:forge:installed:app")
    token = jira.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "hr"}).json["token"]
    bearer = {"Authorization": "Bearer " + token}
    jira.uninstall(tenant)
    assert client.get(f"/api/user-skills?accountId={USER}", headers=bearer).status_code == 200
    forge.event(site, "avi:forge:uninstalled:app")
    assert client.get(f"/api/user-skills?accountId={USER}", headers=bearer).status_code == 401


def test_the_connect_pages_refuse_a_fit(client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site(admins={ADMIN})
    for path in ("/pages/finder", "/pages/user?accountId=user-1", "/pages/admin"):
        response = client.get(path, headers=forge.headers(site, principal=ADMIN))
        assert response.status_code == 401, path


def test_a_fit_without_a_system_token_for_an_admin_action_is_a_503_not_a_guess(
        app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site(admins={ADMIN})
    before = snapshot(app)
    response = client.post("/api/skills-by-account", json={"skillsByAccountId": {USER: ["Go"]}},
                           headers=forge.headers(site, principal=ADMIN, system_token=False))
    assert response.status_code == 503 and response.json["error"] == "service_unavailable"
    after = snapshot(app)
    # The first call provisioned the installation (no system token stored); no skill changed.
    assert after["user_skills"] == before["user_skills"] and after["skills"] == before["skills"]
    with app.app_context():
        row = db.session.get(ForgeInstallation, site.installation_id)
        assert row is not None and row.system_token is None


def test_a_fit_read_makes_two_statements_the_installation_and_the_skills(app: Flask, client: FlaskClient,
                                                                          forge: ForgeActions) -> None:
    from tests.conftest import recorded_statements

    site = forge.site()
    client.put(f"/api/user-skills?accountId={USER}", json={"skills": ["Go"]}, headers=forge.headers(site))
    headers = forge.headers(site)
    with recorded_statements(app) as seen:
        assert client.get(f"/api/user-skills?accountId={USER}", headers=headers).json == {"skills": ["Go"]}
    assert len(seen) == 2, seen  # no ORM session, no write: the FIT's installation, then the read
    assert "forge_installations" in seen[0]


def test_an_operator_retires_a_site_that_uninstalled_as_the_operations_guide_says(
        app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    """Forge sends no uninstall event to a remote (FRGE-1246): docs/operations.md's SQL does its work."""
    import os
    import re

    site = forge.site(admins={ADMIN})
    created = client.post("/api/tokens", json={"name": "HR sync"}, headers=forge.headers(site, principal=ADMIN))
    bearer = {"Authorization": "Bearer " + created.json["token"]}
    assert client.get(f"/api/user-skills?accountId={USER}", headers=bearer).status_code == 200
    guide = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "operations.md")
    with open(guide, encoding="utf-8") as fh:
        section = fh.read().split("## A Forge site that uninstalled the app", 1)[1]
    sql = re.search(r"```sql\n(.*?)```", section, re.S).group(1).replace("<the site''s cloudId>", site.cloud_id)
    statements = [part.strip() for part in sql.split(";") if part.strip() not in ("", "BEGIN", "COMMIT")]
    assert len(statements) == 2
    with app.app_context(), db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    assert client.get(f"/api/user-skills?accountId={USER}", headers=bearer).status_code == 401
    assert client.get(f"/api/user-skills?accountId={USER}", headers=forge.headers(site)).status_code == 401
    again = forge.site(cloud_id=site.cloud_id, admins={ADMIN})  # installed again: a new installation
    forge.event(again, "avi:forge:installed:app")
    assert client.get(f"/api/user-skills?accountId={USER}", headers=bearer).status_code == 200
