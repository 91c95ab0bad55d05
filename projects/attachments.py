"""What a message attaches: a registry of the events that produce messages.

The e-mail sender knows no producer. A producer that wants files on its e-mails puts the few
plain values that identify them on its news (``News(..., attachments={"plan": 1, "month":
"2022-09"})``); ``notifications_create`` checks that the event has a builder here and records the
values on each e-mail's delivery (``Delivery.attachments``); when the e-mail is sent (and again on
each retry) the sender asks ``attachments_build`` for the files, which calls the event's builder
with those values as keyword arguments. Files are built when sent, never stored per delivery: a
bulletin is a few hundred kilobytes and goes to every leader.

The registry maps an event to the dotted path of its builder, as healthchecks' ``TRANSPORTS``
maps a kind of channel to its class: one place to read, and imported only when an e-mail is
sent, since the producers' modules import the notification services themselves.

A builder is a plain function ``builder(**params) -> Sequence[Attachment]`` whose parameters are
JSON values (ids, ``YYYY-MM`` months). To attach files to a new kind of message, add its event
(``projects.models.Event``) and one line here; nothing else changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from projects.models import Event


@dataclass(frozen=True)
class Attachment:
    """One file on an e-mail."""

    filename: str
    content: bytes
    mimetype: str


AttachmentBuilder = Callable[..., Sequence[Attachment]]

# Event -> dotted path of the function that builds its e-mails' files from the recorded values.
ATTACHMENT_BUILDERS: dict[str, str] = {
    # The monthly bulletin: the Word document and the Excel workbook (plan id, month "YYYY-MM").
    Event.BULLETIN: "projects.services.bulletin.bulletin_email_attachments",
}


class UnknownAttachments(ValueError):
    """News asks for attachments that no builder makes."""


def attachment_builder(event: str) -> AttachmentBuilder:
    """The builder registered for ``event``; ``UnknownAttachments`` when there is none."""
    path = ATTACHMENT_BUILDERS.get(event)
    if path is None:
        raise UnknownAttachments(f"no attachment builder is registered for event {event!r}")
    return import_string(path)


def attachments_check(*, event: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The values to record on a delivery, checked when the news is created (not when it is sent,
    minutes later in a worker): the event must have a builder and the values must be JSON."""
    if not params:
        return {}
    if event not in ATTACHMENT_BUILDERS:
        raise UnknownAttachments(f"no attachment builder is registered for event {event!r}")
    values = dict(params)
    try:
        json.dumps(values)
    except TypeError as exc:
        raise UnknownAttachments(f"attachment values must be JSON (ids, YYYY-MM months): {exc}") from exc
    return values


def attachments_build(*, event: str, params: Mapping[str, Any] | None) -> list[Attachment]:
    """The files of one e-mail: the event's builder called with the values recorded on its delivery
    (none recorded: no files)."""
    if not params:
        return []
    return list(attachment_builder(event)(**params))
