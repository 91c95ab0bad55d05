"""The in-app inbox (站内消息) and the supervision notices it links to."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects.models import Message
from projects.selectors.notifications import inbox_messages, notices_visible_to, unread_count
from projects.services.notifications import message_acknowledge, message_mark_read, messages_mark_all_read


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(inbox_messages(user=request.user, unread_only=unread_only), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/inbox/list.html",
        {"page_obj": page, "unread_only": unread_only, "unread": unread_count(user=request.user)},
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("inbox")


@login_required
@require_POST
def message_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Another user's message is not found, whatever id is typed.
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    message_mark_read(message=message)
    return _back(request)


@login_required
@require_POST
def message_ack(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    message_acknowledge(message=message, user=request.user)
    flash.success(request, _("已确认收到：%(subject)s") % {"subject": message.subject})
    return _back(request)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = messages_mark_all_read(user=request.user)
    flash.success(request, _("已将 %(count)s 条消息标为已读") % {"count": count})
    return _back(request)


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(notices_visible_to(user=request.user), pk=pk)
    return render(request, "projects/inbox/notice.html", {"notice": notice})
