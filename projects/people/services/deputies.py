"""Writes of the deputies' supervision: inspections (视察) with photos, and suggestions to a
project's lead unit that it must answer (答复), which the deputy then accepts (办结) or sends back.

Suggestions follow the steps of the office's closed loop (交办 → 办理反馈 → 核查 → 办结); they are
to join the supervision loop (projects/supervision) once it is on main."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from projects import calendar, clock, permissions, uploads
from projects.audit.actions import AuditAction
from projects.audit.services import AuditTarget, audit_record, audit_refusals
from projects.models import Event, Project, TaskUnit, TaskUnitRole, Unit, User
from projects.people.models import (
    Inspection,
    InspectionPhoto,
    Suggestion,
    SuggestionEntry,
    SuggestionStatus,
)
from projects.people.services.vote import deputy_of
from projects.services.notifications import News, notifications_create

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
    """A deputy's suggestion on a project to one of its lead units; the unit is told at once."""
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
            created_at=now, reply_by=clock.today() + timedelta(days=settings.PEOPLE_SUGGESTION_REPLY_DAYS),
        )  # fmt: skip
        suggestion.full_clean()
        suggestion.save()
        audit_record(action=AuditAction.SUGGESTION_CREATE, actor=user, obj=suggestion, detail=detail)
        _tell(
            News(
                event=Event.SUGGESTION,
                key=f"suggestion:{suggestion.pk}:{suggestion.version}",
                subject=_("【人大代表建议】%(project)s") % {"project": project.title},
                body=_("%(deputy)s代表对“%(project)s”提出建议，请于 %(day)s 前答复：\n%(text)s")
                % {
                    "deputy": deputy.name,
                    "project": project.title,
                    "text": suggestion.text,
                    "day": calendar.day_label(suggestion.reply_by),
                },
                link=reverse("people:suggestion_detail", args=[suggestion.pk]),
                lead_unit_id=unit.pk,
                project_id=project.pk,
            )
        )
        return suggestion


def _tell(news: News) -> None:
    from projects.tasks import deliveries_enqueue  # the tasks module imports the services

    deliveries_enqueue(notifications_create(items=[news]))


def _locked(suggestion_id: int, version: int) -> Suggestion:
    suggestion = Suggestion.objects.select_for_update().select_related("deputy", "project").get(pk=suggestion_id)
    if suggestion.version != version:
        raise ValidationError(_("这条建议已有新的办理记录，请刷新页面后再提交；您填写的内容仍在表单中"))
    return suggestion


def suggestion_reply(*, user: User, suggestion_id: int, version: int, text: str) -> Suggestion:
    """The lead unit answers (办理反馈); the deputy is told."""
    detail = {"version": version}
    with (
        audit_refusals(
            action=AuditAction.SUGGESTION_REPLY,
            actor=user,
            obj=AuditTarget.ref(Suggestion, suggestion_id),
            detail=detail,
        ),
        transaction.atomic(),
    ):
        unit = permissions.acting_unit(user)
        suggestion = _locked(suggestion_id, version)
        if unit is None or suggestion.lead_unit_id != unit.pk:
            raise PermissionDenied("not the suggestion's lead unit")
        if suggestion.status == SuggestionStatus.CLOSED:
            raise ValidationError(_("这条建议已经办结"))
        if not text.strip():
            raise ValidationError(_("请填写答复内容"))
        _step(suggestion, user, SuggestionEntry.Kind.REPLY, text, SuggestionStatus.ANSWERED)
        audit_record(action=AuditAction.SUGGESTION_REPLY, actor=user, obj=suggestion, detail=detail)
        _tell(
            News(
                event=Event.SUGGESTION_REPLY,
                key=f"suggestion:{suggestion.pk}:{suggestion.version}",
                subject=_("【建议答复】%(project)s") % {"project": suggestion.project.title},
                body=_("%(unit)s答复了您的建议：\n%(text)s") % {"unit": unit.name, "text": text.strip()},
                link=reverse("people:suggestion_detail", args=[suggestion.pk]),
                user_id=suggestion.deputy.user_id,
            )
        )
        return suggestion


def suggestion_conclude(*, user: User, suggestion_id: int, version: int, accept: bool, text: str = "") -> Suggestion:
    """The deputy accepts the reply (办结) or sends it back for more (继续办理, the unit is told again)."""
    action = AuditAction.SUGGESTION_ACCEPT if accept else AuditAction.SUGGESTION_REOPEN
    target = AuditTarget.ref(Suggestion, suggestion_id)
    with audit_refusals(action=action, actor=user, obj=target), transaction.atomic():
        deputy = deputy_of(user)
        suggestion = _locked(suggestion_id, version)
        if suggestion.deputy_id != deputy.pk:
            raise PermissionDenied("not the deputy's suggestion")
        if suggestion.status != SuggestionStatus.ANSWERED:
            raise ValidationError(_("承办单位答复后才能办结或要求继续办理"))
        if not accept and not text.strip():
            raise ValidationError(_("请说明还需要办理的内容"))
        kind = SuggestionEntry.Kind.ACCEPT if accept else SuggestionEntry.Kind.REOPEN
        _step(suggestion, user, kind, text, SuggestionStatus.CLOSED if accept else SuggestionStatus.OPEN)
        audit_record(action=action, actor=user, obj=suggestion)
        if not accept:
            _tell(
                News(
                    event=Event.SUGGESTION,
                    key=f"suggestion:{suggestion.pk}:{suggestion.version}",
                    subject=_("【人大代表建议·继续办理】%(project)s") % {"project": suggestion.project.title},
                    body=text.strip(),
                    link=reverse("people:suggestion_detail", args=[suggestion.pk]),
                    lead_unit_id=suggestion.lead_unit_id,
                    project_id=suggestion.project_id,
                )
            )
        return suggestion


def _step(suggestion: Suggestion, user: User, kind: str, text: str, status: str) -> None:
    SuggestionEntry.objects.create(
        suggestion=suggestion, kind=kind, author=user, text=text.strip(), created_at=clock.now()
    )
    suggestion.status = status
    suggestion.version += 1
    suggestion.save(update_fields=["status", "version"])
