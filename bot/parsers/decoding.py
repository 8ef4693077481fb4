"""Bytes to text: every encoding real exports come in, and a clear no for binaries."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Iterator

from bot.parsers.records import ParseError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Characters that never occur in a text export; many of them mean we were sent a binary.
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f", "\v"}
_BINARY_SAMPLE = 8192
_BINARY = "This is a binary file, not a text export of highlights."


def decode_bytes(data: bytes) -> str:
    """Decode an uploaded file, normalising newlines and dropping every BOM.

    UTF-8 with or without BOM, UTF-16/32 with BOM, BOM-less UTF-16 and cp1252 are read.
    Raises ParseError for an empty or binary file.
    """
    if not data.strip():
        raise ParseError("The file is empty.")
    text = _decode(data)
    if _looks_binary(text[:_BINARY_SAMPLE]):
        raise ParseError(_BINARY)
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError("The file is empty.")
    return text


def _decode(data: bytes) -> str:
    encoding, skip = _encoding(data, legacy=False)
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError:
        if skip:
            raise ParseError(
                f"The file starts like {encoding.upper()} text but is not valid {encoding}."
            ) from None
        if encoding != "utf-8":
            raise ParseError(_BINARY) from None
    # Legacy single-byte exports. cp1252 leaves five bytes undefined; a stray one must not
    # cost the user the whole file, so it becomes U+FFFD.
    return data.decode("cp1252", errors="replace")


def _looks_binary(sample: str) -> bool:
    """Whether the first characters of a text hold control characters no export has."""
    return bool(sample) and sum(ch in _CONTROL for ch in sample) > max(2, len(sample) // 100)


def _bomless_utf16(sample: bytes) -> str | None:
    """Recognise UTF-16 without a BOM by where its NUL bytes fall (mostly-ASCII text)."""
    even = sample[0::2]
    odd = sample[1::2]
    if not even or not odd:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


BLOCK = 1 << 20
"""Bytes read and decoded at a time when a file is streamed."""


class NotUtf8(Exception):
    """A stream taken for UTF-8 has a byte that is not: read it again as cp1252."""


def decode_stream(chunks: Iterable[bytes], *, legacy: bool = False) -> Iterator[str]:
    """Decode a file piece by piece, as ``decode_bytes`` decodes it whole.

    Yields text with newlines normalised and BOMs dropped, never splitting a CRLF. Raises
    ParseError as ``decode_bytes`` does (an empty file only once all of it was read), and
    NotUtf8 when text taken for UTF-8 turns out not to be; the caller then streams the file
    again with ``legacy=True`` (cp1252), as ``decode_bytes`` would have decoded it.
    """
    pieces = _lookahead(_nonempty(chunks))
    head = b""
    last = False
    # The encoding is chosen from the first _BINARY_SAMPLE bytes, as decode_bytes does.
    while len(head) < _BINARY_SAMPLE and not last:
        piece, last = next(pieces, (b"", True))
        head += piece
    if not head.strip() and last:
        raise ParseError("The file is empty.")
    encoding, skip = _encoding(head, legacy=legacy)
    errors = "replace" if encoding == "cp1252" else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    # Newlines are normalised on the decoded text, one pass in C. The newline decoder holds
    # back a CR that ends one piece, in case the next one starts with its LF. BOMs are
    # dropped first, as decode_bytes does (a BOM between CR and LF leaves one newline).
    newlines = io.IncrementalNewlineDecoder(None, translate=True)
    blank = True
    sampled = False
    piece = head[skip:]
    while True:
        try:
            text = decoder.decode(piece, final=last)
        except UnicodeDecodeError:
            if encoding == "utf-8" and not legacy:
                raise NotUtf8 from None
            if skip:
                raise ParseError(
                    f"The file starts like {encoding.upper()} text but is not valid {encoding}."
                ) from None
            raise ParseError(_BINARY) from None
        if not sampled:
            sampled = True
            # The first characters, CRs and BOMs still in, as decode_bytes looks at them.
            if _looks_binary(text[:_BINARY_SAMPLE]):
                raise ParseError(_BINARY)
        if "\ufeff" in text:
            text = text.replace("\ufeff", "")
        text = newlines.decode(text, final=last)
        if blank and text and not text.isspace():
            blank = False
        if text:
            yield text
        if last:
            break
        piece, last = next(pieces, (b"", True))
    if blank:
        raise ParseError("The file is empty.")


def _encoding(head: bytes, *, legacy: bool) -> tuple[str, int]:
    """The encoding of a file from its first bytes, and the length of its BOM (UTF-8 unless
    ``legacy``: then cp1252)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    if b"\x00" in head[:_BINARY_SAMPLE]:
        utf16 = _bomless_utf16(head[:_BINARY_SAMPLE])
        if utf16 is None:
            raise ParseError(_BINARY)
        return utf16, 0
    return ("cp1252" if legacy else "utf-8"), 0


def _nonempty(chunks: Iterable[bytes]) -> Iterator[bytes]:
    return (chunk for chunk in chunks if chunk)


def _lookahead(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Each piece with whether it is the last one."""
    previous = next(chunks, None)
    if previous is None:
        return
    for chunk in chunks:
        yield previous, False
        previous = chunk
    yield previous, True
