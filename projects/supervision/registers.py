"""The registers (督办台账): notices, instructions and close-outs, filtered, sorted, paginated and
exported (Excel, CSV) exactly as filtered. Each lists only what the user may read
(projects/permissions.py through the selectors).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin, TableExport

from projects import clock, permissions
from projects.audit.services import audit_export
from projects.models import CloseOut, InstructionReply, Plan, Project, Role, SupervisionNotice, Unit, User
from projects.supervision import selectors as sel
from projects.supervision.states import WAITING_FOR_UNIT, CloseOutState, LoopState
from projects.tables.dashboards import DashboardTable
from projects.views.dashboards import CsvWithBom

OVERDUE = [("yes", _("逾期未反馈")), ("late", _("逾期反馈过")), ("no", _("未逾期"))]


def overdue_q(today: date) -> Q:
    """Items still waiting for their unit's answer whose deadline has passed: ``calendar.is_past``
    written as a query (the deadline is before today), for the filters."""
    return Q(state__in=sorted(WAITING_FOR_UNIT), deadline__lt=today)


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class LeaderFilter(django_filters.ModelChoiceFilter):
    """A leader, by the name the pages show (分管副市长), not the account's."""

    field_class = LeaderChoiceField


class LoopFilter(django_filters.FilterSet):
    """What the notices' and the instructions' registers filter by."""

    plan = django_filters.ModelChoiceFilter(
        queryset=Plan.objects.order_by("-year", "pk"), label=_("方案"), empty_label=_("全部方案"), method="filter_plan"
    )
    state = django_filters.ChoiceFilter(
        field_name="state", choices=LoopState.choices, label=_("办理状态"), empty_label=_("全部")
    )
    project = django_filters.ModelChoiceFilter(
        queryset=Project.objects.none(), label=_("民生实事"), empty_label=_("全部项目"), method="filter_project"
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="unit",
        queryset=Unit.objects.none(),
        label=pgettext_lazy("督办", "责任单位"),
        empty_label=_("全部单位"),
    )
    overdue = django_filters.ChoiceFilter(
        choices=OVERDUE, label=_("期限"), empty_label=_("全部"), method="filter_overdue"
    )
    # A leader's portfolio (分管): the link of his 催办 list narrows the register to it. A filter over
    # what the user may read already (the permission querysets): it never shows more.
    leader = LeaderFilter(
        queryset=User.objects.none(), label=_("分管领导"), empty_label=_("全部领导"), method="filter_leader"
    )
    plan_path = "plan"
    project_path = "task__project"
    # An item is in a leader's portfolio through its project (and an instruction, its own leader's).
    leader_paths: tuple[str, ...] = ("task__project__leaders",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = self.queryset
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=rows.values("unit")).order_by("position", "name")
        self.filters["project"].queryset = (
            Project.objects.filter(pk__in=rows.values(self.project_path))
            .select_related("plan")
            .order_by("plan__year", "number")
        )
        self.filters["leader"].queryset = User.objects.filter(role=Role.LEADER, portfolio__isnull=False).distinct()

    def filter_leader(self, queryset: QuerySet, name: str, value: User) -> QuerySet:
        if not value:
            return queryset
        portfolio = Q()
        for path in self.leader_paths:
            portfolio |= Q(**{path: value})
        return queryset.filter(pk__in=queryset.model.objects.filter(portfolio).values("pk"))

    def filter_plan(self, queryset: QuerySet, name: str, value: Plan) -> QuerySet:
        return queryset.filter(**{self.plan_path: value}) if value else queryset

    def filter_project(self, queryset: QuerySet, name: str, value: Project) -> QuerySet:
        return queryset.filter(**{self.project_path: value}) if value else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        waiting_late = overdue_q(clock.today())
        if value == "yes":
            return queryset.filter(waiting_late)
        if value == "late":
            return queryset.filter(answers__late=True).distinct()
        if value == "no":
            return queryset.exclude(waiting_late).exclude(answers__late=True)
        return queryset


class NoticeFilter(LoopFilter):
    class Meta:
        model = SupervisionNotice
        fields: list[str] = []


class ReplyFilter(LoopFilter):
    plan_path = "instruction__plan"
    project_path = "instruction__project"
    leader_paths = ("instruction__project__leaders", "instruction__leader")

    class Meta:
        model = InstructionReply
        fields: list[str] = []


class CloseOutFilter(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(
        field_name="plan", queryset=Plan.objects.order_by("-year", "pk"), label=_("方案"), empty_label=_("全部方案")
    )
    state = django_filters.ChoiceFilter(
        field_name="state", choices=CloseOutState.choices, label=_("销号状态"), empty_label=_("全部")
    )
    project = django_filters.ModelChoiceFilter(
        field_name="indicator__task__project",
        queryset=Project.objects.none(),
        label=_("民生实事"),
        empty_label=_("全部项目"),
    )

    class Meta:
        model = CloseOut
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["project"].queryset = Project.objects.filter(
            pk__in=self.queryset.values("indicator__task__project")
        ).order_by("plan__year", "number")


# --- tables ----------------------------------------------------------------------------------------

STATE_BADGES = {
    LoopState.ISSUED: "text-bg-warning",
    LoopState.ACKNOWLEDGED: "text-bg-info",
    LoopState.ANSWERED: "text-bg-primary",
    LoopState.RETURNED: "text-bg-danger",
    LoopState.CLOSED: "text-bg-success",
    CloseOutState.APPLIED: "text-bg-primary",
    CloseOutState.CLOSED_OUT: "text-bg-success",
    CloseOutState.REFUSED: "text-bg-secondary",
    CloseOutState.REOPENED: "text-bg-warning",
}


def state_badge(state: str, label: str) -> str:
    return format_html('<span class="badge {}">{}</span>', STATE_BADGES.get(state, "text-bg-light"), label)


CODE = {"td": {"class": "loop-code"}}
NAME = {"td": {"class": "loop-name"}}
NOWRAP = {"td": {"class": "text-nowrap"}}
# Dates a phone can do without (the item's page has them all).
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell text-nowrap"}}


def _local(value: datetime | None) -> str:
    return "" if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


class LoopTable(DashboardTable):
    """Columns the two loop registers share."""

    state = tables.Column(verbose_name=_("办理状态"), attrs=NOWRAP)
    deadline = tables.DateColumn(verbose_name=_("反馈期限"), format="Y-m-d", attrs=NOWRAP)
    acknowledged_at = tables.DateTimeColumn(verbose_name=_("签收"), format="Y-m-d", attrs=WIDE_ONLY)
    answered_at = tables.DateTimeColumn(verbose_name=_("最近反馈"), format="Y-m-d", attrs=WIDE_ONLY)
    closed_at = tables.DateTimeColumn(verbose_name=_("办结"), format="Y-m-d", attrs=WIDE_ONLY)

    def render_state(self, value: str, record) -> str:
        badge = state_badge(record.state, record.get_state_display())
        if sel.is_late_now(state=record.state, deadline=record.deadline, today=clock.today()):
            return format_html('{} <span class="badge text-bg-danger">{}</span>', badge, _("逾期"))
        return badge

    def value_state(self, record) -> str:
        late = sel.is_late_now(state=record.state, deadline=record.deadline, today=clock.today())
        mark = _("（逾期）") if late else ""
        return f"{record.get_state_display()}{mark}"

    def value_deadline(self, value: date) -> str:
        return f"{value:%Y-%m-%d}"

    def value_acknowledged_at(self, value: datetime | None) -> str:
        return _local(value)

    value_answered_at = value_acknowledged_at
    value_closed_at = value_acknowledged_at


class NoticeTable(LoopTable):
    code = tables.Column(verbose_name=_("编号"), order_by=("plan__year", "number"), attrs=CODE)
    unit = tables.Column(
        verbose_name=pgettext_lazy("督办", "责任单位"), order_by=("unit__position", "unit__name"), attrs=NOWRAP
    )
    indicator = tables.Column(
        verbose_name=_("指标"),
        order_by=("indicator__task__project__number", "indicator__task__number", "indicator__position"),
        attrs=NAME,
    )
    issued_at = tables.DateTimeColumn(verbose_name=_("签发"), format="Y-m-d", attrs=WIDE_ONLY)

    class Meta(DashboardTable.Meta):
        # The state beside the number: on a phone the table scrolls and these stay in sight.
        sequence = (
            "code",
            "state",
            "unit",
            "indicator",
            "issued_at",
            "deadline",
            "acknowledged_at",
            "answered_at",
            "closed_at",
        )
        empty_text = _("没有符合条件的督办通知单")

    def render_code(self, value: str, record: SupervisionNotice) -> str:
        return format_html('<a href="{}">{}</a>', reverse("supervision:notice", args=[record.pk]), value)

    def render_indicator(self, record: SupervisionNotice) -> str:
        return f"{record.indicator.code} {record.indicator.name}"

    def value_code(self, value: str) -> str:
        return value

    def value_unit(self, record: SupervisionNotice) -> str:
        return record.unit.name

    value_indicator = render_indicator

    def value_issued_at(self, value: datetime) -> str:
        return _local(value)


class ReplyTable(LoopTable):
    code = tables.Column(
        accessor="instruction__code",
        verbose_name=_("批示编号"),
        order_by=("instruction__plan__year", "instruction__number"),
        attrs=CODE,
    )
    leader = tables.Column(accessor="instruction__leader", verbose_name=_("批示领导"), orderable=False, attrs=NOWRAP)
    about = tables.Column(accessor="instruction__text", verbose_name=_("批示内容"), orderable=False, attrs=NAME)
    unit = tables.Column(verbose_name=_("回复单位"), order_by=("unit__position", "unit__name"), attrs=NOWRAP)

    class Meta(DashboardTable.Meta):
        sequence = (
            "code",
            "state",
            "unit",
            "leader",
            "about",
            "deadline",
            "acknowledged_at",
            "answered_at",
            "closed_at",
        )
        empty_text = _("没有符合条件的领导批示")

    def render_code(self, value: str, record: InstructionReply) -> str:
        url = reverse("supervision:instruction", args=[record.instruction_id]) + f"#reply-{record.pk}"
        return format_html('<a href="{}">{}</a>', url, value)

    def render_leader(self, record: InstructionReply) -> str:
        return record.instruction.leader.display_name

    def render_about(self, value: str) -> str:
        return value if len(value) <= 40 else value[:40] + "…"

    def value_code(self, value: str) -> str:
        return value

    value_leader = render_leader

    def value_about(self, value: str) -> str:
        return value

    def value_unit(self, record: InstructionReply) -> str:
        return record.unit.name


class CloseOutTable(DashboardTable):
    indicator = tables.Column(
        verbose_name=_("指标"),
        order_by=("indicator__task__project__number", "indicator__task__number", "indicator__position"),
        attrs=NAME,
    )
    unit = tables.Column(verbose_name=_("申请单位"), order_by=("unit__position", "unit__name"), attrs=NOWRAP)
    applied_at = tables.DateTimeColumn(verbose_name=_("申请时间"), format="Y-m-d", attrs=NOWRAP)
    state = tables.Column(verbose_name=_("销号状态"), attrs=NOWRAP)
    decided_at = tables.DateTimeColumn(verbose_name=_("核查时间"), format="Y-m-d", attrs=WIDE_ONLY)

    class Meta(DashboardTable.Meta):
        sequence = ("indicator", "state", "unit", "applied_at", "decided_at")
        empty_text = _("没有符合条件的销号")

    def render_indicator(self, record: CloseOut) -> str:
        url = reverse("supervision:closeout", args=[record.pk])
        return format_html('<a href="{}">{} {}</a>', url, record.indicator.code, record.indicator.name)

    def render_state(self, record: CloseOut) -> str:
        return state_badge(record.state, record.get_state_display())

    def value_indicator(self, record: CloseOut) -> str:
        return f"{record.indicator.code} {record.indicator.name}"

    def value_unit(self, record: CloseOut) -> str:
        return record.unit.name

    def value_state(self, record: CloseOut) -> str:
        return str(record.get_state_display())

    def value_applied_at(self, value: datetime | None) -> str:
        return _local(value)

    value_decided_at = value_applied_at


# --- the pages -------------------------------------------------------------------------------------

TABS = [
    ("supervision:notices", _("督办通知单")),
    ("supervision:instructions", _("领导批示")),
    ("supervision:closeouts", _("销号")),
]


@method_decorator(login_required, name="dispatch")
class RegisterView(ExportMixin, SingleTableMixin, TemplateView):
    """A register: a filtered, sortable, paginated table with CSV and Excel exports of exactly the
    filtered rows (recorded in the audit trail)."""

    template_name = "supervision/register.html"
    export_class = CsvWithBom
    export_formats = (TableExport.XLSX, TableExport.CSV)
    filterset_class: type[django_filters.FilterSet]
    title = ""
    export_name = ""

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        # The registers are the business's: an account with no unit (the administrators) has none.
        if not permissions.reads_everything(request.user) and permissions.acting_unit(request.user) is None:
            raise Http404
        self.filterset = self.filterset_class(request.GET, self.rows())
        export_format = request.GET.get(self.export_trigger_param)
        if export_format in self.export_formats:
            self.exporting = True
            response = self.create_export(export_format)
            audit_export(request=request, what=self.export_name, fmt=export_format)
            return response
        return super().get(request, *args, **kwargs)

    exporting = False

    def get_table_pagination(self, table):
        return False if self.exporting else super().get_table_pagination(table)

    def get_table_data(self):
        return self.filterset.qs

    def get_export_filename(self, export_format: str) -> str:
        return f"{self.export_name}-{clock.today():%Y-%m-%d}.{export_format}"

    def get_dataset_kwargs(self) -> dict[str, str]:
        return {"title": str(self.title)[:31]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop(self.export_trigger_param, None)
        query.pop("page", None)
        context.update(
            filter=self.filterset,
            title=self.title,
            tabs=TABS,
            tab=self.request.resolver_match.view_name,
            export_links=[
                (fmt.upper(), f"?{urlencode(list(query.lists()), doseq=True)}&{self.export_trigger_param}={fmt}")
                for fmt in self.export_formats
            ],
        )
        return context


class NoticeRegisterView(RegisterView):
    table_class = NoticeTable
    filterset_class = NoticeFilter
    title = _("督办台账：督办通知单")
    export_name = "notices"

    def rows(self) -> QuerySet:
        return sel.notice_register(user=self.request.user)


class InstructionRegisterView(RegisterView):
    table_class = ReplyTable
    filterset_class = ReplyFilter
    title = _("督办台账：领导批示")
    export_name = "instructions"

    def rows(self) -> QuerySet:
        return sel.reply_register(user=self.request.user)


class CloseOutRegisterView(RegisterView):
    table_class = CloseOutTable
    filterset_class = CloseOutFilter
    title = _("督办台账：销号")
    export_name = "closeouts"

    def rows(self) -> QuerySet:
        return sel.closeout_register(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The year-end close-out list: the office's and the leaders' (of the plan filtered, else the latest).
        if permissions.reads_everything(self.request.user):
            context["list_plan"] = self.filterset.form.cleaned_data.get("plan") if self.filterset.is_valid() else None
            context["list_plan"] = context["list_plan"] or Plan.objects.order_by("-year", "-pk").first()
        return context
