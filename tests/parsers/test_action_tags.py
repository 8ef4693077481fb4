"""Readwise action tags typed in notes on a Kindle, honoured in every format alike."""

from __future__ import annotations

import csv
import io

from bot.parsers import parse_text
from bot.parsers.records import Kind

CLIPPINGS = (
    "Meditations (Marcus Aurelius)\n"
    "- Your Highlight on page 17 | Location 402-404 | Added on Monday, May 1, 2023 9:00:00 AM\n\n"
    "Begin each day by telling yourself.\n"
    "==========\n"
    "Meditations (Marcus Aurelius)\n"
    "- Your Note on page 17 | Location 404 | Added on Monday, May 1, 2023 9:01:00 AM\n\n"
    ".stoicism .favorite on control\n"
    "==========\n"
    "Meditations (Marcus Aurelius)\n"
    "- Your Note on page 90 | Location 1500 | Added on Monday, May 1, 2023 9:02:00 AM\n\n"
    ".idea .discard a note of its own\n"
    "==========\n"
)


def test_kindle_clippings_notes() -> None:
    highlight, lone = parse_text(CLIPPINGS).highlights
    assert (highlight.kind, highlight.tags, highlight.favorite, highlight.notes) == (
        Kind.HIGHLIGHT,
        ["stoicism"],
        True,
        ["on control"],
    )
    assert (lone.kind, lone.text, lone.tags, lone.discarded) == (
        Kind.NOTE,
        "a note of its own",
        ["idea"],
        True,
    )


def test_readwise_csv_notes() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Highlight", "Book Title", "Note"])
    writer.writerow(["Begin each day.", "Meditations", ".stoicism .favorite on control"])
    [record] = parse_text(buffer.getvalue()).highlights
    assert (record.tags, record.favorite, record.notes) == (["stoicism"], True, ["on control"])
