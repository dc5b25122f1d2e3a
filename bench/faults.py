"""A PostgreSQL restart in the middle of a wrk run of reads and writes.

    .venv/bin/python bench/faults.py                 # 60 s of wrk, PostgreSQL restarted at 20 s

Starts its own PostgreSQL (fsync on) and the app under gunicorn, runs wrk with reads and writes,
and beside it a prober (one read every 50 ms) and ledger writers whose every answer is recorded:
each ledger write adds a pair of skills ("a N", "b N") to one user in one request. Then it checks:
- reads recover by themselves: seconds from PostgreSQL accepting connections again to the first
  good read, and how long reads failed in all;
- no write answered 2xx is lost: both skills of every such pair are held;
- none is half-applied: for every write, answered or not, the user holds both skills or neither.
Prints the figures; exits 1 if any check fails.
"""
from __future__ import annotations

import argparse
import itertools
import threading
import time
from typing import Any

from faultlib import app_on_postgres, call, log, run_wrk

LEDGER_USERS = 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--restart-at", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--recover-within", type=float, default=5.0,
                        help="seconds after PostgreSQL is back within which reads must work again")
    args = parser.parse_args(argv)

    with app_on_postgres("faults.", users=400, writes_every=4) as (pg, server, requests_file):
        log(f"PostgreSQL on port {pg.port}, gunicorn at {server.url}; wrk for {args.seconds} s")

        stop = threading.Event()
        start = time.monotonic()
        probes: list[tuple[float, int]] = []
        writes: list[dict[str, Any]] = []
        numbers = itertools.count()
        lock = threading.Lock()

        def prober() -> None:
            while not stop.is_set():
                status, _ = call("GET", server.url, "/api/user-skills?accountId=probe-user", "probe-user", timeout=5)
                probes.append((time.monotonic() - start, status))
                time.sleep(0.05)

        def writer() -> None:
            while not stop.is_set():
                with lock:
                    n = next(numbers)
                user = f"ledger-user-{n % LEDGER_USERS}"
                sent = time.monotonic() - start
                status, _ = call("PUT", server.url, f"/api/user-skills?accountId={user}", user,
                                 {"skills": [f"a {n}", f"b {n}"]}, timeout=10)
                with lock:
                    writes.append({"n": n, "user": user, "status": status, "sent": sent})
                time.sleep(0.01)

        workers = [threading.Thread(target=prober, daemon=True)] + \
                  [threading.Thread(target=writer, daemon=True) for _ in range(3)]
        for worker in workers:
            worker.start()
        outcome: dict[str, Any] = {}
        load = threading.Thread(target=lambda: outcome.update(
            run_wrk(server.url, requests_file, args.seconds, args.connections)), daemon=True)
        load.start()

        time.sleep(max(0.0, args.restart_at - (time.monotonic() - start)))
        down_at = time.monotonic() - start
        log("restarting PostgreSQL (pg_ctl stop -m fast; start)")
        pg.stop("fast")
        pg.start()
        while not pg.ready():
            time.sleep(0.05)
        up_at = time.monotonic() - start
        log(f"PostgreSQL down at {down_at:.2f} s, accepting connections again at {up_at:.2f} s")

        load.join(args.seconds + 90)
        stop.set()
        for worker in workers:
            worker.join(15)

        # What the users hold now, read through the API once everything is quiet.
        held: dict[str, set[str]] = {}
        for i in range(LEDGER_USERS):
            user = f"ledger-user-{i}"
            status, body = call("GET", server.url, f"/api/user-skills?accountId={user}", user)
            if status != 200:
                log(f"final read of {user} answered {status}")
                return 1
            held[user] = set(body["skills"])

    answered = [w for w in writes if 200 <= w["status"] < 300]
    lost = [w for w in answered if not {f"a {w['n']}", f"b {w['n']}"} <= held[w["user"]]]
    half = [w for w in writes if len({f"a {w['n']}", f"b {w['n']}"} & held[w["user"]]) == 1]
    unanswered_applied = [w for w in writes if not 200 <= w["status"] < 300
                          and {f"a {w['n']}", f"b {w['n']}"} <= held[w["user"]]]
    failed_probes = [(t, s) for t, s in probes if s != 200]
    after_up = [(t, s) for t, s in probes if t >= up_at]
    first_good = next((t for t, s in after_up if s == 200), None)
    recovered_in = (first_good - up_at) if first_good is not None else None
    outage = (max(t for t, _ in failed_probes) - min(t for t, _ in failed_probes)) if failed_probes else 0.0
    failed_after_recovery = [(t, s) for t, s in after_up if first_good is not None and t > first_good and s != 200]
    statuses = sorted({s for _, s in failed_probes} | {w["status"] for w in writes if w["status"] != 200})

    print(f"PostgreSQL restart during {args.seconds} s of wrk ({args.connections} connections, reads and writes)")
    print(f"  wrk: {outcome.get('requests')} requests, 2xx {outcome.get('2xx')}, 4xx {outcome.get('4xx')}, "
          f"5xx {outcome.get('5xx')} (of which 503 {outcome.get('503')}), socket errors {sum(outcome.get(k, 0) for k in ('connect_errors', 'read_errors', 'write_errors', 'timeouts'))}, "
          f"p50 {outcome.get('p50_ms')} ms, p99 {outcome.get('p99_ms')} ms")
    print(f"  PostgreSQL down at {down_at:.2f} s, back at {up_at:.2f} s ({up_at - down_at:.2f} s)")
    print(f"  reads: {len(probes)} probes, {len(failed_probes)} failed over {outage:.2f} s; "
          f"first good read {recovered_in if recovered_in is None else round(recovered_in, 2)} s after PostgreSQL was back; "
          f"{len(failed_after_recovery)} failed after that")
    print(f"  writes: {len(writes)} ledger writes, {len(answered)} answered 2xx, {len(writes) - len(answered)} not "
          f"(statuses seen besides 200: {statuses}); lost {len(lost)}, half-applied {len(half)}, "
          f"applied though not answered 2xx {len(unanswered_applied)}")
    ok = (not lost and not half and recovered_in is not None and recovered_in <= args.recover_within
          and not failed_after_recovery)
    print("  verdict: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
