"""`commonplace import` with binary files: Kobo databases, zips, and bad ones refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.binary_files import (
    CLIPPINGS,
    KOBO_ROWS,
    kobo_database,
    play_books_html,
    sqlite_bytes,
    zip_bytes,
)
from tests.test_cli import CLI, export_json


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path, f"sqlite:///{tmp_path / 'data' / 'commonplace.db'}")


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_kobo_database_imports_and_again_adds_nothing(cli: CLI, tmp_path: Path) -> None:
    path = write(tmp_path, "KoboReader.sqlite", kobo_database(KOBO_ROWS))

    first = cli("import", path, "--chat", "7")
    assert first.returncode == 0, first.stderr
    assert (
        "(kobo)" in first.stdout
        and "Skipped 1: a hidden bookmark (deleted on the device)" in first.stdout
    )
    [item] = export_json(cli, "7")
    assert (item["text"], item["book"], item["author"], item["notes"], item["color"]) == (
        "Waste no more time arguing.",
        "Meditations",
        "Marcus Aurelius",
        ["Read daily"],
        "blue",
    )
    assert cli("import", path, "--chat", "7").returncode == 0
    assert len(export_json(cli, "7")) == 1


def test_a_zip_is_reported_file_by_file(cli: CLI, tmp_path: Path) -> None:
    members = {
        "KoboReader.sqlite": kobo_database(KOBO_ROWS),
        "My Clippings.txt": CLIPPINGS,
        "todo.txt": b"buy milk\n",
    }
    path = write(tmp_path, "export.zip", zip_bytes(members))

    result = cli("import", path, "--chat", "7")
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "File KoboReader.sqlite: kobo, 1 read" in out
    assert "File My Clippings.txt: kindle_clippings, 1 read" in out
    assert "File todo.txt: not read: This file is in no format Commonplace knows." in out
    assert len(export_json(cli, "7")) == 2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("KoboReader.sqlite", kobo_database(KOBO_ROWS)[:5000], "damaged or cut short"),
        (
            "other.sqlite",
            sqlite_bytes(["CREATE TABLE t (x)"], {"t": [(1,)]}),
            "not one Commonplace reads: send a Kobo",
        ),
        ("nothing.zip", zip_bytes({"todo.txt": b"buy milk\n"}), "Nothing in this zip"),
        (
            "bomb.zip",
            zip_bytes({"My Clippings.txt": b"\n" * (101 * 1024 * 1024)}),
            "unpacks to more than 100 MB",
        ),
    ],
)
def test_a_bad_binary_file_is_refused_in_one_line_and_stores_nothing(
    cli: CLI, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    result = cli("import", write(tmp_path, name, data), "--chat", "7")
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split())
    assert export_json(cli, "7") == []


def test_a_play_books_html_document_imports(cli: CLI, tmp_path: Path) -> None:
    chapters = [("Part One", [("Autonomy is the antidote.", None, "March 3, 2016", "84")])]
    html = play_books_html("Drive", "Daniel H. Pink", chapters).encode()
    result = cli("import", write(tmp_path, "Notes from Drive.html", html), "--chat", "7")
    assert result.returncode == 0, result.stderr
    assert "(play_books)" in result.stdout
    [item] = export_json(cli, "7")
    assert (item["book"], item["chapter"], item["location"]) == ("Drive", "Part One", "84")


def test_a_play_books_takeout_json_imports(cli: CLI, tmp_path: Path) -> None:
    takeout = (
        '{"volume_info": {"title": "Drive", "authors": ["Daniel H. Pink"]}}\n'
        '[{"excerpt": "Autonomy is the antidote.", "note_text": "{\\"note\\": \\"Again\\"}"}]\n'
        '{"is_finished": false}\n'
    )
    path = write(tmp_path, "Drive.json", takeout.encode())
    result = cli("import", path, "--chat", "7")
    assert result.returncode == 0, result.stderr
    [item] = export_json(cli, "7")
    assert (item["text"], item["notes"], item["author"]) == (
        "Autonomy is the antidote.",
        ["Again"],
        "Daniel H. Pink",
    )
