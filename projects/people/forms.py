"""Forms of the people's side: they check what was typed; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Plan, Project, Unit
from projects.people.models import Candidate, CongressSession, Proposal, ProposalStatus


class Styled:
    """Bootstrap's classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ProposalForm(Styled, forms.Form):
    title = forms.CharField(label=_("建议标题"), max_length=100)
    body = forms.CharField(label=_("建议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))
    place = forms.CharField(label=_("涉及地点（可不填）"), max_length=100, required=False)
    contact = forms.CharField(label=_("联系方式（可不填，仅工作人员可见）"), max_length=100, required=False)
    # Left empty by people; filled by robots that fill every field.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))


class ModerateForm(Styled, forms.Form):
    status = forms.ChoiceField(
        label=_("处理"), choices=[(ProposalStatus.ACCEPTED, _("采纳")), (ProposalStatus.DECLINED, _("不采纳"))]
    )
    note = forms.CharField(label=_("处理意见"), max_length=500, required=False)
    candidate = forms.ModelChoiceField(label=_("并入候选项目"), queryset=Candidate.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = Candidate.objects.select_related("vote").order_by(
            "-vote__opens_at", "number"
        )


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class VoteForm(Styled, forms.Form):
    session = forms.ModelChoiceField(label=_("人代会会议"), queryset=CongressSession.objects.all())
    title = forms.CharField(label=_("名称"), max_length=200)
    plan_year = forms.IntegerField(label=_("实施年度"), min_value=2000, max_value=2100)
    choose = forms.IntegerField(label=_("应选项目数"), min_value=1, max_value=50)
    opens_at = forms.DateTimeField(label=_("投票开始"), widget=LocalDateTimeInput())
    closes_at = forms.DateTimeField(label=_("投票截止"), widget=LocalDateTimeInput())


class CandidateForm(Styled, forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=200)
    description = forms.CharField(label=_("建设内容"), widget=forms.Textarea(attrs={"rows": 3}))
    estimated_cost = forms.DecimalField(
        label=_("估算投资（万元）"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    lead_units = forms.ModelMultipleChoiceField(label=_("责任单位"), queryset=Unit.objects.all())
    cooperating_units = forms.ModelMultipleChoiceField(label=_("配合单位"), queryset=Unit.objects.all(), required=False)
    proposals = forms.ModelMultipleChoiceField(
        label=_("来自群众建议"), queryset=Proposal.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = Proposal.objects.filter(candidate__isnull=True).exclude(
            status=ProposalStatus.DECLINED
        )


class BallotForm(forms.Form):
    def __init__(self, *args, candidates, choose: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose = choose
        self.fields["candidates"] = forms.TypedMultipleChoiceField(
            label=_("候选项目"),
            choices=[(c.pk, str(c)) for c in candidates],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
        )


class RatingForm(Styled, forms.Form):
    session = forms.ModelChoiceField(label=_("人代会会议"), queryset=CongressSession.objects.all())
    plan = forms.ModelChoiceField(label=_("测评的方案"), queryset=Plan.objects.all())
    opens_at = forms.DateTimeField(label=_("测评开始"), widget=LocalDateTimeInput())
    closes_at = forms.DateTimeField(label=_("测评截止"), widget=LocalDateTimeInput())
    threshold = forms.DecimalField(
        label=_("满意率警戒线（%）"), min_value=0, max_value=100, initial=80, decimal_places=2
    )


RATING_CHOICES = [("satisfied", _("满意")), ("basically", _("基本满意")), ("unsatisfied", _("不满意"))]


class RatingBallotForm(forms.Form):
    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.projects = list(projects)
        for project in self.projects:
            self.fields[f"p{project.pk}"] = forms.ChoiceField(
                label=str(project), choices=RATING_CHOICES, widget=forms.RadioSelect,
                error_messages={"required": _("请对这个项目作出评价")},
            )  # fmt: skip

    def choices(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"p{p.pk}"] for p in self.projects}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class InspectionForm(Styled, forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    visited_on = forms.DateField(label=_("视察日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=200)
    notes = forms.CharField(label=_("视察情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    photos = MultipleImageField(label=_("照片（JPEG、PNG，可多选）"), required=False)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class SuggestionForm(Styled, forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    lead_unit = forms.ModelChoiceField(label=_("承办单位（项目责任单位）"), queryset=Unit.objects.all())
    text = forms.CharField(label=_("建议内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class ReplyForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("答复内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ConcludeForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("accept", _("满意，办结")), ("reopen", _("不满意，继续办理"))])
    text = forms.CharField(label=_("意见"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PhotoPublishForm(Styled, forms.Form):
    caption = forms.CharField(label=_("照片说明（不写人名）"), max_length=200)
