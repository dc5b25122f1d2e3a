"""The peer the add-on is compared with: its hot read on atlassian-connect-express (bench/ace/).

bench/ace/ holds a small app of ours on ACE, its npm packages pinned by package.json and
package-lock.json; `install()` runs `npm ci` there when those changed. bench/README.md ("The peer")
says what the app does and why the comparison is fair.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Callable

ACE_DIR = Path(__file__).resolve().parent / "ace"
_STAMP = ACE_DIR / "node_modules" / ".installed-bench"


def install(log: Callable[[str], None]) -> str | None:
    """Makes bench/ace ready to run; None when it is, else why it cannot be."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return "node and npm are not installed (Debian: apt-get install nodejs npm)"
    want = hashlib.sha256(b"".join((ACE_DIR / name).read_bytes()
                                   for name in ("package.json", "package-lock.json"))).hexdigest()
    if _STAMP.exists() and _STAMP.read_text().strip() == want:
        return None
    log("installing bench/ace's npm packages (npm ci; it builds two SQLite drivers, minutes the first time)")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ACE_DIR,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return f"npm ci in bench/ace failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    _STAMP.write_text(want + "\n")
    return None


def command(workers: int, skills_database: Path, store: Path, client_key: str, shared_secret: str,
            host_base_url: str, app_base_url: str, port: int) -> tuple[list[str], Path, dict[str, str]]:
    """(command, working directory, environment) of the ACE app under node's cluster module.

    `skills_database`: the seeded SQLite file the add-on reads too; `store`: a file for ACE's own
    tenant store (created, with the tenant in it, at start); `app_base_url`: the base URL the
    requests' tokens are signed for (their `qsh` is relative to it).
    """
    node = shutil.which("node") or "node"
    env = {"NODE_ENV": "production", "PORT": str(port), "HOST": "127.0.0.1", "ACE_WORKERS": str(workers),
           "AC_LOCAL_BASE_URL": app_base_url, "ACE_STORE": str(store), "SKILLS_DATABASE": str(skills_database),
           "ACE_CLIENT_KEY": client_key, "ACE_SHARED_SECRET": shared_secret, "ACE_HOST_BASE_URL": host_base_url}
    return [node, "server.js"], ACE_DIR, env
