"""Rules of the domain: expected progress, completion rates and lights.

Figures come in kinds (``Kind``): counts and amounts towards a target, rate levels, milestones
tracked by building stages, growth rates against the base year (either sign, compared as levels)
and qualitative tasks tracked by stage and narrative, which no average or ranking includes
(``MEASURED_KINDS``). A target may carry a tolerance ("3%左右"): ``met_line`` is where it counts
as met.

Plain functions with no database and no clock: every function that depends on time
takes an explicit ``as_of`` date, so that pages, jobs, exports and the bulletin agree,
and so that the 2022 plan can be looked at as of any month's end. Month arithmetic and
the reporting calendar (due days, owed months) live in ``projects.calendar``.

Percentages are ``Decimal`` values on a 0..100 scale (completion may exceed 100 when a
unit is ahead); every public function that returns a percentage rounds it to two places,
half up, as the offices' spreadsheets do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from projects.calendar import add_months, month_end, month_index, parse_month

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_STAGES",
    "LEVEL_KINDS",
    "MEASURED_KINDS",
    "QUALITATIVE_STAGES",
    "STAGED_KINDS",
    "Assessment",
    "Bands",
    "Direction",
    "Kind",
    "Light",
    "Stage",
    "assess",
    "city_rate",
    "completion",
    "default_stages",
    "expected_progress",
    "growth_completion",
    "is_done",
    "is_judged",
    "is_measured",
    "is_overdue",
    "is_staged",
    "light",
    "met_line",
    "milestone_not_started",
    "months_elapsed",
    "weighted_score",
    "whole_months",
]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


class Kind(StrEnum):
    COUNT = "count"
    AMOUNT = "amount"
    RATE = "rate"
    MILESTONE = "milestone"
    GROWTH = "growth"  # a change against the base year, in % or percentage points; may be negative
    QUALITATIVE = "qualitative"  # no figure: tracked by stage and narrative


# Kinds reported as a stage (milestones: building stages; qualitative tasks: policy stages).
STAGED_KINDS = frozenset({Kind.MILESTONE, Kind.QUALITATIVE})
# Kinds that enter the averages of tasks, projects and plans and the units' ranking: a qualitative
# task has a stage and a light, not a figure to average; pages say how many items are measured.
MEASURED_KINDS = tuple(k.value for k in Kind if k != Kind.QUALITATIVE)
# Kinds compared with their target as a level at every period end, not scaled by the elapsed
# share of the year: what the statistics publish is the change from January to the period's end.
LEVEL_KINDS = frozenset({Kind.GROWTH})


def is_staged(kind: Kind | str) -> bool:
    return Kind(kind) in STAGED_KINDS


def is_measured(kind: Kind | str) -> bool:
    return Kind(kind).value in MEASURED_KINDS


def is_judged(*, kind: Kind | str, target: Decimal | None, target_confirmed: bool = True) -> bool:
    """Whether a figure gets a light: it has stages, or a target to be judged by that the office has
    confirmed (a plan copied into a new year keeps last year's targets as proposals until then)."""
    return target_confirmed and (target is not None or is_staged(kind))


class Direction(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Bands:
    """Light thresholds; the defaults are those of the city supervision offices."""

    # Points behind expected progress where yellow starts (inclusive): 10 is yellow.
    yellow_gap: Decimal = Decimal(10)
    # Red when strictly more than this many points behind: 30 behind is still yellow.
    red_gap: Decimal = Decimal(30)
    # Red when a milestone has not started this many months after its planned start.
    milestone_grace_months: int = 3

    def __post_init__(self) -> None:
        # A plan's settings are typed in by people: refuse bands that make no sense
        # rather than silently painting everything red.
        if self.yellow_gap < 0 or self.red_gap < self.yellow_gap:
            raise ValueError("bands need 0 <= yellow_gap <= red_gap")
        if self.milestone_grace_months < 0:
            raise ValueError("milestone_grace_months must not be negative")


# Frozen, so one shared instance is a safe default argument.
DEFAULT_BANDS = Bands()


@dataclass(frozen=True)
class Stage:
    label: str
    percent: Decimal


# The stage number a unit reports is the index into this tuple.
DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("未启动", Decimal(0)),
    Stage("前期准备", Decimal(10)),
    Stage("开工建设", Decimal(30)),
    Stage("主体过半", Decimal(60)),
    Stage("基本完成", Decimal(90)),
    Stage("完成", Decimal(100)),
)
# A qualitative task's default stages: the building stages of milestones do not fit policy work.
QUALITATIVE_STAGES: tuple[Stage, ...] = (
    Stage("未启动", Decimal(0)),
    Stage("部署启动", Decimal(20)),
    Stage("推进实施", Decimal(50)),
    Stage("基本完成", Decimal(90)),
    Stage("完成", Decimal(100)),
)


def default_stages(kind: Kind | str) -> tuple[Stage, ...]:
    """The stages of a staged item whose plan gives none of its own."""
    return QUALITATIVE_STAGES if Kind(kind) == Kind.QUALITATIVE else DEFAULT_STAGES


@dataclass(frozen=True)
class Assessment:
    expected: Decimal
    completion: Decimal | None
    light: Light
    overdue: bool
    not_started: bool
    done: bool


def _pct(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _dec(value: Decimal | float | str) -> Decimal:
    # Through str, a JSON float such as 0.1 stays 0.1 instead of its binary expansion.
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- months of a window ------------------------------------------------------


def whole_months(*, start: date, end: date) -> int:
    """Calendar months from ``start``'s month to ``end``'s month, both included.

    A window that starts mid-month still counts its first month whole: the plan's months
    are reporting months, not 30-day spans.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    return month_index(end) - month_index(start) + 1


def months_elapsed(*, start: date, as_of: date) -> int:
    """Whole months completed by ``as_of``, counting from ``start``'s month.

    A month counts once ``as_of`` reaches its last day, because figures describe the
    state at a month's end: on 2022-06-30 six months of a January plan are done, on
    2022-06-29 five.
    """
    if as_of < start:
        return 0
    months = month_index(as_of) - month_index(start)
    if as_of == month_end(as_of):
        months += 1
    return months


# --- expected progress (序时进度) ---------------------------------------------


def _plan_month_end(key: str) -> date:
    try:
        return month_end(parse_month(key))
    except ValueError as exc:
        raise ValueError(f"monthly plan key {key!r} is not YYYY-MM") from exc


def expected_progress(
    *,
    start: date,
    deadline: date,
    as_of: date,
    monthly_plan: Mapping[str, Decimal] | None = None,
    level: bool = False,
) -> Decimal:
    """序时进度 in %: what should be done by ``as_of`` if work kept pace with time.

    By default the elapsed share of the window in whole months. An indicator may carry
    its own ``monthly_plan`` (``{"YYYY-MM": cumulative %}``; building work is seasonal):
    then the value of the latest planned month whose end is on or before ``as_of``
    applies, 0 before the first.

    Either way 0 before ``start`` and 100 from ``deadline`` on: on its deadline day an
    indicator should be done, even when the deadline falls mid-month. A ``level`` target (a growth
    rate, ``LEVEL_KINDS``) is expected in full from ``start`` on: the year's growth is compared with
    the target at every period end.
    """
    if deadline < start:
        raise ValueError(f"deadline {deadline} is before start {start}")
    if as_of < start:
        return _pct(ZERO)
    if as_of >= deadline or level:
        return _pct(HUNDRED)
    if monthly_plan is not None:
        planned = ZERO
        latest: date | None = None
        for key, value in monthly_plan.items():
            end = _plan_month_end(key)
            if end <= as_of and (latest is None or end > latest):
                latest, planned = end, _dec(value)
        # Clamped, so that a slip in a plan cannot make the deadline's 100 a step down.
        return _pct(min(HUNDRED, max(ZERO, planned)))
    share = Decimal(months_elapsed(start=start, as_of=as_of)) * HUNDRED
    share /= Decimal(whole_months(start=start, end=deadline))
    return _pct(min(HUNDRED, share))


# --- completion rate (完成率) -------------------------------------------------


def _rate_level(*, value: Decimal | None, numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    # Units that report a ratio give both parts, so that the city level is summed parts
    # and not an average of averages; a unit that only knows the level gives ``value``.
    if numerator is not None and denominator is not None:
        if denominator == 0:
            return None
        return _dec(numerator) * HUNDRED / _dec(denominator)
    return None if value is None else _dec(value)


def _stage_percent(*, stage: int, stages: Sequence[Stage]) -> Decimal:
    # A negative number would index from the end: a bad report, not a stage.
    if not 0 <= stage < len(stages):
        raise ValueError(f"stage {stage} is not one of 0..{len(stages) - 1}")
    return _dec(stages[stage].percent)


def met_line(*, target: Decimal, direction: Direction, tolerance: Decimal = ZERO) -> Decimal:
    """Where a target counts as met: ``tolerance`` on its losing side ("3%左右" with tolerance 0.5:
    an at-most 3 is met up to 3.5; an at-least 8 with tolerance 0.5 from 7.5)."""
    target, tolerance = _dec(target), _dec(tolerance)
    if tolerance < 0:
        raise ValueError(f"a tolerance cannot be negative: {tolerance}")
    return target - tolerance if Direction(direction) == Direction.AT_LEAST else target + tolerance


def growth_completion(
    *, direction: Direction, target: Decimal | None, value: Decimal | None, tolerance: Decimal = ZERO
) -> Decimal | None:
    """完成率 in % of a growth figure (a change against the base year: either sign, either the
    target or the figure), compared with the target as a level, ``None`` without both.

    100 on the met side of ``met_line``. Short of it, read in the direction the target wants (up
    for at least, down for at most): when the line asks for a change that way (增长 8%; 再降 10%, an
    at-most −10), the share of it achieved, floored at 0 (a fall when growth was asked is 0); when
    the line allows some change the other way (a ceiling above 0 such as CPI at most 3.5; a floor
    below 0), the allowed change over the change that happened (CPI 4.2 against 3.5: 83.33).
    """
    if value is None or target is None:
        return None
    sign = 1 if Direction(direction) == Direction.AT_LEAST else -1
    actual = sign * _dec(value)
    required = sign * met_line(target=target, direction=direction, tolerance=tolerance)
    if actual >= required:
        return _pct(HUNDRED)
    if required > 0:
        return _pct(max(ZERO, actual * HUNDRED / required))
    # Here actual < required <= 0: the change went the other way beyond what the line allows.
    return _pct(-required * HUNDRED / -actual)


def completion(
    *,
    kind: Kind,
    direction: Direction,
    target: Decimal | None,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    stage: int | None = None,
    stages: Sequence[Stage] = DEFAULT_STAGES,
    baseline: Decimal | None = None,
    tolerance: Decimal = ZERO,
) -> Decimal | None:
    """完成率 in %, or ``None`` when there is nothing to measure.

    Nothing to measure: no figure reported, a zero denominator, no target, or a zero
    "at least" target.

    - milestone, qualitative: the percent of the reported stage; ``target`` and ``direction``
      are ignored.
    - growth: ``growth_completion`` (a level, either sign).
    - count/amount, at least: progress from ``baseline`` (0 if none) towards the target;
      not capped above (120 means ahead), floored at 0.
    - rate, at least: the level (numerator/denominator, else ``value``) over the target.
      ``baseline`` is not used for rates: the plan states rate targets as levels.
    - at most, any other kind: 100 while the figure is within the cap, then
      cap/actual, so that it falls as the figure grows beyond the cap.

    The target is taken at its ``met_line``: with a tolerance, where it counts as met.
    """
    kind = Kind(kind)
    direction = Direction(direction)

    if kind in STAGED_KINDS:
        return None if stage is None else _pct(_stage_percent(stage=stage, stages=stages))
    if kind == Kind.GROWTH:
        return growth_completion(direction=direction, target=target, value=value, tolerance=tolerance)

    if kind == Kind.RATE:
        actual = _rate_level(value=value, numerator=numerator, denominator=denominator)
    else:
        actual = None if value is None else _dec(value)
    if actual is None or target is None:
        return None
    if _dec(target) < 0:
        raise ValueError(f"only a growth target can be negative: {target}")
    target = met_line(target=target, direction=direction, tolerance=tolerance)

    if direction == Direction.AT_MOST:
        if actual <= target:
            return _pct(HUNDRED)
        return _pct(target * HUNDRED / actual)

    if target <= 0:
        return None
    if kind == Kind.RATE:
        return _pct(max(ZERO, actual * HUNDRED / target))

    base = ZERO if baseline is None else _dec(baseline)
    span = target - base
    if span <= 0:
        # The target was already reached when the window opened (bad data, or a stock
        # target met early): holding it is done, falling below it is nothing.
        return _pct(HUNDRED if actual >= target else ZERO)
    return _pct(max(ZERO, (actual - base) * HUNDRED / span))


# --- states and lights --------------------------------------------------------


def is_done(*, completion: Decimal | None) -> bool:
    return completion is not None and completion >= HUNDRED


def is_overdue(*, deadline: date, as_of: date, completion: Decimal | None) -> bool:
    # The deadline day itself is still on time.
    return as_of > deadline and not is_done(completion=completion)


def milestone_not_started(
    *,
    kind: Kind,
    stage: int | None,
    planned_start: date,
    as_of: date,
    bands: Bands = DEFAULT_BANDS,
    stages: Sequence[Stage] = DEFAULT_STAGES,
) -> bool:
    """A staged item (a milestone, a qualitative task) still at a 0 % stage, or never reported,
    a grace after its start.

    "Three months after its planned start" is read as the same day of the month three
    months later (``add_months``, day clamped): planned 2022-03-01 -> red from
    2022-06-01, not on 2022-05-31; planned 2022-11-30 -> red from 2023-02-28.
    Not started is judged by the stage's percent rather than its number, so that a plan
    with stages of its own (which may lack a 0 % stage) behaves the same.
    """
    if Kind(kind) not in STAGED_KINDS:
        return False
    if as_of < add_months(planned_start, bands.milestone_grace_months):
        return False
    return stage is None or _stage_percent(stage=stage, stages=stages) <= 0


def light(
    *,
    expected: Decimal,
    completion: Decimal | None,
    deadline: date,
    as_of: date,
    bands: Bands = DEFAULT_BANDS,
    not_started: bool = False,
) -> Light:
    """Green, yellow or red, in this order of precedence.

    Done is green even past the deadline (a late finish is still finished); overdue and
    a milestone not started are red whatever the gap; otherwise the gap behind expected
    progress decides. A missing figure counts as nothing done.
    """
    if is_done(completion=completion):
        return Light.GREEN
    if not_started or is_overdue(deadline=deadline, as_of=as_of, completion=completion):
        return Light.RED
    gap = _dec(expected) - (ZERO if completion is None else _dec(completion))
    if gap < bands.yellow_gap:
        return Light.GREEN
    if gap <= bands.red_gap:
        return Light.YELLOW
    return Light.RED


def assess(
    *,
    kind: Kind,
    direction: Direction,
    target: Decimal | None,
    start: date,
    deadline: date,
    as_of: date,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    stage: int | None = None,
    stages: Sequence[Stage] = DEFAULT_STAGES,
    baseline: Decimal | None = None,
    monthly_plan: Mapping[str, Decimal] | None = None,
    planned_start: date | None = None,
    bands: Bands = DEFAULT_BANDS,
    tolerance: Decimal = ZERO,
) -> Assessment:
    """Everything the pages, jobs, exports and the bulletin show about one figure.

    One call for all of them, so that none can work out a light differently.
    ``planned_start`` (for staged items) defaults to ``start``. ``as_of`` is the day the figure is
    judged on (``calendar.judged_on``: a quarterly figure's last quarter end).
    """
    expected = expected_progress(
        start=start, deadline=deadline, as_of=as_of, monthly_plan=monthly_plan, level=Kind(kind) in LEVEL_KINDS
    )
    rate = completion(
        kind=kind,
        direction=direction,
        target=target,
        value=value,
        numerator=numerator,
        denominator=denominator,
        stage=stage,
        stages=stages,
        baseline=baseline,
        tolerance=tolerance,
    )
    not_started = milestone_not_started(
        kind=kind,
        stage=stage,
        planned_start=start if planned_start is None else planned_start,
        as_of=as_of,
        bands=bands,
        stages=stages,
    )
    return Assessment(
        expected=expected,
        completion=rate,
        light=light(
            expected=expected,
            completion=rate,
            deadline=deadline,
            as_of=as_of,
            bands=bands,
            not_started=not_started,
        ),
        overdue=is_overdue(deadline=deadline, as_of=as_of, completion=rate),
        not_started=not_started,
        done=is_done(completion=rate),
    )


# --- city figures and rankings ------------------------------------------------


def city_rate(
    *,
    numerators: Iterable[Decimal | None],
    denominators: Iterable[Decimal | None],
) -> tuple[Decimal | None, Decimal | None]:
    """Summed numerators and denominators of the units that reported both parts.

    Feed the result to ``completion(numerator=..., denominator=...)``: a city rate is
    its units' parts summed, not an average of their rates. ``(None, None)`` when nobody
    reported.
    """
    num = den = ZERO
    reported = False
    for n, d in zip(numerators, denominators, strict=True):
        if n is None or d is None:
            continue
        num += _dec(n)
        den += _dec(d)
        reported = True
    return (num, den) if reported else (None, None)


def weighted_score(*, completions: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal | None:
    """Ranking score in %: weighted mean of ``(completion, weight)`` pairs.

    Each rate is capped at 100, so that overshooting one figure cannot hide another that
    lags, and a missing figure counts as 0. ``None`` when the weights add up to 0.
    """
    total = weight_sum = ZERO
    for rate, raw_weight in completions:
        weight = _dec(raw_weight)
        if weight < 0:
            raise ValueError(f"weights cannot be negative: {weight}")
        capped = ZERO if rate is None else min(HUNDRED, _dec(rate))
        total += capped * weight
        weight_sum += weight
    if weight_sum == 0:
        return None
    return _pct(total / weight_sum)
