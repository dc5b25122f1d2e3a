"""Probe routes over the real Forge verifier, standing in for /api until it takes Forge callers."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from addon.extensions import db
from addon.forge.auth import verify_forge_request
from addon.forge.jira import JiraUnavailable, is_admin
from addon.skills.user_skills import add_skills, user_skills

bp = Blueprint("forge_probe", __name__, url_prefix="/probe/forge")


@bp.get("/user-skills")
def read() -> Any:
    caller = verify_forge_request(request.headers)
    # The tenant comes from the verified token only, never from the request.
    return jsonify({"skills": user_skills(db.engine, caller.tenant.id, request.args["accountId"]),
                    "tenant": caller.tenant.id, "account": caller.account_id})


@bp.put("/user-skills")
def write() -> Any:
    caller = verify_forge_request(request.headers)
    added, existing = add_skills(db.session, caller.tenant.id, request.args["accountId"], request.json["skills"])
    db.session.commit()
    return jsonify({"added": added, "existing": existing})


@bp.get("/admin")
def admin() -> Any:
    caller = verify_forge_request(request.headers)
    try:
        return jsonify({"admin": is_admin(caller.jira, caller.account_id or "", timeout=5)})
    except JiraUnavailable as err:
        return jsonify({"error": "jira_unavailable", "message": str(err)}), 503
