"""`commonplace import` with the KOReader, Bookcision and Readwise Markdown files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import CLI, SEED, export_json

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path, f"sqlite:///{tmp_path / 'data' / 'commonplace.db'}")


@pytest.mark.parametrize(
    ("path", "format", "highlights", "notes"),
    [
        ("koreader/book.json", "koreader_json", 2, 1),
        ("koreader/documents.json", "koreader_json", 3, 1),
        ("koreader/export.md", "koreader_markdown", 4, 2),
        ("koreader/sidecar_annotations.lua", "koreader_lua", 2, 1),
        ("koreader/sidecar_old.lua", "koreader_lua", 2, 1),
        ("koreader/sidecar_mixed.lua", "koreader_lua", 2, 1),
        ("bookcision/book.json", "bookcision", 2, 1),
        ("readwise_markdown/book.md", "readwise_markdown", 4, 2),
        ("readwise_markdown/old_template.md", "readwise_markdown", 2, 1),
    ],
)
def test_import_detects_the_format_and_imports_once(
    cli: CLI, path: str, format: str, highlights: int, notes: int
) -> None:
    result = cli("import", str(FIXTURES / path), "--chat", "5")
    assert result.returncode == 0, result.stderr
    assert format in result.stdout
    rows = export_json(cli, "5")
    quotes = [row for row in rows if row["kind"] == "highlight"]
    assert len(quotes) == highlights
    assert sum(len(row["notes"]) for row in quotes) == notes  # type: ignore[arg-type]

    again = cli("import", str(FIXTURES / path), "--chat", "5", "--format", format)
    assert again.returncode == 0, again.stderr
    assert export_json(cli, "5") == rows


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("koreader/broken.lua", "This KOReader sidecar is not a Lua table KOReader writes"),
        ("koreader/truncated.json", "The KOReader export stops in the middle: it was cut off."),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    cli: CLI, path: str, message: str
) -> None:
    assert cli("import", str(SEED), "--chat", "9").returncode == 0
    before = export_json(cli, "9")

    result = cli("import", str(FIXTURES / path), "--chat", "9")

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {Path(path).name}: {message}")
    assert export_json(cli, "9") == before


def test_a_real_process_imports_a_sidecar(tmp_path: Path) -> None:
    process = CLI(tmp_path, f"sqlite:///{tmp_path / 'commonplace.db'}", process=True)
    result = process("import", str(FIXTURES / "koreader/sidecar_old.lua"), "--chat", "1")
    assert result.returncode == 0, result.stderr
    assert "1984" in result.stdout
    assert "Skipped 1: bookmark" in result.stdout
