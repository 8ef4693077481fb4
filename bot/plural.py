"""Counted nouns in English: "1 book", "2 books", "1,000 highlights"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and the noun, singular for exactly one (``plural`` for an irregular noun)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
