"""The audit trail's tables: the records, and the head of their hash chain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")


class AuditVia(models.TextChoices):
    """Where an act came from: a page, a management command, a background job, the API."""

    WEB = "web", _("网页")
    COMMAND = "command", _("命令")
    TASK = "task", _("后台任务")
    API = "api", _("接口")
    SYSTEM = "system", _("系统")


class AuditRecord(models.Model):
    """One act, as it happened. Never changed, never deleted except by a recorded purge of records
    older than the retention period (``AUDIT_RETENTION_DAYS``).

    The actor's username and role are copied, since accounts change and may be deleted; the actor
    column is a plain reference (no foreign-key constraint), so that deleting a user neither
    touches nor blocks the records of what they did. ``hash`` is an HMAC over the record's content
    and the previous record's hash (``prev_hash``), in ``seq`` order."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    actor_role = models.CharField(_("角色"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=45, blank=True, db_index=True)
    via = models.CharField(_("来源"), max_length=10, choices=AuditVia.choices, default=AuditVia.WEB)
    # The page (method and path), the command and who ran it, or the job's name.
    source = models.CharField(_("入口"), max_length=200, blank=True)
    # No choices on the column: the registry of actions is AuditAction (projects/audit/actions.py),
    # which grows without a migration.
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=AuditResult.choices, default=AuditResult.SUCCESS)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    key_id = models.CharField(_("密钥标识"), max_length=16)
    prev_hash = models.CharField(_("前一记录哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        default_permissions = ("view",)
        permissions = [
            ("export_auditrecord", _("可以导出审计记录")),
            ("purge_auditrecord", _("可以清理超过保存期限的审计记录")),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor_username}"


class AuditChainHead(models.Model):
    """The chain's last link: one row, locked by every writer so that two writers never chain to
    the same record (the chain never forks). It also lets ``verify_audit`` see records removed from
    the end of the chain."""

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.seq} {self.last_hash[:12]}"
