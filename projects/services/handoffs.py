"""Every step of monthly reporting tells the next person, once, with a link to act on.

| step | who is told | dedupe key |
|---|---|---|
| figures sent for review | their reviewer (lead department, or the office) | ``submitted:<reviewer>:<unit>:<day>`` |
| a figure returned | its unit, with the comment | ``returned:<submission>:<version>`` |
| figures approved | their unit | ``approved:<unit>:<day>`` |
| an approved figure reopened | its unit, with the reason | ``reopened:<submission>:<version>`` |
| a month closed | every unit that reports in it | ``month_closed:<closure>`` |
| a month reopened | every unit that reports in it | ``month_opened:<closure>`` |

**A batch** (figures sent, figures approved) is what one unit sends for one reviewer, or has
approved, on one day (the clock's, Beijing time): one message per reviewer and batch, never one per
figure. The first figure of the day opens the message, and its e-mail; each figure that joins the
batch later that day rewrites the message (the count and the list, unread again) instead of adding
one (``News.revise``); an e-mail not sent yet carries the new list, one already sent is not sent
again. The next day starts a new batch. A return and a reopening are one message each: each has
its own comment or reason.

The functions run inside the transaction of the step (``services.reporting``, the Excel import)
and hand the deliveries to the worker once it commits. Texts are in the site's language, as every
message is: they are read later, by someone else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects import calendar, permissions
from projects import links as paths
from projects.models import (
    COUNTED_STATUSES,
    Assignment,
    Audience,
    Event,
    MonthClosure,
    Plan,
    Submission,
    SubmissionStatus,
    Unit,
    User,
)
from projects.selectors.reporting import submission_figure_text
from projects.services.notifications import News, notifications_create

OFFICE = "office"  # the reviewer key of figures the supervision office reviews
LIST_LIMIT = 30  # lines of figures in one message; the page behind the link has them all
TO_REVIEWER = frozenset({Audience.LEAD_UNIT})
TO_OFFICE = frozenset({Audience.OFFICE})
TO_UNIT = frozenset({Audience.REPORTING_UNIT})


def _send(news: list[News]) -> list[int]:
    """Record the news and send its deliveries once the step's transaction commits."""
    from projects.tasks import deliveries_enqueue  # the tasks module imports the services

    ids = notifications_create(items=news)
    deliveries_enqueue(ids)
    return ids


def _day_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _on_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return calendar.day_span(day, tz=timezone.get_default_timezone())


def _line(submission: Submission) -> str:
    indicator = submission.indicator
    text = _("· %(month)s %(code)s %(name)s：%(figure)s") % {
        "month": calendar.month_label(submission.month),
        "code": indicator.code,
        "name": indicator.name,
        "figure": submission_figure_text(submission) or "—",
    }
    if submission.late:
        text += _("（逾期报送）")
    return text


def _lines(submissions: Sequence[Submission]) -> str:
    lines = [_line(s) for s in submissions[:LIST_LIMIT]]
    if len(submissions) > LIST_LIMIT:
        lines.append(_("……等共 %(n)s 项") % {"n": len(submissions)})
    return "\n".join(lines)


def _common(submissions: Sequence[Submission], attribute) -> object | None:
    """The value all ``submissions`` share (their month, their project), else None."""
    values = {attribute(s) for s in submissions}
    return values.pop() if len(values) == 1 else None


def _ordered(submissions: Iterable[Submission]) -> list[Submission]:
    return sorted(
        submissions,
        key=lambda s: (s.month, s.indicator.task.project.number, s.indicator.task.number, s.indicator.position),
    )


# --- figures sent: their reviewer ----------------------------------------------------------------


def _reviewers(task_ids: Iterable[int]) -> dict[int, list[int]]:
    return permissions.reviewing_unit_ids(task_ids=set(task_ids))


def _reviewer_keys(submission: Submission, reviewers: dict[int, list[int]]) -> list[int | str]:
    """Who reviews a figure: the task's reviewing units other than its own, else the office."""
    units = [u for u in reviewers.get(submission.indicator.task_id, []) if u != submission.unit_id]
    return units or [OFFICE]


def handoff_submitted(*, submissions: Sequence[Submission]) -> list[int]:
    """Tell each reviewer of ``submissions`` (figures just sent) that they wait for review: one
    message per reviewer and batch (the unit's figures sent that day), rewritten as the batch grows."""
    sent = [s for s in submissions if s.status == SubmissionStatus.SUBMITTED and s.submitted_at]
    if not sent:
        return []
    reviewers = _reviewers({s.indicator.task_id for s in sent})
    batches = {(key, s.unit_id, _day_of(s.submitted_at)) for s in sent for key in _reviewer_keys(s, reviewers)}
    news = []
    with translation.override(settings.LANGUAGE_CODE):
        for unit_id, day in sorted({(u, d) for _r, u, d in batches}):
            # The whole day's batch, as it stands: the figures of that unit sent that day and still waiting.
            start, end = _on_day(day)
            waiting = list(
                Submission.objects.filter(
                    unit_id=unit_id, status=SubmissionStatus.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end
                ).select_related("indicator__task__project", "unit")
            )
            reviewers = _reviewers({s.indicator.task_id for s in waiting})
            by_reviewer: dict[int | str, list[Submission]] = defaultdict(list)
            for s in waiting:
                for key in _reviewer_keys(s, reviewers):
                    by_reviewer[key].append(s)
            for key, mine in by_reviewer.items():
                if (key, unit_id, day) in batches:
                    news.append(_submitted_news(key, unit_id, day, _ordered(mine)))
    return _send(news)


def _submitted_news(reviewer: int | str, unit_id: int, day: dt.date, submissions: list[Submission]) -> News:
    unit = submissions[0].unit
    reviewer_name = _("市政府督查室") if reviewer == OFFICE else Unit.objects.get(pk=reviewer).name
    values = {
        "reviewer": reviewer_name,
        "unit": unit.name,
        "day": calendar.short_day_label(day),
        "n": len(submissions),
        "lines": _lines(submissions),
    }
    month = _common(submissions, lambda s: s.month)
    return News(
        event=Event.SUBMITTED,
        key=f"submitted:{reviewer}:{unit_id}:{day.isoformat()}",
        subject=_("【月报待审核】%(unit)s %(day)s报送 %(n)s 项数据") % values,
        body=_("%(reviewer)s：\n%(unit)s于%(day)s报送了以下 %(n)s 项数据，请审核：\n%(lines)s") % values,
        link=paths.review_queue(unit_id=unit_id, month=month),
        unit_id=unit_id,
        lead_unit_id=None if reviewer == OFFICE else reviewer,
        project_id=_common(submissions, lambda s: s.indicator.task.project_id),
        month=month,
        audiences=TO_OFFICE if reviewer == OFFICE else TO_REVIEWER,
        revise=True,
    )


# --- reviewed: the unit ------------------------------------------------------------------------


def handoff_returned(*, submission: Submission, reviewer: User) -> list[int]:
    """Tell the unit that a figure came back, with the reviewer's comment and a link to its form."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send([_back_to_unit(submission, event=Event.RETURNED, by=reviewer)])


def handoff_reopened(*, submission: Submission, by: User) -> list[int]:
    """Tell the unit that the office reopened an approved figure, with the reason."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send([_back_to_unit(submission, event=Event.REOPENED, by=by)])


def _by_whom(user: User) -> str:
    if user.is_office:
        return _("市政府督查室")
    return user.unit.name if user.unit_id else user.display_name


def _back_to_unit(submission: Submission, *, event: str, by: User) -> News:
    indicator = submission.indicator
    values = {
        "unit": submission.unit.name,
        "month": calendar.month_label(submission.month),
        "code": indicator.code,
        "name": indicator.name,
        "figure": submission_figure_text(submission) or "—",
        "who": _by_whom(by),
        "comment": submission.review_comment,
    }
    if event == Event.RETURNED:
        subject = _("【月报退回】%(month)s %(code)s %(name)s") % values
        body = _(
            "%(unit)s：\n你单位报送的%(month)s“%(code)s %(name)s”（%(figure)s）被%(who)s退回。\n"
            "退回意见：%(comment)s\n请按意见修改后重新报送。"
        ) % values
    else:
        subject = _("【月报重新打开】%(month)s %(code)s %(name)s") % values
        body = _(
            "%(unit)s：\n你单位%(month)s“%(code)s %(name)s”的已审核数据（%(figure)s）已由%(who)s重新打开。\n"
            "原因：%(comment)s\n请修改后重新报送。"
        ) % values
    return News(
        event=event,
        key=f"{event}:{submission.pk}:{submission.version}",
        subject=subject,
        body=body,
        link=paths.report_form(submission.month, indicator.pk),
        unit_id=submission.unit_id,
        project_id=indicator.task.project_id,
        month=submission.month,
        audiences=TO_UNIT,
    )


def handoff_approved(*, submissions: Sequence[Submission]) -> list[int]:
    """Tell each unit that figures of its were approved: one message per unit and day."""
    batches = {(s.unit_id, _day_of(s.reviewed_at)) for s in submissions if s.status == SubmissionStatus.APPROVED}
    news = []
    with translation.override(settings.LANGUAGE_CODE):
        for unit_id, day in sorted(batches):
            start, end = _on_day(day)
            approved = _ordered(
                Submission.objects.filter(
                    unit_id=unit_id, status=SubmissionStatus.APPROVED, reviewed_at__gte=start, reviewed_at__lt=end
                ).select_related("indicator__task__project", "unit")
            )
            if approved:
                news.append(_approved_news(unit_id, day, approved))
    return _send(news)


def _approved_news(unit_id: int, day: dt.date, submissions: list[Submission]) -> News:
    values = {
        "unit": submissions[0].unit.name,
        "day": calendar.short_day_label(day),
        "n": len(submissions),
        "lines": _lines(submissions),
    }
    month = _common(submissions, lambda s: s.month) or max(s.month for s in submissions)
    return News(
        event=Event.APPROVED,
        key=f"approved:{unit_id}:{day.isoformat()}",
        subject=_("【月报审核通过】%(unit)s %(n)s 项数据已审核通过（%(day)s）") % values,
        body=_("%(unit)s：\n你单位报送的以下 %(n)s 项数据已于%(day)s审核通过，数据已锁定：\n%(lines)s") % values,
        link=paths.report_month(month),
        unit_id=unit_id,
        project_id=_common(submissions, lambda s: s.indicator.task.project_id),
        month=_common(submissions, lambda s: s.month),
        audiences=TO_UNIT,
        revise=True,
    )


# --- a month closed or reopened: the units that report in it --------------------------------------


def _units_reporting(plan: Plan, month: dt.date) -> dict[int, int]:
    """unit id -> how many of its figures of ``month`` are still owed (not sent), for every unit
    that reports in that month."""
    assignments = Assignment.objects.filter(indicator__task__project__plan=plan).select_related("indicator")
    owed: dict[int, set[int]] = defaultdict(set)
    for a in assignments:
        if calendar.is_period(month, a.indicator.window(plan)):
            owed[a.unit_id].add(a.indicator_id)
    counted = set(
        Submission.objects.filter(
            indicator__task__project__plan=plan, month=month, status__in=COUNTED_STATUSES
        ).values_list("unit_id", "indicator_id")
    )
    return {unit: sum(1 for i in indicators if (unit, i) not in counted) for unit, indicators in owed.items()}


def handoff_month_closed(*, closure: MonthClosure) -> list[int]:
    """Tell the units that report in a month that the office closed its reporting."""
    return _month_news(closure.plan, closure.month, event=Event.MONTH_CLOSED, closure_id=closure.pk,
                       reason=closure.reason)  # fmt: skip


def handoff_month_opened(*, plan: Plan, month: dt.date, closure_id: int) -> list[int]:
    """Tell the units that report in a month that the office reopened its reporting."""
    return _month_news(plan, month, event=Event.MONTH_OPENED, closure_id=closure_id, reason="")


def _month_news(plan: Plan, month: dt.date, *, event: str, closure_id: int, reason: str) -> list[int]:
    units = _units_reporting(plan, month)
    names = dict(Unit.objects.filter(pk__in=units).values_list("pk", "name"))
    news = []
    with translation.override(settings.LANGUAGE_CODE):
        for unit_id, owed in sorted(units.items()):
            values = {
                "unit": names[unit_id],
                "plan": plan.title,
                "month": calendar.month_label(month),
                "reason": _("（%(reason)s）") % {"reason": reason} if reason else "",
                "owed": owed,
            }
            if event == Event.MONTH_CLOSED:
                subject = _("【报送窗口关闭】%(month)s数据已锁定") % values
                body = _(
                    "%(unit)s：\n市政府督查室已关闭%(month)s（%(plan)s）的报送窗口%(reason)s，该月数据已锁定，不能再填报或修改。"
                ) % values
                if owed:
                    body += _("你单位该月尚有 %(owed)s 项未报送，如需补报请联系市政府督查室。") % values
            else:
                subject = _("【报送窗口重新开放】%(month)s可继续填报") % values
                body = _(
                    "%(unit)s：\n市政府督查室已重新开放%(month)s（%(plan)s）的报送窗口，该月数据可以继续填报和修改。"
                ) % values
                if owed:
                    body += _("你单位该月尚有 %(owed)s 项未报送，请抓紧报送。") % values
            news.append(
                News(
                    event=event,
                    key=f"{event}:{closure_id}",
                    subject=subject,
                    body=body,
                    link=paths.report_month(month),
                    unit_id=unit_id,
                    month=month,
                    audiences=TO_UNIT,
                )
            )
    return _send(news)

