"""The KOReader, Bookcision and Readwise Markdown files and the older formats' files are
never taken for one another, and no text makes their parsers crash."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsers import (
    bookcision,
    detect_format,
    koreader_json,
    koreader_lua,
    koreader_markdown,
    parse_bytes,
    readwise_markdown,
)
from bot.parsers.records import ParseError

FIXTURES = Path(__file__).parent.parent / "fixtures"
NEW = (koreader_json, koreader_markdown, koreader_lua, bookcision, readwise_markdown)
OLDER_FIXTURES = sorted(
    path
    for folder in ("kindle", "kindle_html", "readwise_csv", "readwise_text")
    for path in (FIXTURES / folder).rglob("*")
    if path.is_file() and path.parent.name != "not_this_format"
)


@pytest.mark.parametrize("path", OLDER_FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_new_parser_claims_an_older_formats_file(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    assert [parser.NAME for parser in NEW if parser.looks_like(text)] == []


@pytest.mark.parametrize(
    "path",
    sorted((FIXTURES / "koreader").iterdir())
    + sorted((FIXTURES / "bookcision").iterdir())
    + sorted((FIXTURES / "readwise_markdown").iterdir()),
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_each_new_file_is_claimed_by_one_parser(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    claimed = [parser.NAME for parser in NEW if parser.looks_like(text)]
    assert len(claimed) == 1
    if path.name != "truncated.json":
        assert detect_format(text) == claimed[0]


def test_readwise_markdown_without_links_is_read() -> None:
    path = FIXTURES / "readwise_text" / "not_this_format" / "readwise.md"

    result = parse_bytes(path.read_bytes())

    assert result.format == readwise_markdown.NAME
    assert [(h.text, h.location) for h in result.highlights] == [
        ("success in modern technical endeavors", "491")
    ]


def test_a_big_export_is_detected_from_its_start() -> None:
    entry = '{"sort": "highlight", "text": "Words of a passage, page %d.", "page": %d}'
    entries = ",\n".join(entry % (n, n) for n in range(1, 5001))
    data = f'{{"title": "Big", "author": "A", "entries": [\n{entries}\n]}}'.encode()
    assert len(data) > 200_000

    result = parse_bytes(data)

    assert (result.format, len(result.highlights)) == ("koreader_json", 5000)
    assert result.highlights[-1].text == "Words of a passage, page 5000."


@pytest.mark.parametrize("parser", NEW, ids=lambda parser: parser.NAME)
@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                "# Title\n",
                "## Highlights\n",
                "## Metadata\n- Author: [[A]]\n",
                "### Page 3 @ 04 March 2024 09:15:02 AM\n",
                "- text ([Location 5](x))\n",
                "    - Note: n\n",
                "    - Tags: [[t]]\n",
                "---\n",
                '{"entries": [',
                '{"highlights": [',
                '"isNoteOnly": true, ',
                '"text": "a", ',
                '"note": null',
                "]}",
                "}",
                "return {",
                '["annotations"] = {',
                '["text"] = "x",',
                "\n",
            ]
        )
        | st.text(max_size=10),
        max_size=30,
    ).map("".join)
)
def test_no_text_makes_a_parser_crash(parser: object, text: str) -> None:
    with contextlib.suppress(ParseError):
        parser.parse(text)  # type: ignore[attr-defined]
