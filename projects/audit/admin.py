"""The audit trail in the admin: read-only for whoever may view it; nobody adds, changes or deletes.

The audit page (/audit/) is where the audit administrator searches and exports; the admin shows
single records."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from projects.audit.actions import AuditAction, action_label
from projects.audit.models import AuditRecord
from projects.audit.services import AuditTarget, audit_record


class AuditedAdminMixin:
    """Every add, change (the change form, list_editable, a password set, a history revert),
    delete (one, or selected) and action (requeue, send a test …) made through this admin leaves
    an audit record, beside Django's own admin log. simple-history keeps what changed; the audit
    trail records the act."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any):
        entry = super().log_addition(request, obj, message)
        audit_record(action=AuditAction.ADMIN_ADD, request=request, obj=obj, detail={"changes": message})
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any):
        entry = super().log_change(request, obj, message)
        audit_record(action=AuditAction.ADMIN_CHANGE, request=request, obj=obj, detail={"changes": message})
        return entry

    def get_action(self, action: Any):
        found = super().get_action(action)
        if found is None:
            return None
        func, name, description = found
        if name == "delete_selected":
            return found  # its deletions are recorded one by one (log_deletions), its confirmation page is no act

        @functools.wraps(func)
        def audited(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset):
            ids = [str(pk) for pk in queryset.values_list("pk", flat=True)[:1000]]
            response = func(modeladmin, request, queryset)
            audit_record(
                action=AuditAction.ADMIN_ACTION,
                request=request,
                obj=AuditTarget(type=modeladmin.model._meta.label_lower, text=str(description)),
                detail={"action": name, "ids": ids},
            )
            return response

        return audited, name, description

    def log_deletions(self, request: HttpRequest, queryset):
        # Called before the deletion, inside its transaction: the records go or stay with it.
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            audit_record(action=AuditAction.ADMIN_DELETE, request=request, obj=AuditTarget.of(obj))
        return entries


def audit_every_admin(site: admin.AdminSite) -> None:
    """Give every registered admin, ours and the packages' (django-celery-beat's schedules,
    django-axes' lockout records), the audited log methods. Call it once every admin is registered."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdminMixin):
            continue
        base = type(model_admin)
        audited = type(base.__name__, (AuditedAdminMixin, base), {"__module__": base.__module__})
        site._registry[model] = audited(model, site)


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
