"""Where a route's time goes: seed a database as bench/run.py does, call the route in a loop, profile it.

    .venv/bin/python -m bench.profile read            # GET /api/user-skills, many users
    .venv/bin/python -m bench.profile skills-by-account
    .venv/bin/python -m bench.profile experts
    .venv/bin/python -m bench.profile bulk

Needs the `bench` extra (pyinstrument): .venv/bin/pip install -e '.[bench]'. With --py-spy, runs the
loop under py-spy instead and writes a flame graph (SVG) next to this file.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from . import run

ROUTES = {"read": run.READ_PATH, "skills-by-account": "/api/skills-by-account", "experts": "/api/skill-tree/experts"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("route", choices=[*ROUTES, "bulk"])
    parser.add_argument("--users", type=int, default=None, help="default: the full run's 10,000")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to loop")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--py-spy", action="store_true", help="profile with py-spy (a flame graph)")
    parser.add_argument("--show-all", action="store_true", help="every frame, library ones too")
    parser.add_argument("--loop-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.py_spy and not args.loop_only:
        out = run.HERE / f"profile-{args.route}.svg"
        command = ["py-spy", "record", "-o", str(out), "-r", "500", "--", sys.executable, "-m", "bench.profile",
                   *[a for a in sys.argv[1:] if a != "--py-spy"], "--loop-only"]
        print(" ".join(command), file=sys.stderr)
        return subprocess.call(command)

    size = run.FULL
    users = args.users or size.users
    with tempfile.TemporaryDirectory(prefix="skills-profile-") as tmp:
        url = args.database_url or "sqlite:///" + os.path.join(tmp, "profile.sqlite3")
        app, data, seconds = run.prepare(url, users, size)
        run.log(f"seeded {data.holdings:,} holdings in {seconds:.1f} s")
        client = app.test_client()
        if args.route == "bulk":
            payload = json.dumps({"skillsByAccountId": run.bulk_payload(app, data, min(users, size.bulk_accounts))})
            headers = {"Authorization": "Bearer " + data.api_token, "Content-Type": "application/json"}
            calls = [lambda: client.post(run.BULK_PATH, data=payload, headers=headers)]
        else:
            path = ROUTES[args.route]
            if args.route == "read":
                paths = [f"{path}?accountId={account}" for account in data.accounts[:1000]]
            else:
                paths = [path]
            signed = [(p, {"Authorization": "JWT " + run.jira_token("GET", p, run.seeding.CLIENT_KEY, data.secret,
                                                                    data.accounts[0], 3600)}) for p in paths]
            calls = [lambda p=p, h=h: client.get(p, headers=h) for p, h in signed]
        for call in calls[:200]:
            response = call()
            assert response.status_code == 200, response.get_data(as_text=True)[:300]

        profiler = None
        if not args.loop_only:
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.0005)
            profiler.start()
        count = 0
        started = time.perf_counter()
        while time.perf_counter() - started < args.seconds:
            calls[count % len(calls)]()
            count += 1
        elapsed = time.perf_counter() - started
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=args.show_all))
        print(f"{count} calls in {elapsed:.1f} s: {elapsed / count * 1000:.3f} ms a call"
              f"{' (with the profiler running)' if profiler else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
