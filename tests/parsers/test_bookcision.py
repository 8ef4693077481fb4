"""Bookcision JSON: highlights, notes, lone notes, and damaged files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.parsers import bookcision, detect_format, koreader_json
from bot.parsers.records import Kind, LocationType, ParseError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bookcision"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_it_is_detected_from_its_content_and_not_taken_for_koreader() -> None:
    assert detect_format(fixture("book.json")) == bookcision.NAME
    assert not koreader_json.looks_like(fixture("book.json"))
    assert detect_format('{"highlights": [{"text": "a", "isNoteOnly": false}]}') == "bookcision"


def test_a_book() -> None:
    result = bookcision.parse(fixture("book.json"))

    first, second, lone = result.highlights
    assert (first.book_title, first.author, first.text) == (
        "Meditations",
        "Marcus Aurelius",
        "You have power over your mind - not outside events.",
    )
    assert (first.location, first.location_type, first.location_start) == (
        "402",
        LocationType.LOCATION,
        402,
    )
    # Notes typed on a Kindle: Readwise action tags are honoured as in the Kindle formats.
    assert (second.notes, second.tags, second.favorite) == (["on obstacles"], ["stoicism"], True)
    # `isNoteOnly`: a note with no passage; its words are in `note`.
    assert (lone.kind, lone.text, lone.location) == (Kind.NOTE, "Book Six is the best one.", "1300")
    assert [(s.reason, s.line) for s in result.skipped] == [("highlight with no text", 4)]


def test_authors_as_a_list_and_a_file_of_several_books() -> None:
    text = (
        '[{"title": "A", "authors": ["One", "Two"], "highlights": [{"text": "x", '
        '"isNoteOnly": false, "location": {"value": "12"}, "note": null}]},'
        ' {"title": "B", "authors": "Three", "highlights": []}]'
    )

    result = bookcision.parse(text)

    assert [(h.book_title, h.author, h.location) for h in result.highlights] == [
        ("A", "One; Two", "12")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (fixture("book.json")[:200], "The Bookcision export stops in the middle: it was cut off."),
        ('{"title": "A", "highlights": 3}', "not a Bookcision export"),
        ('{"asin": "B0", "highlights": [}', "The Bookcision export is not valid JSON"),
    ],
)
def test_damaged_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError) as error:
        bookcision.parse(text)
    assert message in str(error.value)
