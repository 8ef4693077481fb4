"""Kobo's KoboReader.sqlite: highlights, notes, colours, skipped rows, firmware differences."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.parsers import kobo, parse_bytes, parse_file, parse_text
from bot.parsers.records import Kind, LocationType, ParseError
from bot.parsers.sqlite_file import DAMAGED
from tests.binary_files import BOOK, CHAPTER, kobo_database, sqlite_bytes

ROWS = [
    (
        "1",
        BOOK,
        CHAPTER,
        "Waste no more time arguing.",
        None,
        "2024-03-04T09:15:02.000",
        0.5,
        "false",
        "highlight",
        3,
    ),
    (
        "2",
        BOOK,
        CHAPTER,
        "You have power over your mind.",
        "Read daily",
        "2024-03-05T07:00:00Z",
        0.25,
        "false",
        "note",
        0,
    ),
    ("3", BOOK, CHAPTER, None, None, "2024-03-05T08:00:00", 0.3, "false", "dogear", None),
    (
        "4",
        BOOK,
        CHAPTER,
        "Deleted on the device.",
        None,
        "2024-03-05T08:00:00",
        0.4,
        "true",
        "highlight",
        None,
    ),
    (
        "5",
        BOOK,
        CHAPTER,
        "Drawn over with the stylus.",
        None,
        "2024-03-06T08:00:00",
        0.6,
        "false",
        "markup",
        1,
    ),
]


def test_highlights_notes_and_markups_are_read_with_book_chapter_colour_and_date() -> None:
    result = parse_bytes(kobo_database(ROWS))

    assert result.format == "kobo"
    texts = [h.text for h in result.highlights]
    assert texts == [
        "You have power over your mind.",
        "Waste no more time arguing.",
        "Drawn over with the stylus.",
    ]
    note, plain, markup = result.highlights
    assert (note.book_title, note.author, note.chapter) == (
        "Meditations",
        "Marcus Aurelius",
        "Book Two",
    )
    assert note.notes == ["Read daily"] and note.kind is Kind.HIGHLIGHT
    assert (note.color, plain.color, markup.color) == ("yellow", "green", "pink")
    assert plain.highlighted_at == datetime(2024, 3, 4, 9, 15, 2, tzinfo=UTC)
    assert note.highlighted_at == datetime(2024, 3, 5, 7, 0, tzinfo=UTC)
    assert plain.location_type is LocationType.ORDER
    assert note.location_start is not None and plain.location_start is not None
    assert note.location_start < plain.location_start
    assert sorted(s.reason for s in result.skipped) == [
        "a dog-ear (page bookmark)",
        "a hidden bookmark (deleted on the device)",
    ]


def test_old_firmware_without_type_or_colour_columns() -> None:
    rows = [
        ("1", BOOK, CHAPTER, "Waste no more time arguing.", "My note", "2012-01-01T10:00:00", 0.1),
        ("2", BOOK, CHAPTER, None, None, "2012-01-01T10:00:00", 0.2),
    ]
    result = parse_bytes(kobo_database(rows, old_firmware=True))

    [highlight] = result.highlights
    assert (highlight.text, highlight.notes, highlight.color) == (
        "Waste no more time arguing.",
        ["My note"],
        None,
    )
    assert [s.reason for s in result.skipped] == ["a dog-ear (page bookmark)"]


def test_a_book_no_longer_on_the_device_is_named_after_its_file() -> None:
    rows = [ROWS[0]]
    result = parse_bytes(kobo_database(rows, content=[]))

    [highlight] = result.highlights
    assert (highlight.book_title, highlight.author, highlight.chapter) == (
        "Meditations - Marcus Aurelius",
        "",
        None,
    )


def test_a_chapter_title_that_is_only_a_file_name_is_no_chapter() -> None:
    content = [
        (BOOK, 6, "Meditations", "Marcus Aurelius", None),
        (CHAPTER, 9, "ch2.xhtml", None, 2),
    ]
    [highlight] = parse_bytes(kobo_database([ROWS[0]], content=content)).highlights
    assert highlight.chapter is None


def test_a_database_in_wal_mode_is_read_and_its_copy_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = kobo_database(ROWS, wal=True)
    assert data[18:20] == b"\x02\x02"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    assert len(parse_bytes(data).highlights) == 3
    assert list(tmp_path.iterdir()) == []


def test_the_cli_path_reads_a_database_file(tmp_path: Path) -> None:
    path = tmp_path / "KoboReader.sqlite"
    path.write_bytes(kobo_database(ROWS))
    assert len(parse_file(path).highlights) == 3
    assert kobo.looks_like_bytes(path.read_bytes())


def test_a_database_that_is_not_kobo_is_refused() -> None:
    other = sqlite_bytes(["CREATE TABLE notes (id INTEGER, body TEXT)"], {"notes": [(1, "x")]})
    with pytest.raises(ParseError, match="not one Commonplace reads: send a Kobo"):
        parse_bytes(other)


@pytest.mark.parametrize("keep", [100, 4096, 0.5])
def test_a_truncated_database_is_refused(keep: float) -> None:
    data = kobo_database(ROWS)
    cut = int(len(data) * keep) if keep < 1 else int(keep)
    with pytest.raises(ParseError) as error:
        parse_bytes(data[:cut])
    assert str(error.value) == DAMAGED


def test_a_kobo_database_is_never_read_as_text() -> None:
    with pytest.raises(ParseError, match="binary: it is read from its bytes"):
        parse_text("SQLite format 3", format="kobo")


def test_a_text_file_named_as_kobo_is_refused() -> None:
    with pytest.raises(ParseError, match="This file is not a SQLite database."):
        parse_bytes(b"Meditations (Marcus Aurelius)\n", format="kobo")
