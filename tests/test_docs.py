"""The documentation holds: docs/api.md is what the code serves, and no link leaves the repository."""
from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

from .live import REPO

DOCUMENTS = [REPO / "README.md", REPO / "bench" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def load_api_docs():  # scripts/ is not a package: load the renderer by its path
    spec = importlib.util.spec_from_file_location("api_docs", REPO / "scripts" / "api_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_reference_is_current() -> None:
    api_docs = load_api_docs()
    expected = api_docs.render(api_docs.openapi_document())
    assert (REPO / "docs" / "api.md").read_text(encoding="utf-8") == expected, \
        "docs/api.md is stale: run .venv/bin/python scripts/api_docs.py"


def test_api_reference_names_every_route_and_error() -> None:
    api_docs = load_api_docs()
    document = api_docs.openapi_document()
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    for path, item in document["paths"].items():
        for method in item:
            assert f"### `{method.upper()} {path}`" in text
    for status in ("400", "401", "403", "404", "413", "415"):
        assert f"| {status} |" in text


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_links_stay_inside_the_repository_and_resolve(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    assert "../shared" not in text
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        resolved = (document.parent / target.split("#")[0]).resolve()
        assert REPO in resolved.parents and resolved.exists(), f"{document.name}: {target}"


# Files beside a checkout of the project's team, which a clone does not have.
_OUTSIDE = re.compile(r"(?:\.\./)?\bshared/|\b(?:CONTRACT|STYLE|FORGE)\.md\b|\barchitecture\.json\b")


def test_no_file_points_to_files_a_clone_lacks() -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    found = []
    for name in tracked.decode().split("\0"):
        path = REPO / name
        if not name or not path.is_file() or name.endswith("package-lock.json"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}" for m in _OUTSIDE.finditer(text)]
    assert found == [], "name what the reader needs inside the repository instead"


def test_readme_shows_every_documented_endpoint_with_both_header_forms() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    curls = " ".join(readme.split("## Use the API", 1)[1].split("\n## ", 1)[0].split("\\\n"))
    for method, path in [("GET", "/api/user-skills?"), ("PUT", "/api/user-skills?"),
                         ("DELETE", "/api/user-skills?"), ("GET", "/api/skills-by-account\""),
                         ("POST", "/api/skills-by-account\""), ("GET", "/api/skill-tree/experts\"")]:
        for header in ('-H "Authorization: Bearer $TOKEN"', '-H "Authorization-Skills: $TOKEN"'):
            lines = [line for line in curls.splitlines() if line.startswith("curl") and header in line
                     and path in line and (f"-X {method}" in line or (method == "GET" and "-X " not in line))]
            assert lines, (method, path, header)


def test_readme_comments_name_every_field_of_each_answer() -> None:
    """Each curl group's comment shows its answer's shape: every field the 200 answer has, nested ones
    too (the bulk update's comment once left out `{"changes": {...}}`, and with it the per-account fields)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Use the API", 1)[1].split("\n## ", 1)[0].replace("\\\n", " ")
    document = load_api_docs().openapi_document()
    comment: list[str] = []
    checked = set()
    after_curl = False
    for line in block.splitlines():
        if line.startswith("# "):
            comment = [line] if after_curl else comment + [line]
            after_curl = False
            continue
        found = re.match(r'curl (?:.*?-X (\w+) )?.*"\$SKILLS(/api/[\w/-]+)', line)
        if not found:
            continue
        after_curl = True
        method, path = (found.group(1) or "GET").lower(), found.group(2)
        checked.add((method, path))
        schema = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        for name in _field_names(schema):
            assert f'"{name}"' in "\n".join(comment), (method, path, name, comment)
    documented = {("get", "/api/user-skills"), ("put", "/api/user-skills"), ("delete", "/api/user-skills"),
                  ("get", "/api/skills-by-account"), ("post", "/api/skills-by-account"),
                  ("get", "/api/skill-tree/experts")}
    assert documented <= checked, documented - checked


def _field_names(schema: dict) -> list[str]:
    """The named fields of an answer's schema, and of the objects inside it (not of $ref'd schemas)."""
    names = list(schema.get("properties", {}))
    for sub in schema.get("properties", {}).values():
        names += _field_names(sub)
    if isinstance(schema.get("additionalProperties"), dict):
        names += _field_names(schema["additionalProperties"])
    return names


def test_readme_first_screen_shows_how_to_see_the_app_before_jira() -> None:
    """A newcomer reads how to see the app (the demo's command, then its address) before any word of
    installing it in Jira: the names "User Skills for Jira" and "Skills for Jira" aside."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:24])
    command, address = first_screen.find("scripts/run --demo"), first_screen.find("http://127.0.0.1:3000/demo/")
    assert 0 <= command < address, "the first screen must give the demo's command, then its address"
    jira = re.search(r"(?<!for )Jira", readme)
    assert jira is None or address < jira.start(), readme[:jira.start() + 40]
