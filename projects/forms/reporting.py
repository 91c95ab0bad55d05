"""Forms of monthly reporting: the figure form, review, reopening, evidence, Excel, month closure."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Indicator, IndicatorKind, RateBasis
from projects.services.reporting import TEXT_LIMITS, FigureInput, fields_for, number_parse

TEXT_FIELDS = ("progress_text", "problems_text", "next_steps_text", "explanation")


class FigureField(forms.CharField):
    """A number as people type it: 1,234 or １２３４ or 12.5; words, NaN and infinity refused.

    A text input (with a numeric keyboard on phones), since a browser's number input would refuse
    or silently drop "1,234" before the server could explain."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control"})

    def to_python(self, value: str | None) -> Decimal | None:  # type: ignore[override]
        return number_parse(super().to_python(value))


# C0 control characters other than tab and line breaks: invisible, never meant (pasted from other
# programs), and a NUL is refused by PostgreSQL; removed rather than refused with Django's message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class PlainTextField(forms.CharField):
    """Free text as typed, less invisible control characters."""

    def to_python(self, value):
        value = super().to_python(value)
        return _CONTROL.sub("", value) if isinstance(value, str) else value


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class FigureForm(forms.Form):
    """One indicator's figure for one month; only the fields its kind needs are shown."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    value = FigureField(label=_("本月累计完成"), required=False)
    numerator = FigureField(label=_("分子"), required=False)
    denominator = FigureField(label=_("分母"), required=False)
    stage = forms.TypedChoiceField(
        label=_("节点阶段"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    progress_text = PlainTextField(
        label=_("进展情况"), required=False, max_length=TEXT_LIMITS["progress_text"], widget=_textarea(4)
    )
    problems_text = PlainTextField(
        label=_("存在问题"), required=False, max_length=TEXT_LIMITS["problems_text"], widget=_textarea()
    )
    next_steps_text = PlainTextField(
        label=_("下步打算"), required=False, max_length=TEXT_LIMITS["next_steps_text"], widget=_textarea()
    )
    explanation = PlainTextField(
        label=_("情况说明"),
        required=False,
        max_length=TEXT_LIMITS["explanation"],
        widget=_textarea(2),
        help_text=_("累计数低于上月、节点阶段倒退时必须说明原因"),
    )
    overshoot_confirmed = forms.BooleanField(
        label=_("确认超目标"),
        required=False,
        help_text=_("填报值远超目标时，请核实后勾选"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, indicator: Indicator, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        wanted = fields_for(indicator)
        for name in ("value", "numerator", "denominator", "stage"):
            if name not in wanted:
                del self.fields[name]
        uom = indicator.unit_of_measure
        if "value" in self.fields:
            if indicator.kind == IndicatorKind.RATE:
                self.fields["value"].label = _("比率（%）")
            elif indicator.kind == IndicatorKind.GROWTH:
                self.fields["value"].label = _("累计增速（%(uom)s）") % {"uom": uom}
                self.fields["value"].help_text = _("年初至本期末比上年同期，下降填负数，如 -1.5")
            elif indicator.kind == IndicatorKind.QUALITATIVE:
                self.fields["value"].label = _("参考数值（%(uom)s）") % {"uom": indicator.figure_unit}
                self.fields["value"].help_text = _("仅供参考，不参与评价；可为负数")
            elif uom:
                self.fields["value"].label = _("本月累计完成（%(uom)s）") % {"uom": uom}
        if indicator.kind == IndicatorKind.QUALITATIVE:
            self.fields["stage"].label = _("工作阶段")
        if "stage" in self.fields:
            self.fields["stage"].choices = [("", _("请选择"))] + [
                (i, f"{s.label}（{s.percent.normalize():f}%）") for i, s in enumerate(indicator.stage_list)
            ]
        if indicator.kind != IndicatorKind.COUNT and indicator.kind != IndicatorKind.AMOUNT:
            del self.fields["overshoot_confirmed"]
        if indicator.kind == IndicatorKind.RATE and indicator.rate_basis == RateBasis.RATIO:
            self.fields["numerator"].help_text = _("如“已筛查人数”")
            self.fields["denominator"].help_text = _("如“应筛查人数”，分子不能大于分母")

    @property
    def figure_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("value", "numerator", "denominator", "stage") if n in self.fields]

    @property
    def text_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in TEXT_FIELDS]

    def figure(self) -> FigureInput:
        data = self.cleaned_data
        return FigureInput(
            value=data.get("value"),
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            stage=data.get("stage"),
            progress_text=data.get("progress_text", "").strip(),
            problems_text=data.get("problems_text", "").strip(),
            next_steps_text=data.get("next_steps_text", "").strip(),
            explanation=data.get("explanation", "").strip(),
            overshoot_confirmed=bool(data.get("overshoot_confirmed")),
        )

    @property
    def submit(self) -> bool:
        return self.data.get("action") == "submit"


class ReviewForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("approve", _("审核通过")), ("return", _("退回修改"))])
    comment = PlainTextField(
        label=_("审核意见"), required=False, max_length=2000, widget=_textarea(2), help_text=_("退回时必填")
    )


class ReopenForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = PlainTextField(label=_("重新打开的原因"), max_length=2000, widget=_textarea(2))


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("佐证材料"),
        help_text=_("JPEG、PNG 图片或 PDF 文件"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".jpg,.jpeg,.png,.pdf"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("填好的月报模板（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )
    submit = forms.BooleanField(
        label=_("导入后直接提交审核"),
        required=False,
        help_text=_("不勾选则导入为草稿，核对后再提交"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class ClosureForm(forms.Form):
    plan = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("close", _("关闭")), ("open", _("开放"))])
    reason = PlainTextField(label=_("说明"), required=False, max_length=200)
