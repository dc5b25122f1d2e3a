"""The expert finder of a large tenant (2,000 skills; 50,000 people in the benchmark) in Chromium: how soon it shows a result.

The time is printed (and written to $FINDER_TIMING_FILE, for bench/run.py to record); the goal,
a first result within 1 s of the page's load, is the benchmark's to judge, not this test's: on a
shared machine a timed assertion would fail for the neighbours' load.
"""
from __future__ import annotations

import json
import os
import re
import time
from typing import Any

from playwright.sync_api import expect

from .conftest import JiraActions, Tenant
# The page tests' browser, stand-in all.js and Jira frame, shared rather than copied.
from .test_pages import ADMIN, app_config, browser, category, set_tree, skill, standin, tenant, ui  # noqa: F401

# The suite runs it at 10,000 people (seeding 50,000 takes minutes); bench/run.py at 50,000.
PEOPLE = int(os.environ.get("FINDER_PEOPLE", "10000"))
SKILLS = 2_000
PER_CATEGORY = 50
BULK = 10_000  # accounts per request: the API's limit


def test_finder_of_a_large_tenant_shows_its_first_result_soon(ui: Any, jira: JiraActions, tenant: Tenant) -> None:
    names = [f"Skill {i:04d}" for i in range(SKILLS)]
    set_tree(jira, tenant, *[category(f"Area {c:02d}", *[skill(n) for n in names[c * PER_CATEGORY:(c + 1) * PER_CATEGORY]])
                             for c in range(SKILLS // PER_CATEGORY)])
    # 15 skills a person, spread over the catalogue; everyone knows Skill 0000.
    accounts = [f"{p:024x}" for p in range(PEOPLE)]
    holdings = {account: list(dict.fromkeys([names[0]] + [names[(p * 7 + k * 131) % SKILLS] for k in range(14)]))
                for p, account in enumerate(accounts)}
    for start in range(0, PEOPLE, BULK):
        part = {account: holdings[account] for account in accounts[start:start + BULK]}
        response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": part})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]

    me = ui(ADMIN)
    me.jira.users.update({accounts[0]: "First Person"})
    figures: dict[str, float] = {}
    # The first visit has the server build its answer; the next follows a write (the answer patched);
    # the last is served from memory as it is.
    for visit in ("first", "after_write", "again"):
        if visit == "after_write":
            response = jira.request(tenant, "PUT", f"/api/user-skills?accountId={accounts[1]}", sub=ADMIN,
                                    json={"skills": ["Skill 1999"]})
            assert response.status_code == 200, response.get_data(as_text=True)
        started = time.perf_counter()
        page = me.open("/pages/finder")
        expect(page.locator("#status")).to_have_text(f"{SKILLS} skills in the tree.", timeout=30_000)
        expect(page.locator("#tree li").first).to_be_visible()
        # Milliseconds from the start of the navigation (performance's time origin) to the tree drawn.
        figures[f"{visit}_result_ms"] = round(page.evaluate("performance.now()"), 1)
        figures[f"{visit}_wall_ms"] = round((time.perf_counter() - started) * 1000, 1)
        timing = page.evaluate("""() => {
            const e = performance.getEntriesByType('resource').find(r => r.name.includes('/api/skill-tree/experts'));
            return e ? {fetch_ms: e.duration, bytes: e.transferSize || e.encodedBodySize} : null; }""")
        assert timing is not None, "the finder did not ask for the experts tree"
        figures[f"{visit}_experts_fetch_ms"] = round(timing["fetch_ms"], 1)
        figures["experts_bytes"] = timing["bytes"]

    # The page works at this size: a skill's people are there, drawn a page at a time.
    page.get_by_role("button", name=re.compile(r"^Area 00")).click()
    page.get_by_role("button", name=re.compile(r"^Skill 0000")).click()
    everyone = page.get_by_role("list", name="People who know Skill 0000")
    expect(everyone.locator("li")).to_have_count(60)
    expect(everyone.locator(".person-name").first).to_have_text("First Person")
    expect(page.get_by_role("button", name=f"Show 60 more of {PEOPLE - 60}")).to_be_visible()

    print(f"\nfinder with {PEOPLE:,} people and {SKILLS:,} skills: {json.dumps(figures)}")
    if os.environ.get("FINDER_TIMING_FILE"):
        with open(os.environ["FINDER_TIMING_FILE"], "w") as out:
            json.dump({"people": PEOPLE, "skills": SKILLS, **figures}, out)
