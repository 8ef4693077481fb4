"""Kindle details lines seen in real files beyond the ones of each language's current firmware:
new kind words, mixed-language firmware, old firmware (docs/formats.md, "Details lines")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.parsers import parse_file
from bot.parsers._kindle_grammars import _GRAMMARS, DetailsReader
from bot.parsers._kindle_meta import read_by_keywords
from bot.parsers.records import LocationType

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kindle"
VARIANTS = FIXTURES / "firmware_variants.txt"
_LOCATION, _PAGE = LocationType.LOCATION, LocationType.PAGE


def at(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_new_kind_words_and_mixed_firmware_are_read_with_their_notes() -> None:
    result = parse_file(VARIANTS)
    assert result.format == "kindle_clippings"
    assert [
        (h.line, h.location, h.location_type, h.highlighted_at, h.notes) for h in result.highlights
    ] == [
        # Spanish "Tu resaltado", with page and location, then location only.
        (1, "327-328", _LOCATION, at(2025, 5, 22, 13, 38, 10), ["Nombres en la arena"]),
        (11, "83-85", _LOCATION, at(2025, 5, 22, 13, 40), []),
        # "Your Underline" is a highlight.
        (16, "1639", _LOCATION, at(2024, 2, 3, 21, 0), []),
        # "Clip This Article" carries the article's text: a highlight.
        (21, "850", _LOCATION, at(2014, 3, 27, 10, 1, 23), []),
        # pt-BR with English words; "Sua nota ou posição N" attaches.
        (26, "100-102", _LOCATION, at(2023, 10, 13, 20, 25, 22), ["Farol"]),
        (36, "140-141", _LOCATION, at(2023, 10, 13, 20, 30), ["Cartas sem remetente"]),
        (46, "15", _PAGE, at(2023, 10, 13, 20, 40), []),
        # Old German firmware: "um 11:20:00 Uhr".
        (61, "1230-1234", _LOCATION, at(2013, 10, 27, 11, 20), []),
        # Old Chinese firmware "我的标注 位置 #N-N" and its note "我的笔记 位置 #N".
        (66, "465-466", _LOCATION, at(2013, 12, 24, 21, 10, 24), ["雾"]),
        # "您在位置 #N 的笔记", with a space before 的.
        (81, "480-482", _LOCATION, at(2013, 12, 27, 1, 58), ["溪水"]),
    ]
    # "Seu marcador ou posição", "Ihr Lesezeichen Position" (no "bei"), "我的书签 在 第 N 页".
    assert [(s.line, s.reason) for s in result.skipped] == [
        (line, "a bookmark, which has no text") for line in (51, 56, 76)
    ]


def variant_details_lines() -> list[str]:
    lines = VARIANTS.read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.startswith("- ")]


@pytest.mark.parametrize("line", variant_details_lines())
def test_every_variant_takes_a_fast_path_but_clip_this_article(line: str) -> None:
    fast = any(grammar.line.fullmatch(line) for grammar in _GRAMMARS)
    assert fast is not line.startswith("- Clip This Article")
    assert DetailsReader().read(line) == read_by_keywords(line)


def test_japanese_firmware_with_english_words_and_crlf_is_a_kindle_file() -> None:
    path = FIXTURES / "ja_english_words.txt"
    assert b"\r\n" in path.read_bytes()
    result = parse_file(path)
    assert result.format == "kindle_clippings"
    # The second highlight was extended from 103-104 to 103-105: one highlight.
    assert [(h.line, h.author, h.location, h.highlighted_at) for h in result.highlights] == [
        (1, "山田太郎", "85-87", at(2019, 10, 12, 14, 27, 10)),
        (11, "山田太郎", "103-105", at(2019, 10, 12, 14, 28, 31)),
    ]
    assert result.skipped == []


@pytest.mark.parametrize(
    "line",
    [
        "- 6page|location No. 85-87",  # no date
        "- Hervorhebung | Added on Thursday, 27 March 2014 10:01:23",  # no place
    ],
)
def test_a_line_with_no_kind_word_needs_a_place_and_a_date(line: str) -> None:
    assert read_by_keywords(line) is None
    assert DetailsReader().read(line) is None


def test_a_line_with_no_kind_word_a_place_and_a_date_is_a_highlight() -> None:
    details = read_by_keywords("- 6page |作成日: 2019年10月12日土曜日 14:27:10")
    assert details is not None
    assert (details.kind, details.page, details.location_start) == ("highlight", "6", None)
