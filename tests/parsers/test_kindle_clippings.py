"""Kindle ``My Clippings.txt``: every device language and every trap in docs/formats.md."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsers import kindle_clippings, parse_bytes
from bot.parsers._kindle_grammars import _GRAMMARS, DetailsReader
from bot.parsers._kindle_meta import parse_added, read_by_keywords, split_title
from bot.parsers.decoding import decode_bytes
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)
from bot.parsers.spacing import single_spaced

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kindle"
SEPARATOR = "=========="
DETAILS_CUT = (
    "Walden (Thoreau, Henry David)\n- Your Highlight on page 91 | Location 1210-1212 | Added"
)


def fixture_text(name: str) -> str:
    """A fixture as the raw text of the file, BOMs and all (no decode_bytes)."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def parse_fixture(name: str) -> tuple[list[ParsedHighlight], list[Skipped]]:
    result = kindle_clippings.parse(decode_bytes((FIXTURES / name).read_bytes()))
    assert result.format == "kindle_clippings"
    return result.highlights, result.skipped


def at(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def highlight(
    title: str,
    author: str,
    text: str,
    location: str,
    added: datetime | None,
    *,
    line: int,
    notes: tuple[str, ...] = (),
    page: bool = False,
    kind: Kind = Kind.HIGHLIGHT,
) -> ParsedHighlight:
    """The record expected for a clipping; location_start is worked out from ``location``."""
    first = location.split("-")[0]
    return ParsedHighlight(
        book_title=title,
        text=text,
        author=author,
        kind=kind,
        location=location,
        location_type=LocationType.PAGE if page else LocationType.LOCATION,
        location_start=int(first) if first.isdecimal() else None,
        highlighted_at=added,
        notes=list(notes),
        line=line,
    )


def skipped_lines(skipped: list[Skipped]) -> list[tuple[int, str | None]]:
    return [(s.line, s.book_title) for s in skipped]


# One fixture per device language, written with the exact details lines of docs/formats.md:
# a highlight, a note on its range end (line 6) and a bookmark (line 11).
LANGUAGES = {
    "en.txt": [
        highlight(
            "The Pragmatic Programmer",
            "Hunt, Andrew; Thomas, David",
            "Care about your craft.",
            "1375-1376",
            at(2024, 8, 22, 19, 1, 4),
            line=1,
            notes=("Motto for the team wiki",),
        )
    ],
    "en_gb.txt": [
        highlight(
            "Middlemarch",
            "Eliot, George",
            "It is a narrow mind which cannot look at a subject from various points of view.",
            "1398-1399",
            at(2024, 8, 22, 19, 4, 38),
            line=1,
            notes=("Dorothea, chapter 7",),
        )
    ],
    "de.txt": [
        highlight(
            "Der Process",
            "Kafka, Franz",
            "Jemand mußte Josef K. verleumdet haben, denn ohne daß er etwas Böses getan hätte, "
            "wurde er eines Morgens verhaftet.",
            "1291",
            at(2024, 8, 22, 18, 10, 53),
            line=1,
            notes=("Berühmter erster Satz",),
        ),
        highlight(
            "Das Schloß",
            "Kafka, Franz",
            "Es war spät abends, als K. ankam.",
            "258-259",
            at(2013, 1, 5, 9, 14, 27),
            line=16,
        ),
    ],
    "es.txt": [
        highlight(
            "Cien años de soledad (Spanish Edition)",
            "García Márquez, Gabriel",
            "Muchos años después, frente al pelotón de fusilamiento, el coronel Aureliano "
            "Buendía había de recordar aquella tarde remota.",
            "1300-1301",
            at(2024, 8, 22, 18, 16, 14),
            line=1,
            notes=("El hielo",),
        ),
        highlight(
            "Rayuela",
            "Cortázar, Julio",
            "¿Encontraría a la Maga?",
            "845-846",
            at(2015, 3, 3, 22, 41, 9),
            line=16,
        ),
    ],
    "fr.txt": [
        highlight(
            "L'Étranger",
            "Camus, Albert",
            "Aujourd'hui, maman est morte. Ou peut-être hier, je ne sais pas.",
            "1309",
            at(2024, 8, 22, 18, 19, 40),
            line=1,
            notes=("Incipit",),
        )
    ],
    "it.txt": [
        highlight(
            "Il nome della rosa",
            "Eco, Umberto",
            "Stat rosa pristina nomine, nomina nuda tenemus.",
            "1315",
            at(2024, 8, 22, 18, 23, 12),
            line=1,
            notes=("Il titolo!",),
        )
    ],
    "ja.txt": [
        highlight(
            "吾輩は猫である",
            "夏目 漱石",
            "吾輩は猫である。名前はまだ無い。",
            "1323-1325",
            at(2024, 8, 22, 18, 27, 17),
            line=1,
            notes=("有名な書き出し",),
        )
    ],
    "nl.txt": [
        highlight(
            "De avonden",
            "Reve, Gerard",
            "Het was nog donker, toen in de vroegte van de tweeëntwintigste december 1946 in "
            "onze stad.",
            "1332-1333",
            at(2024, 8, 22, 18, 30, 26),
            line=1,
            notes=("Openingszin",),
        )
    ],
    "pt_br.txt": [
        highlight(
            "Dom Casmurro",
            "Machado de Assis",
            "Capitu, apesar daqueles olhos que o Diabo lhe deu.",
            "1342-1343",
            at(2024, 8, 22, 18, 51, 2),
            line=1,
            notes=("Olhos de ressaca",),
        )
    ],
    "ru.txt": [
        highlight(
            "Мастер и Маргарита",
            "Булгаков Михаил",
            "Рукописи не горят.",
            "1349-1350",
            at(2024, 8, 22, 18, 54, 6),
            line=1,
            notes=("Воланд",),
        )
    ],
    "zh.txt": [
        highlight(
            "活着",
            "余华",
            "人是为活着本身而活着的，而不是为了活着之外的任何事物所活着。",
            "1366-1367",
            at(2024, 8, 22, 18, 57, 47),
            line=1,
            notes=("全书主旨",),
        ),
        highlight(
            "活着",
            "余华",
            "少年去游荡，中年想掘藏，老年做和尚。",
            "2543-2544",
            at(2024, 8, 23, 9, 5, 11),
            line=16,
        ),
        # `- 您在位置 #2601-2602的标注` with no date at all: kept, undated.
        highlight("活着", "余华", "没有日期的标注。", "2601-2602", None, line=21),
    ],
}


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_every_device_language_reads_highlights_notes_and_dates(name: str) -> None:
    highlights, skipped = parse_fixture(name)
    assert highlights == LANGUAGES[name]
    assert skipped_lines(skipped) == [(11, LANGUAGES[name][0].book_title)]
    assert "bookmark" in skipped[0].reason


def all_fixture_names() -> list[str]:
    return sorted(path.name for path in FIXTURES.iterdir())


@pytest.mark.parametrize("name", all_fixture_names())
def test_looks_like_every_fixture(name: str) -> None:
    assert kindle_clippings.looks_like(decode_bytes((FIXTURES / name).read_bytes()))


@pytest.mark.parametrize(
    "text",
    [
        "The DevOps Handbook\n\nTable of Contents\n\nA quote. (Location 491)\n",
        "Title (Author)\n\n- Your Highlight on page 1 | Location 1 | Added on x\n\ntext\n",
        "Title (Author)\n- not a details line\n\ntext\n",
        f"Minutes\n{SEPARATOR}\nAgenda\n- item one\n{SEPARATOR}\n",
        "",
    ],
    ids=["no-separator-blank", "no-separator-no-details", "csv", "separators-only", "empty"],
)
def test_looks_like_rejects_other_text(text: str) -> None:
    assert not kindle_clippings.looks_like(text)


def test_old_devices_abbreviated_ranges_page_only_and_roman_pages() -> None:
    highlights, skipped = parse_fixture("old_devices.txt")
    book, author = "Moby-Dick", "Melville, Herman"
    assert highlights == [
        highlight(
            book,
            author,
            "Call me Ishmael.",
            "466-469",
            at(2012, 4, 30, 21, 35),
            line=1,
            notes=("Opening line",),
        ),
        highlight(
            book,
            author,
            "It is not down in any map; true places never are.",
            "1203-1207",
            at(2012, 5, 1, 8, 15),
            line=11,
        ),
        highlight(
            book,
            author,
            "A highlight in a PDF, which has pages but no locations.",
            "12",
            at(2012, 5, 1, 12, 5),
            line=16,
            notes=("Note on the PDF page",),
            page=True,
        ),
        highlight(
            book,
            author,
            "A preface page numbered in roman.",
            "xii",
            at(2012, 5, 1, 0, 30),
            line=26,
            page=True,
        ),
    ]
    assert skipped_lines(skipped) == [(31, book)]


def test_bom_at_file_start_and_before_titles_mid_file() -> None:
    raw = fixture_text("bom.txt")
    assert raw.count("\ufeff") == 3  # The fixture really has them; decode_bytes would drop them.
    expected = [
        highlight(
            "The Left Hand of Darkness",
            "Le Guin, Ursula K.",
            "Truth is a matter of the imagination.",
            "40-41",
            at(2024, 3, 3, 8, 15),
            line=1,
            notes=("Opening line",),
        ),
        highlight(
            "The Dispossessed",
            "Le Guin, Ursula K.",
            "You cannot buy the revolution.",
            "90-92",
            at(2024, 3, 3, 21, 0),
            line=11,
        ),
    ]
    assert kindle_clippings.parse(raw).highlights == expected
    assert parse_fixture("bom.txt")[0] == expected


def test_crlf_through_decode_bytes_and_raw() -> None:
    expected = [
        highlight(
            "Dune",
            "Herbert, Frank",
            "I must not fear. Fear is the mind-killer.",
            "101-102",
            at(2024, 2, 3, 23, 45, 10),
            line=1,
            notes=("Litany against fear",),
        )
    ]
    raw = (FIXTURES / "crlf.txt").read_bytes()
    assert b"\r\n" in raw
    assert parse_fixture("crlf.txt")[0] == expected
    assert kindle_clippings.parse(raw.decode("utf-8")).highlights == expected


def test_utf16_with_bom() -> None:
    assert (FIXTURES / "utf16.txt").read_bytes().startswith(b"\xff\xfe")
    assert parse_fixture("utf16.txt")[0] == [
        highlight(
            "Cien años de soledad (Spanish Edition)",
            "García Márquez, Gabriel",
            "Macondo era entonces una aldea de veinte casas de barro y cañabrava.",
            "1300-1301",
            at(2024, 8, 22, 18, 16, 14),
            line=1,
        )
    ]


def test_cp1252_legacy_bytes() -> None:
    assert parse_fixture("cp1252.txt")[0] == [
        highlight(
            "Café Society",
            "Smith, Zoë",
            "\u201cNaïve,\u201d she said \u2014 and ordered another café.",
            "1203-1207",
            at(2012, 5, 1, 8, 15),
            line=1,
        )
    ]


def test_notes_before_after_shared_lone_and_nearest_highlight() -> None:
    highlights, skipped = parse_fixture("notes.txt")
    book, author = "Thinking, Fast and Slow", "Kahneman, Daniel"
    assert highlights == [
        highlight(
            book,
            author,
            "Nothing in life is as important as you think it is, while you are thinking about it.",
            "298-300",
            at(2024, 3, 4, 21, 0, 30),
            line=6,
            # Before and after the highlight, in file order; the re-spaced repeat is dropped.
            notes=("Written before the highlight", "Focusing illusion", "See also chapter 38"),
        ),
        highlight(
            book,
            author,
            "A note with no highlight",
            "455",
            at(2024, 3, 4, 21, 10),
            line=26,
            kind=Kind.NOTE,
        ),
        highlight(
            "Other Book",
            "Someone",
            "Same location, different book",
            "300",
            at(2024, 3, 4, 21, 11),
            line=31,
            kind=Kind.NOTE,
        ),
        highlight(
            book,
            author,
            "System 1 operates automatically and quickly.",
            "600-604",
            at(2024, 3, 4, 21, 20),
            line=36,
            notes=("Fast thinking",),
        ),
        highlight(
            book,
            author,
            "quickly, with little or no effort",
            "602-604",
            at(2024, 3, 4, 21, 21),
            line=46,
            notes=("Effortless",),
        ),
    ]
    assert skipped == []


def test_edited_highlight_keeps_the_later_version_with_notes_on_both_ranges() -> None:
    highlights, _ = parse_fixture("edits.txt")
    book, author = "Sapiens", "Harari, Yuval Noah"
    assert highlights == [
        highlight(
            book, author, "A highlight nobody edited.", "310-312", at(2024, 6, 7, 22, 1), line=11
        ),
        highlight(
            book,
            author,
            "Culture tends to argue that it forbids only that which is unnatural.",
            "280-286",
            at(2024, 6, 7, 22, 2),
            line=16,
            notes=("Made before the edit", "Made after the edit"),
        ),
    ]


def test_identical_repeats_are_one_highlight_with_merged_notes() -> None:
    highlights, _ = parse_fixture("repeats.txt")
    text = "You have power over your mind - not outside events."
    assert highlights == [
        highlight(
            "Meditations",
            "Marcus Aurelius",
            text,
            "700-701",
            at(2024, 1, 8, 7, 0),
            line=1,
            notes=("Stoic core", "Reread in March", "Quoted again in book 9"),
        ),
        # Same words in another book are another highlight.
        highlight(
            "Meditations (Hays translation)",
            "Marcus Aurelius",
            text,
            "700-701",
            at(2024, 3, 12, 18, 40),
            line=37,
        ),
    ]


def test_placeholders_empty_clippings_and_bookmarks_are_skipped_with_reasons() -> None:
    highlights, skipped = parse_fixture("placeholders.txt")
    book = "The Publisher's Limit"
    assert highlights == [
        highlight(
            book, "Author, An", "First real highlight.", "150-152", at(2024, 5, 6, 20, 0), line=1
        )
    ]
    assert skipped_lines(skipped) == [(6, book), (11, book), (16, book), (21, book)]
    limit, empty_highlight, empty_note, bookmark = (s.reason for s in skipped)
    assert "clipping limit" in limit.replace("-", " ")
    assert "empty highlight" in empty_highlight
    assert "empty note" in empty_note
    assert "bookmark" in bookmark


def test_authors_in_last_parentheses() -> None:
    highlights, _ = parse_fixture("authors.txt")
    assert [(h.book_title, h.author, h.location) for h in highlights] == [
        ("Cien años de soledad (Spanish Edition)", "García Márquez, Gabriel", "10-11"),
        ("Untitled Document", "", "20-21"),
        ("Good Omens", "Pratchett, Terry; Gaiman, Neil", "30-31"),
        ("The Annotated Alice", "Carroll, Lewis (annotated by Martin Gardner)", "40-41"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Title (Spanish Edition) (Author)  ", ("Title (Spanish Edition)", "Author")),
        ("\ufeffNo Author Here   ", ("No Author Here", "")),
        ("Book (A;B ; C)", ("Book", "A; B; C")),
        ("Book (Doe, Jane)", ("Book", "Doe, Jane")),
        ("(Only Parentheses)", ("(Only Parentheses)", "")),
        ("Unbalanced (Author", ("Unbalanced (Author", "")),
    ],
)
def test_split_title(line: str, expected: tuple[str, str]) -> None:
    assert split_title(line) == expected


def test_unrecognised_details_line_is_skipped_naming_the_line() -> None:
    highlights, skipped = parse_fixture("unrecognised.txt")
    assert [(h.line, h.location) for h in highlights] == [(1, "1200-1201"), (11, "1210-1212")]
    assert skipped_lines(skipped) == [(6, "Walden")]
    assert "line 7" in skipped[0].reason
    assert "Deine Hervorhebung unbekannter Art" in skipped[0].reason


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("truncated_title.txt", 6),  # a record with a title and no details, mid-file
        ("truncated_details.txt", 6),  # a record that ends right after its details, mid-file
        ("truncated_mid_line.txt", 7),  # the file stops inside the last details line
        ("truncated_in_title.txt", 6),  # the file stops inside the last title line
        ("truncated_only_record.txt", 2),  # one record, cut off inside its details line
    ],
)
def test_truncated_files_raise_naming_the_line(name: str, line: int) -> None:
    with pytest.raises(ParseError, match="looks cut off") as error:
        parse_fixture(name)
    assert error.value.line == line
    assert f"(line {line})" in str(error.value)


def test_a_file_of_one_cut_off_record_is_refused_as_cut_off_not_as_unknown() -> None:
    data = (FIXTURES / "truncated_only_record.txt").read_bytes()
    with pytest.raises(ParseError, match="looks cut off.*details line") as error:
        parse_bytes(data)
    assert error.value.line == 2


@pytest.mark.parametrize(
    ("ending", "line"),
    [("Walden (Thoreau", 6), ("Walden (Thoreau, Henry David)\n", 6), (DETAILS_CUT, 7)],
    ids=["title", "title-then-newline", "details"],
)
def test_a_last_record_cut_off_in_its_title_or_details_is_refused(ending: str, line: int) -> None:
    whole = fixture_text("no_last_separator.txt").split(f"{SEPARATOR}\n")[0] + f"{SEPARATOR}\n"
    with pytest.raises(ParseError, match="looks cut off") as error:
        kindle_clippings.parse(whole + ending)
    assert error.value.line == line


@pytest.mark.parametrize("name", ["no_last_separator.txt", "truncated_end.txt"])
def test_a_missing_last_separator_keeps_every_record_and_says_so(name: str) -> None:
    # A text that was cut off looks like a shorter text: a whole last record with no
    # separator after it is read as it stands, and the report says the separator is missing.
    result = kindle_clippings.parse(decode_bytes((FIXTURES / name).read_bytes()))
    assert [(h.line, h.location) for h in result.highlights] == [(1, "1200-1201"), (6, "1210-1212")]
    [notice] = result.notices
    assert "'=========='" in notice
    assert "line 6" in notice
    assert "missing" in notice


def test_a_last_bookmark_with_no_separator_is_whole() -> None:
    text = (
        "Walden (Thoreau, Henry David)\n"
        "- Your Bookmark on page 9 | Location 120 | Added on Monday, May 6, 2024 9:00:00 AM\n"
    )
    result = kindle_clippings.parse(text)
    assert result.highlights == []
    assert [s.line for s in result.skipped] == [1]
    assert len(result.notices) == 1


def test_a_closed_file_has_no_notices() -> None:
    assert kindle_clippings.parse(fixture_text("en.txt")).notices == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\n",
        "Just a note to self.\nNothing Kindle about it.\n",
        f"Minutes\n{SEPARATOR}\nAgenda\n- item one\n\nbody\n{SEPARATOR}\n",
    ],
    ids=["empty", "blank", "no-separator", "no-details-line"],
)
def test_files_without_any_kindle_record_raise(text: str) -> None:
    with pytest.raises(ParseError) as error:
        kindle_clippings.parse(text)
    assert error.value.line is None


def test_separator_tolerances_and_single_locations() -> None:
    details = "- Your Highlight Location 1375 | Added on Thursday, August 22, 2024 7:01:04 PM"
    text = f"{SEPARATOR}\n\n{SEPARATOR}  \nBook\n{details}\n\nA single location.\n{SEPARATOR}\t\n"
    assert kindle_clippings.parse(text).highlights == [
        highlight("Book", "", "A single location.", "1375", at(2024, 8, 22, 19, 1, 4), line=4)
    ]


def test_unreadable_date_keeps_the_highlight() -> None:
    details = "- Your Highlight on page 3 | Location 40-41 | Added on Sunday, Smarch 40, 20x4 25:61"
    text = f"Book (Author)\n{details}\n\nStill here.\n{SEPARATOR}\n"
    assert kindle_clippings.parse(text).highlights == [
        highlight("Book", "Author", "Still here.", "40-41", None, line=1)
    ]


def test_range_end_that_cannot_be_expanded_keeps_the_start() -> None:
    details = "- Highlight Loc. 1998-2  | Added on Monday, April 30, 2012, 09:35 PM"
    text = f"Book\n{details}\n\nText.\n{SEPARATOR}\n"
    assert kindle_clippings.parse(text).highlights[0].location == "1998"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Added on Thursday, August 22, 2024 7:01:04 PM", at(2024, 8, 22, 19, 1, 4)),
        ("Added on Monday, April 30, 2012, 12:35 AM", at(2012, 4, 30, 0, 35)),
        ("Added on Thursday, 22 August 2024 19:04:38", at(2024, 8, 22, 19, 4, 38)),
        ("Hinzugefügt am Donnerstag, 22. August 2024 18:10:53", at(2024, 8, 22, 18, 10, 53)),
        ("Añadido el jueves, 22 de agosto de 2024 18:16:14", at(2024, 8, 22, 18, 16, 14)),
        ("Ajouté le jeudi 22 août 2024 18:19:40", at(2024, 8, 22, 18, 19, 40)),
        ("Aggiunto in data giovedì 22 agosto 2024 18:23:12", at(2024, 8, 22, 18, 23, 12)),
        ("作成日: 2024年8月22日木曜日 18:27:17", at(2024, 8, 22, 18, 27, 17)),
        ("Toegevoegd op donderdag 22 augustus 2024 18:30:26", at(2024, 8, 22, 18, 30, 26)),
        ("Adicionado: quinta-feira, 22 de agosto de 2024 18:51:02", at(2024, 8, 22, 18, 51, 2)),
        ("Добавлено: четверг, 22 августа 2024 г. в 18:54:06", at(2024, 8, 22, 18, 54, 6)),
        ("添加于 2024年8月22日星期四 下午6:57:47", at(2024, 8, 22, 18, 57, 47)),
        ("添加于 2024年8月22日星期四上午12:57:47", at(2024, 8, 22, 0, 57, 47)),
        ("Added on Thursday, February 30, 2024 7:01:04 PM", None),
        ("Added on someday", None),
    ],
)
def test_parse_added_in_every_language(text: str, expected: datetime | None) -> None:
    assert parse_added(text) == expected


def details_lines() -> Iterator[str]:
    """Every details line in the fixtures (the line after each title)."""
    for name in all_fixture_names():
        text = decode_bytes((FIXTURES / name).read_bytes())
        for record in text.split(f"{SEPARATOR}\n"):
            lines = record.lstrip("\n").split("\n")
            if len(lines) > 1 and lines[1].startswith(("-", "\u2013")):
                yield lines[1]


@pytest.mark.parametrize("line", sorted(set(details_lines())))
def test_language_grammars_agree_with_the_keyword_reader(line: str) -> None:
    assert DetailsReader().read(line) == read_by_keywords(line)


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_formats_md_lines_take_the_fast_paths(name: str) -> None:
    text = "\n" + fixture_text(name)
    first_details = text.split("\n")[2]
    assert any(grammar.line.fullmatch(first_details) for grammar in _GRAMMARS)
    assert any(grammar.record.match(text) for grammar in _GRAMMARS)


@pytest.mark.parametrize(
    "name", [name for name in all_fixture_names() if not name.startswith("truncated")]
)
def test_whole_record_and_line_by_line_reading_agree(name: str) -> None:
    """Blank lines after each separator send every record down the line-by-line path."""
    text = decode_bytes((FIXTURES / name).read_bytes())
    spaced = "\n" + text.replace(f"{SEPARATOR}\n", f"{SEPARATOR}\n\n")
    fast, slow = kindle_clippings.parse(text), kindle_clippings.parse(spaced)
    lines = text.split("\n")
    assert [
        (spaced_line(lines, h.line), h.text, h.location, h.highlighted_at, h.notes)
        for h in fast.highlights
    ] == [(h.line, h.text, h.location, h.highlighted_at, h.notes) for h in slow.highlights]
    assert [(spaced_line(lines, s.line), s.book_title) for s in fast.skipped] == [
        (s.line, s.book_title) for s in slow.skipped
    ]


def spaced_line(lines: list[str], line: int) -> int:
    """Where ``line`` moves with one blank line on top and one after every separator above."""
    return line + 1 + lines[: line - 1].count(SEPARATOR)


def test_gc_state_is_restored() -> None:
    text = fixture_text("en.txt")
    assert gc.isenabled()
    kindle_clippings.parse(text)
    assert gc.isenabled()
    gc.disable()
    try:
        kindle_clippings.parse(text)
        assert not gc.isenabled()
    finally:
        gc.enable()


FRAGMENTS = [
    *(
        record + f"{SEPARATOR}\n"
        for name in ("en.txt", "old_devices.txt", "zh.txt", "ru.txt", "notes.txt")
        for record in fixture_text(name).split(f"{SEPARATOR}\n")
    ),
    f"{SEPARATOR}\n",
    f"{SEPARATOR}   \n",
    "Title (Spanish Edition) (Author)\n",
    "- Your Highlight on page 1 | Location 10-12 | Added on Thursday, August 22, 2024 7:01 PM\n",
    "- Your Note Location 12 | Added on Thursday, August 22, 2024 7:01:04 PM\n",
    "- Highlight Loc. 466-69  | Added on Monday, April 30, 2012, 09:35 PM\n",
    "- 您在位置 #2543-2544的标注\n",
    "<You have reached the clipping limit for this item>\n",
    "\n",
    "\ufeff",
    "\r\n",
    "\r",
    "text\n",
]


@settings(deadline=None)
@given(st.text())
def test_arbitrary_text_only_raises_parse_error(text: str) -> None:
    assert isinstance(kindle_clippings.looks_like(text), bool)
    try:
        result = kindle_clippings.parse(text)
    except ParseError:
        return
    assert isinstance(result, ParseResult)


@settings(deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40))
def test_fragment_soup_only_raises_parse_error(parts: list[str]) -> None:
    text = "".join(parts)
    assert isinstance(kindle_clippings.looks_like(text), bool)
    try:
        result = kindle_clippings.parse(text)
    except ParseError:
        return
    for item in result.highlights:
        assert item.text
        assert item.highlighted_at is None or item.highlighted_at.tzinfo is UTC


def test_two_different_passages_starting_at_one_location_are_both_kept() -> None:
    # Kindle locations are coarse: a later sentence can start in the same location. Only a
    # clip with the same first words is an edit of an earlier one.
    text = (
        "Walden (Thoreau, Henry David)\n"
        "- Your Highlight on page 9 | Location 120-121 | Added on Monday, May 6, 2024 9:00:00 AM\n"
        "\nI went to the woods because I wished to live deliberately.\n==========\n"
        "Walden (Thoreau, Henry David)\n"
        "- Your Highlight on page 9 | Location 120-122 | Added on Monday, May 6, 2024 9:05:00 AM\n"
        "\nTo front only the essential facts of life.\n==========\n"
        "Walden (Thoreau, Henry David)\n"
        "- Your Note on page 9 | Location 122 | Added on Monday, May 6, 2024 9:06:00 AM\n"
        "\nessential\n==========\n"
    )
    result = kindle_clippings.parse(text)
    assert [(h.text, h.location, h.notes) for h in result.highlights] == [
        ("I went to the woods because I wished to live deliberately.", "120-121", []),
        ("To front only the essential facts of life.", "120-122", ["essential"]),
    ]


_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


@given(st.text(alphabet=st.sampled_from("ab é\x01\x7f" + _SPACES)) | st.text())
def test_the_squash_check_agrees_with_the_squash(text: str) -> None:
    # single_spaced decides whether a clip's text is squashed before repeats are compared:
    # it may only say yes when squashing would change nothing (a no for other text only
    # costs a squash), and for ASCII text, nearly every clip, it says exactly that.
    text = text.strip()
    unchanged = " ".join(text.split()) == text
    if single_spaced(text):
        assert unchanged
    if text.isascii():
        assert single_spaced(text) == unchanged


def test_one_record_with_no_separator_looks_like_kindle() -> None:
    text = "Title (Author)\n- Your Highlight on page 1 | Location 1 | Added on x\n\ntext\n"
    assert kindle_clippings.looks_like(text)


def test_same_text_notes_at_different_places_are_different_notes() -> None:
    highlights, _ = parse_fixture("same_text_notes.txt")
    book, author = "The Field Guide to Small Birds", "Marsh, Edda"
    assert highlights == [
        highlight(
            book,
            author,
            "The wren sings loudest where the hedge is thickest.",
            "95-100",
            at(2024, 7, 3, 9, 0),
            line=1,
            notes=("V",),  # saved twice at location 100: one note
        ),
        highlight(
            book,
            author,
            "A robin will defend a garden against its own reflection.",
            "190-200",
            at(2024, 7, 3, 9, 10),
            line=11,
            notes=("V",),
        ),
        highlight(book, author, "C", "300", at(2024, 7, 3, 9, 20), line=21, kind=Kind.NOTE),
        highlight(book, author, "C", "400", at(2024, 7, 3, 9, 30), line=26, kind=Kind.NOTE),
    ]


def test_russian_location_only_and_page_only_records() -> None:
    highlights, skipped = parse_fixture("ru_location_only.txt")
    book, author = "Зимний сад", "Петрова Анна"
    assert highlights == [
        highlight(
            book,
            author,
            "Снег лежал на ветках яблонь до самого марта.",
            "637-640",
            at(2024, 7, 3, 10, 15),
            line=1,
            notes=("Про март",),
        ),
        highlight(
            book,
            author,
            "Страница без места: так пишет документ PDF.",
            "26",
            at(2024, 7, 3, 10, 20),
            line=11,
            notes=("Заметка на странице",),
            page=True,
        ),
    ]
    assert skipped_lines(skipped) == [(21, book)]


# Each device language's location-only and page-only details lines (older firmware omits the
# page; PDFs and personal documents have no locations), as a template for a kind word and a
# place: "{h}" is the highlight, "{n}" the note. Values: (highlight kind, note kind,
# location-only line, page-only line, the location range written, its end, the first page
# range written). The date is the same for every record: only the order matters.
VARIANTS: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "en": (
        "Highlight",
        "Note",
        "- Your {kind} at location {place} | Added on Thursday, August 22, 2024 7:01:04 PM",
        "- Your {kind} on page {place} | Added on Thursday, August 22, 2024 7:01:04 PM",
        "2665-2666",
        "2666",
        "26-26",
    ),
    "en_gb": (
        "Highlight",
        "Note",
        "- Your {kind} at location {place} | Added on Thursday, 22 August 2024 19:04:38",
        "- Your {kind} on page {place} | Added on Thursday, 22 August 2024 19:04:38",
        "1398-1399",
        "1399",
        "26-26",
    ),
    "de": (
        "Markierung",
        "Notiz",
        "- Deine {kind} bei Position {place} | Hinzugefügt am Donnerstag, 22. August 2024 18:10:53",
        "- Deine {kind} auf Seite {place} | Hinzugefügt am Donnerstag, 22. August 2024 18:10:53",
        "258-259",
        "259",
        "26-26",
    ),
    "es": (
        "subrayado",
        "nota",
        "- La {kind} en la posición {place} | Añadido el jueves, 22 de agosto de 2024 23:10:15",
        "- La {kind} en la página {place} | Añadido el jueves, 22 de agosto de 2024 23:10:15",
        "845-846",
        "846",
        "26-26",
    ),
    "fr": (
        "surlignement",
        "note",
        "- Votre {kind} à l\u2019emplacement {place} | Ajouté le jeudi 22 août 2024 18:19:40",
        "- Votre {kind} sur la page {place} | Ajouté le jeudi 22 août 2024 18:19:40",
        "20-26",
        "26",
        "26-26",
    ),
    "it": (
        "evidenziazione",
        "nota",
        "- La tua {kind} alla posizione {place} | Aggiunto in data giovedì 22 agosto 2024 18:23:12",
        "- La tua {kind} a pagina {place} | Aggiunto in data giovedì 22 agosto 2024 18:23:12",
        "410-412",
        "412",
        "26-26",
    ),
    "nl": (
        "highlight",
        "notitie",
        "- Je {kind} op locatie {place} | Toegevoegd op donderdag 22 augustus 2024 18:30:26",
        "- Je {kind} op pagina {place} | Toegevoegd op donderdag 22 augustus 2024 18:30:26",
        "55 t/m 58",
        "58",
        "26 t/m 26",
    ),
    "pt_br": (
        "Seu destaque",
        "Sua nota",
        "- {kind} na posição {place} | Adicionado: quinta-feira, 22 de agosto de 2024 18:51:02",
        "- {kind} na página {place} | Adicionado: quinta-feira, 22 de agosto de 2024 18:51:02",
        "7-9",
        "9",
        "26-26",
    ),
    "ru": (
        "Ваш выделенный отрывок",
        "Ваша заметка",
        "\u2013 {kind} в месте {place} | Добавлено: четверг, 22 августа 2024 г. в 18:54:06",
        "\u2013 {kind} на странице {place} | Добавлено: четверг, 22 августа 2024 г. в 18:54:06",
        "637\u2013640",
        "640",
        "26\u201326",
    ),
    "ja": (
        "ハイライト",
        "メモ",
        "- 位置No. {place}の{kind} |作成日: 2024年8月22日木曜日 18:27:17",
        "- {place}ページの{kind} |作成日: 2024年8月22日木曜日 18:27:17",
        "77-79",
        "79",
        "26-26",
    ),
    "zh": (
        "标注",
        "笔记",
        "- 您在位置 #{place}的{kind} | 添加于 2024年8月22日星期四 下午6:57:47",
        "- 您在第 {place} 页的{kind} | 添加于 2024年8月22日星期四 下午6:57:47",
        "1500-1540",
        "1540",
        "26-26",
    ),
}


def variant_file(language: str) -> str:
    """A location-only highlight and its note, then two page-only highlights on one page,
    each followed by its note (the first given as a page range, as PDFs write it)."""
    high, note, by_location, by_page, locations, end, pages = VARIANTS[language]
    records = [
        (by_location, high, locations, "A passage found by its location."),
        (by_location, note, end, "Note on the located passage"),
        (by_page, high, pages, "The first passage on page 26."),
        (by_page, note, "26", "Note on the first"),
        (by_page, high, "26", "The second passage on page 26."),
        (by_page, note, "26", "Note on the second"),
    ]
    return "".join(
        f"Le livre (Auteur, Un)\n{line.format(kind=kind, place=place)}\n\n{text}\n{SEPARATOR}\n"
        for line, kind, place, text in records
    )


@pytest.mark.parametrize("language", sorted(VARIANTS))
def test_location_only_and_page_only_records_in_every_language(language: str) -> None:
    result = kindle_clippings.parse(variant_file(language))
    expected_location = VARIANTS[language][4].replace(" t/m ", "-").replace("\u2013", "-")
    assert [(h.text, h.location, h.location_type, h.notes) for h in result.highlights] == [
        (
            "A passage found by its location.",
            expected_location,
            LocationType.LOCATION,
            ["Note on the located passage"],
        ),
        # A note belongs to the highlight it follows, among those ending on its page.
        ("The first passage on page 26.", "26", LocationType.PAGE, ["Note on the first"]),
        ("The second passage on page 26.", "26", LocationType.PAGE, ["Note on the second"]),
    ]
    assert all(h.highlighted_at is not None for h in result.highlights)


def variant_lines() -> Iterator[str]:
    for language in sorted(VARIANTS):
        for record in variant_file(language).split(f"{SEPARATOR}\n")[:-1]:
            yield record.split("\n")[1]


@pytest.mark.parametrize("line", list(variant_lines()))
def test_variant_lines_take_the_fast_path_and_agree_with_the_keyword_reader(line: str) -> None:
    assert any(grammar.line.fullmatch(line) for grammar in _GRAMMARS)
    assert DetailsReader().read(line) == read_by_keywords(line)


def test_a_page_written_as_a_first_location_is_the_page() -> None:
    added = "Added on Thursday, August 22, 2024 7:01:04 PM"
    text = (
        f"Book (Author)\n- Your Highlight at location 174 | location 2665-2666 | {added}\n\n"
        f"The passage.\n{SEPARATOR}\n"
        f"Book (Author)\n- Your Note at location 174 | location 2666 | {added}\n\n"
        f"Its note\n{SEPARATOR}\n"
    )
    assert kindle_clippings.parse(text).highlights == [
        highlight(
            "Book",
            "Author",
            "The passage.",
            "2665-2666",
            at(2024, 8, 22, 19, 1, 4),
            line=1,
            notes=("Its note",),
        )
    ]
    details = read_by_keywords(f"- Your Highlight at location 174 | location 2665-2666 | {added}")
    assert details is not None
    assert (details.page, details.location_start, details.location_end) == ("174", 2665, 2666)


def test_edits_that_move_the_start_collapse_into_the_final_version() -> None:
    highlights, _ = parse_fixture("edits_moved.txt")
    assert [(h.text, h.location, h.notes) for h in highlights] == [
        # Extended at the start; the note made on the first version comes along.
        ("At dusk the river bent twice before the mill", "99-101", ["Made before the start moved"]),
        # Extended at both ends.
        ("All summer apples fell in the long grass and rotted sweetly.", "199-203", []),
        # Trimmed at both ends.
        ("the fences and the crows", "302-303", []),
        # Both ends moved: the end of the first is the start of the second.
        ("never sold the winter pears to anyone in town.", "402-406", []),
        # Page-only.
        ("A passage in a PDF, which has only pages, edited to run on.", "12-13", []),
        # Same place, same time, different inside: two highlights.
        ("When the orchard keeper wrote his ledger (US) he counted in dollars.", "500-502", []),
        ("When the orchard keeper wrote his ledger (UK) he counted in pounds.", "500-502", []),
    ]


def test_an_edit_chain_long_short_long_keeps_the_long_version() -> None:
    highlights, _ = parse_fixture("edit_chain.txt")
    assert [(h.text, h.location, h.notes) for h in highlights] == [
        (
            "Long version of the passage, which the reader kept in the end.",
            "600-604",
            ["On the short one"],
        )
    ]


def test_neighbouring_passages_that_share_a_location_are_not_versions() -> None:
    added = "Added on Monday, May 6, 2024 9:00:00 AM"
    text = "".join(
        f"Book\n- Your Highlight Location {place} | {added}\n\n{words}\n{SEPARATOR}\n"
        for place, words in [
            ("120-121", "The first of two sentences that touch."),
            ("121-122", "The second sentence starts in the same location."),
            ("121-125", "A longer third passage overlapping both places."),
        ]
    )
    assert len(kindle_clippings.parse(text).highlights) == 3
