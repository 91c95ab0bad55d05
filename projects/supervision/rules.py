"""Rules of the supervision loop that pages and services share: plain functions, no database."""

from __future__ import annotations

from typing import Protocol

from django.utils.translation import gettext_lazy

__all__ = ["LOCK_CLOSED_OUT", "closeout_lock"]

LOCK_CLOSED_OUT = gettext_lazy("已销号，数据已锁定（须由市政府督查室重新打开）")


class _ClosedOut(Protocol):
    closed_out_at: object


def closeout_lock(indicator: _ClosedOut) -> str | None:
    """Why an indicator's figures cannot change because its target is closed out (销号), or None.

    Every figure of a closed-out indicator is locked, every unit's and every month's, until the
    office reopens the close-out with a reason."""
    return str(LOCK_CLOSED_OUT) if indicator.closed_out_at else None
