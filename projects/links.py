"""The pages a message links to, as paths on this site.

A message leads to what it is about: the indicator page (as of the month it speaks of), the unit's
form for that month, the figures waiting for review, the notice. A first scan writes thousands of
messages, so the paths are filled into patterns that ``reverse`` builds once per process instead
of once per message.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from urllib.parse import urlencode

from django.urls import reverse

from projects import calendar

_ID = 987654321  # stand-ins that reverse() accepts and nothing else contains
_MONTH = "1999-12"


@cache
def _pattern(name: str, *kinds: str) -> str:
    return reverse(name, args=[_ID if kind == "id" else _MONTH for kind in kinds])


def _fill(name: str, *values: int | date) -> str:
    path = _pattern(name, *("month" if isinstance(v, date) else "id" for v in values))
    for value in values:
        if isinstance(value, date):
            path = path.replace(_MONTH, calendar.month_key(value), 1)
        else:
            path = path.replace(str(_ID), str(int(value)), 1)
    return path


def _as_of(plan_id: int | None, month: date | None) -> str:
    query = {}
    if plan_id is not None:
        query["plan"] = plan_id
    if month is not None:
        query["month"] = calendar.month_key(month)
    return f"?{urlencode(query)}" if query else ""


def indicator_page(indicator_id: int, *, plan_id: int | None = None, month: date | None = None) -> str:
    return _fill("indicator_detail", indicator_id) + _as_of(plan_id, month)


def project_page(project_id: int, *, plan_id: int | None = None, month: date | None = None) -> str:
    return _fill("project_detail", project_id) + _as_of(plan_id, month)


def task_page(task_id: int, *, plan_id: int | None = None, month: date | None = None) -> str:
    return _fill("task_detail", task_id) + _as_of(plan_id, month)


def unit_page(unit_id: int, *, plan_id: int | None = None, month: date | None = None) -> str:
    return _fill("unit_detail", unit_id) + _as_of(plan_id, month)


def overview(*, plan_id: int | None = None, month: date | None = None) -> str:
    return reverse("overview") + _as_of(plan_id, month)


def report_form(month: date, indicator_id: int) -> str:
    """The unit's form for one figure of one month."""
    return _fill("report_edit", month, indicator_id)


def report_month(month: date) -> str:
    """The unit's page of one month."""
    return _fill("report_month", month)


def todo() -> str:
    """The unit's worklist: every open month, what is missing and what was returned."""
    return reverse("todo")


def review_queue(*, unit_id: int | None = None, month: date | None = None) -> str:
    query = {}
    if unit_id is not None:
        query["unit"] = unit_id
    if month is not None:
        query["month"] = calendar.month_key(month)
    return reverse("review_queue") + (f"?{urlencode(query)}" if query else "")


def alert_list(*, plan_id: int | None = None, month: date | None = None) -> str:
    """The list of open alerts (预警清单) of a plan as of a month."""
    return reverse("alert_list") + _as_of(plan_id, month)


def notice_page(notice_id: int) -> str:
    """A supervision notice's page: its text, answers and history."""
    return _fill("supervision:notice", notice_id)


def register(name: str, **query: str | int) -> str:
    """A register of the supervision loop (``notices``, ``instructions``), filtered by ``query``."""
    path = reverse(f"supervision:{name}")
    return f"{path}?{urlencode(query)}" if query else path
