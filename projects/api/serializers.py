"""The shapes of the API, for its OpenAPI document and its answers.

Answers are built by ``projects.api.selectors`` (the exchange shapes of the commands) and passed
through these serializers, so that what is sent is what the document describes, key for key.
Numbers stay the plain JSON numbers of the contracts (60000, 12.5), never strings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.forms import reporting as forms
from projects.models import (
    AlertKind,
    AlertScope,
    Direction,
    IndicatorKind,
    LightChoices,
    PlanKind,
    Severity,
    SubmissionStatus,
    UnitKind,
)
from projects.services.reporting import TEXT_LIMITS
from projects.supervision.models import AnswerOutcome
from projects.supervision.states import LoopState


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A number already made plain by ``projects.selectors.catalogue.number``."""

    def to_representation(self, value: Any) -> Any:
        return value


def _n(**kwargs) -> NumberField:
    return NumberField(allow_null=True, **kwargs)


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, **kwargs)


# --- the catalogue ---------------------------------------------------------------------------


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    document = serializers.CharField(help_text=_("文号"))
    kind = _choice(PlanKind.choices)
    title = serializers.CharField()
    issuing_body = serializers.CharField()
    issued_on = serializers.DateField()
    start = serializers.DateField()
    default_deadline = serializers.DateField()
    due_day = serializers.IntegerField(help_text=_("每月数据在次月的第几日前报送"))


class PlanExportSerializer(serializers.Serializer):
    """``export_plan``'s document (docs/plan-format.md), with the plan's id."""

    id = serializers.IntegerField()
    year = serializers.IntegerField()
    document = serializers.CharField()
    kind = _choice(PlanKind.choices)
    projects = serializers.JSONField(help_text=_("民生实事、主要任务和指标，同 export_plan"))


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField()
    project_id = serializers.IntegerField()
    project = serializers.IntegerField(help_text=_("民生实事序号"))
    code = serializers.CharField()
    number = serializers.IntegerField()
    text = serializers.CharField(help_text=_("任务原文"))
    lead_units = serializers.ListField(child=serializers.CharField())
    cooperating_units = serializers.ListField(child=serializers.CharField())


class IndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField()
    code = serializers.CharField()
    project = serializers.IntegerField()
    task = serializers.IntegerField()
    task_id = serializers.IntegerField()
    name = serializers.CharField()
    target = _n()
    unit = serializers.CharField(help_text=_("计量单位"))
    kind = _choice(IndicatorKind.choices)
    direction = _choice(Direction.choices)
    deadline = serializers.DateField()
    deadline_text = serializers.CharField(help_text=_("期限原文"))
    parent = serializers.CharField(allow_null=True)
    reporting_units = serializers.ListField(child=serializers.CharField())


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = _choice(UnitKind.choices)


# --- progress, alerts, notices, the bulletin -------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    level = _choice(AlertScope.choices, help_text=_("单位的一行，或全市的一行"))
    project = serializers.IntegerField()
    task = serializers.IntegerField()
    code = serializers.CharField()
    indicator = serializers.CharField()
    indicator_id = serializers.IntegerField()
    kind = _choice(IndicatorKind.choices)
    unit = serializers.CharField(help_text=_("单位名称；全市一行为“全市”"))
    unit_id = serializers.IntegerField(allow_null=True)
    month = serializers.CharField(help_text="YYYY-MM")
    value = _n(help_text=_("截至月末的累计完成"))
    stage = serializers.IntegerField(allow_null=True)
    target = _n()
    expected = _n(help_text=_("序时进度（%）"))
    completion = _n(help_text=_("完成率（%）"))
    light = _choice(LightChoices.choices, allow_null=True)
    overdue = serializers.BooleanField()
    not_started = serializers.BooleanField()
    reported = serializers.BooleanField(allow_null=True)
    late = serializers.BooleanField(allow_null=True)
    deadline = serializers.DateField()
    deadline_text = serializers.CharField()


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField()
    scope = _choice(AlertScope.choices)
    indicator_id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    code = serializers.CharField()
    kind = _choice(AlertKind.choices)
    severity = _choice(Severity.choices)
    project = serializers.IntegerField()
    task = serializers.IntegerField()
    indicator = serializers.CharField()
    unit = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    expected = _n()
    actual = _n()
    plan_id = serializers.IntegerField()
    plan_document = serializers.CharField()
    plan_kind = _choice(PlanKind.choices)
    opened_at = serializers.CharField()


class AnswerSerializer(serializers.Serializer):
    """One 整改反馈 to a notice and the office's verification of it."""

    number = serializers.IntegerField(help_text=_("第几次反馈"))
    text = serializers.CharField(help_text=_("整改落实情况"))
    figures = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        help_text=_("反馈时涉及的数据：indicator（指标编号）、name、month、figure、status"),
    )
    new_date = serializers.DateField(allow_null=True, help_text=_("申请调整的完成时限"))
    answered_at = serializers.CharField()
    late = serializers.BooleanField(help_text=_("是否逾期反馈"))
    outcome = _choice(
        [c for c in AnswerOutcome.choices if c[0]], allow_null=True, help_text=_("核查结果；null 为待核查")
    )
    outcome_reason = serializers.CharField(allow_blank=True, help_text=_("核查意见（退回时的原因）"))
    verified_at = serializers.CharField(allow_null=True)


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField()
    code = serializers.CharField(help_text=_("如：督办〔2022〕3号"))
    number = serializers.IntegerField()
    project = serializers.IntegerField()
    task = serializers.IntegerField()
    indicator = serializers.CharField()
    indicator_id = serializers.IntegerField()
    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    lead_unit = serializers.CharField(allow_null=True)
    responsible_person = serializers.CharField(allow_blank=True)
    problem = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    deadline = serializers.DateField()
    issued_at = serializers.CharField()
    acknowledged_at = serializers.CharField(allow_null=True)
    state = _choice(LoopState.choices, help_text=_("办理状态：待签收、已签收、已反馈待核查、已退回、已办结"))
    overdue = serializers.BooleanField(help_text=_("仍待单位反馈且已过整改期限"))
    answered_at = serializers.CharField(allow_null=True, help_text=_("最近一次反馈的时间"))
    closed_at = serializers.CharField(allow_null=True, help_text=_("核查通过、办结的时间"))
    answers = AnswerSerializer(many=True, help_text=_("各次整改反馈及核查结果，先反馈的在前"))


class StandingSerializer(serializers.Serializer):
    completion = _n()
    expected = _n()
    gap = _n(help_text=_("落后序时进度的百分点（负数为超前）"))
    light = _choice(LightChoices.choices, allow_null=True)
    indicators = serializers.IntegerField()
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    overdue = serializers.IntegerField()


class ProjectStandingSerializer(StandingSerializer):
    number = serializers.IntegerField()
    title = serializers.CharField()


class TaskStandingSerializer(StandingSerializer):
    project = serializers.IntegerField()
    number = serializers.IntegerField()
    code = serializers.CharField()


class ReportingSerializer(serializers.Serializer):
    due = serializers.DateField()
    expected = serializers.IntegerField()
    reported = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    rate = _n()
    on_time_rate = _n()


class RankingSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    score = _n()
    rated = serializers.IntegerField()
    items = serializers.IntegerField()
    reported = serializers.IntegerField()
    late = serializers.IntegerField()
    red = serializers.IntegerField()


class LateUnitSerializer(serializers.Serializer):
    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    expected = serializers.IntegerField()
    missing = serializers.IntegerField()
    late = serializers.IntegerField()


class BulletinSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    overall = StandingSerializer()
    reporting = ReportingSerializer()
    projects = ProjectStandingSerializer(many=True)
    tasks = TaskStandingSerializer(many=True)
    ranking = RankingSerializer(many=True)
    late_units = LateUnitSerializer(many=True)
    red_items = ProgressSerializer(many=True)


# --- figures ---------------------------------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    """``export_figures``' row with the ids and the version a next write sends."""

    project = serializers.IntegerField()
    task = serializers.IntegerField()
    indicator = serializers.CharField()
    unit = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    value = _n()
    numerator = _n()
    denominator = _n()
    stage = serializers.IntegerField(allow_null=True)
    status = _choice(SubmissionStatus.choices)
    submitted_at = serializers.CharField(allow_null=True)
    late = serializers.BooleanField()
    id = serializers.IntegerField()
    indicator_id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    version = serializers.IntegerField()


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}], "nullable": True})
class FigureNumberField(serializers.Field):
    """A number as the form and the Excel import take it: 1234, "1,234.5", "１２３４". Read by the
    service with ``number_parse``, so that a bad one gets the form's message, by indicator."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list | dict):
            raise serializers.ValidationError(_("请输入数字"))
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class PlainTextField(serializers.CharField):
    """Free text as the form takes it (``PlainTextField``): invisible control characters removed."""

    def to_internal_value(self, data: Any) -> str:
        return forms.PlainTextField().to_python(super().to_internal_value(data))


def _text(name: str) -> serializers.CharField:
    return PlainTextField(required=False, allow_blank=True, max_length=TEXT_LIMITS[name], default="")


class FigureInSerializer(serializers.Serializer):
    """One indicator's figure: the fields its kind needs (``value``; ``numerator`` and
    ``denominator`` for a rate of counts; ``stage`` for a milestone), as on the form."""

    indicator = serializers.IntegerField(help_text=_("指标 id（/api/v1/indicators/）"))
    version = serializers.IntegerField(
        min_value=0, help_text=_("所依据的版本：尚未填报为 0，否则为 /api/v1/figures/ 返回的 version")
    )
    value = FigureNumberField()
    numerator = FigureNumberField()
    denominator = FigureNumberField()
    stage = serializers.IntegerField(required=False, allow_null=True, help_text=_("节点阶段序号（0 为未启动）"))
    progress_text = _text("progress_text")
    problems_text = _text("problems_text")
    next_steps_text = _text("next_steps_text")
    explanation = _text("explanation")
    overshoot_confirmed = serializers.BooleanField(required=False, default=False)


class FiguresInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text=_("报送单位 id：须为本客户端可报送的单位"))
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    submit = serializers.BooleanField(default=True, help_text=_("true：报送（提交审核）；false：保存为草稿"))
    figures = FigureInSerializer(many=True, allow_empty=False, max_length=500)


class FiguresOutSerializer(serializers.Serializer):
    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    submit = serializers.BooleanField()
    figures = FigureSerializer(many=True)


# --- errors ----------------------------------------------------------------------------------


class ErrorItemSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(allow_null=True, help_text=_("出错的指标 id；与单个指标无关时为空"))
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True, required=False)
