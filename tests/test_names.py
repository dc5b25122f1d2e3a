"""Name rules as plain functions: the forbidden characters are exactly Unicode's categories Cc, Cs, Zl, Zp."""
from __future__ import annotations

import sys
import unicodedata

import pytest

from addon.skills.names import InvalidName, clean_name


def test_refused_characters_are_exactly_the_control_surrogate_and_separator_categories() -> None:
    # Every code point, checked against the Unicode database this Python ships.
    for code_point in range(sys.maxunicode + 1):
        ch = chr(code_point)
        forbidden = unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")
        name = "a" + ch + "b"
        if forbidden:
            with pytest.raises(InvalidName):
                clean_name(name)
        else:
            assert clean_name(name) == unicodedata.normalize("NFC", name).strip()
