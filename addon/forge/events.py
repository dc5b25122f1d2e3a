"""`POST /forge/events`: Jira's product events the Forge app subscribes to (a deleted issue loses its skills).

The same rules as the lifecycle route, with its own checks reused (addon.forge.lifecycle): only
Forge sends events (a FIT with a `principal` or `context` is refused), the retry wrapper
{"payload": ...} is accepted, and handling an event twice changes nothing.
"""
from __future__ import annotations

import logging
from flask import Blueprint, Response, request

from ..extensions import db
from ..skills import issue_skills
from .auth import verify_invocation
from .lifecycle import event_body, event_payload
from .tenants import load_installation

log = logging.getLogger(__name__)
bp = Blueprint("forge_events", __name__, url_prefix="/forge")

ISSUE_DELETED = "avi:jira:deleted:issue"


@bp.post("/events")
def events() -> Response:
    invocation = verify_invocation(request.headers, event=True)
    event_type, invocation = event_body(invocation)
    if event_type != ISSUE_DELETED:
        log.info("Forge event %s for installation %s ignored", event_type, invocation.installation_id)
        return Response(status=204)
    issue_id = issue_skills.deleted_issue_id(event_payload())
    installation = load_installation(db.engine, invocation.installation_id)
    if installation is None or not installation.installed:
        # Nothing of an unknown installation is stored; an uninstalled one's data waits as it is.
        log.info("Forge %s for installation %s ignored: %s", event_type, invocation.installation_id,
                 "unknown installation" if installation is None else "not installed")
        return Response(status=204)
    dropped = issue_skills.forget_issues(db.session, installation.id, [issue_id])
    db.session.commit()
    log.info("issue %s deleted in Jira: %d skills dropped for tenant %s", issue_id, dropped, installation.id)
    return Response(status=204)
