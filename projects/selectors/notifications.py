"""Reads for the inbox and the supervision notices."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from projects.models import Message, SupervisionNotice, User


def unread_count(*, user: User) -> int:
    """Open items of the inbox: unread messages whose condition still holds (a message about an
    alert that has been resolved since is no longer one)."""
    return Message.objects.filter(recipient=user, read_at__isnull=True, resolved_at__isnull=True).count()


def inbox_messages(*, user: User, unread_only: bool = False) -> QuerySet[Message]:
    messages = Message.objects.filter(recipient=user)
    if unread_only:
        messages = messages.filter(read_at__isnull=True, resolved_at__isnull=True)
    return messages.order_by("-created", "-id")


def notices_visible_to(*, user: User) -> QuerySet[SupervisionNotice]:
    """A notice is seen by the office, the units it names and the leaders who received it."""
    notices = SupervisionNotice.objects.select_related("unit", "lead_unit", "task__project", "indicator", "plan")
    if user.is_office:
        return notices
    visible = Q(messages__recipient=user)
    if user.unit_id:
        visible |= Q(unit_id=user.unit_id) | Q(lead_unit_id=user.unit_id)
    return notices.filter(visible).distinct()
