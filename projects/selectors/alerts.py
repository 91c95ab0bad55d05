"""Reads of the alerts."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, When

from projects import rules
from projects.models import Alert, AlertScope, CityProgress, UnitProgress
from projects.selectors.catalogue import number

STAGED = [k.value for k in rules.STAGED_KINDS]


def with_stage(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Alerts annotated with the stage of the figure they were read from (``stage``), so that a
    staged item's row (a milestone, a qualitative task) says where it stands (开工建设), not only
    its percent: the unit's row for a unit's alert, the city's for a city alert (subqueries of the
    same query)."""
    unit_stage = UnitProgress.objects.filter(
        indicator_id=OuterRef("indicator_id"), unit_id=OuterRef("unit_id"), month=OuterRef("month")
    ).values("stage")[:1]
    city_stage = CityProgress.objects.filter(indicator_id=OuterRef("indicator_id"), month=OuterRef("month")).values(
        "stage"
    )[:1]
    return alerts.annotate(
        stage=Case(
            When(indicator__kind__in=STAGED, scope=AlertScope.UNIT, then=Subquery(unit_stage)),
            When(indicator__kind__in=STAGED, then=Subquery(city_stage)),
            default=None,
            output_field=IntegerField(),
        )
    )


def open_alerts(*, plan_ids: list[int] | None = None) -> QuerySet[Alert]:
    alerts = Alert.objects.filter(resolved_at__isnull=True).select_related("indicator__task__project", "unit")
    if plan_ids is not None:
        alerts = alerts.filter(plan_id__in=plan_ids)
    return alerts.order_by(
        "plan__year",
        "indicator__task__project__number",
        "indicator__task__number",
        "indicator__position",
        "unit__position",
        "unit__name",
        "kind",
    )


def alerts_export(*, alerts: QuerySet[Alert]) -> list[dict[str, Any]]:
    """The open alerts in the shape of ``scan --json`` (a contract: keep it stable).

    ``expected`` and ``actual`` are completion percentages as plain numbers; ``actual`` is null
    only for a missing report of a unit that has no target of its own."""
    return [
        {
            "kind": a.kind,
            "severity": a.severity,
            "project": a.indicator.task.project.number,
            "task": a.indicator.task.number,
            "indicator": a.indicator.name,
            "unit": a.unit.name,
            "month": f"{a.month:%Y-%m}",
            "expected": number(a.expected),
            "actual": number(a.actual),
        }
        for a in alerts
    ]
