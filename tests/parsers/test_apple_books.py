"""Apple Books: AEAnnotation_….sqlite alone, or zipped with BKLibrary-….sqlite for titles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.parsers import apple_books, parse_bytes
from bot.parsers.records import FileRead, Kind, ParseError
from tests.binary_files import apple_annotations, apple_library, zip_bytes

ASSET = "8B2E5CC4B2B2A3D1F0E4B4C1A9D7E6F5"
ANNOTATIONS = [
    (1, ASSET, "Waste no more time arguing.", None, 685151385.5, 0, 3, "Book Two", 120),
    (2, ASSET, "You have power over your mind.", "Read daily", 685151400.0, 0, 4, None, 80),
    (3, ASSET, "A deleted highlight.", None, 685151401.0, 1, 3, None, 90),
    (4, ASSET, None, None, 685151402.0, 0, 3, None, 95),
    (5, ASSET, None, "A note on nothing selected.", 685151403.0, 0, 3, None, 99),
]
LIBRARY = [(1, ASSET, "Meditations", "Marcus Aurelius"), (2, "OTHER", "Other", "Someone")]


def test_the_annotations_alone_import_under_placeholder_titles_and_say_so() -> None:
    result = parse_bytes(apple_annotations(ANNOTATIONS))

    assert result.format == "apple_books"
    assert [h.text for h in result.highlights] == [
        "You have power over your mind.",
        "A note on nothing selected.",
        "Waste no more time arguing.",
    ]
    note, lone, plain = result.highlights
    assert {h.book_title for h in result.highlights} == {f"Apple Books book {ASSET}"}
    assert result.notices == [apple_books.UNKNOWN_TITLES]
    assert (note.notes, note.color, note.kind) == (["Read daily"], "pink", Kind.HIGHLIGHT)
    assert (lone.kind, lone.notes) == (Kind.NOTE, [])
    assert (plain.color, plain.chapter, plain.location) == ("yellow", "Book Two", "120")
    # 685151385.5 seconds after 2001-01-01 00:00 UTC.
    assert plain.highlighted_at == datetime(2022, 9, 17, 23, 49, 45, 500000, tzinfo=UTC)
    assert [s.reason for s in result.skipped] == ["a bookmark or an annotation with no text"]


def test_zipped_with_the_library_the_books_get_their_titles_and_authors() -> None:
    data = zip_bytes(
        {
            "AEAnnotation/AEAnnotation_v10312011_1727_local.sqlite": apple_annotations(ANNOTATIONS),
            "BKLibrary/BKLibrary-1-091020131601.sqlite": apple_library(LIBRARY),
        }
    )
    result = parse_bytes(data)

    assert {(h.book_title, h.author) for h in result.highlights} == {
        ("Meditations", "Marcus Aurelius")
    }
    assert result.notices == []
    assert result.files == [
        FileRead(
            "AEAnnotation/AEAnnotation_v10312011_1727_local.sqlite",
            format="apple_books",
            records=3,
        ),
        FileRead("BKLibrary/BKLibrary-1-091020131601.sqlite", format=apple_books.LIBRARY),
    ]


def test_the_library_alone_is_refused_with_what_to_send() -> None:
    with pytest.raises(ParseError) as error:
        parse_bytes(apple_library(LIBRARY))
    assert str(error.value) == apple_books.LIBRARY_ALONE


def test_a_zip_with_only_the_library_is_refused() -> None:
    with pytest.raises(ParseError, match="Nothing in this zip"):
        parse_bytes(zip_bytes({"BKLibrary-1.sqlite": apple_library(LIBRARY)}))
