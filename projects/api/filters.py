"""The query parameters of the API's lists (django-filter): plan, month, unit, light, kind …

Plan and month pick the month's data through the selectors (``month_progress``, ``figures_of_month``);
the other filters narrow it. A bad value is refused with a message (400), never ignored."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from projects import clock
from projects.calendar import parse_month
from projects.models import (
    Alert,
    AlertKind,
    CityProgress,
    Indicator,
    IndicatorKind,
    LightChoices,
    Plan,
    PlanKind,
    Project,
    Severity,
    Submission,
    SubmissionStatus,
    SupervisionNotice,
    Task,
    Unit,
    UnitKind,
    UnitProgress,
)
from projects.supervision.registers import overdue_q
from projects.supervision.states import LoopState


class MonthField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM，如 2022-06")) from None


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2022-06"})
class MonthFilter(filters.Filter):
    """``2022-06``: the month's first day."""

    field_class = MonthField


@extend_schema_field({"type": "integer"})
class IntegerFilter(filters.NumberFilter):
    """A whole number (a year): 2022, not 2022.5."""

    field_class = forms.IntegerField


class TrueFalseField(forms.CharField):
    """``true`` or ``false``, nothing else (``yes``, ``2`` are refused, not read as "not given")."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError(_("应为 true 或 false"))
        return value == "true"


@extend_schema_field({"type": "boolean"})
class TrueFalseFilter(filters.Filter):
    field_class = TrueFalseField


def _plan(required: bool = False, field: str = "plan") -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        field_name=field, queryset=Plan.objects.all(), required=required, help_text=_("方案 id（/api/v1/plans/）")
    )


def _unit(field: str = "unit") -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(field_name=field, queryset=Unit.objects.all(), help_text=_("单位 id"))


class PlanFilter(filters.FilterSet):
    year = IntegerFilter()
    kind = filters.ChoiceFilter(choices=PlanKind.choices)

    class Meta:
        model = Plan
        fields = ["year", "kind"]


class ProjectFilter(filters.FilterSet):
    plan = _plan()

    class Meta:
        model = Project
        fields = ["plan"]


class TaskFilter(filters.FilterSet):
    plan = _plan(field="project__plan")
    project = filters.ModelChoiceFilter(queryset=Project.objects.all(), help_text=_("民生实事 id"))
    unit = _unit("units")

    class Meta:
        model = Task
        fields = ["plan", "project", "unit"]


class IndicatorFilter(filters.FilterSet):
    plan = _plan(field="task__project__plan")
    task = filters.ModelChoiceFilter(queryset=Task.objects.all(), help_text=_("主要任务 id"))
    kind = filters.ChoiceFilter(choices=IndicatorKind.choices)
    unit = _unit("assignments__unit")

    class Meta:
        model = Indicator
        fields = ["plan", "task", "kind", "unit"]


class UnitFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=UnitKind.choices)
    plan = _plan(field="assignments__indicator__task__project__plan")

    class Meta:
        model = Unit
        fields = ["kind", "plan"]


class _PlanMonth(filters.FilterSet):
    """Plan (required) and month (default: the plan's reporting month as of today) pick the data;
    the view reads them from the cleaned form, the selectors apply them."""

    plan = filters.ModelChoiceFilter(
        queryset=Plan.objects.all(), required=True, method="_plan_picked", help_text=_("方案 id（必填）")
    )
    month = MonthFilter(method="_month_picked", help_text=_("月份 YYYY-MM；默认为当前报送月份"))

    def _plan_picked(self, queryset, name: str, value: int):
        return queryset

    def _month_picked(self, queryset, name: str, value: str):
        return queryset


class CityProgressFilter(_PlanMonth):
    light = filters.ChoiceFilter(choices=LightChoices.choices)
    kind = filters.ChoiceFilter(field_name="indicator__kind", choices=IndicatorKind.choices)
    project = filters.ModelChoiceFilter(
        field_name="indicator__task__project", queryset=Project.objects.all(), help_text=_("民生实事 id")
    )

    class Meta:
        model = CityProgress
        fields = ["plan", "month", "light", "kind", "project"]


class UnitProgressFilter(CityProgressFilter):
    unit = _unit()

    class Meta:
        model = UnitProgress
        fields = ["plan", "month", "unit", "light", "kind", "project"]


class FigureFilter(_PlanMonth):
    unit = _unit()
    status = filters.ChoiceFilter(choices=SubmissionStatus.choices)

    class Meta:
        model = Submission
        fields = ["plan", "month", "unit", "status"]


class AlertFilter(filters.FilterSet):
    plan = _plan()
    unit = _unit()
    kind = filters.ChoiceFilter(choices=AlertKind.choices)
    light = filters.ChoiceFilter(field_name="severity", choices=Severity.choices, help_text=_("预警等级"))
    month = MonthFilter(field_name="month")

    class Meta:
        model = Alert
        fields = ["plan", "unit", "kind", "light", "month"]


class NoticeFilter(filters.FilterSet):
    plan = _plan()
    unit = _unit()
    month = MonthFilter(field_name="alert__month", help_text=_("所督办预警的月份 YYYY-MM"))
    state = filters.ChoiceFilter(choices=LoopState.choices, help_text=_("办理状态"))
    overdue = TrueFalseFilter(method="_overdue", help_text=_("true：仍待单位反馈且已过整改期限；false：其余"))

    class Meta:
        model = SupervisionNotice
        fields = ["plan", "unit", "month", "state", "overdue"]

    def _overdue(self, queryset, name: str, value: bool | None):
        if value is None:
            return queryset
        late = overdue_q(clock.today())
        return queryset.filter(late) if value else queryset.exclude(late)


class BulletinFilter(_PlanMonth):
    class Meta:
        model = Plan
        fields = ["plan", "month"]
