"""The supervision loop's tables: leaders' instructions and each unit's part of them, the answers to
notices and instructions with their files, close-outs (销号), and the history of every step.

The supervision notice itself (``SupervisionNotice``) stays beside the alerts it escalates
(projects/models/alerts.py) and shares the loop's columns through ``LoopItem``. The models belong
to the ``projects`` app (projects/models/__init__.py imports them); references to other models are
by name, so that this module loads while projects.models is still being built.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models.reporting import private_storage
from projects.supervision.states import CLOSEOUT_HOLDING, CloseOutState, LoopState


class LoopItem(models.Model):
    """What a notice and a unit's part of an instruction have in common: the state of the loop,
    the version a form was based on (a stale form is refused), and when each step happened."""

    state = models.CharField(_("办理状态"), max_length=20, choices=LoopState.choices, default=LoopState.ISSUED)
    # Moved on by every transition: a form carries the version it showed.
    version = models.PositiveIntegerField(_("版本"), default=1)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签收人"),
    )
    answered_at = models.DateTimeField(_("最近反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结核查人"),
    )
    # The reminder before the deadline and the 催办 after it, each once per deadline (a new deadline,
    # set when an answer is sent back, clears them).
    reminded_at = models.DateTimeField(_("期限提醒时间"), null=True, blank=True)
    urged_at = models.DateTimeField(_("逾期催办时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.state != LoopState.CLOSED


class Instruction(models.Model):
    """领导批示: a leader's instruction on a project, task, indicator or notice, naming the units that
    must reply by a date. Each unit's part is an ``InstructionReply``; the instruction is done when
    every part is closed."""

    plan = models.ForeignKey(
        "projects.Plan", on_delete=models.PROTECT, related_name="instructions", verbose_name=_("方案")
    )
    number = models.PositiveIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=50, help_text=_("如：批示〔2022〕1号"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="instructions", verbose_name=_("批示领导")
    )
    # What it is about: always a project; the task, indicator or notice when it is about one.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="instructions", verbose_name=_("民生实事")
    )
    task = models.ForeignKey(
        "projects.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("主要任务"),
    )
    indicator = models.ForeignKey(
        "projects.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("指标"),
    )
    notice = models.ForeignKey(
        "projects.SupervisionNotice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("督办通知单"),
    )
    text = models.TextField(_("批示内容"))
    deadline = models.DateField(_("回复期限"))
    issued_at = models.DateTimeField(_("批示时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instruction_unique_number_per_plan"),
        ]

    def __str__(self) -> str:
        return self.code


class InstructionReply(LoopItem):
    """One named unit's part of an instruction: signed for, answered, verified, closed."""

    instruction = models.ForeignKey(
        Instruction, on_delete=models.CASCADE, related_name="replies", verbose_name=_("领导批示")
    )
    unit = models.ForeignKey(
        "projects.Unit", on_delete=models.PROTECT, related_name="instruction_replies", verbose_name=_("回复单位")
    )
    deadline = models.DateField(_("回复期限"))

    class Meta:
        verbose_name = _("批示回复")
        verbose_name_plural = _("批示回复")
        ordering = ["instruction", "id"]
        constraints = [
            models.UniqueConstraint(fields=["instruction", "unit"], name="reply_once_per_unit"),
        ]
        indexes = [
            # supervision_reminders_send looks for open items by deadline.
            models.Index(fields=["deadline"], condition=~Q(state="closed"), name="reply_open_by_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.instruction.code} · {self.unit}"


class AnswerOutcome(models.TextChoices):
    PENDING = "", _("待核查")
    ACCEPTED = "accepted", _("核查通过")
    SENT_BACK = "sent_back", _("退回")


class Answer(models.Model):
    """整改反馈 (or a reply to an instruction): what was done, the figures it changed, a new date if
    the unit asks for one, evidence files; then the office's verification."""

    notice = models.ForeignKey(
        "projects.SupervisionNotice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("督办通知单"),
    )
    reply = models.ForeignKey(
        InstructionReply,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("批示回复"),
    )
    number = models.PositiveSmallIntegerField(_("第几次反馈"))
    text = models.TextField(_("整改落实情况"))
    # The figures the unit says its work changed, as they stood when it answered: [{"indicator":
    # "10.1.1", "name": …, "month": "2022-09", "figure": "20个", "status": "已报送"}].
    figures = models.JSONField(_("涉及数据"), default=list, blank=True)
    new_date = models.DateField(_("申请调整的完成时限"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("反馈人")
    )
    answered_at = models.DateTimeField(_("反馈时间"))
    late = models.BooleanField(_("逾期反馈"), default=False)
    outcome = models.CharField(
        _("核查结果"), max_length=10, choices=AnswerOutcome.choices, default=AnswerOutcome.PENDING, blank=True
    )
    outcome_reason = models.TextField(_("核查意见"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核查人"),
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改反馈")
        verbose_name_plural = _("整改反馈")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notice__isnull=False, reply__isnull=True) | Q(notice__isnull=True, reply__isnull=False),
                name="answer_to_a_notice_or_a_reply",
            ),
            models.UniqueConstraint(fields=["notice", "number"], name="answer_number_per_notice"),
            models.UniqueConstraint(fields=["reply", "number"], name="answer_number_per_reply"),
        ]

    def __str__(self) -> str:
        return f"{self.notice or self.reply} #{self.number}"


class CloseOut(models.Model):
    """销号: a met target's lead department applies to close it out; the office verifies it and
    closes it out (its figures lock) or refuses with a reason; only the office reopens it, with a
    reason. One row per application; at most one holds an indicator (applied for or closed out)."""

    plan = models.ForeignKey(
        "projects.Plan", on_delete=models.PROTECT, related_name="closeouts", verbose_name=_("方案")
    )
    indicator = models.ForeignKey(
        "projects.Indicator", on_delete=models.PROTECT, related_name="closeouts", verbose_name=_("指标")
    )
    unit = models.ForeignKey(
        "projects.Unit", on_delete=models.PROTECT, related_name="closeouts", verbose_name=_("申请单位")
    )
    state = models.CharField(_("销号状态"), max_length=20, choices=CloseOutState.choices, default=CloseOutState.APPLIED)
    version = models.PositiveIntegerField(_("版本"), default=1)
    note = models.TextField(_("完成情况说明"))
    # The city's figure the application rests on: {"month": "2022-09", "figure": "…", "completion": "100.00"}.
    figures = models.JSONField(_("申请时数据"), default=dict, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    applied_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核查人"),
    )
    decided_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    decision_reason = models.TextField(_("核查意见"), blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("重新打开人"),
    )
    reopened_at = models.DateTimeField(_("重新打开时间"), null=True, blank=True)
    reopen_reason = models.TextField(_("重新打开原因"), blank=True)

    class Meta:
        verbose_name = _("销号")
        verbose_name_plural = _("销号")
        ordering = ["-applied_at", "-id"]
        constraints = [
            # Two applications racing for one indicator: the database keeps one.
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(state__in=sorted(CLOSEOUT_HOLDING)),
                name="closeout_one_holding_per_indicator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.get_state_display()}"


def supervision_file_path(instance: SupervisionFile, filename: str) -> str:
    # Not the user's name: stored names cannot collide or carry a path.
    return f"supervision/{instance.sha256[:2]}/{instance.sha256}"


class SupervisionFile(models.Model):
    """A photo or PDF behind an answer or a close-out (佐证材料), checked as figures' evidence is."""

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="files", verbose_name=_("整改反馈")
    )
    closeout = models.ForeignKey(
        CloseOut, on_delete=models.CASCADE, null=True, blank=True, related_name="files", verbose_name=_("销号")
    )
    file = models.FileField(_("文件"), upload_to=supervision_file_path, storage=private_storage)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("督办佐证材料")
        verbose_name_plural = _("督办佐证材料")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__isnull=False, closeout__isnull=True)
                | Q(answer__isnull=True, closeout__isnull=False),
                name="supervision_file_of_an_answer_or_a_closeout",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class SupervisionEvent(models.Model):
    """One step in the history of a notice, an instruction (and a unit's part of it) or a
    close-out: who, when, what, from which state to which, and why. Shown on the item's page."""

    notice = models.ForeignKey(
        "projects.SupervisionNotice", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    reply = models.ForeignKey(InstructionReply, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    closeout = models.ForeignKey(CloseOut, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    # A deputy's suggestion (projects/people) goes through the same loop and keeps its history here.
    suggestion = models.ForeignKey(
        "projects.Suggestion", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # Copied: the history reads the same when an account is renamed or removed.
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("原因或说明"), blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
