"""Two files imported into one chat at the same moment (two uploads, or the bot and the CLI)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlmodel import col

from bot.db import SessionFactory, unit_of_work
from bot.library.importing import ImportReport, import_records
from bot.models import Book, Highlight
from bot.parsers import ParsedHighlight, ParseResult

CHAT = 11


def records(books: list[str], per_book: int) -> ParseResult:
    """Highlights numbered per book, so two files on one book share their passages."""
    highlights = [
        ParsedHighlight(book_title=book, text=f"{book}, passage {n}", location_start=n)
        for book in books
        for n in range(per_book)
    ]
    return ParseResult("test", highlights)


def test_two_imports_at_once_both_land_and_share_their_new_book(
    sessions: SessionFactory,
) -> None:
    # Both files bring the book "Shared", which the chat does not have yet: each import
    # would create it. The second must wait for the first instead of failing on the
    # book's unique key, and must then find its passages already there. (The chat exists
    # already: creating it would make the second import wait on its own.)
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=CHAT, result=records(["Earlier"], 1))
    files = [records(["First", "Shared"], 1500), records(["Shared", "Third"], 1500)]
    start = threading.Barrier(len(files))
    reports: list[ImportReport] = []
    errors: list[BaseException] = []

    def upload(result: ParseResult) -> None:
        try:
            start.wait()
            with unit_of_work(sessions) as session:
                reports.append(import_records(session, chat_id=CHAT, result=result))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(result,)) for result in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(report.new for report in reports) == [1500 * 2 - 1500, 1500 * 2]
    assert sum(report.duplicates for report in reports) == 1500
    with sessions() as session:
        titles = session.execute(
            select(col(Book.title)).where(col(Book.chat_id) == CHAT).order_by(col(Book.title))
        ).scalars()
        assert list(titles) == ["Earlier", "First", "Shared", "Third"]
        stored = session.execute(
            select(func.count()).select_from(Highlight).where(col(Highlight.chat_id) == CHAT)
        ).scalar_one()
        assert stored == 1 + 1500 * 3
