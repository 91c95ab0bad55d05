"""Filters of the dashboard lists: month, project, unit, light, kind, and the row level; the alerts.

Every FilterSet is built for one plan (the choices of project, unit and month are that plan's) and
is always bound to a month: the view puts the month it resolved into the data, so the list and the
page's "as of" agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from projects.calendar import month_key, month_label, month_or_none
from projects.models import (
    Alert,
    AlertKind,
    CityProgress,
    IndicatorKind,
    LightChoices,
    Plan,
    Severity,
    Unit,
    UnitProgress,
)
from projects.selectors.dashboards import missing, plan_months

LEVELS = [("unit", _("单位事项")), ("city", _("全市指标"))]
MISSING_STATUSES = [("missing", _("未报送")), ("late", _("逾期报送")), ("any", _("未按时报送（含逾期）"))]


class PlanMonthFilterSet(django_filters.FilterSet):
    """Base of the dashboards' filters. Subclasses add their fields; ``defaults`` fill the data."""

    month = django_filters.ChoiceFilter(label=_("月份"), method="filter_month", empty_label=None)
    project = django_filters.ModelChoiceFilter(
        field_name="indicator__task__project", queryset=None, label=_("民生实事"), empty_label=_("全部项目")
    )
    kind = django_filters.ChoiceFilter(
        field_name="indicator__kind", choices=IndicatorKind.choices, label=_("指标类型"), empty_label=_("全部类型")
    )

    defaults: dict[str, str] = {}
    # False: "all months" is a choice, and the month is the one asked for in the data, if any.
    month_required = True

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet | None = None,
        *,
        plan: Plan,
        month: date,
        months: Sequence[date] | None = None,
    ):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if self.month_required or data.get("month"):
            data["month"] = month_key(month)
        for key, value in self.defaults.items():
            if not data.get(key):
                data[key] = value
        super().__init__(data, queryset)
        self.plan = plan
        # The page passes the plan's months it has read already (one query less per filter).
        months = plan_months(plan) if months is None else months
        self.filters["month"].extra["choices"] = [(month_key(m), month_label(m)) for m in months]
        self.filters["project"].queryset = plan.projects.order_by("number")
        if "unit" in self.filters:
            self.filters["unit"].queryset = (
                Unit.objects.filter(assignments__indicator__task__project__plan=plan)
                .distinct()
                .order_by("position", "pk")
            )

    def filter_month(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        month = month_or_none(value)
        return queryset.none() if month is None else queryset.filter(month=month)


class ItemFilter(PlanMonthFilterSet):
    """Units' items (UnitProgress rows)."""

    unit = django_filters.ModelChoiceFilter(
        field_name="unit", queryset=None, label=_("单位"), empty_label=_("全部单位")
    )
    light = django_filters.ChoiceFilter(choices=LightChoices.choices, label=_("亮灯"), empty_label=_("全部"))
    level = django_filters.ChoiceFilter(
        choices=LEVELS, method="filter_level", label=_("层级"), empty_label=_("全市及单位")
    )

    class Meta:
        model = UnitProgress
        fields: list[str] = []

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.none() if value == "city" else queryset


class CityItemFilter(ItemFilter):
    """The city's items (CityProgress rows), filtered by the same data as the units' items: a
    chosen unit or the "units" level leaves none of them."""

    unit = django_filters.ModelChoiceFilter(queryset=None, method="filter_unit", label=_("单位"))

    class Meta:
        model = CityProgress
        fields: list[str] = []

    def filter_unit(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.none() if value else queryset

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.none() if value == "unit" else queryset


class MissingFilter(PlanMonthFilterSet):
    """Figures not reported (or reported late) for the month, by unit."""

    unit = django_filters.ModelChoiceFilter(
        field_name="unit", queryset=None, label=_("单位"), empty_label=_("全部单位")
    )
    status = django_filters.ChoiceFilter(
        choices=MISSING_STATUSES, method="filter_status", label=_("报送情况"), empty_label=None
    )
    defaults = {"status": "missing"}

    class Meta:
        model = UnitProgress
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return missing(queryset, status=value)


ALERT_STATUSES = [("open", _("未解除")), ("resolved", _("已解除")), ("all", _("全部"))]


class AlertFilter(PlanMonthFilterSet):
    """Alerts of one plan. Open ones by default, of every month: an open alert carries the latest
    month the scan read for it, which differs between indicators (a deadline in April, a missing
    report of August), so one month would hide some of the alerts that are open now."""

    month = django_filters.ChoiceFilter(label=_("依据月份"), method="filter_month", empty_label=_("全部月份"))
    kind = django_filters.ChoiceFilter(
        field_name="kind", choices=AlertKind.choices, label=_("预警类型"), empty_label=_("全部类型")
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="unit", queryset=None, label=_("单位"), empty_label=_("全部单位")
    )
    severity = django_filters.ChoiceFilter(
        field_name="severity", choices=Severity.choices, label=_("预警等级"), empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        choices=ALERT_STATUSES, method="filter_status", label=_("状态"), empty_label=None
    )
    defaults = {"status": "open"}
    month_required = False

    class Meta:
        model = Alert
        fields: list[str] = []

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The units that have alerts in the plan (a city alert names the task's lead department,
        # which reports nothing itself), or the ones the user may see.
        self.filters["unit"].queryset = (
            units if units is not None else Unit.objects.filter(alerts__plan=self.plan).distinct()
        ).order_by("position", "pk")

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset
