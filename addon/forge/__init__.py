"""Everything Forge Remote: FIT verification (JWKS), lifecycle events, Jira calls with the system token.

A sibling of `connect/`: neither imports the other.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the Forge front in: its verifier, its Jira client, its account reporter, the lifecycle route.

    With FORGE_APP_ID empty the verifier still runs and refuses every FIT (401).
    """
    from .. import auth, tenant_jira
    from ..jira import PermissionChecker
    from ..jose import HeaderCache
    from .auth import FORGE_FIT, ForgeFront, remember_accepted_token
    from .events import bp as events_bp
    from .jira import ForgeJiraClient, forge_authorizer, forge_tenant_jira
    from .keys import ForgeKeys
    from .lifecycle import bp
    from .privacy import forge_reporter

    config = app.config
    # The same client and permission cache as Connect's (429/503 Retry-After, a few minutes of cache);
    # only how a call proves itself differs, and a system token Jira accepts is kept.
    jira = ForgeJiraClient(remember_accepted_token, forge_authorizer, config["JIRA_TIMEOUT_SECONDS"],
                           config["JIRA_MAX_RETRIES"], config["JIRA_MAX_RETRY_AFTER_SECONDS"])
    app.extensions["forge"] = ForgeFront(
        keys=ForgeKeys(config["FORGE_JWKS_URL"], config["FORGE_JWKS_TIMEOUT_SECONDS"],
                       config["FORGE_JWKS_MAX_AGE_SECONDS"], config["FORGE_JWKS_MIN_REFETCH_SECONDS"]),
        permissions=PermissionChecker(jira, config["PERMISSION_CACHE_SECONDS"]), headers=HeaderCache())
    # After Connect's JWT, before the API token: both are `Authorization: Bearer`, and only a FIT is a JWT.
    auth.add_verifier(app, FORGE_FIT)
    app.extensions.setdefault("account_reporters", []).append(forge_reporter(config))
    tenant_jira.register(app, forge_tenant_jira(jira))
    app.register_blueprint(bp)
    app.register_blueprint(events_bp)
