"""Telegram text: lengths in UTF-16, splitting a long text, hashtags, trimming to fit."""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_MESSAGE = 4096
SNIPPET = 160
RESULTS_PER_PAGE = 5

_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])\s+")
_HASHTAG_BREAKS = re.compile(r"[\s-]+")


def utf16_len(text: str) -> int:
    """A string's length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int) -> list[str]:
    """Split text into pieces of at most ``limit`` (UTF-16 units), never losing a character.

    Paragraph boundaries are preferred, then sentence ends, then spaces; only a single
    word longer than the limit is cut inside.
    """
    if utf16_len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for unit in _units(text, limit):
        candidate = current + unit
        if current and utf16_len(candidate.rstrip()) > limit:
            pieces.append(current.rstrip())
            current = unit.lstrip()
        else:
            current = candidate
    if current.strip():
        pieces.append(current.rstrip())
    return [piece for piece in pieces if piece]


def _units(text: str, limit: int) -> list[str]:
    """The text as a list of pieces, each within the limit, that join back to the text."""
    units: list[str] = []
    for paragraph in re.split(r"(?<=\n\n)", text):
        if utf16_len(paragraph) <= limit:
            units.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            sentence += " "
            if utf16_len(sentence) <= limit:
                units.append(sentence)
                continue
            for word in re.split(r"(?<=\s)", sentence):
                while utf16_len(word) > limit:
                    cut = _cut(word, limit)
                    units.append(word[:cut])
                    word = word[cut:]
                units.append(word)
    return units


def _cut(word: str, limit: int) -> int:
    """The longest prefix of ``word`` within ``limit`` UTF-16 units (never splits a pair)."""
    size = 0
    for index, char in enumerate(word):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return max(index, 1)
    return len(word)


def hashtag(name: str) -> str:
    """A tag as a hashtag Telegram makes clickable (not escaped): ``#knowledge_management``.

    A Telegram hashtag ends at a space or a hyphen, so those become ``_``; replies, /tag,
    /search and /weight read ``_`` back as either. Other characters are shown as they are.
    """
    return "#" + (_HASHTAG_BREAKS.sub("_", name).strip("_") or name)


def hashtags(names: Sequence[str]) -> str:
    return " ".join(hashtag(name) for name in names)


def fit(html: str) -> str:
    """Cut a long listing at a line so it stays one message (escaping happened already)."""
    if utf16_len(html) <= MAX_MESSAGE - 200:
        return html
    kept: list[str] = []
    size = 0
    for line in html.split("\n"):
        size += utf16_len(line) + 1
        if size > MAX_MESSAGE - 200:
            break
        kept.append(line)
    return "\n".join(kept) + "\n…and more. Use /search to narrow it down."


def snippet(text: str, size: int = SNIPPET) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1].rstrip() + "…"
