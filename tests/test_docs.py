"""The documentation holds: docs/api.md is what the code serves, and no link leaves the repository."""
from __future__ import annotations

import importlib.util
import re
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
