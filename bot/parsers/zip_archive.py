"""A ``.zip`` of any files Commonplace reads (docs/formats.md, "Zip").

Telegram lets a bot download 20 MB at most, so zipping is how a big Kobo database or a
Takeout reaches the bot. The zip is untrusted: the number of entries and the bytes it
unpacks to are capped, counting the bytes actually read (a header may lie about sizes).
Each file is read as if it had been sent alone, and the result says file by file what was
read; nested zips are refused rather than unpacked with a fresh allowance.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import PurePosixPath

from bot.parsers import apple_books
from bot.parsers.records import FileRead, ParseError, ParseResult

NAME = "zip"

MAGIC: tuple[bytes, ...] = (b"PK\x03\x04", b"PK\x05\x06")
"""A zip with files starts with a local file header; an empty one with its end record."""
MAX_ENTRIES = 1000
MAX_UNPACKED = 100 * 1024 * 1024
"""The bytes all the files of one zip may unpack to, together."""
_READ = 1 << 20
_WORD_DOCUMENT = "word/document.xml"
"""A .docx is a zip: one that no format read whole is a Word document, not a zip of files."""
_JUNK = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

ParseMember = Callable[[bytes], ParseResult]
"""Reads one file of the zip as if it had been sent alone."""
NESTED = "a zip inside the zip: unzip it and send its files"
ENCRYPTED = "encrypted (password-protected)"


def looks_like_bytes(data: bytes) -> bool:
    """Whether the bytes start like a zip."""
    return data.startswith(MAGIC)


def parse_bytes(data: bytes) -> ParseResult:
    """Read every file of the zip that is an export, and say file by file what was read."""
    # bot.parsers lists this module among its formats, so it is imported here, not above.
    from bot.parsers import parse_bytes as parse_alone

    return read_files(data, parse_alone)


def read_files(data: bytes, parse_member: ParseMember) -> ParseResult:
    """Read each file of a zip with ``parse_member`` and gather their records, file by file;
    ParseError for a damaged, encrypted or oversized zip, or one with nothing readable."""
    result = ParseResult(format=NAME)
    files = unpack(data)
    if any(name == _WORD_DOCUMENT for name, _ in files):
        raise ParseError(
            "This Word document is not a Play Books notes document; send the "
            "“Notes from …” document Play Books keeps in Google Drive."
        )
    libraries = _apple_books_libraries(files)
    for name, content in files:
        if content is None:
            result.files.append(FileRead(name, problem=ENCRYPTED))
            continue
        if looks_like_bytes(content) and not _is_known_zip_format(content):
            result.files.append(FileRead(name, problem=NESTED))
            continue
        if any(content is library for library in libraries):
            result.files.append(FileRead(name, format=apple_books.LIBRARY))
            continue
        try:
            if apple_books.looks_like_bytes(content):
                part = apple_books.parse_with_libraries(content, libraries)
            else:
                part = parse_member(content)
        except ParseError as error:
            result.files.append(FileRead(name, problem=str(error)))
            continue
        result.highlights += part.highlights
        result.skipped += part.skipped
        result.notices += [f"{name}: {notice}" for notice in part.notices]
        result.files.append(FileRead(name, format=part.format, records=len(part.highlights)))
    if not any(file.format not in (None, apple_books.LIBRARY) for file in result.files):
        raise ParseError(_nothing_readable(result.files))
    return result


def unpack(data: bytes) -> list[tuple[str, bytes | None]]:
    """The zip's files worth reading, as (name, bytes), bytes None for an encrypted file;
    ParseError for a zip that is damaged, all encrypted, or unpacks to too much."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ParseError("This zip is damaged or cut short; zip the files again.") from None
    with archive:
        if len(archive.infolist()) > MAX_ENTRIES:
            raise ParseError(
                f"This zip holds {len(archive.infolist())} entries; at most {MAX_ENTRIES} are "
                "read. Zip only the export files."
            )
        infos = [info for info in archive.infolist() if _worth_reading(info)]
        if infos and all(_encrypted(info) for info in infos):
            raise ParseError(
                "This zip is encrypted (password-protected); zip the files again without one."
            )
        budget = _Budget()
        return [
            (info.filename, None if _encrypted(info) else _read(archive, info, budget))
            for info in infos
        ]


def _apple_books_libraries(files: list[tuple[str, bytes | None]]) -> list[bytes]:
    """The Apple Books library databases among the files: they title the books of the
    annotation databases beside them."""
    libraries = []
    for _, content in files:
        try:
            if content is not None and apple_books.is_library(content):
                libraries.append(content)
        except ParseError:
            continue  # a damaged database: reported when it is read as a file of its own
    return libraries


def _is_known_zip_format(content: bytes) -> bool:
    """Whether a zip inside the zip is a file some format reads as a whole (a .docx)."""
    from bot.parsers import detect_bytes_format

    return detect_bytes_format(content) not in (None, NAME)


class _Budget:
    """The bytes a zip may still unpack to."""

    def __init__(self) -> None:
        self.left = MAX_UNPACKED

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise ParseError(
                f"This zip unpacks to more than {MAX_UNPACKED // 2**20} MB; send the export "
                "files in a smaller zip."
            )


def _worth_reading(info: zipfile.ZipInfo) -> bool:
    """Directories and the files macOS and Windows add to a zip are not exports."""
    path = PurePosixPath(info.filename)
    return not (
        info.is_dir()
        or path.parts[:1] == ("__MACOSX",)
        or path.name.startswith("._")
        or path.name in _JUNK
    )


def _encrypted(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    chunks: list[bytes] = []
    try:
        with archive.open(info) as member:
            while chunk := member.read(_READ):
                budget.spend(len(chunk))
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise ParseError(
            f"{info.filename} in this zip is damaged or cut short; zip the files again."
        ) from None
    except NotImplementedError:
        raise ParseError(
            f"{info.filename} is compressed in a way Commonplace cannot unpack; zip it again "
            "with the usual (deflate) compression."
        ) from None
    return b"".join(chunks)


def _nothing_readable(files: list[FileRead]) -> str:
    if not files:
        return "This zip holds no files."
    # A file read without a problem and yet giving nothing is an Apple Books library.
    shown = "; ".join(
        f"{file.name}: {file.problem or apple_books.LIBRARY_ALONE}" for file in files[:3]
    )
    more = f" (and {len(files) - 3} more)" if len(files) > 3 else ""
    return f"Nothing in this zip is an export Commonplace reads. {shown}{more}"
