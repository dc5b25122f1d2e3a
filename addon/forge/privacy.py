"""Personal-data reporting for Forge tenants: Atlassian's report-accounts with the app system token.

Registered in `app.extensions["account_reporters"]` (see addon/cli.py): for a tenant whose site has
the Forge app installed, a `privacy.BearerReporter` with the latest system token any of its
installed installations sent; None for other tenants, which another front reports.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import ForgeInstallation, Tenant
from ..privacy import BearerReporter


def latest_system_token(session: Session, tenant_id: int) -> str | None:
    """The newest app system token stored for the tenant's installed Forge installations."""
    return session.execute(
        select(ForgeInstallation.system_token)
        .where(ForgeInstallation.tenant_id == tenant_id, ForgeInstallation.installed.is_(True),
               ForgeInstallation.system_token.is_not(None))
        .order_by(ForgeInstallation.system_token_at.desc()).limit(1)).scalar_one_or_none()


def forge_reporter(config: Mapping[str, Any]) -> Callable[[Tenant], BearerReporter | None]:
    """The reporter-for-a-tenant function of the Forge front, with the app's settings."""
    def reporter_for(tenant: Tenant) -> BearerReporter | None:
        if not tenant.forge_installed:
            return None
        token = latest_system_token(db.session, tenant.id)
        if token is None:
            # No credential yet: the site's Connect add-on reports it if it has one, else the job
            # names the tenant as one it could not report.
            return None
        return BearerReporter(token, url=config["FORGE_REPORT_ACCOUNTS_URL"], timeout=config["JIRA_TIMEOUT_SECONDS"],
                              max_retries=config["REPORT_MAX_RETRIES"],
                              max_retry_after=config["REPORT_MAX_RETRY_AFTER_SECONDS"])
    return reporter_for
