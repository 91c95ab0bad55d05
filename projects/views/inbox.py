"""The in-app inbox (站内消息).

The list groups and filters the user's messages by kind, project, unit, month and state; each
message leads to the page to act on (``message_open`` marks it read on the way)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects.filters.inbox import GROUPS, MessageFilter
from projects.models import Message
from projects.selectors.notifications import inbox_grouped, unread_count
from projects.services.notifications import message_acknowledge, message_mark_read, messages_mark_all_read


def _filter(request: HttpRequest, data: QueryDict) -> MessageFilter:
    data = data.copy()
    if data.get("show") == "unread":  # the inbox's links before it had filters
        data.setdefault("state", "unread")
    mine = Message.objects.filter(recipient=request.user)
    return MessageFilter(data, queryset=mine)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    filterset = _filter(request, request.GET)
    group = request.GET.get("group", "")
    if group not in GROUPS:
        group = ""
    listed = inbox_grouped(filterset.qs, group=group)
    page = Paginator(listed, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/inbox/list.html",
        {
            "page_obj": page,
            "filter": filterset,
            "group": group,
            "groups": GROUPS,
            "kind": request.GET.get("kind", ""),
            "filtered": any(request.GET.get(k) for k in ("kind", "project", "unit", "month", "state", "show")),
            "query": query.urlencode(),
            "unread": unread_count(user=request.user),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("inbox")


@login_required
@require_GET
def message_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a message's link: it counts as read once its reader has gone to act on it."""
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    message_mark_read(message=message)
    target = message.link
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
    """Mark read what the list shows (its filters, from the query it was shown with), or everything."""
    shown = QueryDict(request.POST.get("query", ""))
    count = messages_mark_all_read(user=request.user, messages=_filter(request, shown).qs)
    flash.success(request, _("已将 %(count)s 条消息标为已读") % {"count": count})
    return _back(request)
