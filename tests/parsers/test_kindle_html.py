"""Kindle app notebook HTML: web and desktop exports, every entry kind, and only ParseError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsers import kindle_html, parse_bytes
from bot.parsers.decoding import decode_bytes
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kindle_html"
PRAGMATIC = "The Pragmatic Programmer: your journey to mastery, 20th Anniversary Edition"
PRAGMATIC_AUTHORS = "David Thomas & Andrew Hunt"
TOPIC_ONE = "Topic 1. It's Your Life"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def entry(heading: str, text: str | None, *, heading_class: str = "noteHeading") -> str:
    """One web-style entry: a heading and, unless None, its text."""
    html = f'<div class="{heading_class}">{heading}</div>\n'
    if text is not None:
        html += f'<div class="noteText">{text}</div>\n'
    return html


def yellow(where: str) -> str:
    return f'Highlight (<span class="highlight_yellow">yellow</span>) - {where}'


# Worked out by hand from web_export.html.
EXPECTED_WEB = [
    ParsedHighlight(
        book_title=PRAGMATIC,
        author=PRAGMATIC_AUTHORS,
        text="We who cut mere stones must always be envisioning cathedrals.",
        location="xii",
        location_type=LocationType.PAGE,
        chapter="Preface to the Second Edition",
        color="yellow",
        line=29,
    ),
    ParsedHighlight(
        book_title=PRAGMATIC,
        author=PRAGMATIC_AUTHORS,
        text="You have agency.",
        location="744",
        location_type=LocationType.LOCATION,
        location_start=744,
        chapter=TOPIC_ONE,
        color="blue",
        notes=["Remember this when the job feels stuck."],
        line=38,
    ),
    ParsedHighlight(
        book_title=PRAGMATIC,
        author=PRAGMATIC_AUTHORS,
        text="Provide options,\ndon't make lame excuses.",
        location="780",
        location_type=LocationType.LOCATION,
        location_start=780,
        chapter="Topic 2. The Cat Ate My Source Code",
        color="pink",
        line=50,
    ),
    ParsedHighlight(
        book_title=PRAGMATIC,
        author=PRAGMATIC_AUTHORS,
        kind=Kind.NOTE,
        text="A lone thought spread over several lines.",
        location="840",
        location_type=LocationType.LOCATION,
        location_start=840,
        chapter=TOPIC_ONE,
        line=56,
    ),
    ParsedHighlight(
        book_title=PRAGMATIC,
        author=PRAGMATIC_AUTHORS,
        text="Don\u2019t live with broken windows & fix them.",
        location="1200",
        location_type=LocationType.LOCATION,
        location_start=1200,
        chapter=TOPIC_ONE,
        line=68,
    ),
    ParsedHighlight(
        book_title=PRAGMATIC,
        author=PRAGMATIC_AUTHORS,
        text="Be a catalyst for change.",
        location="1305",
        location_type=LocationType.LOCATION,
        location_start=1305,
        chapter=TOPIC_ONE,
        color="orange",
        notes=["Stone soup.", "Second note on the same highlight."],
        line=74,
    ),
]
SKIPPED_WEB = [Skipped("bookmark: Bookmark - Page 20 · Location 1010", 63, PRAGMATIC)]

# Worked out by hand from desktop_export.html (mismatched <h3>...</div> tags).
EXPECTED_DESKTOP = [
    ParsedHighlight(
        book_title="Meditations",
        author="Marcus Aurelius; Gregory Hays",
        text=(
            "Begin each day by telling yourself: today I shall be meeting with interference, "
            "ingratitude, insolence."
        ),
        location="402",
        location_type=LocationType.LOCATION,
        location_start=402,
        chapter="Book Two",
        color="yellow",
        notes=["Said to himself, not to others."],
        line=20,
    ),
    ParsedHighlight(
        book_title="Meditations",
        author="Marcus Aurelius; Gregory Hays",
        text="Stop drifting.",
        location="460",
        location_type=LocationType.LOCATION,
        location_start=460,
        chapter="Book Two",
        color="yellow",
        line=22,
    ),
    ParsedHighlight(
        book_title="Meditations",
        author="Marcus Aurelius; Gregory Hays",
        kind=Kind.NOTE,
        text='Whole chapter is about change & the "universe".',
        location="900",
        location_type=LocationType.LOCATION,
        location_start=900,
        chapter="Book Four",
        line=23,
    ),
    ParsedHighlight(
        book_title="Meditations",
        author="Marcus Aurelius; Gregory Hays",
        text="The universe is change;\nour life is what our thoughts make it.",
        location="925",
        location_type=LocationType.LOCATION,
        location_start=925,
        chapter="IV.3",
        color="blue",
        line=24,
    ),
    ParsedHighlight(
        book_title="Meditations",
        author="Marcus Aurelius; Gregory Hays",
        kind=Kind.NOTE,
        text="Not near the highlight above.",
        location="990",
        location_type=LocationType.LOCATION,
        location_start=990,
        chapter="Book Four",
        line=25,
    ),
    ParsedHighlight(
        book_title="Meditations",
        author="Marcus Aurelius; Gregory Hays",
        text="Kept.",
        location="1020",
        location_type=LocationType.LOCATION,
        location_start=1020,
        chapter="Book Four",
        color="orange",
        line=28,
    ),
]
SKIPPED_DESKTOP = [
    Skipped("bookmark: Bookmark - Location 1000", 26, "Meditations"),
    Skipped("highlight with no text", 27, "Meditations"),
]


def test_web_export() -> None:
    result = kindle_html.parse(fixture_text("web_export.html"))
    assert result.format == "kindle_html"
    assert result.highlights == EXPECTED_WEB
    assert result.skipped == SKIPPED_WEB


def test_desktop_export_with_mismatched_tags() -> None:
    result = kindle_html.parse(fixture_text("desktop_export.html"))
    assert result.highlights == EXPECTED_DESKTOP
    assert result.skipped == SKIPPED_DESKTOP


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="utf8-bom"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf16-bom"),
    ],
)
def test_encodings_through_decode_bytes(encode: Callable[[str], bytes]) -> None:
    result = kindle_html.parse(decode_bytes(encode(fixture_text("desktop_export.html"))))
    assert result.highlights == EXPECTED_DESKTOP
    assert result.skipped == SKIPPED_DESKTOP


def test_upload_is_detected_as_kindle_html() -> None:
    result = parse_bytes((FIXTURES / "desktop_export.html").read_bytes())
    assert result.format == "kindle_html"
    assert result.highlights == EXPECTED_DESKTOP


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_raw_newlines_and_bom_are_tolerated(newline: str) -> None:
    text = "\ufeff" + fixture_text("web_export.html").replace("\n", newline)
    result = kindle_html.parse(text)
    assert result.highlights == EXPECTED_WEB
    assert result.skipped == SKIPPED_WEB


def test_note_right_after_its_highlight_is_attached() -> None:
    html = entry(yellow(" Location 744"), "Quote") + entry("Note -  Location 745", "Mine")
    result = kindle_html.parse(html)
    assert result.highlights == [
        ParsedHighlight(
            book_title="",
            text="Quote",
            location="744",
            location_type=LocationType.LOCATION,
            location_start=744,
            color="yellow",
            notes=["Mine"],
            line=1,
        )
    ]


@pytest.mark.parametrize(
    ("html", "attached"),
    [
        (entry(yellow("Location 744"), "Q") + entry("Note - Location 744", "N"), True),
        (entry(yellow("Location 744"), "Q") + entry("Note - Location 740", "N"), False),
        (entry(yellow("Location 744"), "Q") + entry("Note - Location 747", "N"), False),
        (entry(yellow("Location 744"), "Q" * 100) + entry("Note - Location 747", "N"), True),
        (entry(yellow("Page 12"), "Q") + entry("Note - Page 12", "N"), True),
        (entry(yellow("Page 12"), "Q") + entry("Note - Page 13", "N"), True),
        (entry(yellow("Page 12"), "Q") + entry("Note - Page 14", "N"), False),
        (entry(yellow("Page xii"), "Q") + entry("Note - Page xii", "N"), True),
        (entry(yellow("Page xii"), "Q") + entry("Note - Page xiii", "N"), False),
        (entry(yellow("Page 12"), "Q") + entry("Note - Location 745", "N"), False),
        (entry("Highlight", "Q") + entry("Note", "N"), True),
        (
            entry(yellow("Location 744"), "Q")
            + entry("Chapter 2", None, heading_class="sectionHeading")
            + entry("Note - Location 745", "N"),
            False,
        ),
        (
            entry(yellow("Location 744"), "Q")
            + entry("Bookmark - Location 745", "")
            + entry("Note - Location 745", "N"),
            False,
        ),
    ],
)
def test_when_a_note_belongs_to_the_highlight_before_it(html: str, attached: bool) -> None:
    result = kindle_html.parse(html)
    kinds = [record.kind for record in result.highlights]
    if attached:
        assert kinds == [Kind.HIGHLIGHT]
        assert result.highlights[0].notes == ["N"]
    else:
        assert kinds == [Kind.HIGHLIGHT, Kind.NOTE]
        assert result.highlights[0].notes == []
        assert result.highlights[1].text == "N"


def test_note_before_any_highlight_is_a_lone_note() -> None:
    result = kindle_html.parse(entry("Note - Page 3", "Alone") + entry(yellow("Page 3"), "Q"))
    assert [(r.kind, r.text, r.notes) for r in result.highlights] == [
        (Kind.NOTE, "Alone", []),
        (Kind.HIGHLIGHT, "Q", []),
    ]


@pytest.mark.parametrize(
    ("heading", "location", "location_type", "start", "color"),
    [
        (yellow("Location 744"), "744", LocationType.LOCATION, 744, "yellow"),
        (yellow("Page 12 · Location 744"), "744", LocationType.LOCATION, 744, "yellow"),
        (yellow("Page 12 &middot; Location 744"), "744", LocationType.LOCATION, 744, "yellow"),
        (yellow("Page 12"), "12", LocationType.PAGE, 12, "yellow"),
        (yellow("Page xii"), "xii", LocationType.PAGE, None, "yellow"),
        (yellow("Location 744 - 746"), "744-746", LocationType.LOCATION, 744, "yellow"),
        (yellow("Location " + "9" * 40), "9" * 40, LocationType.LOCATION, None, "yellow"),
        ("Highlight - Location 5", "5", LocationType.LOCATION, 5, None),
        ("Highlight(Blue) - Location 5", "5", LocationType.LOCATION, 5, "blue"),
        ('Highlight (<span class="Highlight_Pink">Pink</span>)', None, None, None, "pink"),
        (
            "Markierung (<span class='highlight_orange'>Orange</span>) - Position 5",
            "5",
            LocationType.LOCATION,
            5,
            "orange",
        ),
        ("Highlight (Unknown shade) - Location 5", "5", LocationType.LOCATION, 5, "unknown shade"),
        ("ハイライト(ブルー) - 位置No. 1,234", "1234", LocationType.LOCATION, 1234, "blue"),
        (yellow("Page 3 · Location 12.345-12.350"), "12345-12350", LocationType.LOCATION, 12345)
        + ("yellow",),
        ("标注(粉色) - 第 xii 页", "xii", LocationType.PAGE, None, "pink"),
    ],
)
def test_heading_forms(
    heading: str,
    location: str | None,
    location_type: LocationType | None,
    start: int | None,
    color: str | None,
) -> None:
    result = kindle_html.parse(entry(heading, "Quote"))
    assert len(result.highlights) == 1
    record = result.highlights[0]
    assert (record.kind, record.text) == (Kind.HIGHLIGHT, "Quote")
    assert record.location == location
    assert record.location_type == location_type
    assert record.location_start == start
    assert record.color == color


def test_chapter_in_the_heading_overrides_the_section_for_that_entry_only() -> None:
    html = (
        '<div class="sectionHeading">Part I</div>\n'
        + entry(yellow("1.1 Why write a non-fiction book? &gt; Location 119"), "A")
        + entry(yellow("Location 130"), "B")
    )
    result = kindle_html.parse(html)
    assert [(r.text, r.chapter) for r in result.highlights] == [
        ("A", "1.1 Why write a non-fiction book?"),
        ("B", "Part I"),
    ]


def test_sections_in_headings_and_an_empty_heading_as_hand_edited_exports_have() -> None:
    html = (
        '<div class="sectionHeading">Introduction</div>\n'
        + entry(yellow("Page 7 · Location 151"), "Early on.")
        + entry("Bookmark - PART ONE &gt; Page 235 · Location 3341", None)
        + entry("Note - 1 &gt; Page 236 · Location 3354", "Far from any highlight.")
        + '<div class="noteHeading">\n<div class="sectionHeading">Two</div>\n'
        + entry(yellow("1: Small Things &gt; Page 17 · Location 277"), "Later.")
    )
    result = kindle_html.parse(html)
    assert [(r.kind, r.text, r.chapter, r.location, r.notes) for r in result.highlights] == [
        (Kind.HIGHLIGHT, "Early on.", "Introduction", "151", []),
        # After a bookmark and far from the highlight before it: a note of its own.
        (Kind.NOTE, "Far from any highlight.", "1", "3354", []),
        (Kind.HIGHLIGHT, "Later.", "1: Small Things", "277", []),
    ]
    assert [s.reason for s in result.skipped] == [
        "bookmark: Bookmark - PART ONE > Page 235 · Location 3341",
        "an empty entry heading",
    ]


@pytest.mark.parametrize(
    ("html", "skipped"),
    [
        (entry("Bookmark - Location 9", None), [Skipped("bookmark: Bookmark - Location 9", 1)]),
        (
            entry(yellow("Location 1"), "Q") + entry("Kiemelés - Hely 5", "Text"),
            [Skipped("unrecognised entry: Kiemelés - Hely 5", 3)],
        ),
        (entry(yellow("Location 1"), " <br/> "), [Skipped("highlight with no text", 1)]),
        (entry("Note - Location 1", ""), [Skipped("note with no text", 1)]),
        (entry(" ", None), [Skipped("an empty entry heading", 1)]),
        (
            entry(yellow("Location 1"), "Q") + '<div class="noteText">Stray</div>',
            [Skipped("text with no heading before it", 3)],
        ),
    ],
)
def test_skipped_entries(html: str, skipped: list[Skipped]) -> None:
    assert kindle_html.parse(html).skipped == skipped


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            "Tom &amp; Jerry &#39;n&#x27; &quot;friends&quot; &lt;3",
            "Tom & Jerry 'n' \"friends\" <3",
        ),
        ("  spaced\n\t out \u00a0 text  ", "spaced out text"),
        ("one<br>two<BR/>three", "one\ntwo\nthree"),
        ("one<br><br><br>two<br>", "one\n\ntwo"),
        ("<p>First paragraph</p><p>Second</p>", "First paragraph\nSecond"),
        ("<b>bold</b> and <i>italic</i>", "bold and italic"),
        ("kept<script>dropped()</script> too", "kept too"),
    ],
)
def test_text_normalisation(body: str, text: str) -> None:
    result = kindle_html.parse(entry(yellow("Location 1"), body))
    assert result.highlights[0].text == text


@pytest.mark.parametrize(
    "html",
    [
        "<h3 class=noteHeading>Highlight - Location 7</h3><div class=noteText>Quote</div>",
        "<div class='x noteHeading y'>Highlight - Location 7</div><p class='noteText'>Quote</p>",
        '<DIV CLASS="NOTEHEADING">Highlight - Location 7</Div><DIV CLASS="noteText">Quote</H3>',
    ],
)
def test_lenient_markup(html: str) -> None:
    result = kindle_html.parse(html)
    assert [(r.text, r.location) for r in result.highlights] == [("Quote", "7")]


def test_title_authors_and_sections_are_read_from_the_top() -> None:
    html = (
        "<h1><div class='bookTitle'>  A   Title\n</div><div class='authors'>\nAn Author</h1>"
        "<h2 class='sectionHeading'>One</h2>" + entry(yellow("Location 1"), "Q")
    )
    record = kindle_html.parse(html).highlights[0]
    assert (record.book_title, record.author, record.chapter) == ("A Title", "An Author", "One")


def test_notebook_without_entries_is_a_parse_error() -> None:
    html = "<div class='bookTitle'>Empty Book</div><div class='authors'>Someone</div>"
    assert kindle_html.looks_like(html)
    with pytest.raises(ParseError) as caught:
        kindle_html.parse(html)
    assert str(caught.value) == (
        "This file has no Kindle notebook entries (no 'noteHeading'), so there is "
        "nothing to import."
    )
    assert caught.value.line is None


def test_html_the_parser_cannot_skip_is_a_parse_error_with_its_line() -> None:
    html = entry(yellow("Location 1"), "Q") + "<p>fine</p>\n<![broken[ section"
    with pytest.raises(ParseError) as caught:
        kindle_html.parse(html)
    assert str(caught.value) == "This HTML file is too damaged to read. (line 4)"


@pytest.mark.parametrize(
    ("tail", "line"),
    [
        ("<p>fine</p>\n<a title='" + "x" * 20_000, 4),
        ("<p>fine</p>\n<!-- never closed " + "x" * 20_000, 4),
        ("<p>fine</p>\n" + "<a " * 50_000, 4),
        ("<style>\n" + "p { color: red; }\n" * 20_000, 3),
    ],
)
def test_construct_that_never_closes_is_refused_quickly(tail: str, line: int) -> None:
    # Without the guard, html.parser before CPython 3.11.13 takes minutes on these.
    with pytest.raises(ParseError) as caught:
        kindle_html.parse(entry(yellow("Location 1"), "Q") + tail)
    assert str(caught.value) == (
        f"This HTML file has a tag or comment that is never closed. (line {line})"
    )


def test_long_text_with_entities_across_chunks_and_a_long_style_block() -> None:
    sentence = "Ideas &amp; habits compound; "
    style = "<style>\n" + ".noteText { margin: 0; }\n" * 2_000 + "</style>\n"
    html = style + entry(yellow("Location 1"), sentence * 2_000) + entry("Note - Location 9", "N")
    result = kindle_html.parse(html)
    assert [(r.kind, r.line) for r in result.highlights] == [(Kind.HIGHLIGHT, 2_003)]
    assert result.highlights[0].text == ("Ideas & habits compound; " * 2_000).strip()
    assert result.highlights[0].notes == ["N"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<div class="noteHeading">', True),
        ("<div class='bookTitle'>", True),
        ("<h3 class = 'other noteHeading'>", True),
        ("<div class=bookTitle>", True),
        ('<div class="noteHeadingX">', False),
        ("noteHeading and bookTitle in plain text", False),
        ("Highlight,Book Title,Note\n", False),
        ("", False),
    ],
)
def test_looks_like(text: str, expected: bool) -> None:
    assert kindle_html.looks_like(text) is expected


def test_fixtures_are_recognised() -> None:
    assert kindle_html.looks_like(fixture_text("web_export.html"))
    assert kindle_html.looks_like(fixture_text("desktop_export.html"))


def parse_or_parse_error(text: str) -> None:
    try:
        result = kindle_html.parse(text)
    except ParseError as error:
        assert str(error)
        return
    assert isinstance(result, ParseResult)
    for record in result.highlights:
        assert record.text
        assert record.color is None or record.kind == Kind.HIGHLIGHT


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_raises_only_parse_error(text: str) -> None:
    kindle_html.looks_like(text)
    parse_or_parse_error(text)


SOUP = st.sampled_from(
    [
        "<div class='noteHeading'>",
        '<div class="noteText">',
        "<h3 class='noteHeading'>",
        "<h2 class='sectionHeading'>",
        "<div class='bookTitle'>",
        "<div class='authors'>",
        "<span class='highlight_yellow'>",
        "<span class='highlight_'>",
        "</span>",
        "</div>",
        "</h3>",
        "</h1>",
        "<p>",
        "</p>",
        "<br/>",
        "<br>",
        "<script>",
        "</script>",
        "<style>",
        "<!--",
        "-->",
        "<![CDATA[",
        "<![",
        "<!DOCTYPE html>",
        "<?xml version='1.0'?>",
        "<",
        ">",
        "&",
        "&amp;",
        "&#",
        "&#x110000;",
        "&#99999999999;",
        "Highlight (",
        "yellow)",
        "Note",
        "Bookmark",
        " - ",
        "Location ",
        "Page ",
        " · ",
        " &gt; ",
        "744",
        "9" * 30,
        "xii",
        "\n",
        "\r\n",
        "\ufeff",
        "(",
        ")",
        "-",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(SOUP, st.text(max_size=4)), max_size=40).map("".join))
def test_tag_soup_raises_only_parse_error(text: str) -> None:
    kindle_html.looks_like(text)
    parse_or_parse_error(text)


# (language, highlight heading, note heading) as each Kindle app interface writes them.
LANGUAGES = [
    ("en", "Highlight({}) - Page 12 · Location 744", "Note - Page 12 · Location 745"),
    ("de", "Markierung({}) - Seite 12 · Position 744", "Notiz - Seite 12 · Position 745"),
    ("fr", "Surlignement({}) - Page 12 · Emplacement 744", "Note - Page 12 · Emplacement 745"),
    ("es", "Subrayado({}) - Página 12 · Posición 744", "Nota - Página 12 · Posición 745"),
    ("it", "Evidenziazione({}) - Pagina 12 · Posizione 744", "Nota - Pagina 12 · Posizione 745"),
    ("pt", "Destaque({}) - Página 12 · Posição 744", "Nota - Página 12 · Posição 745"),
    ("ja", "ハイライト({}) - ページ12 ·位置No. 744", "メモ - ページ12 ·位置No. 745"),
    ("zh", "标注({}) - 第 12 页·位置 744", "备注 - 第 12 页·位置 745"),
]


@pytest.mark.parametrize(("language", "highlight", "note"), LANGUAGES, ids=lambda v: v[:8])
def test_every_interface_language(language: str, highlight: str, note: str) -> None:
    colour = "<span class='highlight_yellow'>…</span>"
    html = entry(highlight.format(colour), "Quote") + entry(note, "Thought")
    html += entry(note.replace("745", "9000"), "Far away")
    result = kindle_html.parse(html)
    assert [(r.kind, r.text, r.location, r.color, r.notes) for r in result.highlights] == [
        (Kind.HIGHLIGHT, "Quote", "744", "yellow", ["Thought"]),
        (Kind.NOTE, "Far away", "9000", None, []),
    ]
    assert result.skipped == []


def test_chinese_desktop_export() -> None:
    result = parse_bytes((FIXTURES / "desktop_zh.html").read_bytes())
    assert result.highlights == [
        ParsedHighlight(
            book_title="沉思录",
            author="马可·奥勒留",
            text="每天清晨对自己说。",
            location="744",
            location_type=LocationType.LOCATION,
            location_start=744,
            chapter="卷二",
            color="yellow",
            tags=["斯多葛"],
            notes=["对自己，不是对别人。"],
            favorite=True,
            line=13,
        ),
        ParsedHighlight(
            book_title="沉思录",
            author="马可·奥勒留",
            text="宇宙即变化。",
            location="925",
            location_type=LocationType.LOCATION,
            location_start=925,
            chapter="卷二",
            color="blue",
            line=15,
        ),
    ]
    assert result.skipped == [Skipped("bookmark: 书签 - 位置 1000", 16, "沉思录")]


def test_a_notebook_in_which_no_entry_is_understood_is_refused() -> None:
    html = entry("Kiemelés - Hely 5", "Szöveg") + entry("Jegyzet - Hely 6", "Más")
    with pytest.raises(ParseError) as caught:
        kindle_html.parse(html)
    assert str(caught.value) == (
        "No entry of this Kindle notebook is in a form Commonplace knows, so there is nothing "
        "to import; the first reads 'Kiemelés - Hely 5'. (line 1)"
    )


@pytest.mark.parametrize(
    ("note", "tags", "favorite", "notes"),
    [
        (".stoicism .favorite on control", ["stoicism"], True, ["on control"]),
        (".Stoicism .discard", ["stoicism"], False, []),
        (".h1 a heading note stays as written", [], False, [".h1 a heading note stays as written"]),
        ("... and so on", [], False, ["... and so on"]),
    ],
)
def test_readwise_action_tags_in_notes(
    note: str, tags: list[str], favorite: bool, notes: list[str]
) -> None:
    html = entry(yellow("Location 10"), "Quote") + entry("Note - Location 11", note)
    [record] = kindle_html.parse(html).highlights
    assert (record.tags, record.favorite, record.notes) == (tags, favorite, notes)
    assert record.discarded == ("discard" in note)


def test_action_tags_in_a_lone_note() -> None:
    [record] = kindle_html.parse(entry("Note - Location 11", ".idea on control")).highlights
    assert (record.kind, record.text, record.tags) == (Kind.NOTE, "on control", ["idea"])
