"""When feedback brings a highlight back: a half-life model of recall.

The chance that a reader still recalls a highlight ``Δt`` days after seeing it is
``p = 2^(−Δt/h)``, where ``h`` is the highlight's half-life. A highlight is due again when
``p`` falls to ½, that is when ``Δt = h``. Every highlight starts at ``h = 14`` days;
🔁 Sooner halves it (7, then 3.5, ...) and ⏩ Later doubles it (28, then 56, ...), within
``MIN_HALF_LIFE`` and ``MAX_HALF_LIFE``. Pure functions: no database, no clock.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum

START_HALF_LIFE = 14.0
MIN_HALF_LIFE = 1.0
MAX_HALF_LIFE = 365.0


class Feedback(StrEnum):
    """What a reader can say about when a highlight should come back."""

    SOONER = "sooner"
    LATER = "later"


def recall(elapsed_days: float, half_life: float) -> float:
    """The chance the highlight is still recalled ``elapsed_days`` after it was seen."""
    return math.pow(2.0, -max(elapsed_days, 0.0) / half_life)


def next_half_life(half_life: float | None, feedback: Feedback) -> float:
    """The half-life after this feedback (``None``: the highlight had none yet)."""
    current = START_HALF_LIFE if half_life is None else half_life
    changed = current / 2 if feedback is Feedback.SOONER else current * 2
    return min(max(changed, MIN_HALF_LIFE), MAX_HALF_LIFE)


def due_at(seen_at: datetime, half_life: float) -> datetime:
    """When recall of a highlight seen at ``seen_at`` falls to ½."""
    return seen_at + timedelta(days=half_life)
