"""The reporting calendar: months, due dates, the reporting month, what is owed, an indicator's periods.

Plain functions with no database and no clock: whatever depends on the day takes ``today`` (from
``projects.clock.today()``), so that pages, jobs, exports and the bulletin read the calendar the
same way, and tests can walk a plan through its year.

A month is written as its first day (``date(2022, 9, 1)`` is September 2022); figures describe the
state at the month's end.

**The due day, decided once.** A month's figures are due on the plan's ``due_day`` (the 5th by
default) of the following month and are on time until that day ends, Beijing time. The month is
*due* from the next day on: on 5 October September's figures are still on time and September is
not yet owed; on 6 October it is owed, it is the **reporting month** (the month the pages open on
and the alerts judge), and a figure sent now is late. Everything below that speaks of "due",
"owed" or "late" goes through ``is_due`` and ``late_from``.

**Deadlines of the supervision loop.** A supervision notice or a leader's instruction is answered
by a deadline day, on time all through that day, late from the next (``is_past``, the same
boundary as a month's due day): a reminder goes out ``ANSWER_REMINDER_DAYS`` days before
(``deadline_near``), the 催办 the day after (``is_past``). A notice issued on a day is due when the
figures of that day's month are due (``notice_deadline``: the next reporting cycle).

**An indicator's periods.** ``periods`` is the one place that says in which months an indicator is
reported (its reporting periods): by its ``Frequency`` every month, the quarters' last months or
December, from its start to its deadline and within its task's validity, and always the month its
reporting ends in. ``followed_months`` are the months the progress tables follow it (until the
later of its deadline and the plan's), so that a late finish still shows. Owed months, the
missing-report check, the reminders, a unit's month page and the progress rows take the periods
from ``periods``; ``judged_on`` says which period end a month's standing is judged at (a quarterly
figure stands in May as it stood at the end of March).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from django.utils import formats, translation
from django.utils.translation import pgettext

__all__ = [
    "ANSWER_REMINDER_DAYS",
    "DEFAULT_DUE_DAY",
    "MONTH_YEARS",
    "Frequency",
    "Window",
    "add_months",
    "answer_is_late",
    "as_of",
    "day_label",
    "day_span",
    "deadline_near",
    "due_date",
    "due_soon",
    "end_of_day",
    "followed_months",
    "is_due",
    "is_followed",
    "is_late",
    "is_over",
    "is_past",
    "is_period",
    "is_period_end",
    "is_reportable",
    "judged_on",
    "landing_month",
    "late_from",
    "latest_owed",
    "month_end",
    "month_index",
    "month_key",
    "month_label",
    "month_of",
    "month_or_none",
    "months_between",
    "notice_deadline",
    "open_month",
    "owed_months",
    "parse_month",
    "periods",
    "previous_period",
    "reportable_months",
    "reporting_month",
    "short_day_label",
    "short_month_label",
    "span",
    "window",
]

DEFAULT_DUE_DAY = 5
# The years a plan can have (the plan file's schema): the year 1 or 9999 would break the date
# arithmetic of due days and URLs, and other months have nothing to show.
MONTH_YEARS = range(2000, 2101)


# --- months -------------------------------------------------------------------


def month_of(day: date) -> date:
    """The month ``day`` is in (its first day)."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=_stdlib_calendar.monthrange(day.year, day.month)[1])


def as_of(month: date) -> date:
    """The day a month's figures describe: its last day."""
    return month_end(month)


def add_months(day: date, n: int) -> date:
    """``day`` moved by ``n`` calendar months, the day clamped (Jan 31 + 1 -> Feb 28)."""
    index = month_index(day) + n
    year, month0 = divmod(index, 12)
    last_day = _stdlib_calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last_day))


def month_index(day: date) -> int:
    """Months since year 0: differences of these count calendar months."""
    return day.year * 12 + day.month - 1


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first``'s to ``last``'s, both included (empty when ``last`` is earlier)."""
    return [add_months(month_of(first), n) for n in range(month_index(last) - month_index(first) + 1)]


def parse_month(text: str) -> date:
    """``"2022-06"`` -> 2022-06-01. ValueError for anything else: another shape, a month 13, a
    year no plan can have."""
    year, sep, month = (text or "").partition("-")
    digits = year + month
    if not sep or len(year) != 4 or len(month) != 2 or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    if int(year) not in MONTH_YEARS:
        raise ValueError(f"not a month of a plan: {text!r}")
    return date(int(year), int(month), 1)  # ValueError for month 00 or 13


def month_or_none(text: str | None) -> date | None:
    """``parse_month`` for a value typed into a URL: None instead of an error."""
    try:
        return parse_month(text or "")
    except ValueError:
        return None


def month_key(month: date) -> str:
    """The month as machines write it (URLs, files, JSON): ``"2022-09"``."""
    return f"{month:%Y-%m}"


# Labels are in the current language, or in ``language`` (the bulletin and the demo's narratives
# are Chinese documents whoever builds them).


def month_label(month: date, *, language: str | None = None) -> str:
    """The month as people read it: 2022年9月, September 2022."""
    with translation.override(language, deactivate=False) if language else nullcontext():
        return formats.date_format(month, "YEAR_MONTH_FORMAT")


def short_month_label(month: date, *, language: str | None = None) -> str:
    """The month without its year (the page says the year): 9月, Sep."""
    with translation.override(language, deactivate=False) if language else nullcontext():
        return formats.date_format(month, pgettext("短月份格式", "n月"))


def day_label(day: date, *, language: str | None = None) -> str:
    """A day as people read it: 2022年10月5日, Oct. 5, 2022."""
    with translation.override(language, deactivate=False) if language else nullcontext():
        return formats.date_format(day, "DATE_FORMAT")


def day_span(day: date, *, tz: tzinfo) -> tuple[datetime, datetime]:
    """The moments of ``day`` in ``tz`` (the city's): from its midnight, up to the next one."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def short_day_label(day: date, *, language: str | None = None) -> str:
    """A day without its year (the page says it): 10月5日, Oct. 5."""
    with translation.override(language, deactivate=False) if language else nullcontext():
        return formats.date_format(day, pgettext("短日期格式", "n月j日"))


# --- the due day --------------------------------------------------------------


def due_date(month: date, *, due_day: int = DEFAULT_DUE_DAY) -> date:
    """The day a month's figures are due: ``due_day`` of the following month."""
    return add_months(month_of(month), 1).replace(day=due_day)


def is_past(day: date, *, today: date) -> bool:
    """Whether a deadline ``day`` has passed by ``today``: the day after it, not the day itself
    (what is due on a day is on time all through it). The one boundary of every deadline."""
    return day < today


def is_due(month: date, *, today: date, due_day: int = DEFAULT_DUE_DAY) -> bool:
    """Whether a month's due day has passed by ``today`` (the day after the due day, not the due
    day itself: the figures are on time all through it)."""
    return is_past(due_date(month, due_day=due_day), today=today)


def end_of_day(day: date, *, tz: tzinfo) -> datetime:
    """The moment ``day`` ends in ``tz`` (the city's): midnight at the start of the next day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def late_from(month: date, *, due_day: int = DEFAULT_DUE_DAY, tz: tzinfo) -> datetime:
    """The moment a month's figures become late: the end of the due day, in ``tz`` (the city's)."""
    return end_of_day(due_date(month, due_day=due_day), tz=tz)


def is_late(month: date, *, at: datetime, tz: tzinfo, due_day: int = DEFAULT_DUE_DAY) -> bool:
    """Whether a figure sent at ``at`` is late."""
    return at >= late_from(month, due_day=due_day, tz=tz)


def is_over(month: date, *, today: date) -> bool:
    """Whether a month has ended by ``today`` (its last day counts): only then can its state at the
    end be reported."""
    return month_end(month) <= today


# --- deadlines of the supervision loop ----------------------------------------

# A reminder this many days before an answer is due (the figures' reminder uses the same two).
ANSWER_REMINDER_DAYS = 2


def notice_deadline(*, issued_on: date, due_day: int = DEFAULT_DUE_DAY) -> date:
    """The day a supervision notice issued on ``issued_on`` must be answered by: the due day of the
    figures of the month under way (issued 6 August -> 5 September), the next reporting cycle."""
    return due_date(month_of(issued_on), due_day=due_day)


def deadline_near(deadline: date, *, today: date, days: int = ANSWER_REMINDER_DAYS) -> bool:
    """Whether ``deadline`` is today or within ``days`` days from today: when a reminder before it
    goes out (every day of that window, so that a job that missed a day still sends it)."""
    return today <= deadline <= today + timedelta(days=days)


def answer_is_late(deadline: date, *, answered_on: date) -> bool:
    """Whether an answer given on ``answered_on`` (the city's day) missed ``deadline``."""
    return is_past(deadline, today=answered_on)


def reporting_month(*, today: date, due_day: int = DEFAULT_DUE_DAY) -> date:
    """The latest month whose due day has passed by ``today``: on 6 October 2022 (due day the
    5th) September, on 5 October August."""
    month = add_months(month_of(today), -1)
    while not is_due(month, today=today, due_day=due_day):
        month = add_months(month, -1)
    return month


def open_month(*, today: date) -> date:
    """The latest month that has ended: the one being reported now (before its due day) or just
    due."""
    month = month_of(today)
    return month if is_over(month, today=today) else add_months(month, -1)


def due_soon(*, today: date, days: int, due_day: int = DEFAULT_DUE_DAY) -> list[date]:
    """The months whose due day falls within ``days`` days from ``today`` (today included): what a
    reminder before the due day is about."""
    this = month_of(today)
    candidates = (add_months(this, -1), this)
    return [m for m in candidates if today <= due_date(m, due_day=due_day) <= today + timedelta(days=days)]


def span(months: Iterable[date]) -> list[date]:
    """Every month from the earliest to the latest of ``months`` (a plan's months from its
    indicators' windows)."""
    months = list(months)
    return months_between(min(months), max(months)) if months else []


def landing_month(*, months: Sequence[date], today: date, due_day: int = DEFAULT_DUE_DAY) -> date:
    """The month a page opens on: the reporting month as of ``today``, within ``months`` (the
    first of them before any is due, the last once all are past)."""
    if not months:
        raise ValueError("a plan without months")
    month = reporting_month(today=today, due_day=due_day)
    return min(max(month, months[0]), months[-1])


# --- an indicator's window and periods ----------------------------------------


class Frequency(StrEnum):
    """How often an indicator's figure is owed."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"  # March, June, September, December
    YEARLY = "yearly"  # December


def is_period_end(month: date, frequency: str = Frequency.MONTHLY) -> bool:
    """Whether ``month`` ends a reporting period of ``frequency``: every month, a quarter's last
    month, December."""
    frequency = Frequency(frequency)
    if frequency == Frequency.QUARTERLY:
        return month.month % 3 == 0
    if frequency == Frequency.YEARLY:
        return month.month == 12
    return True


@dataclass(frozen=True)
class Window:
    """When an indicator is measured: from ``start`` to ``deadline``; the progress tables follow it
    until ``followed_until`` (the later of its deadline and the plan's). It is reported at the ends
    of its ``frequency``'s periods, and only in the months its task is valid (``valid_from`` to
    ``valid_until``, where the task says)."""

    start: date
    deadline: date
    followed_until: date
    frequency: str = Frequency.MONTHLY
    valid_from: date | None = None
    valid_until: date | None = None

    @property
    def first(self) -> date:
        return month_of(self.start)

    @property
    def last(self) -> date:
        """The month of the deadline: the last month it is reported in."""
        return month_of(self.deadline)


def window(
    *,
    start: date,
    deadline: date,
    plan_deadline: date,
    frequency: str = Frequency.MONTHLY,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Window:
    return Window(
        start=start,
        deadline=deadline,
        followed_until=max(deadline, plan_deadline),
        frequency=Frequency(frequency),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def periods(w: Window) -> list[date]:
    """The periods an indicator is reported in: the months from its start to its deadline that
    also lie in its task's validity and end a period of its frequency, and the last of those months
    whatever its frequency (a quarterly figure due at the end of April is reported for March and
    April). Monthly, without a validity: every month of the window. The one place a reporting
    frequency or a validity changes what is owed."""
    first, last = w.first, w.last
    if w.valid_from is not None:
        first = max(first, month_of(w.valid_from))
    if w.valid_until is not None:
        last = min(last, month_of(w.valid_until))
    return [m for m in months_between(first, last) if m == last or is_period_end(m, w.frequency)]


def is_period(month: date, w: Window) -> bool:
    return month in periods(w)


def previous_period(month: date, w: Window) -> date | None:
    """The reporting period before ``month``, None for the first."""
    earlier = [p for p in periods(w) if p < month]
    return earlier[-1] if earlier else None


def judged_on(month: date, w: Window) -> date:
    """The day an indicator's standing in ``month`` is judged on: the end of its latest reporting
    period up to ``month`` (a quarterly figure stands in May as it stood at the end of March); after
    its last period, the month's own end (so that a deadline passed undone shows); before its first
    period, the day before its window opens, when nothing is expected yet."""
    owed = periods(w)
    if owed and month > owed[-1]:
        return as_of(month)
    earlier = [p for p in owed if p <= month]
    if not earlier:
        return w.start - timedelta(days=1)
    return as_of(earlier[-1])


def followed_months(w: Window) -> list[date]:
    """The months the progress tables hold for an indicator: from its start until
    ``followed_until``, so that a figure sent after the deadline still counts."""
    return months_between(w.first, w.followed_until)


def reportable_months(w: Window) -> list[date]:
    """The months a unit may enter a figure for: its reporting periods, and every followed month
    after its deadline's (a late finish is reported when it happens)."""
    owed = periods(w)
    return owed + [m for m in followed_months(w) if owed and m > w.last]


def is_reportable(month: date, w: Window) -> bool:
    return month in reportable_months(w)


def owed_months(w: Window, *, today: date, due_day: int = DEFAULT_DUE_DAY, upto: date | None = None) -> list[date]:
    """The periods whose due day has passed by ``today`` (up to ``upto`` if given): the months a
    unit owes figures for, unless it has reported them."""
    return [
        p
        for p in periods(w)
        if is_due(p, today=today, due_day=due_day) and (upto is None or p <= upto)
    ]


def latest_owed(w: Window, *, today: date, due_day: int = DEFAULT_DUE_DAY) -> date | None:
    """The latest period owed by ``today``: what the missing-report check looks at."""
    owed = owed_months(w, today=today, due_day=due_day)
    return owed[-1] if owed else None


def is_followed(month: date, w: Window) -> bool:
    """Whether the progress tables hold ``month`` for an indicator (``followed_months``)."""
    return w.first <= month <= month_of(w.followed_until)
