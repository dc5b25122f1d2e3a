"""The tenant's skill catalogue: skills found or created by name, in a few set-based statements."""
from __future__ import annotations

from typing import Iterable, Iterator, Sequence, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import Skill
from .names import name_key

T = TypeVar("T")
# Keeps every statement under SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 2000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def insert_ignoring_conflicts(session: Session, model: type, rows: list[dict], conflict_columns: list[str]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: concurrent writers race to the unique constraint, not to a 500."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"unsupported database: {dialect}")
    for part in chunks(rows, CHUNK // max(1, len(rows[0]))):
        session.execute(insert(model).values(list(part)).on_conflict_do_nothing(index_elements=conflict_columns))


def find_skills(session: Session, tenant_id: int, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """name_key -> (skill id, stored name) for the keys the catalogue has."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, tuple[int, str]] = {}
    for part in chunks(wanted):
        rows = session.execute(
            select(Skill.name_key, Skill.id, Skill.name)
            .where(Skill.tenant_id == tenant_id, Skill.name_key.in_(part)))
        found.update({key: (skill_id, name) for key, skill_id, name in rows})
    return found


def ensure_skills(session: Session, tenant_id: int, names: Iterable[str]) -> dict[str, tuple[int, str]]:
    """name_key -> (skill id, stored name) for cleaned `names`, creating the ones the catalogue lacks.

    The first spelling stored is kept: a name that exists in another case maps to the stored one.
    """
    by_key = {name_key(name): name for name in names}
    found = find_skills(session, tenant_id, by_key)
    missing = [{"tenant_id": tenant_id, "name": name, "name_key": key, "position": 0}
               for key, name in by_key.items() if key not in found]
    if missing:
        insert_ignoring_conflicts(session, Skill, missing, ["tenant_id", "name_key"])
        found.update(find_skills(session, tenant_id, [row["name_key"] for row in missing]))
    return found
