"""Skill and category names: trimmed, 1 to 100 characters, no control characters, compared case-insensitively."""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

from ..models import ACCOUNT_ID_MAX, NAME_MAX
from .errors import InvalidInput

# Atlassian account ids: "5b10ac8d82e05b22cc7d4ef5", "557058:f58131cb-...", and UUIDs in examples.
# A pattern both Python's re (with fullmatch: `$` alone would let a trailing newline through) and
# JSON Schema (the OpenAPI document, addon.api.schemas) read the same way.
ACCOUNT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:_\-]*$"
_ACCOUNT_ID = re.compile(ACCOUNT_ID_PATTERN)


# Unicode's control characters (category Cc), lone surrogates (Cs), line and paragraph separators
# (Zl, Zp): fixed sets, so one regex rather than a category look-up per character (a bulk update
# checks 150,000 names).
# CONTROL_CHARACTERS is a character-class body that JSON Schema's patterns read too (addon.api.schemas);
# lone surrogates cannot reach a JSON Schema check (JSON text cannot carry them), so they are added here only.
CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_FORBIDDEN = re.compile("[" + CONTROL_CHARACTERS + r"\ud800-\udfff" + "]")


class InvalidName(InvalidInput):
    """A name breaks the rules; the message says which, for a person."""


def clean_name(value: Any, what: str = "A skill name") -> str:
    """The name as stored: trimmed and NFC-normalised; raises InvalidName otherwise."""
    if not isinstance(value, str):
        raise InvalidName(f"{what} must be a string.")
    name = unicodedata.normalize("NFC", value.strip())
    if not name:
        raise InvalidName(f"{what} must not be empty.")
    if len(name) > NAME_MAX:
        raise InvalidName(f"{what} must be at most {NAME_MAX} characters: {name[:20]!r}...")
    if _FORBIDDEN.search(name):
        raise InvalidName(f"{what} must not contain control characters: {name!r}.")
    return name


def name_key(name: str) -> str:
    """The case-insensitive identity of a cleaned name."""
    return name.casefold()


def unique_names(values: Iterable[Any], what: str = "A skill name") -> tuple[list[str], list[str]]:
    """Cleaned names in first-seen order with duplicates (case-insensitive) dropped, and the problems."""
    names: list[str] = []
    seen: set[str] = set()
    problems: list[str] = []
    for value in values:
        try:
            name = clean_name(value, what)
        except InvalidName as err:
            problems.append(str(err))
            continue
        key = name_key(name)
        if key not in seen:
            seen.add(key)
            names.append(name)
    return names, problems


def valid_account_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= ACCOUNT_ID_MAX and bool(_ACCOUNT_ID.fullmatch(value))
