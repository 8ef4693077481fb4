"""What ``commonplace import`` shows: a progress bar on a terminal, then the report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bot.library.importing import ImportReport, ProgressCallback
from bot.parsers import apple_books


@contextmanager
def progress(err: Console, *, enabled: bool) -> Iterator[ProgressCallback]:
    """A bar on ``err`` while the import runs, when it is a terminal and ``enabled``."""
    if not enabled or not err.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("Importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("import", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def print_report(out: Console, report: ImportReport) -> None:
    """The import's table of books, what was skipped and why, notices, and each file read."""
    table = Table(title=f"Imported {report.filename} ({report.format})", title_justify="left")
    table.add_column("Book")
    for column in ("New", "Duplicates", "Updated", "Notes", "Skipped"):
        table.add_column(column, justify="right")
    for book in report.books:
        name = f"{book.title} ({book.author})" if book.author else book.title
        table.add_row(
            name,
            *(str(n) for n in (book.new, book.duplicates, book.updated, book.notes)),
            str(len(book.skipped)),
        )
    table.add_section()
    table.add_row(
        "Total",
        *(str(n) for n in (report.new, report.duplicates, report.updated, report.notes)),
        str(len(report.all_skipped)),
    )
    out.print(table)
    reasons = Counter(skipped.reason for skipped in report.all_skipped)
    for reason, count in reasons.most_common():
        lines = [s.line for s in report.all_skipped if s.reason == reason][:5]
        where = ", ".join(str(line) for line in lines) + (", …" if count > len(lines) else "")
        out.print(f"Skipped {count}: {reason} (line {where})", highlight=False)
    for notice in report.notices:
        out.print(f"Note: {notice}", highlight=False)
    for file in report.files:
        read = f"{file.format}, {file.records} read" if file.format else f"not read: {file.problem}"
        if file.format == apple_books.LIBRARY:
            read = "Apple Books library, for titles and authors"
        out.print(f"File {file.name}: {read}", highlight=False)
