"""The /stats chart, drawn in a worker process of its own.

matplotlib holds the GIL for the few hundred milliseconds a chart takes: drawn in the bot's
process (even in a thread) it would stall every other chat's command meanwhile. The worker
is started on the first /stats, so an idle bot pays neither its memory nor matplotlib's.

The worker also runs at a lower CPU priority. A chart follows the /stats numbers the reader
already has, while every other command waits for its one answer: on a two-core machine the
charts of 50 busy chats took more CPU than the bot (26 s against 24 s in 90 s), and at the
same priority they doubled every command's p95 (30 to 58 ms on PostgreSQL; measured with
the benchmark's 50 chats and with the charts left out).
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from bot.library.stats import LibraryStats
from bot.plural import counted

if TYPE_CHECKING:
    from bot.telegram.cards import Card

_WIDTH = 40
WORKER_NICENESS = 10
"""How much lower the chart worker's CPU priority is than the bot's (``nice``)."""
# Fonts for the characters matplotlib's own DejaVu Sans lacks, tried in this order: book
# titles in Chinese, Japanese or Korean. The image installs WenQuanYi Zen Hei
# (deploy/Dockerfile); elsewhere whichever of these is installed is used. A character that no
# installed font has is drawn as an empty box, without a warning per glyph in the log: the
# message before the chart has every title in full.
FALLBACK_FONTS = (
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Droid Sans Fallback",
)


def _label(text: str) -> str:
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def font_family() -> list[str]:
    """DejaVu Sans, then the installed ``FALLBACK_FONTS`` (matplotlib falls back glyph by glyph)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *(name for name in FALLBACK_FONTS if name in installed)]


def stats_chart(stats: LibraryStats) -> bytes:
    """A PNG with bar charts: highlights per top book and per top tag, and reviews done in
    each of the last twelve weeks."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    # The fallback font has only one weight; matplotlib would log that it took it anyway.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    with matplotlib.rc_context({"font.family": font_family()}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        return _draw(pyplot, stats)


def _draw(pyplot: Any, stats: LibraryStats) -> bytes:
    panels = [
        ("Top books", [(_label(title), n) for title, _, n in stats.top_books]),
        ("Top tags", [(_label("#" + name), n) for name, n in stats.top_tags]),
    ]
    panels = [(title, rows) for title, rows in panels if rows]
    weeks = stats.reviews.weeks if stats.reviews is not None and any(stats.reviews.weeks) else []
    count = len(panels) + bool(weeks)
    figure, axes = pyplot.subplots(count or 1, 1, figsize=(8, 2.2 + 2.2 * count), squeeze=False)
    try:
        figure.suptitle(
            f"{counted(stats.highlights, 'highlight')} · {counted(stats.books, 'book')} · "
            f"{counted(stats.notes, 'note')} · {counted(stats.tags, 'tag')}"
        )
        for (title, rows), axis in zip(panels, axes[:, 0], strict=False):
            labels = [label for label, _ in reversed(rows)]
            values = [value for _, value in reversed(rows)]
            axis.barh(labels, values, color="#4c72b0")
            axis.set_title(title, loc="left")
            for y, value in enumerate(values):
                axis.text(value, y, f" {value}", va="center")
            # Each bar is labelled with its number, so an x axis would only repeat them (and
            # laying out its tick labels is most of the drawing).
            axis.xaxis.set_visible(False)
            axis.spines[["top", "right", "bottom"]].set_visible(False)
        if weeks:
            _weeks_panel(axes[len(panels), 0], weeks)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=110)
        return out.getvalue()
    finally:
        pyplot.close(figure)


def _weeks_panel(axis: Any, weeks: list[int]) -> None:
    """Reviews done per week, the last twelve weeks, this week on the right."""
    labels = [f"-{len(weeks) - 1 - i}w" if i < len(weeks) - 1 else "now" for i in range(len(weeks))]
    axis.bar(labels, weeks, color="#55a868")
    axis.set_title("Reviews done, last 12 weeks", loc="left")
    for x, value in enumerate(weeks):
        if value:
            axis.text(x, value, str(value), ha="center", va="bottom")
    axis.yaxis.set_visible(False)
    axis.spines[["top", "right", "left"]].set_visible(False)


def _lower_priority() -> None:
    os.nice(WORKER_NICENESS)


class ChartWorker:
    """Draws /stats charts and quote cards in one worker process, started on first use."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def stats_chart(self, stats: LibraryStats) -> bytes:
        """The PNG of ``stats_chart``, drawn without holding up the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._worker(), stats_chart, stats)

    async def quote_card(self, card: Card) -> bytes:
        """The PNG of ``bot.telegram.cards.quote_card``, drawn in the worker."""
        from bot.telegram.cards import quote_card

        return await asyncio.get_running_loop().run_in_executor(self._worker(), quote_card, card)

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # "spawn": forking a process that runs threads (the event loop's workers,
            # the database pool) can copy a lock in its held state into the child.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_lower_priority
            )
        return self._pool

    def close(self) -> None:
        """Stop the worker, if one was started; charts still being drawn are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
