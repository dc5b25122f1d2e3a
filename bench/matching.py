"""Figures of issue 22: POST /api/match at tenant size, and the suggestions route against a Jira that
answers each open-issue count in 20 ms.

- `match_ms`: median POST /api/match with 3 skills (the three most held, so the most rows to rank),
  half the holdings rated. Goal: <= 50 ms at 50,000 people.
- `suggestions_cold_ms`: median GET /api/issue-skills/suggestions (10 people) with every count asked
  of the stand-in (its cache emptied before each call); `suggestions_warm_ms` the same with the counts
  cached: the route's own cost. Goal: cold <= 20 ms + warm (plus scheduling slack), never the
  10 x 20 ms that sequential calls would cost.
"""
from __future__ import annotations

import json
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from sqlalchemy import func, select, text, update

from addon.extensions import db
from addon.models import Skill, Tenant, UserSkill

JIRA_LATENCY_SECONDS = 0.020
ISSUE_ID = 10001


class JiraStandIn:
    """Answers the calls the suggestions route makes (counts, issue properties) after JIRA_LATENCY_SECONDS."""

    def __init__(self) -> None:
        self.counts = 0

        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes: without this, Nagle's algorithm holds the body until
            # the client's delayed ACK (tens of milliseconds on loopback), which would be measured as Jira's.
            disable_nagle_algorithm = True

            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                time.sleep(JIRA_LATENCY_SECONDS)
                if self.path.endswith("/search/approximate-count"):
                    stand_in.counts += 1
                    body = json.dumps({"count": 3}).encode()
                    self.send_response(200)
                else:
                    body = b""
                    self.send_response(204)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PUT = do_DELETE = _reply  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _median_ms(fn: Callable[[], Any], runs: int, before: Callable[[], None] = lambda: None) -> float:
    before()
    fn()  # warm
    times = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1)


def top_skills(tenant_id: int, count: int = 3) -> list[str]:
    return list(db.session.execute(
        select(Skill.name).join(UserSkill, UserSkill.skill_id == Skill.id).where(Skill.tenant_id == tenant_id)
        .group_by(Skill.id, Skill.name).order_by(func.count().desc(), Skill.name).limit(count)).scalars())


def match_figures(app: Any, tenant_id: int, api_token: str, runs: int) -> dict[str, Any]:
    """match_ms, and the suggestions route cold and warm against the 20 ms stand-in. In an app context."""
    # Half the holdings rated 1 to 4, spread by row id: the ranking's level sums have something to add.
    db.session.execute(update(UserSkill).where(UserSkill.tenant_id == tenant_id, UserSkill.id % 2 == 0)
                       .values(level=UserSkill.id % 4 + 1))
    db.session.commit()
    names = top_skills(tenant_id)
    client = app.test_client()
    headers = {"Authorization": "Bearer " + api_token}
    body = {"skills": [names[0], {"name": names[1], "minLevel": 2}, names[2]], "limit": 10}

    def match() -> None:
        response = client.post("/api/match", json=body, headers=headers)
        if response.status_code != 200 or len(response.json["people"]) != 10:
            raise RuntimeError(f"POST /api/match: {response.status_code} {response.get_data(as_text=True)[:300]}")

    figures: dict[str, Any] = {"match_ms": _median_ms(match, runs)}

    stand_in = JiraStandIn()
    tenant = db.session.get(Tenant, tenant_id)
    old_base = tenant.base_url
    try:
        db.session.execute(update(Tenant).where(Tenant.id == tenant_id).values(base_url=stand_in.url))
        db.session.commit()
        put = client.put(f"/api/issue-skills?issueId={ISSUE_ID}", json={"skills": body["skills"]}, headers=headers)
        if put.status_code != 200:
            raise RuntimeError(f"PUT /api/issue-skills: {put.status_code} {put.get_data(as_text=True)[:300]}")
        counts = app.extensions["issue_jira"].counts

        def suggest() -> None:
            response = client.get(f"/api/issue-skills/suggestions?issueId={ISSUE_ID}&limit=10", headers=headers)
            people = response.json["people"] if response.status_code == 200 else []
            if len(people) != 10 or any(p["openIssues"] != 3 for p in people):
                raise RuntimeError(f"suggestions: {response.status_code} {response.get_data(as_text=True)[:300]}")

        def forget_counts() -> None:
            counts._cache.clear()

        asked_before = stand_in.counts
        figures["suggestions_cold_ms"] = _median_ms(suggest, runs, forget_counts)
        figures["suggestions_counts_asked"] = stand_in.counts - asked_before
        figures["suggestions_warm_ms"] = _median_ms(suggest, runs)
        figures["jira_latency_ms"] = JIRA_LATENCY_SECONDS * 1000
        figures["suggestions_sequential_ms"] = 10 * JIRA_LATENCY_SECONDS * 1000
    finally:
        db.session.execute(update(Tenant).where(Tenant.id == tenant_id).values(base_url=old_base))
        db.session.execute(text("DELETE FROM issue_skills WHERE tenant_id = :t"), {"t": tenant_id})
        db.session.execute(text("DELETE FROM issue_mirrors WHERE tenant_id = :t"), {"t": tenant_id})
        db.session.execute(update(UserSkill).where(UserSkill.tenant_id == tenant_id).values(level=None))
        db.session.commit()
        stand_in.stop()
    return figures
