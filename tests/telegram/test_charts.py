"""The /stats chart, drawn in the worker's own function."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

from bot.library.stats import LibraryStats
from bot.telegram.charts import (
    FALLBACK_FONTS,
    WORKER_NICENESS,
    ChartWorker,
    font_family,
    stats_chart,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_titles_in_any_script_draw_without_a_warning_per_missing_glyph() -> None:
    stats = LibraryStats(
        books=3,
        highlights=6,
        top_books=[
            ("志賀直哉 暗夜行路", "志賀直哉", 3),
            ("Война и мир", "", 2),
            ("Café <b>", "", 1),
        ],
        top_tags=[("読書", 2), ("idea", 1)],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = stats_chart(stats)
    assert chart.startswith(PNG)
    assert [str(warning.message) for warning in caught] == []


def test_the_chart_keeps_its_font_and_adds_only_installed_fallbacks() -> None:
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    family = font_family()
    assert family[0] == "DejaVu Sans"
    assert set(family[1:]) <= installed & set(FALLBACK_FONTS)


def _children_niceness() -> list[int]:
    """The ``nice`` value of each process this one started (from /proc/PID/stat)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        # After the command name: state, ppid, ... nice is field 19 of stat(5).
        if int(fields[1]) == os.getpid():
            found.append(int(fields[16]))
    return found


async def test_the_worker_draws_at_a_lower_cpu_priority_than_the_bot() -> None:
    worker = ChartWorker()
    try:
        chart = await worker.stats_chart(LibraryStats(books=1, highlights=2, top_tags=[("a", 2)]))
        niceness = _children_niceness()
    finally:
        worker.close()
    assert chart.startswith(PNG)
    assert min(os.nice(0) + WORKER_NICENESS, 19) in niceness


def test_the_chart_adds_the_last_twelve_weeks_of_reviews() -> None:
    from PIL import Image

    from bot.library.stats import ReviewHistory

    base = LibraryStats(books=1, highlights=2, top_books=[("Walden", "Thoreau", 2)])
    plain = stats_chart(base)
    base.reviews = ReviewHistory(done=9, streak=3, longest=4, weeks=[0] * 9 + [2, 3, 4])
    with_reviews = stats_chart(base)
    assert with_reviews.startswith(PNG)
    heights = [Image.open(io.BytesIO(png)).size[1] for png in (plain, with_reviews)]
    assert heights[1] > heights[0]  # a panel more
    base.reviews = ReviewHistory(weeks=[0] * 12)
    assert Image.open(io.BytesIO(stats_chart(base))).size == Image.open(io.BytesIO(plain)).size
