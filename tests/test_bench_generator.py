"""The benchmark generator: the same seed gives the same file, and the real parser reads it."""

from __future__ import annotations

import io
import random
import statistics
from datetime import UTC, datetime

from bench.generate import (
    LANGUAGES,
    ClippingsStats,
    LibrarySpec,
    Vocabulary,
    details_line,
    highlight_length,
    library,
    write_clippings,
)
from bot.parsers import Kind, LocationType, parse_bytes, parse_text


def clippings(records: int, seed: int) -> tuple[str, ClippingsStats]:
    out = io.StringIO()
    stats = write_clippings(out, records=records, seed=seed)
    return out.getvalue(), stats


def test_the_same_seed_writes_the_same_file_and_another_seed_another() -> None:
    first, _ = clippings(400, seed=3)
    again, _ = clippings(400, seed=3)
    other, _ = clippings(400, seed=4)
    assert first == again
    assert first != other


def test_the_file_parses_with_the_counts_the_generator_promised() -> None:
    text, stats = clippings(3_000, seed=11)
    result = parse_bytes(text.encode("utf-8"))

    assert result.format == "kindle_clippings"
    assert stats.records == 3_000
    # Every record is accounted for: a kept entry, a note on one, a skip, the older version
    # of an edit or a repeat of an earlier highlight.
    parts = (
        stats.highlights,
        stats.lone_notes,
        stats.attached_notes,
        stats.tag_notes,
        stats.skipped,
    )
    assert sum(parts) + stats.edits + stats.repeats == 3_000
    assert len(result.highlights) == stats.entries
    assert sum(r.kind is Kind.NOTE for r in result.highlights) == stats.lone_notes
    assert sum(len(r.notes) for r in result.highlights) == stats.attached_notes
    # A note of action tags alone tags its highlight (at least one new tag each, or a repeat).
    assert 0 < sum(bool(r.tags) for r in result.highlights) <= stats.tag_notes
    assert len(result.skipped) == stats.skipped
    assert min(stats.edits, stats.repeats, stats.bookmarks, stats.placeholders) > 0
    assert len(stats.languages) >= 4


def test_details_lines_read_in_every_device_language() -> None:
    when = datetime(2024, 8, 22, 18, 27, 17, tzinfo=UTC)
    for language in LANGUAGES:
        highlight = details_line(language, 0, 115, 1323, 1325, when)
        note = details_line(language, 1, 115, 1325, None, when)
        text = (
            f"Book (Author)\n{highlight}\n\nThe passage.\n==========\n"
            f"Book (Author)\n{note}\n\nMy note.\n==========\n"
        )
        [record] = parse_text(text).highlights
        assert record.location == "1323-1325", language
        assert record.location_type is LocationType.LOCATION, language
        assert record.highlighted_at == when, language
        assert record.notes == ["My note."], language


def test_highlight_lengths_have_a_long_tail() -> None:
    rng = random.Random(1)
    lengths = [highlight_length(rng) for _ in range(20_000)]
    assert 120 <= statistics.median(lengths) <= 200
    assert max(lengths) > 3_000
    assert min(lengths) >= 12


def test_libraries_are_reproducible_with_tags_notes_and_unique_text() -> None:
    words = Vocabulary(random.Random(2))
    spec = LibrarySpec(size=600)
    first = list(library(5, spec, words))
    again = list(library(5, spec, words))

    assert [r.text for r in first] == [r.text for r in again]
    assert len({(r.book_title, r.text) for r in first}) == 600
    assert sum(bool(r.tags) for r in first) > 100
    assert sum(bool(r.notes) for r in first) > 20
    assert len({r.book_title for r in first}) > 3
