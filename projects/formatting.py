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


def target_words(indicator) -> str:
    """An indicator's target as the pages write it: 60,000 人次; 3 %（左右，容差 0.5）; 节点; 定性; a
    target carried from last year's plan and not yet confirmed says so (待确认)."""
    if indicator.kind == "qualitative":
        return _("定性")
    if indicator.target is None:
        return _("节点")
    words = f"{figure(indicator.target)} {indicator.unit_of_measure}".strip()
    if indicator.tolerance:
        words += _("（容差 %(tolerance)s）") % {"tolerance": figure(indicator.tolerance)}
    if not indicator.target_confirmed:
        words = _("待确认：%(target)s") % {"target": words}
    return words


def base_words(indicator) -> str:
    """The base year's figure where the plan gives one: 2021年：1,582.5 亿元."""
    if indicator.base_value is None:
        return ""
    unit = indicator.base_unit or indicator.unit_of_measure
    year = indicator.base_year or indicator.task.project.plan.year - 1
    return _("%(year)s年：%(value)s %(unit)s") % {"year": year, "value": figure(indicator.base_value), "unit": unit}
