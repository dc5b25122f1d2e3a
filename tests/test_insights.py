"""GET /api/insights/skills and /api/insights/matrix: the contract's figures, order, filters and errors.

The figures are checked against counts made another way: plain Python over holdings, levels and
issue skills that the test generated itself (and wrote through the API and tests/levels_and_issues.py).
"""
from __future__ import annotations

import random
from typing import Any

import pytest
from flask import Flask

from addon.skills.names import name_key

from .conftest import JiraActions, Tenant
from .levels_and_issues import set_issue_skills, set_levels, set_scale

ADMIN, ALICE, BOB, CAROL = "acc-admin", "acc-alice", "acc-bob", "acc-carol"
SKILLS = "/api/insights/skills"
MATRIX = "/api/insights/matrix"
RISKS = ("blocker", "bottleneck", "scarce", "ok")
DEFAULT_SCALE = (4, 3)  # (levels, expertLevel)


@pytest.fixture
def tenant(jira: JiraActions) -> Tenant:
    return jira.install("tenant-a", admins={ADMIN})


def get(jira: JiraActions, tenant: Tenant, url: str, status: int = 200, sub: str = ALICE) -> Any:
    response = jira.request(tenant, "GET", url, sub=sub)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def put_tree(jira: JiraActions, tenant: Tenant, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = jira.request(tenant, "PUT", "/api/skill-tree", sub=ADMIN, json={"skillTree": nodes})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["skillTree"]


def bulk(jira: JiraActions, tenant: Tenant, holdings: dict[str, list[str]]) -> None:
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": holdings})
    assert response.status_code == 200, response.get_data(as_text=True)


def category(name: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "category", "displayName": name, "children": list(children)}


def skill(name: str) -> dict[str, Any]:
    return {"type": "skill", "key": name}


# ---------------------------------------------------------------------------------------------
# The reference: the contract's figures in plain Python

def expected_skills(catalogue: dict[str, str | None], held: dict[str, dict[str, int | None]],
                    issues: dict[int, list[str]], scale: tuple[int, int] = DEFAULT_SCALE) -> dict[str, Any]:
    """The contract's answer from the catalogue (name -> category key), every person's skills with
    their levels, and every issue's skills."""
    top, expert_level = scale
    skills = []
    for name, key in catalogue.items():
        levels = [person[name] for person in held.values() if name in person]
        experts = sum(1 for level in levels if level is None or level >= expert_level)
        by_level = {str(n): sum(1 for level in levels if level == n) for n in range(1, top + 1)}
        by_level["unrated"] = sum(1 for level in levels if level is None)
        risk = "blocker" if experts == 0 else "bottleneck" if experts == 1 else "scarce" if experts <= 3 else "ok"
        skills.append({"name": name, "categoryKey": key, "holders": len(levels), "experts": experts,
                       "byLevel": by_level, "requiredBy": sum(1 for needed in issues.values() if name in needed),
                       "risk": risk})
    skills.sort(key=lambda s: (RISKS.index(s["risk"]), -s["requiredBy"], name_key(s["name"])))
    return {"expertLevel": expert_level, "skills": skills}


def expected_matrix(key: str, columns: list[str], held: dict[str, dict[str, int | None]],
                    accounts: list[str] | None = None, limit: int = 200, offset: int = 0) -> dict[str, Any]:
    people = []
    for account in (accounts if accounts is not None else held):
        levels = {name: level for name, level in held.get(account, {}).items() if name in columns}
        if levels or accounts is not None:
            people.append({"accountId": account, "levels": levels})
    people.sort(key=lambda p: (-len(p["levels"]), -sum(v or 0 for v in p["levels"].values()), p["accountId"]))
    return {"category": key, "skills": columns, "people": people[offset:offset + limit], "total": len(people)}


# ---------------------------------------------------------------------------------------------
# A small site, by hand

@pytest.fixture
def site(app: Flask, jira: JiraActions, tenant: Tenant) -> dict[str, Any]:
    """Engineering > (Python, Backend > (Go, Rust)), Design > Figma; SQL and Cobol in no category.

    Alice: Python 4, Go unrated, SQL 2; Bob: Python 3, Go 1, Figma unrated; Carol: Python 1, Rust 2.
    Issues: 101 needs Rust and Go, 102 Rust, 103 Cobol (which nobody holds), 104 Python.
    """
    tree = put_tree(jira, tenant, [category("Engineering", skill("Python"), category("Backend", skill("Go"), skill("Rust"))),
                                   category("Design", skill("Figma"))])
    bulk(jira, tenant, {ALICE: ["Python", "Go", "SQL"], BOB: ["Python", "Go", "Figma"], CAROL: ["Python", "Rust"]})
    set_levels(app, "tenant-a", ALICE, {"Python": 4, "SQL": 2})
    set_levels(app, "tenant-a", BOB, {"Python": 3, "Go": 1})
    set_levels(app, "tenant-a", CAROL, {"Python": 1, "Rust": 2})
    set_issue_skills(app, "tenant-a", 101, [("Rust", 2), "Go"])
    set_issue_skills(app, "tenant-a", 102, ["rust"])
    set_issue_skills(app, "tenant-a", 103, ["Cobol"])
    set_issue_skills(app, "tenant-a", 104, [("Python", 3)])
    engineering, design = tree
    backend = engineering["children"][0]
    return {"engineering": engineering["key"], "backend": backend["key"], "design": design["key"],
            "held": {ALICE: {"Python": 4, "Go": None, "SQL": 2}, BOB: {"Python": 3, "Go": 1, "Figma": None},
                     CAROL: {"Python": 1, "Rust": 2}},
            "issues": {101: ["Rust", "Go"], 102: ["Rust"], 103: ["Cobol"], 104: ["Python"]}}


def catalogue_of(site: dict[str, Any]) -> dict[str, str | None]:
    return {"Python": site["engineering"], "Go": site["backend"], "Rust": site["backend"], "Figma": site["design"],
            "SQL": None, "Cobol": None}


def test_the_figures_follow_the_contract(jira: JiraActions, tenant: Tenant, site: dict[str, Any]) -> None:
    answer = get(jira, tenant, SKILLS)
    # Rust: Carol at 2 (no expert); Cobol: only an issue needs it; Go: Alice unrated (an expert), Bob 1;
    # Figma: Bob unrated; SQL: Alice at 2; Python: Alice 4, Bob 3 (Carol at 1 is no expert).
    assert [(s["name"], s["risk"], s["holders"], s["experts"], s["requiredBy"]) for s in answer["skills"]] == [
        ("Rust", "blocker", 1, 0, 2), ("Cobol", "blocker", 0, 0, 1), ("SQL", "blocker", 1, 0, 0),
        ("Go", "bottleneck", 2, 1, 1), ("Figma", "bottleneck", 1, 1, 0), ("Python", "scarce", 3, 2, 1)]
    assert answer["skills"][0] == {"name": "Rust", "categoryKey": site["backend"], "holders": 1, "experts": 0,
                                   "byLevel": {"1": 0, "2": 1, "3": 0, "4": 0, "unrated": 0}, "requiredBy": 2,
                                   "risk": "blocker"}
    assert answer == expected_skills(catalogue_of(site), site["held"], site["issues"])


def test_a_category_keeps_its_subtree_and_risks_keep_theirs(jira: JiraActions, tenant: Tenant,
                                                            site: dict[str, Any]) -> None:
    names = lambda url: [s["name"] for s in get(jira, tenant, url)["skills"]]  # noqa: E731
    assert names(f"{SKILLS}?category={site['engineering']}") == ["Rust", "Go", "Python"]
    assert names(f"{SKILLS}?category={site['backend'].upper()}") == ["Rust", "Go"]
    assert names(f"{SKILLS}?category={site['design']}") == ["Figma"]
    assert names(f"{SKILLS}?risk=blocker") == ["Rust", "Cobol", "SQL"]
    assert names(f"{SKILLS}?risk=scarce,bottleneck") == ["Go", "Figma", "Python"]
    assert names(f"{SKILLS}?risk=ok") == []
    assert names(f"{SKILLS}?category={site['engineering']}&risk=blocker,scarce") == ["Rust", "Python"]
    # A filtered answer is the whole answer's skills, unchanged.
    whole = {s["name"]: s for s in get(jira, tenant, SKILLS)["skills"]}
    part = get(jira, tenant, f"{SKILLS}?category={site['backend']}")
    assert part == {"expertLevel": 3, "skills": [whole["Rust"], whole["Go"]]}


@pytest.mark.parametrize("query,status,message", [
    ("category=00000000-0000-4000-8000-000000000000", 404, "No category has the key"),
    ("category=not-a-key", 404, "No category has the key"),
    ("risk=", 400, "'risk' must be one or more of blocker, bottleneck, scarce, ok"),
    ("risk=blocker,", 400, "'risk' must be one or more of"),
    ("risk=Blocker", 400, "'risk' must be one or more of"),
    ("risk=high", 400, "'risk' must be one or more of"),
    ("risk=ok&risk=scarce", 400, "Give the query parameter 'risk' once."),
    ("category=a&category=b", 400, "Give the query parameter 'category' once."),
])
def test_skills_refuses_bad_input(jira: JiraActions, tenant: Tenant, query: str, status: int, message: str) -> None:
    answer = get(jira, tenant, f"{SKILLS}?{query}", status=status)
    assert set(answer) == {"error", "message"} and answer["message"].startswith(message)


def test_every_caller_of_the_tenant_may_read_and_no_other_tenants_data_shows(
        jira: JiraActions, tenant: Tenant, site: dict[str, Any]) -> None:
    expected = get(jira, tenant, SKILLS, sub=CAROL)
    token = jira.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "x"}).get_json()["token"]
    for headers in ({"Authorization": f"Bearer {token}"}, {"Authorization-Skills": token},
                    jira.headers(tenant, "GET", SKILLS, sub="someone-with-no-skills", context=True)):
        response = jira.client.get(SKILLS, headers=headers)
        assert response.status_code == 200 and response.get_json() == expected
    other = jira.install("tenant-b", admins={ADMIN})
    assert get(jira, other, SKILLS) == {"expertLevel": 3, "skills": []}
    get(jira, other, f"{MATRIX}?category={site['engineering']}", status=404)


def test_the_matrix_of_a_category(jira: JiraActions, tenant: Tenant, site: dict[str, Any]) -> None:
    answer = get(jira, tenant, f"{MATRIX}?category={site['engineering']}")
    # Columns depth first as the experts tree lists them: Backend's skills, then Engineering's own.
    assert answer == {"category": site["engineering"], "skills": ["Go", "Rust", "Python"], "total": 3, "people": [
        {"accountId": ALICE, "levels": {"Go": None, "Python": 4}},  # 2 skills, levels 4 (unrated: 0)
        {"accountId": BOB, "levels": {"Go": 1, "Python": 3}},       # 2 skills, levels 4: then by account
        {"accountId": CAROL, "levels": {"Python": 1, "Rust": 2}}]}  # 2 skills, levels 3
    assert answer == expected_matrix(site["engineering"], ["Go", "Rust", "Python"], site["held"])
    design = get(jira, tenant, f"{MATRIX}?category={site['design']}")
    assert design == {"category": site["design"], "skills": ["Figma"], "total": 1,
                      "people": [{"accountId": BOB, "levels": {"Figma": None}}]}


def test_the_matrix_of_listed_people_and_its_pages(jira: JiraActions, tenant: Tenant, site: dict[str, Any]) -> None:
    url = f"{MATRIX}?category={site['backend']}&accountId={CAROL}&accountId=acc-nobody&accountId={ALICE}&accountId={CAROL}"
    assert get(jira, tenant, url) == {"category": site["backend"], "skills": ["Go", "Rust"], "total": 3, "people": [
        {"accountId": CAROL, "levels": {"Rust": 2}}, {"accountId": ALICE, "levels": {"Go": None}},
        {"accountId": "acc-nobody", "levels": {}}]}
    pages = [get(jira, tenant, f"{MATRIX}?category={site['engineering']}&limit=2&offset={offset}")
             for offset in (0, 2, 4)]
    assert [[p["accountId"] for p in page["people"]] for page in pages] == [[ALICE, BOB], [CAROL], []]
    assert {page["total"] for page in pages} == {3}


def test_a_matrix_shows_at_most_200_skills_and_200_people(jira: JiraActions, tenant: Tenant) -> None:
    tree = put_tree(jira, tenant, [category("Wide", *[skill(f"Skill {n:03d}") for n in range(150)],
                                            category("More", *[skill(f"More {n:02d}") for n in range(51)])),
                                   category("Fits", *[skill(f"Fits {n:03d}") for n in range(200)])])
    wide, fits = tree[0]["key"], tree[1]["key"]
    refused = get(jira, tenant, f"{MATRIX}?category={wide}", status=400)
    assert refused == {"error": "too_many_skills",
                       "message": "The category 'Wide' holds 201 skills with its subcategories; a matrix shows at "
                                  "most 200. Pick a narrower category."}
    assert len(get(jira, tenant, f"{MATRIX}?category={fits}")["skills"]) == 200
    many = "&".join(f"accountId=acc-{n:03d}" for n in range(201))
    refused = get(jira, tenant, f"{MATRIX}?category={fits}&{many}", status=400)
    assert refused["message"] == "A matrix lists at most 200 people; 201 were given."
    fine = "&".join(f"accountId=acc-{n:03d}" for n in range(200))
    answer = get(jira, tenant, f"{MATRIX}?category={fits}&{fine}&accountId=acc-000")
    assert answer["total"] == 200 and len(answer["people"]) == 200


@pytest.mark.parametrize("query,status,message", [
    ("", 400, "The query parameter 'category' is required."),
    ("category=00000000-0000-4000-8000-000000000000", 404, "No category has the key"),
    ("category={key}&limit=0", 400, "'limit' must be a whole number from 1 to 200."),
    ("category={key}&limit=201", 400, "'limit' must be a whole number from 1 to 200."),
    ("category={key}&limit=2.0", 400, "'limit' must be a whole number"),
    ("category={key}&limit=%2B5", 400, "'limit' must be a whole number"),
    ("category={key}&limit=", 400, "'limit' must be a whole number"),
    ("category={key}&offset=-1", 400, "'offset' must be a whole number from 0"),
    ("category={key}&offset=1e3", 400, "'offset' must be a whole number from 0"),
    ("category={key}&offset=" + "9" * 19, 400, "'offset' must be a whole number from 0"),
    ("category={key}&limit=5&limit=6", 400, "Give the query parameter 'limit' once."),
    ("category={key}&accountId=bad%20id", 400, "Each 'accountId' must be an Atlassian account ID."),
    ("category={key}&accountId=", 400, "Each 'accountId' must be an Atlassian account ID."),
])
def test_matrix_refuses_bad_input(jira: JiraActions, tenant: Tenant, site: dict[str, Any], query: str, status: int,
                                  message: str) -> None:
    answer = get(jira, tenant, f"{MATRIX}?{query.format(key=site['engineering'])}", status=status)
    assert answer["message"].startswith(message), answer


# ---------------------------------------------------------------------------------------------
# Generated sites: levels, unrated holdings, issue skills, scales; the figures counted another way

def generate(rng: random.Random, app: Flask, jira: JiraActions, tenant: Tenant) -> dict[str, Any]:
    """A random site written through the API and the level/issue helpers; what it holds, in Python."""
    names = [f"Skill {n:02d}" for n in range(rng.randint(8, 24))] + ["straße", "Ünïcode", "Zulu"]
    rng.shuffle(names)
    # Categories two deep, holding some skills; the others in no category.
    placed: dict[str, list[str]] = {}
    nodes, columns, spare = [], {}, names[:]
    for c in range(rng.randint(1, 4)):
        subs = []
        for s in range(rng.randint(0, 2)):
            own = [spare.pop() for _ in range(min(len(spare), rng.randint(0, 3)))]
            subs.append(category(f"Sub {c}.{s}", *[skill(n) for n in own]))
            placed[f"Sub {c}.{s}"] = own
        own = [spare.pop() for _ in range(min(len(spare), rng.randint(0, 3)))]
        placed[f"Top {c}"] = own
        nodes.append(category(f"Top {c}", *subs, *[skill(n) for n in own]))
    tree = put_tree(jira, tenant, nodes)
    keys, catalogue = {}, {name: None for name in names}
    for top in tree:
        subs = [child for child in top["children"] if child["type"] == "category"]
        keys[top["displayName"]] = top["key"]
        for sub in subs:
            keys[sub["displayName"]] = sub["key"]
            catalogue.update({name: sub["key"] for name in placed[sub["displayName"]]})
            columns[sub["key"]] = placed[sub["displayName"]]
        catalogue.update({name: top["key"] for name in placed[top["displayName"]]})
        columns[top["key"]] = [n for sub in subs for n in placed[sub["displayName"]]] + placed[top["displayName"]]
    # People with levels, unrated holdings, or none at all; a scale of 2 to 7 levels.
    top_level = rng.choice([2, 3, 4, 5, 7])
    expert_level = rng.randint(1, top_level)
    held: dict[str, dict[str, int | None]] = {}
    for p in range(rng.randint(5, 40)):
        skills = rng.sample(names, rng.randint(0, 8))
        held[f"acc-{p:03d}"] = {name: rng.choice([None, None] + list(range(1, top_level + 1))) for name in skills}
    bulk(jira, tenant, {account: list(skills) for account, skills in held.items()})
    if (top_level, expert_level) != DEFAULT_SCALE:
        set_scale(app, tenant.client_key, [f"Level {n}" for n in range(1, top_level + 1)], expert_level)
    for account, skills in held.items():
        rated = {name: level for name, level in skills.items() if level is not None}
        if rated:
            set_levels(app, tenant.client_key, account, rated)
    # Issues: some skills wanted by several, some by none, and a name new to the catalogue.
    issues: dict[int, list[str]] = {}
    for issue in range(rng.randint(0, 15)):
        wanted = rng.sample(names, rng.randint(1, 4)) + (["Brand new"] if issue == 3 else [])
        set_issue_skills(app, tenant.client_key, 10_000 + issue,
                         [(name, rng.choice([None, 1, top_level])) for name in wanted])
        issues[10_000 + issue] = wanted
    if any("Brand new" in wanted for wanted in issues.values()):
        catalogue["Brand new"] = None
    return {"catalogue": catalogue, "held": held, "issues": issues, "scale": (top_level, expert_level),
            "columns": columns}


@pytest.mark.parametrize("seed", range(6))
def test_generated_sites_figures_equal_plain_counts(app: Flask, jira: JiraActions, tenant: Tenant, seed: int) -> None:
    rng = random.Random(seed)
    made = generate(rng, app, jira, tenant)
    expected = expected_skills(made["catalogue"], made["held"], made["issues"], made["scale"])
    answer = get(jira, tenant, SKILLS)
    assert answer == expected
    # The risks really vary: every generated site has blockers, and the figures are not all zero.
    assert {s["risk"] for s in answer["skills"]} >= {"blocker"} and any(s["holders"] for s in answer["skills"])
    for key, columns in made["columns"].items():
        in_subtree = set(columns)
        assert get(jira, tenant, f"{SKILLS}?category={key}") == {
            "expertLevel": expected["expertLevel"], "skills": [s for s in expected["skills"] if s["name"] in in_subtree]}
        assert get(jira, tenant, f"{MATRIX}?category={key}") == expected_matrix(key, columns, made["held"])
        some = rng.sample(sorted(made["held"]), min(5, len(made["held"])))
        listed = "".join(f"&accountId={account}" for account in some)
        assert get(jira, tenant, f"{MATRIX}?category={key}{listed}&limit=3&offset=1") == \
            expected_matrix(key, columns, made["held"], some, limit=3, offset=1)
    risks = rng.sample(RISKS, 2)
    assert get(jira, tenant, f"{SKILLS}?risk={','.join(risks)}")["skills"] == \
        [s for s in expected["skills"] if s["risk"] in risks]


# ---------------------------------------------------------------------------------------------
# The answer's packed holdings

def test_packed_holdings_keep_each_account_apart_through_every_change() -> None:
    from addon.skills.insights import PackedHoldings

    rng = random.Random(5)
    accounts = [f"{n:024x}" for n in range(300)] + ["557058:" + "f" * 36, "a", "ünïcode-never-valid-but-stored"]
    truth = {account: sorted(rng.sample(range(1 << 20), rng.randint(1, 30))) for account in accounts}
    packed = PackedHoldings(truth)
    for step in range(4000):  # gains, losses, accounts leaving, new accounts (enough for more buckets)
        account = rng.choice(accounts) if step % 3 == 0 else f"new-{step}"
        values = sorted(rng.sample(range(1 << 20), rng.randint(0, 12)))
        packed.put(account, values)
        if values:
            truth[account] = values
        else:
            truth.pop(account, None)
        if account not in accounts:
            accounts.append(account)
    assert len(packed._buckets) > 64  # it grew its buckets as the accounts came
    assert packed.accounts == len(truth)
    for account in accounts:
        assert list(packed.get(account)) == truth.get(account, [])
    assert list(packed.get("never-seen")) == []
