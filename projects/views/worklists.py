"""Worklists: a unit's "still to do" (/todo/) and a reviewer's queue (/review/queue/).

Thin: who may see what is the permission module's, the lists are ``selectors.worklists``', the
bulk acts go through the same services as the single forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from projects import calendar, clock, permissions
from projects.selectors import worklists as sel
from projects.services import reporting as svc


def _items(request: HttpRequest) -> list[tuple[int, int]]:
    """(submission id, version) pairs ticked on a list: ``pick`` = "<id>:<version>"."""
    items = []
    for raw in request.POST.getlist("pick"):
        submission_id, _sep, version = raw.partition(":")
        if submission_id.isdigit() and version.isdigit() and len(raw) < 40:
            items.append((int(submission_id), int(version)))
    return items[:500]


def _report(request: HttpRequest, result: svc.BulkResult, *, done_text: str) -> None:
    if result.done:
        messages.success(request, done_text % {"n": len(result.done)})
    for label, why in result.refused:
        messages.error(request, _("%(figure)s：%(why)s") % {"figure": label, "why": why})


# --- a unit's still to do -------------------------------------------------------------------------


@login_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    """The unit's open months, oldest first; the office and leaders may look at a unit's (?unit=)."""
    own = permissions.acting_unit(request.user)
    raw = request.GET.get("unit", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        unit = get_object_or_404(permissions.units_readable_by(request.user), pk=int(raw))
    elif own is not None:
        unit = own
    else:
        raise Http404
    months = sel.unit_worklist(unit=unit, today=clock.today())
    return render(
        request,
        "worklists/todo.html",
        {
            "unit": unit,
            "own": unit == own,
            "months": months,
            "missing": sum(m.missing for m in months),
            "returned": sum(m.returned for m in months),
            "drafts": sum(len(m.drafts) for m in months),
            "today": clock.today(),
        },
    )


@login_required
@require_POST
def todo_submit(request: HttpRequest) -> HttpResponse:
    if permissions.acting_unit(request.user) is None:
        raise Http404
    items = _items(request)
    if not items:
        messages.error(request, _("请先勾选要提交的草稿"))
        return redirect("todo")
    result = svc.submissions_submit(user=request.user, items=items, today=clock.today())
    _report(request, result, done_text=_("已提交 %(n)s 项，等待审核"))
    return redirect("todo")


# --- a reviewer's queue ---------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.is_reviewer(request.user):
        raise Http404
    raw_unit = request.GET.get("unit", "")
    unit_id = int(raw_unit) if raw_unit.isdigit() and len(raw_unit) < 12 else None
    month = calendar.month_or_none(request.GET.get("month"))
    queue = sel.review_queue(user=request.user, unit_id=unit_id, month=month)
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "worklists/queue.html",
        {
            "page_obj": page,
            "units": sel.queue_units(user=request.user),
            "unit_id": unit_id,
            "month": month,
            "total": page.paginator.count,
        },
    )


@login_required
@require_POST
def review_queue_approve(request: HttpRequest) -> HttpResponse:
    if not permissions.is_reviewer(request.user):
        raise Http404
    items = _items(request)
    back = reverse("review_queue") + (f"?{request.POST['query']}" if request.POST.get("query", "").isascii() else "")
    if not items:
        messages.error(request, _("请先勾选要审核通过的月报"))
        return redirect(back)
    result = svc.submissions_approve(user=request.user, items=items)
    _report(
        request,
        result,
        done_text=ngettext("已审核通过 %(n)s 项，数据已锁定", "已审核通过 %(n)s 项，数据已锁定", len(result.done)),
    )
    return redirect(back)
