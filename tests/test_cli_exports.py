"""`commonplace export --format anki|obsidian`: the deck and the vault zip from the shell."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from tests.test_cli import CLI

HEADER = "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location\n"
MINE = HEADER + '"Be one.",Meditations,Marcus Aurelius,,"A <note>",,"virtue, time",location,12\n'
THEIRS = HEADER + '"Someone else\'s secret.",Diary,Nobody,,,,,,\n'


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    cli = CLI(tmp_path, f"sqlite:///{tmp_path / 'data' / 'commonplace.db'}")
    for chat, text in (("1", MINE), ("2", THEIRS)):
        source = tmp_path / f"chat{chat}.csv"
        source.write_text(text, encoding="utf-8")
        assert cli("import", str(source), "--chat", chat).returncode == 0
    return cli


def test_export_anki_writes_a_deck_of_the_chats_own_highlights(cli: CLI) -> None:
    result = cli("export", "--chat", "1", "--format", "anki")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "#separator:tab" and "#guid column:1" in lines
    body = [line for line in lines if not line.startswith("#")]
    [row] = list(csv.reader(body, delimiter="\t"))
    assert row[1:] == [
        "Be one.",
        "<i>Meditations</i> — Marcus Aurelius<br>Location 12<br>📝 A &lt;note&gt;",
        "time virtue",
    ]
    assert row[0].startswith("commonplace-")
    assert "secret" not in result.stdout


def test_export_obsidian_writes_a_zip_to_the_output(cli: CLI, tmp_path: Path) -> None:
    out = tmp_path / "vault.zip"

    result = cli("export", "--chat", "1", "-f", "obsidian", "-o", str(out))

    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        [name] = archive.namelist()
        note = archive.read(name).decode()
    assert name.startswith("Commonplace/Meditations (") and name.endswith(").md")
    assert note.startswith('---\ntitle: "Meditations"\nauthor: "Marcus Aurelius"\n')
    assert "> Be one.\n\n^cp-" in note and "secret" not in note


def test_export_obsidian_needs_an_output_file(cli: CLI) -> None:
    result = cli("export", "--chat", "1", "-f", "obsidian")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "the obsidian export is a zip file; name it with --output" in result.stderr


def test_export_obsidian_of_an_empty_library_is_refused(cli: CLI, tmp_path: Path) -> None:
    out = tmp_path / "vault.zip"

    result = cli("export", "--chat", "3", "-f", "obsidian", "-o", str(out))

    assert result.returncode == 2
    assert "Chat 3 has an empty library: there is nothing to export." in result.stderr
    assert not out.exists()


def test_an_unknown_format_lists_the_formats(cli: CLI) -> None:
    result = cli("export", "--chat", "1", "-f", "apkg")

    assert result.returncode == 2
    assert "choose one of json, csv, md, anki, obsidian" in result.stderr
    assert result.stdout == ""
