"""Users' skills: read, add, remove and bulk replace, set-based, with the contract's answer order.

A tenant's writers are serialized so that concurrent requests end in the state some serial order
would give: each first records its change (`record_holdings_change`), which holds the tenant's row.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Collection, Iterable, Mapping

from sqlalchemy import Engine, and_, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from ..database import ReadStatement
from ..models import Skill, Tenant, UserSkill
from . import changes as change_log
from .catalogue import chunks, ensure_skills, find_skills, insert_ignoring_conflicts
from .credentials import Stamped
from .errors import InvalidInput, TooLarge
from .names import name_key, unique_names, valid_account_id

MAX_SKILLS_PER_USER = 500
MAX_ACCOUNTS_PER_REQUEST = 10_000


class SkillsError(InvalidInput):
    """Bad input for the user-skill operations; `details` lists each problem."""

    code = "invalid_request"  # the documented user-skill API's code for bad input


def record_holdings_change(session: Session, tenant_id: int, accounts: Iterable[str] | None) -> None:
    """Log that this transaction changes `accounts`' holdings (None: anything), under a new data version.

    Cached answers are then patched by these accounts alone (skills.changes). The version's bump is
    an UPDATE of the tenant's row, held until commit: on PostgreSQL writers of one tenant take turns,
    so parallel writers on one user end as a serial run would and the 500-skill limit holds; SQLite
    has one writer at a time anyway. So every writer of holdings calls this first.
    """
    change_log.record(session, tenant_id, accounts)


def clean_skill_list(values: object, what: str = "skills") -> list[str]:
    """A request's list of skill names: cleaned, duplicates (ignoring case) counted once."""
    if not isinstance(values, list):
        raise SkillsError(f"'{what}' must be an array of skill names.")
    if len(values) > MAX_SKILLS_PER_USER:
        raise TooLarge(f"At most {MAX_SKILLS_PER_USER} skills may be sent for one user.")
    names, problems = unique_names(values)
    if problems:
        raise SkillsError("Some skill names are not valid.", problems)
    return names


# The read behind every issue panel, built once: a statement built per call costs more to build and
# to look up in SQLAlchemy's compiled cache than the query costs to run.
# Each name looked up by primary key (a correlated subquery), not a join: with a join PostgreSQL's
# planner prefers hashing the tenant's whole catalogue, a read that grows with the catalogue
# (2,000 skills: 377 us against 195).
# It starts from the tenant's row for its auth epoch: the request's one statement also confirms the
# caller's credentials (addon.auth.tenant_read). One row with no name when the user holds none.
_USER_SKILLS = ReadStatement(
    select(Tenant.auth_epoch, select(Skill.name).where(Skill.id == UserSkill.skill_id).scalar_subquery())
    .select_from(Tenant)
    .outerjoin(UserSkill, and_(UserSkill.tenant_id == bindparam("tenant_id"),
                               UserSkill.account_id == bindparam("account_id")))
    .where(Tenant.id == bindparam("tenant_id"))
    .order_by(UserSkill.id))


def user_skills_and_epoch(engine: Engine, tenant_id: int, account_id: str) -> Stamped[list[str]]:
    """The user's skills in the order added, and the tenant's auth epoch (None: no such tenant), in one statement."""
    rows = _USER_SKILLS.rows(engine, {"tenant_id": tenant_id, "account_id": account_id})
    if not rows:
        return Stamped(None, [])
    return Stamped(rows[0][0], [name for _, name in rows if name is not None])


def _held(session: Session, tenant_id: int, account_id: str) -> list[tuple[int, str]]:
    rows = session.execute(
        select(UserSkill.skill_id, Skill.name).join(Skill, Skill.id == UserSkill.skill_id)
        .where(UserSkill.tenant_id == tenant_id, UserSkill.account_id == account_id)
        .order_by(UserSkill.id))
    return [(skill_id, name) for skill_id, name in rows]


def add_skills(session: Session, tenant_id: int, account_id: str, names: list[str]) -> tuple[list[str], list[str]]:
    """Give the user `names`; returns (added, existing) in request order, spelled as stored."""
    record_holdings_change(session, tenant_id, [account_id])
    held_ids = {skill_id for skill_id, _ in _held(session, tenant_id, account_id)}
    catalogue = ensure_skills(session, tenant_id, names)
    added: list[str] = []
    existing: list[str] = []
    new_rows = []
    for name in names:
        skill_id, stored = catalogue[name_key(name)]
        if skill_id in held_ids:
            existing.append(stored)
        else:
            added.append(stored)
            new_rows.append({"tenant_id": tenant_id, "account_id": account_id, "skill_id": skill_id})
    if len(held_ids) + len(new_rows) > MAX_SKILLS_PER_USER:
        raise SkillsError(f"A user can hold at most {MAX_SKILLS_PER_USER} skills; this would make "
                          f"{len(held_ids) + len(new_rows)}.")
    # The lock makes conflicts impossible here; ignoring them keeps a missed lock from becoming a 500.
    insert_ignoring_conflicts(session, UserSkill, new_rows, ["skill_id", "account_id"])
    return added, existing


def remove_skills(session: Session, tenant_id: int, account_id: str, names: list[str]) -> tuple[list[str], list[str]]:
    """Take `names` from the user; returns (removed, missing) in request order, spelled as stored."""
    record_holdings_change(session, tenant_id, [account_id])
    held = {skill_id for skill_id, _ in _held(session, tenant_id, account_id)}
    catalogue = find_skills(session, tenant_id, [name_key(n) for n in names])
    removed: list[str] = []
    missing: list[str] = []
    gone: list[int] = []
    for name in names:
        skill_id, stored = catalogue.get(name_key(name), (None, name))
        if skill_id in held:
            removed.append(stored)
            gone.append(skill_id)
        else:
            missing.append(stored)
    if gone:
        session.execute(delete(UserSkill).where(UserSkill.tenant_id == tenant_id,
                                                UserSkill.account_id == account_id,
                                                UserSkill.skill_id.in_(gone)))
    return removed, missing


_SKILLS_BY_ACCOUNT = (
    select(UserSkill.account_id, Skill.name).join(Skill, Skill.id == UserSkill.skill_id)
    .where(UserSkill.tenant_id == bindparam("tenant_id"))
    .order_by(UserSkill.account_id, UserSkill.id))


def skills_by_account(session: Session, tenant_id: int,
                      accounts: Collection[str] | None = None) -> dict[str, list[str]]:
    """Every user with skills (or those of `accounts` who have any), and their skills in the order
    added: one query (one per thousand accounts named)."""
    result: dict[str, list[str]] = {}
    # Plain rows through the session's connection: the ORM's per-row work doubled the time of a
    # read that returns every holding of the tenant.
    connection = session.connection()
    params = {"tenant_id": tenant_id}
    batches: Iterable[Iterable[tuple[str, str]]]
    if accounts is None:
        batches = [connection.execute(_SKILLS_BY_ACCOUNT, params)]
    else:
        batches = (connection.execute(_SKILLS_BY_ACCOUNT.where(UserSkill.account_id.in_(part)), params)
                   for part in chunks(sorted(accounts)))
    for rows in batches:
        for account_id, name in rows:
            skills = result.get(account_id)
            if skills is None:
                result[account_id] = skills = []
            skills.append(name)
    return result


@dataclass
class Change:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def parse_bulk(mapping: object) -> dict[str, list[str]]:
    """Validate a whole skillsByAccountId mapping; every problem is reported, nothing is applied."""
    if not isinstance(mapping, dict):
        raise SkillsError("'skillsByAccountId' must be an object mapping account IDs to skill arrays.")
    if len(mapping) > MAX_ACCOUNTS_PER_REQUEST:
        raise TooLarge(f"At most {MAX_ACCOUNTS_PER_REQUEST} accounts may be sent at once.")
    wanted: dict[str, list[str]] = {}
    problems: list[str] = []
    too_large = False
    for account_id, values in mapping.items():
        if not valid_account_id(account_id):
            problems.append(f"'{str(account_id)[:140]}' is not a valid account ID.")
            continue
        try:
            wanted[account_id] = clean_skill_list(values, f"skillsByAccountId.{account_id}")
        except (SkillsError, TooLarge) as err:
            too_large = too_large or isinstance(err, TooLarge)
            problems.extend(f"{account_id}: {d}" for d in (err.details or [err.message]))
    if problems:
        # Over a limit anywhere makes the whole request too large (413), as the contract's limits say.
        raise (TooLarge if too_large else SkillsError)("The bulk update has errors; nothing was changed.",
                                                       problems[:100])
    return wanted


def bulk_replace(session: Session, tenant_id: int, wanted: Mapping[str, list[str]]) -> dict[str, Change]:
    """Make each listed account hold exactly its list; a handful of statements whatever the size."""
    record_holdings_change(session, tenant_id, wanted.keys())
    all_names = {name_key(n): n for names in wanted.values() for n in names}
    catalogue = ensure_skills(session, tenant_id, all_names.values()) if all_names else {}
    held: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # account -> [(row id, skill id, name)]
    accounts = list(wanted)
    # Plain rows and a plain executemany through the session's connection (same transaction): the
    # ORM's per-row work on 150,000 holdings was a third of the update's time.
    connection = session.connection()
    for part in chunks(accounts):
        rows = connection.execute(
            select(UserSkill.account_id, UserSkill.id, UserSkill.skill_id, Skill.name)
            .join(Skill, Skill.id == UserSkill.skill_id)
            .where(UserSkill.tenant_id == tenant_id, UserSkill.account_id.in_(part))
            .order_by(UserSkill.id))
        for account_id, row_id, skill_id, name in rows:
            held[account_id].append((row_id, skill_id, name))
    changes: dict[str, Change] = {}
    doomed: list[int] = []
    new_rows: list[dict[str, object]] = []
    for account_id in accounts:
        change = changes[account_id] = Change()
        target = [catalogue[name_key(n)] for n in wanted[account_id]]
        target_ids = {skill_id for skill_id, _ in target}
        current = held.get(account_id, [])
        current_ids = {skill_id for _, skill_id, _ in current}
        for row_id, skill_id, name in current:
            if skill_id not in target_ids:
                doomed.append(row_id)
                change.removed.append(name)
        for skill_id, name in target:
            if skill_id not in current_ids:
                change.added.append(name)
                new_rows.append({"tenant_id": tenant_id, "account_id": account_id, "skill_id": skill_id})
    for part in chunks(doomed):
        session.execute(delete(UserSkill).where(UserSkill.id.in_(part)))
    if new_rows:
        # One executemany, in list order: the rows' ids follow the order of adding.
        connection.execute(insert(UserSkill), new_rows)
    return changes


def erase_accounts(session: Session, tenant_id: int, account_ids: Iterable[str]) -> int:
    """Delete every holding of these accounts (closed accounts' personal data); the rows deleted.

    The change log is told "anything changed" rather than the accounts, and its older rows naming
    them are deleted: an erased account's id is kept nowhere. Readers rebuild once; erasure is a
    periodic job, not a stream of writes.
    """
    accounts = list(dict.fromkeys(account_ids))
    record_holdings_change(session, tenant_id, None)
    change_log.forget_accounts(session, tenant_id, accounts)
    deleted = 0
    for part in chunks(accounts):
        deleted += session.execute(delete(UserSkill).where(UserSkill.tenant_id == tenant_id,
                                                           UserSkill.account_id.in_(part))).rowcount
    return deleted

