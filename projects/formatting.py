"""How figures and percentages are written on pages, in exports and in the bulletin."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from projects import calendar

DASH = "—"


def figure(value: Decimal | int | float | str | None) -> str:
    """A figure as people write it: 60000.0000 -> 60,000; 12.5000 -> 12.5; None -> —."""
    if value is None or value == "":
        return DASH
    return format(Decimal(str(value)).normalize(), ",f")


def percent(value: Decimal | float | str | None) -> str:
    """45.2 -> 45.20%; None -> —."""
    if value is None or value == "":
        return DASH
    return f"{Decimal(str(value)):.2f}%"


def rounded_percent(value: Decimal | float | str | None) -> Decimal | None:
    """A percentage or a gap as the pages show it, for an export cell: two places, half up."""
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def points(value: Decimal | float | str | None) -> str:
    """A gap in percentage points, signed: 12.5 -> +12.50, -3 -> −3.00."""
    if value is None or value == "":
        return DASH
    value = Decimal(str(value))
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{abs(value):.2f}"


def deadline_words(*, text: str, deadline: date) -> str:
    """A deadline in the plan's own words with the date it is read as: 4月月底前（2022年4月30日）.

    A plan file may add its reader's note in brackets (全年（未写明期限，按年底计）): that is not the
    plan's wording, so the date takes its place (全年（2022年12月31日）)."""
    wording = (text or "").split("（", 1)[0].strip()
    day = calendar.day_label(deadline)
    return _("%(wording)s（%(day)s）") % {"wording": wording, "day": day} if wording else day
