"""Shared parts of the fault and load runs (bench/faults.py, bench/saturation.py): a PostgreSQL server
of our own, the app under gunicorn, a seeded tenant, signed requests, wrk, and worker RSS.

Nothing here is used by the test suite; these runs take minutes and are started by hand.
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import jwt
from atlassian_jwt.url_utils import hash_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

APP_BASE_URL = "https://skills-faults.example.test"
APP_KEY = "jira-user-skills"
CLIENT_KEY = "faults-tenant"
SECRET = "faults-secret-" + "x" * 40
GUNICORN_SETTINGS = ["--workers", "2", "--worker-class", "gthread", "--threads", "4"]
# Loopback only: never through an HTTP proxy the environment may name.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Postgres:
    """A throwaway cluster in a temporary directory (as scripts/with-postgres makes one), which we can restart."""

    def __init__(self) -> None:
        initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not initdb:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
        self.bindir = Path(initdb[-1]).parent
        self.tmp = Path(tempfile.mkdtemp(prefix="faults-pg.", dir="/tmp"))
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.tmp, "postgres")
        self.data = self.tmp / "data"
        self.port = free_port()
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.tmp}'\n"
                       "max_connections = 200\nfsync = on\nsynchronous_commit = on\n")
        self.start()
        self._run("psql", "-X", "-q", "-h", str(self.tmp), "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                  "-c", "CREATE DATABASE skills")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/skills"

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, cwd=self.tmp, capture_output=True, text=True, check=check)

    def start(self) -> None:
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.tmp / "server.log"), "-w", "-t", "60")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60", check=False)

    def ready(self) -> bool:
        return self._run("pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), check=False).returncode == 0

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.tmp, ignore_errors=True)


def prepare_database(url: str) -> None:
    """Migrate, and install one tenant (stored as a signed install would store it)."""
    from flask_migrate import upgrade

    from addon import create_app
    from addon.extensions import db
    from addon.models import Tenant

    app = create_app({"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": None, "APP_BASE_URL": APP_BASE_URL})
    with app.app_context():
        upgrade()
        db.session.add(Tenant(client_key=CLIENT_KEY, shared_secret=SECRET, base_url="https://faults.atlassian.net"))
        db.session.commit()
        db.engine.dispose()


def token(method: str, path: str, sub: str, ttl: int = 3600) -> str:
    now = int(time.time())
    claims = {"iss": CLIENT_KEY, "sub": sub, "iat": now, "exp": now + ttl, "qsh": hash_url(method, path)}
    return jwt.encode(claims, SECRET, algorithm="HS256")


class Gunicorn:
    def __init__(self, database_url: str, workdir: Path, settings: list[str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "gunicorn.log"
        env = dict(os.environ, DATABASE_URL=database_url, APP_BASE_URL=APP_BASE_URL, APP_KEY=APP_KEY)
        command = [sys.executable, "-m", "gunicorn", "app:app", "--bind", f"127.0.0.1:{self.port}",
                   *(settings or GUNICORN_SETTINGS)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(self.log_path, "wb"),
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log_path.read_text()[-3000:])
            try:
                OPENER.open(self.url + "/atlassian-connect.json", timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn not ready:\n" + self.log_path.read_text()[-3000:])

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def rss_kib(pid: int) -> int | None:
    try:
        match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def call(method: str, url: str, path: str, sub: str, body: Any = None, timeout: float = 10.0) -> tuple[int, Any]:
    """One signed request; (status, JSON answer), or (0, None) when no answer came."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method, headers={
        "Authorization": "JWT " + token(method, path, sub), "Content-Type": "application/json"})
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, None
    except OSError:
        return 0, None


def write_wrk_requests(path: Path, users: int, writes_every: int) -> None:
    """`METHOD PATH TOKEN [BODY]` lines for bench/mixed.lua: reads of `users` users, and every
    `writes_every`-th line a write (adding, then removing, one skill of that user)."""
    lines = []
    for i in range(users):
        sub = f"load-user-{i}"
        url = f"/api/user-skills?accountId={sub}"
        lines.append(f"GET {url} {token('GET', url, sub)}")
        if i % writes_every == 0:
            body = json.dumps({"skills": [f"wrk skill {i % 7}"]}, separators=(",", ":"))
            lines.append(f"PUT {url} {token('PUT', url, sub)} {body}")
            lines.append(f"DELETE {url} {token('DELETE', url, sub)} {body}")
    path.write_text("\n".join(lines) + "\n")


def run_wrk(url: str, requests_file: Path, seconds: int, connections: int, threads: int = 2) -> dict[str, Any]:
    """wrk with bench/mixed.lua; its summary line parsed into a dict (statuses by class, latency)."""
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    done = subprocess.run([wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                           "-s", str(HERE / "mixed.lua"), url, "--", str(requests_file)],
                          capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)
    summary = re.search(r"^MIXED (\{.*\})$", done.stdout, re.M)
    if not summary:
        raise RuntimeError("no summary from mixed.lua:\n" + done.stdout)
    result = json.loads(summary.group(1))
    result["wrk_output"] = done.stdout
    return result


@contextmanager
def app_on_postgres(prefix: str, users: int, writes_every: int = 4) -> Iterator[tuple[Postgres, Gunicorn, Path]]:
    """A PostgreSQL of our own with one tenant, the app under gunicorn on it, and a wrk requests file
    (write_wrk_requests) in a new work directory; (pg, server, requests file). Both stopped after."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    pg = Postgres()
    server = None
    try:
        prepare_database(pg.url)
        server = Gunicorn(pg.url, workdir)
        requests_file = workdir / "requests.txt"
        write_wrk_requests(requests_file, users=users, writes_every=writes_every)
        yield pg, server, requests_file
    finally:
        if server:
            server.stop()
        pg.close()
