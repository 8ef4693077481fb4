"""Importing into a real database: idempotence, updates, flags, reports, transactions."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session, col

from bot.db import SessionFactory, unit_of_work
from bot.library.errors import ImportRejected
from bot.library.exporting import iter_library
from bot.library.importing import ImportReport, import_bytes, import_records
from bot.library.views import HighlightView
from bot.models import Book, Highlight, ImportRun, Note, Tag
from bot.parsers import Kind, LocationType, ParsedHighlight, ParseResult, Skipped

SEED = Path(__file__).parents[2] / "seeds" / "the-devops-handbook.txt"
CHAT = 1001
OTHER_CHAT = -100200300
LIMIT = 10 * 1024 * 1024


def clip(text: str, start: int, end: int | None = None, **fields: object) -> ParsedHighlight:
    """A Kindle-like highlight of one book at a location range."""
    values: dict[str, object] = {
        "book_title": "Thinking in Systems",
        "author": "Donella H. Meadows",
        "text": text,
        "location": f"{start}-{end}" if end else str(start),
        "location_type": LocationType.LOCATION,
        "location_start": start,
    }
    values.update(fields)
    return ParsedHighlight(**values)  # type: ignore[arg-type]


def run_import(
    sessions: SessionFactory, records: list[ParsedHighlight], chat_id: int = CHAT, **kw: object
) -> ImportReport:
    result = ParseResult(format="kindle_clippings", highlights=records, **kw)  # type: ignore[arg-type]
    with unit_of_work(sessions) as session:
        return import_records(session, chat_id=chat_id, result=result, filename="clips.txt")


def library(sessions: SessionFactory, chat_id: int = CHAT) -> list[HighlightView]:
    with sessions() as session:
        return list(iter_library(session, chat_id=chat_id))


def count(session: Session, model: type, chat_id: int | None = None) -> int:
    statement = select(func.count()).select_from(model)
    if chat_id is not None:
        statement = statement.where(model.chat_id == chat_id)  # type: ignore[attr-defined]
    return session.execute(statement).scalar_one()


def test_seed_imports_and_a_second_import_adds_nothing(sessions: SessionFactory) -> None:
    data = SEED.read_bytes()
    with unit_of_work(sessions) as session:
        first = import_bytes(session, chat_id=CHAT, data=data, max_bytes=LIMIT, filename="s.txt")
    assert first.format == "readwise_text"
    assert [(b.title, b.author) for b in first.books] == [("The DevOps Handbook", "")]
    assert first.new > 100
    assert first.notes > 10
    assert first.updated == 0
    before = library(sessions)

    with unit_of_work(sessions) as session:
        second = import_bytes(session, chat_id=CHAT, data=data, max_bytes=LIMIT, filename="s.txt")
    assert (second.new, second.updated, second.notes) == (0, 0, 0)
    assert second.duplicates == first.new + first.duplicates
    assert library(sessions) == before
    with sessions() as session:
        assert count(session, ImportRun, CHAT) == 2
        assert count(session, Highlight, CHAT) == first.new


def test_newer_clippings_add_only_what_is_new(sessions: SessionFactory) -> None:
    old = [clip("Stocks change over time.", 100, 101), clip("A system is more.", 200, 202)]
    run_import(sessions, old)
    newer = [*old, clip("Feedback loops rule.", 300, 301), clip("Delays matter.", 400)]
    report = run_import(sessions, newer)
    assert (report.new, report.duplicates, report.updated) == (2, 2, 0)
    assert [v.text for v in library(sessions)] == [
        "Stocks change over time.",
        "A system is more.",
        "Feedback loops rule.",
        "Delays matter.",
    ]


def test_exact_repeats_in_one_file_collapse_and_merge(sessions: SessionFactory) -> None:
    report = run_import(
        sessions,
        [
            clip("Same words.", 10, tags=["a"], notes=["first note"]),
            clip("Same   words.", 10, tags=["b"], notes=["first  note", "second note"]),
        ],
    )
    assert (report.new, report.duplicates) == (1, 1)
    [view] = library(sessions)
    assert view.tags == ["a", "b"]
    assert view.notes == ["first note", "second note"]


def test_device_edit_updates_the_stored_highlight(sessions: SessionFactory) -> None:
    run_import(sessions, [clip("The least obvious part", 280, 283, notes=["why?"])])
    with unit_of_work(sessions) as session:
        highlight = session.scalars(select(Highlight)).one()
        highlight.discarded = True
        original_id = highlight.id
    report = run_import(
        sessions, [clip("The least obvious part of the system, its function", 280, 286)]
    )
    assert (report.new, report.updated, report.duplicates) == (0, 1, 0)
    [view] = library(sessions)
    assert view.id == original_id
    assert view.text == "The least obvious part of the system, its function"
    assert view.location == "280-286"
    assert view.notes == ["why?"]
    assert view.discarded is True


def test_same_start_but_different_words_is_a_new_highlight(sessions: SessionFactory) -> None:
    run_import(sessions, [clip("One sentence here.", 500)])
    report = run_import(sessions, [clip("A different sentence.", 500)])
    assert (report.new, report.updated) == (1, 0)


def test_discarded_stays_discarded_and_flags_only_switch_on(sessions: SessionFactory) -> None:
    run_import(sessions, [clip("Keep me out.", 1), clip("Love this.", 2)])
    with unit_of_work(sessions) as session:
        rows = {h.text: h for h in session.scalars(select(Highlight))}
        rows["Keep me out."].discarded = True
    report = run_import(sessions, [clip("Keep me out.", 1), clip("Love this.", 2, favorite=True)])
    assert (report.duplicates, report.updated) == (1, 1)
    flags = {v.text: (v.favorite, v.discarded) for v in library(sessions)}
    assert flags == {"Keep me out.": (False, True), "Love this.": (True, False)}


def test_reimport_adds_new_tags_and_notes_to_existing_highlights(sessions: SessionFactory) -> None:
    run_import(sessions, [clip("Words.", 1, tags=["systems"], notes=["n1"])])
    report = run_import(
        sessions, [clip("Words.", 1, tags=["systems", "loops"], notes=["n1", "n2"])]
    )
    assert (report.new, report.updated, report.duplicates, report.notes) == (0, 1, 0, 1)
    [view] = library(sessions)
    assert view.tags == ["loops", "systems"]
    assert view.notes == ["n1", "n2"]


def test_report_is_per_book_with_skipped_reasons(sessions: SessionFactory) -> None:
    records = [
        clip("A.", 1),
        clip("B.", 2, notes=["note on b"]),
        clip("C.", 3, book_title="Other Book", author="Someone"),
    ]
    skipped = [
        Skipped(reason="bookmark", line=40, book_title="Other Book"),
        Skipped(reason="clipping limit reached", line=50, book_title="Never Highlighted"),
        Skipped(reason="unrecognised header", line=60),
    ]
    report = run_import(sessions, records, skipped=skipped)
    summary = [(b.title, b.new, b.notes, [s.line for s in b.skipped]) for b in report.books]
    assert summary == [
        ("Thinking in Systems", 2, 1, []),
        ("Other Book", 1, 0, [40]),
        ("Never Highlighted", 0, 0, [50]),
    ]
    assert [s.line for s in report.skipped] == [60]
    assert len(report.all_skipped) == 3


def test_lone_note_is_kept(sessions: SessionFactory) -> None:
    run_import(sessions, [ParsedHighlight(book_title="B", text="My own thought", kind=Kind.NOTE)])
    [view] = library(sessions)
    assert (view.kind, view.text, view.notes) == ("note", "My own thought", [])


def test_tags_are_per_chat_and_lower_case(sessions: SessionFactory) -> None:
    run_import(sessions, [clip("X.", 1, tags=["deep-work"])], chat_id=CHAT)
    run_import(sessions, [clip("X.", 1, tags=["deep-work"])], chat_id=OTHER_CHAT)
    with sessions() as session:
        assert count(session, Tag, CHAT) == 1
        assert count(session, Tag, OTHER_CHAT) == 1
        assert count(session, Book, OTHER_CHAT) == 1
    assert [v.tags for v in library(sessions, OTHER_CHAT)] == [["deep-work"]]


def test_failed_import_changes_nothing(sessions: SessionFactory) -> None:
    run_import(sessions, [clip("Already here.", 1)])
    with pytest.raises(ImportRejected, match="empty"), unit_of_work(sessions) as session:
        import_bytes(session, chat_id=CHAT, data=b"  \n\n", max_bytes=LIMIT)
    with pytest.raises(ImportRejected, match="limit"), unit_of_work(sessions) as session:
        import_bytes(session, chat_id=CHAT, data=SEED.read_bytes(), max_bytes=1000)
    # A failure after rows were written rolls all of them back.
    _import_failing_at_the_end(sessions, clip("New one.", 2))
    assert [v.text for v in library(sessions)] == ["Already here."]
    with sessions() as session:
        assert count(session, ImportRun, CHAT) == 1


def _import_failing_at_the_end(sessions: SessionFactory, record: ParsedHighlight) -> None:
    with pytest.raises(RuntimeError), unit_of_work(sessions) as session:
        import_records(
            session,
            chat_id=CHAT,
            result=ParseResult(format="x", highlights=[record]),
            progress=_explode_at_the_end,
        )


def _explode_at_the_end(done: int, total: int) -> None:
    if done == total:
        raise RuntimeError("the machine lost power")


def test_the_collector_is_paused_while_importing_and_back_after_even_a_failure(
    sessions: SessionFactory,
) -> None:
    paused: list[bool] = []
    with unit_of_work(sessions) as session:
        import_records(
            session,
            chat_id=CHAT,
            result=ParseResult(format="x", highlights=[clip("Kept.", 1)]),
            progress=lambda done, total: paused.append(not gc.isenabled()),
        )
    assert paused and all(paused)
    assert gc.isenabled()
    _import_failing_at_the_end(sessions, clip("Lost.", 2))
    assert gc.isenabled()


def test_progress_reports_every_chunk(sessions: SessionFactory) -> None:
    calls: list[tuple[int, int]] = []
    records = [clip(f"Highlight number {i}.", i) for i in range(4500)]
    with unit_of_work(sessions) as session:
        import_records(
            session,
            chat_id=CHAT,
            result=ParseResult(format="kindle_clippings", highlights=records),
            progress=lambda done, total: calls.append((done, total)),
        )
    assert calls == [(0, 4500), (2000, 4500), (4000, 4500), (4500, 4500)]


def test_storable_whatever_the_parser_hands_over(sessions: SessionFactory) -> None:
    odd = ParsedHighlight(
        book_title="  \x00 ",
        text="nul\x00inside",
        location="9" * 80,
        location_start=10**15,
        color="x" * 200,
        tags=["ok", "\x00"],
        notes=["n\x00"],
        highlighted_at=datetime(2024, 8, 22, 19, 1, 4, tzinfo=UTC),
    )
    run_import(sessions, [odd])
    [view] = library(sessions)
    assert (view.book_title, view.text, view.tags, view.notes) == (
        "Unknown book",
        "nulinside",
        ["ok"],
        ["n"],
    )
    assert view.highlighted_at == datetime(2024, 8, 22, 19, 1, 4, tzinfo=UTC)
    with sessions() as session:
        stored = session.execute(select(col(Highlight.location_start))).scalar_one()
        assert stored is None
        assert count(session, Note) == 1


def test_rows_written_in_bulk_match_what_sqlalchemy_stores(sessions: SessionFactory) -> None:
    # New highlights and notes go in through the driver (executemany, COPY), not through
    # the column types: the stored values must still be the ones SQLAlchemy binds.
    at = datetime(2024, 8, 22, 21, 1, 4, 123456, tzinfo=timezone(timedelta(hours=2)))
    utc = datetime(2024, 8, 22, 19, 1, 4, 123456, tzinfo=UTC)
    run_import(sessions, [clip("Stamped.", 5, 7, highlighted_at=at, favorite=True, notes=["n"])])
    [view] = library(sessions)
    assert (view.highlighted_at, view.favorite, view.discarded, view.notes) == (
        utc,
        True,
        False,
        ["n"],
    )
    with sessions() as session:
        # SQLAlchemy binds the same instant: equal only if it was stored in the same form.
        found = select(func.count()).where(col(Highlight.highlighted_at) == utc)
        assert session.execute(found).scalar_one() == 1
        highlight = session.execute(select(Highlight)).scalar_one()
        note = session.execute(select(Note)).scalar_one()
        before = datetime.now(UTC)
        for stamp in (highlight.created_at, highlight.updated_at, note.created_at):
            assert stamp.tzinfo is not None
            assert before - timedelta(minutes=5) < stamp <= before
        assert (highlight.pending, highlight.location, highlight.location_start) == (
            True,
            "5-7",
            5,
        )
        fresh = select(func.count()).where(col(Highlight.created_at) <= before)
        assert session.execute(fresh).scalar_one() == 1


def test_a_naive_timestamp_is_refused_and_nothing_is_stored(sessions: SessionFactory) -> None:
    run_import(sessions, [clip("Already here.", 1)])
    naive = clip("No zone.", 2, highlighted_at=datetime(2024, 8, 22, 19, 1, 4))  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        run_import(sessions, [clip("Fine.", 3), naive])
    assert [v.text for v in library(sessions)] == ["Already here."]


def test_the_import_page_cache_is_given_back(sessions: SessionFactory) -> None:
    # An import on SQLite writes with a 32 MB page cache; the pooled connection must get
    # its own size back afterwards, also when the import fails.
    with sessions() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("SQLite's page cache only")

        def cache_size() -> int:
            return int(session.execute(text("PRAGMA cache_size")).scalar_one())

        session.execute(text("PRAGMA cache_size = -1234"))
        while_writing: list[int] = []
        import_records(
            session,
            chat_id=CHAT,
            result=ParseResult(format="x", highlights=[clip("One.", 1)]),
            progress=lambda done, total: done and while_writing.append(cache_size()),
        )
        assert while_writing == [-32 * 1024]
        assert cache_size() == -1234
        with pytest.raises(RuntimeError):
            import_records(
                session,
                chat_id=CHAT,
                result=ParseResult(format="x", highlights=[clip("Two.", 2)]),
                progress=_explode_at_the_end,
            )
        assert cache_size() == -1234


KINDLE = Path(__file__).parents[1] / "fixtures" / "kindle"


def import_fixture(sessions: SessionFactory, name: str) -> ImportReport:
    data = (KINDLE / name).read_bytes()
    with unit_of_work(sessions) as session:
        return import_bytes(session, chat_id=CHAT, data=data, max_bytes=LIMIT, filename=name)


def test_lone_notes_with_the_same_words_at_different_places_are_all_kept(
    sessions: SessionFactory,
) -> None:
    first = import_fixture(sessions, "same_text_notes.txt")
    assert (first.new, first.notes) == (4, 2)
    assert [(v.kind, v.text, v.location, v.notes) for v in library(sessions)] == [
        ("highlight", "The wren sings loudest where the hedge is thickest.", "95-100", ["V"]),
        ("highlight", "A robin will defend a garden against its own reflection.", "190-200", ["V"]),
        ("note", "C", "300", []),
        ("note", "C", "400", []),
    ]
    before = library(sessions)
    again = import_fixture(sessions, "same_text_notes.txt")
    assert (again.new, again.updated, again.notes, again.duplicates) == (0, 0, 0, 4)
    assert library(sessions) == before


def test_the_same_lone_note_at_the_same_place_is_one_note(sessions: SessionFactory) -> None:
    note = {"kind": Kind.NOTE, "book_title": "B"}
    report = run_import(
        sessions,
        [
            clip("!!", 10, **note),
            clip("!!", 10, **note),
            clip("!!", 12, **note),
            ParsedHighlight(book_title="B", text="!!", kind=Kind.NOTE),
        ],
    )
    assert (report.new, report.duplicates) == (3, 1)
    assert [v.location for v in library(sessions)] == ["10", "12", None]


def test_an_edit_that_moved_the_start_updates_the_stored_highlight(
    sessions: SessionFactory,
) -> None:
    run_import(sessions, [clip("the river bent twice before the mill", 100, 101, notes=["n"])])
    report = run_import(
        sessions,
        [
            clip("At dusk the river bent twice before the mill", 99, 101),
            clip("When the ledger said (US) it meant dollars.", 100, 101),
        ],
    )
    assert (report.new, report.updated) == (1, 1)
    assert [(v.text, v.location, v.notes) for v in library(sessions)] == [
        ("At dusk the river bent twice before the mill", "99-101", ["n"]),
        ("When the ledger said (US) it meant dollars.", "100-101", []),
    ]


def test_an_edit_whose_ends_both_moved_updates_the_stored_highlight(
    sessions: SessionFactory,
) -> None:
    run_import(sessions, [clip("The orchard keeper never sold the winter pears", 400, 403)])
    report = run_import(
        sessions, [clip("never sold the winter pears to anyone in town.", 402, 406)]
    )
    assert (report.new, report.updated) == (0, 1)
    [view] = library(sessions)
    assert view.location == "402-406"


def test_a_page_only_edit_updates_the_stored_highlight(sessions: SessionFactory) -> None:
    page = {"location_type": LocationType.PAGE}
    run_import(sessions, [clip("A passage in a PDF", 12, **page)])
    report = run_import(sessions, [clip("A passage in a PDF, edited to run on.", 12, 13, **page)])
    assert (report.new, report.updated) == (0, 1)
    [view] = library(sessions)
    assert (view.location, view.location_type) == ("12-13", "page")


def test_a_missing_last_separator_is_in_the_report(sessions: SessionFactory) -> None:
    report = import_fixture(sessions, "no_last_separator.txt")
    assert report.new == 2
    [notice] = report.notices
    assert "'=========='" in notice
    assert "line 6" in notice
