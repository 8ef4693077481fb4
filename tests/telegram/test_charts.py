"""The /stats chart, drawn in the worker's own function."""

from __future__ import annotations

import warnings

from bot.library.stats import LibraryStats
from bot.telegram.charts import FALLBACK_FONTS, font_family, stats_chart

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
