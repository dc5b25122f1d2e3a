"""Name rules as plain functions: the forbidden characters are exactly Unicode's categories Cc, Cs, Zl, Zp,
and the format characters (Cf) but for the two joiners scripts and emoji need."""
from __future__ import annotations

import sys
import unicodedata

import pytest

from addon.skills.names import InvalidName, clean_name


JOINERS = ("\u200c", "\u200d")  # ZERO WIDTH NON-JOINER (Persian, Indic scripts) and JOINER (emoji sequences)


def test_refused_characters_are_exactly_the_control_surrogate_separator_and_format_categories() -> None:
    # Every code point, checked against the Unicode database this Python ships.
    for code_point in range(sys.maxunicode + 1):
        ch = chr(code_point)
        category = unicodedata.category(ch)
        forbidden = category in ("Cc", "Cs", "Zl", "Zp") or (category == "Cf" and ch not in JOINERS)
        name = "a" + ch + "b"
        if forbidden:
            with pytest.raises(InvalidName):
                clean_name(name)
        else:
            assert clean_name(name) == unicodedata.normalize("NFC", name).strip()


@pytest.mark.parametrize("name", ["Py\u202ethon", "\u202eexe.txt", "Go\u200b", "\ufeffRust", "Ja\u00adva",
                                  "a\u2066b\u2069", "x\u2060y", "\U000e0001tag"])
def test_format_characters_that_make_look_alike_names_are_refused_with_a_clear_message(name: str) -> None:
    with pytest.raises(InvalidName, match="invisible formatting characters") as refused:
        clean_name(name)
    assert "\\u" in str(refused.value) or "\\x" in str(refused.value) or "\\U" in str(refused.value)


@pytest.mark.parametrize("name", ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with a ZWNJ
                                  "\U0001f469\u200d\U0001f4bb",  # woman technologist: an emoji ZWJ sequence
                                  "\u0915\u094d\u200d\u0937"])  # Devanagari half form
def test_the_joiners_scripts_and_emoji_need_are_kept(name: str) -> None:
    assert clean_name(name) == name
