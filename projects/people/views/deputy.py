"""The deputies' pages (and the lead units' side of suggestions): progress, the ballot, the
rating, inspections and suggestions. A deputy reads figures; no page here writes one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from projects import calendar, clock, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import audit_export
from projects.models import Unit
from projects.people.forms import BallotForm, ConcludeForm, InspectionForm, RatingBallotForm, ReplyForm, SuggestionForm
from projects.people.models import InspectionPhoto, Rating, Vote
from projects.people.selectors import deputies as sel
from projects.people.selectors import rating as rating_sel
from projects.people.selectors import vote as vote_sel
from projects.people.services import deputies as svc
from projects.people.services import rating as rating_svc
from projects.people.services import vote as vote_svc
from projects.people.views.common import deputy_only, refused
from projects.supervision import states
from projects.supervision.states import Actor, LoopAction

SERVICE_ERRORS = (ValidationError, PermissionDenied, ObjectDoesNotExist)


@deputy_only
@require_GET
def deputy_home(request: HttpRequest) -> HttpResponse:
    deputy = request.deputy
    now = clock.now()
    votes = [
        {"vote": v, "state": vote_sel.state(v, at=now), "voted": vote_sel.has_voted(vote=v, deputy=deputy)}
        for v in sel.votes_of(deputy)
    ]
    ratings = [
        {"rating": r, "state": rating_sel.state(r, at=now), "rated": rating_sel.has_rated(rating=r, deputy=deputy)}
        for r in sel.ratings_of(deputy)
    ]
    return render(
        request,
        "people/deputy/home.html",
        {
            "deputy": deputy,
            "votes": votes,
            "ratings": ratings,
            "inspections": sel.inspections_of(deputy)[:20],
            "suggestions": sel.suggestions_visible_to(request.user)[:20],
        },
    )


@deputy_only
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    return render(request, "people/deputy/progress.html", {"overviews": sel.plans_progress()})


# --- the vote -------------------------------------------------------------------------------


@deputy_only
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    deputy = request.deputy
    vote = get_object_or_404(Vote.objects.select_related("session"), pk=pk, session=deputy.session)
    state = vote_sel.state(vote, at=clock.now())
    candidates = list(vote.candidates.prefetch_related("lead_units").order_by("number"))
    form = BallotForm(request.POST or None, candidates=candidates, choose=vote.choose)
    if request.method == "POST":
        if form.is_valid():
            try:
                vote_svc.vote_cast(user=request.user, vote_id=vote.pk, candidate_ids=form.cleaned_data["candidates"])
            except SERVICE_ERRORS as exc:
                refused(request, exc)
            else:
                messages.success(request, _("投票成功。投票是无记名的：系统只记下您已投票，不记录您投给了谁。"))
                return redirect("people:ballot", vote.pk)
        else:
            messages.error(request, _("请选择 %(n)s 个项目") % {"n": vote.choose})
    return render(
        request,
        "people/deputy/ballot.html",
        {
            "vote": vote, "state": state, "form": form, "candidates": candidates,
            "voted": vote_sel.has_voted(vote=vote, deputy=deputy),
            "count": vote_sel.vote_count(vote) if state == "closed" else None,
        },
    )  # fmt: skip


# --- the rating -----------------------------------------------------------------------------


@deputy_only
@require_http_methods(["GET", "POST"])
def rating_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    deputy = request.deputy
    rating = get_object_or_404(Rating.objects.select_related("session", "plan"), pk=pk, session=deputy.session)
    state = rating_sel.state(rating, at=clock.now())
    projects = rating.plan.projects.order_by("number")
    form = RatingBallotForm(request.POST or None, projects=projects)
    if request.method == "POST":
        if form.is_valid():
            try:
                rating_svc.rating_cast(user=request.user, rating_id=rating.pk, choices=form.choices())
            except SERVICE_ERRORS as exc:
                refused(request, exc)
            else:
                messages.success(request, _("测评已提交。测评是无记名的：系统只记下您已测评，不记录您的评价。"))
                return redirect("people:rating_ballot", rating.pk)
        else:
            messages.error(request, _("请对每个项目都作出评价"))
    return render(
        request,
        "people/deputy/rating.html",
        {
            "rating": rating, "state": state, "form": form,
            "rated": rating_sel.has_rated(rating=rating, deputy=deputy),
            "result": rating_sel.rating_result(rating) if state == "closed" else None,
        },
    )  # fmt: skip


# --- inspections and suggestions ------------------------------------------------------------


@deputy_only
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    form = InspectionForm(request.POST or None, request.FILES or None, projects=sel.projects_for_deputies())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = svc.inspection_record(
                user=request.user, project_id=data["project"].pk, visited_on=data["visited_on"], place=data["place"],
                notes=data["notes"], photos=data["photos"],
            )  # fmt: skip
        except SERVICE_ERRORS as exc:
            refused(request, exc)
        else:
            messages.success(request, _("视察记录已保存，可以就此提出建议"))
            return redirect(f"{reverse('people:suggestion_new')}?inspection={inspection.pk}")
    return render(request, "people/deputy/inspection_form.html", {"form": form})


@login_required
@require_GET
def inspection_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A deputy's own inspection photo; the office's and the project's lead units' too."""
    photo = get_object_or_404(InspectionPhoto.objects.select_related("inspection__deputy"), pk=pk)
    own = sel.deputy(request.user)
    unit = permissions.acting_unit(request.user)
    allowed = (
        permissions.administers(request.user)
        or (own is not None and photo.inspection.deputy_id == own.pk)
        or (unit is not None and photo.inspection.suggestions.filter(lead_unit=unit).exists())
    )
    if not allowed:
        raise Http404
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_export(
        request=request, what="inspection_photo", fmt=photo.content_type, obj=photo, action=AuditAction.DOWNLOAD
    )
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@deputy_only
@require_http_methods(["GET", "POST"])
def suggestion_new(request: HttpRequest) -> HttpResponse:
    """First the project (from the inspection, or chosen), then the suggestion to one of its lead units."""
    deputy = request.deputy
    projects = sel.projects_for_deputies()
    inspection = None
    if request.GET.get("inspection", "").isdigit():
        inspection = sel.inspections_of(deputy).filter(pk=int(request.GET["inspection"])).first()
    project = inspection.project if inspection else None
    if project is None and request.GET.get("project", "").isdigit():
        project = projects.filter(pk=int(request.GET["project"])).first()
    if project is None:
        return render(request, "people/deputy/suggestion_project.html", {"projects": projects})
    form = SuggestionForm(
        request.POST or None, initial={"project": project.pk}, projects=projects.filter(pk=project.pk)
    )
    form.fields["lead_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in svc.lead_units(project)])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion = svc.suggestion_create(
                user=request.user, project_id=project.pk, lead_unit_id=data["lead_unit"].pk, text=data["text"],
                inspection_id=inspection.pk if inspection else None,
            )  # fmt: skip
        except SERVICE_ERRORS as exc:
            refused(request, exc)
        else:
            messages.success(request, _("建议已交承办单位办理，答复后会通知您"))
            return redirect("people:suggestion_detail", suggestion.pk)
    return render(
        request, "people/deputy/suggestion_form.html", {"form": form, "inspection": inspection, "project": project}
    )


@login_required
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """A lead unit's suggestions to answer (the office sees all, a deputy their own)."""
    rows = sel.suggestions_visible_to(request.user)
    if not (permissions.administers(request.user) or permissions.acting_unit(request.user) or sel.deputy(request.user)):
        raise Http404
    return render(request, "people/suggestions.html", {"suggestions": rows})


def _acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        version = int(request.POST.get("version") or 0)
        svc.suggestion_acknowledge(user=request.user, suggestion_id=pk, version=version)
    except ValueError:
        messages.error(request, _("页面已过期，请刷新后再试"))
    except SERVICE_ERRORS as exc:
        refused(request, exc)
    else:
        messages.success(request, _("已签收"))
    return redirect("people:suggestion_detail", pk)


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(sel.suggestions_visible_to(request.user).select_related("inspection"), pk=pk)
    unit = permissions.acting_unit(request.user)
    own = sel.deputy(request.user)
    # What the reader may do: the loop's table says which steps the state allows to whom (the lead
    # unit is the loop's unit; the deputy who made the suggestion takes the office's part).
    unit_steps = states.actions_for(suggestion.state, Actor.UNIT) if unit and unit.pk == suggestion.lead_unit_id else []
    deputy_steps = states.actions_for(suggestion.state, Actor.OFFICE) if own and own.pk == suggestion.deputy_id else []
    may_acknowledge = LoopAction.ACKNOWLEDGE in unit_steps
    may_reply = LoopAction.ANSWER in unit_steps
    may_conclude = LoopAction.ACCEPT in deputy_steps
    reply = ReplyForm(initial={"version": suggestion.version})
    conclude = ConcludeForm(initial={"version": suggestion.version})
    if request.method == "POST":
        if may_acknowledge and request.POST.get("action") == "acknowledge":
            return _acknowledge(request, suggestion.pk)
        if may_reply:
            reply = ReplyForm(request.POST)
            if reply.is_valid():
                try:
                    svc.suggestion_reply(
                        user=request.user, suggestion_id=suggestion.pk, version=reply.cleaned_data["version"],
                        text=reply.cleaned_data["text"],
                    )  # fmt: skip
                except SERVICE_ERRORS as exc:
                    refused(request, exc)
                else:
                    messages.success(request, _("答复已送达代表"))
                    return redirect("people:suggestion_detail", suggestion.pk)
        elif may_conclude:
            conclude = ConcludeForm(request.POST)
            if conclude.is_valid():
                try:
                    svc.suggestion_conclude(
                        user=request.user, suggestion_id=suggestion.pk, version=conclude.cleaned_data["version"],
                        accept=conclude.cleaned_data["action"] == "accept", text=conclude.cleaned_data["text"],
                    )  # fmt: skip
                except SERVICE_ERRORS as exc:
                    refused(request, exc)
                else:
                    messages.success(
                        request, _("已办结") if conclude.cleaned_data["action"] == "accept" else _("已要求继续办理")
                    )
                    return redirect("people:suggestion_detail", suggestion.pk)
        else:
            raise Http404
    overdue = suggestion.state in states.WAITING_FOR_UNIT and calendar.is_past(suggestion.deadline, today=clock.today())
    return render(
        request,
        "people/suggestion.html",
        {
            "suggestion": suggestion, "history": suggestion.events.all(), "overdue": overdue,
            "may_acknowledge": may_acknowledge,
            "photos": suggestion.inspection.photos.all() if suggestion.inspection else [],
            "may_reply": may_reply, "may_conclude": may_conclude, "reply": reply, "conclude": conclude,
        },
    )  # fmt: skip
