"""The office's admin for alerts, supervision notices, messages, deliveries, robots and recipients.

Alerts, notices, messages and deliveries are records of what the jobs did: the admin shows them
read-only (a failed delivery can be queued again). Who gets what is edited here: the notification
rules, the group robots, and, on their own pages, each unit's e-mail and responsible person, each
user's "receives alerts" switch and each project's leaders.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from projects import admin_schedules  # noqa: F401 - the periodic jobs' admin, in the reader's language
from projects.models import (
    Alert,
    Channel,
    Delivery,
    Event,
    Message,
    NotificationRule,
    SupervisionNotice,
    WebhookEndpoint,
)
from projects.services.notifications import delivery_requeue, delivery_send


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the jobs: viewable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OpenFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("未解除")), ("no", _("已解除"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = [
        "kind", "severity", "scope", "indicator_code", "indicator_name", "unit", "month", "expected", "actual",
        "opened_at", "resolved_at", "notice_link",
    ]  # fmt: skip
    list_filter = [OpenFilter, "kind", "severity", "scope", "plan", "indicator__task__project"]
    search_fields = ["indicator__code", "indicator__name", "unit__name"]
    list_select_related = ["indicator", "unit", "notice"]
    date_hierarchy = "opened_at"

    @admin.display(description=_("编号"), ordering="indicator__code")
    def indicator_code(self, obj: Alert) -> str:
        return obj.indicator.code

    @admin.display(description=_("指标"))
    def indicator_name(self, obj: Alert) -> str:
        return obj.indicator.name

    @admin.display(description=_("督办通知单"))
    def notice_link(self, obj: Alert) -> str:
        notice = getattr(obj, "notice", None)
        if notice is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("supervision:notice", args=[notice.pk]), notice.code)


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["code", "unit", "lead_unit", "indicator", "deadline", "issued_at", "state", "acknowledged_at"]
    list_filter = ["plan", "state", "task__project", "unit"]
    search_fields = ["code", "unit__name", "indicator__name", "responsible_person"]
    list_select_related = ["unit", "lead_unit", "indicator"]

    def view_on_site(self, obj: SupervisionNotice) -> str:
        return reverse("supervision:notice", args=[obj.pk])


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["subject", "recipient", "kind", "created", "read_at", "acknowledged_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), ("acknowledged_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "recipient__username", "recipient__first_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["subject", "channel", "recipient_label", "status", "attempts", "next_attempt_at", "sent_at",
                    "short_error"]  # fmt: skip
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient", "subject", "dedupe_key"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created"
    actions = ["requeue"]

    @admin.display(description=_("收件人"))
    def recipient_label(self, obj: Delivery) -> str:
        return obj.endpoint.name if obj.channel == Channel.WEBHOOK and obj.endpoint else obj.recipient

    @admin.display(description=_("最近错误"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("重新发送所选的发送失败记录"), permissions=["change"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = sum(delivery_requeue(delivery=d) for d in queryset)
        self.message_user(
            request,
            ngettext("已将 %(count)d 条记录重新排队发送", "已将 %(count)d 条记录重新排队发送", count)
            % {"count": count},
        )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The requeue action needs the change permission; the form itself stays read-only.
        return obj is None and request.user.has_perm("projects.change_delivery")

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "flavour", "scope", "unit", "active"]
    list_filter = ["flavour", "scope", "active"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]
    filter_horizontal = ["projects"]
    actions = ["send_test"]
    fieldsets = [
        (None, {"fields": ["name", "flavour", "url", "secret", "active"]}),
        (_("范围"), {"fields": ["scope", "unit", "projects"]}),
    ]

    @admin.action(description=_("向所选群机器人发送测试消息"))
    def send_test(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        now = timezone.now()
        for hook in queryset:
            delivery = Delivery.objects.create(
                channel=Channel.WEBHOOK,
                recipient=f"webhook#{hook.pk}",
                endpoint=hook,
                dedupe_key=f"test:{now.isoformat()}",
                event=Event.DIGEST,
                subject=str(_("测试消息")),
                body=str(_("这是重点民生实事跟踪系统发送的测试消息。")),
                next_attempt_at=now,
                created=now,
            )
            status = delivery_send(delivery_id=delivery.pk)
            level = messages.SUCCESS if status == "sent" else messages.ERROR
            delivery.refresh_from_db()
            self.message_user(request, f"{hook.name}: {delivery.get_status_display()} {delivery.last_error}", level)


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    list_display = ["event", "audience", "in_app", "email", "webhook"]
    list_editable = ["in_app", "email", "webhook"]
    list_filter = ["event", "audience"]
