"""``python -m bench``: a run that would measure nothing is refused, not reported as met."""

from __future__ import annotations

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
