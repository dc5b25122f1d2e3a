"""Connect webhooks: Jira's `jira:issue_deleted` at `POST /connect/webhooks/issue-deleted`.

Verified like every call Jira signs (addon.connect.auth): HS256 with the tenant's shared secret and
the `qsh` of this URL (never a context token); the tenant is the token's, never the body's. A
deleted issue loses its skills; handling the same delivery twice changes nothing.
"""
from __future__ import annotations

import functools
import logging

from flask import Blueprint, Response, request

from ..auth import unauthorized, use_caller
from ..extensions import db
from ..skills import issue_skills
from .auth import connect_token, verify_connect_jwt

log = logging.getLogger(__name__)
bp = Blueprint("connect_webhooks", __name__, url_prefix="/connect/webhooks")


@bp.post("/issue-deleted")
def issue_deleted() -> Response:
    token = connect_token()
    if not token:
        raise unauthorized("Webhooks must carry a JWT signed by Jira.")
    signed = verify_connect_jwt(token, allow_context=False)
    # The commit below confirms the tenant under its row's lock, as for any request (addon.auth).
    use_caller(signed, functools.partial(verify_connect_jwt, token, False))
    issue_id = issue_skills.deleted_issue_id(request.get_json(silent=True))
    dropped = issue_skills.forget_issues(db.session, signed.tenant.id, [issue_id])
    db.session.commit()
    log.info("issue %s deleted in Jira: %d skills dropped for tenant %s", issue_id, dropped, signed.tenant.name)
    return Response(status=204)
