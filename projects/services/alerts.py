"""The alert scan: lagging, overdue and missing reports, escalation, reminders and digests.

``alerts_scan`` compares what the progress tables say as of a date with the open alerts and
reconciles them: it opens an alert for a new condition (and sends the reminder, 催办), updates the
severity in place, and resolves an alert whose condition has cleared. An alert still red after the
next reporting cycle is escalated to a numbered supervision notice (督办通知单). Everything happens
in one transaction per plan, so a scan that crashes leaves nothing half done, and a second scan
finds nothing new to say: running it twice, or a task retried after a crash, sends nothing twice.

It reads the progress rows in a fixed number of queries, whatever the size of the plan.

What it looks at: the **reporting month** as of ``as_of`` (``calendar.reporting_month``: the
latest month whose due day has passed), the month the pages open on.

- lagging / overdue: each unit row of that month with a light of its own (the unit has a target);
  overdue -> overdue alert (red), else yellow/red -> lagging alert with that severity. An additive
  indicator whose city target is not split among units is judged on the city's row instead, and
  the alert goes to the task's lead department (scope ``city``).
- missing: for each reporting unit, the latest reporting period owed by ``as_of``
  (``calendar.latest_owed``: within the indicator's window) without a counted submission; red when
  the period before is missing too.

A resolved alert closes its messages (``Message.resolved_at``): the inbox shows 已解除 with the day,
and they no longer count as unread.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from projects import calendar, clock
from projects import links as paths
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.formatting import deadline_words, figure
from projects.models import (
    Aggregation,
    Alert,
    AlertKind,
    AlertScope,
    Audience,
    CityProgress,
    Event,
    Indicator,
    LightChoices,
    Message,
    Plan,
    Severity,
    SupervisionNotice,
    TaskUnit,
    TaskUnitRole,
    Unit,
    UnitKind,
    UnitProgress,
)
from projects.selectors.catalogue import number
from projects.services import summaries
from projects.services.notifications import News, notifications_create
from projects.supervision.services import notices_issued

logger = logging.getLogger(__name__)

PROGRESS_KINDS = (AlertKind.LAGGING, AlertKind.OVERDUE)
ALL_KINDS = (AlertKind.LAGGING, AlertKind.OVERDUE, AlertKind.MISSING)
KIND_EVENT = {
    AlertKind.LAGGING: Event.ALERT_LAGGING,
    AlertKind.OVERDUE: Event.ALERT_OVERDUE,
    AlertKind.MISSING: Event.ALERT_MISSING,
}
# Counties and management committees carry tasks out; the lead department (牵头) is the first
# lead unit of another kind.
NOT_LEAD_DEPARTMENT = (UnitKind.COUNTY, UnitKind.COMMITTEE)
BAD_LIGHTS = (LightChoices.YELLOW, LightChoices.RED)
ALERT_EVENTS = tuple(KIND_EVENT.values())
# The letter goes to the unit; the copies to whoever else the rules name (nobody by default).
TO_UNIT = frozenset({Audience.REPORTING_UNIT})
COPIES = frozenset({Audience.OFFICE, Audience.LEAD_UNIT, Audience.LEADERS})


# --- the calendar of a scan ---------------------------------------------------


def scan_month(*, plan: Plan, as_of: date) -> date:
    """The month a scan judges: the reporting month as of ``as_of`` (``calendar.reporting_month``),
    the same month the pages open on, so that an alert and the page it links to agree."""
    return calendar.reporting_month(today=as_of, due_day=plan.due_day)


@dataclass(frozen=True)
class Focus:
    """A narrow re-evaluation after a submission change: one unit's rows of one indicator and the
    indicator's city row."""

    indicator_id: int
    unit_id: int


@dataclass(frozen=True)
class Finding:
    kind: str
    scope: str
    indicator_id: int
    unit_id: int
    month: date
    severity: str
    expected: Decimal
    actual: Decimal | None
    # What the message quotes: the figure and the target it was measured against (the unit's own
    # for a unit's alert, the city's for a city alert).
    value: Decimal | None = None
    stage: int | None = None
    target: Decimal | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.indicator_id, self.unit_id, self.kind)


@dataclass
class ScanResult:
    opened: list[int] = field(default_factory=list)
    updated: int = 0
    resolved: int = 0
    notices: list[int] = field(default_factory=list)
    delivery_ids: list[int] = field(default_factory=list)

    def add(self, other: ScanResult) -> None:
        self.opened += other.opened
        self.updated += other.updated
        self.resolved += other.resolved
        self.notices += other.notices
        self.delivery_ids += other.delivery_ids

    def summary(self) -> dict[str, int]:
        return {
            "opened": len(self.opened),
            "updated": self.updated,
            "resolved": self.resolved,
            "notices": len(self.notices),
            "deliveries": len(self.delivery_ids),
        }


@dataclass
class _Catalogue:
    """The plan's indicators, lead departments and units: what the texts and addresses need."""

    plan: Plan
    indicators: dict[int, Indicator]
    lead: dict[int, int]  # task id -> lead department's unit id
    units: dict[int, Unit]

    @classmethod
    def load(cls, plan: Plan, indicator_id: int | None = None) -> _Catalogue:
        indicators = Indicator.objects.filter(task__project__plan=plan).select_related("task__project")
        if indicator_id is not None:
            indicators = indicators.filter(pk=indicator_id)
        lead_rows = (
            TaskUnit.objects.filter(task__project__plan=plan, role=TaskUnitRole.LEAD)
            .order_by("task_id", "position", "id")
            .values_list("task_id", "unit_id", "unit__kind")
        )
        lead: dict[int, int] = {}
        fallback: dict[int, int] = {}
        for task_id, unit_id, kind in lead_rows:
            fallback.setdefault(task_id, unit_id)
            if kind not in NOT_LEAD_DEPARTMENT:
                lead.setdefault(task_id, unit_id)
        return cls(plan=plan, indicators={i.pk: i for i in indicators}, lead={**fallback, **lead}, units={})

    def load_units(self, unit_ids: Iterable[int]) -> None:
        missing = set(unit_ids) - set(self.units)
        if missing:
            self.units.update(Unit.objects.in_bulk(missing))

    def followed_in(self, month: date) -> set[int]:
        """The indicators with progress rows for ``month`` (``calendar.is_followed``)."""
        return {pk for pk, i in self.indicators.items() if calendar.is_followed(month, i.window(self.plan))}


# --- findings -----------------------------------------------------------------


FINDING_COLUMNS = ("light", "overdue", "expected", "completion", "value", "stage", "target")


def _progress_findings(catalogue: _Catalogue, month: date, focus: Focus | None) -> list[Finding]:
    plan = catalogue.plan
    unit_rows = UnitProgress.objects.filter(month=month, indicator__task__project__plan=plan).exclude(light="")
    unit_rows = unit_rows.filter(Q(overdue=True) | Q(light__in=BAD_LIGHTS))
    if focus:
        unit_rows = unit_rows.filter(indicator_id=focus.indicator_id, unit_id=focus.unit_id)
    findings = [
        _finding(AlertScope.UNIT, indicator_id, unit_id, month, *columns)
        for indicator_id, unit_id, *columns in unit_rows.values_list("indicator_id", "unit_id", *FINDING_COLUMNS)
    ]
    own_light = UnitProgress.objects.filter(indicator_id=OuterRef("indicator_id"), month=month).exclude(light="")
    city_rows = (
        CityProgress.objects.filter(
            month=month, indicator__task__project__plan=plan, indicator__aggregation=Aggregation.SUM
        )
        .filter(Q(overdue=True) | Q(light__in=BAD_LIGHTS))
        .filter(~Exists(own_light))
    )
    if focus:
        city_rows = city_rows.filter(indicator_id=focus.indicator_id)
    city_columns = city_rows.values_list("indicator_id", "indicator__task_id", *FINDING_COLUMNS)
    for indicator_id, task_id, *columns in city_columns:
        lead = catalogue.lead.get(task_id)
        if lead is None:
            logger.warning("indicator %s has no lead unit: its city alert has no addressee", indicator_id)
            continue
        findings.append(_finding(AlertScope.CITY, indicator_id, lead, month, *columns))
    return findings


def _finding(
    scope, indicator_id, unit_id, month, light, overdue, expected, completion, value, stage, target
) -> Finding:
    # A missing figure counts as nothing done, as in the light itself.
    actual = Decimal(0) if completion is None else completion
    kind, severity = (AlertKind.OVERDUE, Severity.RED) if overdue else (AlertKind.LAGGING, light)
    return Finding(kind, scope, indicator_id, unit_id, month, severity, expected, actual, value, stage, target)


def _missing_findings(catalogue: _Catalogue, as_of: date, focus: Focus | None) -> list[Finding]:
    plan = catalogue.plan
    # For each indicator, the period to check (the latest owed) and the one before it.
    check: dict[int, tuple[date, date | None]] = {}
    for indicator in catalogue.indicators.values():
        window = indicator.window(plan)
        month = calendar.latest_owed(window, today=as_of, due_day=plan.due_day)
        if month is not None:
            check[indicator.pk] = (month, calendar.previous_period(month, window))
    if not check:
        return []
    months = {m for pair in check.values() for m in pair if m is not None}
    rows = UnitProgress.objects.filter(indicator__task__project__plan=plan, month__in=months, reported=False)
    if focus:
        rows = rows.filter(indicator_id=focus.indicator_id, unit_id=focus.unit_id)
    unreported = {
        (indicator_id, unit_id, month): (expected, completion, target)
        for indicator_id, unit_id, month, expected, completion, target in rows.values_list(
            "indicator_id", "unit_id", "month", "expected", "completion", "target"
        )
    }
    findings = []
    for (indicator_id, unit_id, month), (expected, completion, target) in unreported.items():
        if indicator_id not in check or check[indicator_id][0] != month:
            continue
        previous = check[indicator_id][1]
        twice = previous is not None and (indicator_id, unit_id, previous) in unreported
        severity = Severity.RED if twice else Severity.YELLOW
        findings.append(
            Finding(
                AlertKind.MISSING,
                AlertScope.UNIT,
                indicator_id,
                unit_id,
                month,
                severity,
                expected,
                completion,
                target=target,
            )
        )
    return findings


# --- reconciling alerts with findings -----------------------------------------


CHANGING_FIELDS = ("scope", "month", "severity", "expected", "actual")


def _reconcile(
    catalogue: _Catalogue,
    findings: list[Finding],
    *,
    as_of: date,
    kinds: tuple[str, ...],
    tracked: set[int],
    focus: Focus | None,
    now: datetime,
) -> tuple[list[Alert], list[Alert], list[Alert]]:
    """Open, update and resolve alerts so that the open ones are exactly the findings: the alerts
    opened, the ones whose state changed (severity, month, figures) and the ones resolved."""
    # The ladder counts from the scan that first saw the item red, not from the month the data
    # describe: a report missing since April, first seen in September, gets its reminder first.
    seen = scan_month(plan=catalogue.plan, as_of=as_of)
    wanted = {f.key: f for f in findings}
    open_alerts = Alert.objects.filter(plan=catalogue.plan, resolved_at__isnull=True, kind__in=kinds)
    if focus:
        open_alerts = open_alerts.filter(indicator_id=focus.indicator_id).filter(
            Q(scope=AlertScope.UNIT, unit_id=focus.unit_id) | Q(scope=AlertScope.CITY)
        )
    # Indicators no longer followed (their window has ended) keep their alerts as they last were.
    current = {(a.indicator_id, a.unit_id, a.kind): a for a in open_alerts if a.indicator_id in tracked}
    new: list[Alert] = []
    changed: list[Alert] = []
    for key, f in wanted.items():
        alert = current.get(key)
        if alert is None:
            new.append(
                Alert(
                    plan=catalogue.plan,
                    kind=f.kind,
                    scope=f.scope,
                    indicator_id=f.indicator_id,
                    unit_id=f.unit_id,
                    month=f.month,
                    severity=f.severity,
                    expected=f.expected,
                    actual=f.actual,
                    opened_at=now,
                    updated_at=now,
                    checked_on=as_of,
                    red_since=seen if f.severity == Severity.RED else None,
                    reminded_at=now,
                )
            )
            continue
        before = tuple(getattr(alert, name) for name in CHANGING_FIELDS)
        after = (f.scope, f.month, f.severity, f.expected, f.actual)
        if before == after:
            continue
        if f.severity == Severity.RED and alert.severity != Severity.RED:
            alert.red_since = seen
        elif f.severity != Severity.RED:
            alert.red_since = None
        for name, value in zip(CHANGING_FIELDS, after, strict=True):
            setattr(alert, name, value)
        alert.updated_at = now
        changed.append(alert)
    resolved = [a for key, a in current.items() if key not in wanted]
    gone = [a.pk for a in resolved]
    Alert.objects.bulk_create(new, batch_size=500)
    Alert.objects.bulk_update(changed, [*CHANGING_FIELDS, "red_since", "updated_at"], batch_size=500)
    for start in range(0, len(gone), 500):
        chunk = gone[start : start + 500]
        Alert.objects.filter(pk__in=chunk).update(resolved_at=now, updated_at=now)
        # The messages that told of it: shown 已解除 in the inbox, no longer an open item. A
        # supervision notice's messages stay open: the notice is answered in its own right.
        Message.objects.filter(alert_id__in=chunk, kind__in=ALERT_EVENTS, resolved_at__isnull=True).update(
            resolved_at=now
        )
    open_alerts.filter(resolved_at__isnull=True).exclude(checked_on=as_of).update(checked_on=as_of)
    return new, changed, resolved


# --- escalation ---------------------------------------------------------------


def _escalate(
    catalogue: _Catalogue, *, as_of: date, tracked: set[int], focus: Focus | None, now: datetime
) -> list[SupervisionNotice]:
    """Issue a supervision notice for each alert still red after the next reporting cycle.

    Only alerts this scan has just confirmed: an indicator no longer followed is not escalated."""
    plan = catalogue.plan
    candidates = Alert.objects.filter(
        plan=plan, resolved_at__isnull=True, severity=Severity.RED, escalated_at__isnull=True, red_since__isnull=False
    ).order_by("indicator_id", "unit_id", "kind")
    if focus:
        candidates = candidates.filter(indicator_id=focus.indicator_id)
    # Still red once the next month's figures were due (red in June -> from 6 August).
    due = [
        a
        for a in candidates
        if calendar.is_due(calendar.add_months(a.red_since, 1), today=as_of, due_day=plan.due_day)
    ]
    due = [a for a in due if a.indicator_id in tracked]
    if not due:
        return []
    catalogue.load_units(a.unit_id for a in due)
    last = SupervisionNotice.objects.filter(plan=plan).aggregate(last=Max("number"))["last"] or 0
    deadline = calendar.notice_deadline(issued_on=as_of, due_day=plan.due_day)
    notices = []
    for offset, alert in enumerate(due, start=1):
        indicator = catalogue.indicators[alert.indicator_id]
        unit = catalogue.units[alert.unit_id]
        notices.append(
            SupervisionNotice(
                plan=plan,
                number=last + offset,
                code=f"督办〔{plan.year}〕{last + offset}号",
                alert=alert,
                task=indicator.task,
                indicator=indicator,
                unit=unit,
                lead_unit_id=catalogue.lead.get(indicator.task_id),
                responsible_person=unit.responsible_person,
                problem=_problem_text(alert, indicator),
                deadline=deadline,
                issued_at=now,
            )
        )
    SupervisionNotice.objects.bulk_create(notices)
    notices_issued(notices=notices, at=now)
    Alert.objects.filter(pk__in=[a.pk for a in due]).update(escalated_at=now)
    return notices


# --- the scan -----------------------------------------------------------------


def alerts_scan(
    *,
    as_of: date,
    kinds: Iterable[str] = ALL_KINDS,
    plan: Plan | None = None,
    focus: Focus | None = None,
    escalate: bool = True,
    summarize_all: bool = False,
) -> ScanResult:
    """Reconcile the alerts of every plan (or one) with the progress tables as of ``as_of``.

    The summaries of the leaders and lead departments (``services.summaries``) whose items changed
    are rewritten; ``summarize_all`` rewrites every one that has open alerts (the ``scan``
    command, which `make db` runs: a demo database written before the summaries gets them).

    Returns what changed and the ids of the deliveries it created; the caller sends them (the
    Celery task enqueues them once the transaction has committed, the command sends them)."""
    kinds = tuple(kinds)
    result = ScanResult()
    plans = [plan] if plan is not None else list(Plan.objects.filter(start__lte=as_of).order_by("year", "pk"))
    for p in plans:
        result.add(
            _scan_plan(p, as_of=as_of, kinds=kinds, focus=focus, escalate=escalate, summarize_all=summarize_all)
        )
    return result


def _scan_plan(
    plan: Plan, *, as_of: date, kinds: tuple[str, ...], focus: Focus | None, escalate: bool, summarize_all: bool
) -> ScanResult:
    month = scan_month(plan=plan, as_of=as_of)
    now = clock.now()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        # Scans of the same plan (the daily job, a re-evaluation after a submission) take turns.
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        catalogue = _Catalogue.load(plan, focus.indicator_id if focus else None)
        tracked = catalogue.followed_in(month)
        if not tracked:
            # The plan's months are over (or not begun): its alerts stay as they last were.
            return ScanResult()
        findings: list[Finding] = []
        if set(kinds) & set(PROGRESS_KINDS):
            findings += [f for f in _progress_findings(catalogue, month, focus) if f.kind in kinds]
        if AlertKind.MISSING in kinds:
            findings += _missing_findings(catalogue, as_of, focus)
        findings = [f for f in findings if f.indicator_id in tracked]
        opened, changed, gone = _reconcile(
            catalogue, findings, as_of=as_of, kinds=kinds, tracked=tracked, focus=focus, now=now
        )
        updated, resolved = len(changed), len(gone)
        notices = _escalate(catalogue, as_of=as_of, tracked=tracked, focus=focus, now=now) if escalate else []
        catalogue.load_units([a.unit_id for a in [*opened, *changed]])
        found = {f.key: f for f in findings}
        news = [
            item
            for alert in opened
            for item in _alert_news(catalogue, alert, found[(alert.indicator_id, alert.unit_id, alert.kind)])
        ]
        # A condition that changed (turned red, moved to the next month) rewrites its messages.
        news += [
            item
            for alert in changed
            for item in _alert_news(catalogue, alert, found[(alert.indicator_id, alert.unit_id, alert.kind)],
                                    revise=True)
        ]  # fmt: skip
        news += [_notice_news(catalogue, notice) for notice in notices]
        # A notice issued is news for the leader's summary and the office's, even when its alert
        # did not change today.
        touched = {a.indicator_id for a in [*opened, *changed, *gone]} | {n.indicator_id for n in notices}
        if summarize_all:
            still_open = Alert.objects.filter(plan=plan, resolved_at__isnull=True)
            touched |= set(still_open.values_list("indicator_id", flat=True))
        if touched:
            news += summaries.summary_news(plan=plan, as_of=as_of, month=month, indicator_ids=touched)
        delivery_ids = notifications_create(items=news)
        if opened or resolved or notices:
            audit_record(
                action=AuditAction.ALERT_SCAN,
                obj=plan,
                detail={
                    "as_of": as_of,
                    "kinds": list(kinds),
                    "focus": [focus.indicator_id, focus.unit_id] if focus else None,
                    "opened": len(opened),
                    "updated": updated,
                    "resolved": resolved,
                    "notices": [n.number for n in notices],
                },
            )
    return ScanResult(
        opened=[a.pk for a in opened],
        updated=updated,
        resolved=resolved,
        notices=[n.pk for n in notices],
        delivery_ids=delivery_ids,
    )


def alerts_reevaluate(*, indicator_id: int, unit_id: int, as_of: date | None = None) -> ScanResult:
    """Re-evaluate one unit's alerts on one indicator (and the indicator's city alert), as of the one
    clock's today unless told otherwise: the same month as the pages and the daily scan."""
    indicator = Indicator.objects.select_related("task__project__plan").get(pk=indicator_id)
    return alerts_scan(
        as_of=as_of or clock.today(),
        plan=indicator.task.project.plan,
        focus=Focus(indicator_id=indicator_id, unit_id=unit_id),
    )


def alerts_after_submission_change(*, indicator_id: int, unit_id: int) -> None:
    """The reporting side's hook: call it in the transaction of a submission change, after
    ``progress_refresh``. Once the transaction commits, a worker re-evaluates that unit's alerts on
    the indicator (and the indicator's city alert): a figure that turns red opens one alert and
    sends its reminder; a figure that recovers resolves it. Nothing runs if the transaction rolls back."""
    from projects.tasks import enqueue, reevaluate_alerts  # the tasks module imports this one

    enqueue(reevaluate_alerts, indicator_id, unit_id)


# --- reminders before the due day and the leaders' digest ---------------------


def due_reminders_send(*, as_of: date, days: int = 2) -> list[int]:
    """报送提醒: tell each reporting unit, ``days`` before a due date, which figures it still owes.

    Once per unit and month, however often it runs."""
    news: list[News] = []
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for plan in Plan.objects.filter(start__lte=as_of + timedelta(days=days)):
            for month in calendar.due_soon(today=as_of, days=days, due_day=plan.due_day):
                news += _due_news(plan, month, plan.due_date(month))
        created = notifications_create(items=news)
        if created:
            audit_record(action=AuditAction.REMINDERS_SEND, detail={"as_of": as_of, "deliveries": len(created)})
        return created


def _due_news(plan: Plan, month: date, due: date) -> list[News]:
    catalogue = _Catalogue.load(plan)
    owed: dict[int, list[Indicator]] = defaultdict(list)
    # Only the month's reporting periods (UnitProgress.period): after its deadline nothing is owed.
    rows = UnitProgress.objects.filter(indicator__task__project__plan=plan, month=month, period=True, reported=False)
    for indicator_id, unit_id in rows.values_list("indicator_id", "unit_id").order_by("indicator_id", "unit_id"):
        owed[unit_id].append(catalogue.indicators[indicator_id])
    catalogue.load_units(owed)
    news = []
    for unit_id, indicators in owed.items():
        indicators.sort(key=lambda i: (i.task.project.number, i.task.number, i.position))
        lines = [f"{i.code} {i.name}" for i in indicators[:30]]
        if len(indicators) > 30:
            lines.append(_("……等共 %(n)s 项") % {"n": len(indicators)})
        body = _("%(unit)s：\n请于 %(due)s 前报送 %(month)s 的累计完成情况，以下 %(n)s 项尚未报送：\n%(lines)s") % {
            "unit": catalogue.units[unit_id].name,
            "due": _day(due),
            "month": _month(month),
            "n": len(indicators),
            "lines": "\n".join(lines),
        }
        news.append(
            News(
                event=Event.DUE_REMINDER,
                key=f"due:{plan.pk}:{month:%Y-%m}:{unit_id}",
                subject=_("【报送提醒】请于 %(due)s 前报送 %(month)s 数据")
                % {"due": _day(due), "month": _month(month)},
                body=body,
                link=paths.report_month(month),
                unit_id=unit_id,
                month=month,
            )
        )
    return news


# --- texts --------------------------------------------------------------------


def _month(month: date) -> str:
    return calendar.month_label(month)


def _day(day: date) -> str:
    return calendar.day_label(day)


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{number(value)}%"


def _target(indicator: Indicator, finding: Finding) -> str:
    """The target the figure was measured against (the unit's own for a unit's alert, the city's for
    a city alert) and the deadline in the plan's words."""
    deadline = deadline_words(text=indicator.deadline_text, deadline=indicator.deadline)
    if finding.target is None or indicator.is_staged:
        return _("期限：%(deadline)s") % {"deadline": deadline}
    return _("目标 %(target)s%(unit)s，期限：%(deadline)s") % {
        "target": figure(finding.target),
        "unit": indicator.unit_of_measure,
        "deadline": deadline,
    }


def _figure(indicator: Indicator, finding: Finding) -> str:
    """The figure the alert was read from, as the pages show it: 884户, 开工建设."""
    if indicator.is_staged:
        stages = indicator.stage_list
        stage = finding.stage or 0
        return stages[stage].label if 0 <= stage < len(stages) else str(stage)
    if finding.value is None:
        return _("未报送")
    return f"{figure(finding.value)}{indicator.unit_of_measure}"


def _alert_news(catalogue: _Catalogue, alert: Alert, finding: Finding, *, revise: bool = False) -> list[News]:
    """The unit's letter (催办), and a copy of it for whoever else the rules name (by default nobody:
    the office, the lead department and the leaders read summaries written for them, see
    ``services.summaries``): the same words, each with the link its reader acts on (the unit its
    form for the month, the others the indicator page)."""
    indicator = catalogue.indicators[alert.indicator_id]
    unit = catalogue.units[alert.unit_id]
    values = {
        "unit": unit.name,
        "code": indicator.code,
        "name": indicator.name,
        "target": _target(indicator, finding),
        "figure": _figure(indicator, finding),
        "month": _month(alert.month),
        "actual": _percent(alert.actual),
        "expected": _percent(alert.expected),
        "gap": number(max(Decimal(0), alert.expected - (alert.actual or 0))),
        "severity": alert.get_severity_display(),
        "deadline": deadline_words(text=indicator.deadline_text, deadline=indicator.deadline),
        "task": f"{indicator.task.code} {indicator.task.text[:80]}",
    }
    if alert.kind == AlertKind.MISSING:
        values["due"] = _day(catalogue.plan.due_date(alert.month))
        subject = _("【未报送·%(severity)s】%(month)s %(code)s %(name)s · %(unit)s") % values
        body = _("%(unit)s：\n你单位尚未报送%(month)s“%(code)s %(name)s”的数据（应于 %(due)s 前报送）。") % values
        if alert.severity == Severity.RED:
            body += _("已连续两个月以上未按时报送。")
        body += _("请尽快登录系统报送。")
    else:
        label = _("逾期") if alert.kind == AlertKind.OVERDUE else _("滞后")
        subject = _("【%(label)s预警·%(severity)s】%(month)s %(code)s %(name)s · %(unit)s") % {**values, "label": label}
        if alert.scope == AlertScope.CITY:
            body = _("%(unit)s（牵头单位）：\n全市“%(code)s %(name)s”（%(target)s）")
        else:
            body = _("%(unit)s：\n你单位承担的“%(code)s %(name)s”（%(target)s）")
        body = (body + _("截至%(month)s底累计%(figure)s，")) % values
        if alert.kind == AlertKind.OVERDUE:
            body += _("已过完成期限（%(deadline)s）仍未完成，完成率 %(actual)s。") % values
        else:
            body += _("完成率 %(actual)s，序时进度 %(expected)s，落后 %(gap)s 个百分点，亮%(severity)s预警。") % values
        if alert.scope == AlertScope.CITY:
            body += _("请督促各报送单位加快推进。")
        else:
            body += _("请抓紧推进，并在下次报送时说明进展和措施。")
    body += "\n" + _("主要任务：%(task)s") % values
    page = paths.indicator_page(indicator.pk, plan_id=catalogue.plan.pk, month=alert.month)
    letter = News(
        event=KIND_EVENT[alert.kind],
        key=f"alert:{alert.pk}:opened",
        subject=subject,
        body=body,
        # A city alert's addressee is the lead department, which sees the indicator's page.
        link=page if alert.scope == AlertScope.CITY else paths.report_form(alert.month, indicator.pk),
        unit_id=alert.unit_id,
        lead_unit_id=catalogue.lead.get(indicator.task_id),
        project_id=indicator.task.project_id,
        alert_id=alert.pk,
        month=alert.month,
        audiences=TO_UNIT,
        revise=revise,
    )
    return [letter, replace(letter, link=page, audiences=COPIES)]


def _problem_text(alert: Alert, indicator: Indicator) -> str:
    values = {
        "code": indicator.code,
        "name": indicator.name,
        "since": _month(alert.red_since),
        "month": _month(alert.month),
        "actual": _percent(alert.actual),
        "expected": _percent(alert.expected),
        "deadline": deadline_words(text=indicator.deadline_text, deadline=indicator.deadline),
    }
    if alert.kind == AlertKind.MISSING:
        return _("“%(code)s %(name)s”已连续两个月以上未按时报送，至今未报送%(month)s数据。") % values
    if alert.kind == AlertKind.OVERDUE:
        return _("“%(code)s %(name)s”已过完成期限（%(deadline)s）仍未完成，截至%(month)s底完成率 %(actual)s。") % values
    return (
        _("“%(code)s %(name)s”自%(since)s起持续亮红灯，截至%(month)s底完成率 %(actual)s，序时进度 %(expected)s。")
        % values
    )


def _notice_news(catalogue: _Catalogue, notice: SupervisionNotice) -> News:
    indicator = catalogue.indicators[notice.indicator_id]
    catalogue.load_units([u for u in (notice.unit_id, notice.lead_unit_id) if u])
    lead = catalogue.units.get(notice.lead_unit_id) if notice.lead_unit_id else None
    values = {
        "code": notice.code,
        "unit": notice.unit.name,
        "person": notice.responsible_person or _("主要负责同志"),
        "lead": lead.name if lead else "—",
        "task": f"{indicator.task.code} {indicator.task.text}",
        "problem": notice.problem,
        "deadline": _day(notice.deadline),
    }
    body = "\n".join(
        [
            _("督办通知单 %(code)s") % values,
            _("责任单位：%(unit)s（责任人：%(person)s）") % values,
            _("牵头单位：%(lead)s") % values,
            _("主要任务：%(task)s") % values,
            _("督办事项：%(problem)s") % values,
            _("整改期限：%(deadline)s") % values,
            _("请于整改期限前采取有效措施加快推进，在系统中签收本通知单，并于整改期限前在系统中填报整改反馈（附佐证材料），由市政府督查室核查。"),
            _("抄送：分管市领导"),
        ]
    )
    return News(
        event=Event.NOTICE,
        key=f"notice:{notice.pk}",
        subject=_("【督办通知单】%(code)s %(unit)s") % values,
        body=body,
        link=reverse("supervision:notice", args=[notice.pk]),
        unit_id=notice.unit_id,
        lead_unit_id=notice.lead_unit_id,
        project_id=indicator.task.project_id,
        alert_id=notice.alert_id,
        notice_id=notice.pk,
        month=notice.alert.month,
    )
