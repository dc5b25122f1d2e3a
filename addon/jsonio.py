"""JSON as requests may send it: nesting that exhausts the parser and lone surrogates are invalid JSON."""
from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class StrictJSONProvider(DefaultJSONProvider):
    """Loads raise ValueError (a 400 for the caller) instead of errors that would surface as a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if _has_lone_surrogate(value):
            # "\ud800" parses, but is not text: no database can store it.
            raise ValueError("JSON string holds a lone surrogate")
        return value
