"""Streaming: a file read block by block parses exactly as its whole text does."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import bot.parsers
from bot.parsers import (
    SAMPLE,
    ParseError,
    ParseResult,
    detect_format,
    detect_format_of_sample,
    kindle_clippings,
    parse_bytes,
    parse_file,
    parse_text,
)
from bot.parsers.decoding import NotUtf8, decode_bytes, decode_stream

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALL_FIXTURES = sorted(
    path.relative_to(FIXTURES).as_posix() for path in FIXTURES.glob("*/*") if path.is_file()
)
SEPARATOR = "=========="
DETAILS = (
    "- Your Highlight on page 3 | Location {0}-{1} | Added on Thursday, August 22, 2024 7:01:04 PM"
)


def whole(data: bytes) -> ParseResult | str:
    """What the whole-text path makes of a file: its result, or its error."""
    try:
        return parse_text(decode_bytes(data))
    except ParseError as error:
        return str(error)


def streamed(data: bytes) -> ParseResult | str:
    try:
        return parse_bytes(data)
    except ParseError as error:
        return str(error)


def clippings(count: int, *, crlf: bool = True, text: str = "Words 言葉 слова") -> str:
    records = [
        f"Book {i % 7} (Author)\n{DETAILS.format(10 * i, 10 * i + 3)}\n\n{text} {i}\n{SEPARATOR}\n"
        for i in range(count)
    ]
    joined = "".join(records)
    return joined.replace("\n", "\r\n") if crlf else joined


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_fixture_streams_as_it_parses_whole(
    name: str, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny blocks cut CRLFs, UTF-8 and UTF-16 characters, BOMs and separators in two.
    monkeypatch.setattr(bot.parsers, "BLOCK", block)
    monkeypatch.setattr(kindle_clippings, "_BLOCK", block)
    data = (FIXTURES / name).read_bytes()
    assert streamed(data) == whole(data)


def test_parse_file_reads_a_path_as_parse_bytes_reads_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "My Clippings.txt"
    path.write_bytes(codecs.BOM_UTF8 + clippings(3000).encode())
    assert parse_file(path) == parse_bytes(path.read_bytes()) == whole(path.read_bytes())
    assert len(parse_file(path).highlights) == 3000


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b" \r\n\t ",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"\r\n\xef\xbb\xbf\r\n",
        b"\x00\x01\x02\x03" * 5000,
        codecs.BOM_UTF16_LE + b"\x00\xd8",
        codecs.BOM_UTF8 + b"\xff\xfe",
        ("Book\n" * 10).encode("utf-16-le"),
        b"just some words\n",
        clippings(5).encode()[:-40],
    ],
    ids=[
        "empty",
        "blank",
        "only-bom",
        "boms-and-newlines",
        "controls",
        "bad-utf16",
        "bad-utf8-after-bom",
        "bomless-utf16",
        "no-format",
        "cut-off",
    ],
)
def test_bad_files_raise_the_same_error(data: bytes) -> None:
    result = streamed(data)
    assert isinstance(result, str)
    assert result == whole(data)


def test_legacy_bytes_late_in_a_large_file_read_it_all_as_cp1252() -> None:
    # The first megabyte is valid UTF-8; a cp1252 byte after it means the whole file is
    # cp1252, as decode_bytes decides.
    text = clippings(8000, text="Plain words") + clippings(1, text="caf\u00e9 \u2014 na\u00efve")
    data = text.encode("cp1252")
    assert len(data) > bot.parsers.BLOCK
    assert streamed(data) == whole(data)
    result = parse_bytes(data)
    assert isinstance(result, ParseResult)
    assert result.highlights[-1].text == "caf\u00e9 \u2014 na\u00efve 0"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig"])
def test_large_files_in_other_encodings(encoding: str) -> None:
    data = clippings(2000).encode(encoding)
    result = parse_bytes(data)
    assert result == whole(data)
    assert isinstance(result, ParseResult) and len(result.highlights) == 2000


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Book (Author)\n",
                DETAILS.format(5, 9) + "\n",
                "- Your Note on page 3 | Location 9 | Added on Thursday, August 22, 2024 7:01 PM\n",
                "\n",
                "\r\n",
                "\r",
                "\ufeff",
                "Some text 言葉\n",
                SEPARATOR + "\n",
                SEPARATOR + " \t\r\n",
                SEPARATOR,
                "=" * 11 + "\n",
            ]
        ),
        max_size=40,
    ),
    st.sampled_from([1, 3, 16]),
)
def test_fragment_soup_streams_as_it_parses_whole(parts: list[str], block: int) -> None:
    data = "".join(parts).encode()
    saved = bot.parsers.BLOCK, kindle_clippings._BLOCK
    bot.parsers.BLOCK = kindle_clippings._BLOCK = block
    try:
        assert streamed(data) == whole(data)
        text = "".join(parts)
        try:
            expected: ParseResult | str = kindle_clippings.parse(text)
        except ParseError as error:
            expected = str(error)
        text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
        blocks = [text[i : i + block] for i in range(0, len(text), block)]
        try:
            got: ParseResult | str = kindle_clippings.parse_blocks(blocks)
        except ParseError as error:
            got = str(error)
        assert got == expected
    finally:
        bot.parsers.BLOCK, kindle_clippings._BLOCK = saved


def test_format_is_detected_from_the_start_of_a_file() -> None:
    text = clippings(2000, crlf=False)
    # A word far into the file that would look like another format does not count.
    text += f'Book\n{DETAILS.format(1, 2)}\n\n<div class="noteHeading">x</div>\n{SEPARATOR}\n'
    assert len(text) > SAMPLE
    assert detect_format_of_sample(text[:SAMPLE]) == "kindle_clippings"
    assert detect_format(text) == "kindle_clippings"


def test_readwise_text_is_never_decided_from_a_sample() -> None:
    sample = "The Book\nby Someone\n\nA passage. (Location 12)\n\nAnother. (Location 40)\n"
    assert detect_format(sample) == "readwise_text"
    assert detect_format_of_sample(sample) is None


def test_a_file_whose_start_shows_no_format_is_detected_whole() -> None:
    text = "\n" * (SAMPLE + 10) + clippings(3, crlf=False)
    assert detect_format_of_sample(text[:SAMPLE]) is None
    assert detect_format(text) == "kindle_clippings"
    assert len(parse_bytes(text.encode()).highlights) == 3


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["a", " ", "\r", "\n", "\r\n", "\ufeff", "é", "—"])).map("".join),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    st.sampled_from([1, 2, 3, 5, 64]),
)
@example("\r\ufeff\n", "utf-8", 1)
@example("\r\ufeff\n", "utf-16", 1)
@example("\r\ufeff\ufeff\r\n", "utf-8", 2)
def test_newlines_are_normalised_whatever_the_encoding_and_cuts(
    text: str, encoding: str, block: int
) -> None:
    # A CR at the end of one piece and its LF at the start of the next are one newline.
    # BOMs go first, as decode_bytes drops them: CR, BOM, LF is one newline.
    if encoding == "cp1252":
        text = text.replace("\ufeff", "")  # not a cp1252 character
    # The first 8 KB are read as one piece (the encoding is chosen from them): the cuts
    # fall after them.
    data = ("words " * 1400 + text).encode(encoding)
    chunks = [data[i : i + block] for i in range(0, len(data), block)]

    def stream() -> str:
        try:
            return "".join(decode_stream(chunks))
        except NotUtf8:  # as the parsers do: the whole file again, as cp1252
            return "".join(decode_stream(chunks, legacy=True))

    try:
        expected = decode_bytes(data)
    except ParseError as error:
        with pytest.raises(ParseError, match=re.escape(str(error))):
            stream()
        return
    assert stream() == expected


@pytest.mark.parametrize("block", [1, 3, 64, 1 << 20])
def test_a_dropped_bom_never_joins_the_bytes_around_it_into_a_character(block: int) -> None:
    # Invalid UTF-8 stays invalid when the BOM in it is dropped: the file is read as cp1252,
    # as decode_bytes reads it.
    data = ("words " * 1400).encode() + b"a\r\xef\xbb" + codecs.BOM_UTF8 + b"\x81\n"
    chunks = [data[i : i + block] for i in range(0, len(data), block)]
    with pytest.raises(NotUtf8):
        "".join(decode_stream(chunks))
    assert "".join(decode_stream(chunks, legacy=True)) == decode_bytes(data)
