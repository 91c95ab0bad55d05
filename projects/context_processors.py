"""Template context for every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from projects.selectors.notifications import unread_count


def inbox(request: HttpRequest) -> dict[str, object]:
    """``inbox_url`` and ``inbox_unread_count`` for the badge in the page header (logged-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # One COUNT served by a partial index of the unread messages, once per request: context
    # processors run again for every template rendered with the request (table cells, includes).
    if not hasattr(request, "_inbox_unread_count"):
        request._inbox_unread_count = unread_count(user=user)
    return {"inbox_url": reverse("inbox"), "inbox_unread_count": request._inbox_unread_count}
