"""Import: a generated Kobo ``KoboReader.sqlite`` of 100,000 bookmarks, end to end.

The database is made once (sqlite3, the tables and columns of docs/formats.md "Kobo") and
imported by its path in a child process of its own, as ``bench.importing`` does for a
Kindle file, so the peak memory is the import's: copy, query, store, index and commit.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
from pathlib import Path

from bench.common import BACKENDS, WORK, Recorder, Sizes
from bench.generate import STOP_WORDS
from bench.importing import import_in_child

SEED = 2026
BOOKS = 100


def kobo_file(bookmarks: int) -> tuple[Path, int, int]:
    """The generated database for this size (made once): path, highlights, notes."""
    path = WORK / f"kobo-{bookmarks}-seed{SEED}.sqlite"
    meta = path.with_suffix(".json")
    if not path.exists() or not meta.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        meta.write_text(json.dumps(_generate(path, bookmarks)))
    counts = json.loads(meta.read_text())
    return path, counts["highlights"], counts["notes"]


def _generate(path: Path, bookmarks: int) -> dict[str, int]:
    rng = random.Random(SEED)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE Bookmark (BookmarkID TEXT PRIMARY KEY, VolumeID TEXT, ContentID TEXT, "
        "Text TEXT, Annotation TEXT, DateCreated TEXT, ChapterProgress REAL, Hidden BOOL, "
        "Type TEXT, Color INTEGER)"
    )
    connection.execute(
        "CREATE TABLE content (ContentID TEXT, ContentType TEXT, Title TEXT, Attribution TEXT, "
        "VolumeIndex INTEGER)"
    )
    volume = "file:///mnt/onboard/Author {0}/Book {0}.kepub.epub"
    chapter = volume + "!!ch{1}.xhtml"
    for book in range(BOOKS):
        connection.execute(
            "INSERT INTO content VALUES (?, 6, ?, ?, NULL)",
            (volume.format(book), f"Book {book}", f"Author {book}"),
        )
        connection.executemany(
            "INSERT INTO content VALUES (?, 9, ?, NULL, ?)",
            [(chapter.format(book, c), f"Chapter {c}", c) for c in range(20)],
        )
    highlights = notes = 0
    rows = []
    for n in range(bookmarks):
        book = n % BOOKS
        kind = "dogear" if n % 50 == 0 else ("note" if n % 10 == 0 else "highlight")
        text = (
            None
            if kind == "dogear"
            else f"Highlight {n}: "
            + " ".join(rng.choice(STOP_WORDS) for _ in range(rng.randint(8, 40)))
        )
        note = f"My note on {n}" if kind == "note" else None
        highlights += kind != "dogear"
        notes += kind == "note"
        rows.append(
            (
                f"id{n}",
                volume.format(book),
                chapter.format(book, n % 20),
                text,
                note,
                f"2024-03-{1 + n % 28:02d}T09:15:02.000",
                rng.random(),
                "false",
                kind,
                n % 4,
            )
        )
    connection.executemany("INSERT INTO Bookmark VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    connection.commit()
    connection.close()
    return {"highlights": highlights, "notes": notes}


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """Import the generated database end to end into each backend."""
    path, highlights, notes = kobo_file(sizes.clippings_records)
    print(f"  file: {path} ({path.stat().st_size / 2**20:.1f} MB)", flush=True)
    for backend in backends:
        measured = import_in_child(backend, path, database="kobo")
        if (measured.new, measured.notes) != (highlights, notes):
            raise AssertionError(f"imported {measured}, expected {highlights}, {notes} notes")
        # The issue sets the rate for SQLite; PostgreSQL's is shown beside it.
        at_least = 10_000 if backend == "sqlite" else None
        measured.record(recorder, "Kobo database import", backend=backend, at_least=at_least)


def main() -> None:
    """``python -m bench.kobo [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.kobo")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args()
    recorder = Recorder("kobo import", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
