"""Flask CLI commands: `flask --app app report-accounts`, `flask --app app sync-issue-properties`."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import privacy
from .connect.jira import connect_authorizer
from .connect.privacy import connect_reporter
from .extensions import db
from .jira import JiraClient
from .models import Tenant


@click.command("report-accounts")
@with_appcontext
def report_accounts_command() -> None:
    """Report every due tenant's stored accountIds to Atlassian and erase the closed ones (run by cron)."""
    config = current_app.config
    client = JiraClient(connect_authorizer(config["APP_KEY"]), config["JIRA_TIMEOUT_SECONDS"], config["REPORT_MAX_RETRIES"],
                        config["REPORT_MAX_RETRY_AFTER_SECONDS"])
    # A front other than Connect (Forge) registers a function giving its reporter for its own
    # tenants and None for others: app.extensions["account_reporters"].append(fn).
    others = list(current_app.extensions.get("account_reporters", []))

    def reporter_for(tenant: Tenant) -> privacy.AccountReporter | None:
        for other in others:
            reporter = other(tenant)
            if reporter is not None:
                return reporter
        # None: the tenant has no front that can report it (a failure the job names).
        return connect_reporter(client, tenant) if tenant.installed and tenant.client_key else None

    outcomes = privacy.report_all(db.session, reporter_for)
    for outcome in outcomes:
        click.echo(outcome.line(), err=outcome.failed)
    failed = [outcome.client_key for outcome in outcomes if outcome.failed]
    if failed:
        click.echo(f"report-accounts: {len(failed)} of {len(outcomes)} tenants could not be reported.", err=True)
        sys.exit(1)
    click.echo(f"report-accounts: {len(outcomes)} tenants, none failed.")


def register(app: Flask) -> None:
    app.cli.add_command(report_accounts_command)
    app.cli.add_command(sync_issue_properties_command)


@click.command("sync-issue-properties")
@with_appcontext
def sync_issue_properties_command() -> None:
    """Write the issue properties still owed to Jira, for every tenant (bounded per tenant; run by cron)."""
    from . import mirrors, tenant_jira
    from .jira import JiraUnavailable
    from .skills import issue_skills

    limit = current_app.config["SYNC_ISSUES_PER_TENANT"]
    checks = current_app.config["SYNC_CHECKS_PER_TENANT"]
    tenants = issue_skills.tenants_with_issues(db.session)
    db.session.rollback()
    failed = 0
    for tenant_id in tenants:
        row = db.session.get(Tenant, tenant_id)
        label = privacy.tenant_label(row) if row is not None else f"tenant #{tenant_id}"
        try:
            client, tenant = tenant_jira.for_tenant(tenant_id)
        except JiraUnavailable as err:
            db.session.rollback()
            failed += 1
            click.echo(f"{label}: FAILED: {err}", err=True)
            continue
        report = mirrors.sync_tenant(db.session, client, tenant, limit, checks)
        failed += report.failed
        click.echo(report.line(label), err=report.failed)
    if failed:
        click.echo(f"sync-issue-properties: {failed} of {len(tenants)} tenants still owe writes Jira could not take.",
                   err=True)
        sys.exit(1)
    click.echo(f"sync-issue-properties: {len(tenants)} tenants with issue skills, none failed.")
