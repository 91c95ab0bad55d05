"""The office's pages of the people's side: publication and photos, the proposals' moderation
queue, the vote (candidates, live count, draft plan) and the rating (result, Word report)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects import clock
from projects.audit.actions import AuditAction
from projects.audit.services import audit_export
from projects.models import Evidence, Plan
from projects.people.forms import CandidateForm, ModerateForm, PhotoPublishForm, RatingForm, VoteForm
from projects.people.models import Publication, PublicPhoto, Rating, Vote
from projects.people.report import rating_report_docx
from projects.people.selectors import deputies as deputies_sel
from projects.people.selectors import public as public_sel
from projects.people.selectors import rating as rating_sel
from projects.people.selectors import vote as vote_sel
from projects.people.services import public as public_svc
from projects.people.services import rating as rating_svc
from projects.people.services import vote as vote_svc
from projects.people.views.common import office_only, refused

SERVICE_ERRORS = (ValidationError, PermissionDenied, ObjectDoesNotExist)


@office_only
@require_GET
def office_home(request: HttpRequest) -> HttpResponse:
    published = set(Publication.objects.values_list("plan_id", flat=True))
    snapshots = {s.plan_id: s for s in public_sel.public_snapshots()}
    plans = [
        {
            "plan": p,
            "published": p.pk in published,
            "snapshot": snapshots.get(p.pk),
            "closed": public_sel.last_closed_month(p),
        }
        for p in Plan.objects.order_by("-year", "pk")
    ]
    now = clock.now()
    votes = [{"vote": v, "state": vote_sel.state(v, at=now)} for v in Vote.objects.select_related("session")]
    ratings = [
        {"rating": r, "state": rating_sel.state(r, at=now)} for r in Rating.objects.select_related("session", "plan")
    ]
    return render(
        request,
        "people/office/home.html",
        {
            "plans": plans,
            "votes": votes,
            "ratings": ratings,
            "queue": vote_sel.moderation_queue().count(),
            "vote_form": VoteForm(),
            "rating_form": RatingForm(),
        },
    )


@office_only
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    publish = request.POST.get("action") != "unpublish"
    try:
        public_svc.plan_publish(user=request.user, plan_id=pk, publish=publish)
    except SERVICE_ERRORS as exc:
        refused(request, exc)
    else:
        messages.success(request, _("已公开，公开页面显示截至最近关闭月份的进展") if publish else _("已取消公开"))
    return redirect("people:office")


@office_only
@require_GET
def photos(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    return render(
        request,
        "people/office/photos.html",
        {"plan": plan, "evidence": deputies_sel.publishable_evidence(plan), "form": PhotoPublishForm()},
    )


@office_only
@require_POST
def photo_publish(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = get_object_or_404(
        Evidence.objects.select_related("submission__indicator__task__project"), pk=evidence_id
    )
    form = PhotoPublishForm(request.POST)
    plan_id = evidence.submission.indicator.task.project.plan_id
    if not form.is_valid():
        messages.error(request, _("请填写照片说明"))
        return redirect("people:photos", plan_id)
    try:
        public_svc.photo_publish(user=request.user, evidence_id=evidence.pk, caption=form.cleaned_data["caption"])
    except SERVICE_ERRORS as exc:
        refused(request, exc)
    else:
        messages.success(request, _("照片已公开"))
    return redirect("people:photos", plan_id)


@office_only
@require_POST
def photo_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(
        PublicPhoto.objects.select_related("evidence__submission__indicator__task__project"), pk=pk
    )
    plan_id = photo.evidence.submission.indicator.task.project.plan_id
    try:
        public_svc.photo_unpublish(user=request.user, photo_id=photo.pk)
    except SERVICE_ERRORS as exc:
        refused(request, exc)
    else:
        messages.success(request, _("照片已撤下"))
    return redirect("people:photos", plan_id)


# --- proposals ------------------------------------------------------------------------------


@office_only
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "people/office/proposals.html",
        {"queue": vote_sel.moderation_queue(), "done": vote_sel.proposals_moderated(), "form": ModerateForm()},
    )


@office_only
@require_POST
def proposal_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择采纳或不采纳"))
        return redirect("people:proposals")
    candidate = form.cleaned_data["candidate"]
    try:
        vote_svc.proposal_moderate(
            user=request.user, proposal_id=pk, status=form.cleaned_data["status"], note=form.cleaned_data["note"],
            candidate_id=candidate.pk if candidate else None,
        )  # fmt: skip
    except SERVICE_ERRORS as exc:
        refused(request, exc)
    else:
        messages.success(request, _("建议已处理"))
    return redirect("people:proposals")


# --- the vote -------------------------------------------------------------------------------


@office_only
@require_POST
def vote_new(request: HttpRequest) -> HttpResponse:
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            vote = vote_svc.vote_create(
                user=request.user, session_id=data["session"].pk, title=data["title"], plan_year=data["plan_year"],
                choose=data["choose"], opens_at=data["opens_at"], closes_at=data["closes_at"],
            )  # fmt: skip
        except SERVICE_ERRORS as exc:
            refused(request, exc)
        else:
            return redirect("people:vote_office", vote.pk)
    else:
        messages.error(
            request, _("票决设置有误：%(errors)s") % {"errors": "；".join(e for es in form.errors.values() for e in es)}
        )
    return redirect("people:office")


def _vote_page(request: HttpRequest, vote: Vote, form: CandidateForm) -> HttpResponse:
    return render(
        request,
        "people/office/vote.html",
        {"count": vote_sel.vote_count(vote), "state": vote_sel.state(vote, at=clock.now()), "form": form},
    )


@office_only
@require_GET
def vote_office(request: HttpRequest, pk: int) -> HttpResponse:
    return _vote_page(request, get_object_or_404(Vote.objects.select_related("session"), pk=pk), CandidateForm())


@office_only
@require_GET
def vote_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live count (htmx polls it while the window is open)."""
    vote = get_object_or_404(Vote, pk=pk)
    return render(
        request,
        "people/office/_count.html",
        {"count": vote_sel.vote_count(vote), "state": vote_sel.state(vote, at=clock.now())},
    )


@office_only
@require_POST
def candidate_new(request: HttpRequest, pk: int) -> HttpResponse:
    vote = get_object_or_404(Vote.objects.select_related("session"), pk=pk)
    form = CandidateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            vote_svc.candidate_save(
                user=request.user, vote_id=vote.pk, title=data["title"], description=data["description"],
                estimated_cost=data["estimated_cost"], lead_unit_ids=[u.pk for u in data["lead_units"]],
                cooperating_unit_ids=[u.pk for u in data["cooperating_units"]],
                proposal_ids=[p.pk for p in data["proposals"]],
            )  # fmt: skip
        except SERVICE_ERRORS as exc:
            refused(request, exc)
        else:
            messages.success(request, _("候选项目已添加"))
            return redirect("people:vote_office", vote.pk)
    return _vote_page(request, vote, form)


@office_only
@require_GET
def vote_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The chosen candidates as a draft plan file, once the vote has closed."""
    vote = get_object_or_404(Vote, pk=pk)
    if vote_sel.state(vote, at=clock.now()) != "closed":
        messages.error(request, _("投票截止后才能生成方案草稿"))
        return redirect("people:vote_office", vote.pk)
    body = json.dumps(vote_sel.draft_plan(vote_sel.vote_count(vote)), ensure_ascii=False, indent=2)
    audit_export(request=request, what="draft_plan", fmt="json", obj=vote, action=AuditAction.EXPORT)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan_{vote.plan_year}_draft.json"'
    return response


# --- the rating -----------------------------------------------------------------------------


@office_only
@require_POST
def rating_new(request: HttpRequest) -> HttpResponse:
    form = RatingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rating = rating_svc.rating_create(
                user=request.user, session_id=data["session"].pk, plan_id=data["plan"].pk, opens_at=data["opens_at"],
                closes_at=data["closes_at"], threshold=data["threshold"],
            )  # fmt: skip
        except SERVICE_ERRORS as exc:
            refused(request, exc)
        else:
            return redirect("people:rating_office", rating.pk)
    else:
        messages.error(
            request, _("测评设置有误：%(errors)s") % {"errors": "；".join(e for es in form.errors.values() for e in es)}
        )
    return redirect("people:office")


@office_only
@require_GET
def rating_office(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(Rating.objects.select_related("session", "plan"), pk=pk)
    return render(
        request,
        "people/office/rating.html",
        {"result": rating_sel.rating_result(rating), "state": rating_sel.state(rating, at=clock.now())},
    )


@office_only
@require_GET
def rating_report(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(Rating.objects.select_related("session", "plan"), pk=pk)
    if rating_sel.state(rating, at=clock.now()) != "closed":
        messages.error(request, _("测评截止后才能生成报告"))
        return redirect("people:rating_office", rating.pk)
    data = rating_report_docx(rating_sel.rating_result(rating), issued_on=clock.today())
    audit_export(request=request, what="rating_report", fmt="docx", obj=rating)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="rating_{rating.plan.year}_{rating.pk}.docx"'
    return response
