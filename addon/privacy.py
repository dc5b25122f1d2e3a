"""Personal-data reporting: tell Atlassian which accountIds each tenant stores, erase the closed ones.

Atlassian requires it of apps that store account IDs (its user-privacy guide for app developers):
each tenant's accountIds, with when each last changed, go to a report-accounts endpoint in batches
of at most 90; the answer names the accounts that were closed (erase what we hold of them) or
updated (nothing to do here: we store no copy of a profile); 204 means nothing to do; 429 carries
Retry-After; every answer may carry Cycle-Period, the shortest time before that tenant may be
reported again. `flask --app app report-accounts` (addon/cli.py) runs `report_all` from cron.

No Flask here: the job takes a Session and, per tenant, an `AccountReporter` that knows the front
(Connect: a JWT-signed call to the site, addon/connect/privacy.py; Forge: a bearer call with the
app's system token, `BearerReporter` below).
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping, Protocol

import requests
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from .database import as_utc
from .jira import retry_after_seconds
from .models import ApiToken, Tenant, UserSkill
from .skills import tokens, user_skills

log = logging.getLogger(__name__)

BATCH_SIZE = 90  # "Each request allows up to 90 accounts to be reported on."
DEFAULT_CYCLE = timedelta(days=7)  # Atlassian's default cycle period
# Bounds on a Cycle-Period we are told: a garbled header must neither make us report every few
# seconds nor stop reporting for months.
MIN_CYCLE = timedelta(hours=1)
MAX_CYCLE = timedelta(days=90)
# A run claims a tenant for this long, so two overlapping runs never report the same tenant.
CLAIM = timedelta(hours=1)
# Forge apps (and 3LO apps) report through api.atlassian.com with a bearer token, not the site.
FORGE_REPORT_ACCOUNTS_URL = "https://api.atlassian.com/app/report-accounts/"


class ReportFailed(Exception):
    """A batch could not be reported; the message is for the operator and holds no secret."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ReportAnswer:
    """What Atlassian said about one batch."""

    statuses: dict[str, str]  # accountId -> "closed" | "updated"
    cycle: timedelta | None


class AccountReporter(Protocol):
    """Reports one batch (at most 90 accounts) of one tenant, retrying a 429 within its own bounds."""

    def report(self, accounts: list[dict[str, str]]) -> ReportAnswer: ...


ReporterFor = Callable[[Tenant], "AccountReporter | None"]


# Number words, for a Cycle-Period written out ("seven days"): up to the 90-day bound.
_NUMBER_WORDS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"thirty": 30, "sixty": 60, "ninety": 90}
_UNITS = {"second": timedelta(seconds=1), "minute": timedelta(minutes=1), "hour": timedelta(hours=1),
          "day": timedelta(days=1), "week": timedelta(weeks=1)}
_ISO_DURATION = re.compile(
    r"P(?:([0-9]{1,4})W)?(?:([0-9]{1,5})D)?(?:T(?:([0-9]{1,6})H)?(?:([0-9]{1,7})M)?(?:([0-9]{1,9})S)?)?")
_WRITTEN_OUT = re.compile(r"([0-9]{1,9}|[a-z]+) ?(second|minute|hour|day|week)s?")


def parse_cycle_period(value: str | None) -> timedelta | None:
    """The Cycle-Period header as a duration, or None when absent or unreadable.

    Atlassian's guide names the header (7 days by default) but not its unit, so it is read
    defensively: an ISO 8601 duration (`P7D`, `PT168H`), a number with a unit written out (`7 days`,
    `seven days`, `604800 seconds`), or a bare number: below 1000 taken as days and from 1000 as
    seconds (7 and 604800 both mean a week). The result is then held to [MIN_CYCLE, MAX_CYCLE].
    """
    if not value:
        return None
    value = value.strip().lower()
    period: timedelta | None = None
    if re.fullmatch(r"[0-9]{1,9}", value):
        number = int(value)
        period = timedelta(days=number) if number < 1000 else timedelta(seconds=number)
    elif (iso := _ISO_DURATION.fullmatch(value.upper())) and any(iso.groups()):
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        period = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    elif written := _WRITTEN_OUT.fullmatch(value):
        count, unit = written.groups()
        number = int(count) if count.isdigit() else _NUMBER_WORDS.get(count)
        period = _UNITS[unit] * number if number is not None else None
    if period is None:
        return None
    return min(MAX_CYCLE, max(MIN_CYCLE, period))


def read_answer(status: int, headers: Mapping[str, str], body: Callable[[], Any],
                sent: Iterable[str]) -> ReportAnswer:
    """A report-accounts answer (either front), or ReportFailed; statuses only for accounts we sent."""
    if status == 429:
        wait = retry_after_seconds(headers.get("Retry-After"))
        raise ReportFailed("Atlassian asked to slow down (429)" + (f", retry after {wait:.0f} s" if wait else ""),
                           retry_after=wait)
    if status not in (200, 204):
        raise ReportFailed(f"report-accounts answered {status}")
    cycle = parse_cycle_period(headers.get("Cycle-Period"))
    if status == 204:
        return ReportAnswer({}, cycle)
    try:
        accounts = body().get("accounts")
    except (ValueError, AttributeError):
        raise ReportFailed("report-accounts answered 200 without a JSON object") from None
    if not isinstance(accounts, list):
        raise ReportFailed("report-accounts answered 200 without an 'accounts' list")
    wanted = set(sent)
    statuses: dict[str, str] = {}
    for item in accounts:
        if isinstance(item, dict) and item.get("accountId") in wanted and item.get("status") in ("closed", "updated"):
            statuses[item["accountId"]] = item["status"]
    return ReportAnswer(statuses, cycle)


class BearerReporter:
    """report-accounts with a bearer token: Forge apps, `POST https://api.atlassian.com/app/report-accounts/`
    with `Authorization: Bearer <app system token>` (the Forge front supplies the token it keeps)."""

    def __init__(self, token: str, url: str = FORGE_REPORT_ACCOUNTS_URL, timeout: float = 10.0,
                 max_retries: int = 3, max_retry_after: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._token = token
        self.url = url
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.sleep = sleep

    def __repr__(self) -> str:  # never the token
        return f"BearerReporter(url={self.url!r})"

    def report(self, accounts: list[dict[str, str]]) -> ReportAnswer:
        for attempt in range(self.max_retries + 1):
            try:
                response = requests.post(self.url, json={"accounts": accounts}, timeout=self.timeout,
                                         allow_redirects=False,
                                         headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"})
            except requests.RequestException as err:
                raise ReportFailed(f"report-accounts could not be reached ({type(err).__name__})") from None
            try:
                return read_answer(response.status_code, response.headers, response.json,
                                   (a["accountId"] for a in accounts))
            except ReportFailed as failed:
                wait = failed.retry_after
                if wait is None or wait > self.max_retry_after or attempt >= self.max_retries:
                    raise
                self.sleep(wait)
        raise AssertionError("unreachable")


@dataclass
class TenantReport:
    """One tenant's outcome, for the job's one line per tenant."""

    client_key: str
    reported: int = 0
    closed: int = 0
    erased: int = 0
    next_due: datetime | None = None
    skipped: bool = False
    error: str | None = None
    batches: int = field(default=0)

    @property
    def failed(self) -> bool:
        return self.error is not None

    def line(self) -> str:
        due = iso(self.next_due) if self.next_due else "at the next run"
        if self.skipped:
            return f"{self.client_key}: not due; next due {due}"
        if self.error:
            return (f"{self.client_key}: FAILED: {self.error} (after {self.reported} reported, "
                    f"{self.closed} closed, {self.erased} erased); next due {due}")
        return (f"{self.client_key}: reported {self.reported} in {self.batches} batches, closed {self.closed}, "
                f"erased {self.erased}; next due {due}")


def iso(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, as Atlassian's examples write `updatedAt`."""
    moment = as_utc(moment)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def stored_accounts(session: Session, tenant_id: int) -> list[tuple[str, datetime]]:
    """Each accountId the tenant stores, with when it last changed, by accountId.

    Two tables hold accountIds: a user's skills (changed when their latest holding was added) and the
    API tokens an admin created (`created_by`, changed when the token was made). A removal leaves no
    row behind, so a user whose latest change was a removal is reported with the time of the latest
    skill they still hold; Atlassian only compares it with when the profile changed, so the later
    report is the conservative one.
    """
    changed: dict[str, datetime] = {}
    for statement in (
            select(UserSkill.account_id, func.max(UserSkill.created_at))
            .where(UserSkill.tenant_id == tenant_id).group_by(UserSkill.account_id),
            select(ApiToken.created_by, func.max(ApiToken.created_at))
            .where(ApiToken.tenant_id == tenant_id, ApiToken.created_by != "").group_by(ApiToken.created_by)):
        for account_id, moment in session.execute(statement):
            seen = changed.get(account_id)
            changed[account_id] = moment if seen is None or as_utc(moment) > as_utc(seen) else seen
    return sorted(changed.items())


def erase_closed(session: Session, tenant_id: int, account_ids: list[str]) -> int:
    """Erase the closed accounts' skills in one transaction (skills.user_skills.erase_accounts: the
    tenant's row lock, the data-version bump every process's cached answers see, no id left in the log),
    and their names on the API tokens they created (the tokens keep working: the site's, not theirs)."""
    if not account_ids:
        return 0
    try:
        erased = user_skills.erase_accounts(session, tenant_id, account_ids)
        tokens.forget_creators(session, tenant_id, account_ids)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return erased


def claim(session: Session, tenant_id: int, now: datetime) -> bool:
    """Take the tenant for this run if it is due: one conditional UPDATE, so two runs never both do."""
    result = session.execute(
        update(Tenant).where(Tenant.id == tenant_id,
                             (Tenant.accounts_report_due_at.is_(None)) | (Tenant.accounts_report_due_at <= now))
        .values(accounts_report_due_at=now + CLAIM))
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def tenant_label(tenant: Tenant) -> str:
    """How the job's output names a tenant: its Connect clientKey, else its site (a Forge-only tenant)."""
    if tenant.client_key:
        return tenant.client_key
    return f"site {tenant.cloud_id}" if tenant.cloud_id else f"tenant #{tenant.id}"


def report_tenant(session: Session, tenant: Tenant, reporter: AccountReporter | None,
                  now: datetime) -> TenantReport:
    """Report one claimed tenant, erasing closed accounts batch by batch; records when it is next due."""
    outcome = TenantReport(tenant_label(tenant))
    tenant_id = tenant.id
    told: timedelta | None = None  # the longest Cycle-Period any batch's answer gave
    retry_after: float | None = None
    try:
        if reporter is None:
            raise ReportFailed("no way to report this tenant (its front has no credentials yet)")
        accounts = stored_accounts(session, tenant_id)
        session.rollback()  # no transaction held open across calls to Atlassian
        for start in range(0, len(accounts), BATCH_SIZE):
            batch = [{"accountId": account_id, "updatedAt": iso(changed)}
                     for account_id, changed in accounts[start:start + BATCH_SIZE]]
            answer = reporter.report(batch)
            outcome.batches += 1
            outcome.reported += len(batch)
            if answer.cycle is not None:
                told = answer.cycle if told is None else max(told, answer.cycle)
            closed = [account_id for account_id, status in answer.statuses.items() if status == "closed"]
            outcome.closed += len(closed)
            outcome.erased += erase_closed(session, tenant_id, closed)
    except ReportFailed as err:
        outcome.error = str(err)
        retry_after = err.retry_after
    except Exception as err:  # one tenant's fault must not stop the others
        session.rollback()
        log.exception("personal-data report of tenant %s failed", tenant_label(tenant))
        outcome.error = f"{type(err).__name__} (see the log)"
    if outcome.error is None:
        outcome.next_due = now + (told or DEFAULT_CYCLE)
        values: dict[str, Any] = {"accounts_reported_at": now, "accounts_report_due_at": outcome.next_due}
    else:
        # Due again at the next run, or once Atlassian's Retry-After has passed.
        outcome.next_due = now + timedelta(seconds=retry_after) if retry_after else None
        values = {"accounts_report_due_at": outcome.next_due}
    session.execute(update(Tenant).where(Tenant.id == tenant_id).values(**values))
    session.commit()
    return outcome


def report_all(session: Session, reporter_for: ReporterFor, now: datetime | None = None) -> list[TenantReport]:
    """Report every installed tenant (the Connect add-on or the Forge app) that is due; one TenantReport a
    tenant, failures included.

    `now` pins the clock (tests); otherwise each tenant is judged at the moment its turn comes, as
    a run that waits out 429s can last a while.
    """
    tenants = session.execute(select(Tenant).where(or_(Tenant.installed.is_(True), Tenant.forge_installed.is_(True)))
                              .order_by(Tenant.id)).scalars().all()
    session.expunge_all()  # plain objects from here on: every step below commits
    outcomes: list[TenantReport] = []
    for tenant in tenants:
        moment = now or datetime.now(timezone.utc)
        if not claim(session, tenant.id, moment):
            due = tenant.accounts_report_due_at
            outcomes.append(TenantReport(tenant_label(tenant), skipped=True, next_due=as_utc(due) if due else None))
            continue
        try:
            reporter = reporter_for(tenant)
        except Exception:  # reported as this tenant's failure by report_tenant
            log.exception("no reporter for tenant %s", tenant_label(tenant))
            reporter = None
        outcomes.append(report_tenant(session, tenant, reporter, moment))
    return outcomes
