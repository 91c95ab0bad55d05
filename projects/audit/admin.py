"""The audit trail in the admin: read-only for whoever may view it; nobody adds, changes or deletes.

The audit page (/audit/) is where the audit administrator searches and exports; the admin shows
single records."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from projects.audit.actions import action_label
from projects.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "actor_username", "actor_role", "address", "action_text", "object_repr", "result"]
    list_filter = ["result", "via", "action"]
    search_fields = ["actor_username", "object_repr", "address", "action"]
    date_hierarchy = "at"
    actions = None  # not even "delete selected"
    list_per_page = 50

    @admin.display(description=_("操作"), ordering="action")
    def action_text(self, obj: AuditRecord) -> str:
        return action_label(obj.action)

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
