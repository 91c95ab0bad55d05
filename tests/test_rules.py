"""Tests of the domain rules (projects/rules.py): pure, no database, no clock.

Every rule takes an explicit ``as_of``; these tests pin it to the 2022 plan's month
ends and to the deadlines the plan uses (4 月月底前, 6 月月底前, 9 月月底前, 年底前).
"""

from __future__ import annotations

import ast
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
import time_machine
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from projects.calendar import add_months, month_end
from projects.rules import (
    DEFAULT_STAGES,
    Assessment,
    Bands,
    Direction,
    Kind,
    Light,
    Stage,
    assess,
    city_rate,
    completion,
    expected_progress,
    is_done,
    is_overdue,
    light,
    milestone_not_started,
    months_elapsed,
    weighted_score,
    whole_months,
)

D = Decimal
START = date(2022, 1, 1)
APR = date(2022, 4, 30)
JUN = date(2022, 6, 30)
SEP = date(2022, 9, 30)
DEC = date(2022, 12, 31)

# No example database: the tests must not leave files in the checkout.
PROPERTY = settings(database=None, deadline=None, max_examples=300)


# --- calendar ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 1, 1), date(2022, 1, 31)),
        (date(2022, 2, 10), date(2022, 2, 28)),
        (date(2024, 2, 10), date(2024, 2, 29)),
        (date(2022, 4, 30), date(2022, 4, 30)),
        (date(2022, 12, 5), date(2022, 12, 31)),
    ],
)
def test_month_end(day: date, expected: date) -> None:
    assert month_end(day) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2022, 1, 31), 1, date(2022, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2022, 3, 31), 1, date(2022, 4, 30)),
        (date(2022, 3, 1), 3, date(2022, 6, 1)),
        (date(2022, 11, 30), 3, date(2023, 2, 28)),
        (date(2022, 12, 15), 1, date(2023, 1, 15)),
        (date(2022, 1, 15), -1, date(2021, 12, 15)),
        (date(2022, 5, 31), -3, date(2022, 2, 28)),
        (date(2022, 5, 31), 0, date(2022, 5, 31)),
        (date(2022, 1, 1), 36, date(2025, 1, 1)),
    ],
)
def test_add_months_clamps_the_day(day: date, n: int, expected: date) -> None:
    assert add_months(day, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (START, DEC, 12),
        (START, APR, 4),
        (START, JUN, 6),
        (START, SEP, 9),
        (START, date(2022, 1, 1), 1),
        (START, date(2024, 12, 31), 36),  # 三年内
        (date(2022, 3, 15), date(2022, 5, 2), 3),  # partial months count whole
    ],
)
def test_whole_months(start: date, end: date, expected: int) -> None:
    assert whole_months(start=start, end=end) == expected


def test_whole_months_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="before start"):
        whole_months(start=START, end=date(2021, 12, 31))


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2021, 12, 31), 0),
        (date(2022, 1, 1), 0),
        (date(2022, 1, 30), 0),
        (date(2022, 1, 31), 1),
        (date(2022, 2, 28), 2),
        (date(2022, 6, 29), 5),
        (date(2022, 6, 30), 6),
        (date(2022, 7, 1), 6),
        (DEC, 12),
        (date(2023, 1, 31), 13),
    ],
)
def test_months_elapsed(as_of: date, expected: int) -> None:
    assert months_elapsed(start=START, as_of=as_of) == expected


# --- expected progress ----------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (1, "8.33"),
        (2, "16.67"),
        (3, "25.00"),
        (4, "33.33"),
        (5, "41.67"),
        (6, "50.00"),
        (7, "58.33"),
        (8, "66.67"),
        (9, "75.00"),
        (10, "83.33"),
        (11, "91.67"),
        (12, "100.00"),
    ],
)
def test_full_year_expected_progress_at_each_month_end(month: int, expected: str) -> None:
    as_of = month_end(date(2022, month, 1))
    assert expected_progress(start=START, deadline=DEC, as_of=as_of) == D(expected)


# Windows ending at each of the plan's deadlines, pinned at each of those deadlines.
@pytest.mark.parametrize(
    ("deadline", "as_of", "expected"),
    [
        (APR, APR, "100.00"),
        (APR, JUN, "100.00"),
        (APR, SEP, "100.00"),
        (APR, DEC, "100.00"),
        (JUN, APR, "66.67"),
        (JUN, JUN, "100.00"),
        (JUN, SEP, "100.00"),
        (JUN, DEC, "100.00"),
        (SEP, APR, "44.44"),
        (SEP, JUN, "66.67"),
        (SEP, SEP, "100.00"),
        (SEP, DEC, "100.00"),
        (DEC, APR, "33.33"),
        (DEC, JUN, "50.00"),
        (DEC, SEP, "75.00"),
        (DEC, DEC, "100.00"),
    ],
)
def test_expected_progress_at_the_plans_deadlines(deadline: date, as_of: date, expected: str) -> None:
    got = expected_progress(start=START, deadline=deadline, as_of=as_of)
    assert got == D(expected)


def test_an_april_indicator_is_at_75_at_the_end_of_march_and_100_from_may() -> None:
    assert expected_progress(start=START, deadline=APR, as_of=date(2022, 3, 31)) == D("75.00")
    assert expected_progress(start=START, deadline=APR, as_of=date(2022, 5, 1)) == D("100.00")


@pytest.mark.parametrize(
    ("deadline", "as_of", "expected"),
    [
        (DEC, date(2022, 1, 15), "0.00"),
        (DEC, date(2022, 6, 15), "41.67"),
        (DEC, date(2022, 6, 29), "41.67"),
        (APR, date(2022, 4, 29), "75.00"),
        (APR, date(2022, 4, 15), "75.00"),
        (SEP, date(2022, 9, 29), "88.89"),
    ],
)
def test_mid_month_dates_count_only_finished_months(deadline: date, as_of: date, expected: str) -> None:
    got = expected_progress(start=START, deadline=deadline, as_of=as_of)
    assert got == D(expected)


@pytest.mark.parametrize("as_of", [date(2021, 12, 31), date(2020, 6, 30)])
def test_expected_progress_is_zero_before_the_start(as_of: date) -> None:
    assert expected_progress(start=START, deadline=DEC, as_of=as_of) == D("0.00")


@pytest.mark.parametrize(
    ("deadline", "as_of"),
    [(DEC, date(2023, 1, 1)), (APR, date(2022, 5, 1)), (JUN, date(2025, 1, 31))],
)
def test_expected_progress_is_100_after_the_deadline(deadline: date, as_of: date) -> None:
    assert expected_progress(start=START, deadline=deadline, as_of=as_of) == D("100.00")


def test_a_three_year_window_is_counted_in_36_months() -> None:
    deadline = date(2024, 12, 31)
    assert expected_progress(start=START, deadline=deadline, as_of=DEC) == D("33.33")


def test_a_mid_month_deadline_is_due_on_its_own_day() -> None:
    deadline = date(2022, 4, 15)
    before = expected_progress(start=START, deadline=deadline, as_of=date(2022, 4, 14))
    on = expected_progress(start=START, deadline=deadline, as_of=deadline)
    assert (before, on) == (D("75.00"), D("100.00"))


def test_a_window_that_starts_mid_year() -> None:
    start = date(2022, 7, 1)
    assert expected_progress(start=start, deadline=DEC, as_of=SEP) == D("50.00")
    assert expected_progress(start=start, deadline=DEC, as_of=JUN) == D("0.00")


def test_expected_progress_refuses_a_deadline_before_the_start() -> None:
    with pytest.raises(ValueError, match="before start"):
        expected_progress(start=START, deadline=date(2021, 12, 31), as_of=JUN)


SEASONAL = {"2022-06": D(40), "2022-09": D(70), "2022-12": D(100)}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2021, 12, 31), "0.00"),
        (date(2022, 5, 31), "0.00"),
        (date(2022, 6, 29), "0.00"),
        (JUN, "40.00"),
        (date(2022, 8, 31), "40.00"),
        (SEP, "70.00"),
        (date(2022, 12, 30), "70.00"),
        (DEC, "100.00"),
        (date(2023, 3, 31), "100.00"),
    ],
)
def test_a_monthly_plan_replaces_the_even_pace(as_of: date, expected: str) -> None:
    got = expected_progress(start=START, deadline=DEC, as_of=as_of, monthly_plan=SEASONAL)
    assert got == D(expected)


def test_a_monthly_plan_is_read_in_month_order_whatever_the_key_order() -> None:
    shuffled = {"2022-12": D(100), "2022-09": D(70), "2022-06": D(40)}
    got = expected_progress(start=START, deadline=DEC, as_of=SEP, monthly_plan=shuffled)
    assert got == D("70.00")


def test_a_monthly_plan_that_stops_short_is_100_at_the_deadline() -> None:
    plan = {"2022-06": D(50)}
    assert expected_progress(start=START, deadline=DEC, as_of=date(2022, 11, 30), monthly_plan=plan) == D("50.00")
    assert expected_progress(start=START, deadline=DEC, as_of=DEC, monthly_plan=plan) == D("100.00")


def test_a_monthly_plan_accepts_json_numbers() -> None:
    plan = {"2022-03": 12.5, "2022-06": 40}
    got = expected_progress(
        start=START,
        deadline=DEC,
        as_of=JUN,
        monthly_plan=plan,  # type: ignore[arg-type]
    )
    assert got == D("40.00")
    got = expected_progress(
        start=START,
        deadline=DEC,
        as_of=APR,
        monthly_plan=plan,  # type: ignore[arg-type]
    )
    assert got == D("12.50")


def test_an_empty_monthly_plan_expects_nothing_until_the_deadline() -> None:
    assert expected_progress(start=START, deadline=DEC, as_of=SEP, monthly_plan={}) == D("0.00")


@pytest.mark.parametrize("key", ["2022-6", "202206", "2022-13", "June"])
def test_a_monthly_plan_with_a_bad_key_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="month"):
        expected_progress(start=START, deadline=DEC, as_of=SEP, monthly_plan={key: D(50)})


def test_expected_progress_does_not_read_the_clock() -> None:
    with time_machine.travel(date(2030, 1, 1)):
        assert expected_progress(start=START, deadline=DEC, as_of=JUN) == D("50.00")


# --- completion -----------------------------------------------------------------


def count(value: str | None, target: str | None = "100", baseline: Decimal | None = None) -> Decimal | None:
    return completion(
        kind=Kind.COUNT,
        direction=Direction.AT_LEAST,
        target=None if target is None else D(target),
        value=None if value is None else D(value),
        baseline=baseline,
    )


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        ("50", "100", "50.00"),
        ("0", "100", "0.00"),
        ("100", "100", "100.00"),
        ("120", "100", "120.00"),  # ahead is not capped
        ("-5", "100", "0.00"),  # a correction below zero is floored
        ("1", "3", "33.33"),
        ("2", "3", "66.67"),
        ("1", "800", "0.13"),  # 0.125 rounds half up, not to even
        ("15000", "40000", "37.50"),
    ],
)
def test_count_at_least(value: str, target: str, expected: str) -> None:
    assert count(value, target) == D(expected)


@pytest.mark.parametrize(("value", "target"), [(None, "100"), ("50", None), ("50", "0"), (None, None)])
def test_count_with_nothing_to_measure_is_none(value: str | None, target: str | None) -> None:
    assert count(value, target) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("137", "0.00"),
        ("130", "0.00"),  # below the baseline is floored
        ("152", "50.00"),
        ("167", "100.00"),
        ("170", "110.00"),
    ],
)
def test_amount_counts_from_its_baseline(value: str, expected: str) -> None:
    # 全市不低于 167 处, from 137 at the start of the year.
    got = completion(
        kind=Kind.AMOUNT,
        direction=Direction.AT_LEAST,
        target=D(167),
        value=D(value),
        baseline=D(137),
    )
    assert got == D(expected)


def test_amount_in_money_keeps_decimal_places() -> None:
    got = completion(kind=Kind.AMOUNT, direction=Direction.AT_LEAST, target=D(6), value=D("2.35"))
    assert got == D("39.17")


@pytest.mark.parametrize(("value", "expected"), [("170", "100.00"), ("160", "0.00")])
def test_a_target_already_reached_at_the_baseline(value: str, expected: str) -> None:
    got = completion(
        kind=Kind.COUNT,
        direction=Direction.AT_LEAST,
        target=D(165),
        value=D(value),
        baseline=D(170),
    )
    assert got == D(expected)


def test_a_zero_baseline_is_the_same_as_none() -> None:
    assert count("40", baseline=D(0)) == count("40") == D("40.00")


@pytest.mark.parametrize(
    ("numerator", "denominator", "target", "expected"),
    [
        ("45", "50", "90", "100.00"),
        ("45", "50", "95", "94.74"),
        ("0", "50", "90", "0.00"),
        ("50", "50", "80", "125.00"),
    ],
)
def test_rate_from_numerator_and_denominator(numerator: str, denominator: str, target: str, expected: str) -> None:
    got = completion(
        kind=Kind.RATE,
        direction=Direction.AT_LEAST,
        target=D(target),
        numerator=D(numerator),
        denominator=D(denominator),
    )
    assert got == D(expected)


def test_rate_from_a_reported_level() -> None:
    got = completion(kind=Kind.RATE, direction=Direction.AT_LEAST, target=D(90), value=D(85))
    assert got == D("94.44")


def test_rate_prefers_the_parts_to_the_level() -> None:
    got = completion(
        kind=Kind.RATE,
        direction=Direction.AT_LEAST,
        target=D(90),
        value=D(10),
        numerator=D(45),
        denominator=D(50),
    )
    assert got == D("100.00")


def test_rate_with_only_one_part_falls_back_to_the_level() -> None:
    got = completion(
        kind=Kind.RATE,
        direction=Direction.AT_LEAST,
        target=D(90),
        value=D(45),
        numerator=D(45),
    )
    assert got == D("50.00")


def test_rate_ignores_a_baseline() -> None:
    got = completion(
        kind=Kind.RATE,
        direction=Direction.AT_LEAST,
        target=D(90),
        value=D(45),
        baseline=D(40),
    )
    assert got == D("50.00")


@pytest.mark.parametrize(
    ("numerator", "denominator", "value", "target"),
    [
        ("5", "0", None, "90"),  # a zero denominator is no level
        ("0", "0", "50", "90"),
        (None, None, None, "90"),
        (None, "50", None, "90"),
        (None, None, "85", None),
        (None, None, "85", "0"),
    ],
)
def test_rate_with_nothing_to_measure_is_none(
    numerator: str | None,
    denominator: str | None,
    value: str | None,
    target: str | None,
) -> None:
    def dec(s: str | None) -> Decimal | None:
        return None if s is None else D(s)

    got = completion(
        kind=Kind.RATE,
        direction=Direction.AT_LEAST,
        target=dec(target),
        value=dec(value),
        numerator=dec(numerator),
        denominator=dec(denominator),
    )
    assert got is None


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (0, "0.00"),
        (1, "10.00"),
        (2, "30.00"),
        (3, "60.00"),
        (4, "90.00"),
        (5, "100.00"),
    ],
)
def test_milestone_stages(stage: int, expected: str) -> None:
    got = completion(kind=Kind.MILESTONE, direction=Direction.AT_LEAST, target=None, stage=stage)
    assert got == D(expected)


def test_default_stages_are_the_offices_stages() -> None:
    assert [(s.label, s.percent) for s in DEFAULT_STAGES] == [
        ("未启动", D(0)),
        ("前期准备", D(10)),
        ("开工建设", D(30)),
        ("主体过半", D(60)),
        ("基本完成", D(90)),
        ("完成", D(100)),
    ]


def test_milestone_ignores_target_and_direction() -> None:
    got = completion(kind=Kind.MILESTONE, direction=Direction.AT_MOST, target=D(1), stage=3)
    assert got == D("60.00")


def test_milestone_without_a_report_is_none() -> None:
    got = completion(kind=Kind.MILESTONE, direction=Direction.AT_LEAST, target=None)
    assert got is None


@pytest.mark.parametrize("stage", [-1, 6, 99])
def test_milestone_stage_out_of_range_is_refused(stage: int) -> None:
    with pytest.raises(ValueError, match="stage"):
        completion(kind=Kind.MILESTONE, direction=Direction.AT_LEAST, target=None, stage=stage)


def test_milestone_with_its_own_stages() -> None:
    stages = (Stage("方案编制", D(20)), Stage("评审通过", D(70)), Stage("印发", D(100)))
    got = completion(
        kind=Kind.MILESTONE,
        direction=Direction.AT_LEAST,
        target=None,
        stage=1,
        stages=stages,
    )
    assert got == D("70.00")
    with pytest.raises(ValueError, match="stage"):
        completion(
            kind=Kind.MILESTONE,
            direction=Direction.AT_LEAST,
            target=None,
            stage=3,
            stages=stages,
        )


@pytest.mark.parametrize("kind", [Kind.COUNT, Kind.AMOUNT, Kind.RATE])
@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        ("80", "100", "100.00"),  # below the cap
        ("100", "100", "100.00"),  # at the cap
        ("125", "100", "80.00"),  # above the cap
        ("200", "100", "50.00"),
        ("0", "0", "100.00"),
        ("3", "0", "0.00"),
    ],
)
def test_at_most(kind: Kind, value: str, target: str, expected: str) -> None:
    got = completion(kind=kind, direction=Direction.AT_MOST, target=D(target), value=D(value))
    assert got == D(expected)


def test_at_most_rate_from_parts() -> None:
    # 控制在 5% 以内: 5 of 80 is 6.25 %, so 5 / 6.25 = 80 %.
    got = completion(
        kind=Kind.RATE,
        direction=Direction.AT_MOST,
        target=D(5),
        numerator=D(5),
        denominator=D(80),
    )
    assert got == D("80.00")


def test_at_most_ignores_a_baseline() -> None:
    got = completion(
        kind=Kind.COUNT,
        direction=Direction.AT_MOST,
        target=D(100),
        value=D(125),
        baseline=D(50),
    )
    assert got == D("80.00")


@pytest.mark.parametrize(("value", "target"), [(None, "100"), ("50", None)])
def test_at_most_with_nothing_to_measure_is_none(value: str | None, target: str | None) -> None:
    got = completion(
        kind=Kind.COUNT,
        direction=Direction.AT_MOST,
        target=None if target is None else D(target),
        value=None if value is None else D(value),
    )
    assert got is None


def test_at_most_refuses_a_negative_cap() -> None:
    with pytest.raises(ValueError, match="negative"):
        completion(kind=Kind.COUNT, direction=Direction.AT_MOST, target=D(-1), value=D(1))


def test_completion_accepts_the_stored_strings() -> None:
    got = completion(
        kind="count",  # type: ignore[arg-type]
        direction="at_least",  # type: ignore[arg-type]
        target=D(100),
        value=D(50),
    )
    assert got == D("50.00")
    with pytest.raises(ValueError, match="length"):
        completion(
            kind="length",  # type: ignore[arg-type]
            direction=Direction.AT_LEAST,
            target=D(100),
            value=D(50),
        )


def test_completion_is_quantized_to_two_places() -> None:
    got = count("1", "7")
    assert got is not None
    assert got.as_tuple().exponent == -2


# --- done, overdue, not started -------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (None, False),
        (D("0"), False),
        (D("99.99"), False),
        (D(100), True),
        (D(120), True),
    ],
)
def test_is_done(rate: Decimal | None, expected: bool) -> None:
    assert is_done(completion=rate) is expected


@pytest.mark.parametrize(
    ("as_of", "rate", "expected"),
    [
        (APR, D(50), False),  # the deadline day itself is on time
        (date(2022, 5, 1), D(50), True),
        (date(2022, 5, 1), None, True),
        (date(2022, 5, 1), D(100), False),
        (date(2022, 4, 1), D(0), False),
    ],
)
def test_is_overdue(as_of: date, rate: Decimal | None, expected: bool) -> None:
    assert is_overdue(deadline=APR, as_of=as_of, completion=rate) is expected


PLANNED = date(2022, 3, 1)


@pytest.mark.parametrize(
    ("as_of", "stage", "expected"),
    [
        (date(2022, 5, 31), None, False),  # the day before three months
        (date(2022, 6, 1), None, True),  # exactly three months after
        (date(2022, 5, 31), 0, False),
        (date(2022, 6, 1), 0, True),
        (date(2022, 12, 31), 0, True),
        (date(2022, 6, 1), 1, False),  # 前期准备 is a start
        (date(2022, 2, 1), None, False),  # before its planned start
    ],
)
def test_milestone_not_started(as_of: date, stage: int | None, expected: bool) -> None:
    got = milestone_not_started(kind=Kind.MILESTONE, stage=stage, planned_start=PLANNED, as_of=as_of)
    assert got is expected


def test_three_months_after_a_month_end_clamps() -> None:
    planned = date(2022, 11, 30)
    not_started = partial(milestone_not_started, kind=Kind.MILESTONE, stage=0, planned_start=planned)
    assert not_started(as_of=date(2023, 2, 27)) is False
    assert not_started(as_of=date(2023, 2, 28)) is True


@pytest.mark.parametrize("kind", [Kind.COUNT, Kind.AMOUNT, Kind.RATE])
def test_only_milestones_can_be_not_started(kind: Kind) -> None:
    got = milestone_not_started(kind=kind, stage=None, planned_start=PLANNED, as_of=date(2022, 12, 31))
    assert got is False


def test_milestone_grace_is_configurable() -> None:
    bands = Bands(milestone_grace_months=1)
    not_started = partial(
        milestone_not_started,
        kind=Kind.MILESTONE,
        stage=0,
        planned_start=PLANNED,
        bands=bands,
    )
    assert not_started(as_of=date(2022, 3, 31)) is False
    assert not_started(as_of=date(2022, 4, 1)) is True


def test_not_started_follows_the_stage_percent_with_custom_stages() -> None:
    # A plan's own stages may lack a 0 % stage: stage 0 is then already a start.
    stages = (Stage("前期准备", D(10)), Stage("完成", D(100)))
    got = milestone_not_started(
        kind=Kind.MILESTONE,
        stage=0,
        planned_start=PLANNED,
        as_of=date(2022, 12, 31),
        stages=stages,
    )
    assert got is False


# --- lights ---------------------------------------------------------------------


def light_at(
    completion_: str | None,
    *,
    expected: str = "50",
    as_of: date = JUN,
    bands: Bands | None = None,
    not_started: bool = False,
) -> Light:
    return light(
        expected=D(expected),
        completion=None if completion_ is None else D(completion_),
        deadline=DEC,
        as_of=as_of,
        bands=bands or Bands(),
        not_started=not_started,
    )


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("80", Light.GREEN),  # ahead
        ("50", Light.GREEN),  # on pace
        ("40.01", Light.GREEN),  # 9.99 behind
        ("40", Light.YELLOW),  # exactly 10 behind
        ("30", Light.YELLOW),
        ("20", Light.YELLOW),  # exactly 30 behind
        ("19.99", Light.RED),  # 30.01 behind
        ("0", Light.RED),
    ],
)
def test_light_bands_edges(rate: str, expected: Light) -> None:
    assert light_at(rate) is expected


def test_a_missing_figure_counts_as_zero() -> None:
    assert light_at(None, expected="9.99") is Light.GREEN
    assert light_at(None, expected="10") is Light.YELLOW
    assert light_at(None, expected="50") is Light.RED


def test_overdue_is_red_however_close() -> None:
    got = light_at("99.99", expected="100", as_of=date(2023, 1, 1))
    assert got is Light.RED


def test_on_the_deadline_day_the_gap_still_decides() -> None:
    assert light_at("95", expected="100", as_of=DEC) is Light.GREEN


def test_done_is_green_even_after_the_deadline() -> None:
    assert light_at("100", expected="100", as_of=date(2023, 3, 31)) is Light.GREEN
    assert light_at("130", expected="100", as_of=date(2023, 3, 31)) is Light.GREEN


def test_not_started_is_red_whatever_the_gap() -> None:
    assert light_at("0", expected="0", not_started=True) is Light.RED


def test_done_outranks_every_red() -> None:
    got = light_at("100", expected="100", as_of=date(2023, 1, 1), not_started=True)
    assert got is Light.GREEN


def test_custom_bands() -> None:
    bands = Bands(yellow_gap=D(5), red_gap=D(15))
    assert light_at("45.01", bands=bands) is Light.GREEN
    assert light_at("45", bands=bands) is Light.YELLOW
    assert light_at("35", bands=bands) is Light.YELLOW
    assert light_at("34.99", bands=bands) is Light.RED


@pytest.mark.parametrize(
    "kwargs",
    [
        {"yellow_gap": D(20), "red_gap": D(10)},
        {"yellow_gap": D(-1)},
        {"milestone_grace_months": -1},
    ],
)
def test_bands_that_make_no_sense_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"bands|grace"):
        Bands(**kwargs)  # type: ignore[arg-type]


# --- assess ---------------------------------------------------------------------


def test_assess_a_count_at_the_end_of_june() -> None:
    got = assess(
        kind=Kind.COUNT,
        direction=Direction.AT_LEAST,
        target=D(40000),
        start=START,
        deadline=DEC,
        as_of=JUN,
        value=D(16000),
    )
    assert got == Assessment(
        expected=D("50.00"),
        completion=D("40.00"),
        light=Light.YELLOW,
        overdue=False,
        not_started=False,
        done=False,
    )


def test_assess_an_april_indicator_left_undone() -> None:
    got = assess(
        kind=Kind.COUNT,
        direction=Direction.AT_LEAST,
        target=D(100),
        start=START,
        deadline=APR,
        as_of=date(2022, 5, 31),
        value=D(95),
    )
    assert (got.expected, got.light, got.overdue, got.done) == (
        D("100.00"),
        Light.RED,
        True,
        False,
    )


def test_assess_a_late_finish_is_green_and_done() -> None:
    got = assess(
        kind=Kind.AMOUNT,
        direction=Direction.AT_LEAST,
        target=D(6),
        start=START,
        deadline=JUN,
        as_of=SEP,
        value=D("6.2"),
    )
    assert (got.completion, got.light, got.overdue, got.done) == (
        D("103.33"),
        Light.GREEN,
        False,
        True,
    )


def test_assess_a_milestone_not_started_from_the_plan_start() -> None:
    at = partial(
        assess,
        kind=Kind.MILESTONE,
        direction=Direction.AT_LEAST,
        target=None,
        start=START,
        deadline=DEC,
        stage=0,
    )
    before, after = at(as_of=date(2022, 3, 31)), at(as_of=date(2022, 4, 1))
    # 25 behind at the end of March is yellow; on 1 April it has not started: red.
    assert (before.not_started, before.light) == (False, Light.YELLOW)
    assert (after.not_started, after.light) == (True, Light.RED)


def test_assess_a_milestone_with_its_own_planned_start() -> None:
    got = assess(
        kind=Kind.MILESTONE,
        direction=Direction.AT_LEAST,
        target=None,
        start=START,
        deadline=DEC,
        as_of=date(2022, 6, 30),
        stage=None,
        planned_start=date(2022, 5, 1),
    )
    assert got.not_started is False
    assert got.completion is None
    assert got.light is Light.RED  # 50 behind with nothing reported


def test_assess_uses_the_monthly_plan_and_the_bands() -> None:
    got = assess(
        kind=Kind.COUNT,
        direction=Direction.AT_LEAST,
        target=D(100),
        start=START,
        deadline=DEC,
        as_of=SEP,
        value=D(60),
        monthly_plan=SEASONAL,
        bands=Bands(yellow_gap=D(5), red_gap=D(8)),
    )
    assert (got.expected, got.completion, got.light) == (
        D("70.00"),
        D("60.00"),
        Light.RED,
    )


def test_assess_a_city_rate_from_summed_parts() -> None:
    num, den = city_rate(numerators=[D(45), D(9), None], denominators=[D(50), D(10), D(30)])
    got = assess(
        kind=Kind.RATE,
        direction=Direction.AT_LEAST,
        target=D(90),
        start=START,
        deadline=DEC,
        as_of=DEC,
        numerator=num,
        denominator=den,
    )
    assert (got.completion, got.done, got.light) == (D("100.00"), True, Light.GREEN)


# --- city figures and rankings --------------------------------------------------


def test_city_rate_sums_the_parts_instead_of_averaging_rates() -> None:
    num, den = city_rate(numerators=[D(1), D(90)], denominators=[D(2), D(100)])
    assert (num, den) == (D(91), D(102))
    level = completion(
        kind=Kind.RATE,
        direction=Direction.AT_LEAST,
        target=D(100),
        numerator=num,
        denominator=den,
    )
    assert level == D("89.22")  # the average of 50 % and 90 % would be 70 %


def test_city_rate_skips_units_that_did_not_report_both_parts() -> None:
    got = city_rate(numerators=[D(5), None, D(3), D(2)], denominators=[D(10), D(20), None, D(4)])
    assert got == (D(7), D(14))


@pytest.mark.parametrize(("numerators", "denominators"), [([], []), ([None, D(1)], [D(2), None])])
def test_city_rate_with_nobody_reporting(numerators: list[Decimal | None], denominators: list[Decimal | None]) -> None:
    assert city_rate(numerators=numerators, denominators=denominators) == (None, None)


def test_city_rate_refuses_mismatched_lists() -> None:
    with pytest.raises(ValueError, match=r"shorter|longer"):
        city_rate(numerators=[D(1), D(2)], denominators=[D(3)])


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(D(120), D(1)), (D(50), D(1))], "75.00"),  # overshoot capped at 100
        ([(None, D(1)), (D(100), D(1))], "50.00"),  # missing counts as 0
        ([(D(100), D(3)), (D(0), D(1))], "75.00"),
        ([(D(100), D(1)), (D(0), D(2))], "33.33"),
        ([(D(80), D(2)), (D(30), D(0))], "80.00"),
    ],
)
def test_weighted_score(pairs: list[tuple[Decimal | None, Decimal]], expected: str) -> None:
    assert weighted_score(completions=pairs) == D(expected)


@pytest.mark.parametrize("pairs", [[], [(D(50), D(0)), (None, D(0))]])
def test_weighted_score_without_weight_is_none(
    pairs: list[tuple[Decimal | None, Decimal]],
) -> None:
    assert weighted_score(completions=pairs) is None


def test_weighted_score_refuses_negative_weights() -> None:
    with pytest.raises(ValueError, match="negative"):
        weighted_score(completions=[(D(50), D(-1))])


# --- every kind and direction, with the clock pinned at the plan's deadlines ------
#
# The jobs take "today" as their as-of date; here the clock itself is pinned at the end of April,
# June, September and December 2022 and the rules are asked about a full-year figure of every kind
# and direction: half done (at least 50 of 100, a rate at half its target level, a milestone at
# stage 3 of 5, i.e. 60 %) or over an "at most" cap by half (150 against 100: 66.67 %).

FIGURES = {
    (Kind.COUNT, Direction.AT_LEAST): {"target": D(100), "value": D(50)},
    (Kind.AMOUNT, Direction.AT_LEAST): {"target": D("6.00"), "value": D("3.00")},
    (Kind.RATE, Direction.AT_LEAST): {"target": D(60), "numerator": D(30), "denominator": D(100)},
    (Kind.MILESTONE, Direction.AT_LEAST): {"target": None, "stage": 3},
    (Kind.COUNT, Direction.AT_MOST): {"target": D(100), "value": D(150)},
    (Kind.AMOUNT, Direction.AT_MOST): {"target": D("6.00"), "value": D("9.00")},
    (Kind.RATE, Direction.AT_MOST): {"target": D(10), "numerator": D(15), "denominator": D(100)},
    (Kind.MILESTONE, Direction.AT_MOST): {"target": None, "stage": 3},
}
COMPLETION = {Kind.COUNT: "50.00", Kind.AMOUNT: "50.00", Kind.RATE: "50.00", Kind.MILESTONE: "60.00"}
AT_MOST_COMPLETION = {Kind.COUNT: "66.67", Kind.AMOUNT: "66.67", Kind.RATE: "66.67", Kind.MILESTONE: "60.00"}
G, Y, R = Light.GREEN, Light.YELLOW, Light.RED
# Light at the end of April, June, September, December (expected 33.33, 50, 75, 100).
LIGHTS = {
    (Kind.COUNT, Direction.AT_LEAST): (G, G, Y, R),
    (Kind.AMOUNT, Direction.AT_LEAST): (G, G, Y, R),
    (Kind.RATE, Direction.AT_LEAST): (G, G, Y, R),
    (Kind.MILESTONE, Direction.AT_LEAST): (G, G, Y, R),
    (Kind.COUNT, Direction.AT_MOST): (G, G, G, R),
    (Kind.AMOUNT, Direction.AT_MOST): (G, G, G, R),
    (Kind.RATE, Direction.AT_MOST): (G, G, G, R),
    (Kind.MILESTONE, Direction.AT_MOST): (G, G, Y, R),
}
DEADLINES = (APR, JUN, SEP, DEC)


@pytest.mark.parametrize(("kind", "direction"), list(FIGURES))
@pytest.mark.parametrize(("index", "clock"), list(enumerate(DEADLINES)))
def test_every_kind_and_direction_with_the_clock_at_the_plans_deadlines(
    kind: Kind, direction: Direction, index: int, clock: date
) -> None:
    with time_machine.travel(clock, tick=False):
        a = assess(
            kind=kind, direction=direction, start=START, deadline=DEC, as_of=date.today(), **FIGURES[kind, direction]
        )
    assert a.expected == D(("33.33", "50.00", "75.00", "100.00")[index])
    wanted = COMPLETION if direction == Direction.AT_LEAST else AT_MOST_COMPLETION
    assert a.completion == D(wanted[kind])
    assert a.light == LIGHTS[kind, direction][index]
    # On the deadline day itself nothing is overdue yet, and nothing here is done.
    assert (a.overdue, a.done, a.not_started) == (False, False, False)


# For figures due at each of the plan's deadlines, the clock at each of them: (light, overdue).
# Half done (count, amount, rate) or at 60 % (a milestone at stage 3). Past its deadline an
# unfinished figure is red and overdue, however close; on the deadline day the gap decides.
HALF_DONE = {
    APR: ((R, False), (R, True), (R, True), (R, True)),
    JUN: ((Y, False), (R, False), (R, True), (R, True)),
    SEP: ((G, False), (Y, False), (R, False), (R, True)),
    DEC: ((G, False), (G, False), (Y, False), (R, False)),
}
SIXTY_PERCENT = {
    APR: ((R, False), (R, True), (R, True), (R, True)),
    JUN: ((G, False), (R, False), (R, True), (R, True)),
    SEP: ((G, False), (G, False), (R, False), (R, True)),
    DEC: ((G, False), (G, False), (Y, False), (R, False)),
}


@pytest.mark.parametrize("deadline", DEADLINES)
@pytest.mark.parametrize(("index", "clock"), list(enumerate(DEADLINES)))
@pytest.mark.parametrize("kind", [Kind.COUNT, Kind.AMOUNT, Kind.RATE, Kind.MILESTONE])
def test_figures_due_at_each_deadline_seen_at_each_deadline(
    kind: Kind, deadline: date, index: int, clock: date
) -> None:
    with time_machine.travel(clock, tick=False):
        a = assess(
            kind=kind,
            direction=Direction.AT_LEAST,
            start=START,
            deadline=deadline,
            as_of=date.today(),
            **FIGURES[kind, Direction.AT_LEAST],
        )
    table = SIXTY_PERCENT if kind == Kind.MILESTONE else HALF_DONE
    assert (a.light, a.overdue) == table[deadline][index]


# --- properties -----------------------------------------------------------------

dates = st.dates(min_value=date(2018, 1, 1), max_value=date(2028, 12, 31))
amounts = st.decimals(min_value=0, max_value=10**9, places=2)
positive = st.decimals(min_value=D("0.01"), max_value=10**9, places=2)
percents = st.decimals(min_value=0, max_value=120, places=2)


@st.composite
def windows(draw: st.DrawFn) -> tuple[date, date, date, date]:
    """A window (start, deadline) and two as-of dates around it, in order."""
    start = draw(dates)
    deadline = start + timedelta(days=draw(st.integers(0, 4 * 366)))
    span = (deadline - start).days
    one, two = sorted(start + timedelta(days=draw(st.integers(-120, span + 120))) for _ in range(2))
    return start, deadline, one, two


@st.composite
def monthly_plans(draw: st.DrawFn, start: date, deadline: date) -> dict[str, Decimal]:
    """Non-decreasing cumulative plans on months in and around the window."""
    months = whole_months(start=start, end=deadline)
    offsets = draw(st.lists(st.integers(-2, months + 1), unique=True, max_size=12))
    values = sorted(draw(st.lists(percents, min_size=len(offsets), max_size=len(offsets))))
    keys = [add_months(start.replace(day=1), n).strftime("%Y-%m") for n in sorted(offsets)]
    return dict(zip(keys, values, strict=True))


@PROPERTY
@given(windows())
def test_expected_progress_never_decreases(
    window: tuple[date, date, date, date],
) -> None:
    start, deadline, one, two = window
    first = expected_progress(start=start, deadline=deadline, as_of=one)
    second = expected_progress(start=start, deadline=deadline, as_of=two)
    assert D(0) <= first <= second <= D(100)


@PROPERTY
@given(st.data())
def test_expected_progress_with_a_plan_never_decreases(data: st.DataObject) -> None:
    start, deadline, one, two = data.draw(windows())
    plan = data.draw(monthly_plans(start, deadline))
    first = expected_progress(start=start, deadline=deadline, as_of=one, monthly_plan=plan)
    second = expected_progress(start=start, deadline=deadline, as_of=two, monthly_plan=plan)
    assert D(0) <= first <= second <= D(100)


@PROPERTY
@given(dates, st.integers(0, 48), st.integers(0, 60))
def test_expected_progress_at_month_ends_is_the_elapsed_share(start: date, length: int, month: int) -> None:
    start = start.replace(day=1)
    deadline = month_end(add_months(start, length))
    as_of = month_end(add_months(start, month))
    total = length + 1
    share = min(D(100), D(min(month + 1, total)) * 100 / total)
    got = expected_progress(start=start, deadline=deadline, as_of=as_of)
    assert abs(got - share) <= D("0.005")


@PROPERTY
@given(
    st.sampled_from([Kind.COUNT, Kind.AMOUNT]),
    positive,
    st.none() | amounts,
    amounts,
    amounts,
)
def test_at_least_completion_never_decreases_as_the_value_grows(
    kind: Kind, target: Decimal, baseline: Decimal | None, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    rate = partial(
        completion,
        kind=kind,
        direction=Direction.AT_LEAST,
        target=target,
        baseline=baseline,
    )
    first, second = rate(value=low), rate(value=high)
    assert first is not None
    assert second is not None
    assert D(0) <= first <= second


@PROPERTY
@given(positive, percents, percents)
def test_rate_level_completion_never_decreases_as_the_level_grows(target: Decimal, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    rate = partial(completion, kind=Kind.RATE, direction=Direction.AT_LEAST, target=target)
    first, second = rate(value=low), rate(value=high)
    assert first is not None
    assert second is not None
    assert first <= second


@PROPERTY
@given(positive, positive, amounts, amounts)
def test_rate_completion_never_decreases_as_the_numerator_grows(
    target: Decimal, denominator: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    rate = partial(
        completion,
        kind=Kind.RATE,
        direction=Direction.AT_LEAST,
        target=target,
        denominator=denominator,
    )
    first, second = rate(numerator=low), rate(numerator=high)
    assert first is not None
    assert second is not None
    assert first <= second


@st.composite
def ascending_stages(draw: st.DrawFn) -> tuple[Stage, ...]:
    percents_ = sorted(draw(st.lists(st.decimals(0, 100, places=0), min_size=1, max_size=8)))
    return tuple(Stage(f"stage {i}", p) for i, p in enumerate(percents_))


@PROPERTY
@given(st.just(DEFAULT_STAGES) | ascending_stages(), st.data())
def test_milestone_completion_never_decreases_as_the_stage_grows(
    stages: tuple[Stage, ...], data: st.DataObject
) -> None:
    low, high = sorted(data.draw(st.lists(st.integers(0, len(stages) - 1), min_size=2, max_size=2)))
    rate = partial(
        completion,
        kind=Kind.MILESTONE,
        direction=Direction.AT_LEAST,
        target=None,
        stages=stages,
    )
    first, second = rate(stage=low), rate(stage=high)
    assert first is not None
    assert second is not None
    assert first <= second


@PROPERTY
@given(st.sampled_from([Kind.COUNT, Kind.AMOUNT, Kind.RATE]), amounts, amounts, amounts)
def test_at_most_completion_never_increases_as_the_value_grows(
    kind: Kind, target: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    rate = partial(completion, kind=kind, direction=Direction.AT_MOST, target=target)
    first, second = rate(value=low), rate(value=high)
    assert first is not None
    assert second is not None
    assert D(100) >= first >= second >= D(0)


@PROPERTY
@given(percents, st.none() | percents, dates, dates)
def test_done_is_always_green_and_red_is_never_done(
    expected: Decimal, rate: Decimal | None, deadline: date, as_of: date
) -> None:
    got = light(expected=expected, completion=rate, deadline=deadline, as_of=as_of)
    if is_done(completion=rate):
        assert got is Light.GREEN
    if is_overdue(deadline=deadline, as_of=as_of, completion=rate):
        assert got is Light.RED


@PROPERTY
@given(percents, percents, percents)
def test_a_better_completion_never_gives_a_worse_light(expected: Decimal, a: Decimal, b: Decimal) -> None:
    assume(a != b)
    low, high = sorted((a, b))
    severity = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
    worse = light(expected=expected, completion=low, deadline=DEC, as_of=JUN)
    better = light(expected=expected, completion=high, deadline=DEC, as_of=JUN)
    assert severity[better] <= severity[worse]


# --- the module stays pure ------------------------------------------------------

RULES = Path(__file__).resolve().parent.parent / "projects" / "rules.py"
STDLIB = {
    "__future__",
    "calendar",
    "collections",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "typing",
}


def test_rules_import_only_the_standard_library_and_the_calendar() -> None:
    tree = ast.parse(RULES.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    # projects.calendar is as pure (tests/test_calendar.py holds it to that).
    assert {name.split(".")[0] for name in imported - {"projects.calendar"}} <= STDLIB


def test_rules_never_read_the_clock() -> None:
    tree = ast.parse(RULES.read_text(encoding="utf-8"))
    calls = {
        node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert not calls & {"today", "now", "utcnow", "time"}
