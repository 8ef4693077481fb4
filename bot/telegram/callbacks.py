"""Button data: ``action:id[:id]``, always within Telegram's 64 bytes."""

from __future__ import annotations


def callback_ids(data: str | None, count: int) -> list[int] | None:
    """The ``count`` integers after the action in button data, or None if it is malformed.

    Button data comes from the client and may be forged, so it is read defensively.
    """
    if not data:
        return None
    parts = data.split(":")[1:]
    if len(parts) != count:
        return None
    try:
        return [int(part) for part in parts]
    except ValueError:
        return None
