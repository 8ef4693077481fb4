"""A safe reader of Lua table literals, for KOReader's sidecar files.

KOReader saves a book's settings and highlights as ``return { ["key"] = value, ... }``
(docs/formats.md, "KOReader"). The file is Lua source; it is read here as data, never run.
Only the literal subset is understood: tables (``[key] = value``, ``name = value`` and
positional items, separated by ``,`` or ``;``), strings in quotes with every escape Lua has
and in long brackets (``[[...]]``, ``[==[...]==]``), numbers (decimal and hexadecimal, with a
leading ``-``), ``true``, ``false``, ``nil``, an optional ``return`` and comments. Anything
else (a function call, an operator, a variable) is a LuaError naming the line.
"""

from __future__ import annotations

import re

LuaValue = str | int | float | bool | None | dict[object, object]

MAX_DEPTH = 100
"""Tables nested deeper than any sidecar are refused instead of exhausting the stack."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_NUMBER = re.compile(
    r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
)
_LONG_OPEN = re.compile(r"\[(=*)\[")
_SPACE = re.compile(r"\s+")
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "\n": "\n",
}
_KEYWORDS = {"true": True, "false": False, "nil": None}


class LuaError(ValueError):
    """The text is not a Lua table literal this reader understands."""

    def __init__(self, message: str, line: int) -> None:
        self.line = line
        super().__init__(f"{message} (line {line})")


def read_lua(text: str) -> LuaValue:
    """The value of a Lua file that is one literal, with or without ``return``."""
    reader = _Reader(text)
    reader.skip()
    if reader.name_ahead() == "return":
        reader.position += len("return")
    value = reader.value(depth=0)
    reader.skip()
    if reader.position < len(text):
        raise reader.error("Unexpected text after the value")
    return value


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def error(self, message: str) -> LuaError:
        return LuaError(message, self.text.count("\n", 0, self.position) + 1)

    def skip(self) -> None:
        """Skip whitespace and comments."""
        text = self.text
        while True:
            space = _SPACE.match(text, self.position)
            if space:
                self.position = space.end()
            if not text.startswith("--", self.position):
                return
            self.position += 2
            long = _LONG_OPEN.match(text, self.position)
            if long:
                self.long_bracket(long)
            else:
                end = text.find("\n", self.position)
                self.position = len(text) if end < 0 else end + 1

    def name_ahead(self) -> str | None:
        match = _NAME.match(self.text, self.position)
        return match.group() if match else None

    def value(self, *, depth: int) -> LuaValue:
        self.skip()
        if self.position >= len(self.text):
            raise self.error("The file ends where a value should be")
        char = self.text[self.position]
        if char == "{":
            if depth >= MAX_DEPTH:
                raise self.error("Tables are nested too deeply")
            return self.table(depth=depth + 1)
        if char in "\"'":
            return self.quoted()
        if char == "[":
            long = _LONG_OPEN.match(self.text, self.position)
            if long:
                return self.long_bracket(long)
        if char == "-":
            self.position += 1
            self.skip()
            number = self.number()
            return -number
        if char.isdigit() or char == ".":
            return self.number()
        name = self.name_ahead()
        if name in _KEYWORDS:
            self.position += len(name)
            return _KEYWORDS[name]
        found = self.text[self.position : self.position + 24].split("\n", 1)[0]
        raise self.error(f"Unexpected {found!r} where a value should be")

    def table(self, *, depth: int) -> dict[object, object]:
        self.position += 1  # the opening brace
        table: dict[object, object] = {}
        index = 1
        while True:
            self.skip()
            if self.position >= len(self.text):
                raise self.error("The file ends inside a table: it was cut off")
            if self.text.startswith("}", self.position):
                self.position += 1
                return table
            key = self.key(depth=depth)
            value = self.value(depth=depth)
            if key is None:
                table[index] = value
                index += 1
            elif value is not None:
                table[key] = value
            self.skip()
            if self.text.startswith((",", ";"), self.position):
                self.position += 1
            elif self.position >= len(self.text):
                raise self.error("The file ends inside a table: it was cut off")
            elif not self.text.startswith("}", self.position):
                raise self.error("Expected ',' or '}' in a table")

    def key(self, *, depth: int) -> object:
        """The key of a table field and its ``=``, or None for a positional item."""
        text = self.text
        if text.startswith("[", self.position) and not _LONG_OPEN.match(text, self.position):
            self.position += 1
            key = self.value(depth=depth)
            if key is None:
                raise self.error("A table key cannot be nil")
            if isinstance(key, dict):
                raise self.error("A table key cannot be a table")
            self.skip()
            if not text.startswith("]", self.position):
                raise self.error("Expected ']' after a table key")
            self.position += 1
            self.expect_equals()
            return int(key) if isinstance(key, float) and key.is_integer() else key
        name = self.name_ahead()
        if name is not None and name not in _KEYWORDS:
            self.position += len(name)
            self.expect_equals()
            return name
        return None

    def expect_equals(self) -> None:
        self.skip()
        if not self.text.startswith("=", self.position) or self.text.startswith(
            "==", self.position
        ):
            raise self.error("Expected '=' after a table key")
        self.position += 1

    def number(self) -> int | float:
        match = _NUMBER.match(self.text, self.position)
        if match is None:
            raise self.error("Expected a number")
        self.position = match.end()
        raw = match.group()
        try:
            if raw[:2] in ("0x", "0X"):
                if "." in raw or "p" in raw or "P" in raw:
                    return float.fromhex(raw)
                return int(raw, 16)
            if any(c in raw for c in ".eE"):
                return float(raw)
            return int(raw)
        except (ValueError, OverflowError):
            raise self.error(f"The number {raw[:20]!r} cannot be read") from None

    def long_bracket(self, opening: re.Match[str]) -> str:
        """A ``[==[...]==]`` string (or comment); a newline right after the opening is dropped."""
        close = "]" + opening.group(1) + "]"
        start = opening.end()
        end = self.text.find(close, start)
        if end < 0:
            raise self.error("A long string or comment is not closed")
        self.position = end + len(close)
        body = self.text[start:end]
        return body[1:] if body.startswith("\n") else body

    def quoted(self) -> str:
        text = self.text
        quote = text[self.position]
        self.position += 1
        out = bytearray()
        while True:
            if self.position >= len(text):
                raise self.error("A string is not closed")
            char = text[self.position]
            if char == quote:
                self.position += 1
                return out.decode("utf-8", errors="replace")
            if char == "\n":
                raise self.error("A string is not closed before the end of its line")
            if char == "\\":
                self.position += 1
                out += self.escape()
            else:
                run_end = self.position + 1
                while run_end < len(text) and text[run_end] not in (quote, "\\", "\n"):
                    run_end += 1
                out += text[self.position : run_end].encode("utf-8", errors="replace")
                self.position = run_end

    def escape(self) -> bytes:
        """The bytes one escape stands for; the backslash was read."""
        text = self.text
        if self.position >= len(text):
            raise self.error("A string is not closed")
        char = text[self.position]
        self.position += 1
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char].encode()
        if char == "z":
            space = _SPACE.match(text, self.position)
            if space:
                self.position = space.end()
            return b""
        if char.isdigit() and char.isascii():
            digits = re.match(r"[0-9]{0,2}", text[self.position : self.position + 2])
            assert digits is not None
            self.position += digits.end()
            code = int(char + digits.group())
            if code > 255:
                raise self.error("A decimal escape is above 255")
            return bytes([code])
        if char == "x":
            hex_digits = text[self.position : self.position + 2]
            if not re.fullmatch(r"[0-9a-fA-F]{2}", hex_digits):
                raise self.error("A \\x escape needs two hexadecimal digits")
            self.position += 2
            return bytes([int(hex_digits, 16)])
        if char == "u":
            match = re.compile(r"\{([0-9a-fA-F]{1,8})\}").match(text, self.position)
            if match is None or int(match.group(1), 16) > 0x10FFFF:
                raise self.error("A \\u escape needs a code point in braces")
            self.position = match.end()
            return chr(int(match.group(1), 16)).encode("utf-8", errors="replace")
        raise self.error(f"Unknown escape \\{char} in a string")
