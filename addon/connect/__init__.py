"""Everything Atlassian Connect: JWT verification, install keys, lifecycle, descriptor, the client back to Jira.

A sibling of `forge/`: neither imports the other.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the Connect front in: its descriptor, install keys, tenant cache and Jira client, its
    verifier (the first of the app's, see addon.auth), the descriptor and lifecycle routes."""
    from .. import auth, tenant_jira
    from ..jira import JiraClient, PermissionChecker
    from ..jose import HeaderCache
    from . import descriptor, lifecycle, webhooks
    from .auth import CONNECT_JWT, ConnectFront
    from .jira import connect_authorizer, connect_tenant_jira
    from .jwt import base_path
    from .keys import InstallKeys
    from .tenants import TenantCache

    config = app.config
    jira = JiraClient(connect_authorizer(config["APP_KEY"]), config["JIRA_TIMEOUT_SECONDS"],
                      config["JIRA_MAX_RETRIES"], config["JIRA_MAX_RETRY_AFTER_SECONDS"])
    app.extensions["connect"] = ConnectFront(
        descriptor=descriptor.build(config["APP_BASE_URL"], config["APP_KEY"], config["APP_VENDOR_NAME"],
                                    config["APP_VENDOR_URL"]),
        install_keys=InstallKeys(config["CONNECT_KEYS_URL"], config["INSTALL_KEY_CACHE_SECONDS"]),
        tenants=TenantCache(config["TENANT_CACHE_SECONDS"]),
        permissions=PermissionChecker(jira, config["PERMISSION_CACHE_SECONDS"]),
        headers=HeaderCache(), base_path=base_path(config["APP_BASE_URL"]))
    auth.add_verifier(app, CONNECT_JWT)
    tenant_jira.register(app, connect_tenant_jira(jira))
    app.register_blueprint(descriptor.bp)
    app.register_blueprint(lifecycle.bp)
    app.register_blueprint(webhooks.bp)
