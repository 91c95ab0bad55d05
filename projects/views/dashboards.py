"""The dashboards: overview, project, task and indicator pages, the county view, a unit's page, the
lists of lagging, overdue and missing items, and the monthly bulletin's downloads.

Thin views: who may see a page is decided in ``selectors.dashboards`` (404 otherwise), the figures
come from its selectors, the charts from ``projects.charts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin, TableExport

from projects import calendar, charts, clock, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import audit_export
from projects.filters.dashboards import AlertFilter, CityItemFilter, ItemFilter, MissingFilter, PlanMonthFilterSet
from projects.models import Alert, Indicator, Plan, Project, Task, TaskUnitRole, Unit, UnitKind
from projects.selectors import alerts as alert_selectors
from projects.selectors import dashboards as sel
from projects.services.bulletin import bulletin_docx_build, bulletin_filename, bulletin_xlsx_build
from projects.tables.dashboards import AlertTable, DashboardTable, ItemTable, MissingTable, OverdueTable


@dataclass(frozen=True)
class Period:
    """The plan and the "as of" month a page shows, with the choices of its selectors."""

    plan: Plan
    month: date
    months: list[date]
    plans: list[Plan]

    @property
    def as_of(self) -> date:
        return calendar.as_of(self.month)

    def has_demo_data(self) -> bool:
        return self._demo_data

    @cached_property
    def _demo_data(self) -> bool:
        # Once per page: the template asks twice (the ribbon's condition and the ribbon itself)
        # where there are demo figures, once where there are none; the count would follow the data.
        return sel.has_demo_data(plan=self.plan, month=self.month)

    @property
    def context(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "month": self.month,
            "months": self.months,
            "plans": self.plans,
            "as_of": self.as_of,
            # A callable: the template asks (one query) only on pages that show the ribbon, not in exports.
            "is_demo_data": self.has_demo_data,
        }


def _period(request: HttpRequest, *, plan: Plan | None = None) -> Period | None:
    """The plan asked for (else the latest) and the month asked for, if it is one of the plan's
    (else the reporting month as of today: ``sel.default_month``)."""
    plans: list[Plan] = []
    if plan is None:
        plans = list(sel.plans())
        wanted = request.GET.get("plan", "")
        plan = next((p for p in plans if str(p.pk) == wanted), plans[0] if plans else None)
        if plan is None:
            return None
    months = sel.plan_months(plan)
    month = calendar.month_or_none(request.GET.get("month"))
    if month not in months:
        month = sel.default_month(plan=plan, today=clock.today(), months=months)
    return Period(plan=plan, month=month, months=months, plans=plans)


def _require_everything(request: HttpRequest) -> None:
    if not sel.sees_everything(request.user):
        raise Http404


def _no_plan(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/no_plan.html")


# --- overview --------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _require_everything(request)
    period = _period(request)
    if period is None:
        return _no_plan(request)
    data = sel.overview(plan=period.plan, month=period.month, user=request.user)
    # Landing without a plan chosen: the year's plans first, side by side.
    portfolio = [] if "plan" in request.GET else sel.portfolio(plans=period.plans, today=clock.today())
    return render(
        request,
        "dashboards/overview.html",
        {
            **period.context,
            "data": data,
            "portfolio": portfolio,
            "projects_figure": charts.projects_figure(data),
            "everything": True,
        },
    )


# --- project, task, indicator ----------------------------------------------------------------


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_everything(request)
    project = get_object_or_404(Project.objects.select_related("plan"), pk=pk)
    period = _period(request, plan=project.plan)
    scope = Q(indicator__task__project=project)
    plan, month = period.plan, period.month
    return render(
        request,
        "dashboards/project.html",
        {
            **period.context,
            "project": project,
            "everything": True,
            "leaders": list(project.leaders.all()),
            "standing": sel.scope_standing(plan=plan, month=month, scope=scope),
            "tasks": sel.task_rows(plan=plan, month=month, project=project),
            "city_rows": sel.city_rows(plan=plan, month=month, scope=scope),
            "unit_rows": sel.unit_rows(plan=plan, month=month, scope=scope),
            "history": sel.submission_history(scope=scope, user=request.user),
            "curve_figure": charts.curve_figure(sel.progress_curve(plan=plan, month=month, scope=scope)),
        },
    )


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("project__plan"), pk=pk)
    if not sel.task_visible(user=request.user, task=task):
        raise Http404
    period = _period(request, plan=task.project.plan)
    scope = Q(indicator__task=task)
    plan, month = period.plan, period.month
    roles = {TaskUnitRole.LEAD: [], TaskUnitRole.COOPERATING: []}
    for tu in task.task_units.select_related("unit").order_by("role", "position"):
        roles[tu.role].append(tu.unit)
    return render(
        request,
        "dashboards/task.html",
        {
            **period.context,
            "task": task,
            "project": task.project,
            "lead_units": roles[TaskUnitRole.LEAD],
            "cooperating_units": roles[TaskUnitRole.COOPERATING],
            "standing": sel.scope_standing(plan=plan, month=month, scope=scope),
            "city_rows": sel.city_rows(plan=plan, month=month, scope=scope),
            "unit_rows": sel.unit_rows(plan=plan, month=month, scope=scope),
            "history": sel.submission_history(scope=scope, user=request.user),
            "curve_figure": charts.curve_figure(sel.progress_curve(plan=plan, month=month, scope=scope)),
            "everything": sel.sees_everything(request.user),
        },
    )


@login_required
@require_GET
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("task__project__plan", "parent"), pk=pk)
    task = indicator.task
    if not sel.task_visible(user=request.user, task=task):
        raise Http404
    period = _period(request, plan=task.project.plan)
    scope = Q(indicator=indicator)
    plan, month = period.plan, period.month
    city = sel.city_rows(plan=plan, month=month, scope=scope)
    in_figures = sel.in_figures(indicator)
    return render(
        request,
        "dashboards/indicator.html",
        {
            **period.context,
            "indicator": indicator,
            "task": task,
            "project": task.project,
            "parts": list(indicator.parts.order_by("position")),
            "city": city[0] if city else None,
            "unit_rows": sel.unit_rows(plan=plan, month=month, scope=scope),
            "history": sel.submission_history(scope=scope, user=request.user),
            "curve_figure": charts.curve_figure(
                sel.indicator_curve(indicator=indicator, plan=plan, month=month),
                unit=indicator.unit_of_measure if in_figures else "%",
            ),
            "in_figures": in_figures,
            "everything": sel.sees_everything(request.user),
        },
    )


# --- county view and a unit's page -----------------------------------------------------------

UNIT_GROUPS = [("county", _("县（市、区）及管委会")), ("other", _("市直部门及其他单位")), ("all", _("全部报送单位"))]


@login_required
@require_GET
def county_view(request: HttpRequest) -> HttpResponse:
    _require_everything(request)
    period = _period(request)
    if period is None:
        return _no_plan(request)
    group = request.GET.get("group", "county")
    if group not in dict(UNIT_GROUPS):
        group = "county"
    view = sel.county_view(plan=period.plan, month=period.month, group=group)
    return render(
        request,
        "dashboards/county.html",
        {
            **period.context,
            "view": view,
            "group": group,
            "group_keep": [("group", group)],
            "groups": UNIT_GROUPS,
            "everything": True,
            "heatmap": charts.heatmap_table(view) if view.units and view.indicators else None,
        },
    )


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    if not sel.unit_visible(user=request.user, unit=unit):
        raise Http404
    period = _period(request)
    if period is None:
        return _no_plan(request)
    plan, month = period.plan, period.month
    owes = sel.unit_owes(plan=plan, unit=unit, month=month, today=clock.today())
    group = "county" if unit.kind in sel.REPORTING_KINDS else "other"
    ranking = sel.county_view(plan=plan, month=month, group=group).ranking
    rank = next((r for r in ranking if r.unit.pk == unit.pk), None)
    return render(
        request,
        "dashboards/unit.html",
        {
            **period.context,
            "unit": unit,
            "owes": owes,
            "rank": rank,
            "ranked_units": sum(1 for r in ranking if r.rank is not None),
            "reported": sum(1 for o in owes if o.progress.reported),
            "late": sum(1 for o in owes if o.progress.reported and o.progress.late),
            "everything": sel.sees_everything(request.user),
            "is_county": unit.kind == UnitKind.COUNTY,
        },
    )


# --- lists -----------------------------------------------------------------------------------


class CsvWithBom(TableExport):
    """CSV with a byte-order mark, so that Excel on an office PC opens the Chinese text as UTF-8."""

    def export(self):
        data = super().export()
        return "\ufeff" + data if self.format == self.CSV and isinstance(data, str) else data


@method_decorator(login_required, name="dispatch")
class DashboardListView(ExportMixin, SingleTableMixin, TemplateView):
    """A filtered, sortable, paginated table with CSV and XLSX export of exactly the filtered rows.

    Subclasses set ``table_class``, ``filterset_class``, titles and ``export_name``, and
    ``get_table_data`` when the rows are not simply the FilterSet's queryset. An alerts list is
    one more subclass over the Alert rows."""

    template_name = "dashboards/list.html"
    table_class: type[DashboardTable]
    filterset_class: type[PlanMonthFilterSet]
    export_class = CsvWithBom
    export_formats = (TableExport.CSV, TableExport.XLSX)
    title = ""
    description = ""
    export_name = "list"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            self.check_access(request)
        return super().dispatch(request, *args, **kwargs)

    def check_access(self, request: HttpRequest) -> None:
        """The office and leaders only (404 for anyone else)."""
        _require_everything(request)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.period = _period(request)
        if self.period is None:
            return _no_plan(request)
        self.filterset = self.make_filterset(self.filterset_class, self.base_queryset())
        export_format = request.GET.get(self.export_trigger_param)
        if export_format in self.export_formats:
            # Straight to the file: the page's own table (a count and one page) is not needed.
            self.exporting = True
            response = self.create_export(export_format)
            audit_export(request=request, what=self.export_name, fmt=export_format, obj=self.period.plan)
            return response
        return super().get(request, *args, **kwargs)

    exporting = False

    def get_table_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_table_kwargs()
        if not self.exporting and self.table_class.page_sequence:
            kwargs["sequence"] = self.table_class.page_sequence
        return kwargs

    def get_table_pagination(self, table):
        return False if self.exporting else super().get_table_pagination(table)

    def make_filterset(self, filterset_class: type[PlanMonthFilterSet], queryset) -> PlanMonthFilterSet:
        return filterset_class(
            self.request.GET, queryset, plan=self.period.plan, month=self.period.month, months=self.period.months
        )

    def base_queryset(self):
        return sel.month_progress(plan=self.period.plan, month=self.period.month)[0]

    def get_table_data(self):
        return self.filterset.qs

    def export_month(self) -> date | None:
        """The month the exported rows are of: the page's, or for a list of every month (the
        alerts) the one chosen in its filter, None for all of them."""
        if self.filterset_class.month_required:
            return self.period.month
        month = calendar.month_or_none(self.request.GET.get("month"))
        return month if month in self.period.months else None

    def get_export_filename(self, export_format: str) -> str:
        month = self.export_month()
        which = calendar.month_key(month) if month else f"{self.period.plan.year}-all-months"
        return f"{self.export_name}-{which}.{export_format}"

    def get_dataset_kwargs(self) -> dict[str, str]:
        # An Excel sheet title: at most 31 characters, none of []:*?/\
        month = self.export_month()
        which = calendar.month_key(month) if month else _("全部月份")
        return {"title": f"{self.title} {which}"[:31]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop(self.export_trigger_param, None)
        query.pop("page", None)
        query["plan"] = self.period.plan.pk
        clear = {"plan": self.period.plan.pk}
        if self.filterset_class.month_required:
            query["month"] = clear["month"] = self.period.month.strftime("%Y-%m")
        context.update(
            self.period.context,
            filter=self.filterset,
            everything=True,
            title=self.title,
            description=self.description,
            show_as_of=self.filterset_class.month_required,
            clear_query=urlencode(clear),
            list_name=self.request.resolver_match.url_name,
            export_links=[
                (fmt.upper(), f"?{query.urlencode()}&{self.export_trigger_param}={fmt}") for fmt in self.export_formats
            ],
        )
        return context


class ItemListView(DashboardListView):
    """Units' and the city's items together; the FilterSet's data filters both."""

    table_class = ItemTable
    filterset_class = ItemFilter

    def select(self, queryset):
        return queryset

    def get_table_data(self):
        units, city = sel.month_progress(plan=self.period.plan, month=self.period.month)
        city_filter = self.make_filterset(CityItemFilter, self.select(city))
        units_filter = self.make_filterset(ItemFilter, self.select(units))
        return sel.item_rows(units=units_filter.qs, city=city_filter.qs)


class LaggingListView(ItemListView):
    title = _("滞后事项")
    description = _("亮黄灯、红灯的事项：落后序时进度 10 个百分点及以上，或逾期未完成、节点未启动。")
    export_name = "lagging"

    def select(self, queryset):
        return sel.lagging(queryset)


class OverdueListView(ItemListView):
    table_class = OverdueTable
    title = _("逾期事项")
    description = _("已过完成期限仍未完成的事项。")
    export_name = "overdue"

    def select(self, queryset):
        return sel.overdue(queryset)


class MissingListView(DashboardListView):
    table_class = MissingTable
    filterset_class = MissingFilter
    title = _("未报送事项")
    description = _("本月应报未报（或逾期报送）的数据，按单位列出。")
    export_name = "missing"

    def get_table_data(self):
        return sel.unit_item_rows(self.filterset.qs)


class AlertListView(DashboardListView):
    """The alerts the scans raised: the office and leaders see all of a plan's; a unit user sees
    its own unit's (the ones addressed to it), and a URL naming another unit is a 404."""

    table_class = AlertTable
    filterset_class = AlertFilter
    title = pgettext_lazy("清单", "预警")
    description = _("系统按序时进度扫描发出的滞后、逾期和未报送预警；默认列出尚未解除的预警。")
    export_name = "alerts"

    def check_access(self, request: HttpRequest) -> None:
        self.everything = sel.sees_everything(request.user)
        self.own_unit = None if self.everything else permissions.acting_unit(request.user)
        if not self.everything and self.own_unit is None:
            raise Http404
        wanted = request.GET.get("unit", "")
        if self.own_unit is not None and wanted and wanted != str(self.own_unit.pk):
            raise Http404

    def base_queryset(self):
        alerts = Alert.objects.filter(plan=self.period.plan).select_related("indicator__task__project", "unit")
        alerts = alert_selectors.with_stage(alerts)
        return alerts if self.own_unit is None else alerts.filter(unit=self.own_unit)

    def make_filterset(self, filterset_class: type[PlanMonthFilterSet], queryset) -> PlanMonthFilterSet:
        units = None if self.own_unit is None else Unit.objects.filter(pk=self.own_unit.pk)
        return filterset_class(
            self.request.GET,
            queryset,
            plan=self.period.plan,
            month=self.period.month,
            months=self.period.months,
            units=units,
        )

    def get_table_kwargs(self) -> dict[str, Any]:
        return {**super().get_table_kwargs(), "link_indicators": self.everything}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["everything"] = self.everything
        return context


# --- the bulletin ----------------------------------------------------------------------------

BULLETIN_FORMATS = {
    "docx": (bulletin_docx_build, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (bulletin_xlsx_build, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@login_required
@require_GET
def bulletin_download(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_everything(request)
    if fmt not in BULLETIN_FORMATS:
        raise Http404
    period = _period(request)
    if period is None:
        raise Http404
    build, content_type = BULLETIN_FORMATS[fmt]
    data = build(plan=period.plan, month=period.month)
    audit_export(
        request=request, what="bulletin", fmt=fmt, obj=period.plan, action=AuditAction.DOWNLOAD,
        detail={"month": period.month},
    )  # fmt: skip
    return FileResponse(
        BytesIO(data),
        as_attachment=True,
        filename=bulletin_filename(plan=period.plan, month=period.month, fmt=fmt),
        content_type=content_type,
    )
