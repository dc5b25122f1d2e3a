"""Parallel writers on one user, through a real HTTP server: the state a serial run would give."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from .conftest import jira_token

U1 = "concurrent-user-1"


def signed_put(base, tenant, url, skills):
    headers = {"Authorization": "JWT " + jira_token("PUT", url, tenant.client_key, tenant.secret, sub=U1)}
    return requests.put(base + url, json={"skills": skills}, headers=headers, timeout=30)


def test_parallel_adds_on_one_user_never_duplicate_or_fail(jira, live_server):
    tenant = jira.install("tenant-a")
    url = f"/api/user-skills?accountId={U1}"
    # 8 writers, overlapping sets, each name in several spellings.
    batches = [[f"Skill {(w * 3 + i) % 20}" if w % 2 else f"skill {(w * 3 + i) % 20}".upper() for i in range(6)]
               for w in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda batch: signed_put(live_server.url, tenant, url, batch), batches * 3))
    assert [r.status_code for r in responses] == [200] * len(responses), [r.text for r in responses if r.status_code != 200]
    added = [name.casefold() for r in responses for name in r.json()["added"]]
    union = {name.casefold() for batch in batches for name in batch}
    # Each skill is reported added exactly once, as in some serial order of the same requests.
    assert sorted(added) == sorted(union)
    headers = {"Authorization": "JWT " + jira_token("GET", url, tenant.client_key, tenant.secret, sub=U1)}
    held = requests.get(live_server.url + url, headers=headers, timeout=30).json()["skills"]
    assert sorted(s.casefold() for s in held) == sorted(union)
    assert len(held) == len(set(s.casefold() for s in held))


def test_parallel_adds_never_exceed_the_limit(jira, live_server):
    tenant = jira.install("tenant-a")
    url = f"/api/user-skills?accountId={U1}"
    assert signed_put(live_server.url, tenant, url, [f"base {i}" for i in range(490)]).status_code == 200
    batches = [[f"extra {w}-{i}" for i in range(4)] for w in range(6)]  # 24 more wanted, room for 10
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda b: signed_put(live_server.url, tenant, url, b), batches))
    assert sorted(r.status_code for r in responses) == [200, 200, 400, 400, 400, 400]
    headers = {"Authorization": "JWT " + jira_token("GET", url, tenant.client_key, tenant.secret, sub=U1)}
    assert len(requests.get(live_server.url + url, headers=headers, timeout=30).json()["skills"]) == 498
