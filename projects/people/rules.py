"""Rules of the people's side: plain functions with no database and no clock.

Windows (the vote's, the rating's) take the moment explicitly; the satisfaction rate and the
proposals' throttle are arithmetic on what the caller counted."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from projects import rules

__all__ = [
    "PROPOSAL_WINDOW",
    "Window",
    "WindowState",
    "address_key",
    "below_threshold",
    "group_standing",
    "proposal_allowed",
    "satisfaction_rate",
    "window_state",
]

_CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The throttle counts one address's proposals over this span (settings.PEOPLE_PROPOSALS_PER_DAY).
PROPOSAL_WINDOW = timedelta(hours=24)


class WindowState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime


def window_state(window: Window, *, at: datetime) -> WindowState:
    """Open from ``opens_at`` (included) to ``closes_at`` (excluded); results are published once closed."""
    if at < window.opens_at:
        return WindowState.UPCOMING
    if at < window.closes_at:
        return WindowState.OPEN
    return WindowState.CLOSED


def satisfaction_rate(*, satisfied: int, basically: int, unsatisfied: int) -> Decimal | None:
    """满意 + 基本满意 over all ratings, in % (two places, half up); None before any rating."""
    total = satisfied + basically + unsatisfied
    if total == 0:
        return None
    return (Decimal(satisfied + basically) * HUNDRED / total).quantize(_CENT, rounding=ROUND_HALF_UP)


def below_threshold(rate: Decimal | None, *, threshold: Decimal) -> bool:
    """A project whose rate is under the threshold is flagged; one nobody rated is not judged."""
    return rate is not None and rate < threshold


def proposal_allowed(*, recent: int, limit: int) -> bool:
    """Whether an address that sent ``recent`` proposals within ``PROPOSAL_WINDOW`` may send another."""
    return recent < limit


def address_key(address: str, *, secret: str) -> str:
    """A keyed hash of a sender's address: enough to count its proposals, not to find it again."""
    return hmac.new(secret.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class GroupStanding:
    completion: Decimal | None
    expected: Decimal | None
    light: str


def group_standing(
    *, indicators: Sequence[tuple[Decimal | None, Decimal]], deadline: date, as_of: date, bands: rules.Bands
) -> GroupStanding:
    """A project's standing from its main indicators' ``(completion, expected)``, as the dashboards
    measure groups: the mean of completions capped at 100 with nothing reported as 0
    (``rules.weighted_score`` with equal weights), against the mean expected progress."""
    if not indicators:
        return GroupStanding(None, None, "")
    completion = rules.weighted_score(completions=[(c, Decimal(1)) for c, _e in indicators])
    expected = (sum((e for _c, e in indicators), Decimal(0)) / len(indicators)).quantize(_CENT, rounding=ROUND_HALF_UP)
    light = rules.light(expected=expected, completion=completion, deadline=deadline, as_of=as_of, bands=bands)
    return GroupStanding(completion, expected, light.value)
