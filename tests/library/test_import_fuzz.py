"""Whatever bytes arrive, the importer either imports or refuses clearly: nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import SessionFactory, unit_of_work
from bot.library.errors import ImportRejected
from bot.library.exporting import iter_library
from bot.library.importing import import_bytes

FRAGMENTS = [
    "==========\n",
    "Deep Work (Cal Newport)\n",
    "\ufeffTitle (Last, First)\n",
    "- Your Highlight on page 3 | Location 10-12 | Added on Monday, May 1, 2023 9:00:00 AM\n",
    "- Your Note on Location 12 | Added on Monday, May 1, 2023 9:01:00 AM\n",
    "- Deine Markierung auf Seite 112 | bei Position 1291-1291 | Hinzugefügt am Do\n",
    "- Your Bookmark on Location 5 | Added on Monday\n",
    "<You have reached the clipping limit for this item>\n",
    "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,"
    "Highlighted at,Document tags\n",
    '"quoted, with ""quotes""",B,A,,.c1 .tag note,yellow,"a, favorite",location,7,,\n',
    "<div class='noteHeading'>Highlight (<span class='highlight_yellow'>yellow</span>)"
    " - Location 744</div><div class='noteText'>text</div>",
    "The Book\n\nTable of Contents\n\n",
    "A located paragraph. (Location\u00a0491)\n\n",
    "Tags: x, discard\n\n",
    "Note: .h1\n\n",
    "\n",
    "\r\n",
    "\x00",
    "plain words ",
]

payloads = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(lambda parts: "".join(parts).encode()),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-16")
    ),
)


@settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=payloads)
def test_import_never_fails_in_any_other_way(sessions: SessionFactory, data: bytes) -> None:
    with sessions() as session:
        before = list(iter_library(session, chat_id=5))
    try:
        with unit_of_work(sessions) as session:
            report = import_bytes(session, chat_id=5, data=data, max_bytes=1 << 20)
    except ImportRejected as refusal:
        assert str(refusal).strip()
        assert "\n" not in str(refusal)
        with sessions() as session:
            assert list(iter_library(session, chat_id=5)) == before  # nothing half-imported
    else:
        assert report.new >= 0
