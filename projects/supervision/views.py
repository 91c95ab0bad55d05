"""The supervision loop's pages: a notice, an instruction, a close-out, their forms, the registers
and the year-end close-out list.

Thin views: what a user may see comes from projects/permissions.py through the selectors (an item
that is not theirs is not found), every write goes through a service, a refusal is shown where
the form is and loses nothing typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import clock, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import audit_export
from projects.models import InstructionReply, SupervisionNotice
from projects.supervision import closeouts as closeout_services
from projects.supervision import documents
from projects.supervision import selectors as sel
from projects.supervision import services as svc
from projects.supervision.forms import (
    AnswerForm,
    CloseOutApplyForm,
    CloseOutDecideForm,
    CloseOutReopenForm,
    InstructionForm,
    VerifyForm,
)
from projects.supervision.states import WAITING_FOR_OFFICE, WAITING_FOR_UNIT, CloseOutState, LoopState
from projects.supervision.steps import Refused
from projects.uploads import served_name

T = TypeVar("T")

def _attempt(form, step: Callable[[], T]) -> T | None:
    """Takes a step of the loop and gives what it made; a refusal lands on the form where the user
    typed (None), a step on something gone is a 404."""
    try:
        return step()
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _show_errors(form, exc)
    except Refused as exc:
        form.add_error(None, exc.message)
    return None


def _show_errors(form, exc: ValidationError) -> None:
    """A service's refusal by field, on the form where the user typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _answer_input(form: AnswerForm, files) -> svc.AnswerInput:
    data = form.cleaned_data
    return svc.AnswerInput(
        text=data["text"], figures=data.get("figures") or [], new_date=data.get("new_date"), files=files
    )


# --- a notice ------------------------------------------------------------------------------------


def _notice(request: HttpRequest, pk: int) -> SupervisionNotice:
    try:
        return sel.notice_for_page(user=request.user, pk=pk)
    except SupervisionNotice.DoesNotExist as exc:
        raise Http404 from exc


def _notice_page(
    request: HttpRequest, notice: SupervisionNotice, *, answer_form=None, verify_form=None, status: int = 200
) -> HttpResponse:
    unit = permissions.acting_unit(request.user)
    answers = notice.answers.all()
    can_answer = unit is not None and notice.unit_id == unit.pk and notice.state in WAITING_FOR_UNIT
    can_verify = permissions.verifies(request.user) and notice.state in WAITING_FOR_OFFICE
    if can_answer and answer_form is None:
        answer_form = AnswerForm(
            initial={"version": notice.version}, choices=sel.figure_choices(item=notice, unit=notice.unit)
        )
    if can_verify and verify_form is None:
        verify_form = VerifyForm(initial={"version": notice.version})
    instructable = permissions.projects_instructable_by(request.user).filter(pk=notice.task.project_id).exists()
    context = {
        "notice": notice,
        "answers": answers,
        "history": sel.history(item=notice),
        "answer_form": answer_form if can_answer else None,
        "verify_form": verify_form if can_verify else None,
        "can_sign": can_answer and notice.state == LoopState.ISSUED,
        "late": sel.is_late_now(state=notice.state, deadline=notice.deadline, today=clock.today()),
        "instructable": instructable,
        "instructions": permissions.instructions_visible_to(request.user).filter(notice=notice).order_by("issued_at"),
    }
    return render(request, "supervision/notice.html", context, status=status)


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice_page(request, _notice(request, pk))


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def notice_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(permissions.notices_answerable_by(request.user), pk=pk)
    try:
        svc.notice_acknowledge(user=request.user, notice_id=notice.pk, version=_version(request))
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已签收 %(code)s") % {"code": notice.code})
    return redirect("supervision:notice", pk=notice.pk)


@login_required
@require_POST
def notice_answer(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(permissions.notices_answerable_by(request.user), pk=pk)
    notice = _notice(request, pk)
    form = AnswerForm(request.POST, request.FILES, choices=sel.figure_choices(item=notice, unit=notice.unit))
    if form.is_valid():
        answer = _attempt(
            form,
            lambda: svc.notice_answer(
                user=request.user,
                notice_id=pk,
                version=form.cleaned_data["version"],
                answer=_answer_input(form, form.cleaned_data["files"]),
            ),
        )
        if answer is not None:
            messages.success(request, _("已提交第 %(n)s 次反馈，等待市政府督查室核查") % {"n": answer.number})
            return redirect(reverse("supervision:notice", args=[pk]) + f"#answer-{answer.number}")
    return _notice_page(request, _notice(request, pk), answer_form=form, status=200)


@login_required
@require_POST
def notice_verify(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.verifies(request.user):
        raise Http404
    notice = _notice(request, pk)
    form = VerifyForm(request.POST)
    accept = request.POST.get("action") == "accept"
    data = form.cleaned_data if form.is_valid() else None
    if data is not None and _attempt(
        form,
        lambda: svc.notice_verify(
            user=request.user, notice_id=pk, version=data["version"], accept=accept, reason=data["reason"],
            deadline=data["deadline"],
        ),
    ):
        words = _("已办结 %(code)s") if accept else _("已退回 %(code)s，等待重新反馈")
        messages.success(request, words % {"code": notice.code})
        return redirect("supervision:notice", pk=pk)
    return _notice_page(request, _notice(request, pk), verify_form=form)


# --- an instruction --------------------------------------------------------------------------------


def _instruction_page(request: HttpRequest, pk: int, *, bound: tuple[int, str, Any] | None = None) -> HttpResponse:
    """The instruction with the replies the user may read; ``bound`` is (reply id, "answer" or
    "verify", form) to show a form that was refused."""
    try:
        instruction = sel.instruction_for_page(user=request.user, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    unit = permissions.acting_unit(request.user)
    verifies = permissions.verifies(request.user)
    panels = []
    for reply in instruction.visible_replies:
        can_answer = unit is not None and reply.unit_id == unit.pk and reply.state in WAITING_FOR_UNIT
        can_verify = verifies and reply.state in WAITING_FOR_OFFICE
        answer_form = verify_form = None
        if can_answer:
            answer_form = AnswerForm(
                initial={"version": reply.version}, choices=sel.figure_choices(item=reply, unit=reply.unit)
            )
        if can_verify:
            verify_form = VerifyForm(initial={"version": reply.version})
        if bound is not None and bound[0] == reply.pk:
            if bound[1] == "answer":
                answer_form = bound[2]
            else:
                verify_form = bound[2]
        panels.append(
            {
                "reply": reply,
                "answers": reply.answers.all(),
                "answer_form": answer_form if can_answer else None,
                "verify_form": verify_form if can_verify else None,
                "can_sign": can_answer and reply.state == LoopState.ISSUED,
                "late": sel.is_late_now(state=reply.state, deadline=reply.deadline, today=clock.today()),
            }
        )
    context = {
        "instruction": instruction,
        "about": svc.instruction_about(instruction),
        "panels": panels,
        "history": sel.history(item=instruction, replies=instruction.visible_replies),
        "all_replies": len(panels) == instruction.replies.count(),
        # The office and leaders open the pages of what it is about; a unit may not see them all.
        "item_links": permissions.reads_everything(request.user),
    }
    return render(request, "supervision/instruction.html", context)


@login_required
@require_GET
def instruction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _instruction_page(request, pk)


TARGETS = ("project", "task", "indicator", "notice")


def _target(request: HttpRequest) -> svc.InstructionTarget:
    source = request.POST if request.method == "POST" else request.GET
    on = source.get("on", "")
    try:
        target_id = int(source.get("id", ""))
    except ValueError as exc:
        raise Http404 from exc
    if on not in TARGETS:
        raise Http404
    return svc.InstructionTarget(**{f"{on}_id": target_id})


@login_required
@require_http_methods(["GET", "POST"])
def instruction_new(request: HttpRequest) -> HttpResponse:
    target = _target(request)
    try:
        about = svc.instruction_target_resolve(user=request.user, target=target)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    units = sel.instruction_units(**about)
    if request.method == "POST":
        form = InstructionForm(request.POST, units=units)
        if form.is_valid():
            instruction = _attempt(
                form,
                lambda: svc.instruction_issue(
                    user=request.user,
                    target=target,
                    text=form.cleaned_data["text"],
                    unit_ids=[u.pk for u in form.cleaned_data["units"]],
                    deadline=form.cleaned_data["deadline"],
                ),
            )
            if instruction is not None:
                messages.success(request, _("批示已交办 %(n)s 个单位") % {"n": instruction.replies.count()})
                return redirect("supervision:instruction", pk=instruction.pk)
    else:
        form = InstructionForm(units=units)
    on = next(name for name in TARGETS if getattr(target, f"{name}_id") is not None)
    return render(
        request,
        "supervision/instruction_form.html",
        {"form": form, "about": about, "on": on, "target_id": getattr(target, f"{on}_id")},
    )


def _reply(request: HttpRequest, pk: int, queryset) -> InstructionReply:
    return get_object_or_404(queryset.select_related("instruction"), pk=pk)


@login_required
@require_POST
def reply_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk, permissions.replies_answerable_by(request.user))
    try:
        svc.reply_acknowledge(user=request.user, reply_id=reply.pk, version=_version(request))
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已签收 %(code)s") % {"code": reply.instruction.code})
    return redirect(svc.item_link(reply))


@login_required
@require_POST
def reply_answer(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk, permissions.replies_answerable_by(request.user))
    form = AnswerForm(request.POST, request.FILES, choices=sel.figure_choices(item=reply, unit=reply.unit))
    if form.is_valid():
        answer = _attempt(
            form,
            lambda: svc.reply_answer(
                user=request.user,
                reply_id=pk,
                version=form.cleaned_data["version"],
                answer=_answer_input(form, form.cleaned_data["files"]),
            ),
        )
        if answer is not None:
            messages.success(request, _("已回复批示（第 %(n)s 次），已送批示领导和市政府督查室") % {"n": answer.number})
            return redirect(svc.item_link(reply))
    return _instruction_page(request, reply.instruction_id, bound=(reply.pk, "answer", form))


@login_required
@require_POST
def reply_verify(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.verifies(request.user):
        raise Http404
    reply = _reply(request, pk, InstructionReply.objects.all())
    form = VerifyForm(request.POST)
    accept = request.POST.get("action") == "accept"
    data = form.cleaned_data if form.is_valid() else None
    if data is not None and _attempt(
        form,
        lambda: svc.reply_verify(
            user=request.user, reply_id=pk, version=data["version"], accept=accept, reason=data["reason"],
            deadline=data["deadline"],
        ),
    ):
        words = _("%(unit)s的回复已办结") if accept else _("%(unit)s的回复已退回，等待重新回复")
        messages.success(request, words % {"unit": reply.unit.name})
        return redirect(svc.item_link(reply))
    return _instruction_page(request, reply.instruction_id, bound=(reply.pk, "verify", form))


# --- close-outs ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def closeout_apply(request: HttpRequest, indicator_pk: int) -> HttpResponse:
    indicator = get_object_or_404(
        permissions.indicators_closable_by(request.user).select_related("task__project__plan"), pk=indicator_pk
    )
    standing = sel.closeout_standing(indicator=indicator, today=clock.today())
    holding = sel.holding_closeout(indicator=indicator)
    if request.method == "POST":
        form = CloseOutApplyForm(request.POST, request.FILES)
        if form.is_valid():
            closeout = _attempt(
                form,
                lambda: closeout_services.closeout_apply(
                    user=request.user,
                    indicator_id=indicator.pk,
                    note=form.cleaned_data["note"],
                    files=form.cleaned_data["files"],
                ),
            )
            if closeout is not None:
                messages.success(request, _("已申请销号，等待市政府督查室核查"))
                return redirect("supervision:closeout", pk=closeout.pk)
    else:
        form = CloseOutApplyForm()
    return render(
        request,
        "supervision/closeout_form.html",
        {
            "indicator": indicator,
            "standing": standing,
            "figure": standing.figure(indicator),
            "holding": holding,
            "form": form,
        },
    )


def _closeout_page(request: HttpRequest, pk: int, *, decide_form=None, reopen_form=None) -> HttpResponse:
    closeout = get_object_or_404(
        sel.closeout_register(user=request.user).select_related("reopened_by").prefetch_related("files"), pk=pk
    )
    verifies = permissions.verifies(request.user)
    if verifies and closeout.state == CloseOutState.APPLIED and decide_form is None:
        decide_form = CloseOutDecideForm(initial={"version": closeout.version})
    if verifies and closeout.state == CloseOutState.CLOSED_OUT and reopen_form is None:
        reopen_form = CloseOutReopenForm(initial={"version": closeout.version})
    context = {
        "closeout": closeout,
        "indicator": closeout.indicator,
        "history": sel.history(item=closeout),
        "decide_form": decide_form if verifies and closeout.state == CloseOutState.APPLIED else None,
        "reopen_form": reopen_form if verifies and closeout.state == CloseOutState.CLOSED_OUT else None,
    }
    return render(request, "supervision/closeout.html", context)


@login_required
@require_GET
def closeout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _closeout_page(request, pk)


@login_required
@require_POST
def closeout_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.verifies(request.user):
        raise Http404
    form = CloseOutDecideForm(request.POST)
    approve = request.POST.get("action") == "approve"
    if form.is_valid():
        decided = _attempt(
            form,
            lambda: closeout_services.closeout_decide(
                user=request.user,
                closeout_id=pk,
                version=form.cleaned_data["version"],
                approve=approve,
                reason=form.cleaned_data["reason"],
            ),
        )
        if decided is not None:
            messages.success(request, _("已销号，该指标数据已锁定") if approve else _("已决定不予销号"))
            return redirect("supervision:closeout", pk=pk)
    return _closeout_page(request, pk, decide_form=form)


@login_required
@require_POST
def closeout_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.verifies(request.user):
        raise Http404
    form = CloseOutReopenForm(request.POST)
    if form.is_valid():
        reopened = _attempt(
            form,
            lambda: closeout_services.closeout_reopen(
                user=request.user,
                closeout_id=pk,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if reopened is not None:
            messages.success(request, _("已重新打开，该指标数据解除锁定"))
            return redirect("supervision:closeout", pk=pk)
    return _closeout_page(request, pk, reopen_form=form)


@login_required
@require_GET
def closeout_list_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The year-end close-out list (销号清单) of a plan, in Word or Excel: the office and leaders."""
    if not permissions.reads_everything(request.user) or fmt not in documents.FORMATS:
        raise Http404
    plan = documents.plan_asked(request.GET.get("plan"))
    if plan is None:
        raise Http404
    build, content_type = documents.FORMATS[fmt]
    data = build(plan=plan, issued_on=clock.today())
    audit_export(request=request, what="closeout_list", fmt=fmt, obj=plan, action=AuditAction.DOWNLOAD)
    return FileResponse(
        documents.as_file(data),
        as_attachment=True,
        filename=documents.filename(plan=plan, fmt=fmt),
        content_type=content_type,
    )


# --- files -------------------------------------------------------------------------------------------


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    record = get_object_or_404(permissions.supervision_files_visible_to(request.user), pk=pk)
    try:
        handle = record.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_export(
        request=request, what="supervision_file", fmt=record.content_type, obj=record, action=AuditAction.DOWNLOAD
    )
    # Always a download under its content's extension, never shown as a page of this site.
    response = FileResponse(
        handle,
        content_type=record.content_type,
        as_attachment=True,
        filename=served_name(record.original_name, content_type=record.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
