"""Telling people: the in-app inbox, e-mail and group-robot webhooks, and who gets what.

Every piece of news is an event with a dedupe key (``alert:12:opened``, ``notice:3`` …). It becomes
one in-app ``Message`` per recipient user and one ``Delivery`` per e-mail address or webhook; the
unique constraints on (recipient, key) make a second attempt to create the same news a no-op, and
the claim on ``Delivery.status`` makes a second attempt to send it one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.encryption import EncryptedCharField, EncryptedURLField

from .alerts import Alert, SupervisionNotice
from .catalogue import Project, Unit


class Event(models.TextChoices):
    ALERT_LAGGING = "alert_lagging", _("滞后预警（催办）")
    ALERT_OVERDUE = "alert_overdue", _("逾期预警（催办）")
    ALERT_MISSING = "alert_missing", _("未报送催报")
    NOTICE = "notice", _("督办通知单")
    DUE_REMINDER = "due_reminder", _("报送截止提醒")
    DIGEST = "digest", _("每周摘要")
    BULLETIN = "bulletin", _("月度通报")
    # Summaries written for their readers instead of copies of the units' letters.
    PORTFOLIO = "portfolio", _("分管项目预警汇总")
    UNITS_BEHIND = "units_behind", _("牵头任务滞后单位")
    # The office's summary of a scan's day: what opened and cleared, the notices issued, with links.
    OFFICE_SUMMARY = "office_summary", _("预警督办汇总")
    # The steps of monthly reporting, each told to the next person (projects.services.handoffs).
    SUBMITTED = "submitted", _("月报待审核")
    RETURNED = "returned", _("月报退回")
    APPROVED = "approved", _("月报审核通过")
    REOPENED = "reopened", _("月报重新打开")
    MONTH_CLOSED = "month_closed", _("报送窗口关闭")
    MONTH_OPENED = "month_opened", _("报送窗口重新开放")
    # The supervision loop (projects/supervision): each step tells the next person.
    NOTICE_ANSWERED = "notice_answered", _("督办整改反馈（待核查）")
    INSTRUCTION = "instruction", _("领导批示交办")
    INSTRUCTION_REPLY = "instruction_reply", _("领导批示单位回复")
    LOOP_RETURNED = "loop_returned", _("反馈退回重办")
    LOOP_CLOSED = "loop_closed", _("督办、批示办结")
    LOOP_REMINDER = "loop_reminder", _("反馈期限提醒")
    LOOP_URGE = "loop_urge", _("逾期未反馈催办")
    LOOP_URGE_SUMMARY = "loop_urge_summary", _("逾期未反馈催办汇总")
    CLOSEOUT_APPLIED = "closeout_applied", _("销号申请（待核查）")
    CLOSEOUT_DECIDED = "closeout_decided", _("销号核查结果")
    CLOSEOUT_REOPENED = "closeout_reopened", _("销号重新打开")
    # A security event the security administrators must know of at once (a superuser's login).
    SECURITY = "security", _("安全事件")
    # A deputy's suggestion to a lead unit, and the unit's reply to the deputy (projects/people).
    SUGGESTION = "suggestion", _("人大代表建议")
    SUGGESTION_REPLY = "suggestion_reply", _("代表建议答复")


class Audience(models.TextChoices):
    REPORTING_UNIT = "reporting_unit", _("报送单位")
    LEAD_UNIT = "lead_unit", _("牵头单位")
    OFFICE = "office", _("市政府督查室")
    LEADERS = "leaders", _("分管领导")
    SECURITY_ADMINS = "security_admins", _("安全管理员")


class NotificationRule(models.Model):
    """Which channels carry which event to which audience. Editable by the office in the admin;
    where a row is missing, the default in ``projects.services.notifications.DEFAULT_RULES`` applies."""

    event = models.CharField(_("事件"), max_length=20, choices=Event.choices)
    audience = models.CharField(_("接收对象"), max_length=20, choices=Audience.choices)
    in_app = models.BooleanField(_("站内消息"), default=True)
    email = models.BooleanField(_("电子邮件"), default=False)
    webhook = models.BooleanField(_("群机器人"), default=False)

    class Meta:
        verbose_name = _("通知规则")
        verbose_name_plural = _("通知规则")
        ordering = ["event", "audience"]
        constraints = [models.UniqueConstraint(fields=["event", "audience"], name="notificationrule_unique")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.get_audience_display()}"


class Message(models.Model):
    """One in-app message in one user's inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages", verbose_name=_("接收人")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Event.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    # Further links of a summary, each [label, path] (a leader's items, a lead department's units).
    links = models.JSONField(_("相关链接"), default=list, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200)
    # What it is about, for the inbox's groups and filters.
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("项目")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    month = models.DateField(_("月份"), null=True, blank=True, help_text=_("所述数据的月份（该月第一天）"))
    alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages", verbose_name=_("预警")
    )
    notice = models.ForeignKey(
        SupervisionNotice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("督办通知单"),
    )
    created = models.DateTimeField(_("时间"))
    # A condition that changed rewrote the message (an alert turned red, more figures joined a
    # batch) instead of adding one: when that last happened.
    updated = models.DateTimeField(_("更新时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # Set by the scan that resolves the message's alert: the condition it told of has ended, so the
    # inbox says 已解除 and no longer counts it as an open item.
    resolved_at = models.DateTimeField(
        _("解除时间"), null=True, blank=True, help_text=_("所述预警已解除的时间")
    )

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="message_once_per_recipient"),
        ]
        indexes = [
            # The unread badge on every page (projects.context_processors.inbox): unread messages
            # whose condition still holds.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, resolved_at__isnull=True),
                name="message_unread_open",
            ),
            models.Index(fields=["recipient", "-created"], name="message_inbox"),
            # The inbox's counts and filter by kind.
            models.Index(fields=["recipient", "kind"], name="message_inbox_kind"),
        ]

    def __str__(self) -> str:
        return self.subject


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WEBHOOK = "webhook", _("群机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class WebhookFlavour(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class WebhookScope(models.TextChoices):
    UNIT = "unit", _("单位群：该单位作为报送或牵头单位的通知")
    OFFICE = "office", _("督查室群：发给督查室的通知")
    PROJECTS = "projects", _("项目群：所选项目发给分管领导的通知")


class WebhookEndpoint(models.Model):
    """A group robot (企业微信 or 钉钉) that posts some of the notices into a group chat."""

    name = models.CharField(_("名称"), max_length=100)
    flavour = models.CharField(_("类型"), max_length=10, choices=WebhookFlavour.choices)
    # Both encrypted at rest: the address carries the robot's access token, the secret signs posts.
    url = EncryptedURLField(_("Webhook 地址"), max_length=500, help_text=_("机器人设置中复制的完整地址"))
    secret = EncryptedCharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("钉钉机器人启用“加签”时填写（SEC 开头）")
    )
    scope = models.CharField(_("范围"), max_length=10, choices=WebhookScope.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks", verbose_name=_("单位")
    )
    projects = models.ManyToManyField(Project, blank=True, related_name="webhooks", verbose_name=_("项目"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="unit") | Q(unit__isnull=False), name="webhook_unit_scope_names_a_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One e-mail to one address, or one post to one webhook: recorded, retried, never sent twice."""

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    # An e-mail address, or "webhook#<id>" (not the URL: a robot's URL carries its access token).
    recipient = models.CharField(_("收件人"), max_length=254, help_text=_("邮箱地址，或群机器人编号"))
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("群机器人"),
    )
    dedupe_key = models.CharField(_("去重键"), max_length=200)
    event = models.CharField(_("事件"), max_length=20, choices=Event.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    links = models.JSONField(_("相关链接"), default=list, blank=True)
    alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries", verbose_name=_("预警")
    )
    notice = models.ForeignKey(
        SupervisionNotice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("督办通知单"),
    )
    # What the e-mail attaches, as the producer recorded it: the values its event's builder in
    # projects.attachments takes (e.g. {"plan": 1, "month": "2022-09"}); empty for no files.
    attachments = models.JSONField(_("附件"), default=dict, blank=True, help_text=_("生成附件所需的参数"))
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created", "-id"]
        constraints = [
            # The same news is sent to the same address once, whoever creates it how often.
            models.UniqueConstraint(fields=["channel", "recipient", "dedupe_key"], name="delivery_once"),
        ]
        indexes = [
            # deliveries_send_due (the deliver_pending job) picks the pending rows that are due.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_due"),
            # deliveries_send_due marks rows stuck in "sending" (a worker died mid-send) as failed.
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="delivery_sending"),
            # notifications_create finds the pending deliveries of the news it has just written: a
            # province's first scan writes tens of thousands, plan by plan, and without this index
            # each plan's lookup read every pending delivery of the plans before it.
            models.Index(fields=["dedupe_key"], condition=Q(status="pending"), name="delivery_pending_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"
