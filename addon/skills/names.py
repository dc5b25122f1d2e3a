"""Skill and category names: trimmed, 1 to 100 characters, no control or invisible formatting characters,
compared case-insensitively."""
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
# Unicode's format characters (category Cf) but U+200C and U+200D: bidirectional overrides and
# isolates, zero-width spaces, the byte order mark, the soft hyphen and tags make names that look
# like others ("Py\u202ethon"); the zero-width non-joiner and joiner are needed by Persian and Indic
# scripts and by emoji sequences. The set of Unicode 14.0 (Python 3.11's database), written out for
# the reason above; tests/test_names.py checks it against every code point of the running Python's.
# Astral characters are written as themselves, so that the JSON Schema pattern made of it (ECMA-262
# with the `u` flag, or Python's re) reads them as code points.
FORMAT_CHARACTERS = ("\\xad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u180e\\u200b\\u200e\\u200f"
                     "\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb"
                     "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                     "\U000e0001\U000e0020-\U000e007f")
_CONTROL = re.compile("[" + CONTROL_CHARACTERS + r"\ud800-\udfff" + "]")
_FORMAT = re.compile("[" + FORMAT_CHARACTERS + "]")
# Both in one search: the names that pass (nearly all) cost one scan.
_FORBIDDEN = re.compile("[" + CONTROL_CHARACTERS + r"\ud800-\udfff" + FORMAT_CHARACTERS + "]")


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
    if _FORBIDDEN.search(name) is None:
        return name
    if _CONTROL.search(name):
        raise InvalidName(f"{what} must not contain control characters: {name!r}.")
    raise InvalidName(f"{what} must not contain invisible formatting characters (such as a bidirectional "
                      f"override, a zero-width space or a byte order mark): {_visible(name)}.")


def _visible(name: str) -> str:
    """The name quoted with its format characters spelt out (`repr` shows U+202E as itself)."""
    return "'" + _FORMAT.sub(lambda found: f"\\u{ord(found[0]):04x}" if ord(found[0]) < 0x10000
                             else f"\\U{ord(found[0]):08x}", name) + "'"


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
