"""The /stats chart. matplotlib is imported on first use: an idle bot should not pay for it."""

from __future__ import annotations

import io

from bot.library.stats import LibraryStats

_WIDTH = 40


def _label(text: str) -> str:
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def stats_chart(stats: LibraryStats) -> bytes:
    """A PNG with two bar charts: highlights per top book and per top tag."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    panels = [
        ("Top books", [(_label(title), n) for title, _, n in stats.top_books]),
        ("Top tags", [(_label("#" + name), n) for name, n in stats.top_tags]),
    ]
    panels = [(title, rows) for title, rows in panels if rows]
    figure, axes = pyplot.subplots(
        len(panels) or 1, 1, figsize=(8, 2.2 + 2.2 * len(panels)), squeeze=False
    )
    try:
        figure.suptitle(
            f"{stats.highlights} highlights · {stats.books} books · {stats.notes} notes · "
            f"{stats.tags} tags"
        )
        for (title, rows), axis in zip(panels, axes[:, 0], strict=False):
            labels = [label for label, _ in reversed(rows)]
            values = [value for _, value in reversed(rows)]
            axis.barh(labels, values, color="#4c72b0")
            axis.set_title(title, loc="left")
            for y, value in enumerate(values):
                axis.text(value, y, f" {value}", va="center")
            axis.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=110)
        return out.getvalue()
    finally:
        pyplot.close(figure)
