"""A .zip of exports: every file read as if sent alone, reported file by file, and guarded."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from bot.parsers import parse_bytes, parse_file, zip_archive
from bot.parsers.records import FileRead, ParseError
from tests.binary_files import BOOK, CHAPTER, CLIPPINGS, encrypted, kobo_database, zip_bytes

KOBO = kobo_database(
    [
        (
            "1",
            BOOK,
            CHAPTER,
            "Waste no more time arguing.",
            None,
            "2024-03-04T09:15:02",
            0.5,
            "false",
            "highlight",
            None,
        )
    ]
)


def test_every_export_in_the_zip_is_read_and_reported_file_by_file(tmp_path: Path) -> None:
    data = zip_bytes(
        {
            "exports/": b"",
            "exports/My Clippings.txt": CLIPPINGS,
            "exports/KoboReader.sqlite": KOBO,
            "exports/cover.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            "__MACOSX/exports/._My Clippings.txt": b"\x00\x05\x16\x07junk",
            "exports/.DS_Store": b"\x00\x00\x00\x01Bud1",
        }
    )
    result = parse_bytes(data)

    assert result.format == "zip"
    assert sorted(h.text for h in result.highlights) == [
        "Waste no more time arguing.",
        "You have power over your mind - not outside events.",
    ]
    assert result.files == [
        FileRead("exports/My Clippings.txt", format="kindle_clippings", records=1),
        FileRead("exports/KoboReader.sqlite", format="kobo", records=1),
        FileRead(
            "exports/cover.png",
            problem="This is a binary file, not a text export of highlights.",
        ),
    ]
    path = tmp_path / "exports.zip"
    path.write_bytes(data)
    assert parse_file(path).files == result.files


def test_a_zip_with_nothing_importable_is_refused_naming_its_files() -> None:
    data = zip_bytes({"notes.txt": b"just some words\n", "empty/": b""})
    with pytest.raises(ParseError) as error:
        parse_bytes(data)
    assert str(error.value).startswith(
        "Nothing in this zip is an export Commonplace reads. notes.txt: This file is in no "
        "format Commonplace knows."
    )


def test_an_empty_zip_is_refused() -> None:
    with pytest.raises(ParseError, match="This zip holds no files."):
        parse_bytes(zip_bytes({}))


def test_a_zip_inside_the_zip_is_not_unpacked() -> None:
    inner = zip_bytes({"My Clippings.txt": CLIPPINGS})
    result = parse_bytes(zip_bytes({"inner.zip": inner, "My Clippings.txt": CLIPPINGS}))
    assert result.files[0] == FileRead("inner.zip", problem=zip_archive.NESTED)
    assert len(result.highlights) == 1


def test_a_zip_bomb_is_refused_by_the_bytes_it_unpacks_to() -> None:
    bomb = zip_bytes({"My Clippings.txt": b"\n" * (zip_archive.MAX_UNPACKED + 1)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ParseError, match="unpacks to more than 100 MB"):
        parse_bytes(bomb)


def test_a_zip_whose_headers_understate_its_sizes_is_refused() -> None:
    data = bytearray(zip_bytes({"My Clippings.txt": CLIPPINGS * 10_000}))
    # Claim 100 bytes in the local header and in the central directory.
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 100)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)
    with pytest.raises(ParseError, match="damaged or cut short"):
        parse_bytes(bytes(data))


def test_a_zip_with_too_many_entries_is_refused() -> None:
    members = {f"f{n}.txt": b"x" for n in range(zip_archive.MAX_ENTRIES + 1)}
    with pytest.raises(ParseError, match=r"holds 1001 entries; at most 1000 are read"):
        parse_bytes(zip_bytes(members))


def test_an_encrypted_zip_is_refused() -> None:
    data = encrypted(zip_bytes({"My Clippings.txt": CLIPPINGS}))
    with pytest.raises(ParseError, match="encrypted \\(password-protected\\)"):
        parse_bytes(data)


def test_bytes_that_only_start_like_a_zip_are_refused_as_a_damaged_zip() -> None:
    # Binary files are told apart by their first bytes before any decoding.
    with pytest.raises(ParseError, match="This zip is damaged or cut short"):
        parse_bytes(b"PK\x03\x04" + bytes(range(256)) * 100)


@pytest.mark.parametrize("keep", [10, 0.5])
def test_a_truncated_zip_is_refused(keep: float) -> None:
    data = zip_bytes({"My Clippings.txt": CLIPPINGS, "KoboReader.sqlite": KOBO})
    cut = int(len(data) * keep) if keep < 1 else int(keep)
    with pytest.raises(ParseError, match="damaged or cut short"):
        parse_bytes(data[:cut])
