"""The resolution of a ``My Clippings.txt``'s edits, repeats and notes.

The file is append-only. An edit on the device appends the new version of a highlight and
keeps the old one; a repeated highlight appears again; a note is a record of its own that
points at its highlight only through where the highlight ends. Once every clip is read,
this keeps one highlight per passage and puts each note on it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from operator import attrgetter, itemgetter

from bot.parsers._kindle_reader import Book, Clip, ClipReader, squash
from bot.parsers.versions import last_page, same_passage, span_of

# A note finds its highlight by (book, location end) or, on page-only records, (book, last
# page): an int location never equals a str page.
Anchor = tuple[Book, int | str]

# Within a run, a highlight's earlier versions are looked for at the places its range
# overlaps, through buckets of 2**_BUCKET_BITS locations (or pages). A clip is listed under
# every bucket its range touches, its range counted to at most _REACH past its start: a wider
# one is garbage.
_BUCKET_BITS = 4
_REACH = 4096
# Where a highlight is, to find its versions: the kind of place ("L" for locations, "P" for
# numbered pages, "P:xii" for another page), its first and its last location or page.
_Place = tuple[str, int, int]
_Bucket = tuple[Book, str, int]


def resolve(reader: ClipReader) -> None:
    """Mark the clips to keep and attach the notes; repeats and old edits are folded in."""
    replaced = _fold_versions(reader.first_of.values())
    _attach_notes(reader.notes, _targets(reader.clips, reader.notes), replaced)


def _fold_versions(highlights: Iterable[Clip]) -> dict[Clip, Clip]:
    """Keep the latest version of each passage; each replaced clip maps to its successor.

    A version overlaps the clips it replaces, so versions are looked for only within each
    run of overlapping highlights of a book, apart from the other runs (see _fold_run). Most
    highlights overlap no other and are kept as they are.
    """
    shelves: dict[tuple[Book, str], list[tuple[int, int, Clip]]] = {}
    for clip in highlights:
        clip.kept = True
        if clip.location_start is None and clip.page is None:
            continue  # No place: nothing to be a version of.
        kind, first, last = _place(clip)
        shelf = shelves.get((clip.book, kind))
        if shelf is None:
            shelf = shelves[clip.book, kind] = []
        shelf.append((first, last, clip))
    replaced: dict[Clip, Clip] = {}
    for shelf in shelves.values():
        for run in _overlapping_runs(shelf):
            _fold_run(run, replaced)
    return replaced


def _overlapping_runs(shelf: list[tuple[int, int, Clip]]) -> Iterator[list[Clip]]:
    """The runs of two or more overlapping clips among the (first, last, clip) of one book
    and kind of place: in order of their first location or page, a run ends where the next
    clip starts after every place so far has ended."""
    shelf.sort(key=itemgetter(0))
    start = 0
    reach = -1  # The last location or page of the run so far.
    for index, (first, last, _clip) in enumerate(shelf):
        if first > reach:
            if index - start > 1:
                yield [clip for _first, _last, clip in shelf[start:index]]
            start = index
        if last > reach:
            reach = last
    if len(shelf) - start > 1:
        yield [clip for _first, _last, clip in shelf[start:]]


def _fold_run(run: list[Clip], replaced: dict[Clip, Clip]) -> None:
    """Fold the versions among a run of overlapping clips into the latest.

    Taken in the order they were last written, each text replaces the versions of its
    passage still standing. A text that repeats an earlier one is its latest version again
    (long, short, long keeps the long).
    """
    standing: dict[_Bucket, list[Clip]] = {}
    for clip in sorted(run, key=attrgetter("last")):
        place = _place(clip)
        buckets = _buckets(clip.book, place)
        for older in _versions(clip, place, buckets, standing):
            older.kept = False
            replaced[older] = clip
            for bucket in _buckets(older.book, _place(older)):
                standing[bucket].remove(older)
        for bucket in buckets:
            standing.setdefault(bucket, []).append(clip)


def _versions(
    clip: Clip, place: _Place, buckets: list[_Bucket], standing: dict[_Bucket, list[Clip]]
) -> list[Clip]:
    """The clips standing in the buckets whose place overlaps and whose text is a version."""
    versions: list[Clip] = []
    for bucket in buckets:
        for older in standing.get(bucket, ()):
            other = _place(older)
            if (
                other[1] <= place[2]
                and place[1] <= other[2]
                and older not in versions
                and same_passage(_folded(older), _folded(clip))
            ):
                versions.append(older)
    return versions


def _targets(clips: list[Clip], notes: list[Clip]) -> dict[Anchor, list[Clip]]:
    """The highlights ending at each place a note points at, in file order.

    Every version of a highlight is a target, so a note on an old range still lands. Only
    the places notes point at are listed: most highlights have no note.
    """
    targets: dict[Anchor, list[Clip]] = {}
    for note in notes:
        anchor = _anchor(note)
        if anchor is not None:
            targets[anchor] = []
    if targets:
        for clip in clips:
            if clip.kind != "note" and (anchor := _anchor(clip)) in targets:
                targets[anchor].append(clip)
    return targets


def _attach_notes(
    notes: list[Clip], anchors: dict[Anchor, list[Clip]], replaced: dict[Clip, Clip]
) -> None:
    """Put each note on the highlight ending where it points; keep the others as lone notes."""
    lone: set[tuple[Anchor | None, Book, str]] = set()
    attached: dict[Clip, set[str]] = {}
    for note in notes:
        anchor = _anchor(note)
        targets = anchors.get(anchor) if anchor is not None else None
        squashed = squash(note.text)
        if not targets:
            # The same note saved again (same book, place and text) is one note; the same
            # words at another place are another note.
            key = (anchor, note.book, squashed)
            note.kept = key not in lone
            lone.add(key)
            continue
        target = _noted(targets, note)
        while target in replaced:
            target = replaced[target]
        seen = attached.setdefault(target, set())
        if squashed not in seen:
            seen.add(squashed)
            if target.notes is None:
                target.notes = []
            target.notes.append(note.text)


def _noted(targets: list[Clip], note: Clip) -> Clip:
    """The highlight a note is on, of those ending where it points, followed to its first
    appearance when it repeats one.

    A note is written right after its highlight, so it takes the latest one before it, else
    the first after it.
    """
    index = bisect_left(targets, note.order, key=attrgetter("order"))
    target = targets[index - 1 if index else 0]
    return target.repeats or target


def _place(clip: Clip) -> _Place:
    """Where a clip with a location or a page is: its location range, else its pages."""
    if (start := clip.location_start) is not None:
        return "L", start, clip.location_end or start
    page = clip.page or ""
    span = span_of(page)
    if span is None:
        return f"P:{page.casefold()}", 0, 0
    return "P", span[0], span[1]


def _buckets(book: Book, place: _Place) -> list[_Bucket]:
    kind, first, last = place
    low = first >> _BUCKET_BITS
    high = min(last, first + _REACH) >> _BUCKET_BITS
    if low == high:  # most highlights
        return [(book, kind, low)]
    return [(book, kind, bucket) for bucket in range(low, high + 1)]


def _folded(clip: Clip) -> str:
    """The clip's text as versions are compared: white space squashed, case folded."""
    if clip.folded is None:
        clip.folded = squash(clip.text).casefold()
    return clip.folded


def _anchor(clip: Clip) -> Anchor | None:
    """Where notes on a clip point: its range end, or its last page."""
    if clip.location_end is not None:
        return clip.book, clip.location_end
    if clip.page is not None:
        return clip.book, last_page(clip.page)
    return None
