"""Reads of the alerts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from projects.models import Alert
from projects.selectors.catalogue import number


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
