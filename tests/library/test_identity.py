"""Identity: normalize_text folds exactly as the regex it replaced did."""

from __future__ import annotations

import re
import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.library.identity import normalize_text

_SPACE = re.compile(r"\s+")


def by_regex(text: str) -> str:
    """The earlier definition, kept here as the reference."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def test_split_breaks_at_exactly_the_characters_the_regex_matched() -> None:
    space = re.compile(r"\s")
    differ = [
        code
        for code in range(sys.maxunicode + 1)
        if bool(space.match(chr(code))) != chr(code).isspace()
    ]
    assert differ == []


SPACES = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())


@given(st.text(alphabet=st.sampled_from(SPACES + "aZ ßİﬁ①Å言\u0301\u00a0")))
def test_same_result_as_the_regex(text: str) -> None:
    assert normalize_text(text) == by_regex(text)


@given(st.text())
def test_same_result_as_the_regex_on_any_text(text: str) -> None:
    assert normalize_text(text) == by_regex(text)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_same_result_as_the_regex_for_ascii(text: str) -> None:
    # ASCII text takes a shortcut (no NFKC, lower for casefold, no split when single spaced).
    assert normalize_text(text) == by_regex(text)
