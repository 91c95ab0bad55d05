"""Forms of the supervision loop: answering, verifying, instructions and close-outs."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.forms.reporting import PlainTextField
from projects.models import Unit
from projects.supervision.selectors import FigureChoice

# What one answer or application may say: long enough for a page of a report.
TEXT_LIMIT = 5000


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files at once (Django's documented pattern); the services check each one."""

    widget = MultipleFileInput(attrs={"class": "form-control", "accept": ".jpg,.jpeg,.png,.pdf"})

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class VersionedForm(forms.Form):
    """Carries the version of the item the page showed: a stale form is refused."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class AnswerForm(VersionedForm):
    text = PlainTextField(
        label=_("整改落实情况"),
        max_length=TEXT_LIMIT,
        widget=_textarea(5),
        help_text=_("做了什么、取得了什么效果、下一步怎么做"),
    )
    figures = forms.TypedMultipleChoiceField(
        label=_("本次整改改变的数据"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选后，反馈中记下这些数据当前的数值"),
    )
    new_date = forms.DateField(
        label=_("申请调整的完成时限"),
        required=False,
        widget=_date(),
        help_text=_("如需延期完成，请填写新的完成时间；不需要则留空"),
    )
    files = FilesField(label=_("佐证材料"), help_text=_("JPEG、PNG 图片或 PDF 文件，可一次选择多个"))

    def __init__(self, *args, choices: Sequence[FigureChoice] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["figures"].choices = [
            (c.indicator.pk, f"{c.indicator.code} {c.indicator.name}：{c.text or '—'}") for c in choices
        ]
        if not choices:
            del self.fields["figures"]


class VerifyForm(VersionedForm):
    reason = PlainTextField(
        label=_("核查意见"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_textarea(3),
        help_text=_("退回时必填：还需要做什么、补充什么"),
    )
    deadline = forms.DateField(
        label=_("重新反馈期限"), required=False, widget=_date(), help_text=_("退回时可另定期限；留空则沿用原期限")
    )


class InstructionForm(forms.Form):
    text = PlainTextField(label=_("批示内容"), max_length=TEXT_LIMIT, widget=_textarea(5))
    units = forms.ModelMultipleChoiceField(
        label=_("需要回复的单位"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个需要回复的单位")},
    )
    deadline = forms.DateField(label=_("回复期限"), widget=_date())

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["units"].queryset = units


class CloseOutApplyForm(forms.Form):
    note = PlainTextField(
        label=_("完成情况说明"),
        max_length=TEXT_LIMIT,
        widget=_textarea(5),
        help_text=_("目标完成的情况、依据和验收情况"),
    )
    files = FilesField(label=_("佐证材料"), help_text=_("JPEG、PNG 图片或 PDF 文件，可一次选择多个"))


class CloseOutDecideForm(VersionedForm):
    reason = PlainTextField(
        label=_("核查意见"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=_textarea(3),
        help_text=_("不予销号时必填"),
    )


class CloseOutReopenForm(VersionedForm):
    reason = PlainTextField(label=_("重新打开的原因"), max_length=TEXT_LIMIT, widget=_textarea(3))
