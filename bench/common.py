"""What every benchmark shares: sizes, results, percentiles, databases and the machine."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from bot import db

WORK = Path(os.environ.get("COMMONPLACE_BENCH_DIR", "/tmp/commonplace-bench"))
POSTGRES_SERVER = os.environ.get(
    "COMMONPLACE_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgres")


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each benchmark runs: the issue's sizes, or small ones for ``--quick``."""

    clippings_records: int
    library_chats: int
    library_total: int
    big_chat: int
    search_queries: int
    picks: int
    fanout_limited_chats: int
    fanout_unlimited_chats: int
    command_chats: int
    commands_per_chat: int

    @classmethod
    def get(cls, quick: bool) -> Sizes:
        """The sizes of a full or a quick run."""
        if quick:
            return cls(5_000, 20, 20_000, 5_000, 40, 200, 300, 1_000, 10, 10)
        return cls(100_000, 1_000, 1_000_000, 100_000, 200, 2_000, 10_000, 10_000, 50, 40)


@dataclass(slots=True)
class Result:
    """One measured figure, beside its target when it has one."""

    benchmark: str
    figure: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    backend: str = ""
    note: str = ""


class Recorder:
    """Collects a benchmark's results and appends them to the run's results file."""

    def __init__(self, benchmark: str, path: Path | None) -> None:
        self.benchmark = benchmark
        self.path = path
        self.results: list[Result] = []

    def add(
        self,
        figure: str,
        value: float,
        unit: str,
        *,
        at_least: float | None = None,
        at_most: float | None = None,
        backend: str = "",
        note: str = "",
    ) -> Result:
        """Record a figure; with ``at_least``/``at_most`` it is checked against its target."""
        target = ""
        met: bool | None = None
        if at_least is not None:
            target, met = f">= {_number(at_least)} {unit}", value >= at_least
        elif at_most is not None:
            target, met = f"<= {_number(at_most)} {unit}", value <= at_most
        result = Result(self.benchmark, figure, value, unit, target, met, backend, note)
        self.results.append(result)
        mark = "" if met is None else ("  MET" if met else "  NOT MET")
        where = f" [{backend}]" if backend else ""
        print(f"  {figure}{where}: {_number(value)} {unit}{mark}", flush=True)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(asdict(result)) + "\n")
        return result


def _number(value: float) -> str:
    if value >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def percentile(samples: Sequence[float], share: float) -> float:
    """The ``share`` percentile (0..100) of the samples, interpolated."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(share) - 1]


def read_results(path: Path) -> list[Result]:
    """Every result a run appended to ``path``."""
    if not path.exists():
        return []
    return [Result(**json.loads(line)) for line in path.read_text().splitlines() if line]


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Read from /proc (VmHWM), which starts afresh when a program is executed; getrusage's
    ru_maxrss would still hold the parent's peak from before the fork.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int) -> float:
    """A process's current resident memory, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for process {pid}")


class Stopwatch:
    """``with Stopwatch() as watch: ...`` then ``watch.seconds``."""

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


# -- databases -------------------------------------------------------------------------------


def sqlite_url(name: str) -> str:
    """A SQLite database file under the benchmark folder."""
    WORK.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{WORK / name}"


def postgres_url(name: str) -> str:
    """The URL of a database on the benchmark PostgreSQL server."""
    admin = create_engine(POSTGRES_SERVER)
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    admin.dispose()
    return str(url)


def create_postgres(name: str) -> str:
    """(Re)create an empty PostgreSQL database; its URL."""
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_url(name)


def drop_postgres(name: str) -> None:
    """Drop a benchmark database if it exists."""
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def postgres_exists(name: str) -> bool:
    """Whether the benchmark server has this database."""
    admin = create_engine(POSTGRES_SERVER)
    with admin.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
    admin.dispose()
    return found is not None


@contextmanager
def fresh_database(backend: str, label: str) -> Iterator[Engine]:
    """An empty, migrated database of ``backend`` for one benchmark, removed afterwards."""
    name = f"commonplace_bench_{label}_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        path = WORK / f"{name}.db"
        WORK.mkdir(parents=True, exist_ok=True)
        engine = db.create_db_engine(f"sqlite:///{path}")
    else:
        engine = db.create_db_engine(create_postgres(name))
    try:
        db.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            drop_postgres(name)


def analyze(engine: Engine) -> None:
    """Give PostgreSQL's planner the statistics autovacuum gathers within a minute of a
    large change. Without them it guesses a batch's statements far costlier than they are,
    past ``jit_above_cost``, and spends about 20 ms compiling each one. SQLite is left as
    the bot leaves it: the bot never gathers statistics there."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def engine_for(url: str) -> Engine:
    """An engine configured exactly as the bot configures its own."""
    return db.create_db_engine(url)


# -- the machine -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) // (1024 * 1024)
    sqlite_version = subprocess.run(
        [sys.executable, "-c", "import sqlite3; print(sqlite3.sqlite_version)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    postgres = "unavailable"
    try:
        admin = create_engine(POSTGRES_SERVER)
        with admin.connect() as connection:
            postgres = str(connection.execute(text("SHOW server_version")).scalar_one())
        admin.dispose()
    except Exception as error:  # noqa: BLE001 - reported, not fatal, for the machine line
        postgres = f"unavailable ({type(error).__name__})"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite_version,
        "postgres": postgres,
        "reference_ms": cpu_reference_ms(),
    }


def cpu_reference_ms(runs: int = 20) -> tuple[float, float]:
    """One core's speed at the kind of work the bot's Python does (strings, dicts, a sort):
    a fixed workload run ``runs`` times over about two seconds, its fastest and slowest run
    in ms. Lower is faster.

    Hosts differ (the same code parsed 63,447 and 94,148 records/s on two of them) and
    their model names do not tell them apart. One host also changed speed from second to
    second: this workload took 57 to 117 ms in one process, in phases of several seconds,
    with nothing else running. Both numbers are there to compare runs by.
    """
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        counts: dict[str, int] = {}
        for number in range(300_000):
            word = f"w{number * 7919 % 5003}"
            counts[word] = counts.get(word, 0) + 1
        sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        timings.append((time.perf_counter() - start) * 1000)
    return min(timings), max(timings)
