"""Users' skills: read, add, remove and bulk replace, set-based, with the contract's answer order;
and the level of each holding (skills.levels says what a level may be).

The documented user-skill API never shows or changes a level: its adds create unrated holdings, a
kept skill keeps its level, a removed one loses it. The level routes read and set them.
A tenant's writers are serialized so that concurrent requests end in the state some serial order
would give: each first records its change (`record_holdings_change`), which holds the tenant's row.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterable, Mapping, Sequence

from sqlalchemy import Engine, and_, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from ..database import ReadStatement
from ..models import Skill, Tenant, UserSkill
from . import changes as change_log
from .catalogue import chunks, ensure_skills, find_skills, insert_ignoring_conflicts
from .credentials import Stamped
from .errors import InvalidInput, TooLarge
from .levels import InvalidLevel, Scale, check_level, load_scale
from .names import InvalidName, clean_name, name_key, unique_names, valid_account_id

# A holding's level: an int of the tenant's scale, or None (not rated).
LevelValue = int | None

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


def _held(session: Session, tenant_id: int, account_id: str) -> list[tuple[int, str, int, LevelValue]]:
    """The user's holdings in the order added: (skill id, name, row id, level)."""
    rows = session.execute(
        select(UserSkill.skill_id, Skill.name, UserSkill.id, UserSkill.level)
        .join(Skill, Skill.id == UserSkill.skill_id)
        .where(UserSkill.tenant_id == tenant_id, UserSkill.account_id == account_id)
        .order_by(UserSkill.id))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def user_levels(session: Session, tenant_id: int, account_id: str) -> list[tuple[str, LevelValue]]:
    """The user's skills in the order added, each with its level (None: not rated)."""
    return [(name, level) for _, name, _, level in _held(session, tenant_id, account_id)]


def add_skills(session: Session, tenant_id: int, account_id: str, names: list[str]) -> tuple[list[str], list[str]]:
    """Give the user `names`; returns (added, existing) in request order, spelled as stored."""
    record_holdings_change(session, tenant_id, [account_id])
    held_ids = {skill_id for skill_id, *_ in _held(session, tenant_id, account_id)}
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
    held = {skill_id for skill_id, *_ in _held(session, tenant_id, account_id)}
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


def clean_level_map(values: object, scale: Scale) -> dict[str, LevelValue]:
    """A request's map of skill name -> level (PATCH /api/user-skill-levels), cleaned, in its order.

    Each skill may be named once (two spellings of one name would be two levels for one holding).
    """
    if not isinstance(values, dict):
        raise SkillsError("'levels' must be an object mapping skill names to levels (or null for not rated).")
    if len(values) > MAX_SKILLS_PER_USER:
        raise TooLarge(f"At most {MAX_SKILLS_PER_USER} skills may be sent for one user.")
    wanted: dict[str, LevelValue] = {}
    spelled: dict[str, str] = {}  # name key -> the name as sent first
    problems: list[str] = []
    for raw, value in values.items():
        try:
            name = clean_name(raw)
            level = check_level(value, scale, f"The level of {name!r}")
        except (InvalidName, InvalidLevel) as err:
            problems.append(err.message)
            continue
        if name_key(name) in spelled:
            problems.append(f"{name!r} is {spelled[name_key(name)]!r} again; name each skill once.")
            continue
        spelled[name_key(name)] = name
        wanted[name] = level
    if problems:
        raise SkillsError("Some levels are not valid; nothing was changed.", problems[:100])
    return wanted


def _recheck_levels(session: Session, tenant_id: int, levels: Iterable[LevelValue]) -> None:
    """The levels still fit the scale: read under the tenant row's lock, after a concurrent scale change."""
    highest = max((level for level in levels if level is not None), default=None)
    if highest is not None:
        check_level(highest, load_scale(session, tenant_id), "A level")


def set_levels(session: Session, tenant_id: int, account_id: str, wanted: Mapping[str, LevelValue]) -> None:
    """Give the user's skills in `wanted` these levels; the skills they lack are added, after the others."""
    record_holdings_change(session, tenant_id, [account_id])
    _recheck_levels(session, tenant_id, wanted.values())
    held = {skill_id: (row_id, level) for skill_id, _, row_id, level in _held(session, tenant_id, account_id)}
    catalogue = ensure_skills(session, tenant_id, wanted)
    relevelled: list[dict[str, object]] = []
    new_rows: list[dict[str, object]] = []
    for name, level in wanted.items():
        skill_id, _ = catalogue[name_key(name)]
        if skill_id in held:
            row_id, old = held[skill_id]
            if old != level:
                relevelled.append({"id": row_id, "level": level})
        else:
            new_rows.append({"tenant_id": tenant_id, "account_id": account_id, "skill_id": skill_id, "level": level})
    if len(held) + len(new_rows) > MAX_SKILLS_PER_USER:
        raise SkillsError(f"A user can hold at most {MAX_SKILLS_PER_USER} skills; this would make "
                          f"{len(held) + len(new_rows)}.")
    if relevelled:
        session.execute(update(UserSkill), relevelled)  # ORM bulk UPDATE by primary key: one executemany
    insert_ignoring_conflicts(session, UserSkill, new_rows, ["skill_id", "account_id"])


def _by_account_statement(*columns: Any) -> Any:
    return (select(UserSkill.account_id, *columns).join(Skill, Skill.id == UserSkill.skill_id)
            .where(UserSkill.tenant_id == bindparam("tenant_id"))
            .order_by(UserSkill.account_id, UserSkill.id))


_SKILLS_BY_ACCOUNT = _by_account_statement(Skill.name)
_LEVELS_BY_ACCOUNT = _by_account_statement(Skill.name, UserSkill.level)


def _by_account(session: Session, tenant_id: int, statement: Any, item: Callable[[Any], Any],
                accounts: Collection[str] | None) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {}
    # Plain rows through the session's connection: the ORM's per-row work doubled the time of a
    # read that returns every holding of the tenant.
    connection = session.connection()
    params = {"tenant_id": tenant_id}
    batches: Iterable[Iterable[Any]]
    if accounts is None:
        batches = [connection.execute(statement, params)]
    else:
        batches = (connection.execute(statement.where(UserSkill.account_id.in_(part)), params)
                   for part in chunks(sorted(accounts)))
    for rows in batches:
        for account_id, *values in rows:
            skills = result.get(account_id)
            if skills is None:
                result[account_id] = skills = []
            skills.append(item(values))
    return result


def skills_by_account(session: Session, tenant_id: int,
                      accounts: Collection[str] | None = None) -> dict[str, list[str]]:
    """Every user with skills (or those of `accounts` who have any), and their skills in the order
    added: one query (one per thousand accounts named)."""
    return _by_account(session, tenant_id, _SKILLS_BY_ACCOUNT, lambda values: values[0], accounts)


def levels_by_account(session: Session, tenant_id: int,
                      accounts: Collection[str] | None = None) -> dict[str, list[tuple[str, LevelValue]]]:
    """Every user with skills (or those of `accounts` who have any), and their (skill, level) in the
    order added: one query (one per thousand accounts named)."""
    return _by_account(session, tenant_id, _LEVELS_BY_ACCOUNT, tuple, accounts)


@dataclass
class Change:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Kept skills whose level the update changed: (name as stored, from, to), in the request's order.
    level_changed: list[tuple[str, LevelValue, LevelValue]] = field(default_factory=list)


def _parse_accounts(mapping: object, what: str, clean: Callable[[object, str], Any]) -> dict[str, Any]:
    """Validate a whole mapping of account -> list with `clean`; every problem is reported, nothing applied."""
    if not isinstance(mapping, dict):
        raise SkillsError(f"'{what}' must be an object mapping account IDs to arrays.")
    if len(mapping) > MAX_ACCOUNTS_PER_REQUEST:
        raise TooLarge(f"At most {MAX_ACCOUNTS_PER_REQUEST} accounts may be sent at once.")
    wanted: dict[str, Any] = {}
    problems: list[str] = []
    too_large = False
    for account_id, values in mapping.items():
        if not valid_account_id(account_id):
            problems.append(f"'{str(account_id)[:140]}' is not a valid account ID.")
            continue
        try:
            wanted[account_id] = clean(values, f"{what}.{account_id}")
        except (SkillsError, TooLarge) as err:
            too_large = too_large or isinstance(err, TooLarge)
            problems.extend(f"{account_id}: {d}" for d in (err.details or [err.message]))
    if problems:
        # Over a limit anywhere makes the whole request too large (413), as the contract's limits say.
        raise (TooLarge if too_large else SkillsError)("The bulk update has errors; nothing was changed.",
                                                       problems[:100])
    return wanted


def parse_bulk(mapping: object) -> dict[str, list[str]]:
    """Validate a whole skillsByAccountId mapping; every problem is reported, nothing is applied."""
    return _parse_accounts(mapping, "skillsByAccountId", clean_skill_list)


def parse_levels_bulk(mapping: object, scale: Scale) -> tuple[dict[str, list[str]], dict[str, list[LevelValue]]]:
    """Validate a whole levelsByAccountId mapping: each account's skills, and their levels alike."""
    def clean(values: object, what: str) -> list[tuple[str, LevelValue]]:
        if not isinstance(values, list):
            raise SkillsError(f"'{what}' must be an array of {{\"name\", \"level\"}} objects.")
        if len(values) > MAX_SKILLS_PER_USER:
            raise TooLarge(f"At most {MAX_SKILLS_PER_USER} skills may be sent for one user.")
        entries: dict[str, tuple[str, LevelValue]] = {}
        problems: list[str] = []
        for entry in values:
            if not isinstance(entry, dict) or set(entry) != {"name", "level"}:
                problems.append('Each entry must be {"name": <skill>, "level": <level or null>} and nothing else.')
                continue
            try:
                name = clean_name(entry["name"])
                level = check_level(entry["level"], scale, f"The level of {name!r}")
            except (InvalidName, InvalidLevel) as err:
                problems.append(err.message)
                continue
            first = entries.setdefault(name_key(name), (name, level))
            if first[1] != level:  # the same skill twice is counted once, unless its levels disagree
                problems.append(f"{name!r} is listed twice with different levels.")
        if problems:
            raise SkillsError("Some entries are not valid.", problems)
        return list(entries.values())

    parsed = _parse_accounts(mapping, "levelsByAccountId", clean)
    return ({account: [name for name, _ in entries] for account, entries in parsed.items()},
            {account: [level for _, level in entries] for account, entries in parsed.items()})


def bulk_replace(session: Session, tenant_id: int, wanted: Mapping[str, Sequence[str]],
                 levels: Mapping[str, Sequence[LevelValue]] | None = None) -> dict[str, Change]:
    """Make each listed account hold exactly its list; a handful of statements whatever the size.

    Without `levels` (the documented bulk update) new holdings are unrated and kept ones keep their
    level; with them (each account's levels, in its list's order) every holding ends at its level.
    """
    record_holdings_change(session, tenant_id, wanted.keys())
    if levels is not None:
        _recheck_levels(session, tenant_id, (level for listed in levels.values() for level in listed))
    all_names = {name_key(n): n for names in wanted.values() for n in names}
    catalogue = ensure_skills(session, tenant_id, all_names.values()) if all_names else {}
    # account -> [(row id, skill id, name, level)]
    held: dict[str, list[tuple[int, int, str, LevelValue]]] = defaultdict(list)
    accounts = list(wanted)
    # Plain rows and a plain executemany through the session's connection (same transaction): the
    # ORM's per-row work on 150,000 holdings was a third of the update's time.
    connection = session.connection()
    for part in chunks(accounts):
        rows = connection.execute(
            select(UserSkill.account_id, UserSkill.id, UserSkill.skill_id, Skill.name, UserSkill.level)
            .join(Skill, Skill.id == UserSkill.skill_id)
            .where(UserSkill.tenant_id == tenant_id, UserSkill.account_id.in_(part))
            .order_by(UserSkill.id))
        for account_id, row_id, skill_id, name, level in rows:
            held[account_id].append((row_id, skill_id, name, level))
    changes: dict[str, Change] = {}
    doomed: list[int] = []
    new_rows: list[dict[str, object]] = []
    relevelled: list[dict[str, object]] = []
    for account_id in accounts:
        change = changes[account_id] = Change()
        target = [catalogue[name_key(n)] for n in wanted[account_id]]
        target_ids = {skill_id for skill_id, _ in target}
        current = held.get(account_id, [])
        current_rows = {skill_id: (row_id, level) for row_id, skill_id, _, level in current}
        for row_id, skill_id, name, _ in current:
            if skill_id not in target_ids:
                doomed.append(row_id)
                change.removed.append(name)
        wanted_levels = levels[account_id] if levels is not None else None
        for index, (skill_id, name) in enumerate(target):
            kept = current_rows.get(skill_id)
            if kept is None:
                change.added.append(name)
                row: dict[str, object] = {"tenant_id": tenant_id, "account_id": account_id, "skill_id": skill_id}
                if wanted_levels is not None:
                    row["level"] = wanted_levels[index]
                new_rows.append(row)
            elif wanted_levels is not None and kept[1] != wanted_levels[index]:
                relevelled.append({"id": kept[0], "level": wanted_levels[index]})
                change.level_changed.append((name, kept[1], wanted_levels[index]))
    for part in chunks(doomed):
        session.execute(delete(UserSkill).where(UserSkill.id.in_(part)))
    if relevelled:
        session.execute(update(UserSkill), relevelled)  # ORM bulk UPDATE by primary key: one executemany
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

