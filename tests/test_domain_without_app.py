"""The domain runs on a bare SQLAlchemy engine and session: no Flask app, no application context."""
from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any, Collection, Iterator

import pytest
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session

from addon import skills
from addon.models import Base, Tenant
from addon.skills import tenant_answers, tree, user_skills, versions
from addon.skills.answer_cache import TenantAnswers

from .reference import experts_tree

ADDON = Path(__file__).resolve().parents[1] / "addon"
# What the domain and the models must never import (the README's code map: no Flask, no front, no HTTP).
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_migrate", "werkzeug", "addon.extensions", "addon.connect",
             "addon.api", "addon.pages", "addon.forge", "addon.errors", "addon.auth", "addon.caller", "addon.jira")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved against the addon package."""
    package = ".".join(path.relative_to(ADDON.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted((ADDON / "skills").glob("*.py")) + [ADDON / "models.py", ADDON / "database.py"],
                         ids=lambda p: p.name)
def test_domain_modules_import_nothing_of_the_web(path: Path) -> None:
    bad = {m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path}/bare.sqlite3")

    @event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def make_tenant(engine: Engine) -> int:
    with Session(engine) as session, session.begin():
        tenant = Tenant(client_key="bare", shared_secret="s" * 40, base_url="https://bare.atlassian.net")
        session.add(tenant)
        session.flush()
        return tenant.id


def test_the_domain_runs_on_a_bare_engine(engine: Engine) -> None:
    assert skills.__doc__  # the package itself imports without an app
    tenant_id = make_tenant(engine)
    assert versions.current_and_epoch(engine, tenant_id).value == 0
    assert versions.current_and_epoch(engine, tenant_id + 1) == (None, None)

    with Session(engine) as session, session.begin():
        names = user_skills.clean_skill_list(["Go", " rust ", "GO"])
        assert user_skills.add_skills(session, tenant_id, "u-1", names) == (["Go", "rust"], [])
    assert user_skills.user_skills_and_epoch(engine, tenant_id, "u-1").value == ["Go", "rust"]
    assert versions.current_and_epoch(engine, tenant_id).value == 1

    with Session(engine) as session, session.begin():
        assert user_skills.remove_skills(session, tenant_id, "u-1", ["RUST", "Java"]) == (["rust"], ["Java"])
        changes = user_skills.bulk_replace(session, tenant_id, user_skills.parse_bulk({"u-1": ["Java"], "u-2": ["Go"]}))
        assert {a: (c.added, c.removed) for a, c in changes.items()} == {"u-1": (["Java"], ["Go"]),
                                                                        "u-2": (["Go"], [])}
    with Session(engine) as session:
        assert user_skills.skills_by_account(session, tenant_id) == {"u-1": ["Java"], "u-2": ["Go"]}

    with Session(engine) as session, session.begin():
        key = tree.create_category(session, tenant_id, "Languages", "", None)
        tree.place_skills(session, tenant_id, key, tree.clean_skill_names(["Go", "Python"]))
        tree.update_category(session, tenant_id, key, display_name="Programming")
    with Session(engine) as session:
        assert experts_tree(session, tenant_id) == [
            {"key": key, "type": "category", "displayName": "Programming", "children": [
                {"key": "Go", "type": "skill", "experts": ["u-2"]},
                {"key": "Python", "type": "skill", "experts": []}]},
            {"key": "Java", "type": "skill", "experts": ["u-1"]},
            {"key": "rust", "type": "skill", "experts": []}]  # the catalogue keeps what users dropped
        assert tree.category_answer(session, tenant_id, key)["position"] == 0
    with Session(engine) as session, session.begin():
        tree.replace_tree(session, tenant_id, tree.parse_tree([{"type": "category", "displayName": "Empty"}]))
    with Session(engine) as session:
        assert [n["key"] if n["type"] == "skill" else n["displayName"] for n in tree.skill_tree(session, tenant_id)] \
            == ["Empty", "Go", "Java", "Python", "rust"]
        new_key = tree.skill_tree(session, tenant_id)[0]["key"]
    with Session(engine) as session, session.begin():
        tree.delete_category(session, tenant_id, new_key)
    with Session(engine) as session:
        version = versions.current_and_epoch(engine, tenant_id).value
        assert session.execute(select(Tenant.data_version)).scalar_one() == version > 1


class CountsByAccount(tenant_answers.ByAccount):
    """A kind of answer made as a new feature's would be: how many skills each account holds."""

    name = "test-counts-by-account"
    field = "countByAccountId"

    @classmethod
    def read(cls, session: Session, tenant_id: int, accounts: Collection[str] | None) -> dict[str, Any]:
        return {account: len(names) for account, names in user_skills.skills_by_account(session, tenant_id,
                                                                                          accounts).items()}


class Summary(tenant_answers.Answer):
    """A kind that does not patch itself: the cache builds it again after each change."""

    name = "test-summary"
    builds: list[int] = []

    def __init__(self, version: int, body: bytes) -> None:
        self.version, self.body = version, body

    @classmethod
    def build(cls, session: Session, tenant_id: int, version: int, style: tenant_answers.JsonStyle) -> "Summary":
        cls.builds.append(version)
        return cls(version, style.dumps({"accounts": len(user_skills.skills_by_account(session, tenant_id))}).encode())

    @property
    def nbytes(self) -> int:
        return len(self.body)


def test_a_new_kind_of_answer_is_kept_patched_or_rebuilt_without_an_app(engine: Engine) -> None:
    tenant_id = make_tenant(engine)
    answers = TenantAnswers(1 << 20, json.dumps)

    def write(account: str, add: list[str], remove: list[str] = []) -> int:
        with Session(engine) as session, session.begin():
            if add:
                user_skills.add_skills(session, tenant_id, account, add)
            if remove:
                user_skills.remove_skills(session, tenant_id, account, remove)
        version = versions.current_and_epoch(engine, tenant_id).value
        assert version is not None
        return version

    def served(kind: type[tenant_answers.Answer], version: int) -> tenant_answers.Answer:
        with Session(engine) as session:
            return answers.get(session, tenant_id, kind, version)

    write("u-1", ["Go", "Rust"])
    version = write("u-2", ["Go"])
    counts = served(CountsByAccount, version)
    assert counts.body == (json.dumps({"countByAccountId": {"u-1": 2, "u-2": 1}}) + "\n").encode()
    Summary.builds.clear()
    assert served(Summary, version).body == b'{"accounts": 2}' and served(Summary, version).body == b'{"accounts": 2}'
    assert Summary.builds == [version]
    first = version

    write("u-3", ["SQL", "Go", "Python"])  # a new account: the answer's text is restructured
    version = write("u-1", [], ["Go", "Rust"])  # an account leaves it
    again = served(CountsByAccount, version)
    assert again is counts  # patched in place, not built again
    assert again.body == (json.dumps({"countByAccountId": {"u-2": 1, "u-3": 3}}) + "\n").encode()
    assert served(Summary, version).body == b'{"accounts": 2}' and Summary.builds == [first, version]
