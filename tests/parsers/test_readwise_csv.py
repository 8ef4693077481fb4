"""Readwise CSV export: every column, every convention, and nothing but ParseError escapes."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.parsers import parse_bytes, readwise_csv
from bot.parsers.decoding import decode_bytes
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "readwise_csv"
HEADER = (
    "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,"
    "Location Type,Location,Highlighted at,Document tags"
)
DEVOPS = "The DevOps Handbook"
DEVOPS_AUTHORS = "Gene Kim, Jez Humble, Patrick Debois, John Willis"
PART_ONE = "Part One: Flow"
PART_TWO = "2The Second Way: The Principles of Feedback"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def one_row(**cells: str) -> str:
    """A current-format export with a single row; unnamed cells are empty."""
    names = HEADER.split(",")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    writer.writerow([cells.get(name, "") for name in names])
    return buffer.getvalue()


def only(result: ParseResult) -> ParsedHighlight:
    assert len(result.highlights) == 1
    return result.highlights[0]


# The current export: worked out by hand from export_2024.csv, line by line.
EXPECTED_2024 = [
    ParsedHighlight(
        book_title=DEVOPS,
        author=DEVOPS_AUTHORS,
        text=(
            "Technology value stream: the process required to convert a business hypothesis "
            "into a technology-enabled service."
        ),
        location="1130",
        location_type=LocationType.LOCATION,
        location_start=1130,
        chapter=PART_ONE,
        chapter_level=1,
        color="yellow",
        highlighted_at=datetime(2020, 11, 26, 3, 28, 15, tzinfo=UTC),
        tags=["flow", "devops", "software"],
        favorite=True,
        line=3,
    ),
    ParsedHighlight(
        book_title=DEVOPS,
        author=DEVOPS_AUTHORS,
        text='The first way:\n"flow" from left to right.',
        location="1145",
        location_type=LocationType.LOCATION,
        location_start=1145,
        chapter=PART_ONE,
        chapter_level=1,
        color="blue",
        highlighted_at=datetime(2020, 11, 26, 3, 29, 1, 123456, tzinfo=UTC),
        tags=["principles", "lean", "devops"],
        notes=["Make work visible."],
        line=4,
    ),
    ParsedHighlight(
        book_title=DEVOPS,
        author=DEVOPS_AUTHORS,
        text="Limit work in process.\n\nKanban boards make the work visible.",
        location="1201",
        location_type=LocationType.LOCATION,
        location_start=1201,
        chapter=PART_ONE,
        chapter_level=1,
        color="yellow",
        highlighted_at=datetime(2020, 11, 26, 3, 30, tzinfo=UTC),
        tags=["devops", "kanban"],
        notes=["Joined on purpose."],
        discarded=True,
        line=6,
    ),
    ParsedHighlight(
        book_title=DEVOPS,
        author=DEVOPS_AUTHORS,
        text="Reduce batch sizes.",
        location="1210",
        location_type=LocationType.LOCATION,
        location_start=1210,
        chapter=PART_ONE,
        chapter_level=1,
        color="pink",
        tags=["devops"],
        line=7,
    ),
    ParsedHighlight(
        book_title=DEVOPS,
        author=DEVOPS_AUTHORS,
        text="Feedback loops must be fast.",
        location="2010",
        location_type=LocationType.LOCATION,
        location_start=2010,
        chapter=PART_TWO,
        chapter_level=2,
        tags=["devops"],
        notes=["First thought.", "Second thought,\nover two lines."],
        line=10,
    ),
    ParsedHighlight(
        book_title=DEVOPS,
        author=DEVOPS_AUTHORS,
        kind=Kind.NOTE,
        text="A lone note about the book.",
        location="17",
        location_type=LocationType.ORDER,
        location_start=17,
        chapter=PART_TWO,
        chapter_level=2,
        highlighted_at=datetime(2020, 11, 26, 3, 45, tzinfo=UTC),
        tags=["idea", "devops"],
        line=14,
    ),
    ParsedHighlight(
        book_title="Deep Work",
        author="Cal Newport",
        text="Clarity about what matters provides clarity about what does not.",
        location="112",
        location_type=LocationType.PAGE,
        location_start=112,
        color="orange",
        highlighted_at=datetime(2021, 1, 5, 18, 2, 11, tzinfo=UTC),
        tags=["deep work"],
        line=17,
    ),
    ParsedHighlight(
        book_title="Deep Work",
        author="Cal Newport",
        text="A quote on a roman page.",
        location="xii",
        location_type=LocationType.PAGE,
        highlighted_at=datetime(2021, 1, 5, 18, 5, tzinfo=UTC),
        line=18,
    ),
    ParsedHighlight(
        book_title="Deep Work",
        author="Cal Newport",
        text="Offsets come from articles.",
        location="4213",
        location_type=LocationType.OFFSET,
        location_start=4213,
        highlighted_at=datetime(2021, 1, 5, 18, 6, tzinfo=UTC),
        line=19,
    ),
    ParsedHighlight(
        book_title="Deep Work", author="Cal Newport", text="No location here.", line=20
    ),
    ParsedHighlight(
        book_title="Deep Work",
        author="Cal Newport",
        text="A separate group in another book.",
        location="200",
        location_type=LocationType.PAGE,
        location_start=200,
        line=21,
    ),
    ParsedHighlight(
        book_title=DEVOPS,
        author=DEVOPS_AUTHORS,
        text="Back to the first book.",
        location="2100",
        location_type=LocationType.LOCATION,
        location_start=2100,
        chapter=PART_TWO,
        chapter_level=2,
        highlighted_at=datetime(2020, 11, 26, 3, 50, tzinfo=UTC),
        tags=["devops"],
        line=22,
    ),
]
SKIPPED_2024 = [Skipped("row has neither a highlight nor a note", 15, DEVOPS)]


def test_current_export_with_document_tags() -> None:
    result = readwise_csv.parse(fixture_text("export_2024.csv"))
    assert result.format == "readwise_csv"
    assert result.highlights == EXPECTED_2024
    assert result.skipped == SKIPPED_2024


def test_2020_export_without_document_tags() -> None:
    result = readwise_csv.parse(fixture_text("export_2020.csv"))
    assert result.highlights == [
        ParsedHighlight(
            book_title="Whole Earth Catalog",
            author="Stewart Brand",
            text="Stay hungry, stay foolish.",
            location="52",
            location_type=LocationType.LOCATION,
            location_start=52,
            color="yellow",
            highlighted_at=datetime(2020, 3, 1, 10, 0, tzinfo=UTC),
            line=2,
        ),
        ParsedHighlight(
            book_title="Understanding Media",
            author="Marshall McLuhan",
            text="The medium is the message.",
            location="7",
            location_type=LocationType.PAGE,
            location_start=7,
            highlighted_at=datetime(2020, 3, 2, 11, 30, 45, 250000, tzinfo=UTC),
            notes=["Famous line."],
            favorite=True,
            line=3,
        ),
    ]
    assert result.skipped == []


def test_columns_are_matched_by_name_in_any_order() -> None:
    result = readwise_csv.parse(fixture_text("reordered.csv"))
    assert result.highlights == [
        ParsedHighlight(
            book_title="Thinking in Systems",
            text="A system is more than the sum of its parts.",
            location="11",
            location_type=LocationType.LOCATION,
            location_start=11,
            line=2,
        )
    ]


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="utf8-bom"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf16-bom"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-16-le"), id="utf16-le"),
    ],
)
def test_encodings_and_newlines_through_decode_bytes(encode: Callable[[str], bytes]) -> None:
    data = encode(fixture_text("export_2024.csv"))
    result = readwise_csv.parse(decode_bytes(data))
    assert result.highlights == EXPECTED_2024
    assert result.skipped == SKIPPED_2024


def test_upload_is_detected_as_readwise_csv() -> None:
    result = parse_bytes((FIXTURES / "export_2020.csv").read_bytes())
    assert result.format == "readwise_csv"
    assert [record.text for record in result.highlights] == [
        "Stay hungry, stay foolish.",
        "The medium is the message.",
    ]


def test_raw_crlf_and_bom_are_tolerated_without_decode_bytes() -> None:
    text = "\ufeff" + fixture_text("export_2024.csv").replace("\n", "\r\n")
    assert readwise_csv.looks_like(text)
    result = readwise_csv.parse(text)
    assert result.highlights == EXPECTED_2024
    assert result.skipped == SKIPPED_2024


def test_truncated_file_names_the_line_where_the_open_row_starts() -> None:
    with pytest.raises(ParseError) as caught:
        readwise_csv.parse(fixture_text("truncated.csv"))
    assert caught.value.line == 3
    assert str(caught.value) == (
        "The file ends inside a quoted field of this row; it seems to be cut short. (line 3)"
    )


def test_open_quote_swallowing_a_huge_field_is_a_parse_error() -> None:
    text = f'{HEADER}\nok,Book,,,,,,,,,\n"{"x" * 200_000}\n'
    with pytest.raises(ParseError) as caught:
        readwise_csv.parse(text)
    assert caught.value.line == 3


@pytest.mark.parametrize(
    ("text", "line", "fields"),
    [
        ('Highlight,Book Title,Note\n"Two\nlines",Book,\nToo,few\n', 4, 2),
        ("Highlight,Book Title,Note\nA,Book,\na,b,c,d\n", 3, 4),
        ("\n\nHighlight,Book Title,Note\nA,Book\n", 4, 2),
    ],
)
def test_row_with_the_wrong_number_of_fields(text: str, line: int, fields: int) -> None:
    with pytest.raises(ParseError) as caught:
        readwise_csv.parse(text)
    assert caught.value.line == line
    assert str(caught.value) == (
        f"This row has {fields} fields but the header has 3; the CSV file is damaged. (line {line})"
    )


@pytest.mark.parametrize(
    ("text", "column", "line"),
    [
        ("Highlight,Book Author\nquote,author\n", "Book Title", 1),
        ("\n\nBook Title,Note\nBook,note\n", "Highlight", 3),
    ],
)
def test_missing_required_column(text: str, column: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        readwise_csv.parse(text)
    assert str(caught.value) == (
        f"This is not a Readwise CSV export: the header has no '{column}' column. (line {line})"
    )


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff"])
def test_empty_text_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="^The file is empty.$"):
        readwise_csv.parse(text)


def test_header_only_gives_an_empty_result() -> None:
    assert readwise_csv.parse(HEADER + "\n") == ParseResult(format="readwise_csv")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-11-26 03:28:15+00:00", datetime(2020, 11, 26, 3, 28, 15, tzinfo=UTC)),
        ("2020-11-26 03:28:15.000250+00:00", datetime(2020, 11, 26, 3, 28, 15, 250, tzinfo=UTC)),
        (
            "2020-11-26 05:28:15+02:00",
            datetime(2020, 11, 26, 5, 28, 15, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2020-11-26 03:28:15", datetime(2020, 11, 26, 3, 28, 15, tzinfo=UTC)),
        ("", None),
        ("yesterday", None),
        ("2020-13-45 99:00:00+00:00", None),
    ],
)
def test_highlighted_at(raw: str, expected: datetime | None) -> None:
    cells = {"Highlight": "Q", "Book Title": "B", "Highlighted at": raw}
    record = only(readwise_csv.parse(one_row(**cells)))
    assert record.highlighted_at == expected
    assert record.highlighted_at is None or record.highlighted_at.tzinfo is not None


@pytest.mark.parametrize(
    ("kind", "location", "expected_type", "start"),
    [
        ("location", "744", LocationType.LOCATION, 744),
        ("page", "12", LocationType.PAGE, 12),
        ("Page", "xii", LocationType.PAGE, None),
        ("order", "3", LocationType.ORDER, 3),
        ("offset", "98765", LocationType.OFFSET, 98765),
        ("", "744", None, 744),
        ("chapter", "744", None, 744),
        ("location", "744-745", LocationType.LOCATION, None),
        ("location", "9" * 5000, LocationType.LOCATION, None),
        ("location", "", None, None),
    ],
)
def test_location(
    kind: str, location: str, expected_type: LocationType | None, start: int | None
) -> None:
    cells = {"Book Title": "B", "Location Type": kind, "Location": location}
    record = only(readwise_csv.parse(one_row(Highlight="Q", **cells)))
    assert record.location == (location or None)
    assert record.location_type == expected_type
    assert record.location_start == start


@pytest.mark.parametrize(
    ("raw", "expected"), [("Yellow", "yellow"), (" blue ", "blue"), ("", None)]
)
def test_color(raw: str, expected: str | None) -> None:
    record = only(readwise_csv.parse(one_row(Highlight="Q", Color=raw, **{"Book Title": "B"})))
    assert record.color == expected


def test_tags_note_tags_and_document_tags_merge_in_order_with_flags_taken_out() -> None:
    text = one_row(
        Highlight="Q",
        Note=".favorite .Deep  Focus matters.",
        Tags="#Focus, discard, focus",
        **{"Book Title": "B", "Document tags": "Productivity, deep"},
    )
    record = only(readwise_csv.parse(text))
    assert record.tags == ["focus", "deep", "productivity"]
    assert record.favorite is True
    assert record.discarded is True
    assert record.notes == ["Focus matters."]


@pytest.mark.parametrize(
    ("note", "notes"),
    [
        ("One\n---\nTwo\n---\nThree", ["One", "Two", "Three"]),
        ("One\r\n  ---  \r\nTwo", ["One", "Two"]),
        ("---\nOnly\n---\n", ["Only"]),
        ("a---b\n--\nc", ["a---b\n--\nc"]),
        ("   ", []),
    ],
)
def test_note_cell_splits_on_separator_lines(note: str, notes: list[str]) -> None:
    record = only(readwise_csv.parse(one_row(Highlight="Q", Note=note, **{"Book Title": "B"})))
    assert record.notes == notes


def test_lone_note_keeps_tags_and_location() -> None:
    text = one_row(Note=".Idea Read this again.", Location="40", **{"Book Title": "B"})
    record = only(readwise_csv.parse(text))
    assert record.kind == Kind.NOTE
    assert record.text == "Read this again."
    assert record.notes == []
    assert record.tags == ["idea"]
    assert record.location == "40"


def test_row_with_only_action_tags_and_no_highlight_is_skipped() -> None:
    result = readwise_csv.parse(one_row(Note=".idea .c2", **{"Book Title": "B"}))
    assert result.highlights == []
    assert result.skipped == [Skipped("row has neither a highlight nor a note", 2, "B")]


def test_heading_is_context_not_a_highlight_and_whitespace_is_collapsed() -> None:
    text = (
        "Highlight,Book Title,Note\n"
        '"Chapter\n  One",B,.H3\n'
        "Quote,B,\n"
        "Other book quote,C,\n"
        "Newer heading,B,.h1 .ignored\n"
        "Quote two,B,\n"
    )
    result = readwise_csv.parse(text)
    assert [(r.text, r.chapter, r.line) for r in result.highlights] == [
        ("Quote", "Chapter One", 4),
        ("Other book quote", None, 5),
        ("Quote two", "Newer heading", 7),
    ]
    assert result.skipped == []


def test_concat_chains_follow_readwise_per_book() -> None:
    # .c1 opens a chain and .c2, .c3... continue it (Readwise's action-tag documentation).
    text = (
        "Highlight,Book Title,Book Author,Note,Location\n"
        "A1,B,X,.c1,10\n"
        "A2,B,X,.c2 first of two,11\n"
        "Other,B,Y,.c1,12\n"
        "A3,B,X,.c1 closing,13\n"
        "A4,B,X,.C2,14\n"
    )
    result = readwise_csv.parse(text)
    assert [(r.text, r.author, r.location, r.notes, r.line) for r in result.highlights] == [
        ("A1\n\nA2", "X", "10", ["first of two"], 2),
        ("Other", "Y", "12", [], 4),
        ("A3\n\nA4", "X", "13", ["closing"], 5),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEADER + "\n", True),
        ("\ufeff\n\n  " + HEADER + "\r\nx", True),
        ('"Highlight","Book Title"\n', True),
        ("Book Title,Highlight,Location\n", True),
        ("Highlight,Book Author\n", False),
        ("Highlights from a book, titled\nHighlight,Book Title\n", False),
        ("Deep Work (Cal Newport)\n- Your Highlight on page 3 | Added on Monday\n", False),
        ("<div class='noteHeading'>Highlight</div>", False),
        ("", False),
        ('"unclosed,Highlight,Book Title', False),
    ],
)
def test_looks_like(text: str, expected: bool) -> None:
    assert readwise_csv.looks_like(text) is expected


def test_fixtures_are_recognised() -> None:
    for name in ("export_2024.csv", "export_2020.csv", "reordered.csv", "truncated.csv"):
        assert readwise_csv.looks_like(fixture_text(name)), name


def parse_or_parse_error(text: str) -> None:
    try:
        result = readwise_csv.parse(text)
    except ParseError as error:
        assert str(error)
        return
    assert isinstance(result, ParseResult)
    for record in result.highlights:
        assert record.text
        assert record.highlighted_at is None or record.highlighted_at.tzinfo is not None
        assert "favorite" not in record.tags
        assert "discard" not in record.tags


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_raises_only_parse_error(text: str) -> None:
    readwise_csv.looks_like(text)
    parse_or_parse_error(text)


FRAGMENTS = st.sampled_from(
    [
        "",
        " ",
        '"',
        '""',
        ",",
        "\n",
        "\r\n",
        "\r",
        "\ufeff",
        ".h1",
        ".c1",
        ".c2 note",
        ".favorite",
        ".tag rest",
        "\n---\n",
        "favorite, discard",
        "location",
        "page",
        "order",
        "offset",
        "744",
        "9" * 30,
        "xii",
        "2020-11-26 03:28:15+00:00",
        "2020-11-26 03:28:15.123456+00:00",
        "2020-02-30",
        "Highlight",
        "Book Title",
    ]
)
CELL = st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=4).map("".join)
COLUMNS = HEADER.split(",")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=st.lists(st.sampled_from([*COLUMNS, "Extra"]), min_size=1, max_size=12),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=13), max_size=8),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_random_csv_rows_raise_only_parse_error(
    columns: list[str], rows: list[list[str]], cut: int | None
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    text = buffer.getvalue()
    if cut is not None:
        text = text[: cut % (len(text) + 1)]
    readwise_csv.looks_like(text)
    parse_or_parse_error(text)


# No BOM: every parser drops U+FEFF wherever it stands (devices write it mid-file).
PLAIN = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="\ufeff"
    ),
    min_size=1,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PLAIN, PLAIN, st.text(max_size=20)), min_size=1, max_size=6))
def test_well_formed_rows_round_trip(rows: list[tuple[str, str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Highlight", "Book Title", "Tags"])
    for quote, title, tag_cell in rows:
        writer.writerow([quote, title, tag_cell])
    result = readwise_csv.parse(buffer.getvalue())
    assert [(r.text, r.book_title) for r in result.highlights] == [
        (quote, title) for quote, title, _ in rows
    ]
    assert result.skipped == []


def test_text_after_a_heading_is_the_chapter_note_and_the_level_is_kept() -> None:
    rows = [
        ["Book Five", "Meditations", "Marcus Aurelius", "", ".h3\n\nLife is short and fleeting."]
        + ["", "stoicism", "location", "40", "", ""],
        ["At dawn, when you have trouble getting out of bed.", "Meditations", "Marcus Aurelius"]
        + ["", "", "", "", "location", "42", "", ""],
    ]
    text = HEADER + "\n" + "".join(_csv_line(row) for row in rows)
    assert readwise_csv.parse(text).highlights == [
        ParsedHighlight(
            book_title="Meditations",
            author="Marcus Aurelius",
            kind=Kind.CHAPTER_NOTE,
            text="Life is short and fleeting.",
            location="40",
            location_type=LocationType.LOCATION,
            location_start=40,
            chapter="Book Five",
            chapter_level=3,
            tags=["stoicism"],
            line=2,
        ),
        ParsedHighlight(
            book_title="Meditations",
            author="Marcus Aurelius",
            text="At dawn, when you have trouble getting out of bed.",
            location="42",
            location_type=LocationType.LOCATION,
            location_start=42,
            chapter="Book Five",
            chapter_level=3,
            line=5,
        ),
    ]


def test_a_heading_row_without_a_highlight_closes_the_chapter() -> None:
    rows = [
        ["Book Five", "Meditations", "", "", ".h1", "", "", "", "", "", ""],
        ["In the chapter.", "Meditations", "", "", "", "", "", "", "", "", ""],
        ["", "Meditations", "", "", ".h1", "", "", "", "", "", ""],
        ["After it.", "Meditations", "", "", "", "", "", "", "", "", ""],
    ]
    result = readwise_csv.parse(HEADER + "\n" + "".join(_csv_line(row) for row in rows))
    assert [(r.text, r.chapter) for r in result.highlights] == [
        ("In the chapter.", "Book Five"),
        ("After it.", None),
    ]
    assert result.skipped == []


def _csv_line(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue()
