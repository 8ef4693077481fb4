"""Search snippets: the part of a highlight around its first match, the matched words marked.

The database marks the words, as its own index found them: FTS5's ``snippet()`` on SQLite,
``ts_headline`` on PostgreSQL. It marks them with two control characters instead of HTML,
so that the renderer can escape the highlight's text and only then turn the marks into
tags; ``split_marked`` reads them back as (text, matched) runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Text, bindparam, case, cast, func, literal, select, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlmodel import Session, col

from bot.models import Highlight

MATCH_START = "\x02"
MATCH_END = "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 24
"""About as long as a result line shows comfortably (FTS5 allows at most 64)."""
WHOLE_TEXT = 160
"""Characters: a highlight this short is its own snippet on PostgreSQL."""

# Column 1 is the body: the highlight's own text. FTS5 reads the ids one by one, seeking
# each word's list to each id, which costs next to nothing; but a prefix would be expanded
# into its words again for every id, so with one the ids are tested as an expression
# (rowid + 0) and the MATCH runs once.
_SNIPPET = "SELECT rowid, snippet(highlight_fts, 1, :start, :end, :ellipsis, :tokens) "
_SQLITE_SNIPPETS = text(
    _SNIPPET + "FROM highlight_fts WHERE highlight_fts MATCH :words AND rowid IN :ids"
).bindparams(bindparam("ids", expanding=True))
_SQLITE_PREFIX_SNIPPETS = text(
    _SNIPPET + "FROM highlight_fts WHERE highlight_fts MATCH :words AND (rowid + 0) IN :ids"
).bindparams(bindparam("ids", expanding=True))
_PG_CONFIG = "commonplace"
# MaxFragments=1: the best passage of the text, not always its start. The delimiter never
# shows (one fragment), and an ellipsis is added where the passage is cut, as FTS5 does.
_PG_OPTIONS = (
    f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxFragments=1, "
    f"MaxWords={SNIPPET_TOKENS}, MinWords={SNIPPET_TOKENS // 2}, ShortWord=2"
)
# A short text is shown whole: a fragment would start at its first word that is not a
# stop word ("…stone lies" for "A stone lies").
_PG_WHOLE = f"StartSel={MATCH_START}, StopSel={MATCH_END}, HighlightAll=true"
_MARKS = re.compile(f"[{MATCH_START}{MATCH_END}]")
_WORD = re.compile(r"\w")


def around_matches(
    session: Session, *, chat_id: int, words: str, ids: Sequence[int], prefix: bool = False
) -> dict[int, str]:
    """Snippets of these highlights of the chat for a search's ``words`` (the FTS5 MATCH
    expression on SQLite, the tsquery text on PostgreSQL; ``prefix``: it has a ``word*``);
    id -> marked snippet."""
    if not ids:
        return {}
    if session.get_bind().dialect.name == "sqlite":
        # The MATCH carries the chat's token: another chat's highlight cannot be read here.
        rows = session.execute(
            _SQLITE_PREFIX_SNIPPETS if prefix else _SQLITE_SNIPPETS,
            {
                "start": MATCH_START,
                "end": MATCH_END,
                "ellipsis": ELLIPSIS,
                "tokens": SNIPPET_TOKENS,
                "words": words,
                "ids": list(ids),
            },
        ).all()
        return {row[0]: _flat(row[1]) for row in rows}
    rows = session.execute(
        select(
            col(Highlight.id),
            col(Highlight.text),
            func.ts_headline(
                _PG_CONFIG,
                col(Highlight.text),
                cast(literal(words, Text), TSQUERY),
                case(
                    (func.char_length(col(Highlight.text)) <= WHOLE_TEXT, _PG_WHOLE),
                    else_=_PG_OPTIONS,
                ),
            ),
        ).where(col(Highlight.chat_id) == chat_id, col(Highlight.id).in_(list(ids)))
    ).all()
    return {row[0]: _with_ellipses(row[1], _flat(row[2])) for row in rows}


def split_marked(marked: str) -> list[tuple[str, bool]]:
    """A marked snippet as (text, matched) runs; a stray mark in the text itself is dropped."""
    runs: list[tuple[str, bool]] = []
    inside = False
    for piece in re.split(f"([{MATCH_START}{MATCH_END}])", marked):
        if piece == MATCH_START:
            inside = True
        elif piece == MATCH_END:
            inside = False
        elif piece:
            runs.append((piece, inside))
    return runs


def _flat(snippet: str) -> str:
    """One line: the result list shows a snippet on a single line."""
    return " ".join(snippet.split())


def _with_ellipses(full: str, snippet: str) -> str:
    """The snippet with what ts_headline left off around it: the punctuation at the text's
    very start or end as it is, an ``…`` where words were cut."""
    plain = _MARKS.sub("", snippet)
    flat = _flat(full)
    at = flat.find(plain) if plain else -1
    if at < 0:
        return snippet
    before, after = flat[:at], flat[at + len(plain) :]
    head = ELLIPSIS if _WORD.search(before) else before
    tail = ELLIPSIS if _WORD.search(after) else after
    return head + snippet + tail
