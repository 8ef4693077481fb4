"""The command line as a user runs it, on a real database file.

Most tests run the typer app in-process (the same argument parsing, output and exit codes,
without paying for a new interpreter each time); ``CLI(..., process=True)`` runs
``python -m bot`` as a real process, as the few tests that check the whole path do.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import db
from bot.cli import app

SEED = Path(__file__).parents[1] / "seeds" / "the-devops-handbook.txt"


@dataclass(frozen=True)
class Outcome:
    """What a command printed and how it ended."""

    returncode: int
    stdout: str
    stderr: str


class CLI:
    """Runs the command line against its own database, from its own working directory."""

    def __init__(self, workdir: Path, database_url: str, *, process: bool = False) -> None:
        self.workdir = workdir
        self.process = process
        self.env = {
            "DATABASE_URL": database_url,
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "PYTHONPATH": str(Path(__file__).parents[1]),
        }

    def __call__(self, *args: str, **env: str) -> Outcome:
        if self.process:
            done = subprocess.run(
                [sys.executable, "-m", "bot", *args],
                cwd=self.workdir,
                env={**os.environ, **self.env, **env},
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            return Outcome(done.returncode, done.stdout, done.stderr)
        with contextlib.chdir(self.workdir):
            result = CliRunner().invoke(app, list(args), env={**self.env, **env})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path, f"sqlite:///{tmp_path / 'data' / 'commonplace.db'}")


@pytest.fixture
def process_cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path, f"sqlite:///{tmp_path / 'data' / 'commonplace.db'}", process=True)


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def pg_cli(tmp_path: Path, request: pytest.FixtureRequest) -> CLI:
    return CLI(tmp_path, request.getfixturevalue("clean_postgres_url"))


def export_json(cli: CLI, chat: str) -> list[dict[str, object]]:
    result = cli("export", "--chat", chat, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_import_prints_a_report_and_is_idempotent(process_cli: CLI) -> None:
    cli = process_cli
    first = cli("import", str(SEED), "--chat", "42")
    assert first.returncode == 0, first.stderr
    assert "The DevOps Handbook" in first.stdout
    assert "readwise_text" in first.stdout
    items = export_json(cli, "42")
    assert len(items) > 100

    second = cli("import", str(SEED), "--chat", "42")
    assert second.returncode == 0, second.stderr
    total = second.stdout.splitlines()
    [row] = [line for line in total if line.lstrip("│ ").startswith("Total")]
    numbers = [cell.strip() for cell in row.strip("│ ").split("│")[1:]]
    assert numbers[:4] == ["0", str(len(items)), "0", "0"]
    assert export_json(cli, "42") == items


KINDLE = Path(__file__).parent / "fixtures" / "kindle"


def test_import_says_the_last_separator_was_missing(cli: CLI) -> None:
    result = cli("import", str(KINDLE / "no_last_separator.txt"), "--chat", "1")
    assert result.returncode == 0, result.stderr
    assert "last separator line ('==========') is missing" in " ".join(result.stdout.split())
    assert len(export_json(cli, "1")) == 2


@pytest.mark.parametrize(
    ("name", "line"), [("truncated_only_record.txt", 2), ("truncated_in_title.txt", 6)]
)
def test_import_refuses_a_file_cut_off_in_a_title_or_details_line(
    cli: CLI, name: str, line: int
) -> None:
    result = cli("import", str(KINDLE / name), "--chat", "1")
    assert result.returncode == 2
    assert "looks cut off" in result.stderr
    assert f"line {line}" in result.stderr
    assert export_json(cli, "1") == []


def test_export_json_has_every_field_and_stays_in_its_chat(cli: CLI, tmp_path: Path) -> None:
    assert cli("import", str(SEED), "--chat", "1").returncode == 0
    out = tmp_path / "lib.json"
    result = cli("export", "--chat", "1", "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    items = json.loads(out.read_text(encoding="utf-8"))
    assert set(items[0]) >= {
        "book",
        "author",
        "text",
        "location",
        "location_type",
        "chapter",
        "tags",
        "notes",
        "favorite",
        "discarded",
        "highlighted_at",
    }
    assert all(isinstance(item["tags"], list) and isinstance(item["notes"], list) for item in items)
    assert export_json(cli, "2") == []


def test_csv_round_trip_into_a_fresh_chat(cli: CLI, tmp_path: Path) -> None:
    assert cli("import", str(SEED), "--chat", "1").returncode == 0
    exported = tmp_path / "readwise.csv"
    assert cli("export", "--chat", "1", "-f", "csv", "-o", str(exported)).returncode == 0
    header = next(csv.reader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert header[:3] == ["Highlight", "Book Title", "Book Author"]
    result = cli("import", str(exported), "--chat", "2")
    assert result.returncode == 0, result.stderr
    assert "readwise_csv" in result.stdout
    assert export_json(cli, "2") == export_json(cli, "1")


def test_markdown_export_is_readable(cli: CLI) -> None:
    assert cli("import", str(SEED), "--chat", "1").returncode == 0
    result = cli("export", "--chat", "1", "--format", "md")
    assert result.returncode == 0
    assert result.stdout.startswith("# Commonplace library\n\n## The DevOps Handbook\n")
    assert "\n> " in result.stdout
    assert "- **Note:** " in result.stdout


def test_stats(cli: CLI) -> None:
    empty = cli("stats", "--chat", "5")
    assert empty.returncode == 0
    assert "empty library" in empty.stdout
    assert cli("import", str(SEED), "--chat", "5").returncode == 0
    result = cli("stats", "--chat", "5")
    assert result.returncode == 0
    count = len(export_json(cli, "5"))
    assert result.stdout.startswith(f"{count} highlights in 1 book")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n \r\n\t\n", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200, "binary"),
        (b"Dear diary,\n\ntoday nothing happened.\n", "no format"),
        (
            b"Thinking in Systems (Donella H. Meadows)\n"
            b"- Your Highlight on page 5 | Location 70-71 | "
            b"Added on Monday, May 1, 2023 9:00:00 AM\n"
            b"\nStocks accumulate.\n==========\nThinking in Systems (Donella H. Meadows)\n",
            "line 6",
        ),
    ],
)
def test_bad_input_is_one_clear_line_exit_2_and_changes_nothing(
    cli: CLI, tmp_path: Path, content: bytes, message: str
) -> None:
    assert cli("import", str(SEED), "--chat", "9").returncode == 0
    before = export_json(cli, "9")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = cli("import", str(bad), "--chat", "9")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: bad.txt: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert export_json(cli, "9") == before


def test_size_limit_is_configurable(cli: CLI) -> None:
    result = cli("import", str(SEED), "--chat", "3", IMPORT_MAX_MB="0.01")
    assert result.returncode == 2
    assert "import limit is 0.01 MB" in result.stderr
    assert export_json(cli, "3") == []


def test_missing_file_and_unknown_options_exit_2(cli: CLI) -> None:
    missing = cli("import", "nope.txt", "--chat", "1")
    assert (missing.returncode, missing.stderr.strip()) == (2, "error: nope.txt: no such file")
    assert cli("export", "--chat", "1", "--format", "xml").returncode == 2
    assert cli("import", str(SEED)).returncode == 2  # --chat is required


def test_db_commands(cli: CLI) -> None:
    upgraded = cli("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    head = db.head_revision()
    current = cli("db", "current")
    assert current.stdout.strip() == f"current: {head}; head: {head}"
    assert cli("db", "downgrade", "base").returncode == 0
    assert cli("db", "current").stdout.strip() == f"current: empty; head: {head}"


def test_the_same_commands_work_on_postgres(pg_cli: CLI) -> None:
    assert pg_cli("import", str(SEED), "--chat", "77").returncode == 0
    assert len(export_json(pg_cli, "77")) > 100


def test_backup_on_sqlite_restore_on_postgres(cli: CLI, pg_cli: CLI, tmp_path: Path) -> None:
    assert cli("import", str(SEED), "--chat", "8").returncode == 0
    file = tmp_path / "backup.jsonl.gz"
    made = cli("backup", str(file))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("Backed up ")
    restored = pg_cli("restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert export_json(pg_cli, "8") == export_json(cli, "8")
    again = pg_cli("restore", str(file))
    assert again.returncode == 2
    assert "empty database" in again.stderr


def test_a_real_process_refuses_bad_input_with_exit_2(process_cli: CLI, tmp_path: Path) -> None:
    garbage = tmp_path / "photo.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    result = process_cli("import", str(garbage), "--chat", "1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: photo.jpg: This is a binary file, not a text export of highlights."
    ]


def test_a_long_error_stays_one_line_when_piped(process_cli: CLI, tmp_path: Path) -> None:
    deep = tmp_path / ("a-folder-with-a-rather-long-name-" * 3) / "and-a-file-name-that-goes-on.txt"
    result = process_cli("import", str(deep), "--chat", "1", COLUMNS="")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: {deep}: no such file"]


READWISE_HEADINGS = (
    "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,"
    "Highlighted at,Document tags\n"
    'Book Two,Meditations,Marcus Aurelius,,".h3\n\nLife is short and fleeting.",,,'
    "location,400,,\n"
    "Begin each day by telling yourself.,Meditations,Marcus Aurelius,,,,,location,402,,\n"
)
CLIPPING_WITHOUT_CHAPTER = (
    "Meditations (Marcus Aurelius)\n"
    "- Your Highlight on Location 900-901 | Added on Monday, May 1, 2023 9:00:00 AM\n\n"
    "The universe is change.\n==========\n"
)


def test_heading_notes_levels_and_chapterless_highlights_survive_a_csv_round_trip(
    cli: CLI, tmp_path: Path
) -> None:
    readwise, clippings = tmp_path / "readwise.csv", tmp_path / "My Clippings.txt"
    readwise.write_text(READWISE_HEADINGS, encoding="utf-8")
    clippings.write_text(CLIPPING_WITHOUT_CHAPTER, encoding="utf-8")
    assert cli("import", str(readwise), "--chat", "1").returncode == 0
    assert cli("import", str(clippings), "--chat", "1").returncode == 0
    first = export_json(cli, "1")
    assert [(item["kind"], item["text"], item["chapter"]) for item in first] == [
        ("chapter_note", "Life is short and fleeting.", "Book Two"),
        ("highlight", "Begin each day by telling yourself.", "Book Two"),
        ("highlight", "The universe is change.", None),
    ]

    exported = tmp_path / "commonplace.csv"
    assert cli("export", "--chat", "1", "-f", "csv", "-o", str(exported)).returncode == 0
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert [row[:2] + row[4:5] for row in rows[1:]] == [
        ["Book Two", "Meditations", ".h3\n\nLife is short and fleeting."],
        ["Begin each day by telling yourself.", "Meditations", ""],
        ["", "Meditations", ".h1"],
        ["The universe is change.", "Meditations", ""],
    ]
    assert cli("import", str(exported), "--chat", "2").returncode == 0
    assert export_json(cli, "2") == first
    again = tmp_path / "again.csv"
    assert cli("export", "--chat", "2", "-f", "csv", "-o", str(again)).returncode == 0
    assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")


def test_a_kindle_notebook_with_no_entry_understood_is_refused(cli: CLI, tmp_path: Path) -> None:
    notebook = tmp_path / "notebook.html"
    notebook.write_text(
        "<div class='bookTitle'>Könyv</div>"
        "<div class='noteHeading'>Kiemelés - Hely 5</div><div class='noteText'>Szöveg</div>",
        encoding="utf-8",
    )
    result = cli("import", str(notebook), "--chat", "1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: notebook.html: No entry of this Kindle notebook is in a form Commonplace knows, "
        "so there is nothing to import; the first reads 'Kiemelés - Hely 5'. (line 1)"
    ]
    assert export_json(cli, "1") == []
