"""API clients and the idempotency keys of their writes."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import clock


class ApiScope(models.TextChoices):
    READ = "read", _("只读（全部数据）")
    WRITE = "write", _("报送（指定单位）")


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The networks of an allow-list, one address or CIDR block a line (``10.1.2.0/24``)."""
    networks = []
    for line in (text or "").splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValidationError(
                _("“%(entry)s”不是有效的地址或网段（如 10.1.2.3 或 10.1.2.0/24）") % {"entry": entry[:60]}
            ) from exc
    return networks


def validate_networks(text: str) -> None:
    if not parse_networks(text):
        raise ValidationError(_("请至少填写一个允许访问的地址或网段"))


class ApiClient(models.Model):
    """A system that calls the API (not a person): its token, what it may do and from where.

    Only the token's SHA-256 is stored (the token is 256 random bits, so a plain hash is enough; a
    slow password hash would cost every call); the token itself is shown once, when it is made."""

    name = models.CharField(_("名称"), max_length=100, unique=True, help_text=_("如：省督查平台、市数据共享平台"))
    contact = models.CharField(_("对接人及联系方式"), max_length=200, blank=True)
    scope = models.CharField(_("权限范围"), max_length=10, choices=ApiScope.choices, default=ApiScope.READ)
    units = models.ManyToManyField(
        "projects.Unit",
        blank=True,
        related_name="api_clients",
        verbose_name=_("报送单位"),
        help_text=_("报送权限：只能报送并读取这些单位的数据"),
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("令牌前缀"), max_length=16, editable=False, help_text=_("用于辨认令牌"))
    expires_at = models.DateTimeField(_("有效期至"))
    rate_limit = models.PositiveIntegerField(
        _("每分钟调用上限"), default=60, validators=[MinValueValidator(1)], help_text=_("超过后返回 429")
    )
    allowed_addresses = models.TextField(
        _("允许访问的地址"),
        validators=[validate_networks],
        help_text=_("每行一个地址或网段，如 10.1.2.3 或 10.1.2.0/24"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    last_used_at = models.DateTimeField(_("最近调用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_expired(self) -> bool:
        # Real time, like sessions: a token's life is not the demo's pinned day.
        return self.expires_at <= timezone.now()

    def address_allowed(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in parse_networks(self.allowed_addresses))

    @property
    def writes(self) -> bool:
        return self.scope == ApiScope.WRITE


class IdempotencyKey(models.Model):
    """A write a client made with an ``Idempotency-Key``: a retry with the same key gets the stored
    answer and stores nothing again. Written in the write's own transaction, so it exists exactly
    when the write happened. Kept for ``IDEMPOTENCY_RETENTION`` (projects/api/services.py), then
    purged by a daily job."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(_("幂等键"), max_length=100)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态"), default=0)
    response = models.JSONField(_("响应"), default=dict)
    # The one clock's now, as the purge reads it: on a pinned day, keys age with that day.
    created_at = models.DateTimeField(_("时间"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_one_per_client_key")]
        # The daily purge deletes by age.
        indexes = [models.Index(fields=["created_at"], name="idempotency_by_created_at")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"
