"""Telegram's ``parse_mode=HTML``: turn marked-up text into plain text plus message entities.

This follows the parser Telegram runs on the server (tdlib's ``parse_html``): the same tag set,
the same error texts and byte offsets, entity offsets counted in UTF-16 code units, and its
quirks (tag names are case-insensitive but end tags must match the lower-cased start tag, ``;``
after an entity is optional, ``<b></b>`` yields no entity).

One deliberate difference: Telegram keeps a bare ``&`` that starts no known entity as a literal
character. With ``strict=True`` (the default in the fake server) it is an error instead, because
in a bot it nearly always means text was interpolated without ``html.escape`` - and the same
unescaped text silently changes as soon as it happens to contain ``&lt`` or ``&amp``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji"}
    | {"span", "pre", "code", "blockquote"}
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only class="tg-spoiler" is accepted, checked at the start tag
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's is_space: the C string terminator counts, which is how "end of text" behaves below.
_MARKUP = re.compile("[&<]")
_SPACES = frozenset(" \t\r\n\0\v\f")
_NAME_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is Telegram's description tail."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text as the reader sees it, and the entities (Bot API dicts) that format it."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram length and offset."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int


class _Parser:
    def __init__(self, source: str, *, strict: bool) -> None:
        self.src = source
        self.strict = strict
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.open: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def char(self, index: int) -> str:
        """Character at ``index``, or NUL past the end (tdlib reads a C string)."""
        return self.src[index] if index < len(self.src) else "\0"

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8", "surrogatepass"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def entity(self) -> str | None:
        """Decode the HTML entity at ``pos`` and move past it, or return None and stay put."""
        src, start = self.src, self.pos
        end = start + 1
        if self.char(end) == "#":
            end += 1
            hexadecimal = self.char(end) == "x"
            end += hexadecimal
            digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
            while self.char(end) in digits:
                end += 1
            number = src[start + 2 + hexadecimal : end]
            if not number or end - start >= 10:
                return None
            code = int(number, 16 if hexadecimal else 10)
            # tdlib's bounds; surrogates are refused too, as they cannot be sent as UTF-8.
            if code == 0 or code >= 0x10FFFF or 0xD800 <= code < 0xE000:
                return None
            decoded = chr(code)
        else:
            while end < len(src) and src[end].isascii() and src[end].isalpha():
                end += 1
            named = _NAMED_ENTITIES.get(src[start + 1 : end])
            if named is None:
                return None
            decoded = named
        self.pos = end + 1 if self.char(end) == ";" else end
        return decoded

    def ampersand(self) -> str:
        decoded = self.entity()
        if decoded is not None:
            return decoded
        if self.strict:
            raise EntityParseError(
                f"Character '&' at byte offset {self.byte_offset(self.pos)} starts no entity; "
                "write &amp; (fake server strict_html check)"
            )
        self.pos += 1
        return "&"

    def run(self) -> ParsedText:
        src = self.src
        while self.pos < len(src):
            c = src[self.pos]
            if c == "&":
                self.emit(self.ampersand())
            elif c != "<":
                # Plain text up to the next markup, at once: one length count per run,
                # not per character (the fake shares the machine with the bot it serves).
                markup = _MARKUP.search(src, self.pos)
                end = markup.start() if markup else len(src)
                self.emit(src[self.pos : end])
                self.pos = end
            elif self.char(self.pos + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.open:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), self.entities)

    def start_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while self.char(i) not in _SPACES and self.char(i) != ">":
            i += 1
        if i >= len(self.src):
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 1 : i].lower()
        if name not in _TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        argument = ""
        while self.char(i) != ">":
            while self.char(i) in _SPACES and i < len(self.src):
                i += 1
            if self.char(i) == ">":
                break
            attr_begin = i
            while self.char(i) not in _SPACES and self.char(i) not in "=>/\"'":
                i += 1
            attribute = self.src[attr_begin:i]
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            while self.char(i) in _SPACES and i < len(self.src):
                i += 1
            if i >= len(self.src):
                raise EntityParseError(
                    f'Unclosed start tag "{name}" at byte offset {self.byte_offset(begin)}'
                )
            if self.char(i) != "=":
                # A bare attribute: only <blockquote expandable> means anything.
                if name == "blockquote" and attribute == "expandable":
                    argument = "1"
                continue
            i += 1
            while self.char(i) in _SPACES and i < len(self.src):
                i += 1
            if i >= len(self.src):
                raise EntityParseError(
                    f'Unclosed start tag "{name}" at byte offset {self.byte_offset(begin)}'
                )
            value, i = self.attribute_value(i)
            if i >= len(self.src):
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                )
            argument = self.tag_argument(name, attribute, value, argument)
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.open.append(_OpenTag(name, argument, self.utf16))
        self.pos = i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.char(i)
        if quote not in "\"'":
            # An unquoted HTML name token: letters, digits, '.', '-'; lower-cased like tdlib.
            start = i
            while self.char(i) in _NAME_TOKEN and i < len(self.src):
                i += 1
            if self.char(i) not in _SPACES and self.char(i) != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(i)}"
                )
            return self.src[start:i].lower(), i
        i += 1
        value: list[str] = []
        while i < len(self.src) and self.src[i] != quote:
            if self.src[i] == "&":
                self.pos = i
                value.append(self.ampersand())
                i = self.pos
                continue
            value.append(self.src[i])
            i += 1
        if self.char(i) == quote:
            i += 1
        return "".join(value), i

    @staticmethod
    def tag_argument(name: str, attribute: str, value: str, current: str) -> str:
        if name == "a" and attribute == "href":
            return value
        if name == "code" and attribute == "class" and value.startswith("language-"):
            return value.removeprefix("language-")
        if name == "span" and attribute == "class" and value.startswith("tg-"):
            return value.removeprefix("tg-")
        if name == "tg-emoji" and attribute == "emoji-id":
            return value
        return current

    def end_tag(self) -> None:
        begin = self.pos
        if not self.open:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while self.char(i) not in _SPACES and self.char(i) != ">":
            i += 1
        end_name = self.src[begin + 2 : i]
        while self.char(i) in _SPACES and i < len(self.src):
            i += 1
        if self.char(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.open.pop()
        if end_name and end_name != tag.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        self.pos = i + 1
        if self.utf16 > tag.utf16_offset:
            self.close_entity(tag, self.utf16 - tag.utf16_offset)

    def close_entity(self, tag: _OpenTag, length: int) -> None:
        entity: dict[str, Any] = {"offset": tag.utf16_offset, "length": length}
        if tag.name in _SIMPLE_TYPES:
            entity["type"] = _SIMPLE_TYPES[tag.name]
        elif tag.name == "a":
            if not tag.argument:
                return  # Telegram would need the text to be a URL itself; the fake drops it.
            entity.update(type="text_link", url=tag.argument)
        elif tag.name == "code":
            entity["type"] = "code"
            if tag.argument:
                entity["language"] = tag.argument  # kept until a surrounding <pre> claims it
        elif tag.name == "pre":
            entity["type"] = "pre"
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "code"
                and (last["offset"], last["length"]) == (tag.utf16_offset, length)
                and "language" in last
            ):
                self.entities.pop()
                entity["language"] = last["language"]
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
        else:  # tg-emoji
            if not tag.argument.isdigit():
                raise EntityParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        self.entities.append(entity)


def parse_html(source: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML; raise EntityParseError with Telegram's wording when it is invalid."""
    parsed = _Parser(source, strict=strict).run()
    for entity in parsed.entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # only <pre><code class=...> carries a language
    return parsed
