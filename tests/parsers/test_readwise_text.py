"""The Readwise plain-text export parser, on the real sample and on one fixture per trap."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.parsers import readwise_text
from bot.parsers.decoding import decode_bytes
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "readwise_text"
SEED = Path(__file__).resolve().parents[2] / "seeds" / "the-devops-handbook.txt"
HEADING = "chapter heading (kept as the chapter of what follows)"
LOC = LocationType.LOCATION
PAGE = LocationType.PAGE


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parse_fixture(name: str) -> ParseResult:
    return readwise_text.parse(fixture(name))


def at_line(result: ParseResult, line: int) -> ParsedHighlight:
    (found,) = [h for h in result.highlights if h.line == line]
    return found


# --- The real sample -------------------------------------------------------------------------
#
# Counted by hand from seeds/the-devops-handbook.txt (625 lines, 313 paragraphs):
# - 105 paragraphs end with `(Location<NBSP>N)` (`grep -c "(Location.*[0-9])$"`). Two of them are
#   headings, not highlights: line 256 `Part III Introduction (Location 2377)` (no tags, no note)
#   and line 572 `21Reserve Time to ... (Location 5365)` whose note is `.h2`. Every unlocated
#   paragraph is either a header line (lines 1-6), a chapter heading (30 of them: `Part I
#   Introduction`, `1Agile...` ... `23Protecting...`), or an earlier paragraph of the located
#   paragraph that follows (lines 94-108, 164, 242, 346-348, 442-444). So 105 - 2 = 103.
# - Tags: the 77 `Tags:` paragraphs list 99 items; one is `favorite` (line 168), a flag. Every
#   `.word` action tag in a note repeats a tag of the same highlight's `Tags:` line (checked note
#   by note), so 99 - 1 = 98 tag uses.
# - Notes: 88 `Note:` paragraphs; 30 hold only action tags (`grep -cP '^Note: (\.\S+ ?)+$'`,
#   including the `.h2`), so 88 - 30 = 58 notes with text.


@pytest.fixture(scope="module")
def seed() -> ParseResult:
    return readwise_text.parse(SEED.read_text(encoding="utf-8"))


def test_seed_is_recognised() -> None:
    assert readwise_text.looks_like(SEED.read_text(encoding="utf-8"))


def test_seed_counts(seed: ParseResult) -> None:
    assert seed.format == "readwise_text"
    assert len(seed.highlights) == 103
    assert sum(len(h.tags) for h in seed.highlights) == 98
    assert sum(len(h.notes) for h in seed.highlights) == 58
    assert [h.line for h in seed.highlights if h.favorite] == [164]
    assert not any(h.discarded for h in seed.highlights)
    assert all(h.kind is Kind.HIGHLIGHT and h.location_type is LOC for h in seed.highlights)
    assert {(h.book_title, h.author) for h in seed.highlights} == {("The DevOps Handbook", "")}
    assert seed.skipped == [
        Skipped(HEADING, 256, "The DevOps Handbook"),
        Skipped(HEADING, 572, "The DevOps Handbook"),
    ]


def test_seed_bulleted_list_is_one_highlight_with_its_chapter(seed: ParseResult) -> None:
    items = [
        "functional testing",
        "integration testing",
        "environment creation",
        "server administration",
        "storage administration",
        "networking",
        "load balancing, and",
        "information security",
    ]
    lead = (
        "To transmit code through the value stream requires multiple departments to work on "
        "a variety of tasks, including:"
    )
    assert at_line(seed, 94) == ParsedHighlight(
        book_title="The DevOps Handbook",
        text="\n\n".join([lead, *(f"- {item}" for item in items)]),
        location="1059",
        location_type=LOC,
        location_start=1059,
        chapter="2 The First Way: The Principles of Flow",
        tags=["deployment"],
        notes=["there are often many teamms involved"],
        line=94,
    )


def test_seed_capital_heading_paragraph_favorite_and_action_tags(seed: ParseResult) -> None:
    assert at_line(seed, 164) == ParsedHighlight(
        book_title="The DevOps Handbook",
        text=(
            "TRANSFORM LOCAL DISCOVERIES INTO GLOBAL IMPROVEMENTS When new learnings are "
            "discovered locally, there must also be some mechanism to enable the rest of the "
            "organization to use and benefit from that knowledge.\n\n"
            "In other words, when teams or individuals have experiences that create expertise, "
            "our goal is to convert that tacit knowledge (i.e., knowledge that is difficult to "
            "transfer to another person by means of writing it down or verbalizing) into "
            "explicit, codified knowledge, which becomes someone else’s expertise through "
            "practice."
        ),
        location="1382",
        location_type=LOC,
        location_start=1382,
        chapter="4 The Third Way: The Principles of Continual Learning and Experimentation",
        tags=["knowledge management", "learning", "notion", "knowledge"],
        notes=["convert local learning into global knowledge"],
        favorite=True,
        line=164,
    )


def test_seed_first_highlight_after_a_glued_chapter_number(seed: ParseResult) -> None:
    first = at_line(seed, 88)
    assert first.chapter == "2 The First Way: The Principles of Flow"
    assert first.text.startswith("Ideally, our kanban board will span the entire value stream")
    assert first.text.endswith("delivering value to the customer.")
    assert (first.location, first.tags) == ("988", ["kanban"])
    assert first.notes == ["work is only complete when itis depoyed to customers"]


def test_seed_three_paragraph_quote(seed: ParseResult) -> None:
    quote = at_line(seed, 346)
    paragraphs = quote.text.split("\n\n")
    assert [p[:40] for p in paragraphs] == [
        "Integration tests: Integration tests are",
        "As Humble and Farley observe, “Much of t",
        "Integration tests are performed on build",
    ]
    assert quote.text.endswith("becomes an essential architectural requirement.")
    assert (quote.location_start, quote.tags) == (2736, ["stubs", "integration", "testing"])


def test_seed_action_only_note_is_a_tag_not_a_note(seed: ParseResult) -> None:
    review = at_line(seed, 536)
    assert (review.tags, review.notes, review.location) == (["peerreview"], [], "4695")


def test_seed_location_word_inside_the_text_is_not_a_marker(seed: ParseResult) -> None:
    assert at_line(seed, 362).text == (
        "Humble and Farley, Continuous Delivery, Kindle edition, location 3868.)"
    )
    assert at_line(seed, 362).location == "2775"


def test_seed_located_headings_set_the_chapter(seed: ParseResult) -> None:
    assert at_line(seed, 258).chapter == "Part III Introduction"
    assert at_line(seed, 576).chapter == (
        "21 Reserve Time to Create Organizational Learning and Improvement"
    )
    assert not any(h.text.startswith(("Part III", "21Reserve")) for h in seed.highlights)


def test_seed_highlights_before_any_heading_have_no_chapter(seed: ParseResult) -> None:
    assert [h.line for h in seed.highlights if h.chapter is None] == [
        8, 10, 14, 16, 22, 26, 32, 36, 42
    ]  # fmt: skip


def test_seed_consecutive_headings_keep_the_last(seed: ParseResult) -> None:
    # `15Analyze...` is followed straight away by `16Enable...`.
    assert at_line(seed, 494).chapter == (
        "16 Enable Feedback So Development and Operations Can Safely Deploy Code"
    )


# --- One fixture per trap ---------------------------------------------------------------------


def test_nbsp_page_range_and_roman_markers() -> None:
    result = parse_fixture("nbsp_page.txt")
    quote = partial(ParsedHighlight, book_title="Thinking in Systems", author="Donella H. Meadows")
    assert result.highlights == [
        quote(
            text="A system is more than the sum of its parts.",
            location="142",
            location_type=LOC,
            location_start=142,
            line=6,
        ),
        quote(
            text=(
                "You think that because you understand “one” that you must therefore "
                "understand “two” because one and one make two."
            ),
            location="12",
            location_type=PAGE,
            location_start=12,
            tags=["systems"],
            line=8,
        ),
        quote(
            text="The bathtub is the simplest model.",
            location="xii",
            location_type=PAGE,
            location_start=None,
            line=12,
        ),
        quote(
            text="Everything we think we know about the world is a model.",
            location="1200-1203",
            location_type=LOC,
            location_start=1200,
            line=14,
        ),
    ]
    assert result.skipped == []


def test_headings_are_context_not_highlights() -> None:
    result = parse_fixture("headings.txt")
    texts_and_chapters = [(h.line, h.text, h.chapter, h.location) for h in result.highlights]
    assert texts_and_chapters == [
        (8, "Stop wasting people’s time.", "Introduction", "120"),
        (14, "Entrepreneurs are everywhere.", "1 Start", "300"),
        (18, "- first item\n\n- second item", "Chapter 2 Define", "410"),
        (
            24,
            "VALIDATED LEARNING\n\nLearning is the essential unit of progress.",
            "The Pivot and the Persevere",
            "520",
        ),
        (
            30,
            "Blue-green deployment.\n\nIn this pattern, we have two production environments.",
            "The Pivot and the Persevere",
            "600",
        ),
        # The text after `.h3`: the reader's note on the chapter that heading opens.
        (42, "the real reason", "Why startups fail", "810"),
        (46, "The lesson here is simple.", "Why startups fail", "820"),
        (50, "Grow sustainably.", "Part Three Accelerate", "910"),
        (52, "Conclusion", "Part Three Accelerate", "950"),
    ]
    # A chapter keeps the level its `.h3` gave; headings of other shapes have none.
    assert [(h.kind, h.chapter_level) for h in result.highlights] == [
        *[(Kind.HIGHLIGHT, None)] * 5,
        (Kind.CHAPTER_NOTE, 3),
        (Kind.HIGHLIGHT, 3),
        *[(Kind.HIGHLIGHT, None)] * 2,
    ]
    assert at_line(result, 24).tags == ["learning"]
    # An annotated highlight is the reader's quote even when it reads like a heading.
    assert at_line(result, 52).tags == ["endings"]
    # `.h1`/`.h2`/`.h3` notes, and an unannotated `Part Three Accelerate (Location 900)`.
    assert result.skipped == [
        Skipped(HEADING, line, "The Lean Startup") for line in (34, 38, 42, 48)
    ]
    assert {h.author for h in result.highlights} == {""}


def test_text_after_a_heading_action_tag_is_the_chapters_note() -> None:
    text = (
        "Meditations\nby Marcus Aurelius\n\n"
        "Book Two (Location 100)\n\nNote: .h2 .stoicism On waking\n\nNote: and on sleep\n\n"
        "Begin the morning by saying to thyself. (Location 110)\n\n"
        "Book Three (Location 200)\n\nNote: .h2\n\n"
        "Nothing happens that nature has not fitted you to bear. (Location 210)\n"
    )
    result = readwise_text.parse(text)
    assert [
        (h.kind, h.text, h.notes, h.tags, h.location, h.chapter, h.chapter_level, h.line)
        for h in result.highlights
    ] == [
        (Kind.CHAPTER_NOTE, "On waking", ["and on sleep"], ["stoicism"], "100", "Book Two", 2, 4),
        (
            Kind.HIGHLIGHT,
            "Begin the morning by saying to thyself.",
            [],
            [],
            "110",
            "Book Two",
            2,
            10,
        ),
        # A heading with nothing after its tag has no note.
        (
            Kind.HIGHLIGHT,
            "Nothing happens that nature has not fitted you to bear.",
            [],
            [],
            "210",
            "Book Three",
            2,
            16,
        ),
    ]
    assert [s.line for s in result.skipped] == [4, 12]


def test_highlights_without_location_are_kept() -> None:
    result = parse_fixture("no_location.txt")
    quote = partial(ParsedHighlight, book_title="Meditations")
    assert result.highlights == [
        quote(
            text="Waste no more time arguing what a good man should be. Be one.",
            tags=["virtue"],
            notes=["the whole book in a line"],
            line=3,
        ),
        quote(
            text=(
                "An orphan paragraph with no location at all.\n\n"
                "Another paragraph of the same orphan."
            ),
            chapter="Book Two",
            line=11,
        ),
        quote(
            text="The impediment to action advances action.",
            location="1500",
            location_type=LOC,
            location_start=1500,
            chapter="Book Three",
            line=17,
        ),
        quote(
            text="Introduction",
            chapter="Book Three",
            notes=["a note on a heading-like line"],
            line=19,
        ),
        quote(
            text="What stands in the way becomes the way.",
            chapter="Book Three",
            line=23,
        ),
    ]
    assert result.skipped == []


def test_concatenation_and_flags() -> None:
    result = parse_fixture("concat_flags.txt")
    quote = partial(ParsedHighlight, book_title="Atomic Habits", author="James Clear")
    assert result.highlights == [
        quote(
            text=(
                "You do not rise to the level of your goals.\n\n"
                "You fall to the level of your systems.\n\n"
                "And a third part of the first one."
            ),
            location="100",
            location_type=LOC,
            location_start=100,
            tags=["systems", "habits"],
            notes=["the core idea"],
            favorite=True,
            line=6,
        ),
        quote(
            text="An unrelated highlight in between.",
            location="110",
            location_type=LOC,
            location_start=110,
            discarded=True,
            line=16,
        ),
        quote(
            text="A new chain starts here.\n\nEvery action is a vote.",
            location="200",
            location_type=LOC,
            location_start=200,
            tags=["identity"],
            notes=["second thought"],
            line=24,
        ),
        quote(
            text="Habits are the compound interest of self-improvement.",
            location="300",
            location_type=LOC,
            location_start=300,
            tags=["compounding"],
            favorite=True,
            line=32,
        ),
        quote(
            text="A tagged #Highlight with hashes.",
            location="310",
            location_type=LOC,
            location_start=310,
            tags=["growth mindset"],
            discarded=True,
            line=36,
        ),
    ]


def test_repeated_title_author_and_unknown_header_line() -> None:
    result = parse_fixture("header.txt")
    assert result.highlights == [
        ParsedHighlight(
            book_title="Deep Work",
            author="Cal Newport",
            # After `Table of Contents`, a `by ...` line is a quote, not the author.
            text="by then it was too late\n\nDeep work is valuable, rare and meaningful.",
            location="50",
            location_type=LOC,
            location_start=50,
            line=11,
        )
    ]
    assert result.skipped == [Skipped("unrecognised line in the book's header", 3, "Deep Work")]


def test_lone_note_lone_tags_and_empty_highlight() -> None:
    result = parse_fixture("orphans.txt")
    assert result.highlights == [
        ParsedHighlight(
            book_title="The Odyssey",
            text="a note about the whole book",
            kind=Kind.NOTE,
            line=5,
        ),
        ParsedHighlight(
            book_title="The Odyssey",
            text="Sing to me of the man, Muse.",
            location="41",
            location_type=LOC,
            location_start=41,
            tags=["h9"],  # only .h1 to .h6 are headings
            notes=["not a heading"],
            line=9,
        ),
    ]
    assert result.skipped == [
        Skipped("tags with no highlight before them", 3, "The Odyssey"),
        Skipped("highlight with no text", 7, "The Odyssey"),
    ]


def test_crlf_and_bom_through_decode_bytes() -> None:
    raw = (FIXTURES / "crlf_bom.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    expected = [
        ParsedHighlight(
            book_title="Sapiens",
            text="History began when humans invented gods.",
            location="77",
            location_type=LOC,
            location_start=77,
            tags=["history", "myth"],
            notes=["and will end when humans become gods"],
            line=6,  # lines 1-2 the title, line 4 `Table of Contents`
        )
    ]
    text = decode_bytes(raw)
    assert readwise_text.looks_like(text)
    assert readwise_text.parse(text).highlights == expected
    # Undecoded text (BOM and CR still in it) reads the same.
    assert readwise_text.parse(raw.decode("utf-8")).highlights == expected


def test_table_of_contents_without_markers() -> None:
    text = fixture("contents_only.txt")
    assert readwise_text.looks_like(text)
    assert readwise_text.parse(text).highlights == [
        ParsedHighlight(
            book_title="Walden",
            text="I went to the woods because I wished to live deliberately.",
            line=5,
        )
    ]


# --- Detection and errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["my_clippings.txt", "readwise.csv", "notebook.html", "readwise.md", "prose.txt"]
)
def test_other_formats_are_not_claimed(name: str) -> None:
    assert not readwise_text.looks_like((FIXTURES / "not_this_format" / name).read_text("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Just a title",
        "Walden\n\nTable of Contents\n",
        "Walden\n\nTable of Contents\n\nWalden\n",
        "A quote first (Location 5)\n\nAnother (Location 6)\n",
    ],
)
def test_near_misses_are_not_claimed(text: str) -> None:
    assert not readwise_text.looks_like(text)


@pytest.mark.parametrize("text", ["", " \n\n\t\n", "\ufeff\r\n\r\n"])
def test_blank_text_is_an_error(text: str) -> None:
    with pytest.raises(ParseError, match=r"^The file is empty\.$"):
        readwise_text.parse(text)


def test_a_file_starting_with_a_highlight_is_an_error() -> None:
    with pytest.raises(ParseError, match=r"starts with a highlight\. \(line 3\)$") as error:
        readwise_text.parse("\n\nA quote with no title above it. (Location 5)\n")
    assert error.value.line == 3


def test_an_overlong_title_is_an_error() -> None:
    with pytest.raises(ParseError, match=r"far too long") as error:
        readwise_text.parse("x" * 301 + "\n\nA quote. (Location 5)\n")
    assert error.value.line == 1


def test_title_only_gives_an_empty_result() -> None:
    assert readwise_text.parse("Walden\nWalden\n\nTable of Contents\n") == ParseResult(
        format="readwise_text"
    )


def test_huge_location_number_is_text_not_a_crash() -> None:
    result = readwise_text.parse("Walden\n\nA quote. (Location " + "9" * 5000 + ")\n")
    assert [(h.location, h.text[:16]) for h in result.highlights] == [(None, "A quote. (Locati")]


def test_long_runs_and_chains_stay_fast() -> None:
    # Quadratic work would take minutes here; linear work takes well under a second.
    paragraphs = ["Walden"] + [f"paragraph {i}" for i in range(30_000)] + ["end (Location 1)"]
    chain = "\n\n".join(f"part {i} (Location {i})\n\nNote: .c{i + 1}" for i in range(30_000))
    assert len(readwise_text.parse("\n\n".join(paragraphs)).highlights) == 1
    (joined,) = readwise_text.parse(f"Walden\n\n{chain}").highlights
    assert joined.text.count("\n\n") == 29_999


# --- Nothing but ParseError escapes ------------------------------------------------------------

FRAGMENTS = [
    "The DevOps Handbook",
    "Table of Contents",
    "by Gene Kim",
    "Author: ",
    "Tags: a, favorite, DISCARD, #b",
    "Tags:",
    "Note: .h2",
    "Note: .c1",
    "Note: .c2 .x text",
    "Note: .c0",
    "Note:",
    "Note: .",
    "2The First Way",
    "Part II Introduction",
    "Introduction",
    "The Pivot and the Persevere",
    "- item",
    "(Location\u00a0491)",
    "(Location 12-14)",
    "(Page xii)",
    "(Page 0)",
    "(Location 99999999999)",
    "quote text (Location 5)",
    "Blue-green deployment.",
    "==========",
    "Highlight,Book Title",
    "<html>",
    "# ",
    "\ufeff",
    "\u00a0",
    "(",
    ")",
    "",
]
SEPARATORS = ["\n\n", "\n", "\r\n\r\n", "\r", " ", ""]


def check_total(text: str) -> None:
    assert isinstance(readwise_text.looks_like(text), bool)
    try:
        result = readwise_text.parse(text)
    except ParseError:
        return
    for highlight in result.highlights:
        assert highlight.text
        assert {"favorite", "discard"}.isdisjoint(highlight.tags)
        assert all(tag == tag.lower() and tag[0] not in "#." for tag in highlight.tags)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_only_raises_parse_error(text: str) -> None:
    check_total(text)


@settings(deadline=None, max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=40))
def test_shuffled_fragments_only_raise_parse_error(parts: list[tuple[str, str]]) -> None:
    check_total("".join(fragment + separator for fragment, separator in parts))
