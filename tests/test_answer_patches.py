"""Cached whole-tenant answers patched by each write on another process: byte for byte a full rebuild's answer."""
from __future__ import annotations

import json
import random
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select

from addon.extensions import db
from addon.models import Tenant, TenantChange
from addon.skills import changes, tenant_answers, user_skills

from .reference import experts_tree
from .test_answers import ADMIN, ALICE, BOB, BY_ACCOUNT, CATEGORIES, EXPERTS, LEVELS, Process
# The same tenant, reader and writer fixtures: pytest finds them by name in this module.
from .test_answers import reader, tenant, writer  # noqa: F401

CAROL = "5b10ac8d82e05b22cc7d4ef5"
EVERY_ANSWER = ["experts", "levels-by-account", "skills-by-account"]
ACCOUNTS = [ALICE, BOB, CAROL] + [f"user-{n:03d}" for n in range(12)]
NAMES = ["Python", "SQL", "Go", "Rust", "Figma", "Jira", "Scrum", "Docker", "Linux", "AWS", "café", "Ünïcode"]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the answers built from scratch (not patched), in order."""
    built: list[str] = []
    for kind in (tenant_answers.SkillsByAccount, tenant_answers.LevelsByAccount, tenant_answers.ExpertsTree):
        original = kind.build.__func__  # type: ignore[attr-defined]

        def build(cls: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            built.append(cls.name)
            return _original(cls, *args, **kwargs)

        monkeypatch.setattr(kind, "build", classmethod(build))
    yield built


def rebuilt(process: Process) -> dict[str, bytes]:
    """The answers as a full rebuild on the reference domain functions writes them."""
    with process.app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.client_key == process.tenant.client_key)).scalar_one()
        dumps = process.app.json.dumps
        answers = {
            BY_ACCOUNT: dumps({"skillsByAccountId": user_skills.skills_by_account(db.session, tenant_id)}) + "\n",
            EXPERTS: dumps({"experts": experts_tree(db.session, tenant_id)}) + "\n",
            LEVELS: dumps({"levelsByAccountId": {
                account: [{"name": name, "level": level} for name, level in held]
                for account, held in user_skills.levels_by_account(db.session, tenant_id).items()}}) + "\n",
        }
        db.session.remove()
    return {url: text.encode() for url, text in answers.items()}


def served(process: Process) -> dict[str, bytes]:
    return {url: process.call("GET", url, sub=ALICE).get_data() for url in (BY_ACCOUNT, EXPERTS, LEVELS)}


def attempt(process: Process, method: str, url: str, body: Any) -> None:
    """A change the tree's rules may refuse (a move into its own subtree): 2xx or 400, nothing else."""
    response = process.client.open(url, method=method, json=body,
                                   headers=process.jira.headers(process.tenant, method, url, sub=ADMIN))
    assert response.status_code in (200, 204, 400), response.get_data(as_text=True)


def check(reader: Process, writer: Process) -> None:
    assert served(reader) == rebuilt(writer)


def test_each_kind_of_write_is_patched_into_the_cached_answers(reader: Process, writer: Process,
                                                               builds: list[str]) -> None:
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Python", "SQL"]})
    check(reader, writer)
    assert sorted(builds) == EVERY_ANSWER
    builds.clear()

    # Add: to a held account, to a new account, a skill new to the catalogue.
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Go"]})
    check(reader, writer)
    writer.call("PUT", f"/api/user-skills?accountId={BOB}", json={"skills": ["sql", "Brand new"]})
    check(reader, writer)
    # Remove: some, then all of an account's skills (the account leaves the answer).
    writer.call("DELETE", f"/api/user-skills?accountId={ALICE}", json={"skills": ["SQL"]})
    check(reader, writer)
    writer.call("DELETE", f"/api/user-skills?accountId={BOB}", json={"skills": ["SQL", "Brand new"]})
    check(reader, writer)
    # Bulk: new, changed, emptied and re-ordered accounts; a skill dropped and re-added goes last.
    writer.call("POST", BY_ACCOUNT, json={"skillsByAccountId": {
        ALICE: ["Python", "Rust"], BOB: ["Go"], CAROL: ["Go", "Python", "Figma"]}})
    check(reader, writer)
    writer.call("POST", BY_ACCOUNT, json={"skillsByAccountId": {ALICE: [], CAROL: ["Figma", "Go"]}})
    check(reader, writer)
    writer.call("DELETE", f"/api/user-skills?accountId={CAROL}", json={"skills": ["Go"]})
    writer.call("PUT", f"/api/user-skills?accountId={CAROL}", json={"skills": ["Go"]})
    check(reader, writer)  # two versions at once: Go's experts end with Carol again

    # Levels: set, added with a level, unrated; the bulk update with levels; a smaller scale.
    writer.call("PATCH", f"/api/user-skill-levels?accountId={CAROL}", json={"levels": {"Figma": 4, "Go": 2}})
    check(reader, writer)
    writer.call("PATCH", f"/api/user-skill-levels?accountId={ALICE}", json={"levels": {"Kotlin": 3}})
    check(reader, writer)  # Alice had left every answer: she comes back
    writer.call("PATCH", f"/api/user-skill-levels?accountId={CAROL}", json={"levels": {"Figma": None}})
    writer.call("POST", LEVELS, json={"levelsByAccountId": {
        BOB: [{"name": "Go", "level": 1}, {"name": "Rust", "level": 4}], ALICE: [{"name": "Kotlin", "level": 1}]}})
    check(reader, writer)
    writer.call("PUT", "/api/levels", json={"levels": [{"name": "Some"}, {"name": "Lots"}], "expertLevel": 2})
    check(reader, writer)  # Bob's Rust and Carol's Go came down to 2

    # Tree: create, place skills, move, rename, reorder, delete a category, import a whole tree.
    top = writer.call("POST", CATEGORIES, status=201, json={"displayName": "Languages"}).get_json()["key"]
    sub = writer.call("POST", CATEGORIES, status=201, json={"displayName": "Compiled", "parentKey": top}).get_json()["key"]
    other = writer.call("POST", CATEGORIES, status=201, json={"displayName": "Tools"}).get_json()["key"]
    check(reader, writer)
    writer.call("PUT", f"{CATEGORIES}/{sub}/skills", json={"skills": ["Go", "Rust", "Zig"]})
    writer.call("PUT", f"{CATEGORIES}/{top}/skills", json={"skills": ["Python"]})
    check(reader, writer)
    writer.call("PATCH", f"{CATEGORIES}/{sub}", json={"parentKey": other, "displayName": "Native"})
    check(reader, writer)
    writer.call("PATCH", f"{CATEGORIES}/{other}", json={"position": 0})
    check(reader, writer)
    writer.call("DELETE", f"{CATEGORIES}/{other}", status=204)  # its child and skills move up
    check(reader, writer)
    writer.call("PUT", f"/api/user-skills?accountId={BOB}", json={"skills": ["Zig", "Python"]})
    check(reader, writer)  # holdings patched under the moved tree
    writer.call("PUT", "/api/skill-tree", json={"skillTree": [
        {"type": "category", "displayName": "Data", "children": [{"key": "SQL", "type": "skill"},
                                                                  {"key": "Go", "type": "skill"}]}]})
    check(reader, writer)
    assert builds == []  # every answer above was patched, none rebuilt


def test_erasing_closed_accounts_rebuilds_once_and_keeps_no_trace_of_them(reader: Process, writer: Process,
                                                                         builds: list[str]) -> None:
    writer.call("POST", BY_ACCOUNT, json={"skillsByAccountId": {ALICE: ["Python"], BOB: ["Go", "Python"],
                                                                CAROL: ["Go"]}})
    writer.call("PUT", f"/api/user-skills?accountId={BOB}", json={"skills": ["SQL"]})
    check(reader, writer)
    builds.clear()
    with writer.app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.client_key == "tenant-a")).scalar_one()
        assert user_skills.erase_accounts(db.session, tenant_id, [BOB, "never-held-anything"]) == 3
        db.session.commit()
        named = db.session.execute(select(func.count()).select_from(TenantChange)
                                   .where(TenantChange.account_id == BOB)).scalar_one()
        db.session.remove()
    assert named == 0
    check(reader, writer)
    assert BOB.encode() not in served(reader)[BY_ACCOUNT] and BOB.encode() not in served(reader)[EXPERTS]
    assert sorted(builds) == EVERY_ANSWER
    builds.clear()
    writer.call("PUT", f"/api/user-skills?accountId={CAROL}", json={"skills": ["SQL"]})
    check(reader, writer)
    assert builds == []  # patched again after the rebuild


def test_a_gap_in_the_log_or_too_many_accounts_rebuilds(reader: Process, writer: Process, builds: list[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Python"]})
    check(reader, writer)
    builds.clear()
    writer.call("PUT", f"/api/user-skills?accountId={BOB}", json={"skills": ["Go"]})
    with writer.app.app_context():  # as if pruned, or written by a writer that only bumps the version
        db.session.execute(TenantChange.__table__.delete().where(TenantChange.account_id == BOB))
        db.session.commit()
    check(reader, writer)
    assert sorted(builds) == EVERY_ANSWER
    builds.clear()

    monkeypatch.setattr(changes, "MAX_LOGGED_ACCOUNTS", 2)
    writer.call("POST", BY_ACCOUNT, json={"skillsByAccountId": {ALICE: ["SQL"], BOB: [], CAROL: ["Rust"]}})
    check(reader, writer)
    assert sorted(builds) == EVERY_ANSWER


def test_the_log_is_pruned_and_an_answer_older_than_it_is_rebuilt(reader: Process, writer: Process,
                                                                 builds: list[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "KEEP_VERSIONS", 6)
    monkeypatch.setattr(changes, "PRUNE_EVERY", 3)
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Python"]})
    check(reader, writer)
    builds.clear()
    for n in range(12):
        writer.call("PUT", f"/api/user-skills?accountId={BOB}", json={"skills": [f"Skill {n}"]})
    with writer.app.app_context():
        versions = db.session.execute(select(TenantChange.version)).scalars().all()
        db.session.remove()
    assert 0 < len(versions) <= 6 + 3 and max(versions) - min(versions) < 6 + 3
    check(reader, writer)
    assert sorted(builds) == EVERY_ANSWER


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_patch_to_what_a_rebuild_gives(reader: Process, writer: Process, builds: list[str],
                                                     seed: int) -> None:
    rng = random.Random(seed)
    keys: list[str] = []
    for step in range(40):
        op = rng.choice(["add", "add", "remove", "bulk", "category", "place", "move", "delete", "levels", "levels",
                         "level bulk", "scale"])
        account = rng.choice(ACCOUNTS)
        some = rng.sample(NAMES, rng.randint(1, 4))
        if op == "add":
            writer.call("PUT", f"/api/user-skills?accountId={account}", json={"skills": some})
        elif op == "remove":
            writer.call("DELETE", f"/api/user-skills?accountId={account}", json={"skills": some})
        elif op == "bulk":
            writer.call("POST", BY_ACCOUNT, json={"skillsByAccountId": {
                a: rng.sample(NAMES, rng.randint(0, 5)) for a in rng.sample(ACCOUNTS, rng.randint(1, 5))}})
        elif op == "category":
            parent = {"parentKey": rng.choice(keys)} if keys and rng.random() < 0.5 else {}
            keys.append(writer.call("POST", CATEGORIES, status=201,
                                    json={"displayName": f"Category {step}", **parent}).get_json()["key"])
        elif op == "place" and keys:
            writer.call("PUT", f"{CATEGORIES}/{rng.choice(keys)}/skills", json={"skills": some})
        elif op == "move" and keys:
            key = rng.choice(keys)
            target = rng.choice(keys + [None])
            attempt(writer, "PATCH", f"{CATEGORIES}/{key}", {"parentKey": target, "position": 0})
        elif op == "delete" and keys:
            key = keys.pop(rng.randrange(len(keys)))
            attempt(writer, "DELETE", f"{CATEGORIES}/{key}", None)
        elif op == "levels":
            writer.call("PATCH", f"/api/user-skill-levels?accountId={account}",
                        json={"levels": {name: rng.choice([None, 1, 2]) for name in some}})
        elif op == "level bulk":
            writer.call("POST", LEVELS, json={"levelsByAccountId": {
                a: [{"name": name, "level": rng.choice([None, 1, 2])} for name in rng.sample(NAMES, rng.randint(0, 5))]
                for a in rng.sample(ACCOUNTS, rng.randint(1, 5))}})
        elif op == "scale":  # 2 to 4 levels: what lies above a smaller scale's top comes down
            names = ["One", "Two", "Three", "Four"][:rng.randint(2, 4)]
            writer.call("PUT", "/api/levels", json={"levels": [{"name": n} for n in names], "expertLevel": 1})
        if rng.random() < 0.6:  # sometimes several versions pass between two reads
            check(reader, writer)
    check(reader, writer)
    assert sorted(builds) == EVERY_ANSWER  # each built once, then patched


def test_an_answers_counted_size_is_what_it_holds_in_memory(reader: Process, writer: Process) -> None:
    """The cache's bound holds only if each answer's `nbytes` is near what it really keeps alive."""
    import tracemalloc

    writer.call("POST", BY_ACCOUNT, json={"skillsByAccountId": {
        f"{n:024x}": [NAMES[(n + k) % len(NAMES)] for k in range(6)] for n in range(3000)}})
    with writer.app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.client_key == "tenant-a")).scalar_one()
        style = tenant_answers.JsonStyle(writer.app.json.dumps)
        for kind in (tenant_answers.SkillsByAccount, tenant_answers.LevelsByAccount, tenant_answers.ExpertsTree):
            kind.build(db.session, tenant_id, 1, style)  # warm: statements compiled, modules loaded
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                answer = kind.build(db.session, tenant_id, 1, style)
                kept = tracemalloc.get_traced_memory()[0] - before
            finally:
                tracemalloc.stop()
            assert 0.8 * kept <= answer.nbytes <= 1.5 * kept, (kind.name, kept, answer.nbytes)
        db.session.remove()


def test_splitting_level_suffixes_rebuilds_every_answer_once(reader: Process, writer: Process,
                                                            builds: list[str]) -> None:
    writer.call("POST", BY_ACCOUNT, json={"skillsByAccountId": {
        ALICE: ["Go", "Python - Expert", "SQL"], BOB: ["Python", "python - beginner"], CAROL: ["Python - Competent"]}})
    check(reader, writer)
    builds.clear()
    writer.call("POST", "/api/levels/split-suffixes", json={"apply": True})
    # Alice's Python takes her suffixed skill's place in her list, and so in Python's experts: a
    # patch would put it last, so the split says "anything changed" and every answer is rebuilt.
    check(reader, writer)
    assert served(reader)[BY_ACCOUNT] == (b'{"skillsByAccountId": {"3e63957f-c263-41cd-acda-748560232d49": '
                                          b'["Go", "Python", "SQL"], "5b10ac8d82e05b22cc7d4ef5": ["Python"], '
                                          b'"63314adf8b75455be455c8a0": ["Python"]}}\n')
    assert sorted(builds) == EVERY_ANSWER
    builds.clear()
    writer.call("PATCH", f"/api/user-skill-levels?accountId={BOB}", json={"levels": {"Python": 4}})
    check(reader, writer)
    assert builds == []


@pytest.mark.parametrize("dumps", [json.dumps, lambda value: json.dumps(value, sort_keys=True, ensure_ascii=False),
                                   lambda value: json.dumps(value, separators=(",", ":"))])
def test_the_levels_answer_is_what_any_json_style_writes(dumps: Any) -> None:
    accounts = {"b": [("Python", 3), ("Café ☕", None)], "a": [("Go", 1)], "c\u00e9": [("\"quoted\"", 7)]}
    answer = tenant_answers.LevelsByAccount(1, tenant_answers.JsonStyle(dumps), accounts)
    expected = {"levelsByAccountId": {account: [{"name": name, "level": level} for name, level in held]
                                      for account, held in sorted(accounts.items())}}
    assert answer.body == (dumps(expected) + "\n").encode()
