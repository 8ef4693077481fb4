"""Google Play Books: the Drive notes document (.docx and HTML) and the Takeout JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.parsers import detect_format, parse_bytes, play_books
from bot.parsers.records import Kind, LocationType, ParseError
from tests.binary_files import play_books_docx, play_books_html, zip_bytes

CHAPTERS = [
    (
        "Part One\u00a0\u00a0 A New Operating System",
        [
            ("Rewards can extinguish intrinsic motivation.", None, "March 2, 2016", "59"),
            ("Autonomy is the antidote.", "Read this again", "March 3, 2016", "84"),
        ],
    ),
    (
        "Part Two",
        [
            (None, None, "April 23, 2016", "61"),
            ("Mastery is a mindset.", None, "2 mars 2016", "xii"),
        ],
    ),
]


def test_the_docx_gives_book_chapters_notes_pages_and_dates() -> None:
    result = parse_bytes(play_books_docx("Drive", "Daniel H. Pink", CHAPTERS))

    assert result.format == "play_books"
    rewards, autonomy, mastery = result.highlights
    assert (rewards.book_title, rewards.author) == ("Drive", "Daniel H. Pink")
    assert rewards.chapter == "Part One A New Operating System"
    assert (rewards.location, rewards.location_type, rewards.location_start) == (
        "59",
        LocationType.PAGE,
        59,
    )
    assert rewards.highlighted_at == datetime(2016, 3, 2, tzinfo=UTC)
    assert (autonomy.notes, autonomy.kind) == (["Read this again"], Kind.HIGHLIGHT)
    assert {h.color for h in result.highlights} == {"yellow"}
    assert (mastery.chapter, mastery.location_start, mastery.highlighted_at) == (
        "Part Two",
        None,
        None,
    )
    assert [s.reason for s in result.skipped] == ["a bookmark"]


def test_the_html_export_reads_as_the_docx_does() -> None:
    html = play_books_html("Drive", "Daniel H. Pink", CHAPTERS)
    docx = parse_bytes(play_books_docx("Drive", "Daniel H. Pink", CHAPTERS))

    assert detect_format(html) == "play_books"
    result = parse_bytes(html.encode())
    assert [
        (h.text, h.notes, h.chapter, h.location, h.highlighted_at, h.book_title, h.color)
        for h in result.highlights
    ] == [
        (h.text, h.notes, h.chapter, h.location, h.highlighted_at, h.book_title, h.color)
        for h in docx.highlights
    ]


def test_a_docx_in_a_zip_is_read_as_play_books() -> None:
    docx = play_books_docx("Drive", "Daniel H. Pink", CHAPTERS)
    result = parse_bytes(zip_bytes({"Notes from Drive.docx": docx}))
    assert [(f.name, f.format, f.records) for f in result.files] == [
        ("Notes from Drive.docx", "play_books", 3)
    ]


def test_a_word_document_that_is_not_play_books_notes_is_refused() -> None:
    document = (
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Minutes</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    data = zip_bytes({"word/document.xml": document.encode()})
    with pytest.raises(ParseError, match="This Word document is not a Play Books notes document"):
        parse_bytes(data)


TAKEOUT = (
    json.dumps({"volume_info": {"title": "Drive", "authors": ["Daniel H. Pink"]}})
    + json.dumps(
        [
            {"excerpt": "Autonomy is the antidote.", "note_text": json.dumps({"note": "Again"})},
            {"excerpt": "Mastery is a mindset.", "note_text": ""},
            {"excerpt": "", "note_text": json.dumps({"note": "A thought of my own"})},
            {"excerpt": "", "note_text": ""},
        ]
    )
    + json.dumps({"reading_position": 0.5})
)


def test_the_takeout_json_gives_quotes_and_notes() -> None:
    assert play_books.looks_like(TAKEOUT)
    result = parse_bytes(TAKEOUT.encode())

    assert [(h.text, h.kind, h.notes, h.book_title, h.author) for h in result.highlights] == [
        ("Autonomy is the antidote.", Kind.HIGHLIGHT, ["Again"], "Drive", "Daniel H. Pink"),
        ("Mastery is a mindset.", Kind.HIGHLIGHT, [], "Drive", "Daniel H. Pink"),
        ("A thought of my own", Kind.NOTE, [], "Drive", "Daniel H. Pink"),
    ]


def test_a_cut_off_takeout_json_is_refused() -> None:
    with pytest.raises(ParseError, match="This JSON is cut off or damaged"):
        parse_bytes(TAKEOUT[:-20].encode(), format="play_books")
