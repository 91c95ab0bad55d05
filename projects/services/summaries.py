"""Summaries written for their readers, instead of copies of the units' letters.

- **The leader** (分管领导) gets, on each day a scan changes anything in their portfolio, one
  summary of it (分管项目预警汇总, key ``portfolio:<plan>:<leader>:<day>``): the open alerts of each of
  their projects by severity and kind, what opened and cleared that day, and the red items, each a
  link to its indicator page as of the month the alerts judge. Scans later that day (the
  re-evaluation after a corrected figure) rewrite it.
- **The lead department** (牵头部门) gets a list of its units behind (牵头任务滞后单位, key
  ``units_behind:<plan>:<unit>:<day>``): for the tasks it reviews, each unit's lagging, overdue and
  missing items, each a link to the indicator page. Alerts addressed to the department itself
  (a city figure) come to it as its own letter, not in this list.
- **The office** (督查室) gets one summary of the plan on each day a scan changes anything (预警督办汇总,
  key ``office:<plan>:<day>``): the open alerts by severity and kind, what opened and cleared that
  day, the supervision notices issued that day, each notice and each item that opened or changed
  that day a link to its page.
- The leader's summary and the office's name the notices issued that day (a link to each), in
  place of copies of the notices addressed to the units.
- **The weekly digest** (每周摘要) is the week's summary for each leader, in the inbox and by e-mail.

Each is recomputed from the open alerts whenever it is written, so that running a scan twice
writes the same words; a rewritten summary is unread again only when its subject changed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects import calendar, permissions
from projects import links as paths
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.models import (
    Alert,
    AlertKind,
    AlertScope,
    Audience,
    Event,
    Indicator,
    Plan,
    Project,
    Severity,
    SupervisionNotice,
    TaskUnit,
    TaskUnitRole,
    Unit,
    User,
)
from projects.selectors.catalogue import number
from projects.services.notifications import News, notifications_create

RED_ITEMS = 20  # red items linked in a leader's summary (the lists behind the links have them all)
LISTED_ITEMS = 30  # items linked in a lead department's list, alerts in the office's summary
NOTICE_ITEMS = 100  # notices linked in a summary (a first scan of a year may issue about as many)
TO_LEADER = frozenset({Audience.LEADERS})
TO_LEAD = frozenset({Audience.LEAD_UNIT})
TO_OFFICE = frozenset({Audience.OFFICE})
CHINESE_NUMBERS = "一二三四五六七八九十"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{number(value)}%"


def _project_number(project: Project) -> str:
    n = project.number
    return CHINESE_NUMBERS[n - 1] if 1 <= n <= len(CHINESE_NUMBERS) else str(n)


def _order(alert: Alert) -> tuple:
    indicator = alert.indicator
    return (indicator.task.project.number, indicator.task.number, indicator.position, alert.unit.position, alert.pk)


def _gap(alert: Alert) -> Decimal:
    return alert.expected - (alert.actual or Decimal(0))


def _item_label(alert: Alert, *, with_unit: bool = True) -> str:
    values = {
        "code": alert.indicator.code,
        "name": alert.indicator.name,
        "unit": alert.unit.name,
        "kind": alert.get_kind_display(),
        "severity": alert.get_severity_display(),
        "actual": _percent(alert.actual),
        "expected": _percent(alert.expected),
    }
    if alert.kind == AlertKind.MISSING:
        text = _("%(code)s %(name)s：未报送（%(severity)s）") % values
    else:
        text = _("%(code)s %(name)s：%(kind)s（%(severity)s），完成率 %(actual)s，序时进度 %(expected)s") % values
    return (_("%(unit)s · ") % values + text) if with_unit else text


def _item_link(alert: Alert) -> tuple[str, str]:
    page = paths.indicator_page(alert.indicator_id, plan_id=alert.plan_id, month=alert.month)
    return _item_label(alert), page


def _notice_link(notice: SupervisionNotice) -> tuple[str, str]:
    values = {"code": notice.code, "unit": notice.unit.name, "indicator": notice.indicator.code}
    label = _("督办通知单 %(code)s · %(unit)s · %(indicator)s") % values
    return label, paths.notice_page(notice.pk)


@dataclass
class _Portfolio:
    """A leader's open alerts, grouped as the summary and the digest tell them."""

    alerts: list[Alert]

    since: datetime | None = None  # the alerts that opened or changed since then are listed first

    @property
    def red(self) -> list[Alert]:
        """The red items, where to push first: what opened or changed on the summary's day, then
        the furthest behind expected progress."""
        red = [a for a in self.alerts if a.severity == Severity.RED and a.kind != AlertKind.MISSING]
        return sorted(red, key=lambda a: (not (self.since and a.updated_at >= self.since), -_gap(a), _order(a)))

    def counts(self) -> dict[str, int]:
        kinds = Counter(a.kind for a in self.alerts)
        return {
            "total": len(self.alerts),
            "red": sum(1 for a in self.alerts if a.severity == Severity.RED),
            "lagging": kinds[AlertKind.LAGGING],
            "overdue": kinds[AlertKind.OVERDUE],
            "missing": kinds[AlertKind.MISSING],
        }

    def project_lines(self, projects: Sequence[Project], *, plan_id: int | None, month: date | None) -> list:
        """One (label, link) per project: its open alerts by severity and kind."""
        by_project: dict[int, list[Alert]] = defaultdict(list)
        for a in self.alerts:
            by_project[a.indicator.task.project_id].append(a)
        lines = []
        for project in projects:
            mine = by_project.get(project.pk, [])
            kinds = Counter(a.kind for a in mine)
            values = {
                "number": _project_number(project),
                "title": project.title,
                "red": sum(1 for a in mine if a.severity == Severity.RED),
                "yellow": sum(1 for a in mine if a.severity == Severity.YELLOW),
                "lagging": kinds[AlertKind.LAGGING],
                "overdue": kinds[AlertKind.OVERDUE],
                "missing": kinds[AlertKind.MISSING],
            }
            if mine:
                label = _(
                    "%(number)s、%(title)s：红色 %(red)s 项、黄色 %(yellow)s 项（滞后 %(lagging)s、逾期 %(overdue)s、"
                    "未报送 %(missing)s）"
                ) % values
            else:
                label = _("%(number)s、%(title)s：无预警") % values
            lines.append((label, paths.project_page(project.pk, plan_id=plan_id, month=month)))
        return lines

    def red_links(self) -> list[tuple[str, str]]:
        red = self.red
        return [_item_link(a) for a in red[:RED_ITEMS]]


# --- after a scan: the leaders' summaries and the lead departments' lists ----------------------


def summary_news(*, plan: Plan, as_of: date, month: date, indicator_ids: Iterable[int]) -> list[News]:
    """The summaries a scan of ``plan`` as of ``as_of`` rewrites: of every leader whose portfolio,
    and every lead department whose tasks, hold an indicator whose alerts the scan opened, changed
    or resolved. A fixed number of queries whatever the number of alerts."""
    touched = set(Indicator.objects.filter(pk__in=set(indicator_ids)).values_list("task_id", "task__project_id"))
    tasks, projects = {t for t, _p in touched}, {p for _t, p in touched}
    portfolio: dict[int, set[int]] = defaultdict(set)
    for user_id, project_id in Project.leaders.through.objects.filter(
        project__plan=plan, user__is_active=True, user__receives_alerts=True
    ).values_list("user_id", "project_id"):
        portfolio[user_id].add(project_id)
    leaders = {user: mine for user, mine in portfolio.items() if mine & projects}
    lead_ids = {u for units in permissions.reviewing_unit_ids(task_ids=tasks).values() for u in units}
    # Each of those departments' list covers every task of the plan it reviews.
    leads: dict[int, set[int]] = defaultdict(set)
    for unit_id, task_id in TaskUnit.objects.filter(
        unit_id__in=lead_ids, role=TaskUnitRole.LEAD, task__project__plan=plan
    ).values_list("unit_id", "task_id"):
        leads[unit_id].add(task_id)
    wanted_projects = set().union(*leaders.values()) if leaders else set()
    wanted_tasks = set().union(*leads.values()) if leads else set()
    alerts = sorted(
        Alert.objects.filter(plan=plan, resolved_at__isnull=True)
        .filter(Q(indicator__task__project_id__in=wanted_projects) | Q(indicator__task_id__in=wanted_tasks))
        .select_related("indicator__task__project", "unit"),
        key=_order,
    )
    opened, resolved = _changes_on(plan, as_of, wanted_projects)
    day_start, day_end = calendar.day_span(as_of, tz=timezone.get_default_timezone())
    # The notices the scans of the day issued: the summaries name them, a link to each.
    issued = list(
        SupervisionNotice.objects.filter(plan=plan, issued_at__gte=day_start, issued_at__lt=day_end)
        .select_related("unit", "indicator__task")
        .order_by("number")
    )
    project_rows = {p.pk: p for p in Project.objects.filter(pk__in=wanted_projects)}
    names = User.objects.in_bulk(leaders)
    lead_names = dict(Unit.objects.filter(pk__in=leads).values_list("pk", "name"))
    news = []
    with translation.override(settings.LANGUAGE_CODE):
        news.append(_office_news(plan, as_of=as_of, month=month, since=day_start, notices=issued))
        for user_id, mine in sorted(leaders.items()):
            own = _Portfolio([a for a in alerts if a.indicator.task.project_id in mine], since=day_start)
            rows = sorted((project_rows[p] for p in mine), key=lambda p: p.number)
            counts = (sum(opened[p] for p in mine), sum(resolved[p] for p in mine))
            theirs = [n for n in issued if n.indicator.task.project_id in mine]
            news.append(
                _portfolio_news(plan, names[user_id], own, rows, as_of=as_of, month=month, today=counts, notices=theirs)
            )
        for unit_id, task_ids in sorted(leads.items()):
            behind = [
                a for a in alerts
                if a.indicator.task_id in task_ids and a.scope == AlertScope.UNIT and a.unit_id != unit_id
            ]  # fmt: skip
            news.append(_behind_news(plan, unit_id, lead_names[unit_id], behind, as_of=as_of))
    return news


def _changes_on(plan: Plan, day: date, projects: set[int] | None) -> tuple[Counter, Counter]:
    """Per project (of ``projects``, or all of the plan's), the alerts opened and resolved on
    ``day`` (the clock's dates of the scans)."""
    start, end = calendar.day_span(day, tz=timezone.get_default_timezone())
    opened: Counter = Counter()
    resolved: Counter = Counter()
    rows = Alert.objects.filter(plan=plan).filter(
        Q(opened_at__gte=start, opened_at__lt=end) | Q(resolved_at__gte=start, resolved_at__lt=end)
    )
    if projects is not None:
        rows = rows.filter(indicator__task__project_id__in=projects)
    columns = ("indicator__task__project_id", "opened_at", "resolved_at")
    for project_id, opened_at, resolved_at in rows.values_list(*columns):
        opened[project_id] += start <= opened_at < end
        resolved[project_id] += resolved_at is not None and start <= resolved_at < end
    return opened, resolved


def _portfolio_news(
    plan: Plan, leader: User, own: _Portfolio, projects: list[Project], *, as_of: date, month: date,
    today: tuple[int, int], notices: Sequence[SupervisionNotice] = (),
) -> News:  # fmt: skip
    counts = own.counts()
    opened, resolved = today
    values = {
        "name": leader.display_name,
        "day": calendar.day_label(as_of),
        "short_day": calendar.short_day_label(as_of),
        "month": calendar.month_label(month),
        "projects": len(projects),
        "opened": opened,
        "resolved": resolved,
        "notices": len(notices),
        **counts,
    }
    lines = [
        _("%(name)s：") % values,
        _(
            "截至%(day)s（%(month)s数据），您分管的 %(projects)s 个项目共有未解除预警 %(total)s 项"
            "（红色 %(red)s 项），其中滞后 %(lagging)s 项、逾期 %(overdue)s 项、未报送 %(missing)s 项；"
            "当日新增 %(opened)s 项、解除 %(resolved)s 项。"
        ) % values,
    ]
    if notices:
        lines.append(_("当日对持续亮红灯的事项签发督办通知单 %(notices)s 份。") % values)
        lines.append(_("各督办通知单、各项目情况和红色事项见下方链接。"))
    else:
        lines.append(_("各项目情况和红色事项见下方链接。"))
    # The notices of the day, then the register of every notice of his portfolio.
    register = [(_("分管项目的督办通知单台账"), paths.register("notices", leader=leader.pk))] if notices else []
    links = (
        [_notice_link(n) for n in notices[:NOTICE_ITEMS]]
        + register
        + own.project_lines(projects, plan_id=plan.pk, month=month)
        + own.red_links()
    )
    if len(own.red) > RED_ITEMS:
        lines.append(
            _("红色事项共 %(n)s 项，此处列出前 %(shown)s 项，其余见预警清单。")
            % {"n": len(own.red), "shown": RED_ITEMS}
        )
    subject = _("【分管项目预警汇总】%(short_day)s 未解除 %(total)s 项（红色 %(red)s 项）") % values
    if notices:
        subject += _("，签发督办通知单 %(notices)s 份") % values
    return News(
        event=Event.PORTFOLIO,
        key=f"portfolio:{plan.pk}:{leader.pk}:{as_of.isoformat()}",
        subject=subject,
        body="\n".join(lines),
        link=paths.overview(plan_id=plan.pk, month=month),
        links=tuple(links),
        user_id=leader.pk,
        month=month,
        audiences=TO_LEADER,
        revise=True,
    )


def _office_news(
    plan: Plan, *, as_of: date, month: date, since: datetime, notices: Sequence[SupervisionNotice]
) -> News:
    """The office's summary of the plan on ``as_of``: counts of the open alerts, the day's changes,
    the notices issued; a link to each notice and to each item that opened or changed that day (red
    first, furthest behind first), the list of every open alert behind the main link. Three reads."""
    open_alerts = Alert.objects.filter(plan=plan, resolved_at__isnull=True)
    kinds: Counter = Counter()
    red = 0
    for kind, severity, n in open_alerts.values_list("kind", "severity").annotate(n=Count("id")).order_by():
        kinds[kind] += n
        red += n if severity == Severity.RED else 0
    opened, resolved = _changes_on(plan, as_of, None)
    fresh = sorted(
        open_alerts.filter(updated_at__gte=since).select_related("indicator__task__project", "unit"),
        key=lambda a: (a.severity != Severity.RED, -_gap(a), _order(a)),
    )
    values = {
        "day": calendar.day_label(as_of),
        "short_day": calendar.short_day_label(as_of),
        "month": calendar.month_label(month),
        "total": sum(kinds.values()),
        "red": red,
        "lagging": kinds[AlertKind.LAGGING],
        "overdue": kinds[AlertKind.OVERDUE],
        "missing": kinds[AlertKind.MISSING],
        "opened": sum(opened.values()),
        "resolved": sum(resolved.values()),
        "changed": len(fresh),
        "notices": len(notices),
        "shown": LISTED_ITEMS,
        "notices_shown": NOTICE_ITEMS,
    }
    lines = [
        _("市政府督查室："),
        _(
            "截至%(day)s（%(month)s数据），全市共有未解除预警 %(total)s 项（红色 %(red)s 项），"
            "其中滞后 %(lagging)s 项、逾期 %(overdue)s 项、未报送 %(missing)s 项；"
            "当日新增 %(opened)s 项、解除 %(resolved)s 项，签发督办通知单 %(notices)s 份。"
        ) % values,
    ]
    if notices or fresh:
        lines.append(_("当日签发的督办通知单和新增、变化的 %(changed)s 项预警见下方链接。") % values)
    if len(fresh) > LISTED_ITEMS:
        lines.append(_("此处列出其中前 %(shown)s 项预警，其余见预警清单。") % values)
    if len(notices) > NOTICE_ITEMS:
        lines.append(_("此处列出前 %(notices_shown)s 份督办通知单，其余见督办台账。") % values)
    subject = _("【预警督办汇总】%(short_day)s 未解除 %(total)s 项（红色 %(red)s 项），当日新增 %(opened)s 项") % values
    if notices:
        subject += _("，签发督办通知单 %(notices)s 份") % values
    return News(
        event=Event.OFFICE_SUMMARY,
        key=f"office:{plan.pk}:{as_of.isoformat()}",
        subject=subject,
        body="\n".join(lines),
        link=paths.alert_list(plan_id=plan.pk, month=month),
        links=tuple([_notice_link(n) for n in notices[:NOTICE_ITEMS]] + [_item_link(a) for a in fresh[:LISTED_ITEMS]]),
        month=month,
        audiences=TO_OFFICE,
        revise=True,
    )


def _behind_news(plan: Plan, unit_id: int, name: str, behind: list[Alert], *, as_of: date) -> News:
    units = Counter(a.unit.name for a in behind)
    values = {
        "unit": name,
        "day": calendar.day_label(as_of),
        "short_day": calendar.short_day_label(as_of),
        "units": len(units),
        "n": len(behind),
    }
    if behind:
        lines = [
            _("%(unit)s：") % values,
            _("截至%(day)s，你单位牵头的任务中有 %(units)s 个单位的 %(n)s 项数据滞后、逾期或未报送，请督促推进：")
            % values,
        ]
        by_unit: dict[str, list[Alert]] = defaultdict(list)
        for a in behind:
            by_unit[a.unit.name].append(a)
        for unit_name, items in by_unit.items():
            kinds = Counter(a.kind for a in items)
            lines.append(
                _("· %(unit)s：滞后 %(lagging)s 项、逾期 %(overdue)s 项、未报送 %(missing)s 项（红色 %(red)s 项）")
                % {
                    "unit": unit_name,
                    "lagging": kinds[AlertKind.LAGGING],
                    "overdue": kinds[AlertKind.OVERDUE],
                    "missing": kinds[AlertKind.MISSING],
                    "red": sum(1 for a in items if a.severity == Severity.RED),
                }
            )
        subject = _("【牵头任务滞后单位】%(short_day)s %(units)s 个单位 %(n)s 项") % values
    else:
        lines = [
            _("%(unit)s：") % values,
            _("截至%(day)s，你单位牵头的任务中已没有滞后、逾期或未报送的单位。") % values,
        ]
        subject = _("【牵头任务滞后单位】%(short_day)s 已全部解除") % values
    month = max((a.month for a in behind), default=None)
    return News(
        event=Event.UNITS_BEHIND,
        key=f"units_behind:{plan.pk}:{unit_id}:{as_of.isoformat()}",
        subject=subject,
        body="\n".join(lines),
        link=paths.review_queue(),
        links=tuple(_item_link(a) for a in behind[:LISTED_ITEMS]),
        lead_unit_id=unit_id,
        month=month,
        audiences=TO_LEAD,
        revise=True,
    )


# --- the weekly digest ---------------------------------------------------------------------------


def digests_send(*, as_of: date) -> list[int]:
    """每周摘要: one message a week to each leader about the open alerts in their portfolio, in the
    inbox and by e-mail, with a link to each project and red item."""
    year, week, _weekday = as_of.isocalendar()
    since = calendar.day_span(as_of - timedelta(days=7), tz=timezone.get_default_timezone())[0]
    portfolio: dict[int, set[int]] = defaultdict(set)
    for user_id, project_id in Project.leaders.through.objects.filter(
        user__is_active=True, user__receives_alerts=True
    ).values_list("user_id", "project_id"):
        portfolio[user_id].add(project_id)
    if not portfolio:
        return []
    every = set().union(*portfolio.values())
    alerts = sorted(
        Alert.objects.filter(resolved_at__isnull=True, indicator__task__project_id__in=every).select_related(
            "indicator__task__project", "unit"
        ),
        key=_order,
    )
    notices = Counter(SupervisionNotice.objects.filter(issued_at__gte=since).values_list("task__project_id", flat=True))
    projects = {p.pk: p for p in Project.objects.filter(pk__in=every).select_related("plan")}
    leaders = User.objects.in_bulk(portfolio)
    news = []
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for user_id, mine in sorted(portfolio.items()):
            own = _Portfolio([a for a in alerts if a.indicator.task.project_id in mine])
            rows = sorted((projects[p] for p in mine), key=lambda p: (-p.plan.year, p.plan_id, p.number))
            body = _digest_body(leaders[user_id], own, sum(notices[p] for p in mine), since, as_of)
            links = own.project_lines(rows, plan_id=None, month=None) + own.red_links()
            news.append(
                News(
                    event=Event.DIGEST,
                    key=f"digest:{year}-W{week:02d}",
                    subject=_("【每周摘要】%(year)s年第%(week)s周 分管项目预警情况") % {"year": year, "week": week},
                    body=body,
                    link=paths.overview(),
                    links=tuple(links),
                    user_id=user_id,
                )
            )
        created = notifications_create(items=news)
        if created:
            audit_record(action=AuditAction.DIGESTS_SEND, detail={"as_of": as_of, "deliveries": len(created)})
        return created


def _digest_body(leader: User, own: _Portfolio, notices: int, since: datetime, as_of: date) -> str:
    counts = own.counts()
    new = sum(1 for a in own.alerts if a.opened_at >= since)
    lines = [
        _("%(name)s：") % {"name": leader.display_name},
        _(
            "截至 %(day)s，您分管的项目共有 %(total)s 项预警未解除（红色 %(red)s 项），其中滞后 %(lagging)s 项、"
            "逾期 %(overdue)s 项、未报送 %(missing)s 项；本周新增 %(new)s 项，签发督办通知单 %(notices)s 份。"
        )
        % {"day": calendar.day_label(as_of), "new": new, "notices": notices, **counts},
    ]
    lines.append(_("各项目情况和红色事项见下方链接。"))
    if len(own.red) > RED_ITEMS:
        lines.append(
            _("红色事项共 %(n)s 项，此处列出前 %(shown)s 项，其余见预警清单。")
            % {"n": len(own.red), "shown": RED_ITEMS}
        )
    return "\n".join(lines)
