"""Import of a KOReader exporter JSON with many entries, parsed alone, then end to end.

The file is the exporter's ``{"documents": [...]}`` layout, one document per book, made from
the same synthetic library as the other benchmarks (``generate.library``): its highlights,
their notes, pages and dates. Each end-to-end import runs in a child process of its own
(``bench.importing``'s child), so its peak memory is the import's alone.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.common import BACKENDS, WORK, Recorder, Sizes
from bench.generate import LibrarySpec, library
from bench.importing import ROUNDS, best_parse_seconds, import_in_child
from bot.parsers import koreader_json

SEED = 2026


def export_file(entries: int) -> Path:
    """The generated export for this size (made once)."""
    path = WORK / f"koreader-{entries}-seed{SEED}.json"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    books: dict[tuple[str, str], list[dict[str, object]]] = {}
    for number, record in enumerate(library(SEED, LibrarySpec(size=entries)), start=1):
        entry: dict[str, object] = {
            "sort": "highlight",
            "text": record.text,
            "chapter": f"Chapter {number % 40 + 1}",
            "page": record.location_start,
            "time": int(record.highlighted_at.timestamp()) if record.highlighted_at else 0,
            "drawer": "lighten",
        }
        if record.notes:
            entry["note"] = record.notes[0]
        books.setdefault((record.book_title, record.author), []).append(entry)
    documents = [
        {"title": title, "author": author, "entries": items}
        for (title, author), items in books.items()
    ]
    document = {"created_on": 1714441072, "version": "json/1.0.0", "documents": documents}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """Parse alone, then import end to end into each backend."""
    entries = sizes.clippings_records
    path = export_file(entries)
    data = path.read_bytes()
    print(f"  file: {path} ({len(data) / 2**20:.1f} MB, {entries:,} entries)", flush=True)
    best = best_parse_seconds(data, entries=entries, format=koreader_json.NAME)
    recorder.add(
        "KOReader JSON parse (decode, detect, parse), entries/s",
        entries / best,
        "entries/s",
        note=f"best of {ROUNDS}: {best:.2f} s for {entries:,} entries",
    )
    for backend in backends:
        measured = import_in_child(backend, path, database="koreader")
        if measured.new != entries:
            raise AssertionError(f"imported {measured.new}, expected {entries}")
        # The issue sets the rate for SQLite; PostgreSQL's is shown beside it.
        at_least = 10_000 if backend == "sqlite" else None
        measured.record(recorder, "KOReader JSON import", backend=backend, at_least=at_least)


def main() -> None:
    """``python -m bench.koreader [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.koreader")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args()
    recorder = Recorder("koreader import", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
