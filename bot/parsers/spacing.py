"""White space: telling cheaply whether text is already squashed to single spaces."""

from __future__ import annotations


def single_spaced(text: str) -> bool:
    """Whether a text that neither starts nor ends with a space holds no white space but
    single plain spaces, so that ``" ".join(text.split())`` would leave it as it is. A
    False may be wrong for non-ASCII text (the squash then just changes nothing); for
    ASCII text the answer is exact.

    Much cheaper than the squash, which it nearly always saves.
    """
    if text.isascii():  # known without reading the text
        # The ASCII white space str.split breaks at, each looked for as a substring: a
        # substring search scans in bulk, where isprintable looks every character up.
        return not (
            "  " in text
            or "\n" in text
            or "\t" in text
            or "\r" in text
            or "\x0b" in text
            or "\x0c" in text
            or "\x1c" in text
            or "\x1d" in text
            or "\x1e" in text
            or "\x1f" in text
        )
    # Printable text holds no white space but the plain space.
    return text.isprintable() and "  " not in text
