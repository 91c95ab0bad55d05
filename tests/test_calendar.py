"""The reporting calendar (projects/calendar.py): due days, the reporting month, owed months, an
indicator's periods, month parsing and labels. Plain functions: no database, no clock."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from projects import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = Path(__file__).resolve().parents[1] / "projects" / "calendar.py"


# --- the due day, decided once -------------------------------------------------------------------


def test_a_months_figures_are_due_on_the_fifth_of_the_next_month():
    assert calendar.due_date(date(2022, 9, 1)) == date(2022, 10, 5)
    assert calendar.due_date(date(2022, 12, 1)) == date(2023, 1, 5)
    assert calendar.due_date(date(2022, 9, 17), due_day=10) == date(2022, 10, 10)


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2022, 10, 4), False),
        # On the due day itself the figures are still on time: not yet owed.
        (date(2022, 10, 5), False),
        (date(2022, 10, 6), True),
        (date(2023, 3, 1), True),
    ],
)
def test_a_month_is_due_from_the_day_after_its_due_day(today, due):
    assert calendar.is_due(date(2022, 9, 1), today=today) is due


def test_a_figure_is_late_from_the_end_of_the_due_day_city_time():
    september = date(2022, 9, 1)
    assert calendar.late_from(september, tz=SHANGHAI) == datetime(2022, 10, 6, tzinfo=SHANGHAI)
    assert not calendar.is_late(september, at=datetime(2022, 10, 5, 23, 59, 59, tzinfo=SHANGHAI), tz=SHANGHAI)
    assert calendar.is_late(september, at=datetime(2022, 10, 6, 0, 0, tzinfo=SHANGHAI), tz=SHANGHAI)
    # 5 October 16:30 UTC is already the 6th in Beijing.
    assert calendar.is_late(september, at=datetime(2022, 10, 5, 16, 30, tzinfo=ZoneInfo("UTC")), tz=SHANGHAI)


def test_the_late_moment_and_the_due_month_draw_the_same_line():
    # A figure becomes late on the first day the month counts as due: one boundary, not two.
    for month in calendar.months_between(date(2022, 1, 1), date(2023, 12, 1)):
        first_late_day = calendar.late_from(month, tz=SHANGHAI).date()
        assert calendar.is_due(month, today=first_late_day)
        assert not calendar.is_due(month, today=date.fromordinal(first_late_day.toordinal() - 1))


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2022, 10, 5), date(2022, 8, 1)),
        (date(2022, 10, 6), date(2022, 9, 1)),
        (date(2022, 10, 31), date(2022, 9, 1)),
        (date(2022, 11, 6), date(2022, 10, 1)),
        (date(2023, 1, 5), date(2022, 11, 1)),
        (date(2023, 1, 6), date(2022, 12, 1)),
        (date(2022, 3, 1), date(2022, 1, 1)),
    ],
)
def test_the_reporting_month_is_the_latest_whose_due_day_has_passed(today, month):
    assert calendar.reporting_month(today=today) == month


def test_the_open_month_is_the_latest_that_has_ended():
    assert calendar.open_month(today=date(2022, 10, 3)) == date(2022, 9, 1)
    assert calendar.open_month(today=date(2022, 9, 30)) == date(2022, 9, 1)
    assert calendar.open_month(today=date(2022, 9, 29)) == date(2022, 8, 1)


def test_reminders_look_at_the_months_due_within_the_next_days():
    assert calendar.due_soon(today=date(2022, 10, 3), days=2) == [date(2022, 9, 1)]
    assert calendar.due_soon(today=date(2022, 10, 5), days=2) == [date(2022, 9, 1)]
    assert calendar.due_soon(today=date(2022, 10, 6), days=2) == []
    assert calendar.due_soon(today=date(2022, 12, 30), days=10) == [date(2022, 12, 1)]


def test_a_page_lands_on_the_reporting_month_within_the_plans_months():
    months = calendar.months_between(date(2022, 1, 1), date(2022, 12, 1))
    assert calendar.landing_month(months=months, today=date(2022, 10, 6)) == date(2022, 9, 1)
    assert calendar.landing_month(months=months, today=date(2021, 12, 6)) == date(2022, 1, 1)
    assert calendar.landing_month(months=months, today=date(2026, 11, 29)) == date(2022, 12, 1)


# --- an indicator's window and periods -----------------------------------------------------------


def test_a_three_year_indicator_is_reported_and_followed_to_2024():
    w = calendar.window(start=date(2022, 1, 1), deadline=date(2024, 12, 31), plan_deadline=date(2022, 12, 31))
    assert calendar.periods(w)[0] == date(2022, 1, 1) and calendar.periods(w)[-1] == date(2024, 12, 1)
    assert len(calendar.periods(w)) == 36 and calendar.followed_months(w) == calendar.periods(w)


def test_an_indicator_due_in_april_is_owed_until_april_and_followed_until_december():
    w = calendar.window(start=date(2022, 1, 1), deadline=date(2022, 4, 30), plan_deadline=date(2022, 12, 31))
    assert calendar.periods(w) == calendar.months_between(date(2022, 1, 1), date(2022, 4, 1))
    assert calendar.followed_months(w)[-1] == date(2022, 12, 1)
    assert calendar.is_followed(date(2022, 12, 1), w) and not calendar.is_period(date(2022, 5, 1), w)
    # On 6 October everything of it is owed; nothing after April.
    assert calendar.owed_months(w, today=date(2022, 10, 6)) == calendar.periods(w)
    assert calendar.latest_owed(w, today=date(2022, 10, 6)) == date(2022, 4, 1)
    # On 5 April only January and February are (March is due that day).
    assert calendar.owed_months(w, today=date(2022, 4, 5)) == [date(2022, 1, 1), date(2022, 2, 1)]
    assert calendar.owed_months(w, today=date(2022, 10, 6), upto=date(2022, 2, 1)) == [
        date(2022, 1, 1),
        date(2022, 2, 1),
    ]
    assert calendar.previous_period(date(2022, 1, 1), w) is None
    assert calendar.previous_period(date(2022, 4, 1), w) == date(2022, 3, 1)


def test_a_window_that_opens_mid_year_owes_nothing_before_it():
    w = calendar.window(start=date(2022, 7, 15), deadline=date(2022, 12, 31), plan_deadline=date(2022, 12, 31))
    assert calendar.periods(w)[0] == date(2022, 7, 1)
    assert calendar.latest_owed(w, today=date(2022, 7, 31)) is None
    assert calendar.latest_owed(w, today=date(2022, 8, 6)) == date(2022, 7, 1)


# --- months: parsing, arithmetic, labels ---------------------------------------------------------


@pytest.mark.parametrize("text", ["2022-6", "2022-13", "2022-00", "June", "", "22-06", "1999-12", "2022/06", "２０２２-06"])
def test_anything_but_yyyy_mm_of_a_plan_year_is_not_a_month(text):
    with pytest.raises(ValueError):
        calendar.parse_month(text)
    assert calendar.month_or_none(text) is None


def test_months_parse_and_print_back():
    assert calendar.parse_month("2022-06") == date(2022, 6, 1)
    assert calendar.month_key(date(2022, 6, 1)) == "2022-06"
    assert calendar.month_or_none(None) is None
    assert calendar.add_months(date(2022, 1, 31), 1) == date(2022, 2, 28)
    assert calendar.add_months(date(2022, 1, 1), -1) == date(2021, 12, 1)
    assert calendar.span([date(2022, 3, 9), date(2024, 12, 31), date(2022, 1, 1)])[::11] == [
        date(2022, 1, 1),
        date(2022, 12, 1),
        date(2023, 11, 1),
        date(2024, 10, 1),
    ]


def test_labels_read_as_chinese_and_as_english():
    with translation.override("zh-hans"):
        assert calendar.month_label(date(2022, 9, 1)) == "2022年9月"
        assert calendar.day_label(date(2022, 10, 5)) == "2022年10月5日"
        assert calendar.short_day_label(date(2022, 10, 5)) == "10月5日"
        assert calendar.short_month_label(date(2022, 9, 1)) == "9月"
    with translation.override("en"):
        assert calendar.month_label(date(2022, 9, 1)) == "September 2022"
        assert calendar.day_label(date(2022, 10, 5)) == "Oct. 5, 2022"
        assert calendar.short_day_label(date(2022, 10, 5)) == "Oct. 5"
        assert calendar.short_month_label(date(2022, 9, 1)) == "Sep"


def test_the_calendar_is_plain_functions():
    """No database, no settings, no clock: it imports the standard library and Django's date
    formatting and translation only (labels are in the reader's language)."""
    tree = ast.parse(CALENDAR.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    allowed = {"__future__", "calendar", "collections.abc", "contextlib", "dataclasses", "datetime", "enum"}
    assert imported <= allowed | {"django.utils", "django.utils.translation"}
    calls = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert not calls & {"today", "now", "localdate", "objects"}
