"""Close-out (销号): a met target's lead department applies, the office verifies it and closes the
target out (its figures lock, projects/supervision/rules.py) or refuses with a reason; only the
office reopens it, with a reason. The same manners as the loop's services (projects/supervision/
services.py): permission querysets, the state table, the history, one message to the next
person, an audit record. The indicator's row is locked first, as by the reporting services.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from projects import calendar, clock, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import AuditTarget, audit_record, audit_refusals
from projects.formatting import percent
from projects.models import CloseOut, Event, Indicator, SupervisionFile, User
from projects.services.notifications import News, notifications_create
from projects.supervision import selectors as sel
from projects.supervision import states
from projects.supervision.states import CloseOutAction, CloseOutState
from projects.supervision.steps import Refused, delete_files, record_step, send_later, stale, store_files


def _lock_indicator(indicator_id: int) -> Indicator:
    return Indicator.objects.select_for_update(of=("self",)).select_related("task__project__plan").get(pk=indicator_id)


def closeout_apply(*, user: User, indicator_id: int, note: str, files: Sequence[UploadedFile] = ()) -> CloseOut:
    """The task's lead department applies to close out a met target, with a note and evidence; the
    office is told once."""
    target = AuditTarget.ref(Indicator, indicator_id)
    stored: list[SupervisionFile] = []
    with audit_refusals(action=AuditAction.CLOSEOUT_APPLY, actor=user, obj=target, detail={"note": note}):
        try:
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                return _closeout_apply(user=user, indicator_id=indicator_id, note=note, files=files, stored=stored)
        except Exception:
            delete_files(stored)
            raise


def _closeout_apply(
    *, user: User, indicator_id: int, note: str, files: Sequence[UploadedFile], stored: list[SupervisionFile]
) -> CloseOut:
    indicator_id = permissions.indicators_closable_by(user).values_list("pk", flat=True).get(pk=indicator_id)
    indicator = _lock_indicator(indicator_id)
    holding = sel.holding_closeout(indicator=indicator)
    if holding is not None:
        raise Refused(_("该指标%(state)s，不能重复申请") % {"state": holding.get_state_display()})
    standing = sel.closeout_standing(indicator=indicator, today=clock.today())
    if not standing.met:
        raise Refused(
            _("该指标截至%(month)s全市完成率为 %(rate)s，尚未完成目标，不能申请销号")
            % {"month": calendar.month_label(standing.month), "rate": percent(standing.completion)}
        )
    note = note.strip()
    if not note:
        raise ValidationError({"note": [_("请填写完成情况说明")]})
    now = clock.now()
    unit = permissions.acting_unit(user)
    closeout = CloseOut.objects.create(
        plan=indicator.task.project.plan,
        indicator=indicator,
        unit=unit,
        note=note,
        figures={
            "month": calendar.month_key(standing.month),
            "figure": standing.figure(indicator),
            "completion": str(standing.completion),
        },
        applied_by=user,
        applied_at=now,
    )
    store_files(files, user=user, now=now, stored=stored, closeout=closeout)
    record_step(
        closeout=closeout, action=CloseOutAction.APPLY, actor=user, at=now, to_state=CloseOutState.APPLIED, reason=note
    )
    values = {
        "unit": unit.name,
        "code": indicator.code,
        "name": indicator.name,
        "figure": standing.figure(indicator),
        "month": calendar.month_label(standing.month),
        "rate": percent(standing.completion),
    }
    send_later(
        notifications_create(
            items=[
                News(
                    event=Event.CLOSEOUT_APPLIED,
                    key=f"closeout:{closeout.pk}:applied",
                    subject=_("【销号申请】%(code)s %(name)s · %(unit)s") % values,
                    body="\n".join(
                        [
                            _(
                                "%(unit)s申请对“%(code)s %(name)s”销号："
                                "截至%(month)s全市累计%(figure)s，完成率 %(rate)s。"
                            )
                            % values,
                            _("完成情况说明：%(note)s") % {"note": note[:1000]},
                            _("请核查后销号，或说明原因不予销号。"),
                        ]
                    ),
                    link=reverse("supervision:closeout", args=[closeout.pk]),
                    project_id=indicator.task.project_id,
                )
            ]
        )
    )
    audit_record(
        action=AuditAction.CLOSEOUT_APPLY,
        actor=user,
        obj=closeout,
        detail={"indicator": indicator.code, "figures": closeout.figures, "files": [f.sha256 for f in stored]},
    )
    return closeout


def closeout_decide(*, user: User, closeout_id: int, version: int, approve: bool, reason: str = "") -> CloseOut:
    """The office verifies an application: closes the target out (its figures lock) or refuses it
    with a reason. The lead department is told once."""
    action = AuditAction.CLOSEOUT_APPROVE if approve else AuditAction.CLOSEOUT_REFUSE
    step = CloseOutAction.APPROVE if approve else CloseOutAction.REFUSE
    return _closeout_step(user=user, closeout_id=closeout_id, version=version, step=step, reason=reason, action=action)


def closeout_reopen(*, user: User, closeout_id: int, version: int, reason: str) -> CloseOut:
    """Only the office reopens a closed-out target, with a reason: its figures unlock."""
    return _closeout_step(
        user=user,
        closeout_id=closeout_id,
        version=version,
        step=CloseOutAction.REOPEN,
        reason=reason,
        action=AuditAction.CLOSEOUT_REOPEN,
    )


def _closeout_step(*, user: User, closeout_id: int, version: int, step: str, reason: str, action: str) -> CloseOut:
    detail = {"version": version, "reason": reason}
    with (
        audit_refusals(action=action, actor=user, obj=AuditTarget.ref(CloseOut, closeout_id), detail=detail),
        transaction.atomic(),
        translation.override(settings.LANGUAGE_CODE),
    ):
        queryset = CloseOut.objects.all() if permissions.verifies(user) else CloseOut.objects.none()
        indicator = _lock_indicator(queryset.values_list("indicator_id", flat=True).get(pk=closeout_id))
        closeout = CloseOut.objects.select_for_update(of=("self",)).select_related("unit").get(pk=closeout_id)
        return _closeout_step_locked(
            closeout, indicator, user=user, version=version, step=step, reason=reason.strip(), action=action
        )


def _closeout_step_locked(
    closeout: CloseOut, indicator: Indicator, *, user: User, version: int, step: str, reason: str, action: str
) -> CloseOut:
    if closeout.version != version:
        raise stale()
    try:
        target = states.closeout_target(closeout.state, step)
    except states.TransitionRefused as exc:
        raise Refused(exc.message) from exc
    if states.CLOSEOUT_TRANSITIONS[step].needs_reason and not reason:
        message = _("请写明重新打开的原因") if step == CloseOutAction.REOPEN else _("请写明不予销号的原因")
        raise ValidationError({"reason": [message]})
    now = clock.now()
    if step == CloseOutAction.REOPEN:
        fields: dict[str, Any] = {"reopened_by": user, "reopened_at": now, "reopen_reason": reason}
        Indicator.objects.filter(pk=indicator.pk).update(closed_out_at=None)
    else:
        fields = {"decided_by": user, "decided_at": now, "decision_reason": reason}
        if step == CloseOutAction.APPROVE:
            Indicator.objects.filter(pk=indicator.pk).update(closed_out_at=now)
    before = closeout.state
    claimed = CloseOut.objects.filter(pk=closeout.pk, version=version, state=before).update(
        state=target, version=version + 1, **fields
    )
    if claimed != 1:
        raise stale()
    closeout.refresh_from_db()
    record_step(closeout=closeout, action=step, actor=user, at=now, from_state=before, to_state=target, reason=reason)
    send_later(notifications_create(items=[_closeout_news(closeout, indicator, step=step, reason=reason)]))
    audit_record(
        action=action,
        actor=user,
        obj=closeout,
        detail={"indicator": indicator.code, "state": target, "reason": reason},
    )
    return closeout


def _closeout_news(closeout: CloseOut, indicator: Indicator, *, step: str, reason: str) -> News:
    values = {"unit": closeout.unit.name, "code": indicator.code, "name": indicator.name, "reason": reason}
    if step == CloseOutAction.APPROVE:
        event, subject = Event.CLOSEOUT_DECIDED, _("【已销号】%(code)s %(name)s") % values
        body = _("%(unit)s：\n你单位申请销号的“%(code)s %(name)s”经市政府督查室核查通过，已销号，数据已锁定。") % values
    elif step == CloseOutAction.REFUSE:
        event, subject = Event.CLOSEOUT_DECIDED, _("【不予销号】%(code)s %(name)s") % values
        body = (
            _("%(unit)s：\n你单位申请销号的“%(code)s %(name)s”经市政府督查室核查，不予销号。\n原因：%(reason)s")
            % values
        )
    else:
        event, subject = Event.CLOSEOUT_REOPENED, _("【销号重新打开】%(code)s %(name)s") % values
        body = (
            _("%(unit)s：\n“%(code)s %(name)s”的销号已由市政府督查室重新打开，数据解除锁定。\n原因：%(reason)s")
            % values
        )
    return News(
        event=event,
        key=f"closeout:{closeout.pk}:{step}",
        subject=subject,
        body=body,
        link=reverse("supervision:closeout", args=[closeout.pk]),
        unit_id=closeout.unit_id,
    )
