"""Configuration, read once: defaults, then the environment, then instance config, then a test dict."""
from __future__ import annotations

import os
from typing import Any, Mapping

# The documented variables and their defaults (docs/configuration.md).
ENV_DEFAULTS: dict[str, str] = {
    "APP_BASE_URL": "",  # empty: http://localhost:{PORT}, the contract's http://localhost:3000 on the default port
    "APP_KEY": "jira-user-skills",
    "DATABASE_URL": "",  # empty: SQLite file in the instance folder
    "CONNECT_KEYS_URL": "https://connect-install-keys.atlassian.com",
    "TENANT_HOSTS": "*.atlassian.net,*.jira.com,*.jira-dev.com",
    "PORT": "3000",
    "CONNECT_JS_URL": "https://connect-cdn.atl-paas.net/all.js",
    # Empty: the Forge front is off and every Forge Invocation Token gets 401.
    "FORGE_APP_ID": "",
    "FORGE_JWKS_URL": "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json",
    # The one Forge environment (`app.environment.type`) whose FITs are served; empty: any.
    "FORGE_ENVIRONMENT": "",
    # Operations (docs/configuration.md).
    "APP_VENDOR_NAME": "User Skills for Jira (self-hosted)",
    "APP_VENDOR_URL": "",  # empty: APP_BASE_URL, the one URL every deployment is known to own
    "LOG_FORMAT": "json",  # or "text", for people reading a terminal
    "TRUST_PROXY": "0",  # how many proxies in front set X-Forwarded-*; 0: the headers are ignored
}

# Forge's environment types ("Forge Remote essentials", `app.environment.type`); "" serves them all.
FORGE_ENVIRONMENTS = ("", "DEVELOPMENT", "STAGING", "PRODUCTION")

# Settings that are not part of the contract's outside, with their defaults.
INTERNAL_DEFAULTS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,  # 5 MB a request (the README's limits)
    "JWT_LEEWAY_SECONDS": 30,
    "JIRA_TIMEOUT_SECONDS": 5.0,
    "JIRA_MAX_RETRIES": 3,
    "JIRA_MAX_RETRY_AFTER_SECONDS": 10.0,
    "PERMISSION_CACHE_SECONDS": 300,
    "INSTALL_KEY_CACHE_SECONDS": 3600,
    "TENANT_CACHE_SECONDS": 10,
    # Per process: whole-tenant answers (skills and levels by account, the experts tree), served while
    # unchanged. A site of 50,000 people x 15 skills needs 57 MiB for the first two and 34 for the levels
    # answer (bench/run.py): under 64 MiB the third pushed the others out, and each rebuild costs seconds.
    "ANSWER_CACHE_BYTES": 128 * 1024 * 1024,
    # `flask report-accounts` runs from cron, so it may wait longer for Atlassian's 429 than a request.
    "REPORT_MAX_RETRIES": 3,
    "REPORT_MAX_RETRY_AFTER_SECONDS": 120.0,
    "TENANT_ALLOW_HTTP": False,  # tests point tenants at a fake Jira on loopback http
    # The demo site and its pages (addon.demo): on only through `flask demo` (scripts/run --demo),
    # which listens on 127.0.0.1 alone, never from the environment: a server bound elsewhere
    # (gunicorn listens on 0.0.0.0) cannot be put in demo mode.
    "DEMO_MODE": False,
    # A Connect install without `cloudId` asks the site's /_edge/tenant_info this long; 0: never asks.
    "TENANT_INFO_TIMEOUT_SECONDS": 3.0,
    "FORGE_JWKS_TIMEOUT_SECONDS": 5.0,
    # Forge's keys are re-read this often; a token naming an unknown key re-reads them at most once a minute.
    "FORGE_JWKS_MAX_AGE_SECONDS": 3600,
    "FORGE_JWKS_MIN_REFETCH_SECONDS": 60,
    # Where Forge tenants' personal-data reports go (Atlassian's 3LO/Forge report-accounts; tests: the fake).
    "FORGE_REPORT_ACCOUNTS_URL": "https://api.atlassian.com/app/report-accounts/",
    # Sent on HTTPS answers: browsers then refuse plain http to this host for a year.
    "HSTS_MAX_AGE_SECONDS": 365 * 24 * 3600,
    "READY_RETRY_AFTER_SECONDS": 5,
    # A pooled connection to a database server idle this long is pinged before use (database.ping_idle_connections).
    "DATABASE_PING_IDLE_SECONDS": 1.0,
    # Suggestions for an issue: each person's open-issue count from Jira, asked in parallel with this
    # short timeout (no retry), kept this long.
    "OPEN_ISSUES_TIMEOUT_SECONDS": 2.0,
    "OPEN_ISSUES_CACHE_SECONDS": 300,
    # `flask sync-issue-properties`: the owed issue-property writes tried per tenant in one run.
    "SYNC_ISSUES_PER_TENANT": 2000,
    # ... and the issues whose property is already written that it checks are still in Jira (written again).
    "SYNC_CHECKS_PER_TENANT": 200,
}


def load(instance_path: str, test_config: Mapping[str, Any] | None = None,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The whole configuration as one dict, in the order defaults <- environment <- test dict."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = dict(INTERNAL_DEFAULTS)
    for name, default in ENV_DEFAULTS.items():
        config[name] = environ.get(name, default) or default
    if test_config:
        config.update(test_config)
    config["PORT"] = int(config["PORT"])
    # Jira calls the baseUrl the descriptor names: with PORT=3100 and no APP_BASE_URL, that is port 3100.
    config["APP_BASE_URL"] = str(config["APP_BASE_URL"] or f"http://localhost:{config['PORT']}").rstrip("/")
    config["APP_VENDOR_URL"] = str(config["APP_VENDOR_URL"] or config["APP_BASE_URL"])
    config["LOG_FORMAT"] = str(config["LOG_FORMAT"]).strip().lower()
    if config["LOG_FORMAT"] not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be json or text, not {config['LOG_FORMAT']!r}")
    config["TRUST_PROXY"] = int(config["TRUST_PROXY"])
    config["CONNECT_KEYS_URL"] = str(config["CONNECT_KEYS_URL"]).rstrip("/")
    config["FORGE_APP_ID"] = str(config["FORGE_APP_ID"] or "").strip()
    config["FORGE_ENVIRONMENT"] = str(config["FORGE_ENVIRONMENT"] or "").strip().upper()
    if config["FORGE_ENVIRONMENT"] not in FORGE_ENVIRONMENTS:
        raise ValueError(f"FORGE_ENVIRONMENT must be empty or one of {', '.join(FORGE_ENVIRONMENTS[1:])}, "
                         f"not {config['FORGE_ENVIRONMENT']!r}")
    if isinstance(config["TENANT_HOSTS"], str):
        config["TENANT_HOSTS"] = [h.strip().lower() for h in config["TENANT_HOSTS"].split(",") if h.strip()]
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        url = config["DATABASE_URL"] or "sqlite:///" + os.path.join(instance_path, "skills.sqlite3")
        config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    # A database server's dropped connections are handled by database.ping_idle_connections.
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    return config


def normalise_database_url(url: str) -> str:
    """Let the usual `postgres://` and `postgresql://` URLs run on psycopg 3, the driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
