"""The review list: a filter (django-filter) and a table (django-tables2) over permitted submissions."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects import calendar, permissions
from projects.models import Submission, SubmissionStatus, Task, Unit, User
from projects.selectors import reporting as sel

STATUS_BADGES = {
    SubmissionStatus.DRAFT: "text-bg-secondary",
    SubmissionStatus.SUBMITTED: "text-bg-primary",
    SubmissionStatus.RETURNED: "text-bg-warning",
    SubmissionStatus.APPROVED: "text-bg-success",
}


class SubmissionFilter(django_filters.FilterSet):
    """Filters of the review list; the choices offered come from what the user may see."""

    month = django_filters.ChoiceFilter(label=_("月份"), method="filter_month", empty_label=_("全部月份"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=SubmissionStatus.choices, empty_label=_("全部状态"))
    unit = django_filters.ModelChoiceFilter(
        label=_("报送单位"), queryset=Unit.objects.none(), empty_label=_("全部单位")
    )
    task = django_filters.ModelChoiceFilter(
        label=_("主要任务"), field_name="indicator__task", queryset=Task.objects.none(), empty_label=_("全部任务")
    )
    late = django_filters.ChoiceFilter(
        label=_("逾期报送"), choices=[("1", _("逾期")), ("0", _("按时"))], method="filter_late", empty_label=_("全部")
    )
    mine = django_filters.ChoiceFilter(
        label=_("审核单位"),
        choices=[("1", _("由督查室审核的"))],
        method="filter_mine",
        empty_label=_("全部"),
    )

    class Meta:
        model = Submission
        fields = ["month", "status", "unit", "task", "late"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        base = self.queryset
        months = set(base.order_by().values_list("month", flat=True).distinct())
        # The month asked for is a choice even before anything is reported for it (the landing month).
        self.chosen_month = calendar.month_or_none(self.data.get("month") if self.data else None)
        if self.chosen_month is not None:
            months.add(self.chosen_month)
        self.filters["month"].extra["choices"] = [
            (calendar.month_key(m), calendar.month_label(m)) for m in sorted(months, reverse=True)
        ]
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=base.values("unit")).order_by("position", "pk")
        self.filters["task"].queryset = (
            Task.objects.filter(pk__in=base.values("indicator__task"))
            .select_related("project")
            .order_by("project__plan", "project__number", "number")
        )
        self.filters["task"].field.label_from_instance = lambda t: f"{t.code} {t.text[:24]}"
        if not permissions.administers(user):
            del self.filters["mine"]
        for f in self.form.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm")

    def filter_month(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        month = calendar.month_or_none(value)
        return queryset.none() if month is None else queryset.filter(month=month)

    def filter_late(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(late=value == "1") if value in ("0", "1") else queryset

    def filter_mine(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(permissions.reviewed_by_office_q()) if value == "1" else queryset


class SubmissionTable(tables.Table):
    month = tables.Column(verbose_name=_("月份"))
    task = tables.Column(
        verbose_name=_("任务"),
        accessor="indicator__task__number",
        order_by=("indicator__task__project__number", "indicator__task__number"),
    )
    indicator = tables.Column(verbose_name=_("指标"), order_by=("indicator__code",))
    unit = tables.Column(verbose_name=_("报送单位"), order_by=("unit__position",))
    figure = tables.Column(verbose_name=_("累计完成"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("状态"))
    late = tables.BooleanColumn(verbose_name=_("逾期"), yesno=(_("逾期"), ""))
    submitted_at = tables.DateTimeColumn(verbose_name=_("报送时间"), format="Y-m-d H:i")
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Submission
        fields = ("month", "task", "indicator", "unit", "figure", "status", "late", "submitted_at", "link")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("没有符合条件的月报")

    def render_month(self, value) -> str:
        return f"{value:%Y-%m}"

    def render_task(self, record: Submission) -> str:
        return record.indicator.task.code

    def render_indicator(self, record: Submission) -> str:
        return f"{record.indicator.code} {record.indicator.name}"

    def render_figure(self, record: Submission) -> str:
        return sel.submission_figure_text(record)

    def render_status(self, record: Submission) -> str:
        return format_html(
            '<span class="badge {}">{}</span>', STATUS_BADGES.get(record.status, ""), record.get_status_display()
        )

    def render_link(self, record: Submission) -> str:
        return format_html('<a href="{}">{}</a>', reverse("submission_detail", args=[record.pk]), _("查看"))
