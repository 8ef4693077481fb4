"""Import: a generated ``My Clippings.txt`` parsed alone, then imported end to end.

Each end-to-end import runs in a child process of its own, so its peak memory
(``VmHWM``) is the import's and nothing else's: read the file, decode, parse, store, index
for search and commit, into an empty migrated database. The child imports the file by its
path, as ``python -m bot import`` does: ``import_file`` reads it a block at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bench.common import (
    BACKENDS,
    WORK,
    Recorder,
    Sizes,
    Stopwatch,
    fresh_database,
    peak_rss_mb,
)
from bench.generate import clippings_file
from bot import db
from bot.parsers import parse_bytes

SEED = 2026
CHAT = 4242
ROUNDS = 3


def clippings(records: int) -> tuple[Path, int, int]:
    """The generated file for this size (made once): path, expected entries, records."""
    path = WORK / f"clippings-{records}-seed{SEED}.txt"
    meta = path.with_suffix(".json")
    if not path.exists() or not meta.exists():
        stats = clippings_file(path, records=records, seed=SEED)
        meta.write_text(json.dumps({"entries": stats.entries, "records": stats.records}))
    counts = json.loads(meta.read_text())
    return path, counts["entries"], counts["records"]


def child(url: str, path: Path) -> None:
    """Import one file into the database at ``url`` and print what it took, as JSON."""
    engine = db.create_db_engine(url)
    sessions = db.session_factory(engine)
    from bot.library.importing import import_file

    before = peak_rss_mb()
    start = time.perf_counter()
    with db.unit_of_work(sessions) as session:
        report = import_file(
            session, chat_id=CHAT, path=path, max_bytes=1 << 31, filename=path.name
        )
    seconds = time.perf_counter() - start
    engine.dispose()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "new": report.new,
                "notes": report.notes,
                "peak_mb": peak_rss_mb(),
                "before_mb": before,
            }
        )
    )


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """Parse alone, then import end to end into each backend."""
    path, entries, records = clippings(sizes.clippings_records)
    data = path.read_bytes()
    print(f"  file: {path} ({len(data) / 2**20:.1f} MB, {records:,} records)", flush=True)
    best = best_parse_seconds(data, entries=entries)
    recorder.add(
        "parse (decode, detect, parse), records/s",
        records / best,
        "records/s",
        at_least=100_000,
        note=f"best of {ROUNDS}: {best:.2f} s for {records:,} records",
    )
    for backend in backends:
        measured = import_in_child(backend, path, database="import")
        if measured.new != entries:
            raise AssertionError(f"imported {measured.new}, expected {entries}")
        # PostgreSQL's rate has no target of its own: it is held to its floor (below).
        at_least = 20_000 if backend == "sqlite" else None
        measured.record(recorder, "import", backend=backend, at_least=at_least)
        if measured.floor_seconds is not None:
            recorder.add(
                "import time / PostgreSQL's text search parsing",
                measured.seconds / measured.floor_seconds,
                "x",
                at_most=1.5,
                backend=backend,
                note=f"import {measured.seconds:.2f} s; to_tsvector of the same texts in the "
                f"same database {measured.floor_seconds:.2f} s",
            )


def best_parse_seconds(data: bytes, *, entries: int, format: str | None = None) -> float:
    """The best of ``ROUNDS`` parses of ``data`` (decode, detect, parse), each checked to give
    ``entries`` records, in ``format`` when one is named."""
    timings = []
    for _ in range(ROUNDS):
        with Stopwatch() as watch:
            result = parse_bytes(data)
        timings.append(watch.seconds)
        if (format is not None and result.format != format) or len(result.highlights) != entries:
            raise AssertionError(
                f"parsed {len(result.highlights)} entries ({result.format}), expected {entries}"
            )
    return min(timings)


@dataclass(frozen=True, slots=True)
class Imported:
    """What one import in a child process took."""

    seconds: float
    new: int
    notes: int
    peak_mb: float
    before_mb: float
    cpu_seconds: float
    """The child's CPU time, whole process: on a shared machine it tells a slow wall clock
    from a slow import."""
    floor_seconds: float | None = None
    """On PostgreSQL, what its own text search parsing of the imported texts takes."""

    def record(
        self, recorder: Recorder, label: str, *, backend: str, at_least: float | None
    ) -> None:
        """The import's rate and its peak memory (at most 300 MB), as two results."""
        recorder.add(
            f"{label} end to end, highlights/s",
            self.new / self.seconds,
            "highlights/s",
            at_least=at_least,
            backend=backend,
            note=f"{self.new:,} highlights and {self.notes:,} notes in {self.seconds:.2f} s "
            f"(child CPU {self.cpu_seconds:.1f} s; load average {os.getloadavg()[0]:.1f})",
        )
        recorder.add(
            f"{label} peak memory (child process)",
            self.peak_mb,
            "MB",
            at_most=300,
            backend=backend,
            note=f"{self.before_mb:.0f} MB before the import began",
        )


def import_in_child(backend: str, path: Path, *, database: str) -> Imported:
    """Import ``path`` into a fresh ``backend`` database in a child process of its own (see
    the module's docstring) and say what it took."""
    with fresh_database(backend, database) as engine:
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = subprocess.run(
            [sys.executable, "-m", "bench.importing", "--child", url, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        floor = text_search_floor(url) if backend == "postgres" else None
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    measured = json.loads(output.strip().splitlines()[-1])
    return Imported(**measured, cpu_seconds=cpu, floor_seconds=floor)


def text_search_floor(url: str) -> float:
    """Seconds PostgreSQL takes to parse the imported highlights' and notes' texts with the
    bot's text search configuration, in one backend: no import into PostgreSQL can index
    them faster. Best of three."""
    engine = db.create_db_engine(url)
    statement = text(
        "SELECT sum(length(to_tsvector('commonplace', t))) FROM "
        "(SELECT text AS t FROM highlight UNION ALL SELECT text FROM note) AS texts"
    )
    timings = []
    try:
        with engine.connect() as connection:
            # The import's INSERT ... SELECT never runs in parallel workers; neither may this.
            connection.execute(text("SET max_parallel_workers_per_gather = 0"))
            for _ in range(3):
                with Stopwatch() as watch:
                    connection.execute(statement).scalar_one()
                timings.append(watch.seconds)
    finally:
        engine.dispose()
    return min(timings)


def main() -> None:
    """``python -m bench.importing [--quick]`` (or ``--child URL FILE`` inside the run)."""
    parser = argparse.ArgumentParser(prog="python -m bench.importing")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    recorder = Recorder("import", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
