"""`POST /forge/lifecycle`: the Forge app's installed and uninstalled events, FIT-authenticated.

Forge delivers events at least once (4 retries, 5 s timeout) and in any order with the first UI
calls: each handler is idempotent, and an event for an installation we have not seen provisions it.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from flask import Blueprint, Response, request

from ..errors import ApiError
from ..extensions import db
from .auth import system_token, verify_invocation
from .fit import Invocation, cloud_id_of_site_ari
from .tenants import set_installed

log = logging.getLogger(__name__)
bp = Blueprint("forge_lifecycle", __name__, url_prefix="/forge")

INSTALLED = "avi:forge:installed:app"
UNINSTALLED = "avi:forge:uninstalled:app"


def event_body(invocation: Invocation) -> tuple[str, Invocation]:
    """The event's type, and the invocation with the event's site where the token named none."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The lifecycle event must be a JSON object.")
    event_type = body.get("eventType")
    if not isinstance(event_type, str) or not event_type or len(event_type) > 100:
        raise ApiError(400, "The lifecycle event has no 'eventType'.")
    installation = body.get("id")
    if installation is not None and installation != invocation.installation_id:
        raise ApiError(400, "The event names another installation than its token.")
    context: Any = body.get("context")
    if context is not None:
        cloud_id = cloud_id_of_site_ari(context)
        if cloud_id is None and event_type in (INSTALLED, UNINSTALLED):
            raise ApiError(400, "The event's 'context' is not a site ARI.")
        if cloud_id is not None and invocation.cloud_id not in (None, cloud_id):
            raise ApiError(400, "The event names another site than its token.")
        if cloud_id is not None and invocation.cloud_id is None:
            invocation = dataclasses.replace(invocation, cloud_id=cloud_id)
    return event_type, invocation


@bp.post("/lifecycle")
def lifecycle() -> Response:
    # Events are made by no user: no principal. An uninstalled installation may still send them.
    invocation = verify_invocation(request.headers, require_principal=False)
    event_type, invocation = event_body(invocation)
    if event_type in (INSTALLED, UNINSTALLED):
        set_installed(db.session, invocation, event_type == INSTALLED, system_token(request.headers))
    else:
        log.info("Forge event %s for installation %s ignored", event_type, invocation.installation_id)
    return Response(status=204)
