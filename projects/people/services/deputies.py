"""Writes of the deputies' supervision: inspections (视察) with photos, and suggestions to a
project's lead unit that it must answer (答复), which the deputy then accepts (办结) or sends back.

A suggestion is one more item of the supervision loop (projects/supervision): its states and
transitions are the loop's table (``states``), each step is the loop's conditional update on state
and version (``loop_move``: a stale form is refused and changes nothing), its history the loop's
(``record_step``), its reminder and 催办 the loop's rule (``reminder_owed``, ``calendar``) on the
same daily job. What differs: the lead unit is the unit the loop waits for, and the deputy who made
the suggestion takes the office's part (核查: accept and close, or send back with a reason)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from projects import calendar, clock, permissions, uploads
from projects.audit.actions import AuditAction
from projects.audit.services import AuditTarget, audit_record, audit_refusals
from projects.models import Event, Project, TaskUnit, TaskUnitRole, Unit, User
from projects.people.models import Inspection, InspectionPhoto, Suggestion
from projects.people.services.vote import deputy_of
from projects.services.notifications import News, notifications_create
from projects.supervision import states
from projects.supervision.services import loop_move, reminder_owed
from projects.supervision.states import Actor, LoopAction, LoopState
from projects.supervision.steps import Refused, record_step, send_later

PHOTO_TYPES = ("image/jpeg", "image/png")


def _photo(upload: UploadedFile) -> tuple[bytes, str, str]:
    try:
        data = uploads.read_upload(upload)
    except uploads.UploadRefused as exc:
        raise ValidationError(exc.message) from exc
    kind = filetype.guess(data)
    if kind is None or kind.mime not in PHOTO_TYPES:
        raise ValidationError(_("“%(name)s”不是 JPEG 或 PNG 照片") % {"name": upload.name})
    try:
        name = uploads.evidence_name(upload.name or "", content_type=kind.mime)
    except uploads.UploadRefused as exc:
        raise ValidationError(exc.message) from exc
    return data, name, kind.mime


def inspection_record(
    *, user: User, project_id: int, visited_on: date, place: str, notes: str, photos: Sequence[UploadedFile] = ()
) -> Inspection:
    detail = {"project": project_id, "visited_on": visited_on, "place": place, "photos": len(photos)}
    with audit_refusals(action=AuditAction.INSPECTION_RECORD, actor=user, detail=detail):
        if len(photos) > settings.PEOPLE_INSPECTION_MAX_PHOTOS:
            raise ValidationError(_("每次视察最多上传 %(n)s 张照片") % {"n": settings.PEOPLE_INSPECTION_MAX_PHOTOS})
        checked = [_photo(p) for p in photos]
        saved: list[InspectionPhoto] = []
        try:
            with transaction.atomic():
                deputy = deputy_of(user)
                if visited_on > clock.today():
                    raise ValidationError(_("视察日期不能晚于今天"))
                inspection = Inspection(
                    deputy=deputy, project=Project.objects.get(pk=project_id), visited_on=visited_on,
                    place=place.strip(), notes=notes.strip(), created_at=clock.now(),
                )  # fmt: skip
                inspection.full_clean()
                inspection.save()
                for data, name, mime in checked:
                    digest = hashlib.sha256(data).hexdigest()
                    photo = InspectionPhoto(
                        inspection=inspection, original_name=name, content_type=mime, size=len(data), sha256=digest
                    )
                    photo.file.save(digest, ContentFile(data), save=False)
                    saved.append(photo)
                    photo.save()
                audit_record(action=AuditAction.INSPECTION_RECORD, actor=user, obj=inspection, detail=detail)
                return inspection
        except Exception:
            for photo in saved:
                photo.file.delete(save=False)
            raise


def lead_units(project: Project) -> list[Unit]:
    """The units that lead a project's tasks: whom a deputy's suggestion on it may go to."""
    ids = TaskUnit.objects.filter(task__project=project, role=TaskUnitRole.LEAD).values_list("unit_id", flat=True)
    return list(Unit.objects.filter(pk__in=ids).order_by("position", "pk"))


def suggestion_create(
    *, user: User, project_id: int, lead_unit_id: int, text: str, inspection_id: int | None = None
) -> Suggestion:
    """A deputy's suggestion on a project to one of its lead units (交办): issued to the unit, which
    must answer within ``PEOPLE_SUGGESTION_REPLY_DAYS``; the unit is told at once, with a link."""
    detail = {"project": project_id, "lead_unit": lead_unit_id, "inspection": inspection_id}
    with audit_refusals(action=AuditAction.SUGGESTION_CREATE, actor=user, detail=detail), transaction.atomic():
        deputy = deputy_of(user)
        project = Project.objects.get(pk=project_id)
        unit = next((u for u in lead_units(project) if u.pk == lead_unit_id), None)
        if unit is None:
            raise ValidationError(_("请选择该项目的责任单位"))
        inspection = Inspection.objects.get(pk=inspection_id, deputy=deputy, project=project) if inspection_id else None
        now = clock.now()
        suggestion = Suggestion(
            deputy=deputy, project=project, lead_unit=unit, inspection=inspection, text=text.strip(),
            created_at=now, deadline=_reply_deadline(),
        )  # fmt: skip
        suggestion.full_clean()
        suggestion.save()
        day = calendar.day_label(suggestion.deadline)
        record_step(
            suggestion=suggestion, action=LoopAction.ISSUE, actor=user, at=now, to_state=LoopState.ISSUED,
            reason=_("交办%(unit)s，答复期限 %(day)s") % {"unit": unit.name, "day": day},
        )  # fmt: skip
        audit_record(action=AuditAction.SUGGESTION_CREATE, actor=user, obj=suggestion, detail=detail)
        _tell(_to_unit(suggestion, key=f"suggestion:{suggestion.pk}:issued", text=suggestion.text))
        return suggestion


def _reply_deadline() -> date:
    return clock.today() + timedelta(days=settings.PEOPLE_SUGGESTION_REPLY_DAYS)


def _to_unit(suggestion: Suggestion, *, key: str, text: str, again: bool = False) -> News:
    values = {
        "deputy": suggestion.deputy.name,
        "project": suggestion.project.title,
        "text": text,
        "day": calendar.day_label(suggestion.deadline),
    }
    if again:
        subject = _("【人大代表建议·继续办理】%(project)s") % values
        body = _("%(deputy)s代表对答复不满意，要求继续办理，请于 %(day)s 前重新答复：\n%(text)s") % values
    else:
        subject = _("【人大代表建议】%(project)s") % values
        body = _("%(deputy)s代表对“%(project)s”提出建议，请于 %(day)s 前答复：\n%(text)s") % values
    return News(
        event=Event.SUGGESTION, key=key, subject=subject, body=body,
        link=reverse("people:suggestion_detail", args=[suggestion.pk]),
        lead_unit_id=suggestion.lead_unit_id, project_id=suggestion.project_id,
    )  # fmt: skip


def _tell(*news: News) -> None:
    send_later(notifications_create(items=list(news)))


def _locked(suggestion_id: int) -> Suggestion:
    return Suggestion.objects.select_for_update(of=("self",)).select_related("deputy", "project").get(pk=suggestion_id)


@contextmanager
def _loop_refusals() -> Iterator[None]:
    """The loop's refusals (a stale form, a step its state does not allow) as the people's pages
    show every refusal: a ValidationError in the user's words."""
    try:
        yield
    except Refused as exc:
        raise ValidationError(exc.message) from exc


def _the_unit(user: User, suggestion: Suggestion) -> None:
    unit = permissions.acting_unit(user)
    if unit is None or suggestion.lead_unit_id != unit.pk:
        raise PermissionDenied("not the suggestion's lead unit")


def suggestion_acknowledge(*, user: User, suggestion_id: int, version: int | None = None) -> Suggestion:
    """The lead unit signs for the suggestion (签收)."""
    target = AuditTarget.ref(Suggestion, suggestion_id)
    detail = {"version": version}
    with (
        audit_refusals(action=AuditAction.SUGGESTION_ACKNOWLEDGE, actor=user, obj=target, detail=detail),
        transaction.atomic(),
        _loop_refusals(),
    ):
        suggestion = _locked(suggestion_id)
        _the_unit(user, suggestion)
        now = clock.now()
        before, after = loop_move(
            suggestion, LoopAction.ACKNOWLEDGE, version, acknowledged_at=now, acknowledged_by=user
        )
        record_step(
            suggestion=suggestion, action=LoopAction.ACKNOWLEDGE, actor=user, at=now, from_state=before, to_state=after
        )
        audit_record(action=AuditAction.SUGGESTION_ACKNOWLEDGE, actor=user, obj=suggestion, detail={"state": after})
        return suggestion


def suggestion_reply(*, user: User, suggestion_id: int, version: int, text: str) -> Suggestion:
    """The lead unit answers (办理反馈; signing for it first if it had not); an answer after the
    deadline is marked 逾期反馈; the deputy is told."""
    detail = {"version": version}
    target = AuditTarget.ref(Suggestion, suggestion_id)
    with (
        audit_refusals(action=AuditAction.SUGGESTION_REPLY, actor=user, obj=target, detail=detail),
        transaction.atomic(),
        _loop_refusals(),
    ):
        suggestion = _locked(suggestion_id)
        _the_unit(user, suggestion)
        if suggestion.state == LoopState.CLOSED:
            raise ValidationError(_("这条建议已经办结"))
        if not text.strip():
            raise ValidationError(_("请填写答复内容"))
        now, today = clock.now(), clock.today()
        if suggestion.state == LoopState.ISSUED:
            # Answering signs for it first: two steps in the history, as for a notice.
            before, after = loop_move(
                suggestion, LoopAction.ACKNOWLEDGE, version, acknowledged_at=now, acknowledged_by=user
            )
            record_step(
                suggestion=suggestion, action=LoopAction.ACKNOWLEDGE, actor=user, at=now,
                from_state=before, to_state=after,
            )  # fmt: skip
            version = suggestion.version
        before, after = loop_move(suggestion, LoopAction.ANSWER, version, answered_at=now)
        late = calendar.answer_is_late(suggestion.deadline, answered_on=today)
        shown = text.strip() + (_("（逾期反馈）") if late else "")
        record_step(
            suggestion=suggestion, action=LoopAction.ANSWER, actor=user, at=now, from_state=before, to_state=after,
            reason=shown,
        )  # fmt: skip
        audit_record(action=AuditAction.SUGGESTION_REPLY, actor=user, obj=suggestion, detail={**detail, "late": late})
        unit = suggestion.lead_unit
        _tell(
            News(
                event=Event.SUGGESTION_REPLY,
                key=f"suggestion:{suggestion.pk}:answer:{suggestion.version}",
                subject=_("【建议答复】%(project)s") % {"project": suggestion.project.title},
                body=_("%(unit)s答复了您的建议：\n%(text)s") % {"unit": unit.name, "text": shown},
                link=reverse("people:suggestion_detail", args=[suggestion.pk]),
                user_id=suggestion.deputy.user_id,
            )
        )
        return suggestion


def suggestion_conclude(*, user: User, suggestion_id: int, version: int, accept: bool, text: str = "") -> Suggestion:
    """The deputy verifies the answer (核查, the office's part in the loop): accepts it and closes
    the suggestion (办结), or sends it back with what is missing (退回), which gives the unit a new
    deadline (the reminder and 催办 are owed again) and tells it."""
    action = AuditAction.SUGGESTION_ACCEPT if accept else AuditAction.SUGGESTION_REOPEN
    target = AuditTarget.ref(Suggestion, suggestion_id)
    with audit_refusals(action=action, actor=user, obj=target), transaction.atomic(), _loop_refusals():
        deputy = deputy_of(user)
        suggestion = _locked(suggestion_id)
        if suggestion.deputy_id != deputy.pk:
            raise PermissionDenied("not the deputy's suggestion")
        step = LoopAction.ACCEPT if accept else LoopAction.SEND_BACK
        if suggestion.version == version and step not in states.actions_for(suggestion.state, Actor.OFFICE):
            raise ValidationError(_("承办单位答复后才能办结或要求继续办理"))
        reason = text.strip()
        if states.TRANSITIONS[step].needs_reason and not reason:
            raise ValidationError(_("请说明还需要办理的内容"))
        now = clock.now()
        if accept:
            fields = {"closed_at": now, "closed_by": user}
        else:
            fields = {"deadline": _reply_deadline(), "reminded_at": None, "urged_at": None}
        before, after = loop_move(suggestion, step, version, **fields)
        record_step(
            suggestion=suggestion, action=step, actor=user, at=now, from_state=before, to_state=after, reason=reason
        )
        audit_record(action=action, actor=user, obj=suggestion, detail={"state": after})
        if not accept:
            _tell(_to_unit(suggestion, key=f"suggestion:{suggestion.pk}:returned:{suggestion.version}",
                           text=reason, again=True))  # fmt: skip
        return suggestion


def suggestion_reminders_send(*, as_of: date) -> list[int]:
    """For every suggestion waiting for its unit: the reminder within the loop's days before the
    deadline, the 催办 from the day after it (the loop's rule, ``reminder_owed``), each once per
    deadline however often it runs (claimed by a conditional update); the day's 催办 listed for the
    office and for each deputy concerned. Returns the deliveries to send."""
    now = clock.now()
    news: list[News] = []
    urged: list[Suggestion] = []
    steps: list[str] = []
    with transaction.atomic():
        waiting = (
            Suggestion.objects.filter(state__in=sorted(states.WAITING_FOR_UNIT))
            .filter(Q(reminded_at__isnull=True) | Q(urged_at__isnull=True))
            .select_related("deputy", "project", "lead_unit")
            .order_by("deadline", "pk")
        )
        for suggestion in waiting:
            stamp = reminder_owed(suggestion, as_of=as_of)
            if stamp is None or not Suggestion.objects.filter(pk=suggestion.pk, **{f"{stamp}__isnull": True}).update(
                **{stamp: now}
            ):
                continue
            urge = stamp == "urged_at"
            day = calendar.day_label(suggestion.deadline)
            record_step(
                suggestion=suggestion, action=LoopAction.URGE if urge else LoopAction.REMIND, actor=None, at=now,
                reason=(_("已过答复期限 %(day)s") if urge else _("答复期限 %(day)s")) % {"day": day},
            )  # fmt: skip
            news.append(_reminder_news(suggestion, urge=urge))
            steps.append(f"suggestion:{suggestion.pk}:{'urge' if urge else 'remind'}")
            if urge:
                urged.append(suggestion)
        news += _urge_summaries(urged, as_of=as_of)
        created = notifications_create(items=news)
        if steps:
            detail = {"as_of": as_of, "steps": steps, "deliveries": len(created)}
            audit_record(action=AuditAction.LOOP_REMIND, detail=detail)
    return created


def _reminder_news(suggestion: Suggestion, *, urge: bool) -> News:
    values = {
        "unit": suggestion.lead_unit.name,
        "deputy": suggestion.deputy.name,
        "project": suggestion.project.title,
        "day": calendar.day_label(suggestion.deadline),
    }
    if urge:
        subject = _("【逾期催办】%(deputy)s代表建议（%(project)s）已过答复期限") % values
        body = (
            _(
                "%(unit)s：\n%(deputy)s代表关于“%(project)s”的建议，答复期限 %(day)s 已过，至今未收到你单位的答复。"
                "请立即在系统中答复。"
            )
            % values
        )
    else:
        subject = _("【答复提醒】%(deputy)s代表建议（%(project)s）请于 %(day)s 前答复") % values
        body = _("%(unit)s：\n%(deputy)s代表关于“%(project)s”的建议，答复期限为 %(day)s，请按期在系统中答复。") % values
    return News(
        event=Event.LOOP_URGE if urge else Event.LOOP_REMINDER,
        key=f"suggestion:{suggestion.pk}:{'urge' if urge else 'remind'}:{suggestion.deadline:%Y-%m-%d}",
        subject=subject, body=body, link=reverse("people:suggestion_detail", args=[suggestion.pk]),
        unit_id=suggestion.lead_unit_id,
    )  # fmt: skip


def _urge_summaries(urged: list[Suggestion], *, as_of: date) -> list[News]:
    """The day's 催办 of suggestions: one list for the office, and each deputy his own."""
    if not urged:
        return []
    digest = hashlib.sha256(",".join(str(s.pk) for s in urged).encode()).hexdigest()[:12]
    key = f"suggestion-urge:{as_of.isoformat()}:{digest}"
    by_deputy: dict[int, list[Suggestion]] = {}
    for suggestion in urged:
        by_deputy.setdefault(suggestion.deputy.user_id, []).append(suggestion)
    out = [_urge_summary(urged, reader=_("市政府督查室"), as_of=as_of, key=key)]
    out += [
        _urge_summary(mine, reader=_("%(name)s代表") % {"name": mine[0].deputy.name}, as_of=as_of, key=key, user_id=uid)
        for uid, mine in by_deputy.items()
    ]
    return out


def _urge_summary(items: list[Suggestion], *, reader: str, as_of: date, key: str, user_id: int | None = None) -> News:
    values = {"reader": reader, "day": calendar.day_label(as_of), "n": len(items)}
    lines = [_("%(reader)s：\n截至 %(day)s，以下 %(n)s 条代表建议已过答复期限仍未答复，已催办承办单位：") % values]
    lines += [
        _("· %(unit)s：%(project)s（答复期限 %(deadline)s）")
        % {"unit": s.lead_unit.name, "project": s.project.title, "deadline": calendar.day_label(s.deadline)}
        for s in items
    ]
    return News(
        event=Event.LOOP_URGE_SUMMARY,
        key=key,
        subject=_("【逾期催办】%(n)s 条代表建议逾期未答复（%(day)s）") % values,
        body="\n".join(lines),
        link=reverse("people:suggestions"),
        user_id=user_id,
    )
