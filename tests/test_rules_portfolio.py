"""The rules that plans other than 重点民生实事 need (issue 14 item 3): growth rates of either sign
compared as levels, ceilings and "左右" targets with a tolerance, qualitative tasks tracked by stage
and left out of averages. Every expected number is worked out by hand in the comment beside it."""

from datetime import date
from decimal import Decimal as D

import pytest

from projects import rules
from projects.rules import Direction, Kind, Light

MARCH, JUNE, SEPTEMBER, DECEMBER = date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)
YEAR = {"start": date(2022, 1, 1), "deadline": DECEMBER}


# --- growth ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "tolerance", "value", "expected"),
    [
        # 地区生产总值增长 8%: met from 8; short of it, the share of the growth asked for.
        ("at_least", "8", "0", "8.1", "100.00"),
        ("at_least", "8", "0", "8", "100.00"),
        ("at_least", "8", "0", "6", "75.00"),  # 6 / 8
        ("at_least", "8", "0", "4.8", "60.00"),  # 4.8 / 8
        ("at_least", "8", "0", "-1.5", "0.00"),  # a fall when growth was asked: nothing of it
        ("at_least", "8", "0.5", "7.5", "100.00"),  # 增长8%左右: met from 7.5
        ("at_least", "8", "0.5", "6", "80.00"),  # 6 / 7.5
        # 居民消费价格涨幅控制在3%左右: at most 3, tolerance 0.5, met up to 3.5.
        ("at_most", "3", "0.5", "3.5", "100.00"),
        ("at_most", "3", "0.5", "-0.8", "100.00"),  # prices falling: within the ceiling
        ("at_most", "3", "0.5", "4.2", "83.33"),  # 3.5 / 4.2 = 0.83333
        ("at_most", "3", "0", "6", "50.00"),  # 3 / 6
        # 资费再降10%: at most −10, a fall of at least 10 %.
        ("at_most", "-10", "0", "-12", "100.00"),
        ("at_most", "-10", "0", "-10", "100.00"),
        ("at_most", "-10", "0", "-5", "50.00"),  # fell 5 of the 10 asked
        ("at_most", "-10", "0", "2", "0.00"),  # rose instead
        # A floor below zero ("下降不超过5%": at least −5): falling 8 is 5/8 of what it may.
        ("at_least", "-5", "0", "-3", "100.00"),
        ("at_least", "-5", "0", "-8", "62.50"),
        # 保持增长 (at least 0): any fall misses it entirely.
        ("at_least", "0", "0", "0", "100.00"),
        ("at_least", "0", "0", "-0.1", "0.00"),
    ],
)
def test_growth_completion_compares_the_figure_with_the_target_as_a_level(
    direction, target, tolerance, value, expected
):
    got = rules.completion(
        kind=Kind.GROWTH, direction=direction, target=D(target), value=D(value), tolerance=D(tolerance)
    )
    assert got == D(expected)


def test_growth_without_a_figure_is_not_measured():
    assert rules.completion(kind=Kind.GROWTH, direction=Direction.AT_LEAST, target=D(8), value=None) is None


def test_a_growth_target_is_expected_in_full_at_every_period_end():
    # Not scaled by the elapsed share of the year: at the end of March GDP growth is judged against 8.
    for day in (MARCH, JUNE, SEPTEMBER, DECEMBER):
        assert rules.expected_progress(**YEAR, as_of=day, level=True) == D(100)
    assert rules.expected_progress(**YEAR, as_of=date(2021, 12, 31), level=True) == D(0)
    # A count is scaled: a quarter of the year at the end of March.
    assert rules.expected_progress(**YEAR, as_of=MARCH) == D("25.00")


@pytest.mark.parametrize(
    ("as_of", "value", "light"),
    [
        (MARCH, "8.2", Light.GREEN),  # 100 against 100
        (MARCH, "7.4", Light.GREEN),  # 92.5: 7.5 points behind
        (JUNE, "6.4", Light.YELLOW),  # 80: 20 behind
        (JUNE, "5.6", Light.YELLOW),  # 70: 30 behind, still yellow
        (SEPTEMBER, "5.5", Light.RED),  # 68.75: 31.25 behind
        (SEPTEMBER, "-2", Light.RED),  # 0
        (DECEMBER, "8", Light.GREEN),  # met on the deadline day
    ],
)
def test_growth_lights_at_the_quarter_ends(as_of, value, light):
    a = rules.assess(kind=Kind.GROWTH, direction=Direction.AT_LEAST, target=D(8), value=D(value), **YEAR, as_of=as_of)
    assert a.light == light


def test_a_negative_growth_target_at_the_quarter_ends():
    # 再降 3%: at most −3. Fell 1 by March (1/3 = 33.33: red), 2.5 by June (83.33: yellow), 3.2 by
    # September (done: green), rose to +0.5 by December (0, past nothing: red).
    lights = []
    for as_of, value in ((MARCH, "-1"), (JUNE, "-2.5"), (SEPTEMBER, "-3.2"), (DECEMBER, "0.5")):
        a = rules.assess(
            kind=Kind.GROWTH, direction=Direction.AT_MOST, target=D(-3), value=D(value), **YEAR, as_of=as_of
        )
        lights.append((a.completion, a.light))
    assert lights == [
        (D("33.33"), Light.RED),
        (D("83.33"), Light.YELLOW),
        (D("100.00"), Light.GREEN),
        (D("0.00"), Light.RED),
    ]


# --- tolerance on other kinds ----------------------------------------------------------------


def test_met_line_moves_the_target_to_its_losing_side():
    assert rules.met_line(target=D(3), direction=Direction.AT_MOST, tolerance=D("0.5")) == D("3.5")
    assert rules.met_line(target=D(100), direction=Direction.AT_LEAST, tolerance=D(5)) == D(95)
    with pytest.raises(ValueError):
        rules.met_line(target=D(3), direction=Direction.AT_MOST, tolerance=D(-1))


def test_a_count_about_a_target_is_done_within_its_tolerance():
    # 新增100个左右 with tolerance 5: 95 is done; 76 is 76/95 = 80 %.
    kw = {"kind": Kind.COUNT, "direction": Direction.AT_LEAST, "target": D(100), "tolerance": D(5)}
    assert rules.completion(**kw, value=D(95)) == D("100.00")
    assert rules.completion(**kw, value=D(76)) == D("80.00")
    assert rules.completion(**{**kw, "tolerance": D(0)}, value=D(76)) == D("76.00")


def test_a_rate_ceiling_with_a_tolerance():
    # 城镇调查失业率控制在5.5%以内 (no tolerance): 5.5 is within, 6 is 5.5/6 = 91.67.
    kw = {"kind": Kind.RATE, "direction": Direction.AT_MOST, "target": D("5.5")}
    assert rules.completion(**kw, value=D("5.5")) == D("100.00")
    assert rules.completion(**kw, value=D(6)) == D("91.67")
    # With a tolerance of 0.5, 6 is within: 100.
    assert rules.completion(**kw, value=D(6), tolerance=D("0.5")) == D("100.00")


def test_only_a_growth_target_may_be_negative():
    with pytest.raises(ValueError):
        rules.completion(kind=Kind.COUNT, direction=Direction.AT_LEAST, target=D(-1), value=D(1))


# --- qualitative tasks -----------------------------------------------------------------------


def test_qualitative_tasks_have_policy_stages_and_are_not_measured():
    assert [s.label for s in rules.default_stages(Kind.QUALITATIVE)] == ["未启动", "部署启动", "推进实施", "基本完成", "完成"]
    assert rules.default_stages(Kind.MILESTONE) == rules.DEFAULT_STAGES
    assert rules.is_staged(Kind.QUALITATIVE) and rules.is_staged(Kind.MILESTONE)
    assert not rules.is_staged(Kind.GROWTH)
    assert not rules.is_measured(Kind.QUALITATIVE)
    assert all(rules.is_measured(k) for k in (Kind.COUNT, Kind.AMOUNT, Kind.RATE, Kind.MILESTONE, Kind.GROWTH))


@pytest.mark.parametrize(
    ("as_of", "stage", "light"),
    [
        # 推进实施 (50) at the end of June: expected 50, on schedule.
        (JUNE, 2, Light.GREEN),
        # 部署启动 (20) at the end of September: expected 75, 55 behind.
        (SEPTEMBER, 1, Light.RED),
        # 基本完成 (90) at the end of September: ahead.
        (SEPTEMBER, 3, Light.GREEN),
        # Not started three months after the start (from 1 April): red whatever the gap.
        (date(2022, 4, 1), 0, Light.RED),
        (date(2022, 3, 31), 0, Light.YELLOW),  # 25 behind, not yet three months
        # 基本完成 at the year's end: the deadline day, 10 behind.
        (DECEMBER, 3, Light.YELLOW),
        # Past the deadline undone.
        (date(2023, 1, 31), 3, Light.RED),
    ],
)
def test_qualitative_lights_follow_stage_and_time(as_of, stage, light):
    a = rules.assess(
        kind=Kind.QUALITATIVE,
        direction=Direction.AT_LEAST,
        target=None,
        stage=stage,
        stages=rules.QUALITATIVE_STAGES,
        **YEAR,
        as_of=as_of,
    )
    assert a.light == light


def test_what_is_judged():
    assert rules.is_judged(kind=Kind.COUNT, target=D(5))
    assert not rules.is_judged(kind=Kind.COUNT, target=None)
    assert rules.is_judged(kind=Kind.QUALITATIVE, target=None)
    # A target carried from last year's plan judges nothing until the office confirms it.
    assert not rules.is_judged(kind=Kind.COUNT, target=D(5), target_confirmed=False)
    assert not rules.is_judged(kind=Kind.MILESTONE, target=D(1), target_confirmed=False)
