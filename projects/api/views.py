"""The endpoints of ``/api/v1/``: thin views over the selectors and the figures service.

Every call is authenticated by a client's token, limited by its scope and rate, and recorded in
the audit trail (one ``api.call`` record, plus the act for a write)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from projects import calendar, clock
from projects.api import filters as f
from projects.api import schema  # noqa: F401 - the token's security scheme in the OpenAPI document
from projects.api import selectors as api_sel
from projects.api import serializers as s
from projects.api.authentication import ApiTokenAuthentication
from projects.api.permissions import HasClient, ReadScope, WriteScope, check_unit, client_of, readable_units
from projects.api.services import (
    FigureItem,
    FiguresRefused,
    KeyReused,
    api_call_record,
    api_figures_submit,
    figure_row,
    request_hash,
)
from projects.api.throttling import ClientRateThrottle
from projects.audit.models import AuditVia
from projects.audit.services import audit_context
from projects.models import CityProgress, Plan, Project, Submission, Unit, UnitProgress
from projects.selectors import dashboards as dash
from projects.selectors.alerts import open_alerts
from projects.selectors.catalogue import indicators_for_export, plan_export, tasks_for_export
from projects.selectors.reporting import figures_of_month
from projects.services.reporting import FigureInput

# What every endpoint may answer besides its data (the OpenAPI document lists them all).
ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description=_("请求有误（参数或数据）")),
    401: OpenApiResponse(s.ErrorSerializer, description=_("缺少令牌，或令牌无效、已过期")),
    403: OpenApiResponse(s.ErrorSerializer, description=_("权限范围不允许，或来自未允许的地址")),
    404: OpenApiResponse(s.ErrorSerializer, description=_("不存在，或不属于本客户端的单位")),
    429: OpenApiResponse(s.ErrorSerializer, description=_("超过每分钟调用上限")),
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


READ_ERRORS = _errors(400, 401, 403, 404, 429)


class ApiPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        # A page size that is not a whole number from 1 to the maximum is refused, not ignored.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("每页条数应为 1 到 %(max)s 的整数") % {"max": self.max_page_size}]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


def exception_handler(exc, context) -> Response | None:
    """Every refusal in one shape: ``{"detail": "…", "errors": [{"indicator", "field", "message"}]}``."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("不存在，或不属于本客户端的单位"))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"detail": str(data["detail"])}
        return response
    response.data = {"detail": _("请求有误，请按 errors 修改后重新发送"), "errors": list(_flatten(data))}
    return response


def _flatten(data: Any, path: str = "") -> Any:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list) and data and all(isinstance(x, str) for x in data):
        for message in data:
            yield {"indicator": None, "field": path or "non_field_errors", "message": str(message)}
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _flatten(value, f"{path}[{index}]")
    else:
        yield {"indicator": None, "field": path or "non_field_errors", "message": str(data)}


class ApiView(generics.GenericAPIView):
    """What every endpoint shares: the client's token, its scope and rate, one audit record per call."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasClient]
    throttle_classes = [ClientRateThrottle]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    # Whether the ``unit`` filter is checked against the units the client reads (the catalogue,
    # which names every unit anyway, is everyone's).
    unit_scoped = True

    def dispatch(self, request, *args, **kwargs):
        with audit_context(request=request, via=AuditVia.API, source=f"{request.method} {request.path}"):
            return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        reason = ""
        if response.status_code >= 400 and isinstance(getattr(response, "data", None), dict):
            reason = str(response.data.get("detail", ""))
        api_call_record(
            request=request._request if hasattr(request, "_request") else request,
            client=client_of(request) if hasattr(request, "_request") else None,
            status_code=response.status_code,
            reason=reason,
        )
        return response

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.check_parameters(request)

    def allowed_parameters(self, request) -> set[str]:
        if request.method != "GET":
            return set()
        allowed = set(self.filterset_class.base_filters) if getattr(self, "filterset_class", None) else set()
        if self.pagination_class is not None and hasattr(self, "list"):
            allowed |= {self.pagination_class.page_query_param, self.pagination_class.page_size_query_param}
        return allowed

    def check_parameters(self, request) -> None:
        """A parameter the endpoint does not know, given twice or empty is refused (400), never ignored."""
        if not hasattr(self, request.method.lower()) or request.method in ("HEAD", "OPTIONS"):
            return  # answered 405 (or by DRF's metadata) whatever its parameters
        allowed = self.allowed_parameters(request)
        errors = {}
        for name, values in request.query_params.lists():
            if name not in allowed:
                errors[name] = [_("不认识的参数；可用的参数：%(names)s") % {"names": "、".join(sorted(allowed)) or "—"}]
            elif len(values) > 1:
                errors[name] = [_("该参数只能出现一次")]
            elif not values[0].strip():
                errors[name] = [_("该参数不能为空；不筛选时请不要带上它")]
        if errors:
            raise exceptions.ValidationError(errors)

    @property
    def client(self):
        return client_of(self.request)

    def filters(self, queryset: QuerySet) -> Any:
        """The request's filters, checked (400 with the messages), and the unit asked for checked
        against what the client reads (404)."""
        filterset = self.filterset_class(self.request.query_params, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        unit = filterset.form.cleaned_data.get("unit")
        if self.unit_scoped:
            check_unit(self.client, unit.pk if unit is not None else None)
        return filterset

    def plan_month(self, filterset) -> tuple[Plan, date]:
        data = filterset.form.cleaned_data
        plan = data["plan"]
        return plan, data.get("month") or dash.default_month(plan=plan, today=clock.today())

    def own_units(self, queryset: QuerySet, field: str = "unit") -> QuerySet:
        units = readable_units(self.client)
        return queryset if units is None else queryset.filter(**{f"{field}__in": units})

    def page(self, rows, shape) -> Response:
        page = self.paginate_queryset(rows)
        data = self.get_serializer([shape(row) for row in page], many=True).data
        return self.get_paginated_response(data)


# --- the catalogue ---------------------------------------------------------------------------


class CatalogueList(ApiView, generics.ListAPIView):
    row = None
    unit_scoped = False

    def list(self, request, *args, **kwargs) -> Response:
        queryset = self.filters(self.get_queryset()).qs
        return self.page(queryset, type(self).row)


@extend_schema_view(
    get=extend_schema(
        summary=_("方案"),
        description=_("全部方案（年度、文号、类别、起止日期）。"),
        responses={200: s.PlanSerializer(many=True), **READ_ERRORS},
    )
)
class PlanList(CatalogueList):
    queryset = Plan.objects.order_by("-year", "document", "pk")
    serializer_class = s.PlanSerializer
    filterset_class = f.PlanFilter
    row = staticmethod(api_sel.plan_row)


@extend_schema_view(
    get=extend_schema(
        summary=_("方案全文（export_plan 格式）"),
        description=_("与 export_plan 命令相同的方案全文：民生实事、主要任务、指标和单位。"),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("方案 id"))],
        responses={200: s.PlanExportSerializer, **_errors(401, 403, 404, 429)},
    )
)
class PlanDetail(ApiView, generics.RetrieveAPIView):
    queryset = Plan.objects.all()
    serializer_class = s.PlanExportSerializer
    filter_backends = []

    def retrieve(self, request, *args, **kwargs) -> Response:
        plan = self.get_object()
        return Response(self.get_serializer({"id": plan.pk, **plan_export(plan=plan)}).data)


@extend_schema_view(
    get=extend_schema(
        summary=_("民生实事"),
        description=_("各方案的民生实事（项目）。"),
        responses={200: s.ProjectSerializer(many=True), **READ_ERRORS},
    )
)
class ProjectList(CatalogueList):
    queryset = Project.objects.order_by("plan", "number", "pk")
    serializer_class = s.ProjectSerializer
    filterset_class = f.ProjectFilter
    row = staticmethod(api_sel.project_row)


@extend_schema_view(
    get=extend_schema(
        summary=_("主要任务"),
        description=_("主要任务原文及责任单位、配合单位（同 export_plan）。"),
        responses={200: s.TaskSerializer(many=True), **READ_ERRORS},
    )
)
class TaskList(CatalogueList):
    queryset = tasks_for_export()
    serializer_class = s.TaskSerializer
    filterset_class = f.TaskFilter
    row = staticmethod(api_sel.task_row)


@extend_schema_view(
    get=extend_schema(
        summary=_("指标"),
        description=_("指标的目标值、计量单位、类型、期限和报送单位（同 export_plan），另加 id。"),
        responses={200: s.IndicatorSerializer(many=True), **READ_ERRORS},
    )
)
class IndicatorList(CatalogueList):
    queryset = (
        indicators_for_export()
        .select_related("task__project")
        .order_by("task__project__plan", "task__project__number", "task__number", "position", "pk")
    )
    serializer_class = s.IndicatorSerializer
    filterset_class = f.IndicatorFilter
    row = staticmethod(api_sel.indicator_row)


@extend_schema_view(
    get=extend_schema(
        summary=_("单位"),
        description=_("方案所列单位（不含联系人和电话）。"),
        responses={200: s.UnitSerializer(many=True), **READ_ERRORS},
    )
)
class UnitList(CatalogueList):
    queryset = Unit.objects.order_by("position", "pk")
    serializer_class = s.UnitSerializer
    filterset_class = f.UnitFilter
    row = staticmethod(api_sel.unit_row)


# --- progress of a month ---------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary=_("全市进度（某月）"),
        description=_("每个指标截至月末的全市累计、序时进度、完成率和亮灯。仅只读范围的客户端。"),
        responses={200: s.ProgressSerializer(many=True), **READ_ERRORS},
    )
)
class CityProgressList(ApiView, generics.ListAPIView):
    permission_classes = [ReadScope]
    queryset = CityProgress.objects.none()
    serializer_class = s.ProgressSerializer
    filterset_class = f.CityProgressFilter

    def list(self, request, *args, **kwargs) -> Response:
        filterset = self.filters(CityProgress.objects.none())
        plan, month = self.plan_month(filterset)
        _units, city = dash.month_progress(plan=plan, month=month)
        rows = dash.city_item_rows(filterset.filter_queryset(city)).order_by(*api_sel.ITEM_ORDER)
        return self.page(rows, api_sel.progress_row)


@extend_schema_view(
    get=extend_schema(
        summary=_("单位进度（某月）"),
        description=_("每个报送单位在每个指标上截至月末的累计、完成率、亮灯、是否已报、是否逾期。"),
        responses={200: s.ProgressSerializer(many=True), **READ_ERRORS},
    )
)
class UnitProgressList(ApiView, generics.ListAPIView):
    queryset = UnitProgress.objects.none()
    serializer_class = s.ProgressSerializer
    filterset_class = f.UnitProgressFilter

    def list(self, request, *args, **kwargs) -> Response:
        filterset = self.filters(UnitProgress.objects.none())
        plan, month = self.plan_month(filterset)
        units, _city = dash.month_progress(plan=plan, month=month)
        rows = dash.unit_item_rows(self.own_units(filterset.filter_queryset(units))).order_by(*api_sel.ITEM_ORDER)
        return self.page(rows, api_sel.progress_row)


# --- alerts, notices, the bulletin -----------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary=_("预警（未解除）"),
        description=_("与 scan --json 相同的字段，另加 id。"),
        responses={200: s.AlertSerializer(many=True), **READ_ERRORS},
    )
)
class AlertList(ApiView, generics.ListAPIView):
    queryset = open_alerts()
    serializer_class = s.AlertSerializer
    filterset_class = f.AlertFilter

    def list(self, request, *args, **kwargs) -> Response:
        alerts = self.own_units(self.filters(open_alerts()).qs)
        return self.page(alerts, api_sel.alert_row)


@extend_schema_view(
    get=extend_schema(
        summary=_("督办通知单"),
        description=_(
            "已签发的督办通知单，新的在前：办理状态（签收、反馈、核查、办结）、整改期限、是否逾期、"
            "各次整改反馈及核查结果。"
        ),
        responses={200: s.NoticeSerializer(many=True), **READ_ERRORS},
    )
)
class NoticeList(ApiView, generics.ListAPIView):
    queryset = api_sel.notices()
    serializer_class = s.NoticeSerializer
    filterset_class = f.NoticeFilter

    def list(self, request, *args, **kwargs) -> Response:
        notices = self.own_units(self.filters(api_sel.notices()).qs)
        return self.page(notices, partial(api_sel.notice_row, today=clock.today()))


@extend_schema_view(
    get=extend_schema(
        summary=_("月度通报数据"),
        description=_(
            "通报（Word、Excel）所用的数据：总体、各项目和任务的进度、县区排名、未按时报送的单位、红灯事项。"
        ),
        responses={200: s.BulletinSerializer, **READ_ERRORS},
    )
)
class BulletinView(ApiView, generics.RetrieveAPIView):
    permission_classes = [ReadScope]
    queryset = Plan.objects.none()
    serializer_class = s.BulletinSerializer
    filterset_class = f.BulletinFilter

    def retrieve(self, request, *args, **kwargs) -> Response:
        plan, month = self.plan_month(self.filters(Plan.objects.none()))
        return Response(self.get_serializer(api_sel.bulletin_figures(plan=plan, month=month)).data)


# --- figures ---------------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=_("每个请求一个唯一的键（如 UUID）；重试时使用同一个键，不会重复保存"),
)


@extend_schema_view(
    get=extend_schema(
        summary=_("月报数据（export_figures 格式）"),
        description=_("某方案某月的全部月报（各状态），另加 id 和 version（写入时须带上 version）。"),
        responses={200: s.FigureSerializer(many=True), **READ_ERRORS},
    ),
    post=extend_schema(
        summary=_("报送某单位某月的数据"),
        description=_(
            "与填报页面和 Excel 导入相同的校验和提示；全部保存或全部不保存；version 为所依据的版本"
            "（乐观锁）；同一 Idempotency-Key 的重试只保存一次。"
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=s.FiguresInSerializer,
        responses={
            200: s.FiguresOutSerializer,
            **_errors(400, 401, 403, 404, 429),
            409: OpenApiResponse(s.ErrorSerializer, description=_("版本冲突或已锁定，未保存任何数据")),
            422: OpenApiResponse(s.ErrorSerializer, description=_("幂等键已用于内容不同的请求")),
        },
    ),
)
class FigureList(ApiView, generics.ListCreateAPIView):
    queryset = Submission.objects.none()
    serializer_class = s.FigureSerializer
    filterset_class = f.FigureFilter

    def get_permissions(self):
        return [WriteScope()] if self.request.method == "POST" else [HasClient()]

    def get_serializer_class(self):
        return s.FiguresInSerializer if self.request.method == "POST" else s.FigureSerializer

    def list(self, request, *args, **kwargs) -> Response:
        filterset = self.filters(Submission.objects.none())
        plan, month = self.plan_month(filterset)
        figures = self.own_units(filterset.filter_queryset(figures_of_month(plan=plan, month=month)))
        return self.page(figures, figure_row)

    def create(self, request, *args, **kwargs) -> Response:
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > 100:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("请在请求头 Idempotency-Key 中提供本次请求唯一的键（不超过 100 个字符）")]}
            )
        incoming = s.FiguresInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            month = calendar.parse_month(data["month"])
        except ValueError:
            raise exceptions.ValidationError({"month": [_("月份格式应为 YYYY-MM，如 2022-06")]}) from None
        items = [
            FigureItem(
                indicator=item["indicator"],
                version=item["version"],
                numbers={name: item[name] for name in ("value", "numerator", "denominator") if name in item},
                figure=FigureInput(
                    stage=item.get("stage"),
                    progress_text=item["progress_text"].strip(),
                    problems_text=item["problems_text"].strip(),
                    next_steps_text=item["next_steps_text"].strip(),
                    explanation=item["explanation"].strip(),
                    overshoot_confirmed=item["overshoot_confirmed"],
                ),
            )
            for item in data["figures"]
        ]
        try:
            result = api_figures_submit(
                client=self.client,
                unit_id=data["unit"],
                month=month,
                items=items,
                submit=data["submit"],
                key=key,
                fingerprint=request_hash(request.data),
            )
        except Unit.DoesNotExist:
            raise Http404 from None
        except KeyReused as exc:
            return Response({"detail": exc.message}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        except FiguresRefused as exc:
            return Response(
                {"detail": exc.message, "errors": [asdict(e) for e in exc.errors]},
                status=status.HTTP_409_CONFLICT if exc.conflict else status.HTTP_400_BAD_REQUEST,
            )
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return Response(result.body, status=result.status_code, headers=headers)


# --- the OpenAPI document and its reference page ---------------------------------------------


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document, generated from the code; public (it holds no data)."""

    authentication_classes = []
    permission_classes = [AllowAny]


class ReferenceView(SpectacularSwaggerSplitView):
    """The browsable reference (Swagger UI from drf-spectacular-sidecar, served by the app; its
    script is a separate file, so the page keeps the site's CSP)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
