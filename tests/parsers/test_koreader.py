"""KOReader: the exporter's JSON and Markdown, and the sidecar in both layouts."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsers import detect_format, koreader_json, koreader_lua, koreader_markdown, parse_bytes
from bot.parsers.records import Kind, LocationType, ParseError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "koreader"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "format"),
    [
        ("book.json", koreader_json.NAME),
        ("documents.json", koreader_json.NAME),
        ("export.md", koreader_markdown.NAME),
        ("sidecar_annotations.lua", koreader_lua.NAME),
        ("sidecar_old.lua", koreader_lua.NAME),
        ("sidecar_mixed.lua", koreader_lua.NAME),
        ("sidecar_pdf.lua", koreader_lua.NAME),
        ("broken.lua", koreader_lua.NAME),
    ],
)
def test_each_file_is_detected_from_its_content(name: str, format: str) -> None:
    assert detect_format(fixture(name)) == format


def test_json_one_book() -> None:
    result = koreader_json.parse(fixture("book.json"))

    first, second, lone = result.highlights
    assert (first.book_title, first.author) == ("Meditations", "Marcus Aurelius; Gregory Hays")
    assert first.text == "You have power over your mind - not outside events."
    assert (first.location, first.location_type, first.location_start) == (
        "17",
        LocationType.PAGE,
        17,
    )
    assert (first.chapter, first.color) == ("Book Two", "yellow")
    assert first.highlighted_at == datetime(2024, 3, 4, 6, 55, 2, tzinfo=UTC)
    assert second.text == (
        "The impediment to action advances action.\nWhat stands in the way becomes the way."
    )
    # Readwise action tags in a note typed on the device, as for Kindle notes.
    assert (second.notes, second.tags, second.favorite) == (["on obstacles"], ["stoicism"], True)
    assert (lone.kind, lone.text, lone.notes) == (Kind.NOTE, "Read again before the trip.", [])
    assert [(s.reason, s.line) for s in result.skipped] == [("entry with no text", 3)]


def test_json_several_books() -> None:
    result = koreader_json.parse(fixture("documents.json"))

    assert [(h.book_title, h.author, h.location) for h in result.highlights] == [
        ("I Am Legend", "Richard Matheson", "98"),
        ("Dear John", "Nicholas Sparks", "194"),
        ("Dear John", "Nicholas Sparks", "273"),
    ]
    assert result.highlights[0].notes == ["blood first"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (fixture("truncated.json"), "The KOReader export stops in the middle: it was cut off."),
        ('{"entries": [1, }', "The KOReader export is not valid JSON"),
        ('{"documents": {"a": 1}}', "'documents' is not a list"),
        ('{"documents": [{"entries": 5}]}', "Book 1 of this KOReader export has no list"),
        ('["entries"]', "it has no list of entries"),
    ],
)
def test_damaged_json_is_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError) as error:
        koreader_json.parse(text)
    assert message in str(error.value)


def test_an_entry_that_is_not_an_object_is_skipped() -> None:
    result = koreader_json.parse('{"title": "T", "entries": [1, {"text": "a", "page": "7"}]}')

    assert [(h.text, h.location) for h in result.highlights] == [("a", "7")]
    assert [(s.reason, s.line) for s in result.skipped] == [("entry that is not an object", 1)]


def test_a_cut_off_export_is_refused_the_way_users_see_it() -> None:
    with pytest.raises(ParseError, match="cut off"):
        parse_bytes((FIXTURES / "truncated.json").read_bytes())


def test_markdown_export() -> None:
    result = koreader_markdown.parse(fixture("export.md"))

    texts = [(h.chapter, h.location, h.text, h.notes) for h in result.highlights]
    assert texts == [
        ("Book Two", "17", "You have power over your mind - not outside events.", []),
        (
            "Book Two",
            "18",
            "Loss is nothing else but change,\nand change is Nature's delight.",
            ["Compare with Heraclitus."],
        ),
        ("Book Five", "61", "The impediment to action advances action.", ["on obstacles"]),
        (
            "Book Five",
            "62",
            "*Waste no more time* arguing what a good man should be. *Be one.*",
            [],
        ),
    ]
    first = result.highlights[0]
    assert (first.book_title, first.author) == ("Meditations", "Marcus Aurelius, Gregory Hays")
    assert first.highlighted_at == datetime(2024, 3, 4, 9, 15, 2, tzinfo=UTC)
    assert result.highlights[2].highlighted_at == datetime(2024, 3, 5, 19, 0, tzinfo=UTC)
    assert result.highlights[2].tags == ["stoicism"]


def test_sidecar_new_layout() -> None:
    result = koreader_lua.parse(fixture("sidecar_annotations.lua"))

    first, second = result.highlights
    assert (first.book_title, first.author) == ("Meditations", "Marcus Aurelius; Gregory Hays")
    assert (first.location, first.chapter, first.color) == ("17", "Book Two", "yellow")
    assert first.highlighted_at == datetime(2024, 3, 4, 9, 15, 2, tzinfo=UTC)
    # `\` before a newline, `\9` and UTF-8 written as `\226\128\148` are Lua escapes.
    assert second.text == (
        "The impediment to action advances action.\nWhat stands in the way becomes the way."
        "\t— Book V"
    )
    assert second.notes == ['Said to "himself",\nevery morning.']
    assert [(s.reason, s.line) for s in result.skipped] == [("bookmark", 3)]


def test_sidecar_old_layout_reads_passage_and_note_the_right_way_round() -> None:
    result = koreader_lua.parse(fixture("sidecar_old.lua"))

    assert [(h.location, h.text, h.notes) for h in result.highlights] == [
        # Sorted by page; KOReader's "Page 13 Oceania @ …" is no note.
        ("13", "Oceania", []),
        # The bookmark's `notes` is the passage, its `text` the reader's note.
        ("251", "but felt that he had a right to", ["he never says why"]),
    ]
    assert result.highlights[1].chapter == "Chapter 4"
    assert [s.reason for s in result.skipped] == ["bookmark"]


def test_sidecar_with_both_layouts_counts_each_highlight_once() -> None:
    result = koreader_lua.parse(fixture("sidecar_mixed.lua"))

    assert [(h.location, h.text, h.notes) for h in result.highlights] == [
        ("13", "Oceania", ["the superstate"]),
        ("20", "War is peace.", []),
    ]


def test_a_pdf_sidecar_matches_its_tables_by_date_and_passage() -> None:
    # In PDFs the positions are {page, x, y} tables; the highlight is the bookmark's too.
    result = koreader_lua.parse(fixture("sidecar_pdf.lua"))

    [highlight] = result.highlights
    assert (highlight.book_title, highlight.author, highlight.location) == ("Kerenyi", "", "244")
    assert highlight.notes == ["tendencies or realities?"]


def test_a_sidecar_without_a_title_files_its_highlights_under_untitled() -> None:
    result = koreader_lua.parse('return { ["highlight"] = { [3] = { { ["text"] = "Hi" } } } }')

    assert [(h.book_title, h.text, h.location) for h in result.highlights] == [
        ("Untitled", "Hi", "3")
    ]
    assert result.notices == [
        "The sidecar names no title: its highlights are filed under 'Untitled'."
    ]


def test_publisher_pages_and_a_title_from_the_books_path() -> None:
    result = koreader_lua.parse(
        'return { ["doc_path"] = "/mnt/onboard/Books/Marcus Aurelius - Meditations.epub",'
        ' ["stats"] = { ["authors"] = "N/A" }, ["annotations"] = {'
        ' { ["drawer"] = "lighten", ["text"] = "A", ["pageno"] = 3, ["pageref"] = "xii" },'
        ' { ["drawer"] = "lighten", ["text"] = "B", ["pageno"] = 9, ["pageref"] = "14" },'
        ' { ["text"] = "Page bookmark", ["pageno"] = 20 },'
        ' { ["text"] = "Page 21", ["note"] = "Come back here.", ["pageno"] = 21 } } }'
    )

    assert [(h.book_title, h.author, h.text, h.location) for h in result.highlights] == [
        ("Marcus Aurelius - Meditations", "", "A", "xii"),
        ("Marcus Aurelius - Meditations", "", "B", "14"),
        # A note the reader wrote on a page bookmark is kept, as a note of its own.
        ("Marcus Aurelius - Meditations", "", "Come back here.", "21"),
    ]
    assert result.highlights[2].kind is Kind.NOTE
    assert [(s.reason, s.line) for s in result.skipped] == [("bookmark", 3)]
    assert result.notices == []


def test_a_sidecar_with_no_highlights_says_so() -> None:
    result = koreader_lua.parse('return { ["annotations"] = {}, ["doc_props"] = {} }')

    assert (result.highlights, result.notices) == (
        [],
        ["The sidecar holds no highlights: KOReader saved none for it."],
    )


def test_lua_that_is_not_a_literal_is_refused_and_never_run() -> None:
    with pytest.raises(ParseError) as error:
        koreader_lua.parse(fixture("broken.lua"))
    assert str(error.value) == (
        "This KOReader sidecar is not a Lua table KOReader writes: Unexpected "
        "'os.execute(\"true\"),' where a value should be (line 3)"
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_sidecar_text_is_read_or_refused(tail: str) -> None:
    with contextlib.suppress(ParseError):
        koreader_lua.parse('return { ["annotations"] = ' + tail)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(["entries", "documents", "text", "note", "page", "time", "title"]),
                c,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_any_json_document_is_read_or_refused(document: object) -> None:
    with contextlib.suppress(ParseError):
        koreader_json.parse(json.dumps(document))
