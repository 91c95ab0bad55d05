"""Forms of the office's plan pages: each edits a part of the plan's file (docs/plan-format.md).

A form only reads what was typed; the plan itself is checked as ``load_plan`` checks a file
(``services.plans.plan_edit``), and the problems come back to the fields they are about.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.calendar import Frequency
from projects.forms.reporting import FigureField, PlainTextField
from projects.models import Aggregation, Direction, IndicatorKind, PlanKind, RateBasis, Unit
from projects.planfile import PLAN_KINDS

_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **_INPUT})


def _date() -> forms.DateField:
    return forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date", **_INPUT}, format="%Y-%m-%d"))


def _lines(value: str) -> list[str]:
    """Names one a line (or separated by 、), blanks dropped."""
    return [n.strip() for line in value.splitlines() for n in line.split("、") if n.strip()]


class NamesField(PlainTextField):
    """Units or unit groups, one a line, in order."""

    widget = _text(4)

    def prepare_value(self, value: Any) -> str:
        return "\n".join(value) if isinstance(value, list) else (value or "")

    def clean(self, value: Any) -> list[str]:
        return _lines(super().clean(value) or "")


class JSONTextField(PlainTextField):
    """A small JSON value typed by the office (stages, a monthly plan); numbers read exactly."""

    widget = _text(3)

    def prepare_value(self, value: Any) -> str:
        if value in (None, "", [], {}):
            return ""
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)

    def clean(self, value: Any) -> Any:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        try:
            return json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise ValidationError(_("JSON 格式错误：%(msg)s") % {"msg": exc.msg}) from exc


class RevisionForm(forms.Form):
    """What every plan form carries: the revision it was made on, and whether it may change units
    that other plans share."""

    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    update_units = forms.BooleanField(
        label=_("同时修改共用单位"),
        required=False,
        help_text=_("文件改变了其他方案也在用的单位（类别）时须勾选；改动会列出"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class PlanHeaderForm(RevisionForm):
    title = PlainTextField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=_INPUT))
    kind = forms.ChoiceField(
        label=_("方案类别"), choices=[(k, PlanKind(k).label) for k in PLAN_KINDS], widget=forms.Select(attrs=_SELECT)
    )
    issuing_body = PlainTextField(label=_("发文机关"), max_length=100, widget=forms.TextInput(attrs=_INPUT))
    issued_on = _date()
    start = _date()
    default_deadline = _date()
    validity_text = PlainTextField(label=_("有效期原文"), required=False, widget=_text(2))
    due_day = forms.IntegerField(
        label=_("月报截止日"), min_value=1, max_value=28, widget=forms.NumberInput(attrs=_INPUT)
    )
    yellow_gap = FigureField(label=_("黄灯阈值（百分点）"))
    red_gap = FigureField(label=_("红灯阈值（百分点）"))
    milestone_grace_months = forms.IntegerField(
        label=_("节点未启动亮红灯（月）"), min_value=0, widget=forms.NumberInput(attrs=_INPUT)
    )
    overshoot_confirm_percent = forms.IntegerField(
        label=_("超目标确认比例（%）"), min_value=100, widget=forms.NumberInput(attrs=_INPUT)
    )
    source = PlainTextField(label=_("来源"), required=False, max_length=200, widget=forms.TextInput(attrs=_INPUT))
    notes = PlainTextField(label=_("说明"), required=False, widget=_text(4))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in (
            ("issued_on", _("发文日期")),
            ("start", _("起始日期")),
            ("default_deadline", _("默认完成期限")),
        ):
            self.fields[name].label = label
            self.fields[name].required = True


class GroupForm(RevisionForm):
    members = forms.ModelMultipleChoiceField(
        label=_("成员单位"),
        queryset=Unit.objects.order_by("position", "pk"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 16, **_SELECT}),
        help_text=_("按住 Ctrl 可多选；成员单位在单位组出现的每个任务和指标中替代单位组"),
    )


class TaskForm(RevisionForm):
    text = PlainTextField(label=_("任务原文"), widget=_text(5))
    lead_units = NamesField(label=_("责任单位"), help_text=_("每行一个单位或单位组，按原文顺序"))
    cooperating_units = NamesField(label=_("配合单位"), required=False)
    lead_units_text = PlainTextField(label=_("责任单位原文"), required=False, widget=_text(2))
    cooperating_units_text = PlainTextField(label=_("配合单位原文"), required=False, widget=_text(2))
    valid_from = _date()
    valid_until = _date()
    validity_text = PlainTextField(
        label=_("有效期原文"), required=False, widget=_text(2), help_text=_("有效期所依据的原文，多段用“…”连接")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].label = _("有效期起")
        self.fields["valid_until"].label = _("有效期止")


def _choices(model_choices) -> list[tuple[str, str]]:
    return list(model_choices)


class IndicatorForm(RevisionForm):
    name = PlainTextField(label=_("指标名称"), max_length=200, widget=forms.TextInput(attrs=_INPUT))
    kind = forms.ChoiceField(
        label=_("类型"), choices=_choices(IndicatorKind.choices), widget=forms.Select(attrs=_SELECT)
    )
    unit = PlainTextField(label=_("计量单位"), required=False, max_length=20, widget=forms.TextInput(attrs=_INPUT))
    target = FigureField(label=_("目标值"), required=False, help_text=_("增速可为负数（下降）；定性指标留空"))
    target_confirmed = forms.BooleanField(
        label=_("目标已确认"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    direction = forms.ChoiceField(
        label=_("方向"), choices=_choices(Direction.choices), widget=forms.Select(attrs=_SELECT)
    )
    tolerance = FigureField(label=_("容差"), required=False, help_text=_("“左右”：目标不利一侧仍算完成的幅度"))
    frequency = forms.ChoiceField(
        label=_("报送频次"),
        choices=[
            (Frequency.MONTHLY.value, _("按月")),
            (Frequency.QUARTERLY.value, _("按季度")),
            (Frequency.YEARLY.value, _("按年")),
        ],
        widget=forms.Select(attrs=_SELECT),
    )
    start = _date()
    deadline = _date()
    deadline_text = PlainTextField(label=_("期限原文"), max_length=100, widget=forms.TextInput(attrs=_INPUT))
    aggregation = forms.ChoiceField(
        label=_("汇总方式"), choices=_choices(Aggregation.choices), widget=forms.Select(attrs=_SELECT)
    )
    rate_basis = forms.ChoiceField(
        label=_("比率填报方式"), choices=_choices(RateBasis.choices), widget=forms.Select(attrs=_SELECT)
    )
    reporting_units = NamesField(label=_("报送单位"), help_text=_("每行一个单位或单位组"))
    base_year = forms.IntegerField(label=_("基期年份"), required=False, widget=forms.NumberInput(attrs=_INPUT))
    base_value = FigureField(label=_("基期数值"), required=False)
    base_unit = PlainTextField(
        label=_("基期数值单位"), required=False, max_length=20, widget=forms.TextInput(attrs=_INPUT)
    )
    base_text = PlainTextField(label=_("基期数值原文"), required=False, widget=_text(2))
    figure_unit = PlainTextField(
        label=_("参考数值单位"), required=False, max_length=20, widget=forms.TextInput(attrs=_INPUT)
    )
    planned_start = _date()
    stages = JSONTextField(
        label=_("阶段"), required=False, help_text=_('如 [{"label": "部署启动", "percent": 20}, …]，留空用默认阶段')
    )
    monthly_plan = JSONTextField(label=_("月度计划"), required=False, help_text=_('如 {"2022-06": 40, "2022-12": 100}'))
    source_text = PlainTextField(label=_("原文"), widget=_text(3))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in (
            ("start", _("起始日期")),
            ("deadline", _("完成期限")),
            ("planned_start", _("计划启动日期")),
        ):
            self.fields[name].label = label
        self.fields["deadline"].required = True


class CopyForm(forms.Form):
    year = forms.IntegerField(
        label=_("新年度"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    document = forms.CharField(
        label=_("新方案文号"), max_length=50, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    title = forms.CharField(
        label=_("新方案标题"),
        max_length=200,
        required=False,
        help_text=_("留空则把原标题中的年份换成新年度"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
