"""Monthly reporting: saving and submitting figures, review, reopening, evidence, month closures.

Every write here follows one order of locks: the indicator row first (``select_for_update``), then
the submission, so that two units saving figures of one indicator, and the progress refresh that
follows, queue up instead of deadlocking. Every change of a submission's figures or status ends in
``submission_changed`` inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import calendar, clock, permissions, uploads
from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from projects.audit.services import AuditTarget, audit_record, audit_refusals
from projects.models import (
    Assignment,
    Direction,
    Evidence,
    Indicator,
    IndicatorKind,
    MonthClosure,
    Plan,
    RateBasis,
    Submission,
    SubmissionStatus,
    User,
)
from projects.people.services.public import public_refresh
from projects.selectors import reporting as sel
from projects.services import handoffs
from projects.services.alerts import alerts_after_submission_change
from projects.services.progress import progress_refresh, reportable_months
from projects.supervision.rules import closeout_lock

# History reasons (stored as written, in the source language).
REASON_DRAFT = "保存草稿"
REASON_SUBMIT = "提交"
REASON_APPROVE = "审核通过"
REASON_RETURN = "退回：{comment}"
REASON_REOPEN = "重新打开：{reason}"
REASON_IMPORT_DRAFT = "从Excel导入（草稿）"
REASON_IMPORT_SUBMIT = "从Excel导入并提交"
REASON_SUBMIT_BULK = "批量提交"
REASON_APPROVE_BULK = "批量审核通过"



# --- what can go wrong ----------------------------------------------------------------------


class ReportingError(Exception):
    """A refusal with a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Locked(ReportingError):
    """The figure cannot be changed now; the message says why."""


class Conflict(ReportingError):
    """The form was based on an older version; ``current`` is what is stored now."""

    def __init__(self, current: Submission | None) -> None:
        self.current = current
        if current is None:
            message = _("该月报已被删除，请刷新页面。")
        else:
            message = _(
                "保存失败：该月报已在您打开页面后被修改。当前数据为 %(figure)s（%(status)s），"
                "由 %(who)s 于 %(when)s 保存。您的修改未保存，请核对后重新填写。"
            ) % {
                "figure": sel.submission_figure_text(current) or _("（未填数值）"),
                "status": current.get_status_display(),
                "who": current.updated_by.display_name if current.updated_by else _("系统"),
                "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M"),
            }
        super().__init__(message)


# --- numbers as people type them ------------------------------------------------------------

_PLAIN = re.compile(r"[+-]?\d+(\.\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_MAX_ABS = Decimal(10) ** 14  # 18 digits, 4 after the point
_PLACES = Decimal("0.0001")


def number_parse(raw: Any) -> Decimal | None:
    """A figure from a form or a spreadsheet cell, or None when blank.

    Accepts full-width digits (１２３), thousands separators written as 1,234 and numbers that
    Excel stored as text; refuses words, NaN and infinity, and a comma that could be a decimal
    comma (12,5), with a message in the user's language."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValidationError(_("请输入数字"))
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = _from_float(raw)
    else:
        value = _from_text(str(raw))
        if value is None:
            return None
    if not value.is_finite():
        raise ValidationError(_("请输入有效的数字，不能是 NaN 或无穷大"))
    if abs(value) >= _MAX_ABS:
        raise ValidationError(_("数字过大，请核对"))
    if value != value.quantize(_PLACES):
        raise ValidationError(_("最多保留 4 位小数"))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _from_float(raw: float) -> Decimal:
    if raw != raw or raw in (float("inf"), float("-inf")):
        raise ValidationError(_("请输入有效的数字，不能是 NaN 或无穷大"))
    # A spreadsheet keeps 15 significant digits and shows the float rounded to them: 0.1+0.2 is the
    # 0.3 its user sees, while 1e-30 stays 1e-30 (and is refused for its decimals, not read as 0).
    return Decimal(format(raw, ".15g"))


def _from_text(raw: str) -> Decimal | None:
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    if not text:
        return None
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    raise ValidationError(
        _("“%(text)s”不是有效的数字，请只填写数字（如 1234 或 1,234.5），不要带文字或单位") % {"text": raw.strip()[:30]}
    )


# --- checking a figure ----------------------------------------------------------------------

# The longest texts a figure carries, in characters (the form and the Excel import alike): about
# two pages of a report, which is what a bulletin can quote.
TEXT_LIMITS = {"progress_text": 4000, "problems_text": 4000, "next_steps_text": 4000, "explanation": 2000}


@dataclass
class FigureInput:
    """What a unit enters for one indicator and month."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    stage: int | None = None
    progress_text: str = ""
    problems_text: str = ""
    next_steps_text: str = ""
    explanation: str = ""
    overshoot_confirmed: bool = False

    @classmethod
    def of(cls, submission: Submission) -> FigureInput:
        return cls(**{f.name: getattr(submission, f.name) for f in fields(cls)})

    def same_as(self, submission: Submission | None) -> bool:
        if submission is None:
            return self == FigureInput()
        return self == FigureInput.of(submission)


def fields_for(indicator: Indicator) -> tuple[str, ...]:
    """The figure fields a unit fills for an indicator."""
    if indicator.kind == IndicatorKind.QUALITATIVE:
        # Its stage and narrative; a figure beside them where the plan asks for one (shown, never judged).
        return ("stage", "value") if indicator.figure_unit else ("stage",)
    if indicator.kind == IndicatorKind.MILESTONE:
        return ("stage",)
    if indicator.kind == IndicatorKind.RATE and indicator.rate_basis == RateBasis.RATIO:
        return ("numerator", "denominator")
    return ("value",)


def figure_errors(
    *,
    indicator: Indicator,
    assignment: Assignment,
    plan: Plan,
    figure: FigureInput,
    previous: Submission | None,
    submit: bool,
) -> dict[str, list[str]]:
    """Everything wrong with a figure, by field, in the user's language (empty when fine).

    A draft may be incomplete; a submitted figure must be whole."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    _check_texts(figure, add)
    wanted = fields_for(indicator)
    for name in ("value", "numerator", "denominator", "stage"):
        if name not in wanted and getattr(figure, name) is not None:
            add(name, _("该指标不填写此项"))
    for name in ("value", "numerator", "denominator"):
        number_ = getattr(figure, name)
        signed = name == "value" and indicator.may_be_negative
        if name in wanted and number_ is not None and number_ < 0 and not signed:
            add(name, _("不能为负数"))
    if errors:
        return errors
    _check_figure(indicator, assignment, plan, figure, previous, submit, add, wanted)
    return errors


def _check_figure(indicator, assignment, plan, figure, previous, submit, add, wanted) -> None:
    """The checks of the indicator's kind, once the fields are the right ones."""
    if indicator.is_staged:
        _check_stage(indicator, figure, previous, submit, add)
        if indicator.kind == IndicatorKind.QUALITATIVE and submit and not figure.progress_text.strip():
            add("progress_text", _("定性任务按阶段和进展情况跟踪，请填写进展情况"))
    elif indicator.kind == IndicatorKind.GROWTH:
        # A growth rate is a level against the base year: it may fall month on month, and below 0.
        if figure.value is None and submit:
            add("value", _("请填写累计增速（%(unit)s，下降填负数）") % {"unit": indicator.unit_of_measure})
    elif "numerator" in wanted:
        _check_ratio(figure, submit, add)
    elif indicator.kind == IndicatorKind.RATE:
        if figure.value is None and submit:
            add("value", _("请填写比率（%）"))
        elif figure.value is not None and figure.value > 100:
            add("value", _("比率应在 0 到 100 之间"))
    else:
        _check_cumulative(indicator, assignment, plan, figure, previous, submit, add)


def _check_texts(figure, add) -> None:
    for name, limit in TEXT_LIMITS.items():
        length = len(getattr(figure, name))
        if length > limit:
            add(name, _("最多 %(limit)s 字，现有 %(length)s 字，请精简") % {"limit": limit, "length": length})


def _check_stage(indicator, figure, previous, submit, add) -> None:
    stages = indicator.stage_list
    if figure.stage is None:
        if submit:
            add("stage", _("请选择节点阶段") if indicator.kind == IndicatorKind.MILESTONE else _("请选择工作阶段"))
        return
    if not 0 <= figure.stage < len(stages):
        add("stage", _("请从列表中选择阶段"))
        return
    went_back = previous is not None and previous.stage is not None and figure.stage < previous.stage
    if went_back and not figure.explanation.strip():
        add(
            "explanation",
            _("节点阶段由“%(old)s”退回到“%(new)s”，请在“情况说明”中说明原因")
            % {"old": sel.stage_label(indicator, previous.stage), "new": stages[figure.stage].label},
        )


def _check_ratio(figure, submit, add) -> None:
    num, den = figure.numerator, figure.denominator
    if submit:
        if num is None:
            add("numerator", _("请填写分子"))
        if den is None:
            add("denominator", _("请填写分母"))
    if den is not None and den == 0:
        add("denominator", _("分母必须大于 0"))
    elif num is not None and den is not None and num > den:
        add("numerator", _("分子不能大于分母（比率不能超过 100%）"))


def _check_cumulative(indicator, assignment, plan, figure, previous, submit, add) -> None:
    if figure.value is None:
        if submit:
            add("value", _("请填写本月累计完成数"))
        return
    went_down = previous is not None and previous.value is not None and figure.value < previous.value
    if went_down and not figure.explanation.strip():
        add(
            "explanation",
            _("本月累计 %(new)s 低于上月累计 %(old)s，累计数一般不应减少；如确需调减，请在“情况说明”中说明原因")
            % {"new": sel.plain(figure.value), "old": sel.plain(previous.value)},
        )
    target = sel.overshoot_target(indicator=indicator, assignment=assignment)
    if indicator.direction == Direction.AT_LEAST and target and target > 0 and not figure.overshoot_confirmed:
        limit = target * plan.overshoot_confirm_percent / 100
        if figure.value > limit:
            add(
                "overshoot_confirmed",
                _("本月累计 %(value)s 超过目标 %(target)s 的 %(percent)s%%，请核实数字后勾选“确认超目标”")
                % {
                    "value": sel.plain(figure.value),
                    "target": sel.plain(target),
                    "percent": plan.overshoot_confirm_percent,
                },
            )


# --- the one place that follows every change ------------------------------------------------


def submission_changed(*, indicator_id: int, unit_id: int) -> None:
    """Everything that follows a change of a submission's figures or status, in one place.

    Runs inside the transaction of the change, so that progress never disagrees with the figures.
    Alerts are re-evaluated by a worker once the transaction commits (never on uncommitted data)."""
    progress_refresh(indicator_id=indicator_id, unit_id=unit_id)
    alerts_after_submission_change(indicator_id=indicator_id, unit_id=unit_id)


# --- saving and submitting ------------------------------------------------------------------


def _lock_indicator(indicator_id: int) -> Indicator:
    return Indicator.objects.select_for_update(of=("self",)).select_related("task__project__plan").get(pk=indicator_id)


def _claim_version(submission: Submission, version: int) -> None:
    """Move the stored version on, only if it is still the one the form was based on.

    A conditional UPDATE: of two saves based on the same version exactly one changes a row; the
    other finds none and is refused, whatever the database's row locking does."""
    claimed = Submission.objects.filter(pk=submission.pk, version=version).update(version=version + 1)
    if claimed != 1:
        raise Conflict(Submission.objects.select_related("indicator", "updated_by").filter(pk=submission.pk).first())
    submission.version = version + 1


def _save(submission: Submission, *, actor: User | None, reason: str) -> None:
    submission._history_user = actor
    submission._change_reason = reason
    submission.updated_by = actor
    submission.save()


def submission_save(
    *,
    user: User,
    indicator_id: int,
    month: dt.date,
    figure: FigureInput,
    version: int,
    submit: bool,
    today: dt.date | None = None,
) -> Submission:
    """Save a unit's figure for one indicator and month as a draft, or submit it.

    Only the unit the indicator is assigned to may; anyone else gets ``Assignment.DoesNotExist``
    (a 404 to the views)."""
    action = AuditAction.FIGURE_SUBMIT if submit else AuditAction.FIGURE_DRAFT
    target = AuditTarget.ref(Indicator, indicator_id, f"{month:%Y-%m}")
    with audit_refusals(action=action, actor=user, obj=target, detail={"month": month, "version": version}):
        return _submission_save(
            user=user, indicator_id=indicator_id, month=month, figure=figure, version=version, submit=submit,
            today=today, action=action,
        )  # fmt: skip


@transaction.atomic
def _submission_save(*, user, indicator_id, month, figure, version, submit, today, action) -> Submission:
    assignment = permissions.assignments_reportable_by(user).get(indicator_id=indicator_id)
    submission = figure_store(
        actor=user,
        assignment=assignment,
        month=month,
        figure=figure,
        version=version,
        submit=submit,
        reason=REASON_SUBMIT if submit else REASON_DRAFT,
        today=today,
    )
    audit_record(action=action, actor=user, obj=submission, detail=figure_audit_detail(submission))
    if submit:
        handoffs.handoff_submitted(submissions=[submission])
    return submission


def figure_audit_detail(submission: Submission) -> dict[str, Any]:
    """What the audit trail keeps of a figure after an act on it (the texts stay in its history)."""
    return {
        "indicator": submission.indicator.code,
        "unit_id": submission.unit_id,
        "month": submission.month,
        **{name: getattr(submission, name) for name in ("value", "numerator", "denominator", "stage")},
        "status": submission.status,
        "version": submission.version,
        "late": submission.late,
    }


@transaction.atomic
def figure_store(
    *,
    actor: User | None,
    assignment: Assignment,
    month: dt.date,
    figure: FigureInput,
    version: int,
    submit: bool,
    reason: str,
    today: dt.date | None = None,
) -> Submission:
    """Store a figure for an assignment whose right to report the caller has checked.

    ``version`` is the version the form showed (0 for a figure not yet saved). Raises ``Locked``,
    ``Conflict`` or ``ValidationError`` (by field) and then changes nothing."""
    today = today or clock.today()
    indicator = _lock_indicator(assignment.indicator_id)
    plan = indicator.task.project.plan
    if month not in reportable_months(indicator=indicator, plan=plan):
        raise Submission.DoesNotExist("not a reporting month of this indicator")
    current = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("indicator", "updated_by")
        .filter(indicator=indicator, unit_id=assignment.unit_id, month=month)
        .first()
    )
    lock = sel.lock_reason(plan=plan, month=month, submission=current, today=today, indicator=indicator)
    if lock:
        raise Locked(lock)
    if (current.version if current else 0) != version:
        raise Conflict(current)
    previous = sel.previous_counted(indicator_id=indicator.pk, unit_id=assignment.unit_id, month=month)
    errors = figure_errors(
        indicator=indicator, assignment=assignment, plan=plan, figure=figure, previous=previous, submit=submit
    )
    if errors:
        raise ValidationError(errors)

    if current is None:
        submission = Submission(indicator=indicator, unit_id=assignment.unit_id, month=month, version=1)
    else:
        submission = current
        _claim_version(submission, version)
    for f in fields(FigureInput):
        setattr(submission, f.name, getattr(figure, f.name))
    submission.signed = indicator.may_be_negative
    # A figure a person has entered is theirs: seed_demo never replaces it.
    submission.is_demo = False
    now = clock.now()
    if submit:
        # A figure first sent on time stays on time when it is fixed after a return.
        if submission.submitted_at is None or submission.late:
            submission.late = sel.is_late(plan=plan, month=month, at=now)
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_at = now
        submission.submitted_by = actor
    elif submission.status != SubmissionStatus.RETURNED:
        # Saving a sent figure as a draft withdraws it; a returned one stays returned until resent.
        submission.status = SubmissionStatus.DRAFT
    if current is None:
        try:
            with transaction.atomic():
                _save(submission, actor=actor, reason=reason)
        except IntegrityError as exc:
            # Another save created the month's figure first.
            raise Conflict(
                Submission.objects.select_related("indicator", "updated_by")
                .filter(indicator=indicator, unit_id=assignment.unit_id, month=month)
                .first()
            ) from exc
    else:
        _save(submission, actor=actor, reason=reason)
    submission_changed(indicator_id=indicator.pk, unit_id=assignment.unit_id)
    return submission


# --- review ---------------------------------------------------------------------------------


def _locked_submission(queryset, submission_id: int) -> tuple[Submission, Plan]:
    """Fetch through the permission queryset, then lock indicator and submission in that order."""
    indicator_id = queryset.values_list("indicator_id", flat=True).get(pk=submission_id)
    indicator = _lock_indicator(indicator_id)
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("indicator", "unit", "updated_by")
        .get(pk=submission_id)
    )
    return submission, indicator.task.project.plan


def submission_review(*, user: User, submission_id: int, version: int, approve: bool, comment: str = "") -> Submission:
    """Approve a sent figure (it locks) or return it to its unit with a comment."""
    action = AuditAction.FIGURE_APPROVE if approve else AuditAction.FIGURE_RETURN
    target = AuditTarget.ref(Submission, submission_id)
    with audit_refusals(action=action, actor=user, obj=target, detail={"version": version, "comment": comment}):
        submission = _submission_review(
            user=user, submission_id=submission_id, version=version, approve=approve, comment=comment
        )
    return submission


@transaction.atomic
def _submission_review(
    *, user: User, submission_id: int, version: int, approve: bool, comment: str, tell: bool = True,
    reason: str | None = None,
) -> Submission:  # fmt: skip
    submission, plan = _locked_submission(permissions.submissions_reviewable_by(user), submission_id)
    comment = comment.strip()
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ReportingError(
            _("该月报当前状态为“%(status)s”，只有已报送待审核的月报才能审核")
            % {"status": submission.get_status_display()}
        )
    if closed_out := closeout_lock(submission.indicator):
        raise Locked(closed_out)
    if sel.month_closure(plan=plan, month=submission.month):
        raise Locked(str(sel.LOCK_CLOSED))
    if not approve and not comment:
        raise ValidationError({"comment": [_("退回时请填写退回意见，说明需要修改什么")]})
    _claim_version(submission, version)
    submission.status = SubmissionStatus.APPROVED if approve else SubmissionStatus.RETURNED
    submission.reviewed_at = clock.now()
    submission.reviewed_by = user
    submission.review_comment = comment
    if reason is None:
        reason = REASON_APPROVE if approve else REASON_RETURN.format(comment=comment)
    _save(submission, actor=user, reason=reason)
    submission_changed(indicator_id=submission.indicator_id, unit_id=submission.unit_id)
    audit_record(
        action=AuditAction.FIGURE_APPROVE if approve else AuditAction.FIGURE_RETURN,
        actor=user,
        obj=submission,
        detail={**figure_audit_detail(submission), "comment": comment},
    )
    if tell and approve:
        handoffs.handoff_approved(submissions=[submission])
    elif tell:
        handoffs.handoff_returned(submission=submission, reviewer=user)
    return submission


def submission_reopen(*, user: User, submission_id: int, version: int, reason: str) -> Submission:
    """The office reopens an approved figure: it goes back to its unit as returned, with the reason."""
    target = AuditTarget.ref(Submission, submission_id)
    with audit_refusals(
        action=AuditAction.FIGURE_REOPEN, actor=user, obj=target, detail={"version": version, "reason": reason}
    ):
        return _submission_reopen(user=user, submission_id=submission_id, version=version, reason=reason)


@transaction.atomic
def _submission_reopen(*, user: User, submission_id: int, version: int, reason: str) -> Submission:
    queryset = Submission.objects.all() if permissions.administers(user) else Submission.objects.none()
    submission, plan = _locked_submission(queryset, submission_id)
    reason = reason.strip()
    if submission.status != SubmissionStatus.APPROVED:
        raise ReportingError(_("只有已审核的月报需要重新打开"))
    if closed_out := closeout_lock(submission.indicator):
        raise Locked(closed_out)
    if sel.month_closure(plan=plan, month=submission.month):
        raise Locked(_("该月报送窗口已关闭，请先重新开放该月，再重新打开月报"))
    if not reason:
        raise ValidationError({"reason": [_("请填写重新打开的原因")]})
    _claim_version(submission, version)
    submission.status = SubmissionStatus.RETURNED
    submission.reviewed_at = clock.now()
    submission.reviewed_by = user
    submission.review_comment = reason
    _save(submission, actor=user, reason=REASON_REOPEN.format(reason=reason))
    submission_changed(indicator_id=submission.indicator_id, unit_id=submission.unit_id)
    audit_record(
        action=AuditAction.FIGURE_REOPEN,
        actor=user,
        obj=submission,
        detail={**figure_audit_detail(submission), "reason": reason},
    )
    handoffs.handoff_reopened(submission=submission, by=user)
    return submission


# --- several at once: the worklists ---------------------------------------------------------


@dataclass
class BulkResult:
    """What a bulk act did: the figures it changed, and the ones it refused with the reason."""

    done: list[Submission]
    refused: list[tuple[str, str]]  # (the figure, as "2022年9月 1.1.1 技能培训", why)


def _label(indicator: Indicator, month: dt.date) -> str:
    return f"{calendar.month_label(month)} {indicator.code} {indicator.name}"


def _why(exc: Exception) -> str:
    if isinstance(exc, ReportingError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return _("该月报不存在或您无权操作")


def submissions_submit(
    *, user: User, items: list[tuple[int, int]], today: dt.date | None = None
) -> BulkResult:
    """Send several of the unit's drafts at once (the worklist), ``items`` being (submission id,
    version) as the page showed them. Each goes through the same checks as the single form
    (``figure_store``: locks, stale versions, every rule of ``figure_errors``); a figure refused
    stays a draft and is listed with its reasons, the others are sent. One transaction, one
    message per reviewer for the whole batch; an audit record per figure and one for the act."""
    with transaction.atomic():
        done: list[Submission] = []
        refused: list[tuple[str, str]] = []
        for submission_id, version in items:
            draft = (
                Submission.objects.filter(pk=submission_id, unit=permissions.acting_unit(user))
                .select_related("indicator")
                .first()
            )
            try:
                if draft is None or draft.status != SubmissionStatus.DRAFT:
                    raise ReportingError(_("只能批量提交草稿"))
                with transaction.atomic():
                    assignment = permissions.assignments_reportable_by(user).get(indicator_id=draft.indicator_id)
                    submission = figure_store(
                        actor=user, assignment=assignment, month=draft.month, figure=FigureInput.of(draft),
                        version=version, submit=True, reason=REASON_SUBMIT_BULK, today=today,
                    )  # fmt: skip
                    audit_record(
                        action=AuditAction.FIGURE_SUBMIT, actor=user, obj=submission,
                        detail={**figure_audit_detail(submission), "bulk": True},
                    )  # fmt: skip
            except (ReportingError, ValidationError, ObjectDoesNotExist) as exc:
                label = _label(draft.indicator, draft.month) if draft else f"#{submission_id}"
                refused.append((label, _why(exc)))
                audit_record(
                    action=AuditAction.FIGURE_SUBMIT, actor=user,
                    obj=AuditTarget.ref(Submission, submission_id), result=AuditResult.FAILURE,
                    detail={"version": version, "bulk": True, "reason": _why(exc)[:1000]},
                )  # fmt: skip
            else:
                done.append(submission)
        audit_record(
            action=AuditAction.FIGURES_SUBMIT_BULK,
            actor=user,
            obj=permissions.acting_unit(user),
            detail={"submitted": [s.pk for s in done], "refused": [label for label, _why in refused]},
        )
        handoffs.handoff_submitted(submissions=done)
    return BulkResult(done=done, refused=refused)


def submissions_approve(*, user: User, items: list[tuple[int, int]]) -> BulkResult:
    """Approve several figures at once (the review queue), ``items`` being (submission id, version)
    as the queue showed them. Each goes through the same checks as approving it on its page (the
    reviewer's right, its status, a closed month, a stale version); a refused one is listed with
    the reason. One transaction, one message per unit; an audit record per figure and one for the act."""
    with transaction.atomic():
        done: list[Submission] = []
        refused: list[tuple[str, str]] = []
        for submission_id, version in items:
            try:
                with transaction.atomic():
                    submission = _submission_review(
                        user=user, submission_id=submission_id, version=version, approve=True, comment="",
                        tell=False, reason=REASON_APPROVE_BULK,
                    )  # fmt: skip
            except (ReportingError, ValidationError, ObjectDoesNotExist) as exc:
                found = Submission.objects.filter(pk=submission_id).select_related("indicator").first()
                visible = found is not None and permissions.can_review(user, found)
                refused.append((_label(found.indicator, found.month) if visible else f"#{submission_id}", _why(exc)))
                audit_record(
                    action=AuditAction.FIGURE_APPROVE, actor=user,
                    obj=AuditTarget.ref(Submission, submission_id), result=AuditResult.FAILURE,
                    detail={"version": version, "bulk": True, "reason": _why(exc)[:1000]},
                )  # fmt: skip
            else:
                done.append(submission)
        audit_record(
            action=AuditAction.FIGURES_APPROVE_BULK,
            actor=user,
            detail={"approved": [s.pk for s in done], "refused": [label for label, _why in refused]},
        )
        handoffs.handoff_approved(submissions=done)
    return BulkResult(done=done, refused=refused)


# --- month closures -------------------------------------------------------------------------


def month_close(*, user: User, plan_id: int, month: dt.date, reason: str = "") -> MonthClosure:
    """The office closes a month's reporting (e.g. once its bulletin is out): its figures lock."""
    detail = {"month": calendar.month_of(month), "reason": reason}
    with audit_refusals(action=AuditAction.MONTH_CLOSE, actor=user, obj=AuditTarget.ref(Plan, plan_id), detail=detail):
        return _month_close(user=user, plan_id=plan_id, month=month, reason=reason)


@transaction.atomic
def _month_close(*, user: User, plan_id: int, month: dt.date, reason: str) -> MonthClosure:
    if not permissions.administers(user):
        raise Plan.DoesNotExist("only the office closes months")
    plan = Plan.objects.get(pk=plan_id)
    closure, created = MonthClosure.objects.get_or_create(
        plan=plan, month=calendar.month_of(month), defaults={"closed_by": user, "reason": reason.strip()[:200]}
    )
    audit_record(
        action=AuditAction.MONTH_CLOSE,
        actor=user,
        obj=plan,
        detail={"month": closure.month, "reason": closure.reason, "already_closed": not created},
    )
    # A closed month is what the public page shows (projects/people): refreshed with the closure.
    public_refresh(plan=plan)
    if created:
        handoffs.handoff_month_closed(closure=closure)
    return closure


def month_open(*, user: User, plan_id: int, month: dt.date) -> None:
    """The office reopens a closed month's reporting."""
    detail = {"month": calendar.month_of(month)}
    with audit_refusals(action=AuditAction.MONTH_OPEN, actor=user, obj=AuditTarget.ref(Plan, plan_id), detail=detail):
        _month_open(user=user, plan_id=plan_id, month=month)


@transaction.atomic
def _month_open(*, user: User, plan_id: int, month: dt.date) -> None:
    if not permissions.administers(user):
        raise Plan.DoesNotExist("only the office opens months")
    plan = Plan.objects.get(pk=plan_id)
    closures = MonthClosure.objects.filter(plan=plan, month=calendar.month_of(month))
    closed = list(closures.values("id", "closed_at", "closed_by_id", "reason"))
    closures.delete()
    audit_record(
        action=AuditAction.MONTH_OPEN,
        actor=user,
        obj=plan,
        detail={
            "month": calendar.month_of(month),
            "was_closed": bool(closed),
            "closure": closed[0] if closed else None,
        },
    )
    public_refresh(plan=plan)
    if closed:
        handoffs.handoff_month_opened(plan=plan, month=calendar.month_of(month), closure_id=closed[0]["id"])


# --- evidence -------------------------------------------------------------------------------


def _own_unlocked_submission(user: User, submission_id: int, today: dt.date | None, lock: bool = False) -> Submission:
    unit = permissions.acting_unit(user)
    submissions = Submission.objects.select_related("indicator__task__project__plan").filter(unit=unit)
    if lock:
        submissions = submissions.select_for_update(of=("self",))
    submission = submissions.get(pk=submission_id)
    lock = sel.lock_reason(
        plan=submission.indicator.task.project.plan,
        month=submission.month,
        submission=submission,
        today=today or clock.today(),
    )
    if lock:
        raise Locked(lock)
    return submission


def evidence_add(*, user: User, submission_id: int, upload: UploadedFile, today: dt.date | None = None) -> Evidence:
    """Attach a photo or PDF to the unit's own submission; the type is judged by the content."""
    target = AuditTarget.ref(Submission, submission_id)
    detail = {"name": str(upload.name or "")[:300], "size": upload.size}
    with audit_refusals(action=AuditAction.EVIDENCE_UPLOAD, actor=user, obj=target, detail=detail):
        return _evidence_add(user=user, submission_id=submission_id, upload=upload, today=today)


def evidence_audit_detail(evidence: Evidence) -> dict[str, Any]:
    return {
        "submission_id": evidence.submission_id,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
    }


@transaction.atomic
def _evidence_add(*, user: User, submission_id: int, upload: UploadedFile, today: dt.date | None) -> Evidence:
    # The figure's row is locked: two uploads at once cannot both squeeze under the caps.
    submission = _own_unlocked_submission(user, submission_id, today, lock=True)
    try:
        data = uploads.read_upload(upload)
        name, content_type = uploads.evidence_checked(name=upload.name or "", data=data)
        kept = submission.evidence.aggregate(files=Count("pk"), total=Sum("size"))
        uploads.check_caps(files=kept["files"], total=kept["total"] or 0, size=len(data), what=_("每项月报"))
    except uploads.UploadRefused as exc:
        raise ValidationError(exc.message) from exc
    digest = hashlib.sha256(data).hexdigest()
    if submission.evidence.filter(sha256=digest).exists():
        raise ValidationError(_("相同的文件已经上传过了"))
    evidence = Evidence(
        submission=submission,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by=user,
    )
    evidence.file.save(digest, ContentFile(data), save=False)
    try:
        evidence.save()
        audit_record(
            action=AuditAction.EVIDENCE_UPLOAD, actor=user, obj=evidence, detail=evidence_audit_detail(evidence)
        )
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def evidence_delete(*, user: User, evidence_id: int, today: dt.date | None = None) -> None:
    """Remove a file from the unit's own submission (while the figure may still be changed)."""
    target = AuditTarget.ref(Evidence, evidence_id)
    with audit_refusals(action=AuditAction.EVIDENCE_DELETE, actor=user, obj=target):
        _evidence_delete(user=user, evidence_id=evidence_id, today=today)


@transaction.atomic
def _evidence_delete(*, user: User, evidence_id: int, today: dt.date | None) -> None:
    unit = permissions.acting_unit(user)
    evidence = Evidence.objects.select_related("submission").get(pk=evidence_id, submission__unit=unit)
    _own_unlocked_submission(user, evidence.submission_id, today)
    storage, name = evidence.file.storage, evidence.file.name
    audit_record(action=AuditAction.EVIDENCE_DELETE, actor=user, obj=evidence, detail=evidence_audit_detail(evidence))
    evidence.delete()
    still_used = Evidence.objects.filter(file=name).exists()
    if not still_used:
        transaction.on_commit(lambda: storage.delete(name))
