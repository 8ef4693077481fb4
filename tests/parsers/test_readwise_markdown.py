"""Readwise Markdown export: metadata, highlights, tags, notes, and older templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.parsers import detect_format, readwise_markdown, readwise_text
from bot.parsers.records import LocationType, ParseError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "readwise_markdown"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["book.md", "old_template.md"])
def test_it_is_detected_and_not_taken_for_the_text_export(name: str) -> None:
    assert detect_format(fixture(name)) == readwise_markdown.NAME
    assert not readwise_text.looks_like(fixture(name))


def test_a_book() -> None:
    result = readwise_markdown.parse(fixture("book.md"))

    first, second, third, fourth = result.highlights
    assert (first.book_title, first.author) == ("Meditations", "Marcus Aurelius")
    assert (first.text, first.location, first.location_type, first.location_start) == (
        "You have power over your mind - not outside events.",
        "402",
        LocationType.LOCATION,
        402,
    )
    # Tags as Readwise writes them; `favorite` is Readwise's flag.
    assert (first.tags, first.favorite) == (["stoicism"], True)
    # A highlight's text goes on over lines; its note's action tags are tags.
    assert second.text == (
        "The impediment to action advances action.\nWhat stands in the way becomes the way."
    )
    assert (second.notes, second.tags) == (["on obstacles"], ["knowledge management", "control"])
    assert (third.location, third.location_type) == ("140", LocationType.PAGE)
    assert (fourth.text, fourth.location, fourth.notes) == (
        "Loss is nothing else but change.",
        None,
        ["Compare with Heraclitus."],
    )


def test_an_older_template_with_the_author_as_a_heading() -> None:
    result = readwise_markdown.parse(fixture("old_template.md"))

    first, second = result.highlights
    assert (first.book_title, first.author) == (
        "C Programming Language",
        "Brian W. Kernighan and Dennis Ritchie",
    )
    assert first.notes == ["Basically, just always use floats."]
    assert second.text == (
        "symbolic constant to be a particular string of characters: #define  name  replacement text"
    )
    assert second.location == "610"


def test_a_file_without_a_title_is_refused() -> None:
    with pytest.raises(ParseError, match="no '# Title' line"):
        readwise_markdown.parse("## Highlights\n- a ([Location 1](x))\n")


def test_yaml_front_matter_before_the_title_is_passed_over() -> None:
    text = "---\ntags: [books]\n---\n" + fixture("book.md")

    assert detect_format(text) == readwise_markdown.NAME
    first = readwise_markdown.parse(text).highlights[0]
    assert (first.book_title, first.line) == ("Meditations", 14)
