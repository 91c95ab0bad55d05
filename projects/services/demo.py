"""Synthetic, reproducible figures for the demo (``manage.py seed_demo``), so that a newcomer running
``make run`` sees a living tracker: units ahead of and behind schedule, a few red, some reports
missing, a few late, some returned, most approved.

Every row it writes is marked ``is_demo`` and replaced on the next run; figures a person entered are
never touched. Each unit's figures come from a random generator seeded by the indicator's code and
the unit's name, so the same ``as_of`` gives the same figures, and a later ``as_of`` continues the
same story.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from projects import calendar, rules
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.models import (
    Aggregation,
    Assignment,
    Evidence,
    Indicator,
    IndicatorKind,
    Plan,
    RateBasis,
    Submission,
    SubmissionStatus,
    Unit,
    UnitProgress,
    User,
)
from projects.permissions import reviewing_units
from projects.selectors.reporting import is_late
from projects.services.progress import progress_rebuild, reportable_months

SEED = "三政办〔2022〕6号"

# How fast each unit works, against schedule (1.0 = exactly on 序时进度). Others draw their own.
PACE = {
    "湖滨区政府": 1.12,
    "陕州区政府": 1.0,
    "义马市政府": 0.86,
    "灵宝市政府": 1.06,
    "渑池县政府": 0.74,
    "卢氏县政府": 0.52,
    "城乡一体化示范区管委会": 0.9,
    # Ahead on the city's heating and gas networks, which must be ready before the heating season:
    # by September some of its targets are met, and the demo's close-outs (销号) have something to close.
    "市住房城乡建设局": 1.4,
}
# Shares of a split city target (roughly the counties' sizes).
WEIGHT = {
    "湖滨区政府": 1.0,
    "陕州区政府": 1.1,
    "义马市政府": 0.6,
    "灵宝市政府": 1.6,
    "渑池县政府": 1.0,
    "卢氏县政府": 0.9,
    "城乡一体化示范区管委会": 0.4,
}
# Units that often miss or are late with their reports.
SLOPPY = {"卢氏县政府": 0.22, "渑池县政府": 0.12}

PROGRESS = [
    "截至{month}底，累计完成{figure}，{share}。",
    "本月按计划推进，累计完成{figure}，{share}。",
    "已召开专题推进会，压实责任，累计完成{figure}，{share}。",
]
PROBLEMS_BEHIND = [
    "部分项目前期手续办理较慢，开工时间推迟。",
    "资金拨付不够及时，影响施工进度。",
    "受疫情影响，部分集中培训和现场工作推迟。",
    "基层人员力量不足，台账整理滞后。",
]
PROBLEMS_OK = ["暂无。", "无明显问题。", "个别点位群众协调工作量较大。"]
NEXT_STEPS = [
    "倒排工期，挂图作战，确保按期完成。",
    "加强调度，每周通报进度，对滞后乡镇督促整改。",
    "加快资金拨付，推动项目尽快形成实物工作量。",
    "继续做好台账管理和佐证材料收集。",
]
RETURN_COMMENTS = [
    "累计数与台账不一致，请核实后重新报送。",
    "请补充佐证材料（花名册或现场照片）。",
    "进展情况过于简单，请说明具体完成内容。",
]


@dataclass
class DemoSummary:
    submissions: int = 0
    allocations: int = 0
    removed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _quantum(indicator: Indicator) -> Decimal:
    if indicator.kind == IndicatorKind.AMOUNT:
        return Decimal("0.01")
    if indicator.target is not None and indicator.target != indicator.target.to_integral_value():
        return Decimal("0.1")
    return Decimal(1)


def split_target(*, target: Decimal, weights: list[float], quantum: Decimal) -> list[Decimal | None]:
    """Parts of ``target`` in proportion to ``weights``, in steps of ``quantum``, adding up exactly
    (largest remainders get the leftover steps). A unit left with nothing gets None (no target of
    its own) rather than 0, which would be measured as failing."""
    steps = int((target / quantum).to_integral_value(rounding=ROUND_DOWN))
    total = sum(weights)
    raw = [steps * w / total for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (raw[i] - parts[i], weights[i]), reverse=True)
    for i in order[: steps - sum(parts)]:
        parts[i] += 1
    result = [Decimal(p) * quantum if p else None for p in parts]
    # Whatever the steps cannot hold (a target not a multiple of the quantum) goes to the largest part.
    rest = target - sum((r for r in result if r is not None), Decimal(0))
    if rest:
        biggest = max(range(len(result)), key=lambda i: result[i] or Decimal(0))
        result[biggest] = (result[biggest] or Decimal(0)) + rest
    return result


def _demo_allocations(plan: Plan) -> int:
    """Split each additive city target among its reporting units where the office has not."""
    made = 0
    indicators = Indicator.objects.filter(
        task__project__plan=plan, aggregation=Aggregation.SUM, target__isnull=False
    ).prefetch_related("assignments__unit")
    for indicator in indicators.order_by("task__project__number", "task__number", "position"):
        assignments = sorted(indicator.assignments.all(), key=lambda a: (a.position, a.unit.name))
        if len(assignments) < 2 or any(a.target is not None for a in assignments):
            continue  # a single reporter, or the office's own split: leave it
        parts = split_target(
            target=indicator.target,
            weights=[WEIGHT.get(a.unit.name, 1.5) for a in assignments],
            quantum=_quantum(indicator),
        )
        for a, part in zip(assignments, parts, strict=True):
            a.target, a.is_demo = part, True
        Assignment.objects.bulk_update(assignments, ["target", "is_demo"])
        made += len(assignments)
    return made


def _remove(plan: Plan) -> int:
    demo = Submission.objects.filter(is_demo=True, indicator__task__project__plan=plan)
    ids = list(demo.values_list("pk", flat=True))
    Evidence.objects.filter(submission_id__in=ids).delete()
    UnitProgress.objects.filter(submission_id__in=ids).update(submission=None)
    # A plain SQL delete, with the history: a deletion record for every demo row would be noise.
    Submission.objects.filter(pk__in=ids)._raw_delete(Submission.objects.db)
    Submission.history.filter(id__in=ids)._raw_delete(Submission.objects.db)
    Assignment.objects.filter(is_demo=True, indicator__task__project__plan=plan).update(target=None, is_demo=False)
    return len(ids)


def _at(day: dt.date, rng: random.Random, start_hour: int = 9, end_hour: int = 18) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(start_hour, end_hour - 1), rng.randint(0, 59)))
    return timezone.make_aware(moment, timezone.get_default_timezone())


@dataclass
class _Context:
    plan: Plan
    as_of: dt.date
    users: dict[int, User]
    office: User | None
    reviewers: dict[int, list[Unit]]


@transaction.atomic
def demo_seed(*, plan: Plan, as_of: dt.date) -> DemoSummary:
    """Replace the plan's demo figures with those of every month that has ended by ``as_of``: the
    months whose due day has passed in full (sent on time or late, reviewed, a few missing), the
    month still being reported in part (drafts, a few sent early); progress is recomputed."""
    summary = DemoSummary(removed=_remove(plan))
    summary.allocations = _demo_allocations(plan)
    real = set(
        Submission.objects.filter(indicator__task__project__plan=plan, is_demo=False).values_list(
            "indicator_id", "unit_id", "month"
        )
    )
    ctx = _Context(
        plan=plan,
        as_of=as_of,
        users={u.unit_id: u for u in User.objects.filter(unit__isnull=False, is_active=True).order_by("-pk")},
        office=User.objects.filter(role="office", is_active=True).order_by("pk").first(),
        reviewers={},
    )
    assignments = (
        Assignment.objects.filter(indicator__task__project__plan=plan)
        .select_related("indicator__task__project", "unit")
        .order_by("indicator__task__project__number", "indicator__task__number", "indicator__position", "position")
    )
    rows: list[Submission] = []
    reviews: list[tuple] = []
    for assignment in assignments:
        task = assignment.indicator.task
        if task.pk not in ctx.reviewers:
            ctx.reviewers[task.pk] = list(reviewing_units(task=task))
        for sub, review in _assignment_story(ctx, assignment, real):
            rows.append(sub)
            reviews.append(review)
    created = Submission.objects.bulk_create(rows, batch_size=500)
    _write_history(created, reviews)
    for sub in created:
        summary.by_status[sub.status] = summary.by_status.get(sub.status, 0) + 1
    summary.submissions = len(created)
    progress_rebuild(plan=plan)
    audit_record(
        action=AuditAction.DEMO_SEED,
        obj=plan,
        detail={"as_of": as_of, "removed": summary.removed, "submissions": summary.submissions},
    )
    return summary


def _figure(indicator: Indicator, target: Decimal | None, fraction: float, state: dict, pace: float) -> dict:
    """The cumulative figure of a month, from the share of the work done."""
    if indicator.is_staged:
        stages = indicator.stage_list
        done = [i for i, s in enumerate(stages) if float(s.percent) <= fraction * 100 + 1e-9]
        figure = {"stage": max(done) if done else 0}
        if indicator.kind == IndicatorKind.QUALITATIVE and indicator.figure_unit:
            # A figure for information beside the narrative (household income growth, trade growth).
            figure["value"] = Decimal(str(round(6.5 * state["swing"] - 1.0, 1)))
        return figure
    if indicator.kind == IndicatorKind.GROWTH:
        # What the statistics would publish: the target, missed or beaten as the unit's pace goes,
        # swinging from period to period (a fall below 0 happens for a slow unit).
        t = float(indicator.target or 0)
        good = (indicator.direction == rules.Direction.AT_LEAST) == (t >= 0)
        g = pace * state["swing"]
        value = t * g if good else t * (2 - g)
        return {"value": Decimal(str(round(value, 1)))}
    if indicator.kind == IndicatorKind.RATE:
        level_target = float(indicator.target or 90)
        level = min(100.0, level_target * min(1.08, (0.55 + 0.5 * min(fraction, 1.0))) * min(1.05, 0.8 + pace / 5))
        if indicator.rate_basis == RateBasis.RATIO:
            den = state["denominator"]
            return {"numerator": Decimal(min(den, round(den * level / 100))), "denominator": Decimal(den)}
        return {"value": Decimal(str(round(level, 1)))}
    base = target if target is not None else (indicator.target or Decimal(100)) / 6
    value = (base * Decimal(str(fraction))).quantize(_quantum(indicator), rounding=ROUND_HALF_UP)
    return {"value": max(value, Decimal(0))}


def _assignment_story(ctx: _Context, assignment: Assignment, real: set) -> list[tuple[Submission, tuple]]:
    indicator, unit, plan = assignment.indicator, assignment.unit, ctx.plan
    # The first plan's figures keep their seed; another plan's codes (5.1.1 again) get their own.
    seed = SEED if plan.document == SEED else plan.document
    rng = random.Random(f"{seed}:{indicator.code}:{unit.name}")  # noqa: S311 (demo figures, not secrets)
    pace = PACE.get(unit.name) or rng.uniform(0.82, 1.15)
    pace *= rng.uniform(0.93, 1.07)
    sloppy = SLOPPY.get(unit.name, 0.04)
    state = {"denominator": rng.randint(80, 1500), "fraction": 0.0, "swing": 1.0}
    target = assignment.target if indicator.aggregation == Aggregation.SUM else indicator.target
    out = []
    # The months the unit reports in (each month, or a quarter's or the year's last).
    months = reportable_months(indicator=indicator, plan=plan)
    for month in months:
        if not calendar.is_over(month, today=ctx.as_of):
            break
        draws = [rng.random() for _ in range(6)]  # a fixed number per month: later months do not shift
        state["swing"] = 0.75 + 0.5 * draws[0]
        expected = float(
            rules.expected_progress(
                start=indicator.window_start(plan),
                deadline=indicator.deadline,
                as_of=calendar.as_of(month),
                monthly_plan=indicator.monthly_plan,
                level=indicator.kind in rules.LEVEL_KINDS,
            )
        )
        wobble = (draws[0] - 0.5) * 0.08
        state["fraction"] = max(state["fraction"], min(1.25, expected / 100 * pace + wobble))
        if (indicator.pk, unit.pk, month) in real:
            continue
        due = plan.due_date(month)
        is_due = calendar.is_due(month, today=ctx.as_of, due_day=plan.due_day)
        if is_due and draws[1] < sloppy and month != months[0]:
            continue  # not reported this month: the last figure carries forward
        figure = _figure(indicator, target, state["fraction"], state, pace)
        story = _status_story(ctx, month, due, is_due, draws, sloppy, rng)
        if story is None:
            continue
        status, submitted_at, reviewed_at, comment, saved_at = story
        sub = Submission(
            indicator=indicator,
            unit=unit,
            month=month,
            status=status,
            submitted_at=submitted_at,
            submitted_by=ctx.users.get(unit.pk) if submitted_at else None,
            late=bool(submitted_at and is_late(plan=plan, month=month, at=submitted_at)),
            reviewed_at=reviewed_at,
            reviewed_by=_reviewer(ctx, indicator, unit) if reviewed_at else None,
            review_comment=comment,
            is_demo=True,
            version=1 + (reviewed_at is not None),
            updated_by=ctx.users.get(unit.pk),
            signed=indicator.may_be_negative,
            **figure,
            **_texts(indicator, figure, target, pace, month, rng),
        )
        out.append((sub, (saved_at, submitted_at, reviewed_at)))
    return out


def _status_story(
    ctx: _Context, month: dt.date, due: dt.date, is_due: bool, draws: list[float], sloppy: float, rng
):
    """(status, sent, reviewed, comment, saved) of one month's figure, as the calendar allows."""
    as_of = ctx.as_of
    first_day = calendar.month_end(month) + dt.timedelta(days=1)
    if not is_due:
        # The month has just ended: some units keep drafts, a few send early, most have not started.
        if draws[2] < 0.6:
            return None
        if first_day > as_of or draws[3] < 0.5:
            saved = _at(min(as_of, first_day), rng)
            return SubmissionStatus.DRAFT, None, None, "", saved
        sent = _at(min(as_of, first_day + dt.timedelta(days=rng.randint(0, 3))), rng)
        return SubmissionStatus.SUBMITTED, sent, None, "", sent
    if draws[3] < sloppy * 0.8 and due + dt.timedelta(days=1) <= as_of:
        sent_day = min(as_of, due + dt.timedelta(days=1 + int(draws[4] * 8)))
    else:
        sent_day = first_day + dt.timedelta(days=int(draws[4] * (due - first_day).days))
    sent = _at(sent_day, rng)
    recent = month == calendar.reporting_month(today=as_of, due_day=ctx.plan.due_day)
    review_day = min(as_of, sent_day + dt.timedelta(days=1 + int(draws[2] * 4)))
    reviewed = max(sent + dt.timedelta(hours=1), _at(review_day, rng))
    roll = draws[5]
    if roll < (0.10 if recent else 0.03):
        return SubmissionStatus.RETURNED, sent, reviewed, rng.choice(RETURN_COMMENTS), sent
    if roll < (0.45 if recent else 0.08):
        return SubmissionStatus.SUBMITTED, sent, None, "", sent
    return SubmissionStatus.APPROVED, sent, reviewed, "", sent


def _reviewer(ctx: _Context, indicator: Indicator, unit: Unit) -> User | None:
    for reviewer in ctx.reviewers.get(indicator.task_id, []):
        if reviewer.pk != unit.pk:
            return ctx.users.get(reviewer.pk)
    return ctx.office


def _texts(indicator, figure, target, pace, month, rng) -> dict[str, str]:
    if indicator.is_staged:
        shown = indicator.stage_list[figure["stage"]].label
        share = "节点进展正常" if pace >= 0.9 else "进度偏慢"
        if indicator.kind == IndicatorKind.QUALITATIVE:
            shown = f"“{indicator.name}”工作处于{shown}阶段"
            share = "各项措施按计划推进" if pace >= 0.9 else "部分措施落实偏慢"
    elif indicator.kind == IndicatorKind.GROWTH:
        shown = f"累计增速{figure['value'].normalize():f}{indicator.unit_of_measure}"
        share = f"目标{indicator.target.normalize():f}{indicator.unit_of_measure}"
    elif "numerator" in figure:
        level = figure["numerator"] * 100 / figure["denominator"]
        shown = f"{figure['numerator']}/{figure['denominator']}（{level:.1f}%）"
        share = f"目标为{indicator.target.normalize():f}%"
    else:
        shown = f"{figure['value'].normalize():f}{indicator.unit_of_measure}"
        share = f"占目标任务的{figure['value'] * 100 / target:.0f}%" if target else "按计划推进"
    return {
        "progress_text": rng.choice(PROGRESS).format(
            month=calendar.short_month_label(month, language="zh-hans"), figure=shown, share=share
        ),
        "problems_text": rng.choice(PROBLEMS_BEHIND if pace < 0.9 else PROBLEMS_OK),
        "next_steps_text": rng.choice(NEXT_STEPS),
    }


def _write_history(created: list[Submission], reviews: list[tuple]) -> None:
    """History as it would have happened: sent, then reviewed (or a draft saved)."""
    history_model = Submission.history.model
    records = []
    tracked = [f.attname for f in Submission._meta.fields]
    for i, sub in enumerate(created):
        saved_at, submitted_at, reviewed_at = reviews[i]
        values = {name: getattr(sub, name) for name in tracked}
        if reviewed_at is not None:
            first = {**values, "status": SubmissionStatus.SUBMITTED, "reviewed_at": None, "reviewed_by_id": None,
                     "review_comment": "", "version": 1}  # fmt: skip
            records.append(
                history_model(**first, history_date=submitted_at, history_type="+",
                              history_user_id=sub.submitted_by_id, history_change_reason="提交（演示数据）")
            )  # fmt: skip
            reason = "审核通过" if sub.status == SubmissionStatus.APPROVED else f"退回：{sub.review_comment}"
            records.append(
                history_model(**values, history_date=reviewed_at, history_type="~",
                              history_user_id=sub.reviewed_by_id, history_change_reason=f"{reason}（演示数据）")
            )  # fmt: skip
        else:
            reason = "提交（演示数据）" if submitted_at else "保存草稿（演示数据）"
            records.append(
                history_model(**values, history_date=saved_at, history_type="+",
                              history_user_id=sub.updated_by_id, history_change_reason=reason)
            )  # fmt: skip
    history_model.objects.bulk_create(records, batch_size=500)
