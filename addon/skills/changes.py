"""The tenant change log: what each data version changed, so cached whole-tenant answers can be patched.

Every writer calls `record` first in its transaction: it bumps the tenant's data version (which
also serialises the tenant's writers, see skills.versions) and logs, under the new version, the
accounts whose holdings the transaction may change, that the tree changed, that the skills some
issues need changed, that the tenant's scale of levels changed, or "anything".
A process holding an answer built at version v asks `since(v, current)` and re-reads only the
accounts named; a version with no row (pruned, or written by a writer that only bumped), an
"all" row or too many accounts means: rebuild. No Flask in here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..models import TenantChange
from . import versions

ACCOUNT, TREE, ISSUES, SCALE, ALL, NOTHING = "account", "tree", "issues", "scale", "all", "nothing"
# A write naming more accounts logs "all" instead: re-reading that many accounts costs about what
# a rebuild does (at 10,000 accounts x 15 skills a rebuild reads 150,000 holdings), and the log
# stays small whatever the size of a bulk update.
MAX_LOGGED_ACCOUNTS = 1000
# Readers patch across at most this many accounts; past it they rebuild.
MAX_PATCHED_ACCOUNTS = 2000
# Versions kept in the log; a process whose answer is older rebuilds it.
KEEP_VERSIONS = 1000
# Pruning is a range delete on (tenant_id, version): done every PRUNE_EVERY versions, not every write.
PRUNE_EVERY = 50


@dataclass
class Changes:
    """What changed between two versions: accounts whose holdings may differ, whether the tree did,
    whether the skills issues need did, and whether the scale of levels did (its names or expertLevel;
    holdings it moved are named as accounts). Answers built from holdings alone need not care."""

    accounts: set[str] = field(default_factory=set)
    tree: bool = False
    issues: bool = False
    scale: bool = False


def record(session: Session, tenant_id: int, accounts: Iterable[str] | None = None, tree: bool = False,
           issues: bool = False, scale: bool = False) -> int:
    """Bump the tenant's version and log what this transaction changes: `accounts`' holdings, the tree,
    the skills issues need, the scale of levels.

    `accounts` None means anything may change: readers rebuild. Returns the new version.
    """
    version = versions.bump(session, tenant_id)
    listed = list(dict.fromkeys(accounts)) if accounts is not None else None
    rows: list[dict[str, object]] = []
    if listed is None or len(listed) > MAX_LOGGED_ACCOUNTS:
        rows.append({"scope": ALL, "account_id": None})
    else:
        rows.extend({"scope": ACCOUNT, "account_id": account} for account in listed)
        if tree:
            rows.append({"scope": TREE, "account_id": None})
        if issues:
            rows.append({"scope": ISSUES, "account_id": None})
        if scale:
            rows.append({"scope": SCALE, "account_id": None})
        if not rows:  # still names its version: a version without a row reads as a gap
            rows.append({"scope": NOTHING, "account_id": None})
    # Plain executemany through the session's connection (same transaction).
    session.connection().execute(insert(TenantChange),
                                 [dict(row, tenant_id=tenant_id, version=version) for row in rows])
    if version % PRUNE_EVERY == 0:
        session.execute(delete(TenantChange).where(TenantChange.tenant_id == tenant_id,
                                                   TenantChange.version <= version - KEEP_VERSIONS))
    return version


def forget_accounts(session: Session, tenant_id: int, accounts: list[str]) -> None:
    """Delete log rows naming `accounts` (erased personal data); their versions then read as gaps."""
    for start in range(0, len(accounts), 1000):
        session.execute(delete(TenantChange).where(TenantChange.tenant_id == tenant_id,
                                                   TenantChange.account_id.in_(accounts[start:start + 1000])))


def since(session: Session, tenant_id: int, old: int, new: int) -> Changes | None:
    """What versions (old, new] changed, or None when only a rebuild can tell."""
    if new <= old:
        return Changes()
    if new - old > KEEP_VERSIONS:
        return None
    rows = session.connection().execute(
        select(TenantChange.version, TenantChange.scope, TenantChange.account_id)
        .where(TenantChange.tenant_id == tenant_id, TenantChange.version > old, TenantChange.version <= new))
    changes = Changes()
    seen: set[int] = set()
    for version, scope, account_id in rows:
        seen.add(version)
        if scope == ACCOUNT:
            changes.accounts.add(account_id)
        elif scope == TREE:
            changes.tree = True
        elif scope == ISSUES:
            changes.issues = True
        elif scope == SCALE:
            changes.scale = True
        elif scope != NOTHING:
            return None
    if len(seen) != new - old or len(changes.accounts) > MAX_PATCHED_ACCOUNTS:
        return None
    return changes
