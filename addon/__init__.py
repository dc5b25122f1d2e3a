"""The add-on's application factory."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask

from . import config as config_module
from . import database, errors, logs, ops
from .extensions import db, migrate
from .jsonio import StrictJSONProvider

PACKAGE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(PACKAGE)


def bundled(name: str) -> str:
    """templates/ or migrations/: inside the package when installed from a wheel, else the checkout's."""
    inside = os.path.join(PACKAGE, name)
    return inside if os.path.isdir(inside) else os.path.join(ROOT, name)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                template_folder=bundled("templates"))
    app.json = StrictJSONProvider(app)
    app.config.from_mapping(config_module.load(app.instance_path, test_config))
    os.makedirs(app.instance_path, exist_ok=True)
    logs.init_app(app)

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    migrate.init_app(app, db, directory=bundled("migrations"))

    from . import auth
    from .api.answers import AnswerCache
    from .auth import API_TOKEN
    from .connect import descriptor, lifecycle
    from .connect.auth import CONNECT_JWT
    from .connect.jira import connect_authorizer
    from .connect.keys import InstallKeys
    from .connect.tenants import TenantCache
    from .jira import IssuePermissions, JiraClient, OpenIssueCounts, PermissionChecker
    from .connect.jira import connect_tenant_jira
    from concurrent.futures import ThreadPoolExecutor

    app.extensions["descriptor"] = descriptor.build(app.config["APP_BASE_URL"], app.config["APP_KEY"],
                                                      app.config["APP_VENDOR_NAME"], app.config["APP_VENDOR_URL"])
    app.extensions["install_keys"] = InstallKeys(app.config["CONNECT_KEYS_URL"],
                                                 app.config["INSTALL_KEY_CACHE_SECONDS"])
    app.extensions["tenant_cache"] = TenantCache(app.config["TENANT_CACHE_SECONDS"])
    app.extensions["answers"] = AnswerCache(app.config["ANSWER_CACHE_BYTES"])
    connect_jira = JiraClient(connect_authorizer(app.config["APP_KEY"]), app.config["JIRA_TIMEOUT_SECONDS"],
                              app.config["JIRA_MAX_RETRIES"], app.config["JIRA_MAX_RETRY_AFTER_SECONDS"])
    app.extensions["connect_jira"] = connect_jira
    app.extensions["connect_permissions"] = PermissionChecker(connect_jira, app.config["PERMISSION_CACHE_SECONDS"])
    # Issue skills: which front can call a tenant's Jira (addon.tenant_jira), the issue permission
    # checks, the open-issue counts of suggestions and the threads that ask them all at once.
    app.extensions["tenant_jira"] = [connect_tenant_jira(connect_jira)]
    app.extensions["issue_permissions"] = IssuePermissions(app.config["PERMISSION_CACHE_SECONDS"])
    app.extensions["open_issue_counts"] = OpenIssueCounts(app.config["OPEN_ISSUES_CACHE_SECONDS"],
                                                          app.config["OPEN_ISSUES_TIMEOUT_SECONDS"])
    app.extensions["jira_pool"] = ThreadPoolExecutor(max_workers=32, thread_name_prefix="jira")
    # The ways in, tried in this order by addon.auth.require_auth (a front adds its verifier here).
    app.extensions["verifiers"] = [CONNECT_JWT, API_TOKEN]
    auth.init_app(app)  # every request's commit confirms its caller's tenant first

    app.register_blueprint(descriptor.bp)
    app.register_blueprint(lifecycle.bp)
    from .connect import webhooks
    app.register_blueprint(webhooks.bp)
    from .api import bp as api_bp
    app.register_blueprint(api_bp)
    from .pages import bp as pages_bp
    app.register_blueprint(pages_bp)
    from . import forge
    forge.init_app(app)

    ops.init_app(app)
    errors.register(app)
    from . import cli
    cli.register(app)
    return app
