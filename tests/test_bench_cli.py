"""``python -m bench``: a run that would measure nothing is refused, not reported as met."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_an_unknown_benchmark_name_is_an_error_that_lists_the_names() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "search,selection"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "no benchmark named search, selection" in run.stderr
    names = (
        "importing, koreader, kobo, searching, selecting, reviewing, fanout, commands, "
        "tapping, memory, cards, inline"
    )
    assert f"choose from {names}" in run.stderr
    assert "Every target was met" not in run.stdout


def test_writing_a_partial_run_leaves_benchmarks_md_as_it_was(tmp_path: Path) -> None:
    """``--only`` with ``--write`` on a machine with no earlier results would drop every
    other benchmark's rows."""
    benchmarks = ROOT / "BENCHMARKS.md"
    before = benchmarks.read_bytes()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "bench", "--quick", "--only", "cards"]
            + ["--backends", "sqlite", "--write"],
            cwd=ROOT,
            env={**os.environ, "COMMONPLACE_BENCH_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        after = benchmarks.read_bytes()
    finally:
        benchmarks.write_bytes(before)
    assert run.returncode == 0, run.stderr
    assert after == before
    assert "BENCHMARKS.md not written: no results here for Next tap, commands" in run.stderr
    assert "| cards | card p95 |" in (tmp_path / "results-quick.md").read_text()
