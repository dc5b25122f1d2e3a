"""Throughput and scale of the add-on, as ratios against baselines measured in the same run.

    .venv/bin/python -m bench.run --quick     # about a minute
    .venv/bin/python -m bench.run             # full size, 10,000 and 50,000 people

Runs on SQLite (a temporary file) and, when DATABASE_URL names a PostgreSQL database, on it too
(in a schema of its own, dropped at the end: nothing else in that database is touched).
Prints a table and writes bench/results.json. README.md ("Benchmark") says what each figure means.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import io
import itertools
import json
import logging
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import jwt
from sqlalchemy import create_engine, func, make_url, select, text

from addon import create_app
from addon.config import normalise_database_url
from addon.connect.jwt import sign_hs256
from addon.extensions import db
from addon.logs import APP_LOGGER
from addon.models import Skill, UserSkill

from . import matching as issue_matching
from . import seed as seeding
from . import peer as ace_peer
from . import rounds, wrkout

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Tokens are signed for paths relative to this base URL; it has no path, so the port does not matter.
APP_BASE_URL = "https://skills-bench.example.test"
READ_PATH = "/api/user-skills"
TREE_PATHS = ("/api/skills-by-account", "/api/skill-tree/experts")
LEVELS_PATH = "/api/skill-levels-by-account"
INSIGHTS_PATH = "/api/insights/skills"
BULK_PATH = "/api/skills-by-account"

# Flags over gunicorn.conf.py, which gunicorn reads from the repository: none, so that the benchmark
# measures the production settings (bench/README.md, "Serving"); --gunicorn tries others.
GUNICORN_SETTINGS: list[str] = []

# A goal is (op, value), or (op, {database: value}) where it differs per database.
GOALS: dict[str, tuple[str, Any]] = {
    "read_ratio": (">=", {"sqlite": 0.6, "postgresql": 0.5}),
    "read_p99_ms": ("<=", 10.0),
    "ace_ratio": (">=", 2.0),
    "tree_ratio": ("<=", 3.0),
    "tree_cold_ratio": ("<=", 3.0),
    "levels_cold_ratio": ("<=", 3.0),
    "insights_ratio": ("<=", 3.0),
    "insights_cold_ratio": ("<=", 3.0),
    "scale_ratio": ("<=", 1.3),
    "bulk_seconds": ("<=", 5.0),
    "match_ms": ("<=", 50.0),
}


@dataclass(frozen=True)
class Size:
    users: int
    skills_per_user: int
    skills: int
    categories: int
    bulk_accounts: int
    scale_small: int
    scale_large: int
    wrk_seconds: int
    wrk_warmup_seconds: int
    wrk_rounds: int
    wrk_urls: int
    tree_runs: int
    scale_requests: int
    more_people: tuple[int, ...] = ()  # tenants whose whole-tenant answers are measured too


FULL = Size(users=10_000, skills_per_user=15, skills=2_000, categories=200, bulk_accounts=10_000,
            scale_small=100, scale_large=100_000, wrk_seconds=20, wrk_warmup_seconds=3, wrk_rounds=2,
            wrk_urls=5_000, tree_runs=7, scale_requests=3_000, more_people=(50_000,))
QUICK = Size(users=2_000, skills_per_user=15, skills=500, categories=50, bulk_accounts=2_000,
             scale_small=100, scale_large=10_000, wrk_seconds=6, wrk_warmup_seconds=3, wrk_rounds=1,
             wrk_urls=1_000, tree_runs=3, scale_requests=800)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Tokens, as Jira signs them

def jira_token(method: str, path: str, client_key: str, secret: str, sub: str, ttl: int) -> str:
    """HS256 with the tenant's shared secret, `qsh` of this very URL, `iss` the clientKey, `sub` the user."""
    return sign_hs256(method, path, client_key, secret, ttl_seconds=ttl, sub=sub)


# ---------------------------------------------------------------------------------------------
# Databases: a temporary SQLite file, or a schema of our own in the PostgreSQL of DATABASE_URL

class Databases:
    """Makes empty databases of one kind and removes them all at the end."""

    def __init__(self, kind: str, workdir: Path, postgres_url: str | None) -> None:
        self.kind = kind
        self.workdir = workdir
        self.postgres_url = postgres_url
        self._schemas: list[str] = []

    def new(self, name: str) -> str:
        if self.kind == "sqlite":
            return "sqlite:///" + str(self.workdir / f"{name}.sqlite3")
        schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        engine = create_engine(self.postgres_url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        self._schemas.append(schema)
        url = make_url(self.postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self._schemas:
            return
        engine = create_engine(self.postgres_url)
        with engine.begin() as conn:
            for schema in self._schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
        self._schemas.clear()

    def version(self) -> str:
        if self.kind == "sqlite":
            return "SQLite " + sqlite3.sqlite_version
        engine = create_engine(self.postgres_url)
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
        return "PostgreSQL " + str(version).split()[0]


# Where the in-process app writes its log lines (a request line per call), as a worker writes to its log.
IN_PROCESS_LOG = Path(tempfile.gettempdir()) / "skills-bench-in-process.log"


@functools.cache
def in_process_log() -> Any:
    log(f"the in-process app's log lines go to {IN_PROCESS_LOG}")
    return IN_PROCESS_LOG.open("w", encoding="utf-8")


def app_for(url: str):  # type: ignore[no-untyped-def]
    app = create_app({"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": None, "APP_BASE_URL": APP_BASE_URL})
    # The in-process figures still pay for formatting and writing every line, as the workers do; the
    # run's own output is then its progress, not thousands of request lines.
    for handler in logging.getLogger(APP_LOGGER).handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
            handler.setStream(in_process_log())
    return app


def prepare(url: str, users: int, size: Size) -> tuple[Any, seeding.Dataset, float]:
    """A migrated, seeded database and an app on it; returns the seconds seeding took."""
    from flask_migrate import upgrade

    app = app_for(url)
    with app.app_context():
        # Alembic logs each migration to stderr; shown only if the upgrade fails.
        chatter = io.StringIO()
        root = logging.getLogger()
        handlers = root.handlers[:]
        try:
            with contextlib.redirect_stderr(chatter):
                upgrade(directory=str(ROOT / "migrations"))
        except BaseException:
            sys.stderr.write(chatter.getvalue())
            raise
        finally:
            # migrations/env.py's fileConfig gives the root logger a console handler, which would
            # write every request line of this process a second time: in-process figures would
            # measure that (gunicorn's workers never run it).
            root.handlers[:] = handlers
        started = time.perf_counter()
        with db.engine.begin() as conn:
            data = seeding.seed(conn, users, size.skills_per_user, size.skills, size.categories)
        if db.engine.dialect.name == "postgresql":
            # A real tenant's tables have long been vacuumed and analyzed by autovacuum. Done here, not
            # left to autovacuum, which would otherwise start on the fresh rows in the middle of a
            # measurement. Only this run's tables (the search path is its own schema).
            tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"VACUUM (ANALYZE) {tables}"))
        seconds = time.perf_counter() - started
    return app, data, seconds


# ---------------------------------------------------------------------------------------------
# Servers: gunicorn on a free loopback port

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process of ours on a free loopback port: gunicorn (`Server.gunicorn`) or the peer."""

    def __init__(self, name: str, command: list[str], cwd: Path, env: dict[str, str], port: int,
                 ready_path: str, logdir: Path) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = logdir / f"server-{name}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self._wait_ready(ready_path)

    @classmethod
    def gunicorn(cls, name: str, target: str, cwd: Path, env: dict[str, str], settings: list[str],
                 ready_path: str, logdir: Path) -> "Server":
        """gunicorn serving `target` from `cwd`: gunicorn.conf.py there, then `settings` over it."""
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", target, "--bind", f"127.0.0.1:{port}", *settings]
        return cls(name, command, cwd, env, port, ready_path, logdir)

    def _wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server {self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's (and the peer's) graceful stop of its workers
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


def serving(settings: list[str]) -> dict[str, Any]:
    """What gunicorn runs with: gunicorn.conf.py's values, then `settings` (command-line flags) over them."""
    import runpy

    config = next((value for flag, value in zip(settings, settings[1:]) if flag in ("--config", "-c")), None)
    conf = runpy.run_path(config or str(ROOT / "gunicorn.conf.py"))
    found = {"workers": conf.get("workers", 1), "worker_class": conf.get("worker_class", "sync"),
             "threads": conf.get("threads", 1), "keepalive": conf.get("keepalive", 2)}
    flags = {"--workers": "workers", "-w": "workers", "--worker-class": "worker_class", "-k": "worker_class",
             "--threads": "threads", "--keep-alive": "keepalive"}
    for flag, value in zip(settings, settings[1:]):
        if flag in flags:
            found[flags[flag]] = value if flags[flag] == "worker_class" else int(value)
    return found


def describe_serving(settings: list[str]) -> str:
    found = serving(settings)
    worker_class = found["worker_class"] if isinstance(found["worker_class"], str) else found["worker_class"].__name__
    return (f"--workers {found['workers']} --worker-class {worker_class} --threads {found['threads']} "
            f"--keep-alive {found['keepalive']}" + (f" ({' '.join(settings)} over gunicorn.conf.py)" if settings
                                                    else " (gunicorn.conf.py)"))


# ---------------------------------------------------------------------------------------------
# wrk

def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        sys.exit("bench/run.py needs wrk, the HTTP benchmarking tool, on PATH.\n"
                 "On Debian or Ubuntu: sudo apt-get install -y wrk")
    return path


def wrk_command(wrk: str, url: str, requests_file: Path, seconds: int, connections: int = 16, threads: int = 2,
                cpus: set[int] | None = None, script: str = "requests.lua", timeout: int | None = None) -> list[str]:
    """wrk's command line; `timeout`: seconds after which wrk counts an answer as lost (its default: 2)."""
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               *([f"--timeout={timeout}s"] if timeout else []),
               "-s", str(HERE / script), url, "--", str(requests_file)]
    if cpus is not None:
        command = ["taskset", "-c", ",".join(map(str, sorted(cpus))), *command]
    return command


def run_wrk(wrk: str, url: str, requests_file: Path, seconds: int, connections: int = 16,
            threads: int = 2, cpus: set[int] | None = None, script: str = "requests.lua") -> wrkout.WrkResult:
    done = subprocess.run(wrk_command(wrk, url, requests_file, seconds, connections, threads, cpus, script),
                          capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return wrkout.parse(done.stdout)


def write_requests(path: Path, data: seeding.Dataset, count: int, ttl: int) -> None:
    """`count` distinct URLs, each with its own token, each signed for a random viewer."""
    rng = random.Random(7)
    accounts = rng.sample(data.accounts, min(count, len(data.accounts)))
    with open(path, "w") as out:
        for account in accounts:
            url = f"{READ_PATH}?accountId={account}"
            token = jira_token("GET", url, seeding.CLIENT_KEY, data.secret, rng.choice(data.accounts), ttl)
            out.write(f"{url} {token}\n")


def measured_round(wrk: str, server: Server, requests_file: Path, size: Size, label: str,
                   cpus: set[int] | None = None, script: str = "requests.lua") -> rounds.Round:
    """A warm-up, then one measured wrk round on `server`, logged; fails on any non-2xx answer or socket error."""
    run_wrk(wrk, server.url, requests_file, size.wrk_warmup_seconds, cpus=cpus, script=script)
    measured = rounds.measure(wrk_command(wrk, server.url, requests_file, size.wrk_seconds, cpus=cpus, script=script),
                              server.name, label, process_tree(server.process.pid), server.port,
                              size.wrk_seconds, timeout=size.wrk_seconds + 60)
    result = measured.result
    log(f"  wrk {server.name} {label}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms, non-2xx {result.non_2xx}; {measured.describe()}")
    if not result.ok:
        raise RuntimeError(f"{server.name}: {result.non_2xx} non-2xx answers, {result.socket_errors} "
                           f"socket errors out of {result.requests}:\n{server.log_tail()}")
    return measured


@dataclass
class Before:
    """The add-on and the bare endpoint under other gunicorn settings (`--before`), measured in the same rounds
    as the current ones, for a before/after table."""

    label: str  # what the settings are, e.g. "main:gunicorn.conf.py"
    settings: list[str]  # gunicorn flags: --config of that file, then the run's own flags
    servers: tuple[Server, ...] = ()

    def start(self, env: dict[str, str], workdir: Path) -> None:
        self.servers = (Server.gunicorn("bare-before", "bench.bare:app", ROOT, env, self.settings, "/healthz", workdir),
                        Server.gunicorn("app-before", "app:app", ROOT, env, self.settings, "/atlassian-connect.json",
                                        workdir))

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers = ()

    def pids(self) -> list[int]:
        return [pid for server in self.servers for pid in process_tree(server.process.pid)]

    def figures(self, best: dict[str, wrkout.WrkResult], peer: str | None, cpu: dict[str, float]) -> dict[str, Any]:
        read, bare = best["app-before"], best["bare-before"]
        figures = {"settings": self.label, "read_rps": round(read.rps, 1), "read_p50_ms": read.p50_ms,
                   "read_p99_ms": read.p99_ms, "bare_rps": round(bare.rps, 1), "bare_p99_ms": bare.p99_ms,
                   "read_ratio": round(read.rps / bare.rps, 3),
                   "read_us_per_request": round(cpu["app-before"], 1)}
        if peer is not None:
            figures["ace_ratio"] = round(read.rps / best[peer].rps, 3)
        log(f"  before ({self.label}): {read.rps:,.0f} req/s, p99 {read.p99_ms:.2f} ms, read_ratio "
            f"{figures['read_ratio']:.2f}" + (f", ace_ratio {figures['ace_ratio']:.2f}" if peer else ""))
        return figures


def best_rounds(measured: list[rounds.Round]) -> dict[str, wrkout.WrkResult]:
    """Each server's fastest round."""
    best: dict[str, wrkout.WrkResult] = {}
    for round_ in measured:
        if round_.server not in best or round_.result.rps > best[round_.server].rps:
            best[round_.server] = round_.result
    return best


def throughput(wrk: str, app_server: Server, bare_server: Server, requests_file: Path,
               size: Size, cpus: set[int] | None = None, peer: Server | None = None,
               before: Before | None = None) -> dict[str, Any]:
    """Best of `wrk_rounds` for each server, bare, app (the `before` pair, and the peer) taking turns so that all
    see the same machine; the before pair's figures under "before"."""
    measured = []
    for round_number in range(size.wrk_rounds):
        for server in (bare_server, app_server, *(before.servers if before else ()), *([peer] if peer else [])):
            measured.append(measured_round(wrk, server, requests_file, size, f"round {round_number + 1}", cpus))
    best = best_rounds(measured)
    read, bare = best["app"], best["bare"]
    figures = {"read_rps": round(read.rps, 1), "read_p50_ms": read.p50_ms, "read_p99_ms": read.p99_ms,
               "bare_rps": round(bare.rps, 1), "bare_p50_ms": bare.p50_ms, "bare_p99_ms": bare.p99_ms,
               "read_ratio": round(read.rps / bare.rps, 3),
               # The tail against the bare endpoint's in the same run: what the absolute p99 cannot say
               # on a shared machine, where the bare endpoint's own p99 moves with the neighbours.
               "read_p99_ratio": round(read.p99_ms / bare.p99_ms, 2) if bare.p99_ms else None}
    # Each server's CPU a request (median of its rounds): what the neighbours on a shared machine move least.
    cpu = {name: statistics.median(r.server_us_per_request for r in measured if r.server == name
                                   and r.server_us_per_request is not None) for name in best}
    figures.update({"read_us_per_request": round(cpu["app"], 1), "bare_us_per_request": round(cpu["bare"], 1)})
    if peer is not None:
        ace = best[peer.name]
        figures.update({"ace_rps": round(ace.rps, 1), "ace_p50_ms": ace.p50_ms, "ace_p99_ms": ace.p99_ms,
                        "ace_ratio": round(read.rps / ace.rps, 3),
                        # What no Flask app under these gunicorn settings can pass: bare Flask against ACE.
                        "bare_ace_ratio": round(bare.rps / ace.rps, 3),
                        # The same comparison in CPU a request (ACE's / ours: above 1, ours is cheaper).
                        "ace_us_per_request": round(cpu[peer.name], 1),
                        "ace_cpu_ratio": round(cpu[peer.name] / cpu["app"], 3),
                        "bare_ace_cpu_ratio": round(cpu[peer.name] / cpu["bare"], 3)})
        log(f"  ace_ratio {figures['ace_ratio']:.2f} (the add-on's req/s / ACE's; bare Flask's / ACE's "
            f"{figures['bare_ace_ratio']:.2f}); p99 {read.p99_ms:.2f} ms against ACE's {ace.p99_ms:.2f} ms; "
            f"server CPU a request {cpu['app']:.0f} us, ACE's {cpu[peer.name]:.0f} us, bare Flask's "
            f"{cpu['bare']:.0f} us (ace_cpu_ratio {figures['ace_cpu_ratio']:.2f})")
    if before is not None:
        figures["before"] = before.figures(best, peer.name if peer else None, cpu)
    figures["rounds"] = [r.as_dict() for r in measured]
    for slow in rounds.slow_rounds(measured):
        log(f"  slow round: {slow.server} {slow.label} at {slow.result.rps:,.0f} req/s ({slow.describe()})")
    return figures


# ---------------------------------------------------------------------------------------------
# Processes: resident sizes, and the database server on a core of its own

def rss_mib(pid: int) -> float | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        with contextlib.suppress(OSError, ValueError):
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
    return found


def pin(pids: list[int], cpus: set[int]) -> None:
    """Every thread of these processes onto `cpus` (threads and children started later inherit it)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(int(task.name), cpus)


def local_postgres_pids(url: str) -> list[int]:
    """The PostgreSQL server's processes (postmaster and children) if it runs on this machine, else []."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        status = Path(f"/proc/{backend}/status").read_text()
        postmaster = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        if b"postgres" not in Path(f"/proc/{postmaster}/cmdline").read_bytes():
            return []
        return process_tree(postmaster)
    except (OSError, StopIteration, ValueError):
        return []
    finally:
        engine.dispose()


def worker_memory(server: Server, data: seeding.Dataset) -> dict[str, Any]:
    """Each worker's resident size once workers have built the whole-tenant answers (skills and levels by
    account, the experts tree, the skills at risk) and patched them."""
    def get(path: str) -> None:
        token = jira_token("GET", path, seeding.CLIENT_KEY, data.secret, data.accounts[0], 600)
        request = urllib.request.Request(server.url + path, headers={"Authorization": "JWT " + token})
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()

    def put(skill: str) -> None:
        url = f"{server.url}{READ_PATH}?accountId={data.accounts[1]}"
        request = urllib.request.Request(url, data=json.dumps({"skills": [skill]}).encode(), method="PUT", headers={
            "Content-Type": "application/json", "Authorization": "Bearer " + data.api_token})
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:  # concurrent, so that every worker answers some
        for skill in ("Bench memory skill", None):
            if skill:
                put(skill)
            list(pool.map(get, [*TREE_PATHS, LEVELS_PATH, INSIGHTS_PATH] * 4))
    return {"worker_rss_mib": [rss_mib(pid) for pid in server.worker_pids()]}


# ---------------------------------------------------------------------------------------------
# In-process timings

def median_seconds(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm: imports, caches, the database's pages
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def answer_timing(client: Any, path: str, headers: dict[str, str], write: Callable[[], None],
                  runs: int) -> dict[str, Any]:
    """One whole-tenant route end to end through Flask against json.dumps of its own answer: as callers
    meet it, called again and again (`ratio`; the add-on may answer from memory while nothing changed),
    and the first call after `write()` changed the tenant (`cold_ratio`)."""
    def call() -> Any:
        return checked(client.get(path, headers=headers), f"GET {path}")

    def cold_call() -> float:
        write()
        started = time.perf_counter()
        call()
        return time.perf_counter() - started

    answer = call().get_json()
    route = median_seconds(call, runs)
    cold = statistics.median([cold_call() for _ in range(runs)])
    dump = median_seconds(lambda: json.dumps(answer), runs)
    log(f"  {path}: route {route * 1000:.1f} ms (after a write {cold * 1000:.1f} ms), "
        f"json.dumps {dump * 1000:.1f} ms, ratio {route / dump:.2f} (after a write {cold / dump:.2f})")
    return {"route_ms": round(route * 1000, 2), "cold_route_ms": round(cold * 1000, 2),
            "dump_ms": round(dump * 1000, 2), "ratio": round(route / dump, 2),
            "cold_ratio": round(cold / dump, 2), "answer_bytes": len(json.dumps(answer))}


def checked(response: Any, what: str) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return response


def tree_timings(app: Any, data: seeding.Dataset, size: Size,
                 paths: tuple[str, ...] = (*TREE_PATHS, INSIGHTS_PATH)) -> dict[str, Any]:
    """Each tree route and the skills at risk (of `paths`) against json.dumps of its own answer, after a
    write of a holding (answer_timing)."""
    client = app.test_client()
    figures: dict[str, Any] = {}
    write_url = f"{READ_PATH}?accountId={data.accounts[-1]}"
    write_headers = {"Authorization": "Bearer " + data.api_token}
    flips = itertools.count()

    def write() -> None:
        # A real change each time (one user's skill on, then off).
        method = client.put if next(flips) % 2 == 0 else client.delete
        checked(method(write_url, json={"skills": ["Bench toggled skill"]}, headers=write_headers), write_url)

    for path in paths:
        headers = {"Authorization": "JWT " + jira_token("GET", path, seeding.CLIENT_KEY, data.secret,
                                                        data.accounts[0], 3600)}
        name = "insights" if path == INSIGHTS_PATH else path.rsplit("/", 1)[-1]
        figures[name] = answer_timing(client, path, headers, write, size.tree_runs)
    trees = [figures[path.rsplit("/", 1)[-1]]["ratio"] for path in TREE_PATHS if path in paths]
    figures["tree_ratio"] = max(trees) if trees else None
    cache = app.extensions["answers"]
    figures["answer_cache"] = {"mib": round(cache.size / 2**20, 1), "bound_mib": round(cache.max_bytes / 2**20, 1),
                               "within": cache.size <= cache.max_bytes, "process_rss_mib": rss_mib(os.getpid())}
    log(f"  answer cache: {cache.size / 2**20:.1f} MiB held, bound {cache.max_bytes / 2**20:.0f} MiB; "
        f"this process {figures['answer_cache']['process_rss_mib']} MiB resident")
    return figures


def levels_timings(app: Any, data: seeding.Dataset, size: Size) -> dict[str, Any]:
    """GET /api/skill-levels-by-account against json.dumps of its own answer, the write being a level's
    (one person's level of one skill, changed each time)."""
    client = app.test_client()
    headers = {"Authorization": "JWT " + jira_token("GET", LEVELS_PATH, seeding.CLIENT_KEY, data.secret,
                                                    data.accounts[0], 3600)}
    write_url = f"/api/user-skill-levels?accountId={data.accounts[-1]}"
    write_headers = {"Authorization": "Bearer " + data.api_token}
    skill = checked(client.get(write_url, headers=write_headers), write_url).get_json()["skills"][0]["name"]
    levels = itertools.cycle([2, 3])

    def write() -> None:
        checked(client.patch(write_url, json={"levels": {skill: next(levels)}}, headers=write_headers), write_url)

    figures = answer_timing(client, LEVELS_PATH, headers, write, size.tree_runs)
    return {"levels": figures, "levels_ratio": figures["ratio"], "levels_cold_ratio": figures["cold_ratio"]}


def signed_reads(data: seeding.Dataset, count: int) -> list[tuple[str, dict[str, str]]]:
    """GET /api/user-skills for `count` users drawn from the whole tenant, each with its own token."""
    rng = random.Random(11)
    signed = []
    for account in rng.sample(data.accounts, min(len(data.accounts), count)):
        url = f"{READ_PATH}?accountId={account}"
        signed.append((url, {"Authorization": "JWT " + jira_token("GET", url, seeding.CLIENT_KEY, data.secret,
                                                                  rng.choice(data.accounts), 3600)}))
    return signed


def read_times(client: Any, signed: list[tuple[str, dict[str, str]]], requests: int, offset: int) -> list[float]:
    times = []
    for n in range(requests):
        url, headers = signed[(offset + n) % len(signed)]
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return times


def scale(databases: Databases, size: Size) -> dict[str, Any]:
    """The per-user read on a small and a large tenant, in alternating rounds so both see the same machine."""
    sides = []
    for users in (size.scale_small, size.scale_large):
        app, data, seconds = prepare(databases.new(f"scale{users}"), users, size)
        log(f"  {users:,} users x {size.skills_per_user}: seeded {data.holdings:,} holdings in {seconds:.1f} s")
        sides.append((users, app, app.test_client(), signed_reads(data, 1000), []))
    round_count = 10
    per_round = max(1, size.scale_requests // round_count)
    first: dict[int, float] = {}
    for users, app, client, signed, _ in sides:
        with app.app_context():
            # One pass over every account the rounds read: the large side's first touch of a page may
            # come from disk (or the OS's cache), which measures the machine's memory, not the read;
            # those first reads are kept apart (read_first_ms_*), the rounds measure the read itself.
            first[users] = statistics.median(read_times(client, signed, len(signed), 0))
    for round_number in range(round_count):
        for users, app, client, signed, times in sides:
            with app.app_context():
                times.extend(read_times(client, signed, per_round, round_number * per_round))
    figures: dict[str, Any] = {}
    for users, app, _, _, times in sides:
        figures[f"read_ms_{users}_users"] = round(statistics.median(times) * 1000, 3)
        log(f"  per-user read at {users:,} users: median {statistics.median(times) * 1000:.3f} ms")
        with app.app_context():
            db.engine.dispose()
    figures["scale_ratio"] = round(figures[f"read_ms_{size.scale_large}_users"]
                                   / figures[f"read_ms_{size.scale_small}_users"], 3)
    for users, ms in first.items():
        figures[f"read_first_ms_{users}_users"] = round(ms * 1000, 3)
    figures["scale_first_read_ratio"] = round(first[size.scale_large] / first[size.scale_small], 3)
    log(f"  scale_ratio {figures['scale_ratio']:.2f}; each account's first read (pages perhaps not yet in "
        f"memory): median {figures[f'read_first_ms_{size.scale_small}_users']:.3f} and "
        f"{figures[f'read_first_ms_{size.scale_large}_users']:.3f} ms, ratio {figures['scale_first_read_ratio']:.2f}")
    return figures


# ---------------------------------------------------------------------------------------------
# Bulk update over HTTP

def bulk_payload(app: Any, data: seeding.Dataset, accounts: int) -> dict[str, list[str]]:
    """Each account keeps two thirds of its skills, loses the rest, gains as many; one in 50 gets a new name."""
    rng = random.Random(13)
    targets = data.accounts[:accounts]
    held: dict[str, list[str]] = {account: [] for account in targets}
    with app.app_context():
        rows = db.session.execute(
            select(UserSkill.account_id, Skill.name).join(Skill, Skill.id == UserSkill.skill_id)
            .where(UserSkill.tenant_id == data.tenant_id).order_by(UserSkill.id))
        for account, name in rows:
            if account in held:
                held[account].append(name)
        db.session.remove()
    payload = {}
    for n, account in enumerate(targets):
        current = held[account]
        keep = current[: len(current) * 2 // 3]
        extra = [name for name in rng.sample(data.skill_names, len(current)) if name not in current]
        new = keep + extra[: len(current) - len(keep)]
        if n % 50 == 0:
            new.append(f"Brand new skill {n}")
        payload[account] = new
    return payload


def bulk(server: Server, app: Any, data: seeding.Dataset, size: Size) -> dict[str, Any]:
    accounts = min(size.bulk_accounts, len(data.accounts))
    body = json.dumps({"skillsByAccountId": bulk_payload(app, data, accounts)}).encode()
    figures: dict[str, Any] = {"bulk_accounts": accounts, "bulk_request_bytes": len(body)}
    for label in ("bulk_seconds", "bulk_unchanged_seconds"):  # the change, then the same list again
        request = urllib.request.Request(server.url + BULK_PATH, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": "Bearer " + data.api_token})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"POST {BULK_PATH}: {err.code} {err.read()[:300]!r}") from None
        figures[label] = round(time.perf_counter() - started, 3)
        if len(answer.get("changes", {})) != accounts:
            raise RuntimeError(f"POST {BULK_PATH}: {len(answer.get('changes', {}))} accounts in 'changes', "
                               f"expected {accounts}")
        log(f"  bulk update of {accounts:,} accounts ({label}): {figures[label]:.2f} s")
    return figures


# ---------------------------------------------------------------------------------------------
# Forge: GET /api/user-skills with Forge Invocation Tokens, against bare Flask and the Connect read

def send_json(handler: Any, body: bytes) -> None:
    """A loopback stand-in's answer: 200 with a JSON body (`handler` a BaseHTTPRequestHandler)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def forge_reads(wrk: str, app_server: Server, bare_server: Server, requests_file: Path, data: seeding.Dataset,
                size: Size, env: dict[str, str], settings: list[str], workdir: Path) -> dict[str, Any]:
    """The Forge read: FITs signed with the bench's own RSA key (its JWKS served on loopback) to an app
    started with FORGE_APP_ID and FORGE_JWKS_URL, the seeded tenant being the Forge app's site.

    `forge_read_ratio` is Forge req/s over bare req/s (as read_ratio); `forge_cost_ratio` is what a
    Forge read costs against a Connect read (Connect req/s over Forge req/s; goal <= 2). The three
    servers take turns, so that all see the same machine.
    """
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = "bench-" + uuid.uuid4().hex[:12]
    jwks = json.dumps({"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())),
                                 "kid": kid, "alg": "RS256", "use": "sig"}]}).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            send_json(self, jwks)

        def log_message(self, *args: Any) -> None:
            pass

    keys = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=keys.serve_forever, daemon=True).start()
    app_id = str(uuid.uuid4())
    cloud_id = str(uuid.uuid4())
    installation = f"ari:cloud:ecosystem::installation/{uuid.uuid4()}"
    system_token = "bench-system-" + uuid.uuid4().hex
    # The seeded (Connect) tenant is the Forge app's site: its first FIT joins it by cloudId.
    with create_engine(env["DATABASE_URL"]).begin() as conn:
        conn.execute(text("UPDATE tenants SET cloud_id = :c WHERE id = :t"), {"c": cloud_id, "t": data.tenant_id})
    rng = random.Random(11)
    now = int(time.time())
    forge_file = workdir / "forge-requests.txt"
    with open(forge_file, "w") as out:
        for account in rng.sample(data.accounts, min(size.wrk_urls, len(data.accounts))):
            claims = {"iss": "forge/invocation-token", "aud": f"ari:cloud:ecosystem::app/{app_id}", "iat": now,
                      "nbf": now, "exp": now + 3 * 3600, "jti": uuid.uuid4().hex,
                      "principal": rng.choice(data.accounts), "context": {"cloudId": cloud_id},
                      "app": {"id": f"ari:cloud:ecosystem::app/{app_id}", "installationId": installation,
                              "apiBaseUrl": f"https://api.atlassian.com/ex/jira/{cloud_id}",
                              "environment": {"type": "PRODUCTION", "id": str(uuid.uuid4())}}}
            token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
            out.write(f"{READ_PATH}?accountId={account} {token} {system_token}\n")
    forge_env = dict(env, FORGE_APP_ID=app_id,
                     FORGE_JWKS_URL=f"http://127.0.0.1:{keys.server_address[1]}/.well-known/jwks.json")
    forge_server = None
    try:
        forge_server = Server.gunicorn("forge", "app:app", ROOT, forge_env, settings, "/atlassian-connect.json", workdir)
        measured = []
        for round_number in range(size.wrk_rounds):
            for server, script, file in ((bare_server, "requests.lua", requests_file),
                                         (app_server, "requests.lua", requests_file),
                                         (forge_server, "forge.lua", forge_file)):
                measured.append(measured_round(wrk, server, file, size, f"(Forge turn) round {round_number + 1}",
                                               script=script))
        best = best_rounds(measured)
    finally:
        if forge_server is not None:
            forge_server.stop()
        keys.shutdown()
        keys.server_close()
    forge, connect, bare = best["forge"], best["app"], best["bare"]
    figures = {"forge_read_rps": round(forge.rps, 1), "forge_read_p50_ms": forge.p50_ms,
               "forge_read_p99_ms": forge.p99_ms, "connect_read_rps": round(connect.rps, 1),
               "bare_rps": round(bare.rps, 1), "forge_read_ratio": round(forge.rps / bare.rps, 3),
               "forge_cost_ratio": round(connect.rps / forge.rps, 2), "forge_cost_goal": "<= 2",
               "rounds": [r.as_dict() for r in measured]}
    log(f"  Forge read: {forge.rps:,.0f} req/s, forge_read_ratio {figures['forge_read_ratio']:.2f} (Forge / bare), "
        f"a FIT read costs {figures['forge_cost_ratio']:.2f}x a Connect read (goal <= 2)")
    return figures


# ---------------------------------------------------------------------------------------------
# What the threads are for: reads go on while administrator checks wait on a slow Jira

SLOW_JIRA_SECONDS = 1.0
# Administrator checks waiting on that Jira at any moment: as many as a 2-core machine has workers,
# so that settings with one request per worker (sync workers, one thread) would stop serving.
SLOW_ADMIN_CHECKS = 2


def stalled_reads(databases: Databases, wrk: str, size: Size, settings: list[str], workdir: Path,
                  before: Before | None = None) -> dict[str, Any]:
    """Reads under wrk, alone and while SLOW_ADMIN_CHECKS administrator checks wait on a Jira that
    answers its permission check after SLOW_JIRA_SECONDS, in alternating rounds (with `before`, its
    settings take their turns too; their figures under "before").

    Each slow request is a user's PUT to someone else's skills: the add-on asks Jira whether the
    caller is an administrator (a new caller each time, so no cached answer), Jira says no after the
    wait, the answer is 403. With one request at a time per worker, reads stop.
    """
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    calls = itertools.count()

    class SlowJira(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            next(calls)
            time.sleep(SLOW_JIRA_SECONDS)
            send_json(self, json.dumps({"globalPermissions": [], "projectPermissions": []}).encode())

        def log_message(self, *args: Any) -> None:
            pass

    jira = ThreadingHTTPServer(("127.0.0.1", 0), SlowJira)
    jira.daemon_threads = True
    threading.Thread(target=jira.serve_forever, daemon=True).start()
    url = databases.new("stall")
    users = min(size.users, 2_000)
    app, data, _ = prepare(url, users, size)
    with app.app_context():
        db.engine.dispose()
    with create_engine(url).begin() as conn:  # the tenant's Jira is the slow one
        conn.execute(text("UPDATE tenants SET base_url = :u WHERE id = :t"),
                     {"u": f"http://127.0.0.1:{jira.server_address[1]}", "t": data.tenant_id})
    requests_file = workdir / "stall-requests.txt"
    write_requests(requests_file, data, min(size.wrk_urls, users), ttl=3 * 3600)
    env = dict(os.environ, DATABASE_URL=url, APP_BASE_URL=APP_BASE_URL)
    slow_in_flight = SLOW_ADMIN_CHECKS
    servers = {"": Server.gunicorn("stall", "app:app", ROOT, env, settings, "/atlassian-connect.json", workdir)}
    if before is not None:
        servers["-before"] = Server.gunicorn("stall-before", "app:app", ROOT, env, before.settings,
                                             "/atlassian-connect.json", workdir)
    stop = threading.Event()
    slow: dict[str, list[tuple[int, float]]] = {suffix: [] for suffix in servers}
    callers = itertools.count()

    def admin_checks(server: Server, slow: list[tuple[int, float]]) -> None:
        target = f"{READ_PATH}?accountId={data.accounts[0]}"
        body = json.dumps({"skills": ["Stalled skill"]}).encode()
        while not stop.is_set():
            caller = f"stall-caller-{next(callers):06d}"
            token = jira_token("PUT", target, seeding.CLIENT_KEY, data.secret, caller, 600)
            request = urllib.request.Request(server.url + target, data=body, method="PUT", headers={
                "Authorization": "JWT " + token, "Content-Type": "application/json"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as err:
                status = err.code
            except OSError:
                status = 0
            slow.append((status, time.perf_counter() - started))

    measured: list[rounds.Round] = []
    try:
        for round_number, (suffix, server), stalled in itertools.product(range(size.wrk_rounds), servers.items(),
                                                                         (False, True)):
            label = (f"{'with' if stalled else 'without'} {slow_in_flight} slow admin checks, round "
                     f"{round_number + 1}{' (' + before.label + ')' if suffix and before else ''}")
            run_wrk(wrk, server.url, requests_file, size.wrk_warmup_seconds)
            stop.clear()
            drivers = [threading.Thread(target=admin_checks, args=(server, slow[suffix]), daemon=True)
                       for _ in range(slow_in_flight if stalled else 0)]
            for driver in drivers:
                driver.start()
            time.sleep(0.2 if stalled else 0)  # the checks are in flight before the round starts
            command = wrk_command(wrk, server.url, requests_file, size.wrk_seconds, timeout=10)
            measured.append(rounds.measure(command, ("stalled" if stalled else "free") + suffix, label,
                                           process_tree(server.process.pid), server.port, size.wrk_seconds,
                                           timeout=size.wrk_seconds + 60))
            stop.set()
            for driver in drivers:
                driver.join(60)
            result = measured[-1].result
            log(f"  reads {label}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
                f"non-2xx {result.non_2xx}, socket errors {result.socket_errors}")
    finally:
        stop.set()
        for server in servers.values():
            server.stop()
        jira.shutdown()
        jira.server_close()
    best = best_rounds(measured)
    every = {suffix: stall_figures(best["free" + suffix], best["stalled" + suffix], slow[suffix]) for suffix in servers}
    figures = {"slow_jira_seconds": SLOW_JIRA_SECONDS, "slow_admin_checks_in_flight": slow_in_flight,
               **every[""], "jira_calls": next(calls), "rounds": [r.as_dict() for r in measured]}
    if before is not None:
        figures["before"] = {"settings": before.label, **every["-before"]}
    for suffix, found in every.items():
        log(f"  while {slow_in_flight} administrator checks waited {SLOW_JIRA_SECONDS:g} s on Jira"
            f"{' (' + before.label + ')' if suffix and before else ''}: reads at {found['stall_ratio']:.2f} of their "
            f"rate without ({found['stalled_read_rps']:,.0f} against {found['read_rps']:,.0f} req/s), p99 "
            f"{found['stalled_read_p99_ms']:.2f} ms; {found['admin_checks']} checks answered "
            f"{found['admin_check_statuses']} in a median {found['admin_check_median_s']} s")
    return figures


def stall_figures(free: wrkout.WrkResult, stalled: wrkout.WrkResult, slow: list[tuple[int, float]]) -> dict[str, Any]:
    """One server's reads alone and beside the slow checks, and the checks' answers (status, seconds)."""
    return {"read_rps": round(free.rps, 1), "read_p99_ms": free.p99_ms,
            "stalled_read_rps": round(stalled.rps, 1), "stalled_read_p99_ms": stalled.p99_ms,
            "stalled_read_errors": stalled.non_2xx + stalled.socket_errors,
            "stall_ratio": round(stalled.rps / free.rps, 3),
            "admin_checks": len(slow), "admin_check_statuses": sorted({status for status, _ in slow}),
            "admin_check_median_s": round(statistics.median(t for _, t in slow), 2) if slow else None}


# ---------------------------------------------------------------------------------------------
# One database, end to end

def start_peer(kind: str, url: str, data: seeding.Dataset, settings: list[str], workdir: Path) -> Server | None:
    """ACE serving the read from the same SQLite file, with as many workers as gunicorn has; None on PostgreSQL
    (the peer reads SQLite) or when node is missing."""
    if kind != "sqlite":
        return None
    why_not = ace_peer.install(log)
    if why_not:
        log(f"  no ACE comparison: {why_not}")
        return None
    workers = serving(settings)["workers"]
    store = workdir / "ace-store.sqlite3"
    store.unlink(missing_ok=True)
    port = free_port()
    command, cwd, env = ace_peer.command(workers, Path(make_url(url).database or ""), store, seeding.CLIENT_KEY,
                                         data.secret, seeding.BASE_URL, APP_BASE_URL, port)
    log(f"  ACE (atlassian-connect-express) with {workers} workers under node's cluster module")
    return Server("ace", command, cwd, dict(os.environ, **env), port, "/healthz", workdir)


def bench_database(kind: str, databases: Databases, size: Size, wrk: str, workdir: Path,
                   settings: list[str], extra_people: list[int], pin_database: bool,
                   before: Before | None = None) -> dict[str, Any]:
    log(f"== {kind}: {databases.version()}")
    result: dict[str, Any] = {"database": kind, "database_version": databases.version()}
    url = databases.new("main")
    app, data, seconds = prepare(url, size.users, size)
    result["seed_seconds"] = round(seconds, 2)
    log(f"  seeded {size.users:,} users x {size.skills_per_user} skills ({data.holdings:,} holdings), "
        f"{size.skills:,} skills, {size.categories} categories in {seconds:.1f} s")

    env = dict(os.environ, DATABASE_URL=url, APP_BASE_URL=APP_BASE_URL,
               BENCH_SKILLS_PER_USER=str(size.skills_per_user))
    requests_file = workdir / "requests.txt"
    write_requests(requests_file, data, size.wrk_urls, ttl=3 * 3600)
    servers: list[Server] = []
    try:
        app_server = Server.gunicorn("app", "app:app", ROOT, env, settings, "/atlassian-connect.json", workdir)
        servers.append(app_server)
        bare_server = Server.gunicorn("bare", "bench.bare:app", ROOT, env, settings, "/healthz", workdir)
        servers.append(bare_server)
        if before is not None:
            before.start(env, workdir)
        peer = start_peer(kind, url, data, settings, workdir)
        if peer is not None:
            servers.append(peer)
        result.update(throughput(wrk, app_server, bare_server, requests_file, size, peer=peer, before=before))
        if peer is not None:  # its memory and CPU are not needed for the rest
            peer.stop()
            servers.remove(peer)
        result["forge"] = forge_reads(wrk, app_server, bare_server, requests_file, data, size, env, settings, workdir)
        if kind == "postgresql" and pin_database:
            pinned = pinned_throughput(url, wrk, app_server, bare_server, requests_file, size, before)
            if "read_ratio" in pinned:  # the goal's figure is the pinned one; the other is kept beside it
                result.update({f"{key}_unpinned": result[key] for key in pinned if key in result})
            result.update(pinned)
        elif kind == "postgresql":
            result["read_pinning"] = (f"none: {len(os.sched_getaffinity(0))} CPU(s), or --pin-database off "
                                      "(--pin-database on forces it)")
        if before is not None:  # the rest is measured under the current settings alone
            before.stop()
        with app.app_context():
            result.update(tree_figures(app, data, size))
            db.session.remove()
        result.update(bulk(app_server, app, data, size))
        result.update(worker_memory(app_server, data))
        log(f"  workers' resident size after building and patching the answers: {result['worker_rss_mib']} MiB")
    finally:
        for server in servers:
            server.stop()
        if before is not None:
            before.stop()
    with app.app_context():
        db.engine.dispose()
    result["people"] = {str(size.users): {key: result.get(key) for key in (
        "tree_ratio", "tree_cold_ratio", "levels_cold_ratio", "insights_ratio", "insights_cold_ratio", "answer_cache",
        "answer_cache_with_levels_mib", "worker_rss_mib", "finder_counts_ms", "matrix_ms", "match_ms",
        "suggestions_cold_ms", "suggestions_warm_ms")}}
    for people in extra_people:
        result["people"][str(people)] = big_tenant(databases, people, size, workdir, settings)
    result["stall"] = stalled_reads(databases, wrk, size, settings, workdir, before)
    result.update(scale(databases, size))
    return result


def tree_figures(app: Any, data: seeding.Dataset, size: Size) -> dict[str, Any]:
    tree = tree_timings(app, data, size)
    insights = tree.pop("insights")
    colds = [t["cold_ratio"] for t in tree.values() if isinstance(t, dict) and "cold_ratio" in t]
    figures = {"tree": tree, "tree_ratio": tree.pop("tree_ratio"), "tree_cold_ratio": max(colds),
               "insights": insights, "insights_ratio": insights["ratio"], "insights_cold_ratio": insights["cold_ratio"],
               "answer_cache": tree.pop("answer_cache")}
    figures.update(levels_timings(app, data, size))
    cache = app.extensions["answers"]
    figures["answer_cache_with_levels_mib"] = round(cache.size / 2**20, 1)
    # Whether the bound kept all four, or the levels answer pushed one out (least recently used first).
    figures["answers_kept"] = [name for name in ("skills-by-account", "experts", "insights-skills", "levels-by-account")
                               if cache.cache.latest((data.tenant_id, name)) is not None]
    log(f"  answer cache with the levels answer too: {figures['answer_cache_with_levels_mib']} MiB "
        f"(bound {cache.max_bytes / 2**20:.0f} MiB), keeping {', '.join(figures['answers_kept'])}")
    # The matching last: it rates every holding, then takes every level and issue skill away.
    return {**figures, **finder_routes(app, data, size), **matrix_route(app, data, size), **match_figures(app, data, size)}


def match_figures(app: Any, data: seeding.Dataset, size: Size) -> dict[str, Any]:
    """POST /api/match with 3 skills, and the suggestions route against a Jira answering in 20 ms (bench/matching.py)."""
    figures = issue_matching.match_figures(app, data.tenant_id, data.api_token, max(size.tree_runs, 11))
    log(f"  match with 3 skills {figures['match_ms']} ms; suggestions of 10 with Jira at "
        f"{figures['jira_latency_ms']:.0f} ms a count: {figures['suggestions_cold_ms']} ms counts asked "
        f"({figures['suggestions_counts_asked']} calls), {figures['suggestions_warm_ms']} ms counts cached "
        f"(sequential calls alone would be {figures['suggestions_sequential_ms']:.0f} ms)")
    return figures


def insights_figures(app: Any, data: seeding.Dataset, size: Size) -> dict[str, Any]:
    """The skills at risk against json.dumps of its answer (after a holding's write too), and the matrix route."""
    insights = tree_timings(app, data, size, (INSIGHTS_PATH,))["insights"]
    return {"insights": insights, "insights_ratio": insights["ratio"], "insights_cold_ratio": insights["cold_ratio"],
            **matrix_route(app, data, size)}


# --only: one feature's figures at each --people size, without the throughput runs; (figures, the
# rows printed: label, key, unit).
ONLY: dict[str, tuple[Callable[[Any, seeding.Dataset, Size], dict[str, Any]], list[tuple[str, str, str]]]] = {
    "match": (match_figures, [("match_ms (3 skills)", "match_ms", "ms"),
                              ("suggestions, 10 counts asked of a 20 ms Jira", "suggestions_cold_ms", "ms"),
                              ("suggestions, counts cached (the route's own cost)", "suggestions_warm_ms", "ms")]),
    "insights": (insights_figures, [("insights_ratio (route / json.dumps)", "insights_ratio", ""),
                                    ("insights_cold_ratio (right after a write)", "insights_cold_ratio", ""),
                                    ("matrix route, first 200 people", "matrix_ms", "ms")]),
}


def only_figures(what: str, databases: "Databases", people: list[int], size: Size) -> dict[str, Any]:
    """--only WHAT: that feature's figures at each tenant size, without the throughput runs."""
    result: dict[str, Any] = {"database": databases.kind, "database_version": databases.version(), "people": {}}
    for count in people:
        app, data, seconds = prepare(databases.new(f"{what}{count}"), count, size)
        log(f"  {count:,} people x {size.skills_per_user}: seeded {data.holdings:,} holdings in {seconds:.1f} s")
        with app.app_context():
            result["people"][str(count)] = ONLY[what][0](app, data, size)
            db.session.remove()
            db.engine.dispose()
    return result


def matrix_route(app: Any, data: seeding.Dataset, size: Size) -> dict[str, Any]:
    """GET /api/insights/matrix through Flask, median ms: the first 200 people of the category whose
    subtree holds the most skills a matrix may show (it reads that category's holdings at each call)."""
    from addon.skills import insights, tree

    with app.app_context():
        catalogue = tree.load_catalogue(db.session, data.tenant_id)
        widths = {c.key: len(insights.subtree_skills(catalogue, c)) for c in catalogue.categories}
        db.session.remove()
    key = max((k for k, n in widths.items() if n <= insights.MATRIX_SKILLS_MAX), key=widths.__getitem__)
    client = app.test_client()
    path = f"/api/insights/matrix?category={key}"
    headers = {"Authorization": "Bearer " + data.api_token}
    holders = 0

    def call() -> None:
        nonlocal holders
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        holders = response.get_json()["total"]

    figures = {"matrix_ms": round(median_seconds(call, size.tree_runs) * 1000, 1), "matrix_skills": widths[key],
               "matrix_people": holders}
    log(f"  skills matrix of a category of {widths[key]} skills held by {holders:,} people: first page "
        f"{figures['matrix_ms']} ms")
    return figures


def finder_routes(app: Any, data: seeding.Dataset, size: Size) -> dict[str, Any]:
    """The expert finder's two reads through Flask, median ms: the tree with counts, and the people of
    the skill most people hold (nothing is kept between requests: every call reads the database)."""
    with app.app_context():
        top = db.session.execute(select(Skill.name).join(UserSkill, UserSkill.skill_id == Skill.id)
                                 .where(Skill.tenant_id == data.tenant_id).group_by(Skill.id, Skill.name)
                                 .order_by(func.count().desc()).limit(1)).scalar_one()
        db.session.remove()
    client = app.test_client()
    figures = {}
    for key, path in (("finder_counts_ms", "/api/skill-tree/expert-counts"),
                      ("finder_skill_ms", "/api/skill-tree/skill-experts?" + urllib.parse.urlencode({"skill": top}))):
        headers = {"Authorization": "Bearer " + data.api_token}

        def call() -> None:
            response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")

        call()
        figures[key] = round(median_seconds(call, size.tree_runs) * 1000, 1)
    log(f"  expert finder's reads: tree with counts {figures['finder_counts_ms']} ms, the people of {top!r} "
        f"{figures['finder_skill_ms']} ms")
    return figures


def big_tenant(databases: Databases, people: int, size: Size, workdir: Path, settings: list[str]) -> dict[str, Any]:
    """The whole-tenant answers of a tenant of `people`: ratios, the answer cache and the workers' memory."""
    url = databases.new(f"people{people}")
    app, data, seconds = prepare(url, people, size)
    log(f"  {people:,} people x {size.skills_per_user}: seeded {data.holdings:,} holdings in {seconds:.1f} s")
    with app.app_context():
        figures = tree_figures(app, data, size)
        db.session.remove()
    env = dict(os.environ, DATABASE_URL=url, APP_BASE_URL=APP_BASE_URL)
    server = Server.gunicorn(f"app{people}", "app:app", ROOT, env, settings, "/atlassian-connect.json", workdir)
    try:
        figures.update(worker_memory(server, data))
    finally:
        server.stop()
    log(f"  {people:,} people: workers' resident size {figures['worker_rss_mib']} MiB")
    with app.app_context():
        db.engine.dispose()
    return figures


def pinned_throughput(url: str, wrk: str, app_server: Server, bare_server: Server, requests_file: Path,
                      size: Size, before: Before | None = None) -> dict[str, Any]:
    """The read again with the database server alone on the last core, everything else on the others.

    The figure without pinning stays in `read_ratio_unpinned`; `read_ratio` becomes this one.
    """
    cpus = os.sched_getaffinity(0)
    database = local_postgres_pids(url)
    if len(cpus) < 2 or not database:
        log("  read with the database on its own core: not possible here (one core, or a remote server)")
        return {"read_pinning": "none: one core, or a remote database server"}
    db_cpu = {max(cpus)}
    rest = cpus - db_cpu
    ours = [os.getpid()] + [pid for server in (app_server, bare_server) for pid in process_tree(server.process.pid)]
    ours += before.pids() if before else []
    log(f"  read again with the PostgreSQL server on CPU {max(cpus)}, gunicorn and wrk on CPU "
        f"{','.join(map(str, sorted(rest)))}")
    try:
        pin(database, db_cpu)
        pin(ours, rest)
        pinned = throughput(wrk, app_server, bare_server, requests_file, size, cpus=rest, before=before)
    finally:
        pin(local_postgres_pids(url) or database, cpus)
        pin(ours, cpus)
    return {"read_pinning": f"PostgreSQL server on CPU {max(cpus)}, gunicorn and wrk on CPU "
                            f"{','.join(map(str, sorted(rest)))}", **pinned}


# ---------------------------------------------------------------------------------------------
# The expert finder in Chromium

def page_test_figures(what: str, test: str, name: str, variable: str, people: int, workdir: Path) -> dict[str, Any] | None:
    """Run the page test `name` of tests/`test` for a tenant of `people` (its size in $`variable`_PEOPLE);
    the figures it writes to $`variable`_TIMING_FILE, or None when it failed or could not run.

    Needs the test extra (pytest, Playwright) and /usr/bin/chromium, as the page tests do.
    """
    out = workdir / f"{variable.lower()}.json"
    env = dict(os.environ, **{f"{variable}_PEOPLE": str(people), f"{variable}_TIMING_FILE": str(out)})
    env.pop("TEST_DATABASE_URL", None)  # SQLite: the page's time, not a database's
    log(f"== {what} in Chromium, {people:,} people and 2,000 skills")
    done = subprocess.run([sys.executable, "-m", "pytest", f"tests/{test}", "-k", name, "-q",
                           "-p", "no:randomly", "-p", "no:cacheprovider"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0 or not out.exists():
        log(f"  the {what} test failed or could not run:\n{done.stdout[-2000:]}{done.stderr[-1000:]}")
        return None
    return json.loads(out.read_text())


def finder_timing(people: int, workdir: Path) -> dict[str, Any]:
    """The page test of the finder of a large tenant at `people`: from navigation to the tree drawn, in ms."""
    figures = page_test_figures("expert finder", "test_pages.py", "large_tenant", "FINDER", people, workdir)
    if figures:
        log(f"  tree with counts drawn {figures['first_result_ms']:.0f} ms after navigation on a first visit, "
            f"{figures['after_write_result_ms']:.0f} ms following a write, {figures['again_result_ms']:.0f} ms "
            f"unchanged ({figures['counts_bytes']:,} bytes); the skill everyone holds opened in "
            f"{figures['first_open_skill_ms']:.0f}, {figures['after_write_open_skill_ms']:.0f}, "
            f"{figures['again_open_skill_ms']:.0f} ms ({figures['skill_experts_bytes']:,} bytes)")
    return {"finder": figures}


def matrix_timing(people: int, workdir: Path) -> dict[str, Any]:
    """The page test of the skills matrix of a large tenant at `people`: from navigation to its first
    200 people drawn, in ms."""
    figures = page_test_figures("skills matrix", "test_insights_pages.py", "large_site", "MATRIX", people, workdir)
    if figures:
        log(f"  its first 200 people x {figures['columns']} skills drawn {figures['first_drawn_ms']:.0f} ms after "
            f"navigation on a first visit, {figures['after_write_drawn_ms']:.0f} ms following a write, "
            f"{figures['again_drawn_ms']:.0f} ms unchanged ({figures['matrix_bytes']:,} bytes)")
    return {"matrix": figures}


# ---------------------------------------------------------------------------------------------
# Report

def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": ram_gib, "python": platform.python_version(),
            "os": platform.platform()}


def goal_text(name: str) -> str:
    op, goal = GOALS[name]
    if isinstance(goal, dict):
        return " / ".join(f"{op} {value:g} on {database}" for database, value in goal.items())
    return f"{op} {goal:g}"


def verdict(name: str, value: Any, database: str) -> str:
    if name not in GOALS or value is None:
        return ""
    op, goal = GOALS[name]
    if isinstance(goal, dict):
        if database not in goal:
            return ""
        goal = goal[database]
    met = value >= goal if op == ">=" else value <= goal
    return f"{op} {goal:g} {'ok' if met else 'MISSED'}"


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def table(runs: list[dict[str, Any]], size: Size, people: list[int]) -> str:
    rows: list[tuple[str, str, int]] = [
        (f"GET {READ_PATH} req/s (wrk, 16 conn.)", "read_rps", 0),
        (f"GET {READ_PATH} p50 ms", "read_p50_ms", 2),
        (f"GET {READ_PATH} p99 ms", "read_p99_ms", 2),
        ("bare Flask req/s", "bare_rps", 0),
        ("bare Flask p99 ms", "bare_p99_ms", 2),
        ("p99 ratio (app / bare)", "read_p99_ratio", 2),
        ("read_ratio (app / bare req/s)", "read_ratio", 2),
        ("  without pinning (PostgreSQL: see read_pinning)", "read_ratio_unpinned", 2),
        ("ACE (atlassian-connect-express) req/s", "ace_rps", 0),
        ("ACE p99 ms", "ace_p99_ms", 2),
        ("ace_ratio (app / ACE req/s)", "ace_ratio", 2),
        ("  bare Flask / ACE req/s (what no Flask app passes)", "bare_ace_ratio", 2),
        ("server CPU a request, us: the add-on", "read_us_per_request", 0),
        ("  bare Flask", "bare_us_per_request", 0),
        ("  ACE", "ace_us_per_request", 0),
        ("ace_cpu_ratio (ACE's CPU a request / the add-on's)", "ace_cpu_ratio", 2),
        ("  ACE's / bare Flask's (what no Flask app passes)", "bare_ace_cpu_ratio", 2),
        ("reads while admin checks wait on a slow Jira / without", "stall.stall_ratio", 2),
        ("  their p99 ms", "stall.stalled_read_p99_ms", 2),
        ("skills-by-account route / json.dumps", "tree.skills-by-account.ratio", 2),
        ("skill-tree/experts route / json.dumps", "tree.experts.ratio", 2),
        ("tree_ratio (larger of the two)", "tree_ratio", 2),
        ("  the same, right after a write", "tree_cold_ratio", 2),
        *[(f"  at {n:,} people: tree_ratio", f"people.{n}.tree_ratio", 2) for n in people[1:]],
        *[(f"  at {n:,} people: right after a write", f"people.{n}.tree_cold_ratio", 2) for n in people[1:]],
        ("skill-levels-by-account route / json.dumps", "levels_ratio", 2),
        ("levels_cold_ratio (right after a level write)", "levels_cold_ratio", 2),
        *[(f"  at {n:,} people: levels_cold_ratio", f"people.{n}.levels_cold_ratio", 2) for n in people[1:]],
        ("insights/skills route / json.dumps (insights_ratio)", "insights_ratio", 2),
        ("  the same, right after a write (insights_cold_ratio)", "insights_cold_ratio", 2),
        *[(f"  at {n:,} people: insights_ratio", f"people.{n}.insights_ratio", 2) for n in people[1:]],
        *[(f"  at {n:,} people: right after a write", f"people.{n}.insights_cold_ratio", 2) for n in people[1:]],
        *[(f"  at {n:,} people: answer cache held, MiB", f"people.{n}.answer_cache.mib", 1) for n in people],
        *[(f"  at {n:,} people: the same with levels, MiB", f"people.{n}.answer_cache_with_levels_mib", 1)
          for n in people],
        *[(f"  at {n:,} people: finder's tree with counts, ms", f"people.{n}.finder_counts_ms", 1) for n in people],
        *[(f"  at {n:,} people: match_ms (3 skills)", f"people.{n}.match_ms", 1) for n in people],
        *[(f"  at {n:,} people: suggestions, 10 counts asked (Jira 20 ms), ms", f"people.{n}.suggestions_cold_ms", 1)
          for n in people],
        *[(f"  at {n:,} people: suggestions, counts cached, ms", f"people.{n}.suggestions_warm_ms", 1)
          for n in people],
        *[(f"  at {n:,} people: a matrix's first 200 people, ms", f"people.{n}.matrix_ms", 1) for n in people],
        (f"bulk update of {size.bulk_accounts:,} accounts, s", "bulk_seconds", 2),
        (f"per-user read at {size.scale_small:,} users, ms", f"read_ms_{size.scale_small}_users", 3),
        (f"per-user read at {size.scale_large:,} users, ms", f"read_ms_{size.scale_large}_users", 3),
        ("scale_ratio", "scale_ratio", 2),
        ("  each account's first read: ratio", "scale_first_read_ratio", 2),
    ]

    def get(run: dict[str, Any], key: str) -> Any:
        value: Any = run
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    goal_key = {"read_ratio": "read_ratio", "read_p99_ms": "read_p99_ms", "tree_ratio": "tree_ratio",
                "ace_ratio": "ace_ratio", "read_ratio_unpinned": "read_ratio",
                "scale_ratio": "scale_ratio", "bulk_seconds": "bulk_seconds", "tree_cold_ratio": "tree_cold_ratio",
                "levels_cold_ratio": "levels_cold_ratio",
                "insights_ratio": "insights_ratio", "insights_cold_ratio": "insights_cold_ratio",
                **{f"people.{n}.levels_cold_ratio": "levels_cold_ratio" for n in people},
                **{f"people.{n}.tree_ratio": "tree_ratio" for n in people},
                **{f"people.{n}.tree_cold_ratio": "tree_cold_ratio" for n in people},
                **{f"people.{n}.insights_ratio": "insights_ratio" for n in people},
                **{f"people.{n}.insights_cold_ratio": "insights_cold_ratio" for n in people},
                **{f"people.{n}.match_ms": "match_ms" for n in people}}
    header = ["figure"] + [run["database"] for run in runs] + ["goal"]
    lines = [header]
    for label, key, digits in rows:
        goals = [verdict(goal_key[key], get(run, key), run["database"]) for run in runs] if key in goal_key else []
        lines.append([label] + [fmt(get(run, key), digits) for run in runs] + [" / ".join(g for g in goals if g)])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) if i < len(line) - 1
                             else cell for i, cell in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def before_settings(revision: str, settings: list[str], workdir: Path) -> Before:
    """`revision`'s gunicorn.conf.py in `workdir`, as the --config of the before servers (the run's flags over it)."""
    done = subprocess.run(["git", "show", f"{revision}:gunicorn.conf.py"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"--before {revision}: {done.stderr.strip()}")
    path = workdir / "gunicorn-before.conf.py"
    path.write_text(done.stdout)
    return Before(f"{revision}:gunicorn.conf.py", ["--config", str(path), *settings])


# The figures the serving settings move, before and after, measured in the same rounds.
BEFORE_AFTER = (("GET /api/user-skills req/s", "read_rps", 0), ("  p50 ms", "read_p50_ms", 2),
                ("  p99 ms", "read_p99_ms", 2), ("bare Flask req/s", "bare_rps", 0), ("  p99 ms", "bare_p99_ms", 2),
                ("read_ratio", "read_ratio", 2), ("  without pinning", "read_ratio_unpinned", 2),
                ("ace_ratio", "ace_ratio", 2), ("the read's server CPU a request, us", "read_us_per_request", 0),
                ("reads while admin checks wait on a slow Jira / without", "stall.stall_ratio", 2),
                ("  reads' req/s without the checks", "stall.read_rps", 0),
                ("  their p99 ms with the checks", "stall.stalled_read_p99_ms", 2))


def before_after(runs: list[dict[str, Any]]) -> str:
    """A table of BEFORE_AFTER for each run: before, after."""
    def get(figures: Any, key: str) -> Any:
        for part in key.split("."):
            figures = figures.get(part) if isinstance(figures, dict) else None
        return figures

    def before(run: dict[str, Any], key: str) -> Any:
        if key == "read_ratio_unpinned":
            return get(run, "before_unpinned.read_ratio")
        head, _, tail = key.rpartition(".")
        return get(run, f"{head}.before.{tail}" if head else f"before.{key}")

    header = ["figure"] + [f"{run['database']} {when}" for run in runs for when in ("before", "after")]
    lines = [header] + [[label] + [fmt(value, digits) for run in runs for value in (before(run, key), get(run, key))]
                        for label, key, digits in BEFORE_AFTER]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line)).rstrip()
           for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data and short runs: about a minute")
    parser.add_argument("--databases", default=None,
                        help="comma-separated: sqlite, postgresql (default: sqlite, and postgresql "
                             "when DATABASE_URL names one)")
    parser.add_argument("--gunicorn", default=None,
                        help="gunicorn flags for the servers, over gunicorn.conf.py (default: none, the "
                             "production settings)")
    parser.add_argument("--people", default=None,
                        help="comma-separated tenant sizes for the whole-tenant answers; the first is the main "
                             "tenant's (default: 10000,50000; with --quick 2000)")
    parser.add_argument("--finder", default=None, choices=["on", "off"],
                        help="time the expert finder and the skills matrix pages in Chromium at the largest "
                             "--people (default: on in the full run, off with --quick)")
    parser.add_argument("--pin-database", default="auto", choices=["auto", "on", "off"],
                        help="measure the read again with a local PostgreSQL server alone on the last core "
                             "(auto: whenever there are 2 cores or more; on 2, gunicorn and wrk share the other)")
    parser.add_argument("--only", default=None, choices=sorted(ONLY),
                        help="match: only the issue-matching figures (match_ms, suggestions); insights: only "
                             "insights_ratio, insights_cold_ratio and the matrix route; at each --people size")
    parser.add_argument("--before", default=None, metavar="REVISION",
                        help="also serve the add-on and the bare endpoint with that git revision's gunicorn.conf.py "
                             "(e.g. main), in the same alternating rounds as the current settings, and print a "
                             "before/after table of the figures the serving settings move")
    parser.add_argument("--output", default=str(HERE / "results.json"))
    args = parser.parse_args(argv)
    if args.only:
        return main_only(args)

    wrk = require_wrk()
    size = QUICK if args.quick else FULL
    people = [int(n) for n in args.people.split(",")] if args.people else [size.users, *size.more_people]
    size = replace(size, users=people[0])
    pin = args.pin_database == "on" or (args.pin_database == "auto" and len(os.sched_getaffinity(0)) >= 2)
    settings = args.gunicorn.split() if args.gunicorn else GUNICORN_SETTINGS
    database_url = os.environ.get("DATABASE_URL", "")
    postgres_url = normalise_database_url(database_url) if database_url.startswith("postgres") else None
    kinds = args.databases.split(",") if args.databases else ["sqlite"] + (["postgresql"] if postgres_url else [])
    if "postgresql" in kinds and not postgres_url:
        parser.error("--databases postgresql needs DATABASE_URL to name a PostgreSQL database")

    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        log(f"warning: the machine is busy (load average {load_before:.1f}); ratios hold up, absolute "
            "figures will be low and noisy")
    started = time.monotonic()
    runs = []
    with tempfile.TemporaryDirectory(prefix="skills-bench-") as tmp:
        before = before_settings(args.before, settings, Path(tmp)) if args.before else None
        # Read while its file is there (it goes with the temporary directory).
        serving_before = f"{before.label}: {describe_serving(before.settings)}" if before else None
        for kind in kinds:
            databases = Databases(kind, Path(tmp), postgres_url)
            try:
                runs.append(bench_database(kind, databases, size, wrk, Path(tmp), settings, people[1:], pin, before))
            finally:
                databases.drop_all()

        finder_on = (args.finder or ("off" if args.quick else "on")) == "on"
        finder = finder_timing(max(people), Path(tmp)) if finder_on else {}
        if finder_on:
            finder.update(matrix_timing(max(people), Path(tmp)))

    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "size": asdict(size),
        "gunicorn": describe_serving(settings),
        **({"gunicorn_before": serving_before} if before else {}),
        "wrk": "-t2 -c16 --latency",
        "machine": machine(),
        "goals": {name: goal_text(name) for name in GOALS},
        "elapsed_seconds": round(time.monotonic() - started, 1),
        "load_average_before": round(load_before, 2),
        # The first database's figures at the top, for a quick look; every database's in "runs".
        **{key: runs[0].get(key) for key in ("database", "read_rps", "bare_rps", "read_ratio", "read_p50_ms",
                                             "read_p99_ms", "read_p99_ratio", "ace_rps", "ace_p99_ms", "ace_ratio",
                                             "tree_ratio", "levels_cold_ratio", "bulk_seconds", "scale_ratio")},
        "runs": runs,
        **finder,
    }
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    info = results["machine"]
    print(f"\n{results['mode']} run, {results['date']}, {info['nproc']} CPUs ({info['cpu']}), "
          f"{info['ram_gib']} GiB RAM, Python {info['python']}, gunicorn {results['gunicorn']}")
    print(f"data: {size.users:,} users x {size.skills_per_user} skills, {size.skills:,} skills, "
          f"{size.categories} categories; {', '.join(run['database_version'] for run in runs)}\n")
    print(table(runs, size, people))
    if before:
        print(f"\nbefore: {results['gunicorn_before']}\nafter:  {results['gunicorn']}\n")
        print(before_after(runs))
    for run in runs:
        if run.get("read_pinning"):
            print(f"{run['database']}: read_ratio measured with {run['read_pinning']}")
        for n, figures in run.get("people", {}).items():
            print(f"{run['database']}, {int(n):,} people: gunicorn workers' resident size after building and "
                  f"patching the whole-tenant answers: {figures.get('worker_rss_mib')} MiB")
    if results.get("finder"):
        f = results["finder"]
        worst = max(f["first_result_ms"], f["after_write_result_ms"], f["again_result_ms"])
        print(f"expert finder, {f['people']:,} people x {f['skills']:,} skills in Chromium: tree with counts drawn "
              f"{f['first_result_ms']:.0f} ms after navigation on a first visit (nothing read before), "
              f"{f['after_write_result_ms']:.0f} ms following a write, {f['again_result_ms']:.0f} ms unchanged "
              f"(goal <= 1000 {'ok' if worst <= 1000 else 'MISSED'}); the skill all {f['people']:,} hold, opened: "
              f"its first people drawn {max(f['first_open_skill_ms'], f['after_write_open_skill_ms'], f['again_open_skill_ms']):.0f} "
              f"ms after the click at worst")
    if results.get("matrix"):
        m = results["matrix"]
        worst = max(m["first_drawn_ms"], m["after_write_drawn_ms"], m["again_drawn_ms"])
        print(f"skills matrix, {m['people']:,} people x {m['skills']:,} skills in Chromium: its first 200 people x "
              f"{m['columns']} skills drawn {m['first_drawn_ms']:.0f} ms after navigation on a first visit, "
              f"{m['after_write_drawn_ms']:.0f} ms following a write, {m['again_drawn_ms']:.0f} ms unchanged "
              f"(goal <= 1000 {'ok' if worst <= 1000 else 'MISSED'})")
    print(f"\nwritten to {args.output} in {results['elapsed_seconds']:.0f} s")
    return 0


def main_only(args: argparse.Namespace) -> int:
    size = QUICK if args.quick else FULL
    people = [int(n) for n in args.people.split(",")] if args.people else [size.users, *size.more_people]
    database_url = os.environ.get("DATABASE_URL", "")
    postgres_url = normalise_database_url(database_url) if database_url.startswith("postgres") else None
    kinds = args.databases.split(",") if args.databases else ["sqlite"] + (["postgresql"] if postgres_url else [])
    runs = []
    with tempfile.TemporaryDirectory(prefix="skills-bench-") as tmp:
        for kind in kinds:
            databases = Databases(kind, Path(tmp), postgres_url)
            log(f"== {kind}: {databases.version()}")
            try:
                runs.append(only_figures(args.only, databases, people, size))
            finally:
                databases.drop_all()
    print()
    for run in runs:
        for n, figures in run["people"].items():
            for label, key, unit in ONLY[args.only][1]:
                goal = f"  ({verdict(key, figures[key], run['database'])})" if key in GOALS else ""
                print(f"{run['database']:<10} {int(n):>7,} people  {label:<50} {figures[key]:>7.2f} {unit}{goal}")
    Path(args.output).write_text(json.dumps({"mode": args.only, "runs": runs}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
