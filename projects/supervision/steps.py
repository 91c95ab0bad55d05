"""What every write of the supervision loop does the same way (projects/supervision/services.py and
closeouts.py): refuse with the user's words, write a step of an item's history, keep the files
checked as figures' evidence is checked, send the messages once the transaction commits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from projects import calendar, uploads
from projects.models import (
    Answer,
    CloseOut,
    Instruction,
    InstructionReply,
    SupervisionEvent,
    SupervisionFile,
    SupervisionNotice,
    User,
)
from projects.people.models import Suggestion


class Refused(Exception):
    """A step that cannot be taken now, with the reason in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Stale(Refused):
    """The form was based on an older version of the item: someone acted on it meanwhile."""


def stale() -> Stale:
    return Stale(_("操作未完成：该事项在您打开页面后已有新的办理，请刷新页面查看最新情况后再操作。"))


def day(value: date) -> str:
    return calendar.day_label(value)


def record_step(
    *,
    action: str,
    actor: User | None,
    at: datetime,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    notice: SupervisionNotice | None = None,
    reply: InstructionReply | None = None,
    instruction: Instruction | None = None,
    closeout: CloseOut | None = None,
    suggestion: Suggestion | None = None,
) -> SupervisionEvent:
    """One step of an item's history: who (``None``: the tracker's own jobs), when, what, why."""
    if reply is not None:
        instruction = reply.instruction
    return SupervisionEvent.objects.create(
        notice=notice,
        reply=reply,
        instruction=instruction,
        closeout=closeout,
        suggestion=suggestion,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        actor_name=actor.display_name if actor else _("系统"),
        at=at,
        reason=reason,
    )


def store_files(
    files: Sequence[UploadedFile],
    *,
    user: User,
    now: datetime,
    stored: list[SupervisionFile],
    answer: Answer | None = None,
    closeout: CloseOut | None = None,
) -> None:
    """Check each file as a figure's evidence is checked (projects/uploads.py: its content, its
    name, a PDF's active content, the caps of one item), then keep it. Each kept file is appended
    to ``stored`` so that the caller removes them if its transaction fails."""
    seen: set[str] = set()
    total = 0
    what = _("每次反馈") if answer is not None else _("每项销号申请")
    for upload in files:
        try:
            data = uploads.read_upload(upload)
            name, content_type = uploads.evidence_checked(name=upload.name or "", data=data)
            uploads.check_caps(files=len(seen), total=total, size=len(data), what=what)
        except uploads.UploadRefused as exc:
            raise ValidationError({"files": [exc.message]}) from exc
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            raise ValidationError({"files": [_("“%(name)s”重复上传了") % {"name": name}]})
        seen.add(digest)
        total += len(data)
        record = SupervisionFile(
            answer=answer,
            closeout=closeout,
            original_name=name,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=user,
            uploaded_at=now,
        )
        record.file.save(digest, ContentFile(data), save=False)
        stored.append(record)
        record.save()


def delete_files(stored: Iterable[SupervisionFile]) -> None:
    """Remove the files of a write that failed (its rows are rolled back; the files are not)."""
    for record in stored:
        record.file.delete(save=False)


_deferred: ContextVar[bool] = ContextVar("supervision_deliveries_deferred", default=False)


@contextmanager
def deliveries_deferred() -> Iterator[None]:
    """Inside, the deliveries are recorded but not enqueued: the periodic sweep (deliver_pending)
    sends them, as after `scan --no-send`. The demo's story uses it: `make db` runs before Redis."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def send_later(delivery_ids: list[int]) -> None:
    """Send the deliveries once the transaction commits."""
    if _deferred.get():
        return
    from projects.tasks import deliveries_enqueue  # the tasks module imports the services

    deliveries_enqueue(delivery_ids)
