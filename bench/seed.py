"""A tenant's worth of data, inserted set-based through SQLAlchemy Core into the models' tables.

Deterministic (seeded random numbers), so two runs measure the same data.
"""
from __future__ import annotations

import hashlib
import itertools
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import Connection, Table, insert, select

from addon.skills.tokens import hash_token as hash_api_token
from addon.models import ApiToken, Category, Skill, Tenant, UserSkill

CLIENT_KEY = "bench-tenant"
BASE_URL = "https://bench.atlassian.net"
# Row batches for executemany: big enough to amortise, small enough to keep memory flat.
BATCH = 50_000

_STEMS = ["Python", "Java", "Kubernetes", "PostgreSQL", "React", "Go", "Terraform", "Rust", "Kotlin",
          "Swift", "Figma", "Jira", "Scrum", "SQL", "Docker", "Linux", "AWS", "Azure", "GCP", "Spark"]


@dataclass
class Dataset:
    """What was seeded, and what the benchmark needs to sign requests for it."""

    secret: str
    api_token: str
    tenant_id: int = 0
    accounts: list[str] = field(default_factory=list)
    skill_names: list[str] = field(default_factory=list)
    holdings: int = 0


def account_id(n: int) -> str:
    """An Atlassian-looking account id: 24 hex characters, the shape of real ones."""
    return hashlib.sha1(f"bench-user-{n}".encode()).hexdigest()[:24]


def skill_name(n: int) -> str:
    return f"{_STEMS[n % len(_STEMS)]} {n // len(_STEMS) + 1}"


def _batches(rows: Iterator[dict], size: int = BATCH) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(conn: Connection, users: int, skills_per_user: int, skills: int, categories: int,
         seed_value: int = 42) -> Dataset:
    """Tenant, API token, `categories` categories in a tree, `skills` skills, `users` x `skills_per_user` holdings
    (two in three rated on the default scale)."""
    rng = random.Random(seed_value)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    data = Dataset(secret="bench-secret-" + uuid.UUID(int=rng.getrandbits(128)).hex * 2,
                   api_token="jus_bench_" + uuid.UUID(int=rng.getrandbits(128)).hex)

    data.tenant_id = conn.execute(insert(Tenant).values(
        client_key=CLIENT_KEY, shared_secret=data.secret, base_url=BASE_URL, product_type="jira",
        installed=True, enabled=True, created_at=now, updated_at=now).returning(Tenant.id)).scalar_one()
    conn.execute(insert(ApiToken), [{
        "id": str(uuid.UUID(int=rng.getrandbits(128))), "tenant_id": data.tenant_id, "name": "bench",
        "token_hash": hash_api_token(data.api_token), "created_by": account_id(0), "created_at": now}])

    # A tree: a tenth of the categories are roots, every other one hangs below an earlier one.
    roots = max(1, categories // 10)
    parents: list[int | None] = []
    for n in range(categories):
        parents.append(None if n < roots else rng.randrange(n))
    siblings: dict[int | None, int] = {}
    category_rows = []
    for n, parent in enumerate(parents):
        position = siblings.get(parent, 0)
        siblings[parent] = position + 1
        category_rows.append({"key": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                              "tenant_id": data.tenant_id, "parent_n": parent, "display_name": f"Category {n + 1}",
                              "name_key": f"category {n + 1}", "description": "", "position": position,
                              "created_at": now})
    category_ids: list[int] = []
    for row in category_rows:  # parents first: each row needs its parent's id
        parent_n = row.pop("parent_n")
        row["parent_id"] = None if parent_n is None else category_ids[parent_n]
        category_ids.append(conn.execute(insert(Category).values(**row).returning(Category.id)).scalar_one())

    # Nine skills in ten sit in a category; the rest are root-level leaves.
    data.skill_names = [skill_name(n) for n in range(skills)]
    in_category: dict[int, int] = {}
    skill_rows = []
    for name in data.skill_names:
        category = category_ids[rng.randrange(len(category_ids))] if category_ids and rng.random() < 0.9 else None
        position = in_category.get(category, 0) if category is not None else 0
        if category is not None:
            in_category[category] = position + 1
        skill_rows.append({"tenant_id": data.tenant_id, "name": name, "name_key": name.casefold(),
                           "category_id": category, "position": position, "created_at": now})
    for batch in _batches(iter(skill_rows)):
        conn.execute(insert(Skill), batch)
    skill_ids = dict(conn.execute(select(Skill.name, Skill.id).where(Skill.tenant_id == data.tenant_id)).all())
    ids = [skill_ids[name] for name in data.skill_names]

    data.accounts = [account_id(n) for n in range(users)]
    # Levels from a generator of their own: the holdings are those of runs before levels existed.
    rated = random.Random(seed_value + 1)

    def holdings() -> Iterator[dict]:
        for account in data.accounts:
            for index in rng.sample(range(skills), skills_per_user):
                # A third not rated (as every holding the documented API makes), the rest on the default scale.
                level = None if rated.random() < 1 / 3 else rated.randint(1, 4)
                yield {"tenant_id": data.tenant_id, "account_id": account, "skill_id": ids[index], "created_at": now,
                       "level": level}

    data.holdings = bulk_insert(conn, UserSkill.__table__, holdings())
    return data


def bulk_insert(conn: Connection, table: Table, rows: Iterator[dict]) -> int:
    """Core executemany in batches; on PostgreSQL, COPY into the same table (ten times faster)."""
    count = 0
    if conn.dialect.name == "postgresql":
        first = next(rows, None)
        if first is None:
            return 0
        columns = list(first)
        names = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in columns)
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {conn.dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN") as copy:
            for row in itertools.chain([first], rows):
                copy.write_row([row[name] for name in columns])
                count += 1
        return count
    if conn.dialect.name == "sqlite":
        # The unique index on (skill, account) takes rows in random order: keep its pages in memory.
        conn.exec_driver_sql("PRAGMA cache_size = -1000000")
    for batch in _batches(rows):
        conn.execute(insert(table), batch)
        count += len(batch)
    return count
