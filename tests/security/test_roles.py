"""The three administrators kept apart (三员分立), the office a business role, the superuser for
break glass: what each role can reach, and that no account holds two administrators' powers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from projects.models import Message, Role, User
from projects.security.roles import roles_ensure
from tests.account_factories import PASSWORD, UserFactory, account

pytestmark = pytest.mark.django_db

# What only one administrator may do, named by permission: the heart of the separation.
SYSTEM = {"projects.add_user", "projects.delete_user", "projects.add_plan", "projects.delete_unit", "django_celery_beat.change_periodictask"}
SECURITY = {"auth.change_group", "auth.add_group", "axes.delete_accessattempt", "otp_totp.delete_totpdevice"}
AUDIT = {"projects.view_auditrecord", "projects.export_auditrecord", "projects.purge_auditrecord", "axes.view_accesslog"}


def perms(user: User) -> set[str]:
    return User.objects.get(pk=user.pk).get_all_permissions()


def test_each_administrator_holds_its_own_powers_and_none_of_the_others():
    sys_admin, sec_admin, audit_admin = (account(r) for r in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN))
    assert perms(sys_admin) >= SYSTEM and not (SECURITY | AUDIT) & perms(sys_admin)
    assert perms(sec_admin) >= SECURITY and not (SYSTEM | AUDIT) & perms(sec_admin)
    assert perms(audit_admin) >= AUDIT and not (SYSTEM | SECURITY) & perms(audit_admin)
    # The audit administrator reads and exports the audit trail and the login records, nothing else.
    assert perms(audit_admin) == {
        "projects.view_auditrecord", "projects.export_auditrecord", "projects.purge_auditrecord",
        "axes.view_accesslog", "axes.view_accessfailurelog", "axes.view_accessattempt",
    }  # fmt: skip


def test_the_office_is_a_business_role_that_administers_nothing():
    office = perms(account(Role.OFFICE))
    assert not (SYSTEM | SECURITY | AUDIT) & office
    assert not any(p.endswith("_user") or p.startswith(("auth.", "django_celery_beat.")) for p in office)
    # Its everyday work in the admin stays: splitting targets, indicators, alerts, who is told what.
    assert {"projects.change_assignment", "projects.change_indicator", "projects.view_alert",
            "projects.change_notificationrule", "projects.change_webhookendpoint"} <= office  # fmt: skip


def test_an_account_put_into_a_second_administrators_group_gains_nothing_from_it():
    """Whoever adds the group by hand (the shell, a script): the role decides."""
    sys_admin = account(Role.SYSTEM_ADMIN)
    sys_admin.groups.add(Group.objects.get(name="审计管理员"), Group.objects.get(name="安全管理员"))
    assert not (SECURITY | AUDIT) & perms(sys_admin)
    assert perms(sys_admin) >= SYSTEM


def test_a_business_group_or_a_direct_permission_never_carries_an_administrators_power():
    user = UserFactory()
    smuggler = Group.objects.create(name="普通用户组")
    smuggler.permissions.add(
        Permission.objects.get(codename="view_auditrecord"), Permission.objects.get(codename="view_indicator")
    )
    user.groups.add(smuggler)
    user.user_permissions.add(Permission.objects.get(codename="delete_user"))
    assert perms(user) == {"projects.view_indicator"}


def test_the_security_administrator_cannot_put_administrators_powers_into_a_group(client):
    client.force_login(account(Role.SECURITY_ADMIN))
    audit = Permission.objects.get(codename="view_auditrecord")
    response = client.post(reverse("admin:auth_group_add"), {"name": "审计查看", "permissions": [audit.pk]})
    assert response.status_code == 200  # the form again, with its error
    assert not Group.objects.filter(name="审计查看").exists()


def test_the_role_groups_are_read_only_in_the_admin_even_to_the_security_administrator(client):
    roles_ensure()
    client.force_login(account(Role.SECURITY_ADMIN))
    group = Group.objects.get(name="审计管理员")
    url = reverse("admin:auth_group_change", args=[group.pk])
    assert client.post(url, {"name": "审计管理员", "permissions": []}).status_code == 403
    assert group.permissions.count() == 6


def test_roles_ensure_applies_permissions_by_name_and_can_run_again():
    first = {name: set(g.permissions.values_list("codename", flat=True)) for name, g in roles_ensure().items()}
    again = {name: set(g.permissions.values_list("codename", flat=True)) for name, g in roles_ensure().items()}
    assert first == again
    assert {"view_auditrecord", "export_auditrecord", "purge_auditrecord"} <= first[Role.AUDIT_ADMIN]


def test_a_role_change_moves_the_account_between_role_groups_and_sets_its_staff_flag():
    user = account(Role.OFFICE)
    assert user.is_staff and list(user.groups.values_list("name", flat=True)) == ["市政府督查室"]
    user.role = Role.LEADER
    user.save()
    from projects.security.roles import account_role_apply

    account_role_apply(user=user)
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()


def test_each_superuser_login_is_announced_to_the_security_administrators(django_capture_on_commit_callbacks):
    security = account(Role.SECURITY_ADMIN, email="anquan@tracker.example")
    User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    page = client.get(reverse("login"))
    prefix = page.context["wizard"]["management_form"].prefix
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("login"),
            {f"{prefix}-current_step": "auth", "auth-username": "root", "auth-password": PASSWORD},
            REMOTE_ADDR="10.41.3.3",
        )
    assert "_auth_user_id" in client.session
    (message,) = Message.objects.filter(recipient=security)
    assert message.subject == "超级管理员 root 已登录"
    assert "10.41.3.3" in message.body
    assert [m.to for m in mail.outbox] == [["anquan@tracker.example"]]


def test_role_and_permission_changes_in_the_admin_are_security_events(client):
    from projects.audit.actions import AuditAction
    from tests.audit.helpers import records
    from tests.test_settings_audit import admin_form_data

    security = account(Role.SECURITY_ADMIN, username="anquan-ev")
    target = UserFactory(username="hubin-ev")
    client.force_login(security)
    url = reverse("admin:projects_user_change", args=[target.pk])
    assert client.post(url, admin_form_data(client.get(url)) | {"role": Role.LEADER}).status_code == 302
    reviewers = Group.objects.create(name="审核人员")
    perm = Permission.objects.get(codename="change_indicator")
    group_url = reverse("admin:auth_group_change", args=[reviewers.pk])
    assert client.post(group_url, {"name": "审核人员", "permissions": [perm.pk]}).status_code == 302
    (changed,) = records(AuditAction.ACCOUNT_CHANGED)
    assert (changed.actor_username, changed.object_id) == ("anquan-ev", str(target.pk))
    assert "角色" in changed.detail["change"] or "role" in changed.detail["change"].lower()
    (group_changed,) = records(AuditAction.GROUP_CHANGED)
    assert group_changed.object_repr == "审核人员"
