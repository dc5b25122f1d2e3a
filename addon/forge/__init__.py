"""Everything Forge Remote: FIT verification (JWKS), lifecycle events, Jira calls with the system token.

A sibling of `connect/`: neither imports the other.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the Forge front in: its verifier, its Jira client, its account reporter, the lifecycle route.

    With FORGE_APP_ID empty the verifier still runs and refuses every FIT (401).
    """
    from ..jira import PermissionChecker
    from .auth import FORGE_FIT, remember_accepted_token
    from .events import bp as events_bp
    from .jira import ForgeJiraClient, forge_authorizer, forge_tenant_jira
    from .keys import ForgeKeys
    from .lifecycle import bp
    from .privacy import forge_reporter

    config = app.config
    app.extensions["forge_keys"] = ForgeKeys(
        config["FORGE_JWKS_URL"], config["FORGE_JWKS_TIMEOUT_SECONDS"],
        config["FORGE_JWKS_MAX_AGE_SECONDS"], config["FORGE_JWKS_MIN_REFETCH_SECONDS"])
    # The same client and permission cache as Connect's (429/503 Retry-After, a few minutes of cache);
    # only how a call proves itself differs, and a system token Jira accepts is kept.
    forge_jira = ForgeJiraClient(remember_accepted_token, forge_authorizer, config["JIRA_TIMEOUT_SECONDS"],
                                 config["JIRA_MAX_RETRIES"], config["JIRA_MAX_RETRY_AFTER_SECONDS"])
    app.extensions["forge_jira"] = forge_jira
    app.extensions["forge_permissions"] = PermissionChecker(forge_jira, config["PERMISSION_CACHE_SECONDS"])
    # Before the API token: both are `Authorization: Bearer`, and only a FIT is a JWT.
    verifiers = app.extensions["verifiers"]
    at = next((n for n, verifier in enumerate(verifiers) if verifier.is_api_token), len(verifiers))
    verifiers.insert(at, FORGE_FIT)
    app.extensions.setdefault("account_reporters", []).append(forge_reporter(config))
    app.extensions.setdefault("tenant_jira", []).append(forge_tenant_jira(forge_jira))
    app.register_blueprint(bp)
    app.register_blueprint(events_bp)
