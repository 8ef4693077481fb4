"""Import every real-world corpus file the way a user does and hold it against expected_counts.

For each file in the corpus manifest: `commonplace import FILE --chat N` into a fresh SQLite
database, then `commonplace export --chat N --format json`, and one table row:

    expected highlights (every edit collapsed - none collapsed), imported highlights,
    expected notes, notes imported (attached + standalone), notes lost,
    notes attached where a highlight ends at the note's place (expected / imported),
    the CLI's exit status and its skipped lines.

Usage: python tests/corpus/compare.py [CORPUS_DIR]   (default /work/corpus)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from expected_counts import DEFAULT_CORPUS, Expected, expected_for, load_manifest

COMMONPLACE = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "commonplace"
SKIPPED = re.compile(r"^Skipped (\d+): (.*) \(line")


def run(args: list[str], database: Path) -> subprocess.CompletedProcess[str]:
    # A wide console keeps each "Skipped" line on one line.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "COLUMNS": "10000"}
    return subprocess.run(
        [str(COMMONPLACE), *args], capture_output=True, text=True, env=env, check=False
    )


def imported(path: Path, chat: int, workdir: Path) -> dict[str, object]:
    """What the importer made of one file: counts read back from its JSON export."""
    database = workdir / f"chat{chat}.db"
    result = run(["import", str(path), "--chat", str(chat)], database)
    skipped = [m.groups() for m in map(SKIPPED.match, result.stdout.splitlines()) if m]
    error = " ".join(result.stderr.split()) if result.returncode else ""
    export = run(["export", "--chat", str(chat), "--format", "json"], database)
    rows = json.loads(export.stdout) if export.returncode == 0 and export.stdout.strip() else []
    highlights = [r for r in rows if r["kind"] == "highlight"]
    standalone = [r for r in rows if r["kind"] in ("note", "chapter_note")]
    return {
        "status": result.returncode,
        "error": error,
        "skipped": [(int(n), reason) for n, reason in skipped],
        "highlights": len(highlights),
        "attached": sum(len(r["notes"]) for r in highlights),
        "standalone": len(standalone),
    }


def row(entry: dict[str, str], e: Expected, got: dict[str, object]) -> str:
    attached, standalone = int(str(got["attached"])), int(str(got["standalone"]))
    lost = max(e.notes - attached - standalone, 0)
    skipped = sum(n for n, _ in got["skipped"])  # type: ignore[attr-defined]
    cells = (
        f"{e.highlights_min}-{e.highlights_max}",
        got["highlights"],
        e.notes,
        f"{attached}+{standalone}",
        lost,
        f"{e.notes_at_highlight_end}/{attached}",
        got["status"],
        skipped,
    )
    return f"{entry['dir'][:32]:<32} " + " ".join(f"{c!s:>11}" for c in cells)


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    entries = load_manifest(corpus)
    if not COMMONPLACE.exists():
        sys.exit(f"{COMMONPLACE} is missing: run `make lint` (it creates .venv) first.")
    heads = (
        "exp hl",
        "imported",
        "exp notes",
        "att+alone",
        "lost",
        "at end e/i",
        "exit",
        "skipped",
    )
    print(f"{'file':<32} " + " ".join(f"{h:>11}" for h in heads))
    details: list[str] = []
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp:
        for chat, entry in enumerate(entries, start=1):
            path = corpus / entry["dir"] / entry["file"]
            e = expected_for(path, entry["format"])
            got = imported(path, chat, Path(tmp))
            print(row(entry, e, got), flush=True)
            reasons: Counter[str] = Counter()
            for n, reason in got["skipped"]:  # type: ignore[attr-defined]
                # One line per kind of reason: numbers and quoted details lines vary.
                reasons[re.sub(r"\d+", "N", reason.split(": '")[0])[:90]] += n
            details += [f"  {entry['dir']}: skipped {n}: {r}" for r, n in reasons.items()]
            if got["error"]:
                details.append(f"  {entry['dir']}: {got['error']}")
    if details:
        print("\nSkipped lines and errors:")
        print("\n".join(details))


if __name__ == "__main__":
    main()
