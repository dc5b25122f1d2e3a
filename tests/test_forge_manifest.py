"""forge/manifest.yml against Atlassian's own validator (npm @forge/manifest, offline), and the Custom UI
build it names: the same markup and page code as the Connect pages, with the Forge adapter."""
from __future__ import annotations

import os
import re
from typing import Iterator

import pytest

from .forge_support import DEPLOYMENT, FORGE_DIR, MANIFEST, RESOURCES, build, validate

ROOT = os.path.dirname(FORGE_DIR)


BROKEN = {
    # A remote trigger without its own route: Forge refuses it.
    "trigger-without-route": ("      route:\n        path: /forge/lifecycle\n", "", "route"),
    # A page naming a resource that does not exist.
    "unknown-resource": ("      resource: panel\n", "      resource: pannel\n", "pannel"),
    # A module Jira does not know.
    "unknown-module": ("  jira:issueContext:", "  jira:issueContex:", "jira:issueContex"),
}


@pytest.fixture(scope="module")
def built() -> Iterator[str]:
    # The validator checks that every resource path exists: build what the manifest names.
    yield build()


@pytest.fixture(scope="module")
def reports(built, tmp_path_factory) -> dict[str, dict]:
    """The validator's reports on the manifest and on each broken copy of it, from one run."""
    with open(MANIFEST, encoding="utf-8") as fh:
        text = fh.read()
    copies = {}
    for name, (old, new, _) in BROKEN.items():
        assert old in text
        folder = tmp_path_factory.mktemp(name)
        (folder / "manifest.yml").write_text(text.replace(old, new, 1), encoding="utf-8")
        os.symlink(os.path.join(FORGE_DIR, "static"), folder / "static")
        copies[name] = str(folder / "manifest.yml")
    found = validate(MANIFEST, *copies.values())
    return {"manifest": found[MANIFEST], **{name: found[path] for name, path in copies.items()}}


def test_manifest_has_no_error_for_atlassians_validator(reports):
    report = reports["manifest"]
    assert report["errors"] == [], "\n".join(f"{e['level']}: {e['message']} (line {e['line']})" for e in report["errors"])
    assert report["success"] is True


def test_manifest_declares_the_contracts_forge_app(reports):
    manifest = reports["manifest"]["manifest"]
    # Set from the deployment's environment, not written in the file.
    assert manifest["app"]["id"] == DEPLOYMENT["FORGE_APP_ID"]
    assert manifest["remotes"] == [{"key": "skills-backend", "baseUrl": DEPLOYMENT["APP_BASE_URL"],
                                    "operations": ["compute", "fetch"]}]
    modules = manifest["modules"]
    pages = {kind: [(m["key"], m["resource"], m["resolver"]) for m in modules[kind]]
             for kind in ("jira:globalPage", "jira:personalSettingsPage", "jira:issueContext", "jira:adminPage")}
    api = {"endpoint": "skills-api"}
    assert pages == {"jira:globalPage": [("skills", "global", api)],
                     "jira:personalSettingsPage": [("my-skills", "user", api)],
                     "jira:issueContext": [("assignee-skills", "panel", api)],
                     "jira:adminPage": [("skills-admin", "admin", api)]}
    endpoints = {e["key"]: e for e in modules["endpoint"]}
    assert endpoints["skills-api"] == {"key": "skills-api", "remote": "skills-backend",
                                       "auth": {"appSystemToken": {"enabled": True}}}
    assert endpoints["skills-lifecycle"] == {"key": "skills-lifecycle", "remote": "skills-backend",
                                             "route": {"path": "/forge/lifecycle"},
                                             "auth": {"appSystemToken": {"enabled": True}}}
    assert endpoints["skills-events"] == {"key": "skills-events", "remote": "skills-backend",
                                          "route": {"path": "/forge/events"},
                                          "auth": {"appSystemToken": {"enabled": True}}}
    assert modules["trigger"] == [{"key": "skills-lifecycle-events", "endpoint": "skills-lifecycle",
                                   "events": ["avi:forge:installed:app", "avi:forge:uninstalled:app"]},
                                  {"key": "skills-issue-events", "endpoint": "skills-events",
                                   "events": ["avi:jira:deleted:issue"]}]
    # The issue property the backend writes, indexed for JQL by skill name (docs/api.md and docs/jira-setup.md, issue properties).
    assert modules["jira:entityProperty"] == [{"key": "required-skills-index", "entityType": "issue",
                                               "propertyKey": "required-skills",
                                               "values": [{"path": "skills", "type": "string",
                                                           "searchAlias": "requiredSkill"}]}]
    assert {r["key"]: r["path"] for r in manifest["resources"]} == {name: f"static/{name}" for name in RESOURCES}
    # What the pages use (people's names and avatars, the issue panel's assignee), and what the Forge
    # docs require of a remote: `read:app-system-token` for the system token the endpoints ask for
    # ("Calling a remote backend from a Forge frontend"), `report:personal-data` for the report.
    # `write:jira-work` writes and deletes the issue property of the skills an issue needs.
    assert manifest["permissions"] == {"scopes": ["read:app-system-token", "read:jira-user", "read:jira-work",
                                                  "write:jira-work", "report:personal-data"],
                                       "external": {"fetch": {"backend": [{"remote": "skills-backend"}]}}}


@pytest.mark.parametrize("name", BROKEN)
def test_the_validator_reports_a_broken_copy(reports, name):
    report, says = reports[name], BROKEN[name][2]
    assert report["success"] is False
    assert [e for e in report["errors"] if e["level"] == "error" and says in e["message"]], report["errors"]


def test_a_deployment_without_its_settings_is_refused(built):
    report = validate(MANIFEST, env={"APP_BASE_URL": DEPLOYMENT["APP_BASE_URL"]})[MANIFEST]
    assert report["success"] is False
    assert any("FORGE_APP_ID" in e["message"] for e in report["errors"]), report["errors"]


def test_built_pages_hold_the_connect_markup_and_the_forge_adapter(built):
    parts = {}
    for name in ("finder", "user", "issue_panel", "admin"):
        with open(os.path.join(ROOT, "templates", "parts", name + ".html"), encoding="utf-8") as fh:
            parts[name] = fh.read()
    held = {"global": ["finder", "user"], "user": ["user"], "panel": ["issue_panel"], "admin": ["admin"]}
    for resource in RESOURCES:
        folder = os.path.join(built, resource)
        with open(os.path.join(folder, "index.html"), encoding="utf-8") as fh:
            html = fh.read()
        for part in held[resource]:
            assert parts[part] in html, (resource, part)  # the very markup of the Connect template
        assert [p for p in parts if parts[p] in html] == held[resource]
        assert re.findall(r"<script[^>]*>", html) == ['<script src="bundle.js">']  # no inline script
        with open(os.path.join(folder, "bundle.js"), encoding="utf-8") as fh:
            bundle = fh.read()
        assert '"forge"' in bundle and "invokeRemote" not in html
        assert "AP.context" not in bundle and "getToken" not in bundle  # the Connect adapter is not in it
        with open(os.path.join(folder, "pages.css"), encoding="utf-8") as css, \
                open(os.path.join(ROOT, "addon", "pages", "static", "pages.css"), encoding="utf-8") as connect_css:
            assert css.read() == connect_css.read()
