"""The admin of accounts, groups, lockouts, login records and second-factor devices.

Every route of these admins that writes (change, add, delete, password, history revert, bulk
actions) asks the one rule of ``projects.security.roles``; a form field the actor may not set is
read-only, and whatever a form leaves out keeps the value the row has now, not the value of an
old version being reverted to. Each write of an account or a group is a security event.
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from projects.audit.models import AuditResult
from projects.audit.services import AuditTarget, audit_record
from projects.models import Role, User
from projects.security import roles
from projects.security.events import AuditAction, security_event

# Every field of the account forms that the rule decides on.
ACCOUNT_FORM_FIELDS = (
    "username", "first_name", "last_name", "email", "unit", "title", "phone", "receives_alerts",
    "is_active", "role", "groups", "is_superuser",
)  # fmt: skip


class KeepWhatTheFormLeavesOut:
    """``save_model`` that writes only the fields the actor may set: the others are read again
    from the row as it is now. The history revert form saves an old version's instance, which
    would otherwise bring back every field the form does not show (superuser flag, role, …)."""

    def writable(self, request: HttpRequest, obj) -> frozenset[str]:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        if change and obj.pk is not None:
            live = type(obj)._default_manager.get(pk=obj.pk)
            allowed = self.writable(request, live) & {n for n, f in form.fields.items() if not f.disabled}
            for f in obj._meta.concrete_fields:
                if f.name not in allowed and not f.primary_key:
                    setattr(obj, f.attname, getattr(live, f.attname))
        self.derive(obj)
        super().save_model(request, obj, form, change)

    def derive(self, obj) -> None:
        """Fields that follow from others, set before the one save."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a revert for anyone who may view the history: a revert is a change.
        if request.method == "POST":
            live = self.get_object(request, object_id)
            if live is None or not self.has_change_permission(request, live):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return not self.has_change_permission(request, obj) or super().revert_disabled(request, obj)


class AuditedAdmin:
    """Each addition, change and deletion made here is a security event."""

    events: dict[str, AuditAction]

    def _event(self, request, key: str, obj, message="") -> None:
        security_event(
            self.events[key],
            request=request,
            obj=obj,
            username=getattr(obj, "username", ""),
            detail={"object": str(obj), "change": str(message)} if message else {"object": str(obj)},
        )

    def log_addition(self, request, obj, message):
        self._event(request, "add", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._event(request, "change", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._event(request, "delete", obj)
        return super().log_deletions(request, queryset)


class AccountAdmin(AuditedAdmin, KeepWhatTheFormLeavesOut, SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "role", "unit", "email", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "unit__kind"]
    search_fields = ["username", "first_name", "last_name", "email", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["first_name", "last_name", "email"]}),
        (_("跟踪系统"), {"fields": ["unit", "title", "phone", "receives_alerts"]}),
        (_("角色与权限"), {"fields": ["role", "groups", "is_active", "is_staff", "is_superuser"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("跟踪系统"), {"fields": ["unit", "email", "first_name"]}),
    ]
    events = {
        "add": AuditAction.ACCOUNT_CREATED,
        "change": AuditAction.ACCOUNT_CHANGED,
        "delete": AuditAction.ACCOUNT_DELETED,
    }

    def writable(self, request, obj) -> frozenset[str]:
        return roles.account_writable_fields(request.user, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or bool(self.writable(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or roles.may_delete_account(request.user, obj)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and "username" in self.writable(request, None)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # the add form: username and password are its point
            return []
        allowed = self.writable(request, obj)
        return [*[f for f in ACCOUNT_FORM_FIELDS if f not in allowed], "is_staff", "last_login", "date_joined"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            grantable = roles.grantable_roles(request.user)
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value in grantable]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            # Role groups follow the role (roles.account_role_apply), never picked by hand.
            kwargs["queryset"] = Group.objects.exclude(name__in=roles.ROLE_GROUPS.values())
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def derive(self, obj) -> None:
        obj.is_staff = roles.staff_for(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        roles.account_role_apply(user=form.instance)

    def user_change_password(self, request, id, form_url=""):
        target = self.get_object(request, id)
        if target is not None and not roles.may_set_password(request.user, target):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


class GroupForm(forms.ModelForm):
    def clean_permissions(self):
        chosen = self.cleaned_data["permissions"]
        if chosen.filter(roles.administrator_permissions()).exists():
            raise ValidationError(_("业务用户组不能包含系统、安全或审计管理员的权限。"))
        return chosen


class GroupAdmin(AuditedAdmin, KeepWhatTheFormLeavesOut, SimpleHistoryAdmin, BaseGroupAdmin):
    form = GroupForm
    events = {
        "add": AuditAction.GROUP_CREATED,
        "change": AuditAction.GROUP_CHANGED,
        "delete": AuditAction.GROUP_DELETED,
    }

    def writable(self, request, obj) -> frozenset[str]:
        return frozenset({"name", "permissions"}) if roles.group_writable(request.user, obj) else frozenset()

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and roles.group_writable(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and roles.group_writable(request.user, obj)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and roles.group_writable(request.user, None)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = (
                Permission.objects.exclude(roles.administrator_permissions()).select_related("content_type")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- lockouts and login records -------------------------------------------------------------


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Current lockouts and failure counts. Deleting a row unlocks: the security administrator's
    (axes.delete_accessattempt), recorded as an unlock."""

    actions = []  # deleting (unlocking) only, through the admin's own "delete selected"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def delete_model(self, request, obj):
        self._unlocked(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset: QuerySet[AccessAttempt]):
        self._unlocked(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _unlocked(self, request, attempts: list[AccessAttempt]) -> None:
        for attempt in attempts:
            security_event(
                AuditAction.UNLOCK,
                request=request,
                username=attempt.username or "",
                obj=attempt,
                detail={"ip_address": attempt.ip_address, "failures": attempt.failures_since_start},
            )


class LoginRecordAdmin(admin.ModelAdmin):
    """Login records are evidence: read-only for everyone, the superuser included. An attempt to
    delete one is refused and noted in the audit trail."""

    list_display = ["attempt_time", "username", "ip_address", "user_agent"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            audit_record(
                action=AuditAction.ADMIN_DELETE,
                request=request,
                obj=AuditTarget.ref(self.model, object_id),
                result=AuditResult.FAILURE,
                detail={"reason": "login records are not deletable"},
            )
        return super().delete_view(request, object_id, extra_context)


class AccessLogAdmin(LoginRecordAdmin):
    list_display = ["attempt_time", "logout_time", "username", "ip_address", "user_agent"]


class AccessFailureLogAdmin(LoginRecordAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "user_agent"]
    list_filter = ["locked_out"]


# --- second-factor devices ------------------------------------------------------------------


class DeviceAdminGuard:
    """A device is never added or edited in the admin (whoever chose its key would own the second
    factor); the security administrator removes a lost one, of an ordinary account only, so that
    its owner enrols again at the next login."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or request.user.is_superuser or not roles.account_is_protected(obj.user)

    def delete_model(self, request, obj):
        self._removed(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._removed(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _removed(self, request, devices) -> None:
        for device in devices:
            security_event(
                AuditAction.OTP_REMOVED,
                request=request,
                username=device.user.get_username(),
                obj=device,
            )


class TOTPAdmin(DeviceAdminGuard, TOTPDeviceAdmin):
    pass


class StaticAdmin(DeviceAdminGuard, StaticDeviceAdmin):
    pass


def register(site: admin.AdminSite) -> None:
    """Register these admins, replacing the ones Django, django-axes and django-otp bring."""
    for model in (Group, AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, StaticDevice):
        if site.is_registered(model):
            site.unregister(model)
    site.register(User, AccountAdmin)
    site.register(Group, GroupAdmin)
    site.register(AccessAttempt, AccessAttemptAdmin)
    site.register(AccessLog, AccessLogAdmin)
    site.register(AccessFailureLog, AccessFailureLogAdmin)
    site.register(TOTPDevice, TOTPAdmin)
    site.register(StaticDevice, StaticAdmin)
