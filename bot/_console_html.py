"""Telegram's HTML for the console: text and entities, refused where Telegram refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

JSON = dict[str, Any]
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@\w+)?(?=\s|$)")


class ApiError(Exception):
    """A Bot API call Telegram would refuse; the message is Telegram's description."""


@dataclass(frozen=True, slots=True)
class Entity:
    """A formatting entity; offsets are Python string indexes (the API speaks UTF-16)."""

    kind: str
    start: int
    end: int
    url: str | None = None

    def to_api(self, text: str) -> JSON:
        data: JSON = {
            "type": self.kind,
            "offset": utf16_len(text[: self.start]),
            "length": utf16_len(text[self.start : self.end]),
        }
        if self.url is not None:
            data["url"] = self.url
        return data


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------
# Telegram's HTML

_TAGS = {
    tag: kind
    for kind, tags in (
        ("bold", "b strong"),
        ("italic", "i em"),
        ("underline", "u ins"),
        ("strikethrough", "s strike del"),
        ("spoiler", "span tg-spoiler"),
        ("text_link", "a"),
        ("custom_emoji", "tg-emoji"),
        ("code", "code"),
        ("pre", "pre"),
        ("blockquote", "blockquote"),
    )
    for tag in tags.split()
}


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.size = 0
        self.open: list[tuple[str, str, int, str | None]] = []
        self.entities: list[Entity] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        kind = _TAGS.get(tag)
        if kind is None or (tag == "span" and values.get("class") != "tg-spoiler"):
            raise ApiError(f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        if tag == "blockquote" and "expandable" in values:
            kind = "expandable_blockquote"
        self.open.append((tag, kind, self.size, values.get("href") if tag == "a" else None))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            expected = f'"</{self.open[-1][0]}>"' if self.open else "no end tag"
            raise ApiError(
                f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}", '
                f"expected {expected}"
            )
        _, kind, start, url = self.open.pop()
        if self.size > start and (kind != "text_link" or url):
            self.entities.append(Entity(kind, start, self.size, url))

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.size += len(data)


def parse_html(html: str) -> tuple[str, list[Entity]]:
    """Text and entities of a message sent with ``parse_mode=HTML``; ApiError as Telegram."""
    parser = _TelegramHtml()
    parser.feed(html)
    parser.close()
    if parser.open:
        raise ApiError(
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.open[-1][0]}"'
        )
    entities = sorted(parser.entities, key=lambda e: (e.start, -e.end))
    return "".join(parser.parts), entities


def command_entities(text: str) -> list[Entity]:
    match = _COMMAND.match(text)
    return [Entity("bot_command", 0, match.end())] if match else []
