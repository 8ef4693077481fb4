"""The half-life model: recall halves every half-life, feedback halves or doubles it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.library.recall import (
    MAX_HALF_LIFE,
    MIN_HALF_LIFE,
    Feedback,
    due_at,
    next_half_life,
    recall,
)


def test_recall_is_one_when_just_seen_and_halves_every_half_life() -> None:
    assert recall(0, 14) == 1.0
    assert recall(14, 14) == pytest.approx(0.5)
    assert recall(28, 14) == pytest.approx(0.25)
    assert recall(7, 14) == pytest.approx(2**-0.5)


def test_a_moment_before_it_was_seen_still_counts_as_just_seen() -> None:
    assert recall(-3, 14) == 1.0


def test_the_first_feedback_starts_at_7_or_28_days_from_14() -> None:
    assert next_half_life(None, Feedback.SOONER) == 7.0
    assert next_half_life(None, Feedback.LATER) == 28.0


def test_sooner_halves_and_later_doubles_within_bounds() -> None:
    assert next_half_life(7.0, Feedback.SOONER) == 3.5
    assert next_half_life(28.0, Feedback.LATER) == 56.0
    assert next_half_life(1.5, Feedback.SOONER) == MIN_HALF_LIFE
    assert next_half_life(300.0, Feedback.LATER) == MAX_HALF_LIFE


def test_due_when_recall_falls_to_one_half() -> None:
    seen = datetime(2030, 1, 1, 8, tzinfo=UTC)
    due = due_at(seen, 7.0)
    assert due == seen + timedelta(days=7)
    assert recall((due - seen) / timedelta(days=1), 7.0) == pytest.approx(0.5)
