"""Audit: every login, logout and failed login, and every role and permission change, is kept."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.models import Permission
from django.forms import MultiWidget
from django.test import override_settings
from django.urls import reverse

from projects.models import Role, User
from tests.account_factories import PASSWORD, GroupFactory, OfficeAdminFactory, UserFactory, login_data

pytestmark = pytest.mark.django_db

MONDAY_9AM = dt.datetime(2022, 6, 6, 9, 0, tzinfo=dt.UTC)

# The test settings switch django-axes (which keeps the login records) off; production has it on.
axes_on = override_settings(AXES_ENABLED=True)


def log_in(client, username, password, address="10.41.2.17"):
    return client.post(reverse("login"), login_data(username, password), REMOTE_ADDR=address)


@axes_on
def test_a_login_and_its_logout_are_recorded_with_time_and_address(client):
    user = UserFactory()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        assert log_in(client, user.username, PASSWORD, address="10.41.2.17").status_code == 302
        traveller.shift(dt.timedelta(hours=2))
        client.post(reverse("logout"))
    (record,) = AccessLog.objects.filter(username=user.username)
    assert record.ip_address == "10.41.2.17"
    assert record.attempt_time == MONDAY_9AM
    assert record.logout_time == MONDAY_9AM + dt.timedelta(hours=2)


@axes_on
def test_each_login_is_a_separate_record(client):
    user = UserFactory()
    for _ in range(3):
        log_in(client, user.username, PASSWORD)
        client.post(reverse("logout"))
    assert AccessLog.objects.filter(username=user.username, logout_time__isnull=False).count() == 3


@axes_on
def test_every_failed_login_is_recorded_even_after_a_later_success(client):
    user = UserFactory()
    log_in(client, user.username, "wrong-password", address="10.41.9.9")
    log_in(client, user.username, "wrong-password-again", address="10.41.9.9")
    log_in(client, "no-such-user", "guess", address="10.41.9.9")
    assert log_in(client, user.username, PASSWORD).status_code == 302
    failures = AccessFailureLog.objects.filter(username=user.username)
    assert failures.count() == 2
    assert {f.ip_address for f in failures} == {"10.41.9.9"}
    assert AccessFailureLog.objects.filter(username="no-such-user").count() == 1
    # The password tried is never stored.
    assert not AccessFailureLog.objects.filter(user_agent__contains="wrong-password").exists()


@axes_on
def test_a_lockout_is_marked_in_the_failure_record(client):
    user = UserFactory()
    for _ in range(5):
        log_in(client, user.username, "wrong-password")
    assert list(
        AccessFailureLog.objects.filter(username=user.username).order_by("id").values_list("locked_out", flat=True)
    ) == [False, False, False, False, True]


def admin_form_data(response):
    """The admin change form as the browser would send it back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else part
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = value
    return data


def change_in_admin(client, user, **changes):
    url = reverse("admin:projects_user_change", args=[user.pk])
    data = admin_form_data(client.get(url)) | changes
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_a_role_change_in_the_admin_is_recorded_with_who_made_it(client):
    office = OfficeAdminFactory()
    user = UserFactory(role=Role.UNIT)
    client.force_login(office)
    change_in_admin(client, user, role=Role.OFFICE)
    changed_role = user.history.filter(role=Role.OFFICE).earliest()
    assert changed_role.history_user == office
    changed = {c.field: (c.old, c.new) for c in changed_role.diff_against(changed_role.prev_record).changes}
    assert changed["role"] == (Role.UNIT, Role.OFFICE)
    # The staff flag follows the role (the office works in the admin), in the same record; the
    # office's group follows in the next.
    assert changed["is_staff"] == (False, True)
    latest = user.history.latest()
    assert latest.history_user == office
    assert [g.group.name for g in latest.groups.all()] == ["市政府督查室"]


def test_granting_superuser_is_recorded(client):
    office = OfficeAdminFactory()
    user = UserFactory()
    client.force_login(office)
    change_in_admin(client, user, is_superuser="on")
    assert [h.is_superuser for h in user.history.order_by("history_id")] == [False, True]


def test_a_group_change_in_the_admin_is_recorded_with_who_made_it(client):
    office = OfficeAdminFactory()
    reviewers = GroupFactory(name="审核人员")
    user = UserFactory()
    client.force_login(office)
    change_in_admin(client, user, groups=[str(reviewers.pk)])
    latest = user.history.latest()
    assert latest.history_user == office
    assert [g.group for g in latest.groups.all()] == [reviewers]
    changed = {c.field for c in latest.diff_against(latest.prev_record).changes}
    assert "groups" in changed
    assert list(user.history.earliest().groups.all()) == []


def test_direct_permission_changes_are_recorded_in_the_users_history():
    user = UserFactory()
    perm = Permission.objects.get(codename="change_indicator")
    user.user_permissions.add(perm)
    assert [p.permission for p in user.history.latest().user_permissions.all()] == [perm]
    user.user_permissions.remove(perm)
    assert list(user.history.latest().user_permissions.all()) == []
    assert user.history.count() == 3  # created, granted, withdrawn


def test_adding_a_user_from_the_groups_side_is_recorded_too():
    user = UserFactory()
    reviewers = GroupFactory()
    reviewers.user_set.add(user)
    assert [g.group for g in user.history.latest().groups.all()] == [reviewers]


def test_a_groups_permission_changes_are_recorded():
    reviewers = GroupFactory()
    perm = Permission.objects.get(codename="change_indicator")
    reviewers.permissions.add(perm)
    latest = reviewers.history.latest()
    assert [p.permission for p in latest.permissions.all()] == [perm]
    assert latest.history_type == "~"


def test_the_password_hash_is_not_copied_into_the_history():
    user = UserFactory()
    user.set_password("Another-Strong-2022")
    user.save()
    assert not hasattr(user.history.latest(), "password")
    assert User.history.model._meta.get_fields()  # the history model exists
    assert "password" not in {f.name for f in User.history.model._meta.get_fields()}


def test_removing_and_clearing_from_the_groups_side_are_recorded_on_each_user():
    first, second = UserFactory(), UserFactory()
    reviewers = GroupFactory()
    reviewers.user_set.add(first, second)
    reviewers.user_set.remove(first)
    assert list(first.history.latest().groups.all()) == []
    reviewers.user_set.clear()
    assert list(second.history.latest().groups.all()) == []
    assert [len(h.groups.all()) for h in second.history.order_by("history_id")] == [0, 1, 0]
    # Membership is the users' business: the group itself did not change.
    assert reviewers.history.count() == 1


def test_the_office_sees_who_changed_a_groups_permissions_in_its_history_page(client):
    office = OfficeAdminFactory(first_name="督查室管理员")
    reviewers = GroupFactory(name="审核人员")
    perm = Permission.objects.get(codename="change_indicator")
    client.force_login(office)
    response = client.post(
        reverse("admin:auth_group_change", args=[reviewers.pk]), {"name": "审核人员", "permissions": [perm.pk]}
    )
    assert response.status_code == 302
    latest = reviewers.history.latest()
    assert latest.history_user == office
    assert [p.permission for p in latest.permissions.all()] == [perm]
    page = client.get(reverse("admin:auth_group_history", args=[reviewers.pk])).content.decode()
    assert office.username in page
