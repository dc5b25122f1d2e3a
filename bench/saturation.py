"""A 60-second saturation run: no 5xx, and each gunicorn worker's memory flat after warm-up.

    .venv/bin/python bench/saturation.py             # PostgreSQL of its own, 60 s, 64 connections

Starts its own PostgreSQL and the app under gunicorn (2 gthread workers, 4 threads: the settings
the benchmark recommends), drives it with wrk past its capacity (reads, and one write in nine
lines), and samples every worker's resident memory (VmRSS) every 2 s. Memory is "flat" when each
worker's RSS over the last quarter of the run exceeds its RSS just after warm-up by less than
--max-growth-mib. Prints the samples and the figures; exits 1 on any 5xx or growth past the bound.
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time
from typing import Any

from faultlib import app_on_postgres, log, rss_kib, run_wrk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--max-growth-mib", type=float, default=8.0)
    args = parser.parse_args(argv)

    with app_on_postgres("saturation.", users=2000, writes_every=4) as (_, server, requests_file):
        workers = server.worker_pids()
        log(f"gunicorn workers {workers}; wrk {args.connections} connections for {args.seconds} s")
        samples: list[tuple[float, dict[int, int | None]]] = []
        stop = threading.Event()
        start = time.monotonic()

        def sampler() -> None:
            while not stop.is_set():
                samples.append((time.monotonic() - start, {pid: rss_kib(pid) for pid in workers}))
                stop.wait(2.0)

        watcher = threading.Thread(target=sampler, daemon=True)
        watcher.start()
        outcome: dict[str, Any] = run_wrk(server.url, requests_file, args.seconds, args.connections)
        stop.set()
        watcher.join(5)
        still = server.worker_pids()

    print(f"Saturation: {args.seconds} s of wrk, {args.connections} connections, reads and writes")
    print(f"  wrk: {outcome['requests']} requests ({outcome['requests'] / outcome['seconds']:.0f}/s), "
          f"2xx {outcome['2xx']}, 4xx {outcome['4xx']}, 5xx {outcome['5xx']}, socket errors "
          f"{sum(outcome[k] for k in ('connect_errors', 'read_errors', 'write_errors', 'timeouts'))}, "
          f"p50 {outcome['p50_ms']} ms, p99 {outcome['p99_ms']} ms, max {outcome['max_ms']} ms")
    print("  RSS of each worker (MiB):")
    print("    t(s)  " + "  ".join(f"{pid:>8}" for pid in workers))
    for t, rss in samples:
        print(f"    {t:5.1f} " + "  ".join(f"{(v or 0) / 1024:8.1f}" for v in rss.values()))
    ok = outcome["5xx"] == 0 and still == workers
    if still != workers:
        print(f"  workers changed during the run: {workers} -> {still}")
    last_quarter = args.seconds * 0.75
    for pid in workers:
        after_warmup = [rss[pid] for t, rss in samples if args.warmup <= t < args.warmup + 6 and rss[pid]]
        late = [rss[pid] for t, rss in samples if t >= last_quarter and rss[pid]]
        if not after_warmup or not late:
            print(f"  worker {pid}: too few samples")
            ok = False
            continue
        growth = (statistics.median(late) - statistics.median(after_warmup)) / 1024
        print(f"  worker {pid}: {statistics.median(after_warmup) / 1024:.1f} MiB after warm-up, "
              f"{statistics.median(late) / 1024:.1f} MiB in the last quarter: {growth:+.1f} MiB")
        ok = ok and growth < args.max_growth_mib
    print("  verdict: " + ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
