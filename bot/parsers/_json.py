"""Reading a JSON export whole, with one clear error for a damaged file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bot.parsers.records import ParseError

_START = re.compile(r"\s*[\[{]")
# A string (group 1 is its closing quote, empty when the text ends inside it) or a bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*("?)|[\[\]{}]', re.DOTALL)


def load_json(
    text: str, *, what: str, object_hook: Callable[[dict[str, Any]], object] | None = None
) -> object:
    """The decoded document; ParseError naming the line for a damaged or cut-off file.

    ``object_hook`` turns each object into what the parser keeps, as it is read.
    """
    try:
        return json.loads(text, object_hook=object_hook)
    except json.JSONDecodeError as error:
        if _unclosed(text):
            raise ParseError(f"The {what} stops in the middle: it was cut off.") from None
        raise ParseError(
            f"The {what} is not valid JSON: {error.msg.lower()}.", line=error.lineno
        ) from None
    except RecursionError:
        raise ParseError(f"The {what} is nested too deeply to be an export.") from None


def _unclosed(text: str) -> bool:
    """Whether the text ends inside a string or with brackets still open, every bracket
    before that closed by its own kind: a file cut off, not one written wrong."""
    open_brackets: list[str] = []
    for token in _TOKENS.finditer(text):
        char = token.group()[0]
        if char == '"':
            if not token.group(1):
                return True
        elif char in "[{":
            open_brackets.append("]" if char == "[" else "}")
        elif not open_brackets or open_brackets.pop() != char:
            return False
    return bool(open_brackets)


def starts_like_json(text: str) -> bool:
    """Whether text starts with a JSON object or list (after whitespace)."""
    return _START.match(text) is not None


def key_pattern(key: str, opening: str) -> re.Pattern[str]:
    """A key followed by a colon and the given opening bracket: ``"entries": [``."""
    return re.compile(rf'"{re.escape(key)}"\s*:\s*{re.escape(opening)}')
