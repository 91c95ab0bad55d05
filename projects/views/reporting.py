"""Pages of monthly reporting. Thin: objects come through the permission querysets (so a forbidden
one is a 404), writes go to the services, and their refusals become messages on the page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from projects import calendar, clock, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import audit_export
from projects.forms.reporting import (
    ClosureForm,
    EvidenceForm,
    FigureForm,
    ImportForm,
    ReopenForm,
    ReviewForm,
)
from projects.models import Assignment, Plan, Submission, SubmissionStatus, Unit
from projects.selectors import reporting as sel
from projects.selectors.worklists import queue_next
from projects.services import excel
from projects.services import reporting as svc
from projects.services.progress import reportable_months
from projects.uploads import served_name
from projects.views.reporting_tables import SubmissionFilter, SubmissionTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month_url(month: dt.date, unit: Unit | None = None, *, own: bool = True) -> str:
    url = reverse("report_month", args=[month])
    return url if own or unit is None else f"{url}?{urlencode({'unit': unit.pk})}"


def _page_unit(request: HttpRequest) -> tuple[Unit | None, bool]:
    """The unit whose month is shown, and whether it is the user's own (writable) unit.

    The office and leaders may look at any unit (``?unit=``); a unit user only at their own."""
    own = permissions.acting_unit(request.user)
    raw = request.GET.get("unit")
    if raw:
        if not raw.isdigit():
            raise Http404
        unit = get_object_or_404(permissions.units_readable_by(request.user), pk=int(raw))
        return unit, unit == own
    if own is not None:
        return own, True
    if permissions.reads_everything(request.user):
        return None, False
    raise Http404


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- the unit's month -----------------------------------------------------------------------


@login_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    """/report/: the current open month, or the month chosen in the month selector."""
    unit, own = _page_unit(request)
    try:
        chosen = calendar.parse_month(request.GET.get("month", ""))
    except ValueError:
        chosen = None
    if chosen is not None:
        return redirect(_month_url(chosen, unit, own=own))
    assignments = Assignment.objects.filter(unit=unit) if unit else Assignment.objects.all()
    month = sel.current_month(assignments=assignments, today=clock.today(), unit=unit)
    return redirect(_month_url(month, unit, own=own))


@login_required
@require_GET
def report_month(request: HttpRequest, month: dt.date) -> HttpResponse:
    unit, own = _page_unit(request)
    if unit is None:
        units = Unit.objects.filter(assignments__isnull=False).distinct().order_by("position", "pk")
        context = {"units": units, "month": month, "month_label": calendar.month_label(month)}
        return render(request, "reporting/choose_unit.html", context)
    return _render_month(request, unit=unit, own=own, month=month)


def _render_month(
    request: HttpRequest, *, unit: Unit, own: bool, month: dt.date, import_form=None, import_error=None
) -> HttpResponse:
    today = clock.today()
    page = sel.month_page(unit=unit, month=month, today=today)
    plans = page.plans
    # One heading per plan when the unit reports in several: codes such as 5.1.1 recur across plans.
    plan_rows = [(p, page.of_plan(p).rows) for p in plans]
    assignments = Assignment.objects.filter(unit=unit)
    context = {
        "page": page,
        "unit": unit,
        "own": own,
        "month": month,
        "month_label": calendar.month_label(month),
        "months": [(m, calendar.month_label(m)) for m in sel.reporting_months(assignments=assignments, today=today)],
        "future": not calendar.is_over(month, today=today),
        "unit_query": "" if own else f"?unit={unit.pk}",
        "import_form": (import_form or ImportForm()) if own else None,
        "import_error": import_error,
        # A refused file: its outcome and the form go to the top of the page, where the eye is.
        "import_failed": bool(import_error or (import_form is not None and import_form.errors)),
        "closures": [(p, sel.month_closure(plan=p, month=month)) for p in plans],
        "plans": plans,
        "plan_rows": plan_rows,
        "administers": permissions.administers(request.user),
        "is_demo_data": page.is_demo,
    }
    return render(request, "reporting/month.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, month: dt.date, indicator_id: int) -> HttpResponse:
    assignment = get_object_or_404(
        permissions.assignments_reportable_by(request.user).select_related("indicator__task__project__plan", "unit"),
        # Through the indicator's key, which Django bounds: an id past 64 bits is not found, not an error.
        indicator__pk=indicator_id,
    )
    indicator, unit = assignment.indicator, assignment.unit
    plan = indicator.task.project.plan
    if month not in reportable_months(indicator=indicator, plan=plan):
        raise Http404
    today = clock.today()
    submission = (
        Submission.objects.select_related("indicator", "updated_by", "reviewed_by")
        .filter(indicator=indicator, unit=unit, month=month)
        .first()
    )
    lock = sel.lock_reason(plan=plan, month=month, submission=submission, today=today, indicator=indicator)
    conflict = None
    if request.method == "POST":
        form = FigureForm(request.POST, indicator=indicator)
        saved, conflict = _save_figure(request, form, indicator=indicator, month=month, today=today)
        if saved is not None:
            return redirect(reverse("report_month", args=[month]))
    else:
        initial = {"version": submission.version if submission else 0}
        if submission is not None:
            initial.update(svc.FigureInput.of(submission).__dict__)
            for name in ("value", "numerator", "denominator"):
                # 5276, not the stored 5276.0000
                initial[name] = sel.plain(initial[name]).replace(",", "")
        form = FigureForm(initial=initial, indicator=indicator)
    previous = sel.previous_counted(indicator_id=indicator.pk, unit_id=unit.pk, month=month)
    context = {
        "form": form,
        "indicator": indicator,
        "assignment": assignment,
        "unit": unit,
        "plan": plan,
        "month": month,
        "month_label": calendar.month_label(month),
        "submission": submission,
        "lock": lock,
        "conflict": conflict,
        "conflict_figure": sel.submission_figure_text(conflict) if conflict else "",
        "previous_text": sel.previous_figure_text(previous, month=month),
        "previous": previous,
        "target_text": _target_text(indicator, assignment),
        "due": plan.due_date(month),
        "evidence_form": EvidenceForm() if submission and not lock else None,
        "is_demo_data": bool(submission and submission.is_demo) or assignment.is_demo,
    }
    return render(request, "reporting/edit.html", context)


def _save_figure(request: HttpRequest, form: FigureForm, *, indicator, month: dt.date, today: dt.date):
    """Save through the service; its refusals become form errors. Returns (saved, conflict)."""
    if not form.is_valid():
        return None, None
    try:
        saved = svc.submission_save(
            user=request.user,
            indicator_id=indicator.pk,
            month=month,
            figure=form.figure(),
            version=form.cleaned_data["version"],
            submit=form.submit,
            today=today,
        )
    except svc.Locked as exc:
        form.add_error(None, exc.message)
        return None, None
    except svc.Conflict as exc:
        form.add_error(None, exc.message)
        return None, exc.current
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return None, None
    plan = indicator.task.project.plan
    if saved.status == SubmissionStatus.SUBMITTED:
        note = _("已提交：%(indicator)s。请等待审核。") % {"indicator": indicator.name}
        if saved.late:
            note += " " + _("本月数据已过报送截止日（%(due)s），记为逾期报送。") % {"due": plan.due_date(month)}
        messages.success(request, note)
    else:
        messages.success(request, _("已保存草稿：%(indicator)s（尚未提交）") % {"indicator": indicator.name})
    return saved, None


def _target_text(indicator, assignment) -> str:
    target = sel.overshoot_target(indicator=indicator, assignment=assignment)
    return f"{sel.plain(target)} {indicator.unit_of_measure}".strip() if target is not None else ""


# --- one submission -------------------------------------------------------------------------


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        permissions.submissions_visible_to(request.user).select_related(
            "indicator__task__project__plan", "unit", "submitted_by", "reviewed_by", "updated_by"
        ),
        pk=pk,
    )


@login_required
@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    plan = submission.indicator.task.project.plan
    today = clock.today()
    lock = sel.lock_reason(plan=plan, month=submission.month, submission=submission, today=today)
    reviewable = permissions.can_review(request.user, submission)
    previous = sel.previous_counted(
        indicator_id=submission.indicator_id, unit_id=submission.unit_id, month=submission.month
    )
    assignment = Assignment.objects.filter(indicator_id=submission.indicator_id, unit_id=submission.unit_id).first()
    reviewers = permissions.submission_reviewers(submission=submission)
    following = queue_next(user=request.user, after=submission) if permissions.is_reviewer(request.user) else None
    context = {
        "next_in_queue": following,
        "submission": submission,
        "indicator": submission.indicator,
        "plan": plan,
        "month_label": calendar.month_label(submission.month),
        "can_report": permissions.can_report(request.user, submission),
        "reviews_anything": permissions.is_reviewer(request.user) or permissions.reads_everything(request.user),
        "figure_text": sel.submission_figure_text(submission),
        "previous_text": sel.previous_figure_text(previous, month=submission.month),
        "target_text": _target_text(submission.indicator, assignment) if assignment else "",
        "lock": lock,
        "history": sel.submission_history(submission=submission, user=request.user),
        "evidence": list(submission.evidence.select_related("uploaded_by")),
        "reviewers": ", ".join(u.name for u in reviewers) if reviewers else _("市政府督查室"),
        "can_edit": permissions.can_report(request.user, submission) and not lock,
        "review_form": ReviewForm(initial={"version": submission.version})
        if reviewable and submission.status == SubmissionStatus.SUBMITTED
        else None,
        "reopen_form": ReopenForm(initial={"version": submission.version})
        if permissions.administers(request.user) and submission.status == SubmissionStatus.APPROVED
        else None,
        "evidence_form": EvidenceForm() if permissions.can_report(request.user, submission) and not lock else None,
        "due": plan.due_date(submission.month),
        "is_demo_data": submission.is_demo,
    }
    return render(request, "reporting/submission.html", context)


def _back_to(submission_id: int) -> HttpResponseRedirect:
    return redirect(reverse("submission_detail", args=[submission_id]))


@login_required
@require_POST
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    # Existence is checked through the reviewer's queryset: a non-reviewer gets a 404.
    get_object_or_404(permissions.submissions_reviewable_by(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核通过或退回"))
        return _back_to(pk)
    approve = form.cleaned_data["action"] == "approve"
    try:
        svc.submission_review(
            user=request.user,
            submission_id=pk,
            version=form.cleaned_data["version"],
            approve=approve,
            comment=form.cleaned_data["comment"],
        )
    except svc.ReportingError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已审核通过，数据已锁定") if approve else _("已退回，填报单位将看到退回意见"))
        if request.POST.get("then") == "next":
            # Straight on to the next figure waiting, as a reviewer working through the queue would.
            following = queue_next(user=request.user, after=Submission.objects.get(pk=pk))
            return redirect(reverse("submission_detail", args=[following.pk]) if following else reverse("review_queue"))
    return _back_to(pk)


@login_required
@require_POST
def submission_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.administers(request.user):
        raise Http404
    get_object_or_404(Submission, pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写重新打开的原因"))
        return _back_to(pk)
    try:
        svc.submission_reopen(
            user=request.user,
            submission_id=pk,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except svc.ReportingError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已重新打开，月报退回填报单位修改"))
    return _back_to(pk)


# --- evidence -------------------------------------------------------------------------------


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=pk, unit=permissions.acting_unit(request.user))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        # No file chosen, or Django's reason for refusing the one sent (an empty file …).
        reasons = form.errors.get("file") if request.FILES.get("file") else None
        for error in reasons or [_("请选择要上传的文件")]:
            messages.error(request, error)
        return _back_to(submission.pk)
    try:
        evidence = svc.evidence_add(user=request.user, submission_id=submission.pk, upload=form.cleaned_data["file"])
    except svc.ReportingError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已上传佐证材料：%(name)s") % {"name": evidence.original_name})
    return _back_to(submission.pk)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(permissions.evidence_visible_to(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_export(request=request, what="evidence", fmt=evidence.content_type, obj=evidence, action=AuditAction.DOWNLOAD)
    response = FileResponse(
        handle,
        content_type=evidence.content_type,
        # Always a download, never shown in the browser: a file's content cannot act as a page
        # of this site, whatever it turns out to hold; its name carries its content's extension.
        as_attachment=True,
        filename=served_name(evidence.original_name, content_type=evidence.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(
        permissions.evidence_visible_to(request.user), pk=pk, submission__unit=permissions.acting_unit(request.user)
    )
    try:
        svc.evidence_delete(user=request.user, evidence_id=evidence.pk)
    except svc.ReportingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除佐证材料：%(name)s") % {"name": evidence.original_name})
    return _back_to(evidence.submission_id)


# --- Excel ----------------------------------------------------------------------------------


@login_required
@require_GET
def report_template(request: HttpRequest, month: dt.date) -> HttpResponse:
    unit, own = _page_unit(request)
    if unit is None:
        raise Http404
    raw = request.GET.get("plan")
    if raw is not None and not raw.isdigit():
        raise Http404
    asked = get_object_or_404(Plan, pk=int(raw)) if raw is not None else None
    try:
        plan, data = excel.template_for(unit=unit, month=month, today=clock.today(), plan=asked)
    except Plan.DoesNotExist as exc:
        # Only a plan the unit reports in that month: another plan's template is no page of it.
        raise Http404 from exc
    except excel.PlanNeeded as exc:
        messages.info(request, exc.message)
        query = "" if own else f"?unit={unit.pk}"
        return redirect(reverse("report_month", args=[month]) + query + "#excel-import")
    audit_export(
        request=request, what="report_template", fmt="xlsx", obj=unit, action=AuditAction.DOWNLOAD,
        detail={"month": month, "plan": plan.pk if plan else None},
    )  # fmt: skip
    response = HttpResponse(data, content_type=XLSX)
    if plan is None:
        filename, ascii_name = f"月报-{unit.name}-{month:%Y-%m}.xlsx", f"report-{month:%Y-%m}.xlsx"
    else:
        filename, ascii_name = excel.template_filename(unit=unit, month=month, plan=plan)
    response["Content-Disposition"] = _attachment(filename, ascii_name)
    return response


def _attachment(filename: str, ascii_name: str) -> str:
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@login_required
@require_POST
def report_import(request: HttpRequest, month: dt.date) -> HttpResponse:
    unit = permissions.acting_unit(request.user)
    if unit is None:
        raise Http404
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_month(request, unit=unit, own=True, month=month, import_form=form)
    upload = form.cleaned_data["file"]
    limit = settings.UPLOAD_XLSX_MAX_BYTES
    try:
        if upload.size > limit:
            # Refused unread: the size alone says it is not a month's template.
            raise excel.ImportRejected(_("文件超过 %(limit)s 的上限") % {"limit": filesizeformat(limit)})
        result = excel.figures_import(
            actor=request.user,
            unit=unit,
            month=month,
            data=upload.read(limit + 1),
            submit=form.cleaned_data["submit"],
        )
    except excel.ImportRejected as exc:
        return _render_month(request, unit=unit, own=True, month=month, import_form=form, import_error=exc)
    if result.saved:
        text = _("已从 Excel 导入 %(n)s 项指标（%(how)s）") % {
            "n": len(result.saved),
            "how": _("已提交") if form.cleaned_data["submit"] else _("草稿"),
        }
        messages.success(request, f"{text}：{excel.plan_label(result.plan)}" if result.plan else text)
    else:
        messages.info(request, _("文件中没有新的数据，未作改动"))
    return redirect(reverse("report_month", args=[month]))


# --- review ---------------------------------------------------------------------------------


def _review_queryset(request: HttpRequest):
    user = request.user
    if permissions.reads_everything(user):
        base = permissions.submissions_visible_to(user)
    elif permissions.is_reviewer(user):
        base = permissions.submissions_reviewable_by(user)
    else:
        raise Http404
    return base.select_related("indicator__task__project", "unit")


def _review_filter(request: HttpRequest) -> SubmissionFilter:
    return SubmissionFilter(request.GET, queryset=_review_queryset(request), user=request.user)


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    _review_queryset(request)  # 404 for whoever may not see the list, before any redirect
    if not request.GET:
        # Everyone lands on the reporting month as of today, as on the dashboards; a reviewer on
        # what waits for review. In the URL, so that sorting and paging keep it ("全部月份" is a choice).
        query = {"month": calendar.month_key(sel.review_month(today=clock.today()))}
        if not request.user.is_leader and permissions.is_reviewer(request.user):
            query["status"] = SubmissionStatus.SUBMITTED
        return redirect(f"{reverse('review_list')}?{urlencode(query)}")
    filterset = _review_filter(request)
    table = SubmissionTable(filterset.qs.order_by("-month", "indicator__task__project__number", "indicator__code"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    query = request.GET.urlencode()
    month = filterset.chosen_month
    waiting_elsewhere = (
        filterset.queryset.filter(status=SubmissionStatus.SUBMITTED).exclude(month=month).count() if month else 0
    )
    return render(
        request,
        "reporting/review_list.html",
        {
            "filter": filterset,
            "table": table,
            "export_query": query,
            "is_demo_data": filterset.qs.filter(is_demo=True).exists(),
            "waiting_elsewhere": waiting_elsewhere,
        },
    )


@login_required
@require_GET
def review_export(request: HttpRequest) -> HttpResponse:
    filterset = _review_filter(request)
    submissions = filterset.qs.select_related("indicator__task__project", "unit").order_by(
        "-month", "indicator__task__project__number", "indicator__code", "unit__position"
    )
    response = HttpResponse(excel.submissions_export(submissions=submissions), content_type=XLSX)
    audit_export(request=request, what="submissions", fmt="xlsx")
    response["Content-Disposition"] = _attachment("月报列表.xlsx", "submissions.xlsx")
    return response


@login_required
@require_POST
def month_closure(request: HttpRequest, month: dt.date) -> HttpResponse:
    if not permissions.administers(request.user):
        raise Http404
    form = ClosureForm(request.POST)
    if not form.is_valid():
        raise Http404
    plan = get_object_or_404(Plan, pk=form.cleaned_data["plan"])
    try:
        if form.cleaned_data["action"] == "close":
            svc.month_close(user=request.user, plan_id=plan.pk, month=month, reason=form.cleaned_data["reason"])
            messages.success(request, _("已关闭%(month)s的报送窗口") % {"month": calendar.month_label(month)})
        else:
            svc.month_open(user=request.user, plan_id=plan.pk, month=month)
            messages.success(request, _("已重新开放%(month)s的报送窗口") % {"month": calendar.month_label(month)})
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    target = request.POST.get("next", "")
    # Django's check, not a prefix test: browsers read "/\\evil.example" as another site.
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(reverse("review_list"))
