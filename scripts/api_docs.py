"""Render the add-on's OpenAPI document (/api/openapi.json) as docs/api.md.

    .venv/bin/python scripts/api_docs.py          # rewrite docs/api.md
    .venv/bin/python scripts/api_docs.py --check  # exit 1 if docs/api.md is not current

tests/test_docs.py fails when the committed file differs from what the code serves.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "docs" / "api.md"
METHODS = ("get", "put", "post", "patch", "delete")
AUTH = {
    "connectJwt": "`Authorization: JWT <token>`",
    "connectJwtQuery": "`?jwt=<token>`",
    "apiToken": "`Authorization: Bearer <API token>`",
    "apiTokenHeader": "`Authorization-Skills: <API token>`",
}

HEADER = """# API reference

Generated from the add-on's OpenAPI 3.1 document (`GET /api/openapi.json`) by
`scripts/api_docs.py`; do not edit by hand. How to authenticate and examples with `curl`: the
README, "Use the API".

Every error is JSON, `{"error": "<code>", "message": "<text for a person>"}`, with `"details": [...]`
where several things were wrong. Bad input is a 4xx and changes nothing. Limits: 500 skills a
user, 10,000 accounts a bulk request, 5 MB a request body; over a limit is a 413 (or a 400),
nothing changed.
"""


def openapi_document() -> dict[str, Any]:
    """The document as served, by an app on a throwaway SQLite file (the document needs no data)."""
    sys.path.insert(0, str(REPO))
    from addon import create_app
    from addon.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/docs.sqlite3", "SQLALCHEMY_DATABASE_URI": None,
                          "APP_BASE_URL": "https://skills.example.com", "APP_KEY": "jira-user-skills"})
        document = app.test_client().get("/api/openapi.json").get_json()
        with app.app_context():
            db.engine.dispose()
    return document


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _constraints(schema: dict[str, Any]) -> list[str]:
    notes = []
    low, high = schema.get("minLength"), schema.get("maxLength")
    if low is not None or high is not None:
        notes.append(f"{low or 0} to {high} characters" if high is not None else f"at least {low} characters")
    if "minItems" in schema and "maxItems" in schema:
        notes.append(f"{schema['minItems']:,} to {schema['maxItems']:,} items")
    elif "maxItems" in schema:
        notes.append(f"at most {schema['maxItems']:,} items")
    if "maxProperties" in schema:
        notes.append(f"at most {schema['maxProperties']:,} entries")
    if "minimum" in schema and "maximum" in schema:
        notes.append(f"{schema['minimum']} to {schema['maximum']}")
    elif "minimum" in schema:
        notes.append(f"at least {schema['minimum']}")
    if "format" in schema:
        notes.append(schema["format"])
    if "pattern" in schema and len(schema["pattern"]) <= 40:
        notes.append(f"pattern `{schema['pattern']}`")
    return notes


def inline(schema: dict[str, Any]) -> str:
    """A schema as a short phrase: `array of SkillName`, `string (1 to 100 characters)`."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return f"[{name}](#{name.lower()})"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " or ".join(inline(option) for option in schema[key])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        text = f"array of {inline(schema.get('items', {}))}"
    elif kind == "object" and isinstance(schema.get("additionalProperties"), dict) and not schema.get("properties"):
        keys = inline(schema["propertyNames"]) if "propertyNames" in schema else "account ID"
        text = f"object of {keys} to {inline(schema['additionalProperties'])}"
    elif kind == "object" and schema.get("properties"):
        text = "object"
    else:
        text = str(kind)
    notes = _constraints(schema)
    return f"{text} ({', '.join(notes)})" if notes else text


def fields(schema: dict[str, Any], indent: str = "") -> list[str]:
    """An object schema as a bullet list of its fields (nested objects indented), else one line."""
    properties = schema.get("properties")
    if schema.get("type") != "object" or not properties:
        return [f"{indent}- {inline(schema)}"]
    required = set(schema.get("required", []))
    lines = []
    for name, sub in properties.items():
        flag = "" if name in required else " (optional)"
        description = f": {sub['description']}" if sub.get("description") else ""
        lines.append(f"{indent}- `{name}`{flag}: {inline(sub)}{description}")
        if sub.get("type") == "object" and sub.get("properties"):
            lines.extend(fields(sub, indent + "  "))
        elif isinstance(sub.get("additionalProperties"), dict) and sub["additionalProperties"].get("properties"):
            lines.extend(fields(sub["additionalProperties"], indent + "  "))
        elif sub.get("type") == "array" and isinstance(sub.get("items"), dict) and sub["items"].get("properties"):
            lines.extend(fields(sub["items"], indent + "  "))
    if schema.get("minProperties"):
        lines.append(f"{indent}- at least {schema['minProperties']} of these")
    return lines


def _body(content: dict[str, Any] | None) -> dict[str, Any] | None:
    return (content or {}).get("application/json", {}).get("schema")


def operation(path: str, method: str, op: dict[str, Any], document: dict[str, Any]) -> list[str]:
    summary = op.get("summary", "")
    lines = [f"### `{method.upper()} {path}`", "", summary + ("" if summary.endswith((".", "?", "!")) else "."), ""]
    if op.get("description"):
        lines += [op["description"], ""]
    if op.get("parameters"):
        lines.append("Parameters:")
        for parameter in op["parameters"]:
            required = "required" if parameter.get("required") else "optional"
            description = f": {parameter['description']}" if parameter.get("description") else ""
            lines.append(f"- `{parameter['name']}` ({parameter['in']}, {required}): "
                         f"{inline(parameter.get('schema', {}))}{description}")
        lines.append("")
    body = _body(op.get("requestBody", {}).get("content"))
    if body:
        lines += ["Request body (JSON):", *fields(body), ""]
    lines.append("Answers:")
    responses = document.get("components", {}).get("responses", {})
    for status, answer in op.get("responses", {}).items():
        if "$ref" in answer:
            answer = responses[_ref_name(answer["$ref"])]
        schema = _body(answer.get("content"))
        shown = "" if schema is None or schema.get("$ref", "").endswith("/Error") else " Body:"
        lines.append(f"- **{status}**: {answer.get('description', '')}{shown}")
        if shown:
            lines.extend(fields(schema, "  "))
    security = [AUTH.get(name, name) for requirement in op.get("security", []) for name in requirement]
    if security:
        lines += ["", "Authentication: " + ", ".join(security) + "."]
    return lines + [""]


def render(document: dict[str, Any]) -> str:
    info = document.get("info", {})
    lines = [HEADER, f"{info.get('title', 'API')}, version {info.get('version', '?')}: "
                     f"{info.get('description', '')}", "", "## Endpoints", ""]
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                lines += operation(path, method, item[method], document)
    components = document.get("components", {})
    lines += ["## Errors", "", "| status | meaning |", "|---|---|"]
    for name, answer in sorted(components.get("responses", {}).items()):
        lines.append(f"| {name.lstrip('E')} | {answer.get('description', '')} |")
    lines += ["", "## Schemas", ""]
    for name, schema in sorted(components.get("schemas", {}).items()):
        lines += [f"### {name}", ""]
        if schema.get("description"):
            lines += [schema["description"], ""]
        lines += [*fields(schema), ""]
    lines += ["## Authentication schemes", ""]
    for name, scheme in sorted(components.get("securitySchemes", {}).items()):
        description = f": {scheme['description']}" if scheme.get("description") else ""
        lines.append(f"- `{name}`, {AUTH.get(name, scheme.get('type', ''))}{description}")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render(openapi_document())
    if "--check" in argv:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is not current: run .venv/bin/python scripts/api_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
