"""Jira's issue property `required-skills`, the mirror of the skills an issue needs: written after a
change commits, and by `flask --app app sync-issue-properties` for every write still owed.

`PUT /rest/api/3/issue/{issueId}/properties/required-skills` with `{"skills": [...]}` (names as
stored), or `DELETE` on the same path when the issue needs nothing. Any 2xx is a write; a 404 to
the DELETE means the property is already gone; a 404 to the PUT means the issue is gone, and its
skills are dropped. Anything else (a Connect install granted only READ gets 403, Jira down) leaves
the write owed: the skills stay stored and the issue is not searchable until a later write is made.

No Flask here: the caller passes a Session, and the Jira client and TenantInfo of the tenant.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy.orm import Session

from .caller import TenantInfo
from .jira import JiraClient, JiraUnavailable, retry_after_seconds
from .skills import issue_skills

log = logging.getLogger(__name__)

PROPERTY_PATH = "/rest/api/3/issue/{issue_id}/properties/" + issue_skills.PROPERTY_KEY


class Written(Enum):
    WRITTEN = "written"      # Jira holds what we store (or a newer change owes another write)
    DROPPED = "dropped"      # Jira has no such issue: its skills were dropped
    REFUSED = "refused"      # Jira refused the write (403: the install lacks the write scope)
    UNAVAILABLE = "unavailable"  # Jira could not be reached, or failed
    THROTTLED = "throttled"  # Jira asked us to wait longer than we may


@dataclass
class WriteResult:
    outcome: Written
    searchable: bool
    retry_after: float | None = None


def write_mirror(session: Session, client: JiraClient, tenant: TenantInfo, issue_id: int) -> WriteResult:
    """Write the issue's property as the store says now, and settle the owing if Jira took it.

    Commits what it changes; holds no transaction open while Jira answers (a read transaction kept
    across the call could not later write on SQLite, once another writer committed).
    """
    mirror = issue_skills.mirror_of(session, tenant.id, issue_id)
    session.rollback()
    path = PROPERTY_PATH.format(issue_id=issue_id)
    try:
        response = client.request(tenant, mirror.method, path, json=mirror.body)
    except JiraUnavailable:
        status = None
    else:
        status = response.status_code
    try:
        if status is not None and (200 <= status < 300 or (status == 404 and mirror.method == "DELETE")):
            searchable = issue_skills.mirror_written(session, tenant.id, mirror)
            session.commit()
            return WriteResult(Written.WRITTEN, searchable)
        if status == 404:
            dropped = issue_skills.forget_issues(session, tenant.id, [issue_id])
            session.commit()
            log.info("issue %s of tenant %s is gone from Jira: %d skills dropped", issue_id, tenant.name, dropped)
            return WriteResult(Written.DROPPED, True)
        issue_skills.mirror_failed(session, tenant.id, issue_id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    log.info("issue property of %s for tenant %s not written (%s)", issue_id, tenant.name, status or "unreachable")
    if status == 429:
        return WriteResult(Written.THROTTLED, False, retry_after_seconds(response.headers.get("Retry-After")))
    if status in (401, 403):
        return WriteResult(Written.REFUSED, False)
    return WriteResult(Written.UNAVAILABLE, False)


@dataclass
class SyncReport:
    """One tenant's run of the sync command."""

    tenant_id: int
    counts: dict[Written, int] = field(default_factory=lambda: {outcome: 0 for outcome in Written})
    left: int = 0
    stopped: str | None = None
    refused: bool = False

    @property
    def failed(self) -> bool:
        """Owed writes could not be made for a reason other than Jira's refusal (which waits for a new scope)."""
        return self.stopped is not None or self.counts[Written.UNAVAILABLE] > 0

    def line(self, label: str) -> str:
        done = ", ".join(f"{outcome.value} {n}" for outcome, n in self.counts.items() if n)
        text = f"{label}: {done or 'nothing owed'}"
        if self.left:
            text += f"; {self.left} still owed"
        if self.stopped:
            text += f"; stopped: {self.stopped}"
        if self.refused:
            text += "; Jira refuses this app's writes of issue properties (a Connect install granted only READ " \
                    "must accept the app's new scopes): its issues are not searchable by skill until it does"
        return text


def sync_tenant(session: Session, client: JiraClient, tenant: TenantInfo, limit: int, checks: int = 0,
                rng: random.Random | None = None) -> SyncReport:
    """Write up to `limit` of the tenant's owed mirrors, longest-waiting first, then write again up to
    `checks` settled ones from a random place round the tenant's issues: a deleted project sends no
    per-issue event, and a 404 is how its issues' skills leave (a property anyone with the REST API
    changed is put back too). A 429 Jira would have us wait out longer than the client may, or a
    refusal of the writes themselves, stops this tenant's run (the next run goes on)."""
    report = SyncReport(tenant.id)
    owed = issue_skills.owed_mirrors(session, tenant.id, limit)
    span = issue_skills.issue_id_range(session, tenant.id)
    start = (rng or random.Random()).randint(*span) if span else 0
    settled = issue_skills.settled_issues(session, tenant.id, checks, start) if checks else []
    session.rollback()
    for issue_id in owed + [issue_id for issue_id in settled if issue_id not in set(owed)]:
        result = write_mirror(session, client, tenant, issue_id)
        report.counts[result.outcome] += 1
        if result.outcome is Written.THROTTLED:
            report.stopped = "Jira asked to slow down (429)" + (
                f", retry after {result.retry_after:.0f} s" if result.retry_after else "")
            break
        if result.outcome is Written.REFUSED:
            # Every write of this install would be refused the same way: wait for the scope, not each issue.
            report.refused = True
            break
    report.left = len(issue_skills.owed_mirrors(session, tenant.id, limit + 1))
    session.rollback()
    return report
