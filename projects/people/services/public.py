"""Writes of the public progress page: the office publishes a plan and approves photos; each
closed month (and each such change) rebuilds the plan's snapshot, which the page is served from."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from projects import clock, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import AuditTarget, audit_record, audit_refusals
from projects.models import Evidence, Plan, SubmissionStatus, User
from projects.people.models import Publication, PublicPhoto, PublicSnapshot
from projects.people.photos import photo_without_metadata
from projects.people.selectors import public as sel


def _office(user: User) -> None:
    if not permissions.administers(user):
        raise PermissionDenied("only the office publishes")


def public_refresh(*, plan: Plan) -> PublicSnapshot | None:
    """Rebuild the plan's snapshot as of its last closed month (and drop snapshots of months no
    longer closed). Nothing for a plan that is not published. Safe to run again."""
    with transaction.atomic():
        month = sel.last_closed_month(plan)
        stale = PublicSnapshot.objects.filter(plan=plan)
        if month is not None:
            stale = stale.exclude(month=month)
        stale.delete()
        if month is None or not Publication.objects.filter(plan=plan).exists():
            PublicSnapshot.objects.filter(plan=plan).delete()
            return None
        snapshot, _created = PublicSnapshot.objects.update_or_create(
            plan=plan,
            month=month,
            defaults={"data": sel.snapshot_data(plan=plan, month=month), "built_at": clock.now()},
        )
        audit_record(action=AuditAction.PUBLIC_REFRESH, obj=plan, detail={"month": month})
        return snapshot


def plan_publish(*, user: User, plan_id: int, publish: bool = True) -> None:
    action = AuditAction.PLAN_PUBLISH if publish else AuditAction.PLAN_UNPUBLISH
    with audit_refusals(action=action, actor=user, obj=AuditTarget.ref(Plan, plan_id)), transaction.atomic():
        _office(user)
        plan = Plan.objects.select_for_update().get(pk=plan_id)
        if publish:
            Publication.objects.get_or_create(plan=plan, defaults={"published_at": clock.now(), "published_by": user})
        else:
            Publication.objects.filter(plan=plan).delete()
        audit_record(action=action, actor=user, obj=plan)
        public_refresh(plan=plan)


def photo_publish(*, user: User, evidence_id: int, caption: str) -> PublicPhoto:
    """The office approves a photo of a reviewed figure for the public page, with a caption (no names)."""
    detail = {"caption": caption}
    with (
        audit_refusals(
            action=AuditAction.PHOTO_PUBLISH, actor=user, obj=AuditTarget.ref(Evidence, evidence_id), detail=detail
        ),
        transaction.atomic(),
    ):
        _office(user)
        evidence = Evidence.objects.select_related("submission__indicator__task__project__plan").get(pk=evidence_id)
        if evidence.content_type not in sel.PUBLIC_PHOTO_TYPES:
            raise ValidationError(_("只有照片（JPEG、PNG）可以公开"))
        if evidence.submission.status != SubmissionStatus.APPROVED:
            raise ValidationError(_("只有审核通过的月报的照片可以公开"))
        caption = caption.strip()
        if not caption:
            raise ValidationError(_("请填写照片说明"))
        photo, _created = PublicPhoto.objects.update_or_create(
            evidence=evidence,
            defaults={"caption": caption[:200], "approved_by": user, "approved_at": clock.now()},
        )
        _public_copy(photo)
        detail["sha256"] = photo.file.name.rsplit("/", 1)[-1]
        audit_record(action=AuditAction.PHOTO_PUBLISH, actor=user, obj=evidence, detail=detail)
        public_refresh(plan=evidence.submission.indicator.task.project.plan)
        return photo


def _public_copy(photo: PublicPhoto) -> None:
    """Keep the copy the public is served: the evidence's pixels without EXIF, XMP or comments
    (GPS, camera, author), upright. Named by its SHA-256, so approving again keeps one file."""
    with photo.evidence.file.open("rb") as handle:
        data = handle.read()
    clean = photo_without_metadata(data, content_type=photo.evidence.content_type)
    digest = hashlib.sha256(clean).hexdigest()
    old = photo.file.name
    if old and old.endswith(digest):
        return
    photo.file.save(digest, ContentFile(clean), save=False)
    PublicPhoto.objects.filter(pk=photo.pk).update(file=photo.file.name)
    if old:
        # The old copy goes once the change is committed. (A failed transaction leaves the new file,
        # unreferenced and without metadata; nothing serves it.)
        storage = photo.file.storage
        transaction.on_commit(lambda: storage.delete(old))


def photo_unpublish(*, user: User, photo_id: int) -> None:
    target = AuditTarget.ref(PublicPhoto, photo_id)
    with audit_refusals(action=AuditAction.PHOTO_UNPUBLISH, actor=user, obj=target), transaction.atomic():
        _office(user)
        photo = PublicPhoto.objects.select_related("evidence__submission__indicator__task__project__plan").get(
            pk=photo_id
        )
        plan = photo.evidence.submission.indicator.task.project.plan
        audit_record(action=AuditAction.PHOTO_UNPUBLISH, actor=user, obj=photo.evidence)
        name, storage = photo.file.name, photo.file.storage
        photo.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
        public_refresh(plan=plan)
