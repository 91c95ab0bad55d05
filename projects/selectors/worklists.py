"""Worklists: a unit's "still to do" and a reviewer's queue.

- **Still to do** (``unit_worklist``): every open month of a unit, oldest first (a month that has
  ended and that the office has not closed), with what is missing, what is a draft and what was
  returned; months with nothing left to do are left out. Counted figures (sent, approved) are done.
- **The review queue** (``review_queue``): the figures waiting for the user's review (the
  permission rule's ``submissions_reviewable_by``), oldest sent first, each with the unit's
  completion and light for that figure and month (the progress tables'); ``queue_next`` is the
  one to open after a figure.

Both take ``today`` from the caller (the one clock) and run a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery

from projects import calendar, permissions
from projects.models import (
    COUNTED_STATUSES,
    Assignment,
    Indicator,
    Plan,
    Submission,
    SubmissionStatus,
    Unit,
    UnitProgress,
    User,
)
from projects.selectors.reporting import closed_months, submission_figure_text

MISSING = "missing"  # no figure at all for the month: the state of a row without a submission


@dataclass
class WorkItem:
    """One figure of a unit's month that still needs the unit: missing, a draft, or returned."""

    indicator: Indicator
    month: dt.date
    submission: Submission | None

    @property
    def state(self) -> str:
        return self.submission.status if self.submission else MISSING

    @property
    def figure_text(self) -> str:
        return submission_figure_text(self.submission)


@dataclass
class WorkMonth:
    """One open month of a unit's worklist."""

    plan: Plan
    month: dt.date
    due: dt.date
    overdue: bool  # its due day has passed
    items: list[WorkItem] = field(default_factory=list)
    done: int = 0  # figures sent or approved

    def _count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)

    @property
    def missing(self) -> int:
        return self._count(MISSING)

    @property
    def drafts(self) -> list[WorkItem]:
        return [i for i in self.items if i.state == SubmissionStatus.DRAFT]

    @property
    def returned(self) -> int:
        return self._count(SubmissionStatus.RETURNED)

    @property
    def total(self) -> int:
        return len(self.items) + self.done


def unit_worklist(*, unit: Unit, today: dt.date) -> list[WorkMonth]:
    """The unit's open months with something left to do, oldest first. Three queries."""
    assignments = list(
        Assignment.objects.filter(unit=unit).select_related("indicator__task__project__plan").order_by(
            "indicator__task__project__plan__year", "indicator__task__project__number", "indicator__task__number",
            "indicator__position",
        )
    )  # fmt: skip
    plans = {a.indicator.task.project.plan for a in assignments}
    closed = closed_months(plans=plans)
    submissions = {
        (s.indicator_id, s.month): s
        for s in Submission.objects.filter(unit=unit).select_related("indicator", "reviewed_by")
    }
    months: dict[tuple[int, dt.date], WorkMonth] = {}
    for a in assignments:
        indicator, plan = a.indicator, a.indicator.task.project.plan
        for month in calendar.periods(indicator.window(plan)):
            if not calendar.is_over(month, today=today) or (plan.pk, month) in closed:
                continue
            work = months.get((plan.pk, month))
            if work is None:
                due_day = plan.due_day
                work = months[(plan.pk, month)] = WorkMonth(
                    plan=plan,
                    month=month,
                    due=calendar.due_date(month, due_day=due_day),
                    overdue=calendar.is_due(month, today=today, due_day=due_day),
                )
            submission = submissions.get((indicator.pk, month))
            if submission is not None and submission.status in COUNTED_STATUSES:
                work.done += 1
            else:
                work.items.append(WorkItem(indicator=indicator, month=month, submission=submission))
    return sorted((w for w in months.values() if w.items), key=lambda w: (w.month, w.plan.year, w.plan.pk))


# --- the review queue ---------------------------------------------------------------------------


def review_queue(*, user: User, unit_id: int | None = None, month: dt.date | None = None) -> QuerySet[Submission]:
    """The figures waiting for ``user``'s review, oldest sent first, with the unit's completion and
    light for that figure as ``queue_completion`` and ``queue_light``."""
    waiting = permissions.submissions_reviewable_by(user).filter(status=SubmissionStatus.SUBMITTED)
    if unit_id is not None:
        waiting = waiting.filter(unit_id=unit_id)
    if month is not None:
        waiting = waiting.filter(month=month)
    progress = UnitProgress.objects.filter(
        indicator_id=OuterRef("indicator_id"), unit_id=OuterRef("unit_id"), month=OuterRef("month")
    )
    return (
        waiting.select_related("indicator__task__project__plan", "unit", "submitted_by")
        .annotate(
            queue_completion=Subquery(progress.values("completion")[:1]),
            queue_light=Subquery(progress.values("light")[:1]),
        )
        .order_by("submitted_at", "pk")
    )


def queue_next(*, user: User, after: Submission) -> Submission | None:
    """The figure to review after ``after``: the next one sent after it, else the oldest waiting."""
    waiting = review_queue(user=user).exclude(pk=after.pk)
    if after.submitted_at is not None:
        later = waiting.filter(
            Q(submitted_at__gt=after.submitted_at) | Q(submitted_at=after.submitted_at, pk__gt=after.pk)
        ).first()
        if later is not None:
            return later
    return waiting.first()


def queue_units(*, user: User) -> list[tuple[Unit, int]]:
    """The units with figures waiting for ``user``, with how many: the queue's filter."""
    counts: dict[int, int] = defaultdict(int)
    for unit_id in review_queue(user=user).values_list("unit_id", flat=True):
        counts[unit_id] += 1
    units = Unit.objects.in_bulk(counts)
    return [(units[u], n) for u, n in sorted(counts.items(), key=lambda kv: (units[kv[0]].position, kv[0]))]
