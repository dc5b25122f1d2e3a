"""Writes the case-folding table of addon/pages/static/skill-names.js from this Python's `str.casefold`.

JavaScript has `toLowerCase` but no full case folding; the browser's `nameKey` lower-cases each
character except those listed here, where Python's `casefold()` differs from `lower()` ("ß" -> "ss",
"ς" -> "σ", Cherokee small letters -> capitals...). tests/test_pages.py checks every assigned
code point against the server's `name_key`; when it fails after a Python (Unicode) upgrade, run
`python -m tests.casefold_js` and paste the printed object over FOLD in skill-names.js.
"""
from __future__ import annotations

import json
import unicodedata


def fold_table() -> dict[str, str]:
    """Characters whose full case folding is not their lower-case form, and their folding."""
    table = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        char = chr(cp)
        if char.casefold() != char.lower():
            table[char] = char.casefold()
    return table


def js_literal(table: dict[str, str]) -> str:
    items = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in table.items()]
    lines, line = [], "    "
    for item in items:
        if len(line) + len(item) + 2 > 110:
            lines.append(line.rstrip())
            line = "    "
        line += item + ", "
    lines.append(line.rstrip().rstrip(","))
    return "{\n" + "\n".join(lines) + "\n  }"


if __name__ == "__main__":
    print(f"// Unicode {unicodedata.unidata_version}")
    print(js_literal(fold_table()))
