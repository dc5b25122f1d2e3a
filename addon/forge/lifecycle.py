"""`POST /forge/lifecycle`: the Forge app's installed and uninstalled events, FIT-authenticated.

Only Forge sends events: a FIT with a `principal` or a `context` (a page's invokeRemote, which may
call any path of the remote) is refused. Forge delivers events at least once (4 retries, the retry
wrapped as {"payload": {..., "retryContext": ...}}, 5 s timeout) and in any order with the first UI
calls: each handler is idempotent, an event for an installation we have not seen provisions it, and
one older (by its FIT's `iat`) than the installation's last state change is ignored.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timezone
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
INSTALLATION_ARI_PREFIX = "ari:cloud:ecosystem::installation/"


def event_payload() -> dict[str, Any]:
    """The event the request carries: its body, or on a redelivery the body's `payload`.

    "Sending Atlassian app and lifecycle events to a remote" (Handling retries): a retried event is
    posted as {"payload": {..., "retryContext": {"retryCount", "retryReason", ...}}}.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The lifecycle event must be a JSON object.")
    if "eventType" not in body and "payload" in body:
        body = body["payload"]
        if not isinstance(body, dict):
            raise ApiError(400, "The redelivered event's 'payload' must be a JSON object.")
        retry = body.get("retryContext")
        if isinstance(retry, dict):
            log.info("Forge redelivered an event (retry %s)", retry.get("retryCount"))
    return body


def names_installation(named: object, installation_id: str) -> bool:
    """Whether an event's `id` is this installation: the FIT has its ARI, the events reference shows the bare id."""
    return named == installation_id or (isinstance(named, str) and INSTALLATION_ARI_PREFIX + named == installation_id)


def event_body(invocation: Invocation) -> tuple[str, Invocation]:
    """The event's type, and the invocation with the event's site where the token named none."""
    body = event_payload()
    event_type = body.get("eventType")
    if not isinstance(event_type, str) or not event_type or len(event_type) > 100:
        raise ApiError(400, "The lifecycle event has no 'eventType'.")
    installation = body.get("id")
    if installation is not None and not names_installation(installation, invocation.installation_id):
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
    # Only Forge's own events: no principal, no context. An uninstalled installation may still send them.
    invocation = verify_invocation(request.headers, event=True)
    event_type, invocation = event_body(invocation)
    if event_type in (INSTALLED, UNINSTALLED):
        # fit.verify(event=True) refused a token that does not say when it was minted.
        at = datetime.fromtimestamp(invocation.issued_at or 0, timezone.utc)
        set_installed(db.session, invocation, event_type == INSTALLED, system_token(request.headers), at)
    else:
        log.info("Forge event %s for installation %s ignored", event_type, invocation.installation_id)
    return Response(status=204)
