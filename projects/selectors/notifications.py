"""Reads for the inbox and the supervision notices."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from projects.models import Event, Message, User


def unread_count(*, user: User) -> int:
    """Open items of the inbox: unread messages whose condition still holds (a message about an
    alert that has been resolved since is no longer one)."""
    return Message.objects.filter(recipient=user, read_at__isnull=True, resolved_at__isnull=True).count()


def inbox_messages(*, user: User, unread_only: bool = False) -> QuerySet[Message]:
    messages = Message.objects.filter(recipient=user)
    if unread_only:
        messages = messages.filter(read_at__isnull=True, resolved_at__isnull=True)
    return messages.order_by("-created", "-id")


def inbox_grouped(messages: QuerySet[Message], *, group: str = "") -> QuerySet[Message]:
    """The inbox's list in the order of its groups (kind, project, unit or month; newest first in
    each), or newest first; with what each row shows."""
    messages = messages.select_related("project", "unit")
    if group in ("kind", "project", "unit", "month"):
        # What the template compares to start a new group.
        messages = messages.annotate(group_key=F({"project": "project_id", "unit": "unit_id"}.get(group, group)))
    if group == "kind":
        order = Case(
            *[When(kind=kind, then=Value(i)) for i, kind in enumerate(Event.values)],
            default=Value(len(Event.values)),
            output_field=IntegerField(),
        )
        messages = messages.annotate(group_order=order).order_by("group_order", "-created", "-id")
    elif group == "project":
        messages = messages.order_by(F("project__plan__year").desc(nulls_last=True), F("project__number").asc(
            nulls_last=True), "-created", "-id")  # fmt: skip
    elif group == "unit":
        messages = messages.order_by(F("unit__position").asc(nulls_last=True), "unit_id", "-created", "-id")
    elif group == "month":
        messages = messages.order_by(F("month").desc(nulls_last=True), "-created", "-id")
    else:
        messages = messages.order_by("-created", "-id")
    return messages
