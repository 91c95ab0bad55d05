"""The reporting frequency and a task's validity in the one calendar (projects.calendar.periods): in
which months a figure is owed, which month a standing is judged at, what is owed on each side of
the quarter's and the year's due days."""

from datetime import date

import pytest

from projects import calendar
from projects.calendar import Frequency


def m(year: int, month: int) -> date:
    return date(year, month, 1)


def window(frequency=Frequency.MONTHLY, start=date(2022, 1, 1), deadline=date(2022, 12, 31), **validity):
    return calendar.window(
        start=start, deadline=deadline, plan_deadline=date(2022, 12, 31), frequency=frequency, **validity
    )


def test_monthly_is_every_month_as_before():
    assert calendar.periods(window()) == [m(2022, n) for n in range(1, 13)]


def test_quarterly_is_the_quarters_last_months():
    assert calendar.periods(window(Frequency.QUARTERLY)) == [m(2022, 3), m(2022, 6), m(2022, 9), m(2022, 12)]


def test_yearly_is_december_of_each_year():
    assert calendar.periods(window(Frequency.YEARLY)) == [m(2022, 12)]
    three_years = window(Frequency.YEARLY, deadline=date(2024, 12, 31))
    assert calendar.periods(three_years) == [m(2022, 12), m(2023, 12), m(2024, 12)]


def test_the_last_month_is_a_period_whatever_the_frequency():
    # A quarterly figure due at the end of April is reported for March and for April; a yearly one
    # due at the end of September, for September.
    assert calendar.periods(window(Frequency.QUARTERLY, deadline=date(2022, 4, 30))) == [m(2022, 3), m(2022, 4)]
    assert calendar.periods(window(Frequency.YEARLY, deadline=date(2022, 9, 30))) == [m(2022, 9)]


def test_a_plan_that_starts_mid_year():
    # 三政办〔2022〕16号 from 5 June: monthly from June, quarterly June, September, December.
    start = date(2022, 6, 5)
    assert calendar.periods(window(start=start))[0] == m(2022, 6)
    assert calendar.periods(window(Frequency.QUARTERLY, start=start)) == [m(2022, 6), m(2022, 9), m(2022, 12)]


def test_a_task_owes_reports_only_within_its_validity():
    # Valid from 1 April: April to December; valid until 30 September: January to September.
    assert calendar.periods(window(valid_from=date(2022, 4, 1)))[0] == m(2022, 4)
    assert calendar.periods(window(valid_until=date(2022, 9, 30)))[-1] == m(2022, 9)
    # A validity that starts before the plan (自2022年1月1日 for a plan from 5 June) changes nothing.
    assert calendar.periods(window(start=date(2022, 6, 5), valid_from=date(2022, 1, 1)))[0] == m(2022, 6)
    # Quarterly within a validity that ends mid-quarter: its last month is reported.
    quarterly = window(Frequency.QUARTERLY, valid_until=date(2022, 8, 15))
    assert calendar.periods(quarterly) == [m(2022, 3), m(2022, 6), m(2022, 8)]


@pytest.mark.parametrize(
    ("month", "judged"),
    [
        (m(2022, 1), date(2021, 12, 31)),  # before the first quarter's end: nothing is expected yet
        (m(2022, 2), date(2021, 12, 31)),
        (m(2022, 3), date(2022, 3, 31)),
        (m(2022, 5), date(2022, 3, 31)),  # May stands as the first quarter stood
        (m(2022, 6), date(2022, 6, 30)),
        (m(2022, 11), date(2022, 9, 30)),
        (m(2022, 12), date(2022, 12, 31)),
    ],
)
def test_a_quarterly_figure_is_judged_at_its_latest_quarter_end(month, judged):
    assert calendar.judged_on(month, window(Frequency.QUARTERLY)) == judged


def test_after_the_last_period_a_month_is_judged_at_its_own_end():
    # A quarterly figure due at the end of June, followed to December: in August its deadline has
    # passed, and the rules must see August's end to call it overdue.
    w = window(Frequency.QUARTERLY, deadline=date(2022, 6, 30))
    assert calendar.judged_on(m(2022, 8), w) == date(2022, 8, 31)
    # Monthly figures are judged at each month's end, as before.
    assert calendar.judged_on(m(2022, 4), window()) == date(2022, 4, 30)


def test_a_unit_may_report_in_its_periods_and_after_the_deadline():
    w = window(Frequency.QUARTERLY, deadline=date(2022, 6, 30))
    assert calendar.reportable_months(w) == [m(2022, 3), m(2022, 6), *[m(2022, n) for n in range(7, 13)]]
    assert not calendar.is_reportable(m(2022, 2), w)
    assert calendar.reportable_months(window()) == calendar.followed_months(window())


@pytest.mark.parametrize(
    ("today", "owed"),
    [
        # The first quarter is due on 5 April (the plan's due day): owed from the 6th.
        (date(2022, 4, 5), []),
        (date(2022, 4, 6), [m(2022, 3)]),
        # Nothing more is owed in May, June or early July: no missing report for April or May.
        (date(2022, 6, 6), [m(2022, 3)]),
        (date(2022, 7, 6), [m(2022, 3), m(2022, 6)]),
        # The year's end: December is owed from 6 January.
        (date(2023, 1, 5), [m(2022, 3), m(2022, 6), m(2022, 9)]),
        (date(2023, 1, 6), [m(2022, 3), m(2022, 6), m(2022, 9), m(2022, 12)]),
    ],
)
def test_owed_quarters_on_each_side_of_the_due_day(today, owed):
    w = window(Frequency.QUARTERLY)
    assert calendar.owed_months(w, today=today) == owed
    assert calendar.latest_owed(w, today=today) == (owed[-1] if owed else None)


def test_a_yearly_figure_is_owed_once_and_its_previous_period_is_last_year():
    w = window(Frequency.YEARLY, deadline=date(2024, 12, 31))
    assert calendar.owed_months(w, today=date(2023, 1, 5)) == []
    assert calendar.owed_months(w, today=date(2023, 1, 6)) == [m(2022, 12)]
    assert calendar.owed_months(w, today=date(2023, 12, 31)) == [m(2022, 12)]
    assert calendar.previous_period(m(2023, 12), w) == m(2022, 12)
    assert calendar.previous_period(m(2022, 12), w) is None
    # With the work report's due day (the 20th), December is owed from 21 January.
    assert calendar.owed_months(w, today=date(2023, 1, 20), due_day=20) == []
    assert calendar.owed_months(w, today=date(2023, 1, 21), due_day=20) == [m(2022, 12)]


def test_a_frequency_is_one_of_three():
    with pytest.raises(ValueError):
        calendar.is_period_end(m(2022, 3), "weekly")
