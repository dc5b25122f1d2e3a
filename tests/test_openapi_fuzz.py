"""schemathesis against the running app: every /api operation, no 5xx, every answer as documented."""
from __future__ import annotations

import os
import subprocess
import sys

import requests

from .conftest import jira_token

ADMIN = "fuzz-admin-1"
CONFIG = os.path.join(os.path.dirname(__file__), "schemathesis.toml")
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,negative_data_rejection")


def run_schemathesis(live_server, header: str | list[str], tmp_path) -> subprocess.CompletedProcess:
    st = os.path.join(os.path.dirname(sys.executable), "st")
    headers = [item for value in ([header] if isinstance(header, str) else header) for item in ("--header", value)]
    command = [st, "--config-file", CONFIG, "run", f"{live_server.url}/api/openapi.json", "--url", live_server.url,
               *headers, "--checks", CHECKS, "--max-examples", "25", "--seed", "20261123",
               "--workers", "1", "--phases", "examples,coverage,fuzzing,stateful", "--request-timeout", "30",
               "--report-dir", str(tmp_path), "--output-truncate", "true"]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)


def assert_every_operation_tested(live_server, stdout: str) -> None:
    doc = requests.get(f"{live_server.url}/api/openapi.json", timeout=10).json()
    operations = sum(len(item) for item in doc["paths"].values())
    assert operations >= 8
    assert f"Tested: {operations}" in stdout, stdout[-3000:]


def test_schemathesis_as_jira_admin_in_an_iframe(jira, live_server, tmp_path):
    tenant = jira.install("tenant-a", admins={ADMIN})
    token = jira_token("GET", "/", tenant.client_key, tenant.secret, sub=ADMIN, context=True, exp_in=3600)
    result = run_schemathesis(live_server, f"Authorization: JWT {token}", tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert_every_operation_tested(live_server, result.stdout)


def test_schemathesis_with_an_api_token(jira, live_server, tmp_path):
    tenant = jira.install("tenant-a", admins={ADMIN})
    created = jira.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "fuzz"})
    result = run_schemathesis(live_server, f"Authorization: Bearer {created.json['token']}", tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_schemathesis_as_jira_admin_through_forge(forge, live_server, tmp_path):
    """A FIT as Forge Remote sends it (invokeRemote: with the app system token) for an administrator."""
    site = forge.site(admins={ADMIN})
    token = forge.fit(site, principal=ADMIN, exp_in=3600)
    result = run_schemathesis(live_server, [f"Authorization: Bearer {token}",
                                            f"x-forge-oauth-system: {site.system_token}"], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert_every_operation_tested(live_server, result.stdout)
    assert any(c["verified"] for c in forge.fake.permission_calls())  # admin routes asked Jira, through Forge
